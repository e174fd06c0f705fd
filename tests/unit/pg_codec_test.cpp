// Tests for include/sqlproof/postgres/detail/codec.hpp and postgres/types.hpp, without a
// server: every type is encoded into a param_list, read back through a `field` over the
// encoded bytes, and compared; the bytes themselves are compared with what PostgreSQL 15's
// send functions return (int4send, numeric_send, array_send, timestamptz_send ... called
// from SQL), so the codecs agree with the server and not only with themselves.

#include <sqlproof/postgres/detail/codec.hpp>
#include <sqlproof/postgres/types.hpp>

#include <sqlproof/database.hpp>
#include <sqlproof/query.hpp>

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
#include "support/counting_allocator.hpp"

namespace {

namespace pg = sqlproof::pg;
namespace pgd = sqlproof::pg::detail;
using pgd::codec;
using pgd::field;
using pgd::oid;
using pgd::param_list;
using namespace std::chrono_literals;

// The bytes of one encoded parameter, as lowercase hex ("" for NULL).
struct encoded {
  oid type = 0;
  bool null = false;
  std::string bytes;
};

template <class T>
encoded encode_one(const T& v) {
  param_list p;
  codec<T>::encode(p, v);
  p.finish();
  REQUIRE(p.size() == 1);
  REQUIRE(p.formats()[0] == 1);
  encoded out;
  out.type = p.types()[0];
  out.null = p.values()[0] == nullptr;
  if (!out.null) out.bytes.assign(p.values()[0], static_cast<std::size_t>(p.lengths()[0]));
  return out;
}

std::string hex(std::string_view bytes) {
  constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += digits[u >> 4];
    out += digits[u & 0xf];
  }
  return out;
}

std::string unhex(std::string_view h) {
  auto value = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    out += static_cast<char>(value(h[i]) * 16 + value(h[i + 1]));
  }
  return out;
}

template <class T>
std::string hex_of(const T& v) {
  return hex(encode_one(v).bytes);
}

// A field over `bytes` as column 3 ('c') of type `t`.
field field_over(const std::string& bytes, oid t, bool null = false) {
  return field{bytes.data(), static_cast<int>(bytes.size()), t, null, 3, "c", "SELECT c", ""};
}

// Encodes `v`, then decodes the same bytes under the OID it was sent with.
template <class T>
T round_trip(const T& v) {
  const encoded e = encode_one(v);
  return codec<T>::decode(field_over(e.bytes, e.type, e.null));
}

template <class T>
T decode_hex(std::string_view h, oid t) {
  const std::string bytes = unhex(h);
  return codec<T>::decode(field_over(bytes, t));
}

template <class T>
std::string read_error(const std::string& bytes, oid t, bool null = false) {
  try {
    (void)codec<T>::decode(field_over(bytes, t, null));
  } catch (const sqlproof::type_error& e) {
    CHECK(e.column() == 3);
    CHECK(e.column_name() == "c");
    return std::string(e.summary());
  }
  FAIL("no type_error");
  return {};
}

template <class T>
std::string bind_error(const T& v) {
  try {
    (void)encode_one(v);
  } catch (const sqlproof::type_error& e) {
    CHECK(e.column() == -1);
    return std::string(e.summary());
  }
  FAIL("no type_error");
  return {};
}

