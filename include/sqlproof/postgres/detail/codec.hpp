#pragma once
// How C++ values travel to and from PostgreSQL in binary format: `codec<T>` per type, the
// generic array format, and reading a result row into a scalar, a std::tuple or an aggregate.
//
// A codec has
//   static constexpr oid type;                      sent as the parameter's type at prepare
//   static constexpr bool reads(oid) noexcept;      the column types decode accepts
//   static void encode(param_list&, const T&);      adds one parameter
//   static T decode(const field&);                  reads one value (type_error when it can't)
// and, for a type that can be an array element, size(v, index) (checks the value, returns its
// encoded size) and put(out, v) (writes it, returns the bytes written).
//
// Resolution order: the built-in codecs below first, then a user type's
// value_traits<T>::storage_type, converted with to_storage/from_storage. So std::vector<int>
// is an int4[] here while value.hpp binds it as a JSON list on SQLite, and a user's
// value_traits work on both backends unchanged. Needs no libpq header.

#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../config.hpp"
#include "../../detail/chrono.hpp"
#include "../../detail/reflect.hpp"
#include "../../detail/type_name.hpp"
#include "../../error.hpp"
#include "../types.hpp"
#include "array_format.hpp"
#include "numeric_format.hpp"
#include "timestamp_format.hpp"
#include "wire.hpp"

namespace sqlproof::pg::detail {

using sqlproof::detail::type_name;

/// The binary codec of `T` for PostgreSQL; see the top of this file for its members.
template <class T>
struct codec;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_tuple : std::false_type {};
template <class... Ts>
struct is_tuple<std::tuple<Ts...>> : std::true_type {};

// The same families as value.hpp (kept separate so this header needs no SQLite).
template <class T>
concept char_like = std::same_as<T, char8_t> || std::same_as<T, char16_t> ||
                    std::same_as<T, char32_t> || std::same_as<T, wchar_t>;
template <class T>
concept pg_integer = std::integral<T> && !std::same_as<T, bool> && !char_like<T>;
template <class T>
concept byte_like = std::same_as<T, std::byte> || std::same_as<T, std::uint8_t> ||
                    std::same_as<T, unsigned char>;

/// A type with a PostgreSQL codec (built in or through value_traits).
template <class T>
concept has_codec = requires {
  { codec<T>::type } -> std::convertible_to<oid>;
};
/// A type that can be sent as a parameter.
template <class T>
concept encodable = has_codec<T> && requires(param_list& p, const T& v) { codec<T>::encode(p, v); };
/// A type that can be read from a result column.
template <class T>
concept decodable = has_codec<T> && requires(const field& f) {
  { codec<T>::decode(f) } -> std::same_as<T>;
};
// A type that can be an element of an array parameter.
template <class T>
concept element_writer = requires(const T& v, char* out) {
  { codec<T>::size(v, 1) } -> std::same_as<std::size_t>;
  { codec<T>::put(out, v) } -> std::same_as<std::size_t>;
};

// ---- user types through value_traits ------------------------------------------------------

// value_traits is declared in types.hpp and defined in value.hpp; a type without a
// specialisation is incomplete here or empty there, and in both cases has no storage_type.
template <class T>
concept converted = requires { typename sqlproof::value_traits<T>::storage_type; };

template <class T>
consteval bool convertible_through_storage() {
  if constexpr (converted<T>) {
    return has_codec<std::remove_cvref_t<typename sqlproof::value_traits<T>::storage_type>>;
  } else {
    return false;
  }
}

template <class T, bool = convertible_through_storage<T>()>
struct converted_codec {};  // no codec

template <class T>
struct converted_codec<T, true> {
  using traits = sqlproof::value_traits<T>;
  using storage = std::remove_cvref_t<typename traits::storage_type>;
  static constexpr oid type = codec<storage>::type;
  static constexpr bool reads(oid t) noexcept { return codec<storage>::reads(t); }

  static void encode(param_list& p, const T& v)
    requires encodable<storage> && requires { traits::to_storage(v); }
  {
    // A text or bytea parameter points at its bytes, so a temporary from to_storage (a string
    // built for this call) is copied into the list's scratch before it is destroyed.
    auto&& s = traits::to_storage(v);
    codec<storage>::encode(p, s);
    if constexpr (!std::is_lvalue_reference_v<decltype(traits::to_storage(v))>) p.own_last();
  }

