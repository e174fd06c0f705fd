// Values through a real PostgreSQL server, in binary both ways: every built-in type at its
// limits, stored in a column and read back (INSERT then SELECT) and echoed by `SELECT $1`;
// NULL through std::optional; arrays with NULL elements and `= ANY($1)`; a user type through
// value_traits; and the errors a value can cause, each with its class and SQLSTATE.

#include <sqlproof/postgres.hpp>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/pg_test_server.hpp"

namespace sp = sqlproof;
namespace pg = sqlproof::pg;
using namespace std::chrono_literals;

namespace {

using micros = std::chrono::sys_time<std::chrono::microseconds>;
using bytes = std::vector<std::byte>;

struct money {
  std::int64_t cents;
  friend bool operator==(const money&, const money&) = default;
};

}  // namespace

template <>
struct sp::value_traits<money> {
  using storage_type = std::int64_t;
  static std::int64_t to_storage(const money& m) { return m.cents; }
  static money from_storage(std::int64_t c) { return money{c}; }
};

namespace {

constexpr std::string_view schema_sql =
    "CREATE TABLE vals (id int4 PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, "
    "                   f8 float8, t text, by bytea, ts timestamptz, u uuid, j jsonb, "
    "                   n numeric, ai8 int8[], at text[], m int8)";

// Every column as an optional: a row of values, or a row of NULLs.
struct row {
  std::int32_t id;
  std::optional<bool> b;
  std::optional<std::int16_t> i2;
  std::optional<std::int32_t> i4;
  std::optional<std::int64_t> i8;
  std::optional<float> f4;
  std::optional<double> f8;
  std::optional<std::string> t;
  std::optional<bytes> by;
  std::optional<micros> ts;
  std::optional<pg::uuid> u;
  std::optional<pg::json> j;
  std::optional<pg::numeric> n;
  std::optional<std::vector<std::optional<std::int64_t>>> ai8;
  std::optional<std::vector<std::optional<std::string>>> at;
  std::optional<money> m;
};

using insert_row = pg::query<
    "INSERT INTO vals (id, b, i2, i4, i8, f4, f8, t, by, ts, u, j, n, ai8, at, m) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    void(std::int32_t, std::optional<bool>, std::optional<std::int16_t>,
         std::optional<std::int32_t>, std::optional<std::int64_t>, std::optional<float>,
         std::optional<double>, std::optional<std::string>, std::optional<bytes>,
         std::optional<micros>, std::optional<pg::uuid>, std::optional<pg::json>,
         std::optional<pg::numeric>, std::optional<std::vector<std::optional<std::int64_t>>>,
         std::optional<std::vector<std::optional<std::string>>>, std::optional<money>)>;
using select_row = pg::query<
    "SELECT id, b, i2, i4, i8, f4, f8, t, by, ts, u, j, n, ai8, at, m FROM vals WHERE id = $1",
    row(std::int32_t)>;

void insert(pg::database& db, const row& r) {
  db.exec<insert_row>(r.id, r.b, r.i2, r.i4, r.i8, r.f4, r.f8, r.t, r.by, r.ts, r.u, r.j, r.n,
                      r.ai8, r.at, r.m);
}

// `SELECT $1`, with the parameter's type from the C++ type.
template <class T>
using echo_query = pg::query<"SELECT $1", T(T)>;

template <class T>
T echo(pg::database& db, const T& v) {
  std::optional<T> out = db.one<echo_query<T>>(v);
  REQUIRE(out.has_value());
  return *out;
}

bytes to_bytes(std::string_view s) {
  bytes out;
  for (const char c : s) out.push_back(static_cast<std::byte>(c));
  return out;
}

// 1969-07-20 20:17:40.123456 UTC: before 1970 and before PostgreSQL's epoch of 2000, with
// microseconds (negative microseconds since 1970).
const micros moon_landing =
    std::chrono::sys_days{std::chrono::year{1969} / 7 / 20} + 20h + 17min + 40s + 123456us;
// 1999-12-31 23:59:59.999999 UTC: one microsecond before PostgreSQL's epoch.
const micros last_of_1999 =
    std::chrono::sys_days{std::chrono::year{1999} / 12 / 31} + 23h + 59min + 59s + 999999us;