// How messages spell a type ("long" with clang++, "long int" with g++).
template <class T>
std::string name() {
  return std::string(sqlproof::detail::type_name<T>);
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

using sys_us = std::chrono::sys_time<std::chrono::microseconds>;
using sys_ns = std::chrono::sys_time<std::chrono::nanoseconds>;

// ---- compile-time shape -------------------------------------------------------------------

static_assert(codec<bool>::type == 16);
static_assert(codec<std::int16_t>::type == 21);
static_assert(codec<std::int32_t>::type == 23);
static_assert(codec<std::int64_t>::type == 20);
static_assert(codec<std::uint16_t>::type == 23);
static_assert(codec<std::uint32_t>::type == 20);
static_assert(codec<std::uint64_t>::type == 20);
static_assert(codec<float>::type == 700);
static_assert(codec<double>::type == 701);
static_assert(codec<std::string>::type == 25);
static_assert(codec<std::vector<std::byte>>::type == 17);
static_assert(codec<std::vector<std::uint8_t>>::type == 17);
static_assert(codec<std::span<const std::byte>>::type == 17);
static_assert(codec<sys_us>::type == 1184);
static_assert(codec<std::chrono::seconds>::type == 20);
static_assert(codec<pg::uuid>::type == 2950);
static_assert(codec<pg::json>::type == 3802);
static_assert(codec<pg::numeric>::type == 1700);
static_assert(codec<std::vector<bool>>::type == 1000);
static_assert(codec<std::vector<std::int16_t>>::type == 1005);
static_assert(codec<std::vector<std::int32_t>>::type == 1007);
static_assert(codec<std::vector<std::int64_t>>::type == 1016);
static_assert(codec<std::vector<std::optional<std::int64_t>>>::type == 1016);
static_assert(codec<std::vector<float>>::type == 1021);
static_assert(codec<std::vector<double>>::type == 1022);
static_assert(codec<std::vector<std::string>>::type == 1009);
static_assert(codec<std::vector<pg::uuid>>::type == 2951);
static_assert(codec<std::vector<std::vector<std::byte>>>::type == 1001);
static_assert(codec<std::vector<pg::json>>::type == 3807);
static_assert(codec<std::span<const std::int64_t>>::type == 1016);
static_assert(codec<std::optional<std::string>>::type == 25);

static_assert(pgd::encodable<std::string_view> && !pgd::decodable<std::string_view>);
static_assert(pgd::encodable<const char*> && !pgd::decodable<const char*>);
static_assert(pgd::encodable<std::span<const std::byte>> &&
              !pgd::decodable<std::span<const std::byte>>);
static_assert(pgd::encodable<std::vector<std::string_view>> &&
              !pgd::decodable<std::vector<std::string_view>>);
static_assert(!pgd::has_codec<std::vector<char>>);
static_assert(!pgd::has_codec<std::tuple<int>>);

// ---- byte patterns from PostgreSQL 15 -----------------------------------------------------

TEST_CASE("pg codec: fixed-size values have PostgreSQL's bytes") {
  CHECK(hex_of(std::int32_t{42}) == "0000002a");                 // int4send(42)
  CHECK(hex_of(std::int64_t{-2}) == "fffffffffffffffe");         // int8send(-2)
  CHECK(hex_of(std::int16_t{-32768}) == "8000");
  CHECK(hex_of(true) == "01");                                   // boolsend(true)
  CHECK(hex_of(false) == "00");
  CHECK(hex_of(1.5) == "3ff8000000000000");                      // float8send(1.5)
  CHECK(hex_of(-0.0f) == "80000000");                            // float4send('-0')
  CHECK(hex_of(std::numeric_limits<double>::quiet_NaN()) == "7ff8000000000000");
  CHECK(encode_one(std::int16_t{1}).type == 21);
  CHECK(encode_one(std::int64_t{1}).type == 20);
}

TEST_CASE("pg codec: numeric has PostgreSQL's base-10000 digits") {
  // numeric_send(...) on PostgreSQL 15.
  CHECK(hex_of(pg::numeric{"12345.6789"}) == "0003000100000004000109291a85");
  CHECK(hex_of(pg::numeric{"-12345.678900"}) == "0003000140000006000109291a85");
  CHECK(hex_of(pg::numeric{"0"}) == "0000000000000000");
  CHECK(hex_of(pg::numeric{"0.00"}) == "0000000000000002");
  CHECK(hex_of(pg::numeric{"-0.0"}) == "0000000000000001");
  CHECK(hex_of(pg::numeric{"0.0001"}) == "0001ffff000000040001");
  CHECK(hex_of(pg::numeric{"NaN"}) == "00000000c0000000");
  CHECK(hex_of(pg::numeric{"99999999999999999999.5"}) ==
        "0006000400000001270f270f270f270f270f1388");
  CHECK(hex_of(pg::numeric{"1.5e-3"}) == "0001ffff00000004000f");
  CHECK(hex_of(pg::numeric{"1e5"}) == "0001000100000000000a");
  CHECK(hex_of(pg::numeric{"100000000"}) == "00010002000000000001");
  CHECK(encode_one(pg::numeric{"1"}).type == 1700);

  CHECK(decode_hex<pg::numeric>("0003000100000004000109291a85", 1700).text == "12345.6789");
  CHECK(decode_hex<pg::numeric>("0001ffff00000004000f", 1700).text == "0.0015");
  CHECK(decode_hex<pg::numeric>("0001000100000000000a", 1700).text == "100000");
  CHECK(decode_hex<pg::numeric>("0000000000000001", 1700).text == "0.0");
  // -Infinity as PostgreSQL 15 sends it (its dscale word is 32, and is ignored).
  CHECK(decode_hex<pg::numeric>("00000000f0000020", 1700).text == "-Infinity");
}

TEST_CASE("pg codec: timestamptz is microseconds since 2000 with PostgreSQL's bytes") {
  // timestamptz_send(...) on PostgreSQL 15.
  CHECK(hex_of(sys_us{}) == "fffca2fec4c82000");  // 1970-01-01
  const auto moon = std::chrono::sys_days{std::chrono::year{1969} / 7 / 20} + 20h + 17min + 40s;
  CHECK(hex_of(sys_us{moon}) == "fffc96188bae6100");
  CHECK(hex_of(std::chrono::sys_seconds{moon}) == "fffc96188bae6100");
  const auto y2k = std::chrono::sys_days{std::chrono::year{2000} / 1 / 1};
  CHECK(hex_of(sys_us{y2k - 1us}) == "ffffffffffffffff");  // 1999-12-31 23:59:59.999999
  CHECK(hex_of(sys_us{y2k}) == "0000000000000000");
  const auto y2038 = std::chrono::sys_days{std::chrono::year{2038} / 1 / 19} + 3h + 14min + 8s;
  CHECK(hex_of(sys_us{y2038 + 1us}) == "0004441ec4c82001");
  CHECK(hex_of(sys_us::max()) == "7fffffffffffffff");  // 'infinity'
  CHECK(hex_of(sys_us::min()) == "8000000000000000");  // '-infinity'
  CHECK(encode_one(sys_us{}).type == 1184);
}

TEST_CASE("pg codec: uuid, jsonb, json and bytea have PostgreSQL's bytes") {
  const auto id = pg::uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  REQUIRE(id.has_value());
  CHECK(hex_of(*id) == "a0eebc999c0b4ef8bb6d6bb9bd380a11");  // uuid_send
  // jsonb_send('{"b": 1, "a": [true]}'): version 1, then the server's normalised text.
  CHECK(decode_hex<pg::json>("017b2261223a205b747275655d2c202262223a20317d", 3802).text ==
        R"({"a": [true], "b": 1})");
  CHECK(hex_of(pg::json{R"({"a": [true], "b": 1})"}) ==
        "017b2261223a205b747275655d2c202262223a20317d");
  CHECK(decode_hex<pg::json>("7b2262223a20317d", 114).text == R"({"b": 1})");  // json_send
  CHECK(hex_of(std::vector<std::byte>{std::byte{0}, std::byte{0xff}}) == "00ff");  // byteasend
}

TEST_CASE("pg codec: arrays have PostgreSQL's header and element layout") {
  // array_send(...) on PostgreSQL 15.
  CHECK(hex_of(std::vector<std::int64_t>{1, 2}) ==
        "0000000100000000000000140000000200000001"
        "000000080000000000000001000000080000000000000002");
  CHECK(hex_of(std::vector<std::int64_t>{}) == "000000000000000000000014");
  CHECK(hex_of(std::vector<std::optional<std::int64_t>>{1, std::nullopt}) ==
        "0000000100000001000000140000000200000001000000080000000000000001ffffffff");
  CHECK(hex_of(std::vector<std::optional<std::string>>{"ab", std::nullopt, ""}) ==
        "0000000100000001000000190000000300000001000000026162ffffffff00000000");
  CHECK(hex_of(std::vector<bool>{true, false}) ==
        "000000010000000000000010000000020000000100000001010000000100");
  const std::int64_t ids[] = {1, 2};
  CHECK(hex_of(std::span<const std::int64_t>(ids)) == hex_of(std::vector<std::int64_t>{1, 2}));
  CHECK(encode_one(std::vector<std::string>{"a"}).type == 1009);

  const auto read = decode_hex<std::vector<std::optional<std::string>>>(
      "0000000100000001000000190000000300000001000000026162ffffffff00000000", 1009);
  REQUIRE(read.size() == 3);
  CHECK(read[0] == "ab");
  CHECK_FALSE(read[1].has_value());
  CHECK(read[2] == "");
}

// ---- round trips at the limits ------------------------------------------------------------

TEMPLATE_TEST_CASE("pg codec: integers round-trip at their limits", "", std::int8_t,
                   std::uint8_t, std::int16_t, std::uint16_t, std::int32_t, std::uint32_t,
                   std::int64_t, long long, unsigned long) {
  using T = TestType;
  if constexpr (!std::is_same_v<T, unsigned long>) {
    CHECK(round_trip(std::numeric_limits<T>::min()) == std::numeric_limits<T>::min());
    CHECK(round_trip(std::numeric_limits<T>::max()) == std::numeric_limits<T>::max());
  }
  CHECK(round_trip(T{0}) == T{0});
  CHECK(round_trip(T{1}) == T{1});
  if constexpr (std::is_signed_v<T>) CHECK(round_trip(T{-1}) == T{-1});
}

TEST_CASE("pg codec: integers are read from every integer column, range-checked") {
  CHECK(decode_hex<std::int64_t>("8000", 21) == -32768);
  CHECK(decode_hex<std::int64_t>("80000000", 23) == std::numeric_limits<std::int32_t>::min());
  CHECK(decode_hex<std::int16_t>("0000000000007fff", 20) == 32767);
  CHECK(decode_hex<std::uint64_t>("7fffffffffffffff", 20) ==
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  CHECK(round_trip(static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) ==
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));

  // int8 5000000000 into int.
  const std::string five_billion = unhex("000000012a05f200");
  const std::string e = read_error<int>(five_billion, 20);
  CHECK(e == "cannot read column 3 ('c') into int: the int8 value is out of the type's range; "
             "use a wider integer type");
  CHECK(contains(read_error<std::int16_t>(unhex("00008000"), 23), "int4 value is out of"));
  CHECK(contains(read_error<std::uint32_t>(unhex("ffffffffffffffff"), 20), "out of the type's"));
  CHECK(contains(read_error<std::uint64_t>(unhex("ffff"), 21), "int2 value is out of"));

  const std::string b = bind_error(std::numeric_limits<std::uint64_t>::max());
  CHECK(b == "cannot bind parameter 1 of type " + name<std::uint64_t>() +
                 ": the value is above INT64_MAX, which PostgreSQL's int8 cannot hold");
}

TEST_CASE("pg codec: floating point keeps infinities, NaN, -0.0 and denormals") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  CHECK(round_trip(inf) == inf);
  CHECK(round_trip(-inf) == -inf);
  CHECK(std::isnan(round_trip(std::numeric_limits<double>::quiet_NaN())));
  CHECK(std::signbit(round_trip(-0.0)));
  CHECK(round_trip(std::numeric_limits<double>::denorm_min()) ==
        std::numeric_limits<double>::denorm_min());
  CHECK(round_trip(std::numeric_limits<double>::max()) == std::numeric_limits<double>::max());
  CHECK(round_trip(std::numeric_limits<float>::infinity()) ==
        std::numeric_limits<float>::infinity());
  CHECK(std::isnan(round_trip(std::numeric_limits<float>::quiet_NaN())));
  CHECK(std::signbit(round_trip(-0.0f)));
  CHECK(round_trip(std::numeric_limits<float>::denorm_min()) ==
        std::numeric_limits<float>::denorm_min());
  CHECK(round_trip(std::numeric_limits<float>::lowest()) == std::numeric_limits<float>::lowest());
  CHECK(round_trip(0.1f) == 0.1f);

  // float4 into double, integers into either, float8 beyond float's range refused.
  CHECK(decode_hex<double>("3fc00000", 700) == 1.5);
  CHECK(decode_hex<double>("000000000000002a", 20) == 42.0);
  CHECK(decode_hex<float>("0000002a", 23) == 42.0f);
  CHECK(decode_hex<float>("3ff8000000000000", 701) == 1.5f);
  CHECK(std::isinf(decode_hex<float>("7ff0000000000000", 701)));
  CHECK(contains(read_error<float>(unhex("7fefffffffffffff"), 701), "use double"));
}

