#pragma once
/// @file
/// How C++ values map to SQLite values, through the customisation point `value_traits<T>`.
///
/// Built in: `bool`, every integer type (range-checked when read), `float`/`double`,
/// `std::string` (bind and read), `std::string_view` and `const char*` (bind only), blobs
/// (`std::vector<std::byte>`, `std::vector<std::uint8_t>`; `std::span<const std::byte>` and
/// `std::span<const std::uint8_t>` bind only), `std::optional<T>` for NULL, enums (as their
/// underlying integer), `std::chrono` durations and `system_clock` time points, and lists
/// (`std::vector<T>`, `std::span<const T>` of numbers or strings, bind only) encoded as a JSON
/// array for `IN (SELECT value FROM json_each(?))`.
///
/// A user type maps by converting to one of those:
/// @code
/// struct money { std::int64_t cents; };
/// template <> struct sqlproof::value_traits<money> {
///   using storage_type = std::int64_t;
///   static std::int64_t to_storage(const money& m) { return m.cents; }
///   static money from_storage(std::int64_t c) { return money{c}; }
/// };
/// @endcode

#include <charconv>
#include "detail/chrono.hpp"
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "config.hpp"
#include "detail/sqlite_api.hpp"
#include "detail/type_name.hpp"
#include "error.hpp"

namespace sqlproof {

/// The family of SQLite values a C++ type maps to; used by the compile-time checks to tell
/// whether a parameter fits the column it is compared with.
enum class value_family { integer, real, text, blob, boolean, json_list };

/// Customisation point: how `T` is bound as a parameter and read from a result column.
///
/// Specialise it for a user type with `storage_type`, `to_storage` (for binding) and
/// `from_storage` (for reading); either half may be left out to make a type bind-only or
/// read-only. The built-in specialisations below use a lower-level form (`bind`/`read`) that
/// talks to SQLite directly; user code never needs it.
template <class T>
struct value_traits {};

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
concept char_like = std::same_as<T, char8_t> || std::same_as<T, char16_t> ||
                    std::same_as<T, char32_t> || std::same_as<T, wchar_t>;

template <class T>
concept sql_integer = std::integral<T> && !std::same_as<T, bool> && !char_like<T>;

template <class T>
concept byte_like = std::same_as<T, std::byte> || std::same_as<T, std::uint8_t> ||
                    std::same_as<T, unsigned char>;

// False for NaN and the infinities (whose difference with themselves is NaN), without <cmath>.
constexpr bool is_finite(double v) noexcept { return v - v == 0; }

// "cannot read column 2 ('age') into int: <what>[; <hint>]", naming the statement's SQL.
// Messages name the column or parameter, the C++ type and the storage class, never the value
// itself: a value is the application's data (a balance, an identifier), and an exception's
// text ends up in logs and bug reports. (The trace hook likewise leaves values out unless
// asked.)
[[noreturn]] SQLPROOF_COLD inline void throw_read_error(const column_ref& c,
                                                        std::string_view cpp_type,
                                                        std::string_view what,
                                                        std::string_view hint) {
  const std::string_view name = c.name();
  const char* sql = sql_of(c.statement());
  throw type_error(concat({"cannot read column ", number_text(c.index()), " ('", name, "') into ",
                           cpp_type, ": ", what, hint.empty() ? "" : "; ", hint}),
                   {0, {}, sql != nullptr ? sql : "", {}}, c.index(), name);
}

[[noreturn]] SQLPROOF_COLD inline void throw_bind_error(int index, std::string_view cpp_type,
                                                        std::string_view what) {
  throw type_error(
      concat({"cannot bind parameter ", number_text(index), " of type ", cpp_type, ": ", what}),
      {}, -1, {});
}

// The error paths below are plain functions taking the type's name, so a field type or a
// query instantiates only a call to them, not its own copy of the message building.
[[noreturn]] SQLPROOF_COLD inline void throw_wrong_storage(const column_ref& c, storage got,
                                                           std::string_view cpp_type) {
  if (got == storage::null) {
    throw_read_error(c, cpp_type, "the value is NULL",
                     concat({"declare the field as std::optional<", cpp_type, ">"}));
  }
  throw_read_error(c, cpp_type, concat({"the value's storage class is ", storage_name(got)}), {});
}

template <class T>
[[noreturn]] void throw_wrong_storage(const column_ref& c, storage got) {
  throw_wrong_storage(c, got, type_name<T>);
}

[[noreturn]] SQLPROOF_COLD inline void throw_not_bool(const column_ref& c) {
  throw_read_error(c, "bool", "the INTEGER is neither 0 nor 1", {});
}

[[noreturn]] SQLPROOF_COLD inline void throw_integer_out_of_range(const column_ref& c,
                                                                  std::string_view cpp_type) {
  throw_read_error(c, cpp_type, "the INTEGER is out of the type's range",
                   "use a wider integer type");
}

[[noreturn]] SQLPROOF_COLD inline void throw_real_out_of_range(const column_ref& c,
                                                               std::string_view cpp_type) {
  throw_read_error(c, cpp_type, "the value is out of the type's range", "use double");
}

[[noreturn]] SQLPROOF_COLD inline void throw_unsigned_too_large(int index,
                                                                std::string_view cpp_type) {
  throw_bind_error(index, cpp_type,
                   "the value is above INT64_MAX, which SQLite's 64-bit signed INTEGER cannot hold");
}

[[noreturn]] SQLPROOF_COLD inline void throw_bind_failed(int rc, int index,
                                                         std::string_view cpp_type) {
  throw_bind_error(index, cpp_type, concat({"SQLite returned code ", number_text(rc)}));
}

inline void check_bind(int rc, int index, std::string_view cpp_type) {
  if (rc != sqlite_ok) [[unlikely]]
    throw_bind_failed(rc, index, cpp_type);
}

}  // namespace detail