const pg::uuid some_uuid = *pg::uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");

row lowest_values() {
  return row{1,
             false,
             std::numeric_limits<std::int16_t>::min(),
             std::numeric_limits<std::int32_t>::min(),
             std::numeric_limits<std::int64_t>::min(),
             -std::numeric_limits<float>::infinity(),
             std::numeric_limits<double>::lowest(),
             std::string(),
             bytes{},
             moon_landing,
             pg::uuid{},
             pg::json{"[]"},
             pg::numeric{"-12345.678900"},
             std::vector<std::optional<std::int64_t>>{std::numeric_limits<std::int64_t>::min(),
                                                      std::nullopt, 0},
             std::vector<std::optional<std::string>>{std::nullopt, "", "a"},
             money{std::numeric_limits<std::int64_t>::min()}};
}

row highest_values() {
  return row{2,
             true,
             std::numeric_limits<std::int16_t>::max(),
             std::numeric_limits<std::int32_t>::max(),
             std::numeric_limits<std::int64_t>::max(),
             std::numeric_limits<float>::infinity(),
             std::numeric_limits<double>::max(),
             std::string("quote ' backslash \\ tab \t newline \n unicode \xc3\xbc \xe2\x82\xac"),
             to_bytes(std::string_view("\0\x01\xff\x7f\x80", 5)),
             last_of_1999,
             some_uuid,
             pg::json{R"({"b": [1, 2.5, "x"], "a": null})"},
             pg::numeric{"99999999999999999999.000000000000000001"},
             std::vector<std::optional<std::int64_t>>{std::numeric_limits<std::int64_t>::max(),
                                                      std::nullopt},
             std::vector<std::optional<std::string>>{"\xc3\xbc", std::nullopt},
             money{std::numeric_limits<std::int64_t>::max()}};
}

row null_values() { return row{3, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}; }

// The server's own text for a column of row `id`, for values whose binary form should not
// be trusted to check itself.
using text_of_ts = pg::query<
    "SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM vals WHERE id = $1",
    std::string(std::int32_t)>;
using text_of_numeric = pg::query<"SELECT n::text FROM vals WHERE id = $1", std::string(std::int32_t)>;
using text_of_uuid = pg::query<"SELECT u::text FROM vals WHERE id = $1", std::string(std::int32_t)>;
using text_of_arrays =
    pg::query<"SELECT ai8::text || ' ' || at::text FROM vals WHERE id = $1", std::string(std::int32_t)>;
using nulls_in_row = pg::query<
    "SELECT num_nulls(b, i2, i4, i8, f4, f8, t, by, ts, u, j, n, ai8, at, m) FROM vals "
    "WHERE id = $1",
    std::int32_t(std::int32_t)>;

}  // namespace

