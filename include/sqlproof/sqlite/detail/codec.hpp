#pragma once
// SQLite's encoding of the built-in value types (value.hpp names them and their families):
// each `sqlite_codec<T>` binds through `binder` and reads through `column_ref`, checking the
// storage class and the C++ type's range (https://sqlite.org/datatype3.html). `bind_value` and
// `read_value` add the user layer: std::optional, and `value_traits<T>::storage_type`.

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

#include "../../config.hpp"
#include "../../detail/json_text.hpp"
#include "../../detail/type_name.hpp"
#include "../../error.hpp"
#include "../../value.hpp"
#include "api.hpp"

namespace sqlproof::detail {

template <class T>
struct sqlite_codec;


// False for NaN and the infinities (whose difference with themselves is NaN), without <cmath>.
constexpr bool is_finite(double v) noexcept { return v - v == 0; }

// "cannot read column 2 ('age') into int: <what>[; <hint>]", naming the statement's SQL.
// Messages name the column or parameter, the C++ type and the storage class, never the value
// itself: a value is the application's data (a balance, an identifier), and an exception's
// text ends up in logs and bug reports. (The trace hook likewise leaves values out unless
// asked.)
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_read_error(const column_ref& c,
                                                               std::string_view cpp_type,
                                                               std::string_view what,
                                                               std::string_view hint)
#if SQLPROOF_DEFINITIONS
{
  const std::string_view name = c.name();
  const char* sql = sql_of(c.statement());
  throw type_error(concat({"cannot read column ", number_text(c.index()), " ('", name, "') into ",
                           cpp_type, ": ", what, hint.empty() ? "" : "; ", hint}),
                   {0, {}, sql != nullptr ? sql : "", {}}, c.index(), name);
}
#else
    ;
#endif

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_bind_error(int index, std::string_view cpp_type,
                                                               std::string_view what)
#if SQLPROOF_DEFINITIONS
{
  throw type_error(
      concat({"cannot bind parameter ", number_text(index), " of type ", cpp_type, ": ", what}),
      {}, -1, {});
}
#else
    ;
#endif

// The error paths below are plain functions taking the type's name, so a field type or a
// query instantiates only a call to them, not its own copy of the message building.
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_wrong_storage(const column_ref& c, storage got,
                                                                  std::string_view cpp_type)
#if SQLPROOF_DEFINITIONS
{
  if (got == storage::null) {
    throw_read_error(c, cpp_type, "the value is NULL",
                     concat({"declare the field as std::optional<", cpp_type, ">"}));
  }
  throw_read_error(c, cpp_type, concat({"the value's storage class is ", storage_name(got)}), {});
}
#else
    ;
#endif

template <class T>
[[noreturn]] void throw_wrong_storage(const column_ref& c, storage got) {
  throw_wrong_storage(c, got, type_name<T>);
}

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_not_bool(const column_ref& c)
#if SQLPROOF_DEFINITIONS
{
  throw_read_error(c, "bool", "the INTEGER is neither 0 nor 1", {});
}
#else
    ;
#endif

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_integer_out_of_range(const column_ref& c,
                                                                         std::string_view cpp_type)
#if SQLPROOF_DEFINITIONS
{
  throw_read_error(c, cpp_type, "the INTEGER is out of the type's range",
                   "use a wider integer type");
}
#else
    ;
#endif

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_real_out_of_range(const column_ref& c,
                                                                      std::string_view cpp_type)
#if SQLPROOF_DEFINITIONS
{
  throw_read_error(c, cpp_type, "the value is out of the type's range", "use double");
}
#else
    ;
#endif

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_unsigned_too_large(int index,
                                                                       std::string_view cpp_type)
#if SQLPROOF_DEFINITIONS
{
  throw_bind_error(index, cpp_type,
                   "the value is above INT64_MAX, which SQLite's 64-bit signed INTEGER cannot hold");
}
#else
    ;
#endif

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_bind_failed(int rc, int index,
                                                                std::string_view cpp_type)
#if SQLPROOF_DEFINITIONS
{
  throw_bind_error(index, cpp_type, concat({"SQLite returned code ", number_text(rc)}));
}
#else
    ;
#endif

inline void check_bind(int rc, int index, std::string_view cpp_type) {
  if (rc != sqlite_ok) [[unlikely]]
    throw_bind_failed(rc, index, cpp_type);
}


// ---- lists as JSON ------------------------------------------------------------------------

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_nul_in_json_list(int index)
#if SQLPROOF_DEFINITIONS
{
  throw_bind_error(index, "list",
                   "a string holds a NUL character, which json_each would cut the string at; "
                   "bind such a value as a parameter of its own");
}
#else
    ;
#endif

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_list_element_too_large(
    int index, std::string_view cpp_type)
#if SQLPROOF_DEFINITIONS
{
  throw_bind_error(index, "list",
                   concat({"an element of type ", cpp_type, " is above INT64_MAX, which "
                           "SQLite's 64-bit signed INTEGER cannot hold"}));
}
#else
    ;
#endif

// append_json_string: detail/json_text.hpp.

template <class T>
void append_json_element(std::string& out, const T& v, int index) {
  if constexpr (is_optional<T>::value) {
    if (v.has_value()) {
      append_json_element(out, *v, index);
    } else {
      out += "null";
    }
  } else if constexpr (std::same_as<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    // Written as the double a scalar parameter of type T binds (sqlite_codec<T>::bind), so a
    // list element compares equal to the same value bound singly: the shortest form of the
    // float 0.1f is "0.1", which reads back as the double 0.1, not as 0.1f widened.
    const double d = static_cast<double>(v);
    if (!is_finite(d)) {
      throw_bind_error(index, "list", "JSON has no representation for NaN or infinity");
    }
    append_json_number(out, d);
  } else if constexpr (std::is_arithmetic_v<T>) {
    // The same check as a scalar parameter: json_each would turn a larger value into REAL.
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max())) [[unlikely]] {
        throw_list_element_too_large(index, type_name<T>);
      }
    }
    if constexpr (std::is_signed_v<T>) {
      append_json_number(out, static_cast<std::int64_t>(v));
    } else {
      append_json_number(out, static_cast<std::uint64_t>(v));
    }
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