// ---- numbers ------------------------------------------------------------------------------

/// `bool` is stored as INTEGER 0 or 1; reading any other integer is a `type_error`.
template <>
struct value_traits<bool> {
  static constexpr value_family family = value_family::boolean;
  static int bind(const detail::binder& b, int i, bool v) noexcept { return b.int64(i, v ? 1 : 0); }
  static bool read(const detail::column_ref& c) {
    const auto t = c.type();
    if (t != detail::storage::integer) [[unlikely]] detail::throw_wrong_storage<bool>(c, t);
    const auto v = c.int64();
    if (v != 0 && v != 1) [[unlikely]] {
      detail::throw_not_bool(c);
    }
    return v == 1;
  }
};

/// Every integer type is stored as INTEGER (64-bit signed). Binding an unsigned value above
/// INT64_MAX and reading a value outside `T`'s range are `type_error`s, never truncation.
template <detail::sql_integer T>
struct value_traits<T> {
  static constexpr value_family family = value_family::integer;
  static int bind(const detail::binder& b, int i, T v) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max())) [[unlikely]] {
        detail::throw_unsigned_too_large(i, detail::type_name<T>);
      }
    }
    return b.int64(i, static_cast<std::int64_t>(v));
  }
  static T read(const detail::column_ref& c) {
    const auto t = c.type();
    if (t != detail::storage::integer) [[unlikely]] detail::throw_wrong_storage<T>(c, t);
    const std::int64_t v = c.int64();
    if constexpr (!std::same_as<T, std::int64_t>) {
      // std::in_range rejects plain `char` (not a standard integer type): check its range as
      // the signed or unsigned char it behaves as.
      using range_type =
          std::conditional_t<std::same_as<T, char>,
                             std::conditional_t<std::is_signed_v<char>, signed char, unsigned char>,
                             T>;
      if (!std::in_range<range_type>(v)) [[unlikely]] {
        detail::throw_integer_out_of_range(c, detail::type_name<T>);
      }
    }
    return static_cast<T>(v);
  }
};

/// `float` and `double` are stored as REAL. Reading accepts INTEGER too (SQLite returns
/// integers from `sum`, `max`, and for whole numbers stored in numeric columns).
template <std::floating_point T>
struct value_traits<T> {
  static constexpr value_family family = value_family::real;
  static int bind(const detail::binder& b, int i, T v) noexcept {
    return b.real(i, static_cast<double>(v));
  }
  static T read(const detail::column_ref& c) {
    const auto t = c.type();
    double v = 0;
    if (t == detail::storage::real) [[likely]] {
      v = c.real();
    } else if (t == detail::storage::integer) {
      v = static_cast<double>(c.int64());
    } else [[unlikely]] {
      detail::throw_wrong_storage<T>(c, t);
    }
    if constexpr (sizeof(T) < sizeof(double)) {
      if (detail::is_finite(v) &&
          (v < 0 ? -v : v) > static_cast<double>(std::numeric_limits<T>::max()))
          [[unlikely]] {
        detail::throw_real_out_of_range(c, detail::type_name<T>);
      }
    }
    return static_cast<T>(v);
  }
};

// ---- text ---------------------------------------------------------------------------------