TEST_CASE("pg values: every type at its limits is stored and read back unchanged") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  db.exec_script(schema_sql);
  insert(db, lowest_values());
  insert(db, highest_values());
  insert(db, null_values());

  SECTION("the lowest values") {
    const row want = lowest_values();
    const std::optional<row> got = db.one<select_row>(1);
    REQUIRE(got.has_value());
    CHECK(got->id == 1);
    CHECK(got->b == want.b);
    CHECK(got->i2 == want.i2);
    CHECK(got->i4 == want.i4);
    CHECK(got->i8 == want.i8);
    REQUIRE(got->f4.has_value());
    CHECK(std::isinf(*got->f4));
    CHECK(*got->f4 < 0);
    CHECK(got->f8 == want.f8);
    REQUIRE(got->t.has_value());
    CHECK(got->t->empty());  // empty text, not NULL
    REQUIRE(got->by.has_value());
    CHECK(got->by->empty());  // empty bytea, not NULL
    CHECK(got->ts == moon_landing);
    CHECK(got->u == pg::uuid{});
    CHECK(got->j == pg::json{"[]"});
    CHECK(got->n == pg::numeric{"-12345.678900"});
    CHECK(got->ai8 == want.ai8);
    CHECK(got->at == want.at);
    CHECK(got->m == want.m);
    CHECK(db.one<text_of_ts>(1) == "1969-07-20 20:17:40.123456");
    CHECK(db.one<text_of_numeric>(1) == "-12345.678900");
    CHECK(db.one<text_of_uuid>(1) == "00000000-0000-0000-0000-000000000000");
    CHECK(db.one<text_of_arrays>(1) == R"({-9223372036854775808,NULL,0} {NULL,"",a})");
    CHECK(db.one<nulls_in_row>(1) == 0);
  }

  SECTION("the highest values") {
    const row want = highest_values();
    const std::optional<row> got = db.one<select_row>(2);
    REQUIRE(got.has_value());
    CHECK(got->b == true);
    CHECK(got->i2 == want.i2);
    CHECK(got->i4 == want.i4);
    CHECK(got->i8 == want.i8);
    REQUIRE(got->f4.has_value());
    CHECK(std::isinf(*got->f4));
    CHECK(*got->f4 > 0);
    CHECK(got->f8 == std::numeric_limits<double>::max());
    CHECK(got->t == want.t);
    CHECK(got->by == want.by);
    CHECK(got->ts == last_of_1999);
    CHECK(got->u == some_uuid);
    // jsonb comes back in the server's normal form: keys sorted, its own spacing.
    CHECK(got->j == pg::json{R"({"a": null, "b": [1, 2.5, "x"]})"});
    CHECK(got->n == pg::numeric{"99999999999999999999.000000000000000001"});
    CHECK(got->ai8 == want.ai8);
    CHECK(got->at == want.at);
    CHECK(got->m == want.m);
    CHECK(db.one<text_of_ts>(2) == "1999-12-31 23:59:59.999999");
    CHECK(db.one<text_of_uuid>(2) == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    CHECK(db.one<text_of_arrays>(2) == "{9223372036854775807,NULL} {ü,NULL}");
  }

  SECTION("NULL in every column") {
    const std::optional<row> got = db.one<select_row>(3);
    REQUIRE(got.has_value());
    CHECK(got->id == 3);
    CHECK(!got->b);
    CHECK(!got->i2);
    CHECK(!got->i4);
    CHECK(!got->i8);
    CHECK(!got->f4);
    CHECK(!got->f8);
    CHECK(!got->t);
    CHECK(!got->by);
    CHECK(!got->ts);
    CHECK(!got->u);
    CHECK(!got->j);
    CHECK(!got->n);
    CHECK(!got->ai8);
    CHECK(!got->at);
    CHECK(!got->m);
    CHECK(db.one<nulls_in_row>(3) == 15);
  }
}