// ---- built-in types -----------------------------------------------------------------------

template <>
struct sqlite_codec<bool> {
  static int bind(const binder& b, int i, bool v) noexcept { return b.int64(i, v ? 1 : 0); }
  static bool read(const column_ref& c) {
    const auto t = c.type();
    if (t != storage::integer) [[unlikely]] throw_wrong_storage<bool>(c, t);
    const auto v = c.int64();
    if (v != 0 && v != 1) [[unlikely]] {
      throw_not_bool(c);
    }
    return v == 1;
  }
};


template <detail::sql_integer T>
struct sqlite_codec<T> {
  static int bind(const binder& b, int i, T v) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max())) [[unlikely]] {
        throw_unsigned_too_large(i, type_name<T>);
      }
    }
    return b.int64(i, static_cast<std::int64_t>(v));
  }
  static T read(const column_ref& c) {
    const auto t = c.type();
    if (t != storage::integer) [[unlikely]] throw_wrong_storage<T>(c, t);
    const std::int64_t v = c.int64();
    if constexpr (!std::same_as<T, std::int64_t>) {
      // std::in_range rejects plain `char` (not a standard integer type): check its range as
      // the signed or unsigned char it behaves as.
      using range_type =
          std::conditional_t<std::same_as<T, char>,
                             std::conditional_t<std::is_signed_v<char>, signed char, unsigned char>,
                             T>;
      if (!std::in_range<range_type>(v)) [[unlikely]] {
        throw_integer_out_of_range(c, type_name<T>);
      }
    }
    return static_cast<T>(v);
  }
};