/// `std::string` is stored as TEXT (UTF-8); embedded NUL characters are kept.
template <>
struct value_traits<std::string> {
  static constexpr value_family family = value_family::text;
  static int bind(const detail::binder& b, int i, const std::string& v) noexcept {
    return b.text(i, v);
  }
  static std::string read(const detail::column_ref& c) {
    const auto t = c.type();
    if (t != detail::storage::text) [[unlikely]] detail::throw_wrong_storage<std::string>(c, t);
    return std::string(c.text());
  }
};

/// `std::string_view` binds as TEXT. It cannot be read: it would point into SQLite's buffer,
/// which the next step overwrites; read into `std::string`.
template <>
struct value_traits<std::string_view> {
  static constexpr value_family family = value_family::text;
  static int bind(const detail::binder& b, int i, std::string_view v) noexcept {
    return b.text(i, v);
  }
};

/// `const char*` binds as TEXT; a null pointer binds NULL. Bind only.
template <>
struct value_traits<const char*> {
  static constexpr value_family family = value_family::text;
  static int bind(const detail::binder& b, int i, const char* v) noexcept {
    return v == nullptr ? b.null(i) : b.text(i, v);
  }
};

// ---- blobs --------------------------------------------------------------------------------

/// Byte vectors are stored as BLOB; an empty vector is an empty blob, not NULL.
template <detail::byte_like B>
struct value_traits<std::vector<B>> {
  static constexpr value_family family = value_family::blob;
  static int bind(const detail::binder& b, int i, const std::vector<B>& v) noexcept {
    return b.blob(i, std::as_bytes(std::span<const B>(v)));
  }
  static std::vector<B> read(const detail::column_ref& c) {
    const auto t = c.type();
    if (t != detail::storage::blob) [[unlikely]] detail::throw_wrong_storage<std::vector<B>>(c, t);
    const auto bytes = c.blob();
    std::vector<B> out(bytes.size());
    for (std::size_t k = 0; k < bytes.size(); ++k) out[k] = static_cast<B>(bytes[k]);
    return out;
  }
};

/// Byte spans bind as BLOB (bind only: a span cannot own what it views).
template <detail::byte_like B, std::size_t Extent>
struct value_traits<std::span<const B, Extent>> {
  static constexpr value_family family = value_family::blob;
  static int bind(const detail::binder& b, int i, std::span<const B, Extent> v) noexcept {
    return b.blob(i, std::as_bytes(v));
  }
};

// ---- NULL ---------------------------------------------------------------------------------

/// `std::optional<T>` is NULL when empty, otherwise `T`'s value.
template <class T>
struct value_traits<std::optional<T>> {
  static constexpr value_family family = value_traits<T>::family;
  static constexpr bool nullable = true;
};

// ---- enums --------------------------------------------------------------------------------

namespace detail {

// An enum whose underlying type is fixed (`enum class e`, `enum e : int`) can hold every value
// of that type; only such an enum can be list-initialised from it ([dcl.init.list]/3.8).
// An enum without one holds only the values of the smallest bit-field that fits its
// enumerators ([dcl.enum]/8): converting 10 to `enum e { a, b, c }` is undefined behaviour.
template <class E>
concept fixed_underlying_enum = std::is_enum_v<E> && requires { E{std::underlying_type_t<E>{}}; };

}  // namespace detail

/// Enums are stored as their underlying integer; reading checks the underlying type's range
/// (not that the value names an enumerator: flags enums combine them).
///
/// Only an enum with a fixed underlying type (`enum class e`, `enum e : int`) can be read: an
/// enum without one (`enum e { a, b, c }`) has a range narrower than its underlying type, known
/// only from its enumerators, so reading it is refused at compile time. Binding it is allowed.
template <class E>
  requires std::is_enum_v<E>
struct value_traits<E> {
  using storage_type = std::underlying_type_t<E>;
  static constexpr storage_type to_storage(E e) noexcept { return static_cast<storage_type>(e); }
  static constexpr E from_storage(storage_type v) noexcept {
    static_assert(detail::fixed_underlying_enum<E>,
                  "sqlproof: an enum without a fixed underlying type cannot be read from a "
                  "column, since a value outside its enumerators would be undefined behaviour; "
                  "declare it with one (`enum e : int { ... }`) or as an `enum class`");
    return static_cast<E>(v);
  }
};

// ---- std::chrono --------------------------------------------------------------------------

