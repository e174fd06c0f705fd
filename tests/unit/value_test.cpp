// Tests for include/sqlproof/value.hpp: every mapped type round-trips through a real SQLite
// connection (bound as a parameter, stored in a typed column, read back), and every value that
// does not fit is reported as a type_error naming the column, never truncated.

#include <sqlproof/database.hpp>
#include <sqlproof/query.hpp>
#include <sqlproof/value.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "../catch.hpp"

namespace {

namespace sp = sqlproof;
using namespace std::chrono_literals;

// Binds `v` as the only parameter of `SELECT ?` and reads the result back as the same type.
template <class T>
T echo(sp::database& db, const T& v) {
  auto r = db.one<sp::query<"SELECT ?", T(T)>>(v);
  REQUIRE(r.has_value());
  return *r;
}

// What SQLite says the storage class of the bound value is.
template <class T>
std::string typeof_bound(sp::database& db, const T& v) {
  auto st = db.prepare("SELECT typeof(?)");
  auto r = st.one<std::string>(v);
  REQUIRE(r.has_value());
  return *r;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (const int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

enum class level : std::int8_t { low = -100, mid = 0, high = 100 };
enum unscoped_fixed : unsigned char { first = 1, second = 2 };
enum unscoped_unfixed { red, green, blue };  // holds 0..3 only: bind-only

struct money {
  std::int64_t cents = 0;
  friend bool operator==(const money&, const money&) = default;
};

struct email_address {
  std::string text;
  friend bool operator==(const email_address&, const email_address&) = default;
};

}  // namespace

template <>
struct sqlproof::value_traits<money> {
  using storage_type = std::int64_t;
  static std::int64_t to_storage(const money& m) { return m.cents; }
  static money from_storage(std::int64_t c) { return money{c}; }
};

template <>
struct sqlproof::value_traits<email_address> {
  using storage_type = std::string;
  static std::string to_storage(const email_address& e) { return "mailto:" + e.text; }
  static email_address from_storage(std::string s) {
    if (s.starts_with("mailto:")) s.erase(0, 7);
    return email_address{std::move(s)};
  }
};

namespace {

// A row holding one field of (nearly) every mapped type, stored in a table with typed columns.
struct everything_row {
  bool flag;
  std::int8_t small;
  std::int64_t big;
  std::uint64_t ubig;
  double ratio;
  float single;
  std::string label;
  std::vector<std::byte> payload;
  std::vector<std::uint8_t> octets;
  std::optional<std::string> note;
  level lvl;
  std::chrono::milliseconds dur;
  std::chrono::sys_seconds at;
  money price;
  email_address contact;
};

constexpr const char* everything_schema =
    "CREATE TABLE everything ("
    "  id INTEGER PRIMARY KEY,"
    "  flag INTEGER NOT NULL, small INTEGER, big INTEGER, ubig INTEGER,"
    "  ratio REAL, single REAL, label TEXT, payload BLOB, octets BLOB, note TEXT,"
    "  lvl INTEGER, dur INTEGER, at INTEGER, price INTEGER, contact TEXT)";

using insert_everything = sp::query<
    "INSERT INTO everything (flag, small, big, ubig, ratio, single, label, payload, octets, "
    "note, lvl, dur, at, price, contact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    void(bool, std::int8_t, std::int64_t, std::uint64_t, double, float, std::string,
         std::vector<std::byte>, std::vector<std::uint8_t>, std::optional<std::string>, level,
         std::chrono::milliseconds, std::chrono::sys_seconds, money, email_address)>;

using select_everything = sp::query<
    "SELECT flag, small, big, ubig, ratio, single, label, payload, octets, note, lvl, dur, at, "
    "price, contact FROM everything WHERE id = ?",
    everything_row(std::int64_t)>;

// std::tuple<std::string, ...> with N elements.
template <std::size_t... I>
auto string_tuple(std::index_sequence<I...>) -> std::tuple<decltype((void)I, std::string())...>;
using fifteen_strings = decltype(string_tuple(std::make_index_sequence<15>{}));

using storage_classes = sp::query<
    "SELECT typeof(flag), typeof(small), typeof(big), typeof(ubig), typeof(ratio), "
    "typeof(single), typeof(label), typeof(payload), typeof(octets), typeof(note), typeof(lvl), "
    "typeof(dur), typeof(at), typeof(price), typeof(contact) FROM everything WHERE id = ?",
    fifteen_strings(std::int64_t)>;

}  // namespace

// ---- numbers --------------------------------------------------------------------------------

TEST_CASE("value: bool round-trips as INTEGER 0 and 1", "[value]") {
  sp::database db{":memory:"};
  CHECK(echo(db, true) == true);
  CHECK(echo(db, false) == false);
  CHECK(typeof_bound(db, true) == "integer");
  auto st = db.prepare("SELECT ?");
  CHECK(st.one<std::int64_t>(true) == std::optional<std::int64_t>(1));
  CHECK(st.one<std::int64_t>(false) == std::optional<std::int64_t>(0));
  CHECK(db.prepare("SELECT 1").one<bool>() == std::optional<bool>(true));
  CHECK(db.prepare("SELECT 0").one<bool>() == std::optional<bool>(false));
}

TEMPLATE_TEST_CASE("value: integer types round-trip their minimum, maximum and zero", "[value]",
                   char, std::int8_t, std::int16_t, std::int32_t, std::int64_t, long long,
                   std::uint8_t, std::uint16_t, std::uint32_t) {
  sp::database db{":memory:"};
  using limits = std::numeric_limits<TestType>;
  CHECK(echo(db, limits::min()) == limits::min());
  CHECK(echo(db, limits::max()) == limits::max());
  CHECK(echo(db, TestType{0}) == TestType{0});
  CHECK(echo(db, TestType{1}) == TestType{1});
  CHECK(typeof_bound(db, limits::max()) == "integer");
  // The stored INTEGER is the value itself, not a bit pattern.
  auto st = db.prepare("SELECT CAST(? AS TEXT)");
  CHECK(st.one<std::string>(limits::max()) == std::to_string(limits::max()));
  CHECK(st.one<std::string>(limits::min()) == std::to_string(limits::min()));
}

TEST_CASE("value: uint64 round-trips up to INT64_MAX and refuses to bind above it", "[value]") {
  sp::database db{":memory:"};
  constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  CHECK(echo(db, std::uint64_t{0}) == 0u);
  CHECK(echo(db, int64_max) == int64_max);

  SECTION("typed query: the error names the query and its SQL") {
    using q = sp::query<"SELECT ?", std::uint64_t(std::uint64_t)>;
    try {
      (void)db.one<q>(int64_max + 1);
      FAIL("binding 2^63 did not throw");
    } catch (const sp::type_error& e) {
      CHECK(e.column() == -1);
      CHECK(contains(e.what(), "cannot bind parameter 1 of type "));
      CHECK(contains(e.what(), "above INT64_MAX"));
      CHECK_FALSE(contains(e.what(), "9223372036854775808"));  // the value is the caller's data
      CHECK_FALSE(e.query_name().empty());
      CHECK(e.sql() == "SELECT ?");
    }
    CHECK_THROWS_AS(db.one<q>(std::numeric_limits<std::uint64_t>::max()), sp::type_error);
    // The failed bind left the cached statement usable.
    CHECK(db.one<q>(std::uint64_t{7}) == std::optional<std::uint64_t>(7));
  }
  SECTION("dynamic statement") {
    auto st = db.prepare("SELECT ?");
    CHECK_THROWS_AS(st.one<std::int64_t>(std::numeric_limits<std::uint64_t>::max()),
                    sp::type_error);
  }
  SECTION("reading a negative INTEGER into uint64") {
    CHECK_THROWS_AS(db.prepare("SELECT -1").one<std::uint64_t>(), sp::type_error);
  }
}

TEST_CASE("value: integers out of the field's range are type_errors, never truncated",
          "[value]") {
  sp::database db{":memory:"};
  CHECK(db.prepare("SELECT 127").one<std::int8_t>() == std::optional<std::int8_t>(127));
  CHECK(db.prepare("SELECT -128").one<std::int8_t>() == std::optional<std::int8_t>(-128));
  CHECK_THROWS_AS(db.prepare("SELECT 128").one<std::int8_t>(), sp::type_error);
  CHECK_THROWS_AS(db.prepare("SELECT -129").one<std::int8_t>(), sp::type_error);
  CHECK_THROWS_AS(db.prepare("SELECT 256").one<std::uint8_t>(), sp::type_error);
  CHECK_THROWS_AS(db.prepare("SELECT -1").one<std::uint8_t>(), sp::type_error);
  CHECK_THROWS_AS(db.prepare("SELECT 65536").one<std::uint16_t>(), sp::type_error);
  CHECK_THROWS_AS(db.prepare("SELECT 2147483648").one<std::int32_t>(), sp::type_error);
  CHECK_THROWS_AS(db.prepare("SELECT -1").one<std::uint32_t>(), sp::type_error);

  try {
    (void)db.prepare("SELECT ? AS too_big").one<std::int8_t>(std::int64_t{73019});
    FAIL("73019 was read into int8_t");
  } catch (const sp::type_error& e) {
    CHECK(e.column() == 0);
    CHECK(e.column_name() == "too_big");
    CHECK(contains(e.what(), "into signed char: the INTEGER is out of the type's range"));
    CHECK_FALSE(contains(e.what(), "73019"));  // the value is the application's data
    CHECK(e.sql() == "SELECT ? AS too_big");
  }
}

TEST_CASE("value: float and double round-trip exactly, including edge values", "[value]") {
  sp::database db{":memory:"};
  using dl = std::numeric_limits<double>;
  using fl = std::numeric_limits<float>;
  for (const double d : {0.0, 0.1, -1.5, 3.141592653589793, 1e-300, 1e300, dl::max(), dl::lowest(),
                         dl::min(), dl::denorm_min(), -dl::denorm_min()}) {
    CAPTURE(d);
    CHECK(echo(db, d) == d);
  }
  for (const float f : {0.0f, 0.1f, -1.5f, fl::max(), fl::lowest(), fl::min(), fl::denorm_min()}) {
    CAPTURE(f);
    CHECK(echo(db, f) == f);
  }
  SECTION("negative zero keeps its sign") {
    const double nz = echo(db, -0.0);
    CHECK(nz == 0.0);
    CHECK(std::signbit(nz));
    CHECK(std::signbit(echo(db, -0.0f)));
  }
  SECTION("infinity") {
    CHECK(echo(db, dl::infinity()) == dl::infinity());
    CHECK(echo(db, -dl::infinity()) == -dl::infinity());
  }
  SECTION("stored as REAL") {
    CHECK(typeof_bound(db, 0.5) == "real");
    CHECK(typeof_bound(db, 2.0f) == "real");
  }
  SECTION("INTEGER is accepted where a double is read") {
    CHECK(db.prepare("SELECT 3").one<double>() == std::optional<double>(3.0));
    CHECK(db.prepare("SELECT -9007199254740992").one<double>() ==
          std::optional<double>(-9007199254740992.0));
    CHECK(db.prepare("SELECT 7").one<float>() == std::optional<float>(7.0f));
  }
  SECTION("a REAL beyond float's range is a type_error") {
    CHECK_THROWS_AS(db.prepare("SELECT 1e300").one<float>(), sp::type_error);
    CHECK_THROWS_AS(db.prepare("SELECT -1e300").one<float>(), sp::type_error);
  }
}

// ---- text -----------------------------------------------------------------------------------

TEST_CASE("value: std::string round-trips empty, embedded NUL and UTF-8 text", "[value]") {
  sp::database db{":memory:"};
  SECTION("empty is an empty TEXT, not NULL") {
    CHECK(echo(db, std::string{}).empty());
    CHECK(typeof_bound(db, std::string{}) == "text");
  }
  SECTION("embedded NUL is kept") {
    const std::string with_nul("a\0b", 3);
    const std::string back = echo(db, with_nul);
    CHECK(back.size() == 3);
    CHECK(back == with_nul);
    CHECK(back[1] == '\0');
    CHECK(db.prepare("SELECT length(CAST(? AS BLOB))").one<std::int64_t>(with_nul) ==
          std::optional<std::int64_t>(3));
  }
  SECTION("UTF-8") {
    const std::string utf8 = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80";  // "héllo € 😀"
    CHECK(echo(db, utf8) == utf8);
    // SQLite counts characters, not bytes: the text arrived as UTF-8.
    CHECK(db.prepare("SELECT length(?)").one<std::int64_t>(utf8) == std::optional<std::int64_t>(9));
    CHECK(db.prepare("SELECT unicode(substr(?, 2, 1))").one<std::int64_t>(utf8) ==
          std::optional<std::int64_t>(0xE9));
  }
  SECTION("long text") {
    const std::string long_text(100000, 'x');
    CHECK(echo(db, long_text) == long_text);
  }
}

TEST_CASE("value: string_view and const char* bind as TEXT; a null const char* binds NULL",
          "[value]") {
  sp::database db{":memory:"};
  using from_view = sp::query<"SELECT ?", std::string(std::string_view)>;
  using from_cstr = sp::query<"SELECT ?", std::optional<std::string>(const char*)>;
  using type_of_cstr = sp::query<"SELECT typeof(?)", std::string(const char*)>;

  const std::string backing = "abcdef";
  CHECK(db.one<from_view>(std::string_view(backing).substr(1, 3)) ==
        std::optional<std::string>("bcd"));
  CHECK(db.one<from_view>(std::string_view("a\0b", 3)) ==
        std::optional<std::string>(std::string("a\0b", 3)));
  CHECK(db.one<from_view>("literal") == std::optional<std::string>("literal"));

  const char* text = "pointer";
  CHECK(db.one<from_cstr>(text) ==
        std::optional<std::optional<std::string>>(std::optional<std::string>("pointer")));
  const char* null_text = nullptr;
  const auto null_row = db.one<from_cstr>(null_text);
  REQUIRE(null_row.has_value());
  CHECK_FALSE(null_row->has_value());
  CHECK(db.one<type_of_cstr>(null_text) == std::optional<std::string>("null"));
  CHECK(db.one<type_of_cstr>(nullptr) == std::optional<std::string>("null"));
  CHECK(db.one<type_of_cstr>("") == std::optional<std::string>("text"));

  // An empty view with a null data pointer is empty TEXT, not NULL.
  CHECK(typeof_bound(db, std::string_view{}) == "text");
  CHECK(typeof_bound(db, static_cast<const char*>(nullptr)) == "null");
}

// ---- blobs ----------------------------------------------------------------------------------

TEST_CASE("value: blobs round-trip; an empty blob stays an empty BLOB, not NULL", "[value]") {
  sp::database db{":memory:"};
  const auto bytes = bytes_of({0x00, 0xFF, 0x10, 0x00, 0x7F});

  SECTION("std::vector<std::byte>") {
    CHECK(echo(db, bytes) == bytes);
    CHECK(typeof_bound(db, bytes) == "blob");
    CHECK(db.prepare("SELECT hex(?)").one<std::string>(bytes) ==
          std::optional<std::string>("00FF10007F"));
  }
  SECTION("std::vector<std::uint8_t>") {
    const std::vector<std::uint8_t> octets{1, 2, 0, 255};
    CHECK(echo(db, octets) == octets);
    CHECK(typeof_bound(db, octets) == "blob");
  }
  SECTION("empty vectors") {
    const std::vector<std::byte> empty;
    CHECK(typeof_bound(db, empty) == "blob");
    CHECK(typeof_bound(db, std::vector<std::uint8_t>{}) == "blob");
    CHECK(db.prepare("SELECT length(?)").one<std::int64_t>(empty) == std::optional<std::int64_t>(0));
    const auto back = echo(db, empty);
    CHECK(back.empty());
    CHECK(echo(db, std::vector<std::uint8_t>{}).empty());
  }
  SECTION("std::span<const std::byte> binds as BLOB") {
    using from_span = sp::query<"SELECT ?", std::vector<std::byte>(std::span<const std::byte>)>;
    const std::span<const std::byte> middle = std::span<const std::byte>(bytes).subspan(1, 3);
    CHECK(db.one<from_span>(middle) == std::optional<std::vector<std::byte>>(bytes_of({0xFF, 0x10, 0x00})));
    CHECK(typeof_bound(db, middle) == "blob");
    CHECK(typeof_bound(db, std::span<const std::byte>{}) == "blob");
    const std::array<std::uint8_t, 2> raw{0xAB, 0xCD};
    CHECK(db.prepare("SELECT hex(?)").one<std::string>(std::span<const std::uint8_t>(raw)) ==
          std::optional<std::string>("ABCD"));
  }
  SECTION("a large blob") {
    std::vector<std::byte> big(1 << 20);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::byte>(i * 7);
    CHECK(echo(db, big) == big);
  }
}

// ---- NULL -----------------------------------------------------------------------------------

TEST_CASE("value: std::optional is NULL when empty and the value otherwise", "[value]") {
  sp::database db{":memory:"};
  using opt_int = std::optional<std::int64_t>;
  using opt_text = std::optional<std::string>;
  using opt_blob = std::optional<std::vector<std::byte>>;
  using opt_double = std::optional<double>;

  CHECK(echo(db, opt_int{42}) == opt_int{42});
  CHECK(echo(db, opt_int{}) == opt_int{});
  CHECK(echo(db, opt_text{"x"}) == opt_text{"x"});
  CHECK(echo(db, opt_text{""}) == opt_text{""});
  CHECK(echo(db, opt_text{}) == opt_text{});
  CHECK(echo(db, opt_blob{bytes_of({1})}) == opt_blob{bytes_of({1})});
  CHECK(echo(db, opt_blob{}) == opt_blob{});
  CHECK(echo(db, opt_double{2.5}) == opt_double{2.5});
  CHECK(echo(db, opt_double{}) == opt_double{});
  CHECK(typeof_bound(db, opt_int{}) == "null");
  CHECK(typeof_bound(db, opt_int{0}) == "integer");
  CHECK(echo(db, std::optional<level>{level::high}) == std::optional<level>{level::high});
  CHECK(echo(db, std::optional<money>{}) == std::optional<money>{});
  // A typed query converts a plain value or std::nullopt to the declared optional parameter.
  using q = sp::query<"SELECT coalesce(?, 'was null')", std::string(std::optional<std::string>)>;
  CHECK(db.one<q>(std::nullopt) == std::optional<std::string>("was null"));
  CHECK(db.one<q>(std::string("given")) == std::optional<std::string>("given"));
}

// ---- enums ----------------------------------------------------------------------------------

TEST_CASE("value: enums are stored as their underlying integer, range-checked when read",
          "[value]") {
  sp::database db{":memory:"};
  CHECK(echo(db, level::low) == level::low);
  CHECK(echo(db, level::high) == level::high);
  CHECK(db.prepare("SELECT ?").one<std::int64_t>(level::low) == std::optional<std::int64_t>(-100));
  CHECK(db.prepare("SELECT 100").one<level>() == std::optional<level>(level::high));
  // Not an enumerator but inside int8: accepted (flag enums combine enumerators).
  CHECK(db.prepare("SELECT 5").one<level>() == std::optional<level>(static_cast<level>(5)));

  CHECK_THROWS_AS(db.prepare("SELECT 128").one<level>(), sp::type_error);
  CHECK_THROWS_AS(db.prepare("SELECT -129").one<level>(), sp::type_error);
  CHECK_THROWS_AS(db.prepare("SELECT 'high'").one<level>(), sp::type_error);

  struct level_query : sp::query<"SELECT ? AS lvl", level(std::int64_t)> {};
  try {
    (void)db.one<level_query>(std::int64_t{64251});
    FAIL("64251 was read into an int8 enum");
  } catch (const sp::type_error& e) {
    CHECK(e.column() == 0);
    CHECK(e.column_name() == "lvl");
    CHECK(contains(e.what(), "out of the type's range"));
    CHECK_FALSE(contains(e.what(), "64251"));
    CHECK(contains(e.query_name(), "level_query"));
    CHECK(e.sql() == "SELECT ? AS lvl");
  }
}

TEST_CASE("value: an unscoped enum reads when its underlying type is fixed, and always binds",
          "[value]") {
  sp::database db{":memory:"};
  // A fixed underlying type makes every unsigned char a valid value, enumerator or not.
  CHECK(db.prepare("SELECT 200").one<unscoped_fixed>() ==
        std::optional<unscoped_fixed>(static_cast<unscoped_fixed>(200)));
  CHECK(echo(db, second) == second);
  CHECK_THROWS_AS(db.prepare("SELECT 256").one<unscoped_fixed>(), sp::type_error);

  // Without a fixed type an enum can be bound (its value is an int), but reading it does not
  // compile (tests/compile_fail/enum_without_fixed_underlying_type.cpp).
  STATIC_REQUIRE(sp::detail::fixed_underlying_enum<level>);
  STATIC_REQUIRE(sp::detail::fixed_underlying_enum<unscoped_fixed>);
  STATIC_REQUIRE_FALSE(sp::detail::fixed_underlying_enum<unscoped_unfixed>);
  CHECK(db.prepare("SELECT ?").one<std::int64_t>(blue) == std::optional<std::int64_t>(2));
  using by_color = sp::query<"SELECT ? + 0", std::int64_t(unscoped_unfixed)>;
  CHECK(db.one<by_color>(green) == std::optional<std::int64_t>(1));
}

// ---- std::chrono ----------------------------------------------------------------------------

TEST_CASE("value: durations are stored as their tick count in their own unit", "[value]") {
  sp::database db{":memory:"};
  CHECK(echo(db, std::chrono::seconds{90}) == 90s);
  CHECK(echo(db, std::chrono::seconds{-5}) == -5s);
  CHECK(echo(db, std::chrono::milliseconds{1234}) == 1234ms);
  CHECK(echo(db, std::chrono::duration<double>{1.25}) == std::chrono::duration<double>{1.25});
  CHECK(echo(db, std::chrono::nanoseconds{std::numeric_limits<std::int64_t>::max()}).count() ==
        std::numeric_limits<std::int64_t>::max());

  auto st = db.prepare("SELECT ?, typeof(?)");
  using tick_row = std::tuple<std::int64_t, std::string>;
  CHECK(st.one<tick_row>(std::chrono::seconds{90}, std::chrono::seconds{90}) == tick_row{90, "integer"});
  CHECK(st.one<tick_row>(std::chrono::milliseconds{90}, std::chrono::milliseconds{90}) ==
        tick_row{90, "integer"});
  CHECK(st.one<tick_row>(std::chrono::minutes{2}, std::chrono::minutes{2}) == tick_row{2, "integer"});
  using real_row = std::tuple<double, std::string>;
  CHECK(st.one<real_row>(std::chrono::duration<double>{0.5}, std::chrono::duration<double>{0.5}) ==
        real_row{0.5, "real"});

  CHECK(db.prepare("SELECT 2500").one<std::chrono::milliseconds>() ==
        std::optional<std::chrono::milliseconds>(2500ms));
  CHECK(db.prepare("SELECT 0.75").one<std::chrono::duration<double>>() ==
        std::optional<std::chrono::duration<double>>(0.75));
  // An integer-tick duration does not silently truncate a REAL.
  CHECK_THROWS_AS(db.prepare("SELECT 1.5").one<std::chrono::seconds>(), sp::type_error);
}

TEST_CASE("value: system_clock time points are Unix time, as SQLite's unixepoch()", "[value]") {
  sp::database db{":memory:"};
  using namespace std::chrono;
  const sys_seconds expected =
      sys_days{year{2024} / 1 / 2} + hours{3} + minutes{4} + seconds{5};
  REQUIRE(expected.time_since_epoch().count() == 1704164645);

  using epoch_query = sp::query<"SELECT unixepoch('2024-01-02 03:04:05')", sys_seconds()>;
  CHECK(db.one<epoch_query>() == std::optional<sys_seconds>(expected));

  using format_query = sp::query<"SELECT datetime(?, 'unixepoch')", std::string(sys_seconds)>;
  CHECK(db.one<format_query>(expected) == std::optional<std::string>("2024-01-02 03:04:05"));

  CHECK(echo(db, expected) == expected);
  CHECK(echo(db, sys_seconds{}) == sys_seconds{});
  CHECK(echo(db, sys_seconds{seconds{-86400}}) == sys_seconds{seconds{-86400}});

  const sys_time<milliseconds> precise = expected + 123ms;
  CHECK(echo(db, precise) == precise);
  CHECK(db.prepare("SELECT ?").one<std::int64_t>(precise) ==
        std::optional<std::int64_t>(1704164645123));
  CHECK(db.prepare("SELECT datetime(? / 1000, 'unixepoch')").one<std::string>(precise) ==
        std::optional<std::string>("2024-01-02 03:04:05"));
}

// ---- lists as JSON --------------------------------------------------------------------------

TEST_CASE("value: lists bind as JSON arrays for json_each", "[value]") {
  sp::database db{":memory:"};

  SECTION("integers") {
    using each = sp::query<"SELECT value FROM json_each(?)", std::int64_t(std::vector<std::int64_t>)>;
    const std::vector<std::int64_t> ints{1, -2, 0, std::numeric_limits<std::int64_t>::max(),
                                         std::numeric_limits<std::int64_t>::min()};
    CHECK(db.all<each>(ints) == ints);
    CHECK(db.all<each>(std::vector<std::int64_t>{}).empty());
    CHECK(db.prepare("SELECT ?").one<std::string>(std::vector<int>{1, -2, 3}) ==
          std::optional<std::string>("[1,-2,3]"));
    CHECK(db.prepare("SELECT ?").one<std::string>(std::vector<int>{}) ==
          std::optional<std::string>("[]"));
  }
  SECTION("a span of integers") {
    const std::array<int, 3> values{7, 8, 9};
    using each = sp::query<"SELECT sum(value) FROM json_each(?)", std::int64_t(std::span<const int>)>;
    CHECK(db.one<each>(std::span<const int>(values)) == std::optional<std::int64_t>(24));
  }
  SECTION("doubles") {
    using each = sp::query<"SELECT value FROM json_each(?)", double(std::vector<double>)>;
    const std::vector<double> exact{1.5, -0.25, 1e10, 0.0, 1e-3};
    const auto back = db.all<each>(exact);
    REQUIRE(back.size() == exact.size());
    for (std::size_t i = 0; i < exact.size(); ++i) {
      CAPTURE(i);
      CHECK(std::fabs(back[i] - exact[i]) <= std::fabs(exact[i]) * 1e-15);
    }
    CHECK(back[0] == 1.5);
    CHECK(back[1] == -0.25);
    CHECK_THROWS_AS(db.all<each>(std::vector<double>{std::numeric_limits<double>::quiet_NaN()}),
                    sp::type_error);
    CHECK_THROWS_AS(db.all<each>(std::vector<double>{std::numeric_limits<double>::infinity()}),
                    sp::type_error);
  }
  SECTION("bools") {
    const std::array<bool, 2> flags{true, false};
    CHECK(db.prepare("SELECT ?").one<std::string>(std::span<const bool>(flags)) ==
          std::optional<std::string>("[true,false]"));
    CHECK(db.prepare("SELECT ?").one<std::string>(std::vector<bool>{false, true, true}) ==
          std::optional<std::string>("[false,true,true]"));
    using each = sp::query<"SELECT value FROM json_each(?)", bool(std::vector<bool>)>;
    CHECK(db.all<each>(std::vector<bool>{true, false}) == std::vector<bool>{true, false});
  }
  SECTION("strings needing escapes") {
    const std::vector<std::string> texts{"quote\"d",  "back\\slash", "new\nline", "ctl\x01",
                                         "tab\there", "cr\r",        "",          "caf\xC3\xA9"};
    using raw = sp::query<"SELECT ?", std::string(std::vector<std::string>)>;
    CHECK(db.one<raw>(texts) ==
          std::optional<std::string>(
              R"(["quote\"d","back\\slash","new\nline","ctl\u0001","tab\there","cr\r","",")"
              "caf\xC3\xA9\"]"));
    using each = sp::query<"SELECT value FROM json_each(?)", std::string(std::vector<std::string>)>;
    CHECK(db.all<each>(texts) == texts);
    CHECK(db.prepare("SELECT json_valid(?)").one<bool>(texts) == std::optional<bool>(true));

    const std::vector<std::string_view> views{"a\"b", "c\\d"};
    CHECK(db.prepare("SELECT group_concat(value, '|') FROM json_each(?)").one<std::string>(views) ==
          std::optional<std::string>("a\"b|c\\d"));
  }
  SECTION("IN (SELECT value FROM json_each(?)) over a table") {
    db.exec_script(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
        "INSERT INTO items (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'fo\"ur');");
    using by_ids = sp::query<"SELECT id FROM items WHERE id IN (SELECT value FROM json_each(?)) "
                             "ORDER BY id",
                             std::int64_t(std::vector<std::int64_t>)>;
    CHECK(db.all<by_ids>(std::vector<std::int64_t>{4, 2, 9}) == std::vector<std::int64_t>{2, 4});
    CHECK(db.all<by_ids>(std::vector<std::int64_t>{}).empty());
    using by_names = sp::query<"SELECT id FROM items WHERE name IN (SELECT value FROM json_each(?)) "
                               "ORDER BY id",
                               std::int64_t(std::vector<std::string>)>;
    CHECK(db.all<by_names>(std::vector<std::string>{"fo\"ur", "one", "nine"}) ==
          std::vector<std::int64_t>{1, 4});
  }
}

TEST_CASE("value: a list matches the same rows as its elements bound one by one", "[value]") {
  sp::database db{":memory:"};

  SECTION("floats compare as the double a float parameter binds") {
    db.exec_script("CREATE TABLE readings (id INTEGER PRIMARY KEY, x REAL NOT NULL)");
    using add = sp::query<"INSERT INTO readings (id, x) VALUES (?, ?)", void(std::int64_t, float)>;
    const std::vector<float> stored{0.1f, 1.1f, 3.3f, 16777216.0f, -2.5e-7f, 1e30f};
    for (std::size_t i = 0; i < stored.size(); ++i) {
      db.exec<add>(static_cast<std::int64_t>(i + 1), stored[i]);
    }
    using by_value = sp::query<"SELECT id FROM readings WHERE x = ? ORDER BY id",
                               std::int64_t(float)>;
    using by_list = sp::query<
        "SELECT id FROM readings WHERE x IN (SELECT value FROM json_each(?)) ORDER BY id",
        std::int64_t(std::vector<float>)>;
    for (std::size_t i = 0; i < stored.size(); ++i) {
      CAPTURE(i);
      const std::vector<std::int64_t> row{static_cast<std::int64_t>(i + 1)};
      REQUIRE(db.all<by_value>(stored[i]) == row);
      CHECK(db.all<by_list>(std::vector<float>{stored[i]}) == row);
    }
    CHECK(db.all<by_list>(std::vector<float>{0.1f, 3.3f, 7.0f, 1e30f}) ==
          std::vector<std::int64_t>{1, 3, 6});
    const std::array<float, 2> span_values{1.1f, -2.5e-7f};
    using by_span = sp::query<
        "SELECT id FROM readings WHERE x IN (SELECT value FROM json_each(?)) ORDER BY id",
        std::int64_t(std::span<const float>)>;
    CHECK(db.all<by_span>(std::span<const float>(span_values)) == std::vector<std::int64_t>{2, 5});
  }

  SECTION("an unsigned value above INT64_MAX is refused, as a scalar parameter is") {
    db.exec_script("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
    constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    using add = sp::query<"INSERT INTO counters (id, n) VALUES (?, ?)", void(std::int64_t, std::uint64_t)>;
    db.exec<add>(1, std::uint64_t{7});
    db.exec<add>(2, int64_max);
    CHECK_THROWS_AS(db.exec<add>(3, int64_max + 1), sp::type_error);

    using by_list = sp::query<
        "SELECT id FROM counters WHERE n IN (SELECT value FROM json_each(?)) ORDER BY id",
        std::int64_t(std::vector<std::uint64_t>)>;
    CHECK(db.all<by_list>(std::vector<std::uint64_t>{7, int64_max}) ==
          std::vector<std::int64_t>{1, 2});
    try {
      (void)db.all<by_list>(std::vector<std::uint64_t>{7, int64_max + 1});
      FAIL("a uint64 above INT64_MAX was bound in a list");
    } catch (const sp::type_error& e) {
      CHECK(e.column() == -1);
      CHECK(contains(e.what(), "parameter 1"));
      CHECK(contains(e.what(), "above INT64_MAX"));
      CHECK_FALSE(contains(e.what(), "9223372036854775808"));
    }
    // Every element is checked, not only the first.
    CHECK_THROWS_AS(db.all<by_list>(std::vector<std::uint64_t>{std::numeric_limits<std::uint64_t>::max(), 7}),
                    sp::type_error);
  }

  SECTION("a string with a NUL character is refused rather than cut at the NUL") {
    db.exec_script("CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
    using add = sp::query<"INSERT INTO tags (id, name) VALUES (?, ?)", void(std::int64_t, std::string)>;
    const std::string with_nul("a\0b", 3);
    db.exec<add>(1, "a");
    db.exec<add>(2, with_nul);
    db.exec<add>(3, "b");
    using by_name = sp::query<"SELECT id FROM tags WHERE name = ? ORDER BY id", std::int64_t(std::string)>;
    REQUIRE(db.all<by_name>(with_nul) == std::vector<std::int64_t>{2});

    using by_list = sp::query<
        "SELECT id FROM tags WHERE name IN (SELECT value FROM json_each(?)) ORDER BY id",
        std::int64_t(std::vector<std::string>)>;
    CHECK(db.all<by_list>(std::vector<std::string>{"a", "b"}) == std::vector<std::int64_t>{1, 3});
    try {
      (void)db.all<by_list>(std::vector<std::string>{"b", with_nul});
      FAIL("a string with a NUL character was bound in a list");
    } catch (const sp::type_error& e) {
      CHECK(e.column() == -1);
      CHECK(contains(e.what(), "NUL"));
    }
    const std::array<std::string_view, 1> views{std::string_view(with_nul)};
    CHECK_THROWS_AS(db.prepare("SELECT count(*) FROM json_each(?)")
                        .one<std::int64_t>(std::span<const std::string_view>(views)),
                    sp::type_error);
    // Other control characters are escaped and come back whole.
    const std::string with_ctl("a\x01" "b", 3);
    db.exec<add>(4, with_ctl);
    CHECK(db.all<by_list>(std::vector<std::string>{with_ctl}) == std::vector<std::int64_t>{4});
  }
}

// ---- user types -----------------------------------------------------------------------------

TEST_CASE("value: user types map through value_traits storage_type/to_storage/from_storage",
          "[value]") {
  sp::database db{":memory:"};
  STATIC_REQUIRE(sp::bindable<money>);
  STATIC_REQUIRE(sp::readable<money>);
  STATIC_REQUIRE(sp::readable<std::optional<email_address>>);
  STATIC_REQUIRE(sp::detail::family_of<money>() == sp::value_family::integer);
  STATIC_REQUIRE(sp::detail::family_of<email_address>() == sp::value_family::text);
  STATIC_REQUIRE_FALSE(sp::readable<std::string_view>);
  STATIC_REQUIRE_FALSE(sp::readable<const char*>);
  STATIC_REQUIRE(sp::bindable<std::string_view>);

  CHECK(echo(db, money{1999}) == money{1999});
  CHECK(echo(db, money{-1}) == money{-1});
  CHECK(db.prepare("SELECT ?").one<std::int64_t>(money{250}) == std::optional<std::int64_t>(250));
  CHECK(db.prepare("SELECT 42").one<money>() == std::optional<money>(money{42}));
  // The storage type's own checks apply: money is read as an INTEGER.
  CHECK_THROWS_AS(db.prepare("SELECT 'x'").one<money>(), sp::type_error);

  CHECK(echo(db, email_address{"ann@example.org"}) == email_address{"ann@example.org"});
  CHECK(db.prepare("SELECT ?").one<std::string>(email_address{"bo@example.org"}) ==
        std::optional<std::string>("mailto:bo@example.org"));
}

// ---- through a table ------------------------------------------------------------------------

TEST_CASE("value: every mapped type round-trips through typed table columns", "[value]") {
  sp::database db{":memory:"};
  db.exec_script(everything_schema);
  using namespace std::chrono;
  const sys_seconds when = sys_days{year{2024} / 1 / 2} + hours{3} + minutes{4} + seconds{5};
  const std::string label("nul\0inside", 10);

  const auto r = db.exec<insert_everything>(
      true, std::int8_t{-128}, std::numeric_limits<std::int64_t>::min(),
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()), 0.1, 1.5f, label,
      bytes_of({0, 1, 2}), std::vector<std::uint8_t>{}, std::optional<std::string>{}, level::low,
      milliseconds{1500}, when, money{12345}, email_address{"x@y.z"});
  CHECK(r.changes == 1);

  const auto row = db.one<select_everything>(r.last_insert_rowid);
  REQUIRE(row.has_value());
  CHECK(row->flag == true);
  CHECK(row->small == -128);
  CHECK(row->big == std::numeric_limits<std::int64_t>::min());
  CHECK(row->ubig == static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  CHECK(row->ratio == 0.1);
  CHECK(row->single == 1.5f);
  CHECK(row->label == label);
  CHECK(row->label.size() == 10);
  CHECK(row->payload == bytes_of({0, 1, 2}));
  CHECK(row->octets.empty());
  CHECK_FALSE(row->note.has_value());
  CHECK(row->lvl == level::low);
  CHECK(row->dur == 1500ms);
  CHECK(row->at == when);
  CHECK(row->price == money{12345});
  CHECK(row->contact == email_address{"x@y.z"});

  const auto classes = db.one<storage_classes>(r.last_insert_rowid);
  REQUIRE(classes.has_value());
  const fifteen_strings expected{"integer", "integer", "integer", "integer", "real",
                                             "real",    "text",    "blob",    "blob",    "null",
                                             "integer", "integer", "integer", "integer", "text"};
  CHECK(*classes == expected);

  // A REAL column holding a whole number still reads as REAL, and -0.0 reads back as zero.
  const auto r2 = db.exec<insert_everything>(
      false, std::int8_t{127}, std::int64_t{0}, std::uint64_t{0}, -0.0, 2.0f, std::string{},
      std::vector<std::byte>{}, std::vector<std::uint8_t>{9}, std::optional<std::string>{"n"},
      level::high, milliseconds{-1}, sys_seconds{}, money{}, email_address{});
  const auto row2 = db.one<select_everything>(r2.last_insert_rowid);
  REQUIRE(row2.has_value());
  CHECK(row2->flag == false);
  CHECK(row2->small == 127);
  CHECK(row2->ratio == 0.0);
  CHECK(row2->single == 2.0f);
  CHECK(row2->label.empty());
  CHECK(row2->payload.empty());
  CHECK(row2->octets == std::vector<std::uint8_t>{9});
  CHECK(row2->note == std::optional<std::string>("n"));
  CHECK(row2->lvl == level::high);
  CHECK(row2->dur == -1ms);
  CHECK(row2->at == sys_seconds{});
  const auto classes2 = db.one<storage_classes>(r2.last_insert_rowid);
  REQUIRE(classes2.has_value());
  CHECK(std::get<4>(*classes2) == "real");
  CHECK(std::get<6>(*classes2) == "text");
  CHECK(std::get<7>(*classes2) == "blob");  // the empty blob was stored as a blob, not NULL
  CHECK(std::get<9>(*classes2) == "text");
}

// ---- reading errors -------------------------------------------------------------------------

TEST_CASE("value: NULL read into a non-optional is a type_error naming the column", "[value]") {
  sp::database db{":memory:"};
  struct null_check
      : sp::query<"SELECT 1 AS present, NULL AS missing_value", std::tuple<int, int>()> {};
  try {
    (void)db.one<null_check>();
    FAIL("NULL was read into int");
  } catch (const sp::type_error& e) {
    CHECK(e.column() == 1);
    CHECK(e.column_name() == "missing_value");
    CHECK(contains(e.what(), "NULL"));
    CHECK(contains(e.what(), "missing_value"));
    CHECK(contains(e.what(), "std::optional"));
    CHECK(contains(e.query_name(), "null_check"));
    CHECK(e.sql() == "SELECT 1 AS present, NULL AS missing_value");
    CHECK(contains(e.what(), "SELECT 1 AS present, NULL AS missing_value"));
  }
  // Read as optional, the same row is fine.
  using optional_version = sp::query<"SELECT 1 AS present, NULL AS missing_value",
                                     std::tuple<int, std::optional<int>>()>;
  CHECK(db.one<optional_version>() == std::optional<std::tuple<int, std::optional<int>>>(
                                          std::tuple<int, std::optional<int>>{1, std::nullopt}));

  SECTION("from a table column, through a dynamic statement") {
    db.exec_script("CREATE TABLE people (id INTEGER PRIMARY KEY, nickname TEXT);"
                   "INSERT INTO people (id, nickname) VALUES (1, NULL);");
    auto st = db.prepare("SELECT id, nickname FROM people");
    try {
      (void)st.one<std::tuple<std::int64_t, std::string>>();
      FAIL("NULL was read into std::string");
    } catch (const sp::type_error& e) {
      CHECK(e.column() == 1);
      CHECK(e.column_name() == "nickname");
      CHECK(contains(e.what(), "NULL"));
      CHECK(e.query_name().empty());
      CHECK(e.sql() == "SELECT id, nickname FROM people");
    }
  }
}

TEST_CASE("value: storage classes that do not fit are type_errors", "[value]") {
  sp::database db{":memory:"};
  SECTION("TEXT into an integer") {
    using q = sp::query<"SELECT 'forty-two' AS answer", int()>;
    try {
      (void)db.one<q>();
      FAIL("TEXT was read into int");
    } catch (const sp::type_error& e) {
      CHECK(e.column() == 0);
      CHECK(e.column_name() == "answer");
      CHECK(contains(e.what(), "TEXT"));
      CHECK_FALSE(e.query_name().empty());
      CHECK(e.sql() == "SELECT 'forty-two' AS answer");
    }
    // Even text that looks like a number is not converted.
    CHECK_THROWS_AS(db.prepare("SELECT '42'").one<int>(), sp::type_error);
  }
  SECTION("2 into bool") {
    using q = sp::query<"SELECT ? AS flag", bool(std::int64_t)>;
    try {
      (void)db.one<q>(std::int64_t{58213});
      FAIL("58213 was read into bool");
    } catch (const sp::type_error& e) {
      CHECK(e.column_name() == "flag");
      CHECK(contains(e.what(), "into bool: the INTEGER is neither 0 nor 1"));
      CHECK_FALSE(contains(e.what(), "58213"));
      CHECK_FALSE(e.query_name().empty());
      CHECK(e.sql() == "SELECT ? AS flag");
    }
    CHECK_THROWS_AS(db.prepare("SELECT 2").one<bool>(), sp::type_error);
    CHECK_THROWS_AS(db.prepare("SELECT -1").one<bool>(), sp::type_error);
    CHECK_THROWS_AS(db.prepare("SELECT 1.0").one<bool>(), sp::type_error);
  }
  SECTION("REAL into an integer") {
    try {
      (void)db.prepare("SELECT 1.5 AS ratio").one<std::int64_t>();
      FAIL("REAL was read into int64");
    } catch (const sp::type_error& e) {
      CHECK(e.column_name() == "ratio");
      CHECK(contains(e.what(), "REAL"));
    }
    // A whole-number REAL is still REAL.
    CHECK_THROWS_AS(db.prepare("SELECT 2.0").one<int>(), sp::type_error);
  }
  SECTION("INTEGER into a double is accepted") {
    using q = sp::query<"SELECT 5 AS n", double()>;
    CHECK(db.one<q>() == std::optional<double>(5.0));
  }
  SECTION("BLOB and TEXT do not convert into each other") {
    CHECK_THROWS_AS(db.prepare("SELECT x'00'").one<std::string>(), sp::type_error);
    CHECK_THROWS_AS(db.prepare("SELECT 'abc'").one<std::vector<std::byte>>(), sp::type_error);
    CHECK_THROWS_AS(db.prepare("SELECT 1").one<std::string>(), sp::type_error);
    CHECK_THROWS_AS(db.prepare("SELECT 'abc'").one<double>(), sp::type_error);
    try {
      (void)db.prepare("SELECT x'00' AS data").one<std::string>();
      FAIL("BLOB was read into std::string");
    } catch (const sp::type_error& e) {
      CHECK(contains(e.what(), "BLOB"));
      CHECK(e.column_name() == "data");
    }
  }
  SECTION("the error is on the column that failed, later columns untouched") {
    using q = sp::query<"SELECT 1 AS a, 2 AS b, 'x' AS c, 4 AS d",
                        std::tuple<int, int, int, int>()>;
    try {
      (void)db.one<q>();
      FAIL("TEXT was read into int");
    } catch (const sp::type_error& e) {
      CHECK(e.column() == 2);
      CHECK(e.column_name() == "c");
    }
  }
  SECTION("errors from all() and iter() carry the query too") {
    db.exec_script("CREATE TABLE n (v); INSERT INTO n VALUES (1), (2), ('three');");
    struct read_n : sp::query<"SELECT v FROM n ORDER BY rowid", int()> {};
    try {
      (void)db.all<read_n>();
      FAIL("all() read TEXT into int");
    } catch (const sp::type_error& e) {
      CHECK(contains(e.query_name(), "read_n"));
      CHECK(e.sql() == "SELECT v FROM n ORDER BY rowid");
    }
    std::vector<int> seen;
    try {
      for (const int v : db.iter<read_n>()) seen.push_back(v);
      FAIL("iter() read TEXT into int");
    } catch (const sp::type_error& e) {
      CHECK(contains(e.query_name(), "read_n"));
      CHECK(e.column_name() == "v");
    }
    CHECK(seen == std::vector<int>{1, 2});
    // The failed reads returned their statements.
    CHECK(db.cache().in_use() == 0);
  }
}
