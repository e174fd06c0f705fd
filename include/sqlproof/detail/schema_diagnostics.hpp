#pragma once
// The template side of the checks against mapped tables: what the analysis in
// sql_schema_check.hpp is told about the C++ types (column families, nullability, row
// fields), and how a mistake it finds becomes one compiler error.
//
// How an error reads. A static_assert message must be a string literal (until C++26), so the
// query text and the offending token travel as template arguments of the error's class
// template, which both compilers print in the "in instantiation of" line just above the
// static_assert. GCC prints a class-type template argument holding a char array as a string
// (`text<4>{"nme"}`); Clang 14 prints it as numbers, so for Clang the text is spelled as a
// pack of chars (`at_token<'n', 'm', 'e'>`), which it prints as characters. Spelling is only
// done when an error is reported, so a query that passes costs nothing for it.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../fixed_string.hpp"
#include "../table.hpp"
#include "../value.hpp"
#include "reflect.hpp"
#include "sql_schema_check.hpp"

namespace sqlproof {

template <class... Tables>
struct schema;

namespace detail {

// ---- C++ types as the analysis sees them ----------------------------------------------

template <class T>
consteval bool family_known() {
  if constexpr (is_optional<T>::value) {
    return family_known<typename T::value_type>();
  } else if constexpr (converted<T>) {
    return family_known<typename value_traits<T>::storage_type>();
  } else {
    return requires { { value_traits<T>::family } -> std::convertible_to<value_family>; };
  }
}

template <class T>
consteval value_info value_info_of() {
  using U = std::remove_cvref_t<T>;
  if constexpr (family_known<U>()) {
    return {family_of<U>(), true, is_optional<U>::value};
  } else {
    return {value_family{}, false, is_optional<U>::value};
  }
}

// A mapping the analysis can use; a broken one is reported by check_table_mapping instead.
template <class T>
consteval bool usable_mapping() {
  if constexpr (!mapped_table<T> || !std::is_aggregate_v<T>) {
    return false;
  } else if constexpr (has_column_list<T>) {
    return table_traits<T>::columns.size() == field_count<T>;
  } else {
    return can_reflect_names;
  }
}

template <class T, std::size_t... I>
consteval std::array<column_info, sizeof...(I)> make_column_infos(std::index_sequence<I...>) {
  constexpr auto names = table_columns<T>();
  return {column_info{names[I], value_info_of<field_type<I, T>>().family,
                      value_info_of<field_type<I, T>>().family_known,
                      is_optional<field_type<I, T>>::value}...};
}

template <class T>
inline constexpr auto column_infos_of = make_column_infos<T>(std::make_index_sequence<field_count<T>>{});

template <class T>
inline constexpr table_info table_info_of{table_name<T>, column_infos_of<T>.data(),
                                          column_infos_of<T>.size()};

// The tables a query is checked against: the schema's, plus its row type when that is mapped.
template <class Schema, class Row>
struct tables_of;
template <class... Tables, class Row>
struct tables_of<schema<Tables...>, Row> {
  static constexpr bool add_row =
      usable_mapping<Row>() && !(std::is_same_v<Row, Tables> || ...);
  static constexpr std::size_t size = sizeof...(Tables) + (add_row ? 1 : 0);
  static constexpr bool complete = false;  // other tables may exist
  static constexpr auto value = [] {
    std::array<const table_info*, size == 0 ? 1 : size> out{};
    std::size_t k = 0;
    ((out[k++] = &table_info_of<Tables>), ...);
    if constexpr (add_row) out[k] = &table_info_of<Row>;
    return out;
  }();
};

template <class... Params>
inline constexpr std::array<value_info, sizeof...(Params) == 0 ? 1 : sizeof...(Params)>
    parameter_infos{value_info_of<Params>()...};

template <class T>
struct is_std_tuple : std::false_type {};
template <class... Ts>
struct is_std_tuple<std::tuple<Ts...>> : std::true_type {};

// The row's fields: none for void, one for a scalar, one per element or field otherwise.
// (Row types have passed the text checks before any of this is instantiated.)
template <class Row>
inline constexpr bool scalar_row = !std::is_void_v<Row> && readable<Row>;
template <class Row>
inline constexpr bool aggregate_row = !std::is_void_v<Row> && !readable<Row> &&
                                      !is_std_tuple<Row>::value && std::is_aggregate_v<Row>;

template <class Row>
struct row_infos {
  static constexpr bool known = false;
  static constexpr std::array<value_info, 1> fields{};
  static constexpr std::size_t count = 0;
};
template <class Row>
  requires scalar_row<Row>
struct row_infos<Row> {
  static constexpr bool known = true;
  static constexpr std::array<value_info, 1> fields{value_info_of<Row>()};
  static constexpr std::size_t count = 1;
};
template <class... Ts>
struct row_infos<std::tuple<Ts...>> {
  static constexpr bool known = true;
  static constexpr std::array<value_info, sizeof...(Ts) == 0 ? 1 : sizeof...(Ts)> fields{
      value_info_of<Ts>()...};
  static constexpr std::size_t count = sizeof...(Ts);
};
template <class Row>
  requires aggregate_row<Row>
struct row_infos<Row> {
  static constexpr bool known = true;
  static constexpr auto fields = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<value_info, sizeof...(I) == 0 ? 1 : sizeof...(I)>{
        value_info_of<field_type<I, Row>>()...};
  }(std::make_index_sequence<field_count<Row>>{});
  static constexpr std::size_t count = field_count<Row>;
};

template <class Row>
inline constexpr auto column_names_of = table_columns<Row>();

template <class Row>
consteval bool has_field_names() {
  return usable_mapping<Row>() && aggregate_row<Row>;
}

template <class Row>
consteval const std::string_view* row_field_names() {
  if constexpr (has_field_names<Row>()) {
    return column_names_of<Row>.data();
  } else {
    return nullptr;
  }
}

// ---- spelling text into template arguments --------------------------------------------

// A string as a template argument; GCC prints it as `text<4>{"nme"}`.
template <std::size_t N>
struct text {
  char chars[N]{};
  static constexpr std::size_t size = N - 1;
};

template <std::size_t N>
consteval text<N + 1> make_text(std::string_view s) {
  text<N + 1> out{};
  for (std::size_t i = 0; i < N && i < s.size(); ++i) out.chars[i] = s[i];
  return out;
}

/// The query's SQL text, the offending token, and the names an error mentions.
template <auto... Text> struct in_query {};
template <auto... Text> struct at_token {};
template <auto... Text> struct table {};
template <auto... Text> struct column {};
template <auto... Text> struct did_you_mean {};
template <auto... Text> struct expected_name {};

template <template <auto...> class Role, auto Text, class = std::make_index_sequence<Text.size>>
struct spell;
template <template <auto...> class Role, auto Text, std::size_t... I>
struct spell<Role, Text, std::index_sequence<I...>> {
#if defined(__clang__)
  using type = Role<Text.chars[I]...>;  // Clang 14 prints a char pack as 'n', 'm', 'e'
#else
  using type = Role<Text>;              // GCC prints text<4>{"nme"}
#endif
};
template <template <auto...> class Role, auto Text>
using spelled = typename spell<Role, Text>::type;

// ---- what a failed check shows -------------------------------------------------------

// The static_assert of a failed check (in query.hpp's check_query) asserts `reported<...>`
// of the particulars, so that both compilers print them beside the message.
template <class... Particulars>
inline constexpr bool reported = false;

template <class T>
consteval bool schema_lists_mapped_tables() {
  static_assert(mapped_table<T>,
                "sqlproof: every type listed in sqlproof::schema<...> must be a mapped table: "
                "specialise sqlproof::table_traits<T> with its name and columns (see "
                "schema_lists_mapped_tables<type>)");
  return mapped_table<T>;
}

// ---- the check ------------------------------------------------------------------------

template <class Row, std::size_t I>
consteval auto schema_field_type_tag() {
  if constexpr (scalar_row<Row>) {
    return std::type_identity<Row>{};
  } else if constexpr (is_std_tuple<Row>::value) {
    return std::type_identity<std::tuple_element_t<I, Row>>{};
  } else {
    return std::type_identity<field_type<I, Row>>{};
  }
}
// Field I of a row type, and parameter I of a signature: the types an error names.
template <class Row, std::size_t I>
using schema_field_t = typename decltype(schema_field_type_tag<Row, I>())::type;
template <std::size_t I, class... Params>
using schema_parameter_t = std::tuple_element_t<I, std::tuple<Params...>>;

template <class Schema>
struct schema_parts {
  static constexpr bool is_schema = false;
};
template <class... Tables>
struct schema_parts<schema<Tables...>> {
  static constexpr bool is_schema = true;
  static constexpr bool all_mapped = (mapped_table<Tables> && ...);
  static constexpr bool all_usable = (usable_mapping<Tables>() && ...);
  static consteval bool report_unmapped() { return (schema_lists_mapped_tables<Tables>() && ...); }
  static consteval bool report_mapping() { return (check_table_mapping<Tables>() && ...); }
};

template <class Schema>
consteval bool schema_argument_is_schema() {
  static_assert(schema_parts<Schema>::is_schema,
                "sqlproof: the third argument of query<> is a sqlproof::schema<Tables...>, e.g. "
                "query<\"SELECT ...\", Row(Params...), sqlproof::schema<User, Post>>");
  return false;
}

// Whether Schema (and a mapped Row) can be used as they are; when not,
// check_against_schema says why.
template <class Schema, class Row>
consteval bool schema_ready() {
  using parts = schema_parts<Schema>;
  if constexpr (!parts::is_schema) {
    return false;
  } else if constexpr (!parts::all_mapped || !parts::all_usable) {
    return false;
  } else {
    return !(mapped_table<Row> && !usable_mapping<Row>());
  }
}

// Reports what is wrong with Schema or a mapped Row (when schema_ready is false).
template <fixed_string Sql, class Schema, class Row, class... Params>
consteval bool check_against_schema() {
  using parts = schema_parts<Schema>;
  if constexpr (!parts::is_schema) {
    return schema_argument_is_schema<Schema>();
  } else if constexpr (!parts::all_mapped) {
    return parts::report_unmapped();
  } else if constexpr (!parts::all_usable) {
    return parts::report_mapping();  // check_table_mapping says what is wrong
  } else if constexpr (mapped_table<Row> && !usable_mapping<Row>()) {
    return check_table_mapping<Row>();
  } else {
    return true;
  }
}

// The first mistake query Sql (row Row, parameters Params) makes against the tables of
// Schema and its mapped row type, or kind none. Runs once the text checks have passed.
template <fixed_string Sql, class Schema, class Row, class... Params>
consteval schema_issue schema_issue_of() {
  using tables = tables_of<Schema, Row>;
  if constexpr (tables::size == 0) {
    return {};
  } else {
    return analyse_against_schema(schema_input{
        Sql.view(), tables::value.data(), tables::size, parameter_infos<Params...>.data(),
        sizeof...(Params), row_infos<Row>::fields.data(), row_infos<Row>::count,
        row_field_names<Row>(), row_infos<Row>::known, has_field_names<Row>(), tables::complete});
  }
}

}  // namespace detail
}  // namespace sqlproof