  static T decode(const field& f)
    requires decodable<storage> && requires(storage s) {
      { traits::from_storage(std::move(s)) } -> std::same_as<T>;
    }
  {
    return traits::from_storage(codec<storage>::decode(f));
  }
};

// The primary template: a type without a built-in codec goes through its value_traits.
template <class T>
struct codec : converted_codec<T> {};

// ---- bool ---------------------------------------------------------------------------------

/// bool is PostgreSQL's bool: one byte, 0 or 1 (boolsend; boolrecv reads any nonzero as true).
template <>
struct codec<bool> {
  static constexpr oid type = oids::bool_;
  static constexpr bool reads(oid t) noexcept { return t == oids::bool_; }
  static std::size_t size(bool, int) noexcept { return 1; }
  static std::size_t put(char* out, bool v) noexcept {
    *out = v ? 1 : 0;
    return 1;
  }
  static void encode(param_list& p, bool v) { put(p.add_owned(type, 1), v); }
  static bool decode(const field& f) {
    check_readable(f, reads(f.type), "bool");
    check_length(f, 1, "bool");
    return *f.data != 0;
  }
};

// ---- integers -----------------------------------------------------------------------------

// The narrowest PostgreSQL integer that holds every value of T: int16 is int2, uint16 int4,
// uint32 int8; a uint64 above INT64_MAX is refused at bind.
template <class T>
constexpr oid integer_oid() noexcept {
  if constexpr (std::is_signed_v<T>) {
    return sizeof(T) <= 2 ? oids::int2 : sizeof(T) <= 4 ? oids::int4 : oids::int8;
  } else {
    return sizeof(T) == 1 ? oids::int2 : sizeof(T) == 2 ? oids::int4 : oids::int8;
  }
}

[[noreturn]] SQLPROOF_COLD inline void throw_unsigned_too_large(int index,
                                                                std::string_view cpp_type) {
  throw_bind_error(index, cpp_type,
                   "the value is above INT64_MAX, which PostgreSQL's int8 cannot hold");
}

// Any of int2, int4, int8 as a 64-bit value; the caller has checked the type.
inline std::int64_t read_integer(const field& f, std::string_view cpp_type) {
  if (f.type == oids::int8) {
    check_length(f, 8, cpp_type);
    return static_cast<std::int64_t>(load_u64(f.data));
  }
  if (f.type == oids::int4) {
    check_length(f, 4, cpp_type);
    return static_cast<std::int32_t>(load_u32(f.data));
  }
  check_length(f, 2, cpp_type);
  return static_cast<std::int16_t>(load_u16(f.data));
}

constexpr bool is_integer_oid(oid t) noexcept {
  return t == oids::int2 || t == oids::int4 || t == oids::int8;
}

/// Every integer type: int2, int4 or int8 by range (see integer_oid); reads any of the three,
/// range-checked (an int8 of 5000000000 into int is a type_error, never truncated).
template <pg_integer T>
struct codec<T> {
  static constexpr oid type = integer_oid<T>();
  static constexpr std::size_t width = type == oids::int2 ? 2 : type == oids::int4 ? 4 : 8;
  static constexpr bool reads(oid t) noexcept { return is_integer_oid(t); }

  static std::size_t size(T v, int index) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max())) [[unlikely]] {
        throw_unsigned_too_large(index, type_name<T>);
      }
    }
    return width;
  }
  static std::size_t put(char* out, T v) noexcept {
    if constexpr (width == 2) {
      store_u16(out, static_cast<std::uint16_t>(v));
    } else if constexpr (width == 4) {
      store_u32(out, static_cast<std::uint32_t>(v));
    } else {
      store_u64(out, static_cast<std::uint64_t>(v));
    }
    return width;
  }
  static void encode(param_list& p, T v) { put(p.add_owned(type, size(v, p.next_index())), v); }

  static T decode(const field& f) {
    check_readable(f, reads(f.type), type_name<T>);
    const std::int64_t v = read_integer(f, type_name<T>);
    if constexpr (!std::same_as<T, std::int64_t>) {
      // std::in_range rejects plain char (not a standard integer type): check it as the
      // signed or unsigned char it behaves as.
      using range_type =
          std::conditional_t<std::same_as<T, char>,
                             std::conditional_t<std::is_signed_v<char>, signed char, unsigned char>,
                             T>;
      if (!std::in_range<range_type>(v)) [[unlikely]] {
        throw_out_of_range(f, type_name<T>, "use a wider integer type");
      }
    }
    return static_cast<T>(v);
  }
};

// ---- floating point -----------------------------------------------------------------------

// float4 or float8, or an integer column as a double (like SQLite's INTEGER read as REAL:
// count(*) and sum(int) are int8 in PostgreSQL).
inline double read_real(const field& f, std::string_view cpp_type) {
  if (f.type == oids::float8) {
    check_length(f, 8, cpp_type);
    return std::bit_cast<double>(load_u64(f.data));
  }
  if (f.type == oids::float4) {
    check_length(f, 4, cpp_type);
    return static_cast<double>(std::bit_cast<float>(load_u32(f.data)));
  }
  return static_cast<double>(read_integer(f, cpp_type));
}