TEST_CASE("pg values: SELECT $1 echoes every type at its limits") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};

  CHECK(echo(db, true) == true);
  CHECK(echo(db, false) == false);
  CHECK(echo(db, std::numeric_limits<std::int16_t>::min()) == std::numeric_limits<std::int16_t>::min());
  CHECK(echo(db, std::numeric_limits<std::int16_t>::max()) == std::numeric_limits<std::int16_t>::max());
  CHECK(echo(db, std::numeric_limits<std::int32_t>::min()) == std::numeric_limits<std::int32_t>::min());
  CHECK(echo(db, std::numeric_limits<std::int32_t>::max()) == std::numeric_limits<std::int32_t>::max());
  CHECK(echo(db, std::numeric_limits<std::int64_t>::min()) == std::numeric_limits<std::int64_t>::min());
  CHECK(echo(db, std::numeric_limits<std::int64_t>::max()) == std::numeric_limits<std::int64_t>::max());

  CHECK(echo(db, std::numeric_limits<float>::max()) == std::numeric_limits<float>::max());
  CHECK(echo(db, std::numeric_limits<float>::lowest()) == std::numeric_limits<float>::lowest());
  CHECK(echo(db, std::numeric_limits<float>::denorm_min()) == std::numeric_limits<float>::denorm_min());
  CHECK(echo(db, std::numeric_limits<float>::infinity()) == std::numeric_limits<float>::infinity());
  CHECK(echo(db, -std::numeric_limits<float>::infinity()) == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(echo(db, std::numeric_limits<float>::quiet_NaN())));
  CHECK(echo(db, std::numeric_limits<double>::max()) == std::numeric_limits<double>::max());
  CHECK(echo(db, std::numeric_limits<double>::lowest()) == std::numeric_limits<double>::lowest());
  CHECK(echo(db, std::numeric_limits<double>::denorm_min()) == std::numeric_limits<double>::denorm_min());
  CHECK(echo(db, std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
  CHECK(echo(db, -std::numeric_limits<double>::infinity()) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(echo(db, std::numeric_limits<double>::quiet_NaN())));
  CHECK(std::signbit(echo(db, -0.0)));
  // The server compares NaN equal to itself and above every number, unlike IEEE.
  using nan_is_nan = pg::query<"SELECT $1 = 'NaN'::float8 AND $1 > 'Infinity'::float8", bool(double)>;
  CHECK(db.one<nan_is_nan>(std::numeric_limits<double>::quiet_NaN()) == true);

  CHECK(echo(db, std::string()).empty());
  const std::string long_text(1 << 20, 'x');
  CHECK(echo(db, long_text) == long_text);
  CHECK(echo(db, std::string("\xc3\xbc\xe2\x82\xac")) == "\xc3\xbc\xe2\x82\xac");
  CHECK(echo(db, bytes{}).empty());
  const bytes all_bytes = [] {
    bytes b;
    for (int i = 0; i < 256; ++i) b.push_back(static_cast<std::byte>(i));
    return b;
  }();
  CHECK(echo(db, all_bytes) == all_bytes);

  CHECK(echo(db, moon_landing) == moon_landing);
  CHECK(echo(db, last_of_1999) == last_of_1999);
  const micros epoch_2000 = std::chrono::sys_days{std::chrono::year{2000} / 1 / 1};
  CHECK(echo(db, epoch_2000) == epoch_2000);
  CHECK(echo(db, micros{}) == micros{});
  // Before 1970 with microseconds: the server agrees on the instant, not only the bytes.
  using epoch_of = pg::query<"SELECT extract(epoch FROM $1)::text", std::string(micros)>;
  CHECK(db.one<epoch_of>(moon_landing) == "-14182939.876544");

  CHECK(echo(db, some_uuid) == some_uuid);
  CHECK(echo(db, pg::json{R"({"k": [true, null]})"}) == pg::json{R"({"k": [true, null]})"});
  CHECK(echo(db, pg::numeric{"-12345.678900"}) == pg::numeric{"-12345.678900"});
  CHECK(echo(db, pg::numeric{"0"}) == pg::numeric{"0"});
  CHECK(echo(db, pg::numeric{"NaN"}) == pg::numeric{"NaN"});
  CHECK(echo(db, pg::numeric{"0.000001"}) == pg::numeric{"0.000001"});

  const std::vector<std::optional<std::int64_t>> ints{std::nullopt, std::numeric_limits<std::int64_t>::min(),
                                                      std::nullopt, std::numeric_limits<std::int64_t>::max()};
  CHECK(echo(db, ints) == ints);
  const std::vector<std::optional<std::string>> texts{"a", std::nullopt, "", "NULL", "{,}"};
  CHECK(echo(db, texts) == texts);
  CHECK(echo(db, std::vector<std::int64_t>{}).empty());
  CHECK(echo(db, std::vector<std::string>{"x", "y"}) == std::vector<std::string>{"x", "y"});

  CHECK(echo(db, money{-250}) == money{-250});

  // std::optional of each: NULL and a value.
  CHECK(echo(db, std::optional<bool>{}) == std::nullopt);
  CHECK(echo(db, std::optional<bool>{true}) == true);
  CHECK(echo(db, std::optional<std::int16_t>{}) == std::nullopt);
  CHECK(echo(db, std::optional<std::int16_t>{-7}) == std::int16_t{-7});
  CHECK(echo(db, std::optional<std::int32_t>{}) == std::nullopt);
  CHECK(echo(db, std::optional<std::int32_t>{7}) == 7);
  CHECK(echo(db, std::optional<std::int64_t>{}) == std::nullopt);
  CHECK(echo(db, std::optional<std::int64_t>{1} ) == std::int64_t{1});
  CHECK(echo(db, std::optional<float>{}) == std::nullopt);
  CHECK(echo(db, std::optional<float>{1.5f}) == 1.5f);
  CHECK(echo(db, std::optional<double>{}) == std::nullopt);
  CHECK(echo(db, std::optional<double>{-2.25}) == -2.25);
  CHECK(echo(db, std::optional<std::string>{}) == std::nullopt);
  CHECK(echo(db, std::optional<std::string>{""}) == std::string());
  CHECK(echo(db, std::optional<bytes>{}) == std::nullopt);
  CHECK(echo(db, std::optional<bytes>{bytes{}}) == bytes{});
  CHECK(echo(db, std::optional<micros>{}) == std::nullopt);
  CHECK(echo(db, std::optional<micros>{moon_landing}) == moon_landing);
  CHECK(echo(db, std::optional<pg::uuid>{}) == std::nullopt);
  CHECK(echo(db, std::optional<pg::uuid>{some_uuid}) == some_uuid);
  CHECK(echo(db, std::optional<pg::json>{}) == std::nullopt);
  CHECK(echo(db, std::optional<pg::json>{pg::json{"1"}}) == pg::json{"1"});
  CHECK(echo(db, std::optional<pg::numeric>{}) == std::nullopt);
  CHECK(echo(db, std::optional<pg::numeric>{pg::numeric{"1.50"}}) == pg::numeric{"1.50"});
  CHECK(echo(db, std::optional<std::vector<std::optional<std::int64_t>>>{}) == std::nullopt);
  CHECK(echo(db, std::optional<std::vector<std::optional<std::int64_t>>>{ints}) == ints);
  CHECK(echo(db, std::optional<std::vector<std::optional<std::string>>>{}) == std::nullopt);
  CHECK(echo(db, std::optional<std::vector<std::optional<std::string>>>{texts}) == texts);
  CHECK(echo(db, std::optional<money>{}) == std::nullopt);
  CHECK(echo(db, std::optional<money>{money{3}}) == money{3});
}

TEST_CASE("pg values: arrays bind to = ANY($1), NULL elements included") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  db.exec_script(schema_sql);
  insert(db, lowest_values());
  insert(db, highest_values());
  insert(db, null_values());

  using ids_with_i8 = pg::query<"SELECT id FROM vals WHERE i8 = ANY($1) ORDER BY id",
                                std::int32_t(std::vector<std::optional<std::int64_t>>)>;
  using ids_with_text = pg::query<"SELECT id FROM vals WHERE t = ANY($1::text[]) ORDER BY id",
                                  std::int32_t(std::vector<std::string>)>;
  using count_in = pg::query<"SELECT count(*) FROM unnest($1::int8[]) AS x WHERE x IS NULL",
                             std::int64_t(std::vector<std::optional<std::int64_t>>)>;

  CHECK(db.all<ids_with_i8>(std::vector<std::optional<std::int64_t>>{
            std::numeric_limits<std::int64_t>::max(), std::nullopt,
            std::numeric_limits<std::int64_t>::min()}) == std::vector<std::int32_t>{1, 2});
  CHECK(db.all<ids_with_i8>(std::vector<std::optional<std::int64_t>>{std::nullopt}).empty());
  CHECK(db.all<ids_with_i8>(std::vector<std::optional<std::int64_t>>{}).empty());
  CHECK(db.all<ids_with_text>(std::vector<std::string>{"", "nothing"}) == std::vector<std::int32_t>{1});
  CHECK(db.one<count_in>(std::vector<std::optional<std::int64_t>>{1, std::nullopt, std::nullopt}) == 2);
}