/// A duration is stored as its tick count in its own unit: `std::chrono::seconds` as INTEGER
/// seconds, `std::chrono::milliseconds` as INTEGER milliseconds, a floating-point duration as
/// REAL. Pick the unit the column holds.
template <class Rep, class Period>
struct value_traits<std::chrono::duration<Rep, Period>> {
  using storage_type = Rep;
  static constexpr Rep to_storage(std::chrono::duration<Rep, Period> d) noexcept {
    return d.count();
  }
  static constexpr std::chrono::duration<Rep, Period> from_storage(Rep r) noexcept {
    return std::chrono::duration<Rep, Period>{r};
  }
};

/// A `system_clock` time point is stored as the tick count of its duration since the Unix
/// epoch (UTC): `std::chrono::sys_seconds` is INTEGER Unix time, the encoding SQLite's
/// `unixepoch()` and `datetime(x, 'unixepoch')` use; `sys_time<milliseconds>` is INTEGER
/// milliseconds since the epoch.
template <class Duration>
struct value_traits<std::chrono::time_point<std::chrono::system_clock, Duration>> {
  using time_point = std::chrono::time_point<std::chrono::system_clock, Duration>;
  using storage_type = typename Duration::rep;
  static constexpr storage_type to_storage(time_point t) noexcept {
    return t.time_since_epoch().count();
  }
  static constexpr time_point from_storage(storage_type r) noexcept {
    return time_point{Duration{r}};
  }
};

// ---- lists as JSON ------------------------------------------------------------------------

namespace detail {

template <class T>
concept json_element = (std::is_arithmetic_v<T> && !std::same_as<T, char> && !char_like<T> &&
                        !byte_like<T>) ||
                       std::same_as<T, std::string> || std::same_as<T, std::string_view>;

[[noreturn]] SQLPROOF_COLD inline void throw_nul_in_json_list(int index) {
  throw_bind_error(index, "list",
                   "a string holds a NUL character, which json_each would cut the string at; "
                   "bind such a value as a parameter of its own");
}

[[noreturn]] SQLPROOF_COLD inline void throw_list_element_too_large(int index,
                                                                    std::string_view cpp_type) {
  throw_bind_error(index, "list",
                   concat({"an element of type ", cpp_type, " is above INT64_MAX, which "
                           "SQLite's 64-bit signed INTEGER cannot hold"}));
}

inline void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

template <class T>
void append_json_element(std::string& out, const T& v, int index) {
  if constexpr (std::same_as<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    // Written as the double a scalar parameter of type T binds (value_traits<T>::bind), so a
    // list element compares equal to the same value bound singly: the shortest form of the
    // float 0.1f is "0.1", which reads back as the double 0.1, not as 0.1f widened.
    const double d = static_cast<double>(v);
    if (!is_finite(d)) {
      throw_bind_error(index, "list", "JSON has no representation for NaN or infinity");
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, r.ptr);
  } else if constexpr (std::is_arithmetic_v<T>) {
    // The same check as a scalar parameter: json_each would turn a larger value into REAL.
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max())) [[unlikely]] {
        throw_list_element_too_large(index, type_name<T>);
      }
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  } else {
    // SQLite's json_each returns "a\u0000b" as the text "a" (it ends the value at the NUL),
    // so the list would match other rows than the strings it was given.
    if (std::string_view(v).find('\0') != std::string_view::npos) [[unlikely]] {
      throw_nul_in_json_list(index);
    }
    append_json_string(out, v);
  }
}

// A range rather than a span: std::vector<bool> has no contiguous storage to view.
template <class Range>
int bind_json_list(const binder& b, int i, const Range& list) {
  std::string json = "[";
  bool first = true;
  for (const auto& v : list) {
    if (!first) json += ',';
    first = false;
    append_json_element(json, v, i);
  }
  json += ']';
  return b.owned_text(i, json);
}

}  // namespace detail

/// A list binds as a JSON array (TEXT), to be expanded in SQL with `json_each`:
/// `WHERE id IN (SELECT value FROM json_each(?))`. Numbers, `bool` and strings are allowed.
/// An element matches the rows it would match bound on its own (a `float` is written as the
/// double it binds as); an element that cannot (NaN, infinity, an unsigned value above
/// INT64_MAX, a string holding a NUL character) is a `type_error` at bind time.
template <detail::json_element T>
struct value_traits<std::vector<T>> {
  static constexpr value_family family = value_family::json_list;
  static int bind(const detail::binder& b, int i, const std::vector<T>& v) {
    return detail::bind_json_list(b, i, v);
  }
};