/// float is float4, double (and long double) float8, as IEEE 754 bits (float4send,
/// float8send). Reads float4, float8 and the integer types; a float8 beyond float's range
/// into float is a type_error. NaN, infinities and -0.0 round-trip.
template <std::floating_point T>
struct codec<T> {
  static constexpr oid type = sizeof(T) == 4 ? oids::float4 : oids::float8;
  static constexpr bool reads(oid t) noexcept {
    return t == oids::float4 || t == oids::float8 || is_integer_oid(t);
  }
  static std::size_t size(T, int) noexcept { return type == oids::float4 ? 4 : 8; }
  static std::size_t put(char* out, T v) noexcept {
    if constexpr (type == oids::float4) {
      store_u32(out, std::bit_cast<std::uint32_t>(static_cast<float>(v)));
      return 4;
    } else {
      store_u64(out, std::bit_cast<std::uint64_t>(static_cast<double>(v)));
      return 8;
    }
  }
  static void encode(param_list& p, T v) { put(p.add_owned(type, size(v, 0)), v); }
  static T decode(const field& f) {
    check_readable(f, reads(f.type), type_name<T>);
    const double v = read_real(f, type_name<T>);
    if constexpr (sizeof(T) < sizeof(double)) {
      if (v - v == 0 && (v < 0 ? -v : v) > static_cast<double>(std::numeric_limits<T>::max()))
          [[unlikely]] {
        throw_out_of_range(f, type_name<T>, "use double");
      }
    }
    return static_cast<T>(v);
  }
};

// ---- text ---------------------------------------------------------------------------------

constexpr bool is_text_oid(oid t) noexcept {
  return t == oids::text || t == oids::varchar || t == oids::bpchar || t == oids::name ||
         t == oids::unknown;
}

// Text is sent as its bytes (textsend is the string itself). The server checks the encoding
// and refuses a NUL character (SQLSTATE 22021), which PostgreSQL text cannot hold.
inline std::size_t text_size(std::string_view v) noexcept { return v.size(); }
inline std::size_t put_text(char* out, std::string_view v) noexcept {
  if (!v.empty()) std::memcpy(out, v.data(), v.size());
  return v.size();
}

/// std::string is text; reads text, varchar, bpchar (with its padding), name and unknown.
/// json and jsonb are not read as text: declare such a column sqlproof::pg::json.
template <>
struct codec<std::string> {
  static constexpr oid type = oids::text;
  static constexpr bool reads(oid t) noexcept { return is_text_oid(t); }
  static std::size_t size(const std::string& v, int) noexcept { return text_size(v); }
  static std::size_t put(char* out, const std::string& v) noexcept { return put_text(out, v); }
  static void encode(param_list& p, const std::string& v) {
    p.add_borrowed(type, v.data(), v.size());
  }
  static std::string decode(const field& f) {
    check_readable(f, reads(f.type), "std::string");
    return f.length > 0 ? std::string(f.data, static_cast<std::size_t>(f.length)) : std::string();
  }
};

/// std::string_view is text, bind only (it would point into a result freed with it).
template <>
struct codec<std::string_view> {
  static constexpr oid type = oids::text;
  static constexpr bool reads(oid t) noexcept { return is_text_oid(t); }
  static std::size_t size(std::string_view v, int) noexcept { return text_size(v); }
  static std::size_t put(char* out, std::string_view v) noexcept { return put_text(out, v); }
  static void encode(param_list& p, std::string_view v) {
    p.add_borrowed(type, v.data(), v.size());
  }
};

/// const char* is text, bind only; a null pointer is NULL.
template <>
struct codec<const char*> {
  static constexpr oid type = oids::text;
  static constexpr bool reads(oid t) noexcept { return is_text_oid(t); }
  static void encode(param_list& p, const char* v) {
    if (v == nullptr) {
      p.add_null(type);
    } else {
      p.add_borrowed(type, v, std::char_traits<char>::length(v));
    }
  }
};

// ---- bytea --------------------------------------------------------------------------------