TEST_CASE("pg codec: text round-trips, empty and with NUL bytes, and reads every string type") {
  CHECK(round_trip(std::string{}).empty());
  const std::string nul("a\0b", 3);
  CHECK(round_trip(nul) == nul);  // the server refuses it (22021); the codec passes it on
  CHECK(round_trip(std::string("żółw ✓")) == "żółw ✓");

  // An empty string_view has a null data(), which libpq would take for NULL.
  const encoded empty_view = encode_one(std::string_view{});
  CHECK_FALSE(empty_view.null);
  CHECK(empty_view.bytes.empty());
  CHECK(encode_one(static_cast<const char*>(nullptr)).null);
  CHECK(encode_one(std::string_view("abc")).bytes == "abc");
  CHECK(encode_one(static_cast<const char*>("abc")).type == 25);

  for (const oid t : {25u, 1043u, 1042u, 19u, 705u}) {
    CHECK(codec<std::string>::decode(field_over("x ", t)) == "x ");
  }
}

TEST_CASE("pg codec: text parameters point at the caller's bytes") {
  const std::string s = "hello";
  param_list p;
  codec<std::string>::encode(p, s);
  p.finish();
  CHECK(p.values()[0] == s.data());
  CHECK(p.lengths()[0] == 5);
}

TEST_CASE("pg codec: bytea round-trips, empty included") {
  CHECK(round_trip(std::vector<std::byte>{}).empty());
  const encoded e = encode_one(std::vector<std::uint8_t>{});
  CHECK_FALSE(e.null);
  const std::vector<std::uint8_t> bytes{0, 1, 0xff, 0};
  CHECK(round_trip(bytes) == bytes);
  const std::vector<std::byte> b{std::byte{0}, std::byte{0x80}};
  CHECK(round_trip(b) == b);
  CHECK(encode_one(std::span<const std::byte>(b)).bytes == encode_one(b).bytes);
  CHECK(contains(read_error<std::vector<std::byte>>("x", 25), "the column's type is text"));
}

