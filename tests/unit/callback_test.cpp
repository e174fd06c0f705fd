// Tests for include/sqlproof/callback.hpp: what callback<R(Args...)> holds, copies and calls,
// and that lambdas, function pointers and std::function convert to it.

#include <sqlproof/callback.hpp>

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "../catch.hpp"

namespace {

namespace sp = sqlproof;

int twice(int x) { return 2 * x; }

}  // namespace

TEST_CASE("callback: empty by default and from nullptr", "[callback]") {
  const sp::callback<void(int)> none;
  CHECK_FALSE(static_cast<bool>(none));
  const sp::callback<void(int)> null = nullptr;
  CHECK_FALSE(static_cast<bool>(null));
}

TEST_CASE("callback: calls what it holds with the arguments and returns its result",
          "[callback]") {
  const sp::callback<int(int)> from_pointer = &twice;
  REQUIRE(static_cast<bool>(from_pointer));
  CHECK(from_pointer(21) == 42);

  int seen = 0;
  const sp::callback<void(int)> from_lambda = [&seen](int x) { seen += x; };
  from_lambda(3);
  from_lambda(4);
  CHECK(seen == 7);

  const std::function<std::string(const std::string&)> f = [](const std::string& s) {
    return s + "!";
  };
  const sp::callback<std::string(const std::string&)> from_function = f;
  CHECK(from_function("hi") == "hi!");
}

TEST_CASE("callback: a copy holds its own copy of the callable; a move empties the source",
          "[callback]") {
  int calls = 0;
  sp::callback<int()> counter = [&calls, n = 0]() mutable {
    ++calls;
    return ++n;
  };
  CHECK(counter() == 1);

  sp::callback<int()> copy = counter;  // copies the lambda, including its n == 1
  CHECK(copy() == 2);
  CHECK(copy() == 3);
  CHECK(counter() == 2);  // the original's n was not advanced by the copy
  CHECK(calls == 4);

  sp::callback<int()> moved = std::move(counter);
  CHECK_FALSE(static_cast<bool>(counter));  // NOLINT: checking the moved-from state
  CHECK(moved() == 3);

  copy = nullptr;
  CHECK_FALSE(static_cast<bool>(copy));
  copy = moved;
  CHECK(copy() == 4);
  CHECK(moved() == 4);
}

TEST_CASE("callback: destroys the callable it holds exactly once", "[callback]") {
  const auto token = std::make_shared<int>(0);
  {
    const sp::callback<void()> a = [token] {};
    CHECK(token.use_count() == 2);
    const sp::callback<void()> b = a;
    CHECK(token.use_count() == 3);
  }
  CHECK(token.use_count() == 1);
}

TEST_CASE("callback: accepts only callables with a compatible signature", "[callback]") {
  STATIC_REQUIRE(std::is_constructible_v<sp::callback<int(int)>, int (*)(int)>);
  STATIC_REQUIRE(std::is_constructible_v<sp::callback<void(int)>, int (*)(int)>);  // result dropped
  STATIC_REQUIRE_FALSE(std::is_constructible_v<sp::callback<int(int)>, int (*)(const char*)>);
  STATIC_REQUIRE_FALSE(std::is_constructible_v<sp::callback<int(int)>, int>);
}
