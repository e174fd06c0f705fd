// detail/reflect.hpp: the field count and field types of row types, counted by the library for
// rows of up to bindable_field_limit fields and by Boost.PFR for the rest, checked against
// Boost.PFR's own answer for the kinds of fields rows hold.
#include <array>
#include <boost/pfr/core.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <sqlproof/detail/reflect.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "catch.hpp"

namespace {

namespace d = sqlproof::detail;

enum class colour { red, green };

struct no_fields {};
struct one_field {
  int a;
};
struct user {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
  double score;
};
struct move_only {
  std::unique_ptr<int> p;
  std::string s;
};
struct times {
  std::chrono::milliseconds ms;
  std::chrono::system_clock::time_point at;
  std::optional<std::chrono::seconds> timeout;
  std::optional<std::chrono::system_clock::time_point> seen;
};
struct containers {
  std::vector<std::byte> blob;
  std::optional<std::vector<std::byte>> maybe_blob;
  std::array<int, 3> triple;
  colour c;
  std::optional<colour> maybe_c;
};
struct nested {
  one_field inner;
  user u;
  std::tuple<int, std::string> pair;
};
struct qualified {
  const int constant;
  std::string_view view;
  const char* text;
  bool flag;
  float f;
  char ch;
  unsigned short small;
};
struct not_default_constructible {
  explicit not_default_constructible(int) {}
};
struct with_no_default {
  not_default_constructible n;
  int x;
};
struct with_reference {
  int& r;
  int x;
};
struct empty_base {};
struct derived : empty_base {
  int x;
};
struct at_limit {
  int f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19, f20,
      f21, f22, f23, f24, f25, f26, f27, f28, f29, f30, f31;
};
struct past_limit {
  int f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19, f20,
      f21, f22, f23, f24, f25, f26, f27, f28, f29, f30, f31, f32;
  std::string last;
};

template <class T, std::size_t... I>
constexpr bool same_field_types(std::index_sequence<I...>) {
  return (std::is_same_v<d::field_type<I, T>, boost::pfr::tuple_element_t<I, T>> && ...);
}

// The count and every field type are Boost.PFR's.
template <class T>
constexpr bool agrees_with_pfr() {
  return d::field_count<T> == boost::pfr::tuple_size_v<T> &&
         same_field_types<T>(std::make_index_sequence<d::field_count<T>>{});
}

static_assert(agrees_with_pfr<no_fields>());
static_assert(agrees_with_pfr<one_field>());
static_assert(agrees_with_pfr<user>());
static_assert(agrees_with_pfr<move_only>());
static_assert(agrees_with_pfr<times>());
static_assert(agrees_with_pfr<containers>());
static_assert(agrees_with_pfr<nested>());
static_assert(agrees_with_pfr<qualified>());
static_assert(agrees_with_pfr<with_no_default>());
static_assert(agrees_with_pfr<with_reference>());
static_assert(agrees_with_pfr<at_limit>());
static_assert(agrees_with_pfr<past_limit>());

// Which count served each: the library's, or Boost.PFR's where {} cannot initialise a field,
// the first value would initialise a base, or there are too many fields.
static_assert(d::quick_field_count<no_fields>() == 0);
static_assert(d::quick_field_count<user>() == 5);
static_assert(d::quick_field_count<move_only>() == 2);
static_assert(d::quick_field_count<nested>() == 3);
static_assert(d::quick_field_count<at_limit>() == d::bindable_field_limit);
static_assert(d::quick_field_count<with_no_default>() == d::not_counted);
static_assert(d::quick_field_count<with_reference>() == d::not_counted);
static_assert(d::quick_field_count<derived>() == d::not_counted);
static_assert(d::quick_field_count<past_limit>() == d::not_counted);
static_assert(d::field_count<past_limit> == 34);
static_assert(std::is_same_v<d::field_type<33, past_limit>, std::string>);

// with_fields hands over the object's own fields, in order.
struct field_addresses {
  template <class... F>
  std::vector<const void*> operator()(F&... f) const {
    return {static_cast<const void*>(&f)...};
  }
};

}  // namespace

TEST_CASE("with_fields passes every field of the object itself, in declaration order",
          "[reflect]") {
  user u{7, "ada", "ada@example.com", 36, 1.5};
  const std::vector<const void*> got =
      d::with_fields(u, field_addresses{}, d::fields_tag<d::field_count<user>>{});
  const std::vector<const void*> want{&u.id, &u.name, &u.email, &u.age, &u.score};
  CHECK(got == want);

  // Through the bindings, a field is written in place.
  d::with_fields(
      u,
      [](auto&, auto& name, auto&, auto& age, auto&) {
        name = "grace";
        age = 45;
      },
      d::fields_tag<5>{});
  CHECK(u.name == "grace");
  CHECK(u.age == 45);
  CHECK(u.id == 7);
}

TEST_CASE("with_fields reaches the last field of a row at the limit", "[reflect]") {
  at_limit row{};
  row.f31 = 31;
  row.f0 = 1;
  const int sum = d::with_fields(
      row, [](auto&... f) { return (f + ...); }, d::fields_tag<d::bindable_field_limit>{});
  CHECK(sum == 32);
}