template <class B>
std::string_view bytes_of(std::span<const B> v) noexcept {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

/// A byte vector is bytea (byteasend: the bytes themselves); an empty vector is an empty
/// bytea, not NULL.
template <byte_like B>
struct codec<std::vector<B>> {
  static constexpr oid type = oids::bytea;
  static constexpr bool reads(oid t) noexcept { return t == oids::bytea; }
  static std::size_t size(const std::vector<B>& v, int) noexcept { return v.size(); }
  static std::size_t put(char* out, const std::vector<B>& v) noexcept {
    return put_text(out, bytes_of(std::span<const B>(v)));
  }
  static void encode(param_list& p, const std::vector<B>& v) {
    const std::string_view b = bytes_of(std::span<const B>(v));
    p.add_borrowed(type, b.data(), b.size());
  }
  static std::vector<B> decode(const field& f) {
    check_readable(f, reads(f.type), type_name<std::vector<B>>);
    std::vector<B> out(static_cast<std::size_t>(f.length));
    if (f.length > 0) std::memcpy(out.data(), f.data, out.size());
    return out;
  }
};

/// A byte span is bytea, bind only.
template <byte_like B, std::size_t Extent>
struct codec<std::span<const B, Extent>> {
  static constexpr oid type = oids::bytea;
  static constexpr bool reads(oid t) noexcept { return t == oids::bytea; }
  static std::size_t size(std::span<const B, Extent> v, int) noexcept { return v.size(); }
  static std::size_t put(char* out, std::span<const B, Extent> v) noexcept {
    return put_text(out, bytes_of(std::span<const B>(v)));
  }
  static void encode(param_list& p, std::span<const B, Extent> v) {
    const std::string_view b = bytes_of(std::span<const B>(v));
    p.add_borrowed(type, b.data(), b.size());
  }
};

// ---- uuid, json, numeric ------------------------------------------------------------------

/// pg::uuid is uuid: its 16 bytes (uuid_send).
template <>
struct codec<uuid> {
  static constexpr oid type = oids::uuid;
  static constexpr bool reads(oid t) noexcept { return t == oids::uuid; }
  static std::size_t size(const uuid&, int) noexcept { return 16; }
  static std::size_t put(char* out, const uuid& v) noexcept {
    std::memcpy(out, v.bytes.data(), 16);
    return 16;
  }
  static void encode(param_list& p, const uuid& v) { put(p.add_owned(type, 16), v); }
  static uuid decode(const field& f) {
    check_readable(f, reads(f.type), "sqlproof::pg::uuid");
    check_length(f, 16, "sqlproof::pg::uuid");
    uuid out;
    std::memcpy(out.bytes.data(), f.data, 16);
    return out;
  }
};

// jsonb_send writes a version byte (1, the only one so far) and then the text; json_send
// writes the text alone (src/backend/utils/adt/jsonb.c, json.c).
inline constexpr char jsonb_version = 1;

[[noreturn]] SQLPROOF_COLD inline void throw_jsonb_version(const field& f) {
  throw_read_error(f, "sqlproof::pg::json",
                   "the jsonb value is not in binary format version 1, the only one known");
}

/// pg::json is jsonb (version byte 1, then the text); reads jsonb and json.
template <>
struct codec<json> {
  static constexpr oid type = oids::jsonb;
  static constexpr bool reads(oid t) noexcept { return t == oids::jsonb || t == oids::json; }
  static std::size_t size(const json& v, int) noexcept { return 1 + v.text.size(); }
  static std::size_t put(char* out, const json& v) noexcept {
    *out = jsonb_version;
    return 1 + put_text(out + 1, v.text);
  }
  static void encode(param_list& p, const json& v) {
    put(p.add_owned(type, size(v, 0)), v);
  }
  static json decode(const field& f) {
    check_readable(f, reads(f.type), "sqlproof::pg::json");
    const char* text = f.data;
    int length = f.length;
    if (f.type == oids::jsonb) {
      if (length < 1 || *text != jsonb_version) [[unlikely]] throw_jsonb_version(f);
      ++text;
      --length;
    }
    return json{length > 0 ? std::string(text, static_cast<std::size_t>(length)) : std::string()};
  }
};

[[noreturn]] SQLPROOF_COLD inline void throw_not_numeric(int index) {
  throw_bind_error(index, "sqlproof::pg::numeric",
                   "the text is not a decimal number that PostgreSQL's numeric can hold");
}

/// pg::numeric is numeric, converted exactly between decimal text and base-10000 digits
/// (numeric_format.hpp).
template <>
struct codec<numeric> {
  static constexpr oid type = oids::numeric;
  static constexpr bool reads(oid t) noexcept { return t == oids::numeric; }
  static std::size_t size(const numeric& v, int index) {
    const numeric_layout n = parse_numeric(v.text);
    if (!n.ok) [[unlikely]] throw_not_numeric(index);
    return n.encoded_size();
  }
  static std::size_t put(char* out, const numeric& v) noexcept {
    const numeric_layout n = parse_numeric(v.text);
    write_numeric(out, n);
    return n.encoded_size();
  }
  static void encode(param_list& p, const numeric& v) {
    const numeric_layout n = parse_numeric(v.text);
    if (!n.ok) [[unlikely]] throw_not_numeric(p.next_index());
    write_numeric(p.add_owned(type, n.encoded_size()), n);
  }
  static numeric decode(const field& f) {
    check_readable(f, reads(f.type), "sqlproof::pg::numeric");
    numeric out;
    if (!numeric_to_text(f.data, f.length, out.text)) [[unlikely]] {
      throw_malformed(f, "sqlproof::pg::numeric");
    }
    return out;
  }
};

// ---- std::chrono --------------------------------------------------------------------------

// to_pg_micros and from_pg_micros are in timestamp_format.hpp.

[[noreturn]] SQLPROOF_COLD inline void throw_time_out_of_range(int index,
                                                               std::string_view cpp_type) {
  throw_bind_error(index, cpp_type,
                   "the time point is beyond the range of PostgreSQL's 64-bit microseconds");
}

/// A system_clock time point (any duration) is timestamptz: UTC microseconds since
/// 2000-01-01. A finer time point (nanoseconds) is rounded down to the microsecond, toward
/// the past before 1970 as after; reading into a coarser one rounds down to its unit.
/// Reads timestamptz and timestamp (taken as UTC). time_point::max() and ::min() are
/// 'infinity' and '-infinity' both ways; a value the time point cannot hold is a type_error.
template <class Duration>
struct codec<std::chrono::time_point<std::chrono::system_clock, Duration>> {
  using time_point = std::chrono::time_point<std::chrono::system_clock, Duration>;
  static constexpr oid type = oids::timestamptz;
  static constexpr bool reads(oid t) noexcept {
    return t == oids::timestamptz || t == oids::timestamp;
  }
  static std::size_t size(time_point v, int index) {
    std::int64_t us = 0;
    if (!to_pg_micros(v, us)) [[unlikely]] throw_time_out_of_range(index, type_name<time_point>);
    return 8;
  }
  static std::size_t put(char* out, time_point v) noexcept {
    std::int64_t us = 0;
    to_pg_micros(v, us);
    store_u64(out, static_cast<std::uint64_t>(us));
    return 8;
  }
  static void encode(param_list& p, time_point v) {
    std::int64_t us = 0;
    if (!to_pg_micros(v, us)) [[unlikely]] {
      throw_time_out_of_range(p.next_index(), type_name<time_point>);
    }
    store_u64(p.add_owned(type, 8), static_cast<std::uint64_t>(us));
  }
  static time_point decode(const field& f) {
    check_readable(f, reads(f.type), type_name<time_point>);
    check_length(f, 8, type_name<time_point>);
    time_point out;
    if (!from_pg_micros(static_cast<std::int64_t>(load_u64(f.data)), out)) [[unlikely]] {
      throw_out_of_range(f, type_name<time_point>,
                         "use std::chrono::sys_time<std::chrono::microseconds>");
    }
    return out;
  }
};

/// A duration is its tick count, through the codec of its representation (int8 for the
/// standard durations), as on SQLite: pick the unit the column holds.
template <class Rep, class Period>
struct codec<std::chrono::duration<Rep, Period>> {
  using duration = std::chrono::duration<Rep, Period>;
  static constexpr oid type = codec<Rep>::type;
  static constexpr bool reads(oid t) noexcept { return codec<Rep>::reads(t); }
  static std::size_t size(duration v, int index) { return codec<Rep>::size(v.count(), index); }
  static std::size_t put(char* out, duration v) noexcept { return codec<Rep>::put(out, v.count()); }
  static void encode(param_list& p, duration v) { codec<Rep>::encode(p, v.count()); }
  static duration decode(const field& f) { return duration{codec<Rep>::decode(f)}; }
};

// ---- enums --------------------------------------------------------------------------------

template <class E>
concept fixed_underlying_enum = std::is_enum_v<E> && requires { E{std::underlying_type_t<E>{}}; };

/// An enum is its underlying integer. Only an enum with a fixed underlying type can be read
/// (see value.hpp: a value outside an unfixed enum's range is undefined behaviour).
template <class E>
  requires std::is_enum_v<E>
struct codec<E> {
  using underlying = std::underlying_type_t<E>;
  static constexpr oid type = codec<underlying>::type;
  static constexpr bool reads(oid t) noexcept { return codec<underlying>::reads(t); }
  static std::size_t size(E v, int index) {
    return codec<underlying>::size(static_cast<underlying>(v), index);
  }
  static std::size_t put(char* out, E v) noexcept {
    return codec<underlying>::put(out, static_cast<underlying>(v));
  }
  static void encode(param_list& p, E v) { codec<underlying>::encode(p, static_cast<underlying>(v)); }
  static E decode(const field& f) {
    static_assert(fixed_underlying_enum<E>,
                  "sqlproof: an enum without a fixed underlying type cannot be read from a "
                  "column, since a value outside its enumerators would be undefined behaviour; "
                  "declare it with one (`enum e : int { ... }`) or as an `enum class`");
    return static_cast<E>(codec<underlying>::decode(f));
  }
};

// ---- NULL ---------------------------------------------------------------------------------

/// std::optional<T> is NULL when empty (length -1 on the wire), otherwise T's value.
template <has_codec T>
struct codec<std::optional<T>> {
  static constexpr oid type = codec<T>::type;
  static constexpr bool reads(oid t) noexcept { return codec<T>::reads(t); }
  static void encode(param_list& p, const std::optional<T>& v)
    requires encodable<T>
  {
    if (v.has_value()) {
      codec<T>::encode(p, *v);
    } else {
      p.add_null(type);
    }
  }
  static std::optional<T> decode(const field& f)
    requires decodable<T>
  {
    if (f.null) return std::nullopt;
    return codec<T>::decode(f);
  }
};

// ---- arrays -------------------------------------------------------------------------------
//
// The format is described in array_format.hpp. Only one dimension is sent or read.

template <class E>
struct element_of_t {
  using type = E;
};
template <class T>
struct element_of_t<std::optional<T>> {
  using type = T;
};

// An element type with an array type: not a byte (a byte vector is bytea), not char.
template <class T>
concept array_element = !byte_like<T> && !std::same_as<T, char> && element_writer<T> &&
                        array_of(codec<T>::type) != 0;

template <class E>
concept array_slot = array_element<typename element_of_t<E>::type>;

[[noreturn]] SQLPROOF_COLD inline void throw_too_many_elements(int index) {
  throw_bind_error(index, "array", "the array has more elements than PostgreSQL allows");
}

template <class E, class Range>
void encode_array(param_list& p, const Range& range) {
  using T = typename element_of_t<E>::type;
  constexpr oid element_type = codec<T>::type;
  const int index = p.next_index();
  std::size_t total = 12;
  std::size_t count = 0;
  bool has_null = false;
  for (const auto& v : range) {
    ++count;
    total += 4;
    if constexpr (is_optional<E>::value) {
      if (!v.has_value()) {
        has_null = true;
      } else {
        total += codec<T>::size(*v, index);
      }
    } else {
      total += codec<T>::size(v, index);
    }
  }
  if (count > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw_too_many_elements(index);
  }
  if (count != 0) total += 8;
  char* out = p.add_owned(array_of(element_type), total);
  store_u32(out, count != 0 ? 1 : 0);
  store_u32(out + 4, has_null ? 1 : 0);
  store_u32(out + 8, element_type);
  out += 12;
  if (count != 0) {
    store_u32(out, static_cast<std::uint32_t>(count));
    store_u32(out + 4, 1);  // lower bound
    out += 8;
  }
  for (const auto& v : range) {
    if constexpr (is_optional<E>::value) {
      if (!v.has_value()) {
        store_u32(out, static_cast<std::uint32_t>(-1));
        out += 4;
        continue;
      }
      const std::size_t n = codec<T>::put(out + 4, *v);
      store_u32(out, static_cast<std::uint32_t>(n));
      out += 4 + n;
    } else {
      const std::size_t n = codec<T>::put(out + 4, v);
      store_u32(out, static_cast<std::uint32_t>(n));
      out += 4 + n;
    }
  }
}

template <class E>
std::vector<E> decode_array(const field& f, std::string_view cpp_type) {
  using T = typename element_of_t<E>::type;
  const array_header h = read_array_header(f, cpp_type);
  std::vector<E> out;
  out.reserve(static_cast<std::size_t>(h.count));
  const char* p = h.elements;
  const char* const end = f.data + f.length;
  field element{nullptr, 0, h.element, false, f.column, f.name, f.sql, f.query_name};
  for (std::int64_t i = 0; i < h.count; ++i) {
    if (end - p < 4) [[unlikely]] throw_malformed(f, cpp_type);
    const auto length = static_cast<std::int32_t>(load_u32(p));
    p += 4;
    if (length == -1) {
      if constexpr (is_optional<E>::value) {
        out.emplace_back();
        continue;
      } else {
        throw_null_element(f, type_name<T>);
      }
    }
    if (length < 0 || end - p < length) [[unlikely]] throw_malformed(f, cpp_type);
    element.data = p;
    element.length = length;
    out.emplace_back(codec<T>::decode(element));
    p += length;
  }
  if (p != end) [[unlikely]] throw_malformed(f, cpp_type);
  return out;
}

/// std::vector<T> is a one-dimensional array of T (int8[], text[], uuid[] ...), for
/// `WHERE id = ANY($1)`; std::vector<std::optional<T>> allows NULL elements. Reads the array
/// types of every element type T reads (an int4[] into std::vector<std::int64_t>); a NULL
/// element into a non-optional element, or a multi-dimensional array, is a type_error.
template <array_slot E>
struct codec<std::vector<E>> {
  using element = typename element_of_t<E>::type;
  static constexpr oid type = array_of(codec<element>::type);
  static constexpr bool reads(oid t) noexcept {
    const oid e = element_of(t);
    return e != 0 && codec<element>::reads(e);
  }
  static void encode(param_list& p, const std::vector<E>& v) { encode_array<E>(p, v); }
  static std::vector<E> decode(const field& f)
    requires decodable<element>
  {
    check_readable(f, reads(f.type), type_name<std::vector<E>>);
    return decode_array<E>(f, type_name<std::vector<E>>);
  }
};

/// A span is an array like std::vector, bind only.
template <array_slot E, std::size_t Extent>
struct codec<std::span<const E, Extent>> {
  using element = typename element_of_t<E>::type;
  static constexpr oid type = array_of(codec<element>::type);
  static constexpr bool reads(oid t) noexcept { return codec<std::vector<E>>::reads(t); }
  static void encode(param_list& p, std::span<const E, Extent> v) { encode_array<E>(p, v); }
};

// ---- a statement's parameters --------------------------------------------------------------

/// The type OIDs of a statement's parameters, for PQprepare's paramTypes.
/// @code
/// PQprepare(conn, name, sql, 2, param_types<std::int64_t, std::string>.data());
/// @endcode
template <class... Args>
inline constexpr std::array<oid, sizeof...(Args)> param_types{
    codec<std::remove_cvref_t<Args>>::type...};

/// Fills `p` with `args`, one parameter each, ready for PQexecPrepared: clears it first and
/// resolves its pointers after. Throws type_error for a value that cannot be sent (a
/// uint64 above INT64_MAX, text that is not a numeric), naming the parameter.
template <class... Args>
void encode_params(param_list& p, const Args&... args) {
  static_assert((encodable<Args> && ...),
                "sqlproof: a parameter type cannot be sent to PostgreSQL (it has neither a "
                "built-in codec nor value_traits with a storage_type that has one)");
  if constexpr ((encodable<Args> && ...)) {  // else only the message above, no cascade
    p.clear();
    (codec<Args>::encode(p, args), ...);
    p.finish();
  }
}

// ---- rows ---------------------------------------------------------------------------------

/// How a result row is read: one value, a std::tuple, or an aggregate struct field by field.
enum class row_kind { scalar, tuple, aggregate, invalid };

template <class Row>
consteval row_kind kind_of_row() {
  if constexpr (decodable<Row>) {
    return row_kind::scalar;
  } else if constexpr (is_tuple<Row>::value) {
    return row_kind::tuple;
  } else if constexpr (std::is_aggregate_v<Row> && !std::is_array_v<Row>) {
    return row_kind::aggregate;
  } else {
    return row_kind::invalid;
  }
}

// The type result column I is read into (lazily, so a scalar row never asks Boost.PFR).
template <class Row, std::size_t I>
auto row_field_tag() {
  if constexpr (kind_of_row<Row>() == row_kind::scalar) {
    return std::type_identity<Row>{};
  } else if constexpr (kind_of_row<Row>() == row_kind::tuple) {
    return std::type_identity<std::tuple_element_t<I, Row>>{};
  } else {
    return std::type_identity<typename sqlproof::detail::field_type_of<I, Row>::type>{};
  }
}

template <class Row, std::size_t I>
using row_field_t = typename decltype(row_field_tag<Row, I>())::type;

/// The number of result columns `Row` reads.
template <class Row>
consteval int row_width() {
  constexpr row_kind k = kind_of_row<Row>();
  if constexpr (k == row_kind::scalar) {
    return 1;
  } else if constexpr (k == row_kind::tuple) {
    return static_cast<int>(std::tuple_size_v<Row>);
  } else if constexpr (k == row_kind::aggregate) {
    return static_cast<int>(sqlproof::detail::field_count<Row>);
  } else {
    return 0;
  }
}

template <class Row, std::size_t... I>
consteval bool fields_decodable(std::index_sequence<I...>) {
  return (decodable<row_field_t<Row, I>> && ...);
}

/// Whether every column of `Row` can be read from PostgreSQL.
template <class Row>
consteval bool row_decodable() {
  constexpr row_kind k = kind_of_row<Row>();
  if constexpr (k == row_kind::scalar) {
    return true;
  } else if constexpr (k == row_kind::invalid) {
    return false;
  } else {
    return fields_decodable<Row>(std::make_index_sequence<row_width<Row>()>{});
  }
}

template <class Row, class FieldAt, std::size_t... I>
Row read_fields(FieldAt& field_at, std::index_sequence<I...>) {
  // Braced initialisation evaluates left to right, so columns are read in order.
  return Row{codec<row_field_t<Row, I>>::decode(field_at(static_cast<int>(I)))...};
}

/// Reads one result row as `Row`; `field_at(i)` returns the `field` (or a reference to it)
/// of column i, for i in [0, row_width<Row>()). Throws type_error naming the column when a
/// value does not fit.
/// @code
/// auto row = read_row<user>([&](int i) { return field{PQgetvalue(res, r, i), ...}; });
/// @endcode
// Declared only: what read_row returns for a row type it cannot read, after its
// static_assert, so that the one message is the only error.
template <class Row>
Row unreadable_row();

template <class Row, class FieldAt>
Row read_row(FieldAt&& field_at) {
  static_assert(row_decodable<Row>(),
                "sqlproof: the row type has a field PostgreSQL cannot read into (a view such as "
                "std::string_view or const char*, or a type without a codec or value_traits); "
                "use std::string, a built-in type, or give the type value_traits");
  if constexpr (!row_decodable<Row>()) {
    return unreadable_row<Row>();
  } else if constexpr (kind_of_row<Row>() == row_kind::scalar) {
    return codec<Row>::decode(field_at(0));
  } else {
    return read_fields<Row>(field_at, std::make_index_sequence<row_width<Row>()>{});
  }
}

[[noreturn]] SQLPROOF_COLD inline void throw_row_width(int columns, int fields,
                                                       std::string_view row_type) {
  sqlproof::detail::throw_error(sqlproof::detail::error_kind::schema,
                                concat({"the result has ", number_text(columns),
                                        " columns but the row type ", row_type, " reads ",
                                        number_text(fields)}));
}

/// Reads one result row from `count` fields; a count other than row_width<Row>() is a
/// schema_error.
template <class Row>
Row read_row(const field* fields, int count) {
  if (count != row_width<Row>()) [[unlikely]] throw_row_width(count, row_width<Row>(), type_name<Row>);
  return read_row<Row>([fields](int i) -> const field& { return fields[i]; });
}

// ---- result column types, checked once at prepare -----------------------------------------

template <class Row, std::size_t... I>
constexpr auto reads_table(std::index_sequence<I...>) noexcept {
  return std::array<bool (*)(oid) noexcept, sizeof...(I)>{&codec<row_field_t<Row, I>>::reads...};
}

template <class Row, std::size_t... I>
constexpr auto field_names_table(std::index_sequence<I...>) noexcept {
  return std::array<std::string_view, sizeof...(I)>{type_name<row_field_t<Row, I>>...};
}

/// Whether result column `i` of type `t` (PQftype after PQdescribePrepared) can be read into
/// field `i` of `Row`.
template <class Row>
bool column_type_fits(int i, oid t) noexcept {
  static constexpr auto table = reads_table<Row>(std::make_index_sequence<row_width<Row>()>{});
  return i >= 0 && i < row_width<Row>() && table[static_cast<std::size_t>(i)](t);
}

/// The C++ type field `i` of `Row` is read into, for messages.
template <class Row>
std::string_view field_type_name(int i) noexcept {
  static constexpr auto table =
      field_names_table<Row>(std::make_index_sequence<row_width<Row>()>{});
  return i >= 0 && i < row_width<Row>() ? table[static_cast<std::size_t>(i)] : std::string_view{};
}

/// The PostgreSQL type field `i` of `Row` is sent as, by name ("int8", "jsonb"), for messages;
/// empty when out of range.
template <class Row>
std::string_view field_pg_type_name(int i) noexcept {
  static constexpr auto table = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<oid, sizeof...(I)>{codec<row_field_t<Row, I>>::type...};
  }(std::make_index_sequence<row_width<Row>()>{});
  return i >= 0 && i < row_width<Row>() ? type_name_of(table[static_cast<std::size_t>(i)])
                                        : std::string_view{};
}