/// A span of numbers or strings binds as a JSON array, like `std::vector`.
template <detail::json_element T, std::size_t Extent>
struct value_traits<std::span<const T, Extent>> {
  static constexpr value_family family = value_family::json_list;
  static int bind(const detail::binder& b, int i, std::span<const T, Extent> v) {
    return detail::bind_json_list(b, i, std::span<const T>(v));
  }
};

// ---- the generic layer --------------------------------------------------------------------

namespace detail {

template <class T>
concept direct_bind = requires(const binder& b, const T& v) {
  { value_traits<T>::bind(b, 1, v) } -> std::same_as<int>;
};
template <class T>
concept direct_read = requires(const column_ref& c) {
  { value_traits<T>::read(c) } -> std::same_as<T>;
};
template <class T>
concept converted = requires { typename value_traits<T>::storage_type; };
template <class T>
concept converted_bind = converted<T> && requires(const T& v) {
  value_traits<T>::to_storage(v);
};
template <class T>
concept converted_read = converted<T> && requires(typename value_traits<T>::storage_type s) {
  { value_traits<T>::from_storage(std::move(s)) } -> std::same_as<T>;
};

// Evaluated lazily (if constexpr) so a type without traits is simply "not bindable" rather
// than an error inside the check itself.
template <class T>
consteval bool is_bindable() {
  if constexpr (is_optional<T>::value) {
    return is_bindable<typename T::value_type>();
  } else if constexpr (direct_bind<T>) {
    return true;
  } else if constexpr (converted_bind<T>) {
    return is_bindable<typename value_traits<T>::storage_type>();
  } else {
    return false;
  }
}

template <class T>
consteval bool is_readable() {
  if constexpr (is_optional<T>::value) {
    return is_readable<typename T::value_type>();
  } else if constexpr (direct_read<T>) {
    return true;
  } else if constexpr (converted_read<T>) {
    return is_readable<typename value_traits<T>::storage_type>();
  } else {
    return false;
  }
}

}  // namespace detail

/// A type that can be bound as a statement parameter (built in, or through `value_traits`).
template <class T>
concept bindable = detail::is_bindable<std::remove_cvref_t<T>>();

/// A type that can be read from a result column (built in, or through `value_traits`).
template <class T>
concept readable = detail::is_readable<std::remove_cvref_t<T>>();

namespace detail {

/// The family of a bindable or readable type (through conversions and optional).
template <class T>
constexpr value_family family_of() noexcept {
  if constexpr (is_optional<T>::value) {
    return family_of<typename T::value_type>();
  } else if constexpr (converted<T>) {
    return family_of<typename value_traits<T>::storage_type>();
  } else {
    return value_traits<T>::family;
  }
}

/// Binds `v` as parameter `i` (1-based). Throws `type_error` when SQLite refuses the value.
template <class T>
inline void bind_value(const binder& b, int i, const T& v) {
  if constexpr (is_optional<T>::value) {
    if (!v.has_value()) {
      check_bind(b.null(i), i, type_name<T>);
    } else {
      bind_value(b, i, *v);
    }
  } else if constexpr (direct_bind<T>) {
    check_bind(value_traits<T>::bind(b, i, v), i, type_name<T>);
  } else if constexpr (std::is_reference_v<decltype(value_traits<T>::to_storage(v))>) {
    bind_value(b, i, value_traits<T>::to_storage(v));
  } else {
    // to_storage returned a temporary (e.g. a std::string built for this call), gone before
    // the statement steps: SQLite must copy its text or blob, whatever `b` would do.
    bind_value(binder(b.statement(), bind_lifetime::copied), i, value_traits<T>::to_storage(v));
  }
}

/// Reads column `c` of the current row as `T`. Throws `type_error` naming the column when the
/// value does not fit.
template <class T>
inline T read_value(const column_ref& c);

// Converts to the column's value: lets an optional construct its value in place from the read
// (the conversion's result initialises the contained object, CWG 2327) instead of moving a
// string or vector into it.
template <class T>
struct value_reader {
  const column_ref& column;
  operator T() const { return read_value<T>(column); }  // NOLINT: implicit by design
};

template <class T>
inline T read_value(const column_ref& c) {
  if constexpr (is_optional<T>::value) {
    if (c.is_null()) return std::nullopt;
    return T(std::in_place, value_reader<typename T::value_type>{c});
  } else if constexpr (direct_read<T>) {
    return value_traits<T>::read(c);
  } else {
    return value_traits<T>::from_storage(read_value<typename value_traits<T>::storage_type>(c));
  }
}

}  // namespace detail
}  // namespace sqlproof