TEST_CASE("pg values: text with a NUL character is refused by the server as a type_error") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  const std::string with_nul("a\0b", 3);
  try {
    (void)db.one<echo_query<std::string>>(with_nul);
    FAIL("text with a NUL character was accepted");
  } catch (const sp::type_error& e) {
    // 22021 character_not_in_repertoire: PostgreSQL's text cannot hold a NUL.
    CHECK(e.sqlstate() == "22021");
    CHECK(std::string_view(e.what()).find("SQLSTATE 22021") != std::string_view::npos);
    CHECK(e.query_name().find("query<") != std::string_view::npos);
  }
  // The connection is usable afterwards.
  CHECK(echo(db, std::string("ab")) == "ab");
}

TEST_CASE("pg values: values that do not fit are type_errors naming the column or the SQLSTATE") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  db.exec_script(schema_sql);

  SECTION("an int8 of 5e9 read into int names the column") {
    using big_as_int = pg::query<"SELECT 5000000000::int8 AS big", int()>;
    try {
      (void)db.one<big_as_int>();
      FAIL("5e9 was read into an int");
    } catch (const sp::type_error& e) {
      CHECK(e.column() == 0);
      CHECK(e.column_name() == "big");
      CHECK(std::string_view(e.what()).find("'big'") != std::string_view::npos);
      CHECK(e.sqlstate().empty());  // found by sqlproof, not the server
    }
    // An int8 that fits is read into int.
    using small_as_int = pg::query<"SELECT 2147483647::int8 AS small", int()>;
    CHECK(db.one<small_as_int>() == 2147483647);
  }

  SECTION("5e9 bound to an int4 column is SQLSTATE 22003, a type_error") {
    using put_i4 = pg::query<"INSERT INTO vals (id, i4) VALUES ($1, $2)", void(int, std::int64_t)>;
    CHECK(db.exec<put_i4>(1, std::int64_t{2147483647}).changes == 1);
    try {
      db.exec<put_i4>(2, std::int64_t{5000000000});
      FAIL("5e9 was stored in an int4 column");
    } catch (const sp::type_error& e) {
      CHECK(e.sqlstate() == "22003");
      CHECK(e.column() == -1);
    }
  }

  SECTION("a NULL read into a non-optional field is a type_error naming the column") {
    using put_t = pg::query<"INSERT INTO vals (id, t) VALUES ($1, $2)",
                            void(int, std::optional<std::string>)>;
    using text_of = pg::query<"SELECT t FROM vals WHERE id = $1", std::string(int)>;
    db.exec<put_t>(1, std::string("here"));
    db.exec<put_t>(2, std::nullopt);
    // By default the nullable column is refused when the statement is prepared...
    CHECK_THROWS_AS(db.one<text_of>(1), sp::schema_error);
    // ... and without that check the NULL shows on its row.
    pg::options unchecked;
    unchecked.check_nullability = false;
    pg::database lax{schema.conninfo(), unchecked};
    CHECK(lax.one<text_of>(1) == "here");
    try {
      (void)lax.one<text_of>(2);
      FAIL("NULL was read into std::string");
    } catch (const sp::type_error& e) {
      CHECK(e.column() == 0);
      CHECK(e.column_name() == "t");
      CHECK(std::string_view(e.what()).find("std::optional<") != std::string_view::npos);
    }
  }

  SECTION("a column of a type the field cannot read is a schema_error at prepare") {
    using jsonb_as_text = pg::query<"SELECT '{}'::jsonb AS doc", std::string()>;
    try {
      (void)db.one<jsonb_as_text>();
      FAIL("jsonb was read into std::string");
    } catch (const sp::schema_error& e) {
      CHECK(std::string_view(e.what()).find("jsonb") != std::string_view::npos);
      CHECK(std::string_view(e.what()).find("sqlproof::pg::json") != std::string_view::npos);
    }
  }

  SECTION("sum(bigint) is numeric, so reading it into int64 is a schema_error") {
    // PostgreSQL widens sum(int8) to numeric; the type is checked at prepare. Cast it in the
    // SQL (sum(x)::int8) or read it as pg::numeric.
    using sum_as_int = pg::query<"SELECT sum(i8) FROM vals", std::optional<std::int64_t>()>;
    CHECK_THROWS_AS(db.one<sum_as_int>(), sp::schema_error);
    using sum_cast = pg::query<"SELECT sum(i8)::int8 FROM vals", std::optional<std::int64_t>()>;
    using sum_numeric = pg::query<"SELECT coalesce(sum(i8), 0) FROM vals", pg::numeric()>;
    using put_i8 = pg::query<"INSERT INTO vals (id, i8) VALUES ($1, $2)", void(int, std::int64_t)>;
    db.exec<put_i8>(1, std::numeric_limits<std::int64_t>::max());
    db.exec<put_i8>(2, std::numeric_limits<std::int64_t>::max());
    CHECK(db.one<sum_numeric>() == pg::numeric{"18446744073709551614"});
    // ... and its cast fails on the server when the sum does not fit.
    CHECK_THROWS_AS(db.one<sum_cast>(), sp::type_error);
  }
}