/// What the prepare-time check needs of a described result column.
struct column_description {
  oid type = 0;
  std::string_view name;
};

// "result column 2 ('payload') is jsonb, which cannot be read into field 2 (std::string) of
// Event; declare it sqlproof::pg::json"
[[noreturn]] SQLPROOF_COLD inline void throw_column_type_mismatch(
    int i, const column_description& c, bool scalar, std::string_view field_type,
    std::string_view row_type, std::string_view sql, std::string_view query_name) {
  const number_text n(i);
  const number_text oid_text(c.type);
  const std::string_view pg_name = type_name_of(c.type);
  const std::string_view reader = cpp_type_for(c.type);
  const std::string into =
      scalar ? std::string(field_type)
             : concat({"field ", n, " (", field_type, ") of ", row_type});
  const std::string hint =
      reader.empty() ? std::string("; cast it in the SQL to a type sqlproof reads, e.g. ::text")
                     : concat({"; declare it ", reader});
  sqlproof::detail::throw_error(
      sqlproof::detail::error_kind::schema,
      concat({"result column ", n, " ('", c.name, "') ", pg_name.empty() ? "has type OID " : "is ",
              pg_name.empty() ? std::string_view(oid_text) : pg_name,
              ", which cannot be read into ", into, hint}),
      {0, {}, sql, query_name});
}

/// Checks every described result column against the field it is read into; `column_at(i)`
/// returns the `column_description` of column i. Throws schema_error for the first column
/// that does not fit. The column count is the caller's check (it is checked first).
template <class Row, class ColumnAt>
void check_result_types(int count, ColumnAt&& column_at, std::string_view sql = {},
                        std::string_view query_name = {}) {
  const int n = count < row_width<Row>() ? count : row_width<Row>();
  for (int i = 0; i < n; ++i) {
    const column_description c = column_at(i);
    if (!column_type_fits<Row>(i, c.type)) [[unlikely]] {
      throw_column_type_mismatch(i, c, kind_of_row<Row>() == row_kind::scalar,
                                 field_type_name<Row>(i), type_name<Row>, sql, query_name);
    }
  }
}

}  // namespace sqlproof::pg::detail
