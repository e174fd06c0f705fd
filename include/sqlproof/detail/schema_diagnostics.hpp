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
// (Row types have passed validate_query before any of this is instantiated.)
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

// ---- one function template per kind of mistake ----------------------------------------
// Each holds one static_assert; its template arguments carry the particulars. Functions, not
// class templates: Clang marks a class whose static_assert failed as invalid and every later
// use of it adds an unrelated error.

template <class... Particulars>
inline constexpr bool reported = false;

template <class InQuery, class Token, class Table, class DidYouMean>
consteval bool unknown_column() {
  static_assert(reported<InQuery, Token, Table, DidYouMean>,
                "sqlproof: unknown column: the query names a column that its mapped table does "
                "not have (see unknown_column<in_query<SQL>, at_token<column>, table<name>, "
                "did_you_mean<closest column>>)");
  return false;
}

template <class InQuery, class Token, class Column, std::size_t Position, class Parameter,
          value_family ColumnFamily>
consteval bool parameter_does_not_fit_column() {
  static_assert(reported<InQuery, Token, Column, Parameter>,
                "sqlproof: a parameter's declared type does not fit the column it is compared "
                "with, inserted into or assigned to; change the parameter's type in the "
                "signature (see parameter_does_not_fit_column<in_query<SQL>, at_token<placeholder>, "
                "column<name>, parameter position from 0, parameter type, column's family>)");
  return false;
}

template <class InQuery, class Token, class Column, std::size_t Position, class Parameter>
consteval bool optional_parameter_into_not_null_column() {
  static_assert(reported<InQuery, Token, Column, Parameter>,
                "sqlproof: a std::optional parameter is inserted into or assigned to a NOT NULL "
                "column (its field is not std::optional); declare the parameter without "
                "std::optional, or make the field std::optional (see "
                "optional_parameter_into_not_null_column<in_query<SQL>, at_token<placeholder>, "
                "column<name>, parameter position from 0, parameter type>)");
  return false;
}

template <class InQuery, class Token, std::size_t Field, class ExpectedName>
consteval bool result_column_name_differs_from_field() {
  static_assert(reported<InQuery, Token, ExpectedName>,
                "sqlproof: a result column's name differs from the mapped column name of the "
                "row field at its position; reorder the SELECT list or alias the column (see "
                "result_column_name_differs_from_field<in_query<SQL>, at_token<result column>, "
                "field position from 0, expected_name<field's column>>)");
  return false;
}

template <class InQuery, class Token, std::size_t Field, class FieldType,
          value_family ColumnFamily>
consteval bool result_column_does_not_fit_field() {
  static_assert(reported<InQuery, Token, FieldType>,
                "sqlproof: a result column's type does not fit the row field it is read into; "
                "change the field's type (see result_column_does_not_fit_field<in_query<SQL>, "
                "at_token<result column>, field position from 0, field type, column's family>)");
  return false;
}

template <class InQuery, class Token, std::size_t Field, class FieldType>
consteval bool nullable_column_into_non_optional_field() {
  static_assert(reported<InQuery, Token, FieldType>,
                "sqlproof: a nullable column (a std::optional field in its mapping, a column "
                "from the right side of a LEFT JOIN, or max/min/sum/avg of one) is read into a "
                "row field that is not std::optional; declare the field std::optional<T>, or "
                "wrap the column in coalesce(column, default) (see "
                "nullable_column_into_non_optional_field<in_query<SQL>, at_token<result column>, "
                "field position from 0, field type>)");
  return false;
}

template <class InQuery, class Token, std::size_t InSql, std::size_t InRow>
consteval bool star_columns_vs_row_fields() {
  static_assert(reported<InQuery, Token>,
                "sqlproof: SELECT * (or t.*) expands to a different number of mapped columns "
                "than the row type has fields (see star_columns_vs_row_fields<in_query<SQL>, "
                "at_token<*>, columns in SQL, fields in row type>)");
  return false;
}

template <class InQuery, class Token, class DidYouMean>
consteval bool unknown_table() {
  static_assert(reported<InQuery, Token, DidYouMean>,
                "sqlproof: unknown table: the query names a table that the schema derived from "
                "the migrations does not have; check the name (see unknown_table<in_query<SQL>, "
                "at_token<table>, did_you_mean<closest table>>)");
  return false;
}

template <class InQuery, class Token, class Table, class OtherTable>
consteval bool ambiguous_column() {
  static_assert(reported<InQuery, Token, Table, OtherTable>,
                "sqlproof: ambiguous column: two tables of the FROM clause have a column of this "
                "name; qualify it with the table's name or alias (see ambiguous_column<"
                "in_query<SQL>, at_token<column>, table<one>, table<other>>)");
  return false;
}