TEST_CASE("pg codec: timestamptz round-trips before 1970, before 2000 and after 2038") {
  const auto moon = std::chrono::sys_days{std::chrono::year{1969} / 7 / 20} + 20h + 17min + 40s;
  const auto y2k = std::chrono::sys_days{std::chrono::year{2000} / 1 / 1};
  const auto far = std::chrono::sys_days{std::chrono::year{2200} / 2 / 3} + 4h;
  for (const sys_us t : {sys_us{}, sys_us{moon}, sys_us{moon} + 123456us, sys_us{y2k} - 1us,
                         sys_us{y2k}, sys_us{far} + 999999us, sys_us{moon} - 1us}) {
    CHECK(round_trip(t) == t);
  }
  CHECK(round_trip(std::chrono::sys_seconds{moon}) == std::chrono::sys_seconds{moon});
  CHECK(round_trip(sys_us::max()) == sys_us::max());
  CHECK(round_trip(sys_us::min()) == sys_us::min());
  CHECK(round_trip(sys_ns::max()) == sys_ns::max());

  // Nanoseconds are rounded down to the microsecond, toward the past before 1970 as after.
  CHECK(round_trip(sys_ns{} + 1999ns) == sys_ns{} + 1000ns);
  CHECK(round_trip(sys_ns{} - 1ns) == sys_ns{} - 1000ns);
  CHECK(round_trip(sys_ns{moon} - 1ns) == sys_ns{moon} - 1000ns);
  // Read into seconds, rounded down too.
  const std::string before_epoch = unhex(hex_of(sys_us{} - 1us));
  CHECK(codec<std::chrono::sys_seconds>::decode(field_over(before_epoch, 1184)) ==
        std::chrono::sys_seconds{} - 1s);
  // timestamp (without time zone) is read as UTC.
  CHECK(codec<sys_us>::decode(field_over(unhex("0000000000000000"), 1114)) == sys_us{y2k});

  // A year nanoseconds since 1970 cannot hold (after 2262).
  const std::string y3000 = unhex(hex_of(
      sys_us{std::chrono::sys_days{std::chrono::year{3000} / 1 / 1}}));
  CHECK(contains(read_error<sys_ns>(y3000, 1184), "timestamptz value is out of the type's range"));
  // A time point of hours beyond int64 microseconds.
  using sys_hours = std::chrono::sys_time<std::chrono::duration<std::int64_t, std::ratio<3600>>>;
  CHECK(contains(bind_error(sys_hours{std::chrono::duration<std::int64_t, std::ratio<3600>>{
                     std::numeric_limits<std::int64_t>::max() / 2}}),
                 "beyond the range"));
}

TEST_CASE("pg codec: durations are their tick count") {
  CHECK(encode_one(std::chrono::milliseconds{1500}).bytes == unhex("00000000000005dc"));
  CHECK(round_trip(std::chrono::seconds{-7}) == std::chrono::seconds{-7});
  CHECK(round_trip(std::chrono::nanoseconds::max()) == std::chrono::nanoseconds::max());
}

