#pragma once
/// @file
/// Table mapping: `table_traits<T>` says which table a row struct maps to and names its
/// columns. Names may be omitted where Boost.PFR can reflect field names (Boost >= 1.84); with
/// older Boost they must be given.
/// @code
/// struct User { std::int64_t id; std::string name; std::optional<std::string> email; int age; };
/// template <> struct sqlproof::table_traits<User> {
///   static constexpr sqlproof::fixed_string name = "users";
///   static constexpr auto columns = sqlproof::column_names("id", "name", "email", "age");
///   static constexpr std::string_view primary_key = "id";
/// };
/// @endcode

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "detail/reflect.hpp"
#include "fixed_string.hpp"

namespace sqlproof {

/// Customisation point: specialise for a row struct to map it to a table. Members:
/// `name` (the table's name, required), `columns` (from `column_names(...)`, one per field in
/// declaration order; required unless field names can be reflected) and `primary_key`
/// (optional, the primary key column's name).
template <class T>
struct table_traits {};

/// Lists a mapped table's column names, one per field of the row struct, in field order.
template <class... Names>
constexpr auto column_names(const Names&... names) noexcept {
  return std::array<std::string_view, sizeof...(Names)>{std::string_view(names)...};
}

/// A type with a `table_traits` specialisation that names its table.
template <class T>
concept mapped_table = requires {
  { std::string_view(table_traits<T>::name) };
};

namespace detail {

template <class T>
concept has_column_list = requires {
  { table_traits<T>::columns.size() } -> std::convertible_to<std::size_t>;
};

template <class T>
consteval bool check_table_mapping() {
  if constexpr (!std::is_aggregate_v<T>) {
    static_assert(std::is_aggregate_v<T>,
                  "sqlproof: a mapped table's row type must be a plain aggregate struct "
                  "(no constructors, no virtual functions, public fields)");
    return false;
  } else if constexpr (!has_column_list<T> && !can_reflect_names) {
    static_assert(has_column_list<T>,
                  "sqlproof: table_traits<T> must list its columns with "
                  "sqlproof::column_names(...): this Boost.PFR (< 1.84) cannot reflect field names");
    return false;
  } else if constexpr (has_column_list<T>) {
    constexpr std::size_t listed = table_traits<T>::columns.size();
    static_assert(listed == field_count<T>,
                  "sqlproof: table_traits<T>::columns must name exactly one column per field of "
                  "T, in field order");
    return listed == field_count<T>;
  } else {
    return true;
  }
}

}  // namespace detail

/// The table name of a mapped row type.
template <mapped_table T>
inline constexpr std::string_view table_name = std::string_view(table_traits<T>::name);

/// The column names of a mapped row type, one per field: the listed names, or the reflected
/// field names where `table_traits<T>` lists none and Boost.PFR can reflect them.
/// @code
/// static_assert(sqlproof::table_columns<User>()[1] == "name");
/// @endcode
template <mapped_table T>
constexpr auto table_columns() noexcept {
  // The return type is deduced so that a non-aggregate T reaches the sqlproof: message in
  // check_table_mapping before Boost.PFR's own static_assert on field_count.
  if constexpr (!detail::check_table_mapping<T>()) {
    return std::array<std::string_view, 0>{};  // check_table_mapping's static_assert said why
  } else if constexpr (detail::has_column_list<T>) {
    std::array<std::string_view, detail::field_count<T>> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = table_traits<T>::columns[i];
    return out;
  } else {
    return detail::reflected_names<T>();
  }
}

/// The primary key column of a mapped row type, or empty when none is declared.
template <mapped_table T>
constexpr std::string_view table_primary_key() noexcept {
  if constexpr (requires { std::string_view(table_traits<T>::primary_key); }) {
    return std::string_view(table_traits<T>::primary_key);
  } else {
    return {};
  }
}

}  // namespace sqlproof