template <std::floating_point T>
struct sqlite_codec<T> {
  static int bind(const binder& b, int i, T v) noexcept {
    return b.real(i, static_cast<double>(v));
  }
  static T read(const column_ref& c) {
    const auto t = c.type();
    double v = 0;
    if (t == storage::real) [[likely]] {
      v = c.real();
    } else if (t == storage::integer) {
      v = static_cast<double>(c.int64());
    } else [[unlikely]] {
      throw_wrong_storage<T>(c, t);
    }
    if constexpr (sizeof(T) < sizeof(double)) {
      if (is_finite(v) &&
          (v < 0 ? -v : v) > static_cast<double>(std::numeric_limits<T>::max()))
          [[unlikely]] {
        throw_real_out_of_range(c, type_name<T>);
      }
    }
    return static_cast<T>(v);
  }
};


template <>
struct sqlite_codec<std::string> {
  static int bind(const binder& b, int i, const std::string& v) noexcept {
    return b.text(i, v);
  }
  static std::string read(const column_ref& c) {
    const auto t = c.type();
    if (t != storage::text) [[unlikely]] throw_wrong_storage<std::string>(c, t);
    return std::string(c.text());
  }
};


template <>
struct sqlite_codec<std::string_view> {
  static int bind(const binder& b, int i, std::string_view v) noexcept {
    return b.text(i, v);
  }
};


template <>
struct sqlite_codec<const char*> {
  static int bind(const binder& b, int i, const char* v) noexcept {
    return v == nullptr ? b.null(i) : b.text(i, v);
  }
};


template <detail::byte_like B>
struct sqlite_codec<std::vector<B>> {
  static int bind(const binder& b, int i, const std::vector<B>& v) noexcept {
    return b.blob(i, std::as_bytes(std::span<const B>(v)));
  }
  static std::vector<B> read(const column_ref& c) {
    const auto t = c.type();
    if (t != storage::blob) [[unlikely]] throw_wrong_storage<std::vector<B>>(c, t);
    const auto bytes = c.blob();
    std::vector<B> out(bytes.size());
    for (std::size_t k = 0; k < bytes.size(); ++k) out[k] = static_cast<B>(bytes[k]);
    return out;
  }
};


template <detail::byte_like B, std::size_t Extent>
struct sqlite_codec<std::span<const B, Extent>> {
  static int bind(const binder& b, int i, std::span<const B, Extent> v) noexcept {
    return b.blob(i, std::as_bytes(v));
  }
};


template <detail::json_element T>
struct sqlite_codec<std::vector<T>> {
  static int bind(const binder& b, int i, const std::vector<T>& v) {
    return bind_json_list(b, i, v);
  }
};

template <detail::json_element T>
struct sqlite_codec<std::vector<std::optional<T>>> {
  static int bind(const binder& b, int i, const std::vector<std::optional<T>>& v) {
    return bind_json_list(b, i, v);
  }
};


template <detail::json_element T, std::size_t Extent>
struct sqlite_codec<std::span<const T, Extent>> {
  static int bind(const binder& b, int i, std::span<const T, Extent> v) {
    return bind_json_list(b, i, std::span<const T>(v));
  }
};

// ---- the generic layer --------------------------------------------------------------------

/// Binds `v` as parameter `i` (1-based). Throws `type_error` when SQLite refuses the value.
template <class T>
inline void bind_value(const binder& b, int i, const T& v) {
  if constexpr (is_optional<T>::value) {
    if (!v.has_value()) {
      check_bind(b.null(i), i, type_name<T>);
    } else {
      bind_value(b, i, *v);
    }
  } else if constexpr (builtin_value<T>) {
    check_bind(sqlite_codec<T>::bind(b, i, v), i, type_name<T>);
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
  } else if constexpr (builtin_value<T>) {
    return sqlite_codec<T>::read(c);
  } else {
    return value_traits<T>::from_storage(read_value<typename value_traits<T>::storage_type>(c));
  }
}

}  // namespace sqlproof::detail