TEST_CASE("pg codec: uuid parses, prints and round-trips") {
  const auto id = pg::uuid::parse("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
  REQUIRE(id.has_value());
  CHECK(id->to_string() == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  CHECK(round_trip(*id) == *id);
  CHECK(round_trip(pg::uuid{}) == pg::uuid{});
  CHECK_FALSE(pg::uuid::parse("a0eebc999c0b4ef8bb6d6bb9bd380a11").has_value());
  CHECK_FALSE(pg::uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g").has_value());
  CHECK_FALSE(pg::uuid::parse("").has_value());
  static_assert(pg::uuid::parse("00000000-0000-0000-0000-000000000001")->bytes[15] == 1);
  CHECK(*pg::uuid::parse("00000000-0000-0000-0000-000000000001") >
        *pg::uuid::parse("00000000-0000-0000-0000-000000000000"));
  CHECK(contains(read_error<pg::uuid>(std::string(15, 'x'), 2950), "uuid value is malformed"));
}

TEST_CASE("pg codec: json round-trips as jsonb") {
  CHECK(round_trip(pg::json{R"({"a": [1, 2, null]})"}).text == R"({"a": [1, 2, null]})");
  CHECK(round_trip(pg::json{}).text.empty());
  CHECK(contains(read_error<pg::json>(unhex("02"), 3802), "binary format version 1"));
  CHECK(contains(read_error<pg::json>("", 3802), "binary format version 1"));
}

TEST_CASE("pg codec: numeric round-trips exactly") {
  for (const char* text : {"-12345.678900", "0", "0.0001", "NaN", "99999999999999999999.5",
                           "12345.6789", "1", "-1", "10000", "0.00", "123456789.000000001",
                           "0.00000001", "Infinity", "-Infinity", "9999", "10000.0001"}) {
    CHECK(round_trip(pg::numeric{text}).text == text);
  }
  CHECK(round_trip(pg::numeric{"+5"}).text == "5");
  CHECK(round_trip(pg::numeric{"5."}).text == "5");
  CHECK(round_trip(pg::numeric{".5"}).text == "0.5");
  CHECK(round_trip(pg::numeric{"007.50"}).text == "7.50");
  CHECK(round_trip(pg::numeric{"-0"}).text == "0");
  CHECK(round_trip(pg::numeric{"nan"}).text == "NaN");
  CHECK(round_trip(pg::numeric{"-inf"}).text == "-Infinity");
  CHECK(round_trip(pg::numeric{"1.5E+2"}).text == "150");
  // A dscale beyond the digits sent reads as trailing zeros (numeric(10, 4) holding 1.5).
  CHECK(decode_hex<pg::numeric>("00010000000000040001", 1700).text == "1.0000");

  for (const char* bad : {"", "-", ".", "abc", "1.2.3", "1e", "1e+", " 1", "1 ", "0x10",
                          "1,5", "--1", "1e99999999"}) {
    const std::string e = bind_error(pg::numeric{bad});
    CHECK(e == "cannot bind parameter 1 of type sqlproof::pg::numeric: the text is not a "
               "decimal number that PostgreSQL's numeric can hold");
  }
  // Malformed: a digit of 10000, a length that disagrees with ndigits.
  CHECK(contains(read_error<pg::numeric>(unhex("000100000000000027100"), 1700), "malformed"));
  CHECK(contains(read_error<pg::numeric>(unhex("0002000000000000"), 1700), "malformed"));
}

TEST_CASE("pg codec: arrays round-trip with NULL elements and empty") {
  CHECK(round_trip(std::vector<std::int64_t>{}).empty());
  CHECK(round_trip(std::vector<std::string>{}).empty());
  const std::vector<std::int64_t> ids{std::numeric_limits<std::int64_t>::min(), 0, 42,
                                      std::numeric_limits<std::int64_t>::max()};
  CHECK(round_trip(ids) == ids);
  const std::vector<std::optional<std::int64_t>> with_null{1, std::nullopt, 3};
  CHECK(round_trip(with_null) == with_null);
  const std::vector<std::optional<std::string>> texts{"a", std::nullopt, "", "żółw"};
  CHECK(round_trip(texts) == texts);
  CHECK(round_trip(std::vector<bool>{true, false, true}) == std::vector<bool>{true, false, true});
  CHECK(round_trip(std::vector<std::int16_t>{-1, 2}) == std::vector<std::int16_t>{-1, 2});
  CHECK(round_trip(std::vector<std::int32_t>{-1, 2}) == std::vector<std::int32_t>{-1, 2});
  CHECK(round_trip(std::vector<float>{1.5f, -0.0f}) == std::vector<float>{1.5f, -0.0f});
  CHECK(round_trip(std::vector<double>{1.5, 1e300}) == std::vector<double>{1.5, 1e300});
  const std::vector<pg::uuid> uuids{pg::uuid{}, *pg::uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")};
  CHECK(round_trip(uuids) == uuids);
  const std::vector<std::vector<std::byte>> blobs{{}, {std::byte{1}, std::byte{2}}};
  CHECK(round_trip(blobs) == blobs);
  const std::vector<pg::numeric> decimals{{"1.50"}, {"-0.0001"}, {"NaN"}};
  CHECK(round_trip(decimals) == decimals);
  const std::vector<sys_us> times{sys_us{}, sys_us{} - 1us};
  CHECK(round_trip(times) == times);
  const std::vector<pg::json> docs{{"{}"}, {"[1]"}};
  CHECK(round_trip(docs) == docs);
  const std::vector<std::string_view> views{"a", ""};
  CHECK(hex_of(views) == hex_of(std::vector<std::string>{"a", ""}));

  // An int4[] or int2[] column reads into std::vector<std::int64_t>.
  const std::string int4s = unhex(hex_of(std::vector<std::int32_t>{7, -8}));
  CHECK(codec<std::vector<std::int64_t>>::decode(field_over(int4s, 1007)) ==
        std::vector<std::int64_t>{7, -8});
  CHECK(codec<std::vector<std::int64_t>>::reads(1005));
  CHECK_FALSE(codec<std::vector<std::int64_t>>::reads(1009));
  CHECK(codec<std::vector<std::string>>::reads(1015));  // varchar[]
}

TEST_CASE("pg codec: array errors name the column") {
  const std::string with_null = unhex(
      "0000000100000001000000140000000200000001000000080000000000000001ffffffff");
  CHECK(read_error<std::vector<std::int64_t>>(with_null, 1016) ==
        "cannot read column 3 ('c') into std::vector<" + name<std::int64_t>() +
            ">: the int8[] value has a NULL element; declare it std::vector<std::optional<" +
            name<std::int64_t>() + ">>");
  // '{{1},{2}}'::int4[]
  const std::string two_dims = unhex(
      "0000000200000000000000170000000200000001000000010000000100000004000000010000000400000002");
  CHECK(contains(read_error<std::vector<std::int32_t>>(two_dims, 1007),
                 "more than one dimension"));
  // Truncated, a count larger than the bytes, an element type that is not the array's.
  CHECK(contains(read_error<std::vector<std::int64_t>>(with_null.substr(0, with_null.size() - 2),
                                                       1016),
                 "malformed"));
  std::string huge = with_null;
  huge[12] = '\x7f';
  CHECK(contains(read_error<std::vector<std::int64_t>>(huge, 1016), "malformed"));
  CHECK(contains(read_error<std::vector<std::int64_t>>(with_null, 1007), "malformed"));
  CHECK(contains(read_error<std::vector<std::int64_t>>(unhex("0000"), 1016), "malformed"));
}

TEST_CASE("pg codec: optional is NULL when empty") {
  CHECK(encode_one(std::optional<std::int64_t>{}).null);
  CHECK(encode_one(std::optional<std::int64_t>{}).type == 20);
  CHECK(encode_one(std::optional<std::string>{}).null);
  CHECK(encode_one(std::optional<pg::uuid>{}).type == 2950);
  CHECK(round_trip(std::optional<std::int64_t>{5}) == 5);
  CHECK(round_trip(std::optional<bool>{}) == std::nullopt);
  CHECK(round_trip(std::optional<double>{}) == std::nullopt);
  CHECK(round_trip(std::optional<std::string>{""}) == "");
  CHECK(round_trip(std::optional<std::vector<std::byte>>{}) == std::nullopt);
  CHECK(round_trip(std::optional<sys_us>{sys_us{}}) == sys_us{});
  CHECK(round_trip(std::optional<pg::uuid>{}) == std::nullopt);
  CHECK(round_trip(std::optional<pg::json>{pg::json{"1"}})->text == "1");
  CHECK(round_trip(std::optional<pg::numeric>{}) == std::nullopt);
  CHECK(round_trip(std::optional<std::vector<std::int64_t>>{}) == std::nullopt);
  CHECK(round_trip(std::optional<std::vector<std::int64_t>>{std::vector<std::int64_t>{}})
            ->empty());
}

TEST_CASE("pg codec: NULL into a non-optional and a wrong type are type_errors naming the column") {
  CHECK(read_error<std::int64_t>("", 20, true) ==
        "cannot read column 3 ('c') into " + name<std::int64_t>() +
            ": the value is NULL; declare the field as std::optional<" + name<std::int64_t>() +
            ">");
  CHECK(contains(read_error<std::string>("", 25, true), "std::optional<std::string>"));
  CHECK(read_error<std::string>("\x01{}", 3802) ==
        "cannot read column 3 ('c') into std::string: the column's type is jsonb; read it as "
        "sqlproof::pg::json");
  CHECK(read_error<std::int64_t>("1", 1700) ==
        "cannot read column 3 ('c') into " + name<std::int64_t>() +
            ": the column's type is numeric; read it as sqlproof::pg::numeric");
  CHECK(read_error<std::int32_t>("ab", 16390) ==
        "cannot read column 3 ('c') into int: the column's type has OID 16390; cast it in the "
        "SQL to a type sqlproof reads, e.g. ::text");
  CHECK(contains(read_error<bool>("", 16), "the bool value is malformed"));
  CHECK(contains(read_error<std::int64_t>("abc", 20), "the int8 value is malformed"));

  // The SQL travels with the error.
  try {
    (void)codec<int>::decode(field_over("", 23, true));
  } catch (const sqlproof::type_error& e) {
    CHECK(e.sql() == "SELECT c");
    CHECK(contains(e.what(), "SELECT c"));
  }
}

// ---- user types ---------------------------------------------------------------------------

struct money {
  std::int64_t cents;
  friend bool operator==(money, money) = default;
};

struct label {
  std::string text;
};

enum class color : std::int16_t { red = 1, blue = 2 };

}  // namespace

template <>
struct sqlproof::value_traits<money> {
  using storage_type = std::int64_t;
  static std::int64_t to_storage(money m) { return m.cents; }
  static money from_storage(std::int64_t c) { return money{c}; }
};

// Converts to a temporary string: the parameter must not point at it once it is gone.
template <>
struct sqlproof::value_traits<label> {
  using storage_type = std::string;
  static std::string to_storage(const label& l) { return "label:" + l.text; }
  static label from_storage(std::string s) { return label{s.substr(6)}; }
};

namespace {

TEST_CASE("pg codec: a user type goes through its value_traits storage type") {
  static_assert(codec<money>::type == 20);
  static_assert(codec<std::optional<money>>::type == 20);
  CHECK(round_trip(money{-123}) == money{-123});
  CHECK(round_trip(std::optional<money>{}) == std::nullopt);
  CHECK(hex_of(money{42}) == "000000000000002a");
  CHECK(contains(read_error<money>("", 20, true), "std::optional<"));

  param_list p;
  codec<label>::encode(p, label{std::string(100, 'x')});  // longer than a small string
  codec<std::int64_t>::encode(p, 1);
  p.finish();
  CHECK(std::string_view(p.values()[0], static_cast<std::size_t>(p.lengths()[0])) ==
        "label:" + std::string(100, 'x'));
  const std::string bytes(p.values()[0], static_cast<std::size_t>(p.lengths()[0]));
  CHECK(codec<label>::decode(field_over(bytes, 25)).text == std::string(100, 'x'));
}

TEST_CASE("pg codec: an enum is its underlying integer") {
  static_assert(codec<color>::type == 21);
  CHECK(round_trip(color::blue) == color::blue);
  CHECK(hex_of(color::red) == "0001");
  CHECK(round_trip(std::vector<color>{color::red, color::blue}) ==
        std::vector<color>{color::red, color::blue});
}

// ---- param_list ---------------------------------------------------------------------------

TEST_CASE("pg codec: param_list keeps earlier values valid while its scratch grows") {
  param_list p;
  const std::string text = "borrowed";
  for (std::int64_t i = 0; i < 200; ++i) {
    codec<std::int64_t>::encode(p, i);
    codec<std::string>::encode(p, text);
    codec<std::optional<double>>::encode(p, std::nullopt);
  }
  codec<std::vector<std::int64_t>>::encode(p, std::vector<std::int64_t>(1000, 7));
  p.finish();
  REQUIRE(p.size() == 601);
  for (int i = 0; i < 200; ++i) {
    const std::string got(p.values()[3 * i], 8);
    CHECK(codec<std::int64_t>::decode(field_over(got, 20)) == i);
    CHECK(p.values()[3 * i + 1] == text.data());
    CHECK(p.values()[3 * i + 2] == nullptr);
    CHECK(p.types()[3 * i + 2] == 701);
    CHECK(p.formats()[3 * i] == 1);
  }
  CHECK(p.lengths()[600] == 20 + 1000 * 12);
}

TEST_CASE("pg codec: a moved param_list keeps its pointers and leaves the source empty") {
  param_list p;
  codec<std::int64_t>::encode(p, 5);
  p.finish();
  const char* value = p.values()[0];
  param_list q(std::move(p));
  CHECK(q.size() == 1);
  CHECK(q.values()[0] == value);
  CHECK(p.size() == 0);  // NOLINT: reusing a moved-from list is allowed
  codec<std::int64_t>::encode(p, 6);
  p.finish();
  CHECK(hex(std::string_view(p.values()[0], 8)) == "0000000000000006");
  q = std::move(p);
  CHECK(hex(std::string_view(q.values()[0], 8)) == "0000000000000006");
}

TEST_CASE("pg codec: a warm param_list encodes without allocating") {
  param_list p;
  const std::string name = "ann";
  const auto run = [&] {
    p.clear();
    codec<std::int64_t>::encode(p, 42);
    codec<std::string>::encode(p, name);
    codec<std::optional<std::int32_t>>::encode(p, std::nullopt);
    codec<sys_us>::encode(p, sys_us{});
    codec<pg::uuid>::encode(p, pg::uuid{});
    codec<std::vector<std::int64_t>>::encode(p, std::vector<std::int64_t>{});
    p.finish();
  };
  run();
  const std::vector<std::int64_t> ids{1, 2, 3};
  sqlproof_test::allocation_counter allocations;
  run();
  p.clear();
  codec<std::span<const std::int64_t>>::encode(p, std::span<const std::int64_t>(ids));
  p.finish();
  const std::size_t counted = allocations.count();
  CHECK(counted == 0);
  CHECK(p.size() == 1);
}

TEST_CASE("pg codec: a statement's parameters, their types and values") {
  static_assert(pgd::param_types<std::int64_t, const std::string&, std::optional<pg::json>,
                                 money, std::vector<std::int32_t>> ==
                std::array<oid, 5>{20, 25, 3802, 20, 1007});
  static_assert(pgd::param_types<>.empty());
  param_list p;
  codec<std::int64_t>::encode(p, 99);  // cleared by encode_params
  const std::string name = "ann";
  pgd::encode_params(p, std::int64_t{7}, name, std::optional<pg::json>{}, money{5});
  REQUIRE(p.size() == 4);
  CHECK(hex(std::string_view(p.values()[0], 8)) == "0000000000000007");
  CHECK(p.values()[1] == name.data());
  CHECK(p.values()[2] == nullptr);
  CHECK(p.types()[2] == 3802);
  CHECK(hex(std::string_view(p.values()[3], 8)) == "0000000000000005");
  for (int i = 0; i < 4; ++i) CHECK(p.formats()[i] == 1);
  try {
    pgd::encode_params(p, std::int64_t{1}, pg::numeric{"x"});
    FAIL("no type_error");
  } catch (const sqlproof::type_error& e) {
    CHECK(contains(e.summary(), "cannot bind parameter 2 of type sqlproof::pg::numeric"));
  }
}

// ---- rows ---------------------------------------------------------------------------------

struct event {
  std::int64_t id;
  std::optional<std::string> title;
  pg::json payload;
  std::vector<std::int64_t> tags;
};

TEST_CASE("pg codec: rows are read as scalars, tuples and aggregates") {
  const std::string id = unhex("000000000000002a");
  const std::string title = "launch";
  const std::string payload = "\x01{}";
  const std::string tags = unhex(hex_of(std::vector<std::int64_t>{1, 2}));
  const field fields[] = {
      {id.data(), 8, 20, false, 0, "id", "", ""},
      {nullptr, -1, 25, true, 1, "title", "", ""},
      {payload.data(), 3, 3802, false, 2, "payload", "", ""},
      {tags.data(), static_cast<int>(tags.size()), 1016, false, 3, "tags", "", ""},
  };
  static_assert(pgd::row_width<event>() == 4);
  static_assert(pgd::row_width<pg::uuid>() == 1);  // a type with a codec is one column
  const event e = pgd::read_row<event>(fields, 4);
  CHECK(e.id == 42);
  CHECK_FALSE(e.title.has_value());
  CHECK(e.payload.text == "{}");
  CHECK(e.tags == std::vector<std::int64_t>{1, 2});

  const auto t = pgd::read_row<std::tuple<int, std::optional<std::string>>>(fields, 2);
  CHECK(std::get<0>(t) == 42);
  CHECK(pgd::read_row<std::int64_t>(fields, 1) == 42);
  CHECK(pgd::read_row<double>([&](int i) { return fields[i]; }) == 42.0);
  CHECK_THROWS_AS(pgd::read_row<event>(fields, 3), sqlproof::schema_error);
  CHECK_THROWS_AS((pgd::read_row<std::tuple<int, std::string>>(fields, 2)), sqlproof::type_error);
}

TEST_CASE("pg codec: result column types are checked against the row's fields") {
  CHECK(pgd::column_type_fits<event>(0, 23));
  CHECK(pgd::column_type_fits<event>(1, 1043));
  CHECK_FALSE(pgd::column_type_fits<event>(2, 25));
  CHECK(pgd::column_type_fits<event>(3, 1007));
  CHECK_FALSE(pgd::column_type_fits<event>(4, 23));
  CHECK(pgd::field_type_name<event>(2) == "sqlproof::pg::json");
  CHECK(pgd::field_pg_type_name<event>(2) == "jsonb");
  CHECK(pgd::field_pg_type_name<event>(3) == "int8[]");
  CHECK(pgd::field_pg_type_name<event>(4).empty());
  CHECK(pgd::field_pg_type_name<std::string>(0) == "text");

  struct doc {
    std::int64_t id;
    std::string payload;
  };
  const pgd::column_description described[] = {{20, "id"}, {3802, "payload"}};
  try {
    pgd::check_result_types<doc>(2, [&](int i) { return described[i]; }, "SELECT id, payload",
                                 "find_doc");
    FAIL("no schema_error");
  } catch (const sqlproof::schema_error& e) {
    CHECK(contains(e.summary(), "result column 1 ('payload') is jsonb, which cannot be read into "
                                "field 1 (std::string) of "));
    CHECK(contains(e.summary(), "doc; declare it sqlproof::pg::json"));
    CHECK(e.query_name() == "find_doc");
  }
  const pgd::column_description scalar[] = {{16390, "mood"}};
  try {
    pgd::check_result_types<std::string>(1, [&](int i) { return scalar[i]; });
    FAIL("no schema_error");
  } catch (const sqlproof::schema_error& e) {
    CHECK(std::string(e.summary()) ==
          "result column 0 ('mood') has type OID 16390, which cannot be read into "
          "std::string; cast it in the SQL to a type sqlproof reads, e.g. ::text");
  }
  const pgd::column_description fine[] = {{23, "id"}, {25, "payload"}};
  CHECK_NOTHROW(pgd::check_result_types<doc>(2, [&](int i) { return fine[i]; }));
}

// ---- the new types on SQLite --------------------------------------------------------------

static_assert(sqlproof::detail::family_of<pg::uuid>() == sqlproof::value_family::blob);
static_assert(sqlproof::detail::family_of<pg::json>() == sqlproof::value_family::text);
static_assert(sqlproof::detail::family_of<pg::numeric>() == sqlproof::value_family::text);
static_assert(sqlproof::detail::family_of<sys_us>() == sqlproof::value_family::integer);

TEST_CASE("pg types: uuid, json and numeric map onto SQLite through value_traits") {
  sqlproof::database db(":memory:");
  const auto id = *pg::uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  CHECK(db.one<sqlproof::query<"SELECT ?", pg::uuid(pg::uuid)>>(id) == id);
  CHECK(db.one<sqlproof::query<"SELECT typeof(?)", std::string(pg::uuid)>>(id) == "blob");
  CHECK(db.one<sqlproof::query<"SELECT length(?)", int(pg::uuid)>>(id) == 16);
  CHECK(db.one<sqlproof::query<"SELECT ? ->> '$.a'", std::string(pg::json)>>(
            pg::json{R"({"a": "x"})"}) == "x");
  CHECK(db.one<sqlproof::query<"SELECT ?", pg::numeric(pg::numeric)>>(pg::numeric{"1.50"})
            ->text == "1.50");
  CHECK_THROWS_AS((db.one<sqlproof::query<"SELECT x'00'", pg::uuid()>>()), sqlproof::type_error);
}

}  // namespace
