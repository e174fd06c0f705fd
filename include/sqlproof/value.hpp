#pragma once
/// @file
/// How C++ values map to database values, through the customisation point `value_traits<T>`.
/// This header is the backend-neutral part: which types are built in and their value
/// families, and the user layer (`storage_type`); each backend encodes the built-in types
/// itself (SQLite: sqlite/detail/codec.hpp; PostgreSQL: postgres/detail/codec.hpp).
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
/// read-only. The built-in specialisations below only name the type's value family (and
/// `bind_only` for types that cannot be read); each backend's codec encodes them.
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

}  // namespace detail

// ---- numbers ------------------------------------------------------------------------------

/// `bool` is stored as INTEGER 0 or 1; reading any other integer is a `type_error`.
template <>
struct value_traits<bool> {
  static constexpr value_family family = value_family::boolean;
};


/// Every integer type is stored as INTEGER (64-bit signed). Binding an unsigned value above
/// INT64_MAX and reading a value outside `T`'s range are `type_error`s, never truncation.
template <detail::sql_integer T>
struct value_traits<T> {
  static constexpr value_family family = value_family::integer;
};


/// `float` and `double` are stored as REAL. Reading accepts INTEGER too (SQLite returns
/// integers from `sum`, `max`, and for whole numbers stored in numeric columns).
template <std::floating_point T>
struct value_traits<T> {
  static constexpr value_family family = value_family::real;
};

// ---- text ---------------------------------------------------------------------------------

/// `std::string` is stored as TEXT (UTF-8); embedded NUL characters are kept.
template <>
struct value_traits<std::string> {
  static constexpr value_family family = value_family::text;
};


/// `std::string_view` binds as TEXT. It cannot be read: it would point into SQLite's buffer,
/// which the next step overwrites; read into `std::string`.
template <>
struct value_traits<std::string_view> {
  static constexpr value_family family = value_family::text;
  static constexpr bool bind_only = true;
};


/// `const char*` binds as TEXT; a null pointer binds NULL. Bind only.
template <>
struct value_traits<const char*> {
  static constexpr value_family family = value_family::text;
  static constexpr bool bind_only = true;
};

// ---- blobs --------------------------------------------------------------------------------

/// Byte vectors are stored as BLOB; an empty vector is an empty blob, not NULL.
template <detail::byte_like B>
struct value_traits<std::vector<B>> {
  static constexpr value_family family = value_family::blob;
};


/// Byte spans bind as BLOB (bind only: a span cannot own what it views).
template <detail::byte_like B, std::size_t Extent>
struct value_traits<std::span<const B, Extent>> {
  static constexpr value_family family = value_family::blob;
  static constexpr bool bind_only = true;
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

// ---- lists ----------------------------------------------------------------------------

namespace detail {

template <class T>
concept json_element = (std::is_arithmetic_v<T> && !std::same_as<T, char> && !char_like<T> &&
                        !byte_like<T>) ||
                       std::same_as<T, std::string> || std::same_as<T, std::string_view>;

}  // namespace detail


/// A list of numbers, `bool` or strings.
///
/// On SQLite it binds as a JSON array (TEXT), to be expanded in SQL with `json_each`:
/// `WHERE id IN (SELECT value FROM json_each(?))`. An element matches the rows it would match
/// bound on its own (a `float` is written as the double it binds as); an element that cannot
/// (NaN, infinity, an unsigned value above INT64_MAX, a string holding a NUL character) is a
/// `type_error` at bind time. SQLite has no list values to read: a row field of this type is
/// refused at compile time there.
///
/// On PostgreSQL it is an array both ways (`WHERE id = ANY($1)`, an `int8[]` column).
template <detail::json_element T>
struct value_traits<std::vector<T>> {
  static constexpr value_family family = value_family::json_list;
};

/// A list whose elements may be NULL: a JSON array with `null`s on SQLite (bind only), an
/// array with NULL elements on PostgreSQL.
template <detail::json_element T>
struct value_traits<std::vector<std::optional<T>>> {
  static constexpr value_family family = value_family::json_list;
};

namespace detail {

// A list type (value_family::json_list), which SQLite can bind but not read.
template <class T>
consteval bool is_list_value() {
  if constexpr (is_optional<T>::value) {
    return is_list_value<typename T::value_type>();
  } else if constexpr (requires { value_traits<T>::family; }) {
    return value_traits<T>::family == value_family::json_list;
  } else {
    return false;
  }
}

}  // namespace detail


/// A span of numbers or strings binds as a JSON array, like `std::vector`.
template <detail::json_element T, std::size_t Extent>
struct value_traits<std::span<const T, Extent>> {
  static constexpr value_family family = value_family::json_list;
  static constexpr bool bind_only = true;
};

// ---- the generic layer --------------------------------------------------------------------

namespace detail {

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

// A built-in type: its traits name a family and no storage_type; a backend's codec encodes it.
template <class T>
concept builtin_value = !converted<T> && requires { value_traits<T>::family; };
template <class T>
concept builtin_readable = builtin_value<T> && !requires { value_traits<T>::bind_only; };

// Evaluated lazily (if constexpr) so a type without traits is simply "not bindable" rather
// than an error inside the check itself.
template <class T>
consteval bool is_bindable() {
  if constexpr (is_optional<T>::value) {
    return is_bindable<typename T::value_type>();
  } else if constexpr (builtin_value<T>) {
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
  } else if constexpr (builtin_readable<T>) {
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

}  // namespace detail
}  // namespace sqlproof
