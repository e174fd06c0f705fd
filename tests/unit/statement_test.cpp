// Prepare-time checks of typed queries that the SQL text alone cannot show: declared column
// types against the row fields they are read into.

#include "catch.hpp"

#include <sqlproof/sqlproof.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace sp = sqlproof;

namespace {

sp::database typed_table() {
  sp::database db{":memory:"};
  db.exec_script(
      "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n NUMERIC, d DATETIME, x);"
      "INSERT INTO t VALUES (7, 2.5, 'seven', x'0102', 3, '2024-01-02', 'any');");
  return db;
}

struct text_as_int : sp::query<"SELECT s FROM t", int()> {};
struct int_as_text : sp::query<"SELECT i FROM t", std::string()> {};
struct real_as_int : sp::query<"SELECT r FROM t", std::int64_t()> {};
struct int_as_blob : sp::query<"SELECT i FROM t", std::vector<std::byte>()> {};
struct text_in_tuple : sp::query<"SELECT i, s FROM t", std::tuple<int, int>()> {};

using int_as_real = sp::query<"SELECT i, r FROM t", std::tuple<double, double>()>;
using numeric_any = sp::query<"SELECT n, d FROM t", std::tuple<int, std::string>()>;
using untyped_any = sp::query<"SELECT x, b FROM t", std::tuple<std::string, std::vector<std::byte>>()>;
using expression = sp::query<"SELECT s || '' FROM t", std::string()>;
using optional_int = sp::query<"SELECT i FROM t", std::optional<std::int64_t>()>;

}  // namespace

TEST_CASE("statement: a column declared TEXT cannot be read into an integer field") {
  auto db = typed_table();
  try {
    (void)db.one<text_as_int>();
    FAIL("expected schema_error");
  } catch (const sp::schema_error& e) {
    const std::string what = e.what();
    CHECK(what.find("declared TEXT") != std::string::npos);
    CHECK(what.find("'s'") != std::string::npos);
    CHECK(e.query_name() == "text_as_int");
    CHECK(e.sql() == "SELECT s FROM t");
  }
  CHECK(db.cache().stats().typed == 0);  // the refused statement was finalized, not cached
}

TEST_CASE("statement: numeric and text families are kept apart by declared type") {
  auto db = typed_table();
  CHECK_THROWS_AS(db.one<int_as_text>(), sp::schema_error);
  CHECK_THROWS_AS(db.one<real_as_int>(), sp::schema_error);
  CHECK_THROWS_AS(db.one<int_as_blob>(), sp::schema_error);
  try {
    (void)db.all<text_in_tuple>();
    FAIL("expected schema_error");
  } catch (const sp::schema_error& e) {
    CHECK(std::string(e.what()).find("result column 1") != std::string::npos);
  }
}

TEST_CASE("statement: compatible declared types are read") {
  auto db = typed_table();
  CHECK(db.one<int_as_real>() == std::tuple<double, double>{7.0, 2.5});
  // NUMERIC keeps text that is not a number (DATETIME is NUMERIC): every family may read it.
  CHECK(db.one<numeric_any>() == std::tuple<int, std::string>{3, "2024-01-02"});
  // A column without a declared type holds anything.
  const auto any = db.one<untyped_any>();
  REQUIRE(any.has_value());
  CHECK(std::get<0>(*any) == "any");
  CHECK(std::get<1>(*any) == std::vector<std::byte>{std::byte{1}, std::byte{2}});
  // Expressions have no declared type and are checked per value when read.
  CHECK(db.one<expression>() == std::string("seven"));
  CHECK(db.one<optional_int>() == std::optional<std::int64_t>{7});
}

namespace {

// A user conversion: its from_storage is the user's code, which the row reader does not
// flatten into itself.
struct tenths {
  std::int64_t v;
};
enum class level : int { low = 1, high = 7 };
struct plain_row {
  std::int64_t i;
  std::optional<std::string> s;
  level l;
  std::chrono::seconds d;
};
struct converted_row {
  std::int64_t i;
  std::optional<tenths> r;
};

using read_plain = sp::query<"SELECT i, s, i, i FROM t", plain_row()>;
using read_converted = sp::query<"SELECT i, r FROM t", converted_row()>;

}  // namespace

template <>
struct sqlproof::value_traits<tenths> {
  using storage_type = double;
  static tenths from_storage(double d) { return tenths{static_cast<std::int64_t>(d * 10)}; }
  static double to_storage(tenths t) { return static_cast<double>(t.v) / 10; }
};

TEST_CASE("statement: rows read by the library's code only are flattened, others not") {
  using sp::detail::library_row;
  static_assert(library_row<plain_row>());
  static_assert(library_row<std::tuple<int, std::optional<std::string>, level>>());
  static_assert(library_row<std::int64_t>());
  static_assert(!library_row<converted_row>());
  static_assert(!library_row<std::tuple<int, tenths>>());
  static_assert(!library_row<std::optional<tenths>>());

  sp::database db = typed_table();
  const plain_row p = *db.one<read_plain>();
  CHECK(p.i == 7);
  CHECK(p.s == std::optional<std::string>("seven"));
  CHECK(p.l == level::high);
  CHECK(p.d == std::chrono::seconds(7));
  const converted_row c = *db.one<read_converted>();
  CHECK(c.i == 7);
  REQUIRE(c.r.has_value());
  CHECK(c.r->v == 25);
}