template <class InQuery, class Token, std::size_t InBranch, std::size_t InFirst>
consteval bool compound_branches_differ_in_width() {
  static_assert(reported<InQuery, Token>,
                "sqlproof: the SELECTs of a UNION, INTERSECT or EXCEPT return different numbers "
                "of columns; give every branch the same columns (see "
                "compound_branches_differ_in_width<in_query<SQL>, at_token<branch>, columns in "
                "this branch, columns in the first>)");
  return false;
}

template <class InQuery, class Token, std::size_t Values, std::size_t Columns>
consteval bool insert_values_vs_columns() {
  static_assert(reported<InQuery, Token>,
                "sqlproof: an INSERT supplies a different number of values than its column list "
                "names columns; give one value per listed column (see insert_values_vs_columns<"
                "in_query<SQL>, at_token<values>, values, columns>)");
  return false;
}

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
template <class Row, std::size_t I>
using schema_row_field_t = typename decltype(schema_field_type_tag<Row, I>())::type;

template <fixed_string Sql, schema_issue_kind Kind, std::size_t TokenBegin, std::size_t TokenEnd,
          auto Table, auto Column, auto Hint, std::size_t Index, std::size_t Count,
          value_family Family, class Row, class... Params>
consteval bool report_schema_issue() {
  constexpr std::string_view sql = Sql.view();
  constexpr std::string_view token_text = sql.substr(TokenBegin, TokenEnd - TokenBegin);
  using query_t = spelled<in_query, make_text<sql.size()>(sql)>;
  using token_t = spelled<at_token, make_text<token_text.size()>(token_text)>;
  if constexpr (Kind == schema_issue_kind::unknown_column) {
    return unknown_column<query_t, token_t, spelled<table, Table>,
                          spelled<did_you_mean, Hint>>();
  } else if constexpr (Kind == schema_issue_kind::parameter_type) {
    return parameter_does_not_fit_column<query_t, token_t, spelled<column, Column>, Index,
                                         std::tuple_element_t<Index, std::tuple<Params...>>,
                                         Family>();
  } else if constexpr (Kind == schema_issue_kind::optional_into_not_null) {
    return optional_parameter_into_not_null_column<
        query_t, token_t, spelled<column, Column>, Index,
        std::tuple_element_t<Index, std::tuple<Params...>>>();
  } else if constexpr (Kind == schema_issue_kind::result_name) {
    return result_column_name_differs_from_field<query_t, token_t, Index,
                                                 spelled<expected_name, Hint>>();
  } else if constexpr (Kind == schema_issue_kind::result_type) {
    return result_column_does_not_fit_field<query_t, token_t, Index, schema_row_field_t<Row, Index>,
                                            Family>();
  } else if constexpr (Kind == schema_issue_kind::nullable_into_required) {
    return nullable_column_into_non_optional_field<query_t, token_t, Index,
                                                   schema_row_field_t<Row, Index>>();
  } else if constexpr (Kind == schema_issue_kind::unknown_table) {
    return unknown_table<query_t, token_t, spelled<did_you_mean, Hint>>();
  } else if constexpr (Kind == schema_issue_kind::ambiguous_column) {
    return ambiguous_column<query_t, token_t, spelled<table, Table>, spelled<table, Hint>>();
  } else if constexpr (Kind == schema_issue_kind::compound_width) {
    return compound_branches_differ_in_width<query_t, token_t, Count, Index>();
  } else if constexpr (Kind == schema_issue_kind::insert_width) {
    return insert_values_vs_columns<query_t, token_t, Count, Index>();
  } else {
    return star_columns_vs_row_fields<query_t, token_t, Count, Index>();
  }
}

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

// Checks query Sql (row Row, parameters Params) against the tables of Schema and its mapped
// row type. Runs after validate_query has passed. True when nothing is wrong.
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
  } else if constexpr (tables_of<Schema, Row>::size == 0) {
    return true;
  } else {
    using tables = tables_of<Schema, Row>;
    constexpr schema_issue issue = analyse_against_schema(schema_input{
        Sql.view(), tables::value.data(), tables::size, parameter_infos<Params...>.data(),
        sizeof...(Params), row_infos<Row>::fields.data(), row_infos<Row>::count,
        row_field_names<Row>(), row_infos<Row>::known, has_field_names<Row>(), tables::complete});
    if constexpr (issue.kind == schema_issue_kind::none) {
      return true;
    } else {
      return report_schema_issue<
          Sql, issue.kind, issue.token_begin, issue.token_end,
          make_text<issue.table.size()>(issue.table), make_text<issue.column.size()>(issue.column),
          make_text<issue.hint.size()>(issue.hint), issue.index, issue.count, issue.family, Row,
          Params...>();
    }
  }
}

}  // namespace detail
}  // namespace sqlproof
