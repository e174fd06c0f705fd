#pragma once
/// @file
/// Typed queries: `query<"SQL", Row(Params...)>` is a type that holds the SQL text, the row
/// type it returns and the parameter types it takes. The compiler checks the SQL against them
/// (placeholders, result column count, mappable types); the connection checks what the text
/// alone cannot show once, when it first prepares the statement.
/// @code
/// using find_user = sqlproof::query<"SELECT id, name, email, age FROM users WHERE id = ?",
///                                   User(std::int64_t)>;
/// struct add_user : sqlproof::query<"INSERT INTO users (name, age) VALUES (?, ?)",
///                                   void(std::string_view, int)> {};  // named in errors
/// @endcode

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "detail/reflect.hpp"
#include "detail/sql_shape.hpp"
#include "detail/type_name.hpp"
#include "fixed_string.hpp"
#include "schema.hpp"
#include "table.hpp"
#include "value.hpp"

namespace sqlproof {

namespace detail {

template <class T>
struct is_tuple : std::false_type {};
template <class... Ts>
struct is_tuple<std::tuple<Ts...>> : std::true_type {};

// A row type is void, a single readable value, a tuple of readable values, or an aggregate
// whose fields are all readable.
enum class row_shape { none, scalar, tuple, aggregate, invalid };

template <class Row>
consteval row_shape shape_of_row() {
  if constexpr (std::is_void_v<Row>) {
    return row_shape::none;
  } else if constexpr (readable<Row>) {
    return row_shape::scalar;
  } else if constexpr (is_tuple<Row>::value) {
    return row_shape::tuple;
  } else if constexpr (std::is_aggregate_v<Row> && !std::is_array_v<Row>) {
    return row_shape::aggregate;
  } else {
    return row_shape::invalid;
  }
}

template <class Row>
consteval std::size_t row_width() {
  constexpr row_shape s = shape_of_row<Row>();
  if constexpr (s == row_shape::none || s == row_shape::invalid) {
    return 0;
  } else if constexpr (s == row_shape::scalar) {
    return 1;
  } else if constexpr (s == row_shape::tuple) {
    return std::tuple_size_v<Row>;
  } else {
    return field_count<Row>;
  }
}

template <class Row, std::size_t... I>
consteval bool all_fields_readable(std::index_sequence<I...>) {
  if constexpr (is_tuple<Row>::value) {
    return (readable<std::tuple_element_t<I, Row>> && ...);
  } else {
    return (readable<field_type<I, Row>> && ...);
  }
}

// Fields that can bind but never be read because they would dangle: the commonest mistake.
template <class T>
inline constexpr bool is_view_type = std::is_same_v<T, std::string_view> ||
                                     std::is_same_v<T, const char*>;

template <class Row, std::size_t... I>
consteval bool any_view_field(std::index_sequence<I...>) {
  if constexpr (is_tuple<Row>::value) {
    return (is_view_type<std::tuple_element_t<I, Row>> || ...);
  } else {
    return (is_view_type<field_type<I, Row>> || ...);
  }
}

template <class Row>
consteval bool row_is_readable() {
  constexpr row_shape s = shape_of_row<Row>();
  if constexpr (s == row_shape::none || s == row_shape::scalar) {
    return true;
  } else if constexpr (s == row_shape::invalid) {
    return false;
  } else {
    return all_fields_readable<Row>(std::make_index_sequence<row_width<Row>()>{});
  }
}

template <class Row>
consteval bool row_has_view_field() {
  constexpr row_shape s = shape_of_row<Row>();
  if constexpr (is_view_type<Row>) {
    return true;
  } else if constexpr (s == row_shape::tuple || s == row_shape::aggregate) {
    return any_view_field<Row>(std::make_index_sequence<row_width<Row>()>{});
  } else {
    return false;
  }
}

// Each check below is its own template so that the compiler's "in instantiation of" line shows
// the two numbers that disagree, e.g. placeholders_vs_parameters<2, 1>. They are functions, not
// class templates: clang marks a class whose static_assert failed as invalid, and every use of
// it then adds an unrelated error; a failed function keeps the diagnostic to one error.
template <std::size_t InSql, std::size_t InSignature>
consteval bool placeholders_vs_parameters() {
  static_assert(InSql == InSignature,
                "sqlproof: the query's SQL has a different number of placeholders than its "
                "signature declares parameters (see placeholders_vs_parameters<in SQL, in "
                "signature>)");
  return InSql == InSignature;
}

template <std::size_t InSql, std::size_t InRow>
consteval bool result_columns_vs_row_fields() {
  static_assert(InSql == InRow,
                "sqlproof: the query's SELECT list (or RETURNING clause) has a different number "
                "of columns than its row type has fields (see result_columns_vs_row_fields<in "
                "SQL, in row type>)");
  return InSql == InRow;
}

template <std::size_t Position, class Param>
consteval bool parameter_is_bindable() {
  static_assert(bindable<Param>,
                "sqlproof: a parameter type in the query's signature has no value_traits: "
                "specialise sqlproof::value_traits<T> for it (see parameter_is_bindable<position "
                "from 0, type>)");
  return bindable<Param>;
}

template <fixed_string Sql, class Row, class... Params>
consteval bool validate_query() {
  constexpr sql_shape shape = analyse_sql(Sql.view());
  constexpr std::size_t width = row_width<Row>();
  if constexpr (shape.problem == sql_problem::lex_error) {
    static_assert(shape.problem != sql_problem::lex_error,
                  "sqlproof: the query's SQL has an unterminated string literal, quoted "
                  "identifier or blob, or a character SQLite does not accept");
    return false;
  } else if constexpr (shape.problem == sql_problem::empty) {
    static_assert(shape.problem != sql_problem::empty, "sqlproof: the query's SQL is empty");
    return false;
  } else if constexpr (shape.problem == sql_problem::several_statements) {
    static_assert(shape.problem != sql_problem::several_statements,
                  "sqlproof: a query holds exactly one SQL statement; run several statements "
                  "with database::exec_script, or split them into several queries");
    return false;
  } else if constexpr (shape.problem == sql_problem::unknown_statement) {
    static_assert(shape.problem != sql_problem::unknown_statement,
                  "sqlproof: the query's SQL does not start with an SQL statement keyword "
                  "(SELECT, INSERT, UPDATE, DELETE, WITH, VALUES, CREATE, PRAGMA ...); check the "
                  "first word for a typo");
    return false;
  } else if constexpr (shape.problem == sql_problem::mixed_placeholders) {
    static_assert(shape.problem != sql_problem::mixed_placeholders,
                  "sqlproof: the query mixes placeholder styles (? or ?NNN with :name/@name/$name, "
                  "or $1-style with $name-style); use one style per query");
    return false;
  } else if constexpr (shape.problem == sql_problem::placeholder_gap) {
    static_assert(shape.problem != sql_problem::placeholder_gap,
                  "sqlproof: numbered placeholders skip a number (e.g. ?1 and ?3 without ?2), so "
                  "a declared parameter would bind nowhere; number them from 1 without gaps");
    return false;
  } else if constexpr (shape_of_row<Row>() == row_shape::invalid) {
    static_assert(shape_of_row<Row>() != row_shape::invalid,
                  "sqlproof: the query's row type must be void, a value type with value_traits, "
                  "a std::tuple of them, or a plain aggregate struct whose fields have "
                  "value_traits");
    return false;
  } else if constexpr (row_has_view_field<Row>()) {
    static_assert(!row_has_view_field<Row>(),
                  "sqlproof: a row field cannot be std::string_view or const char*: it would "
                  "point into SQLite's buffer after the row is read; use std::string");
    return false;
  } else if constexpr (!row_is_readable<Row>()) {
    static_assert(row_is_readable<Row>(),
                  "sqlproof: a field of the query's row type has no value_traits: specialise "
                  "sqlproof::value_traits<T> for it with storage_type and from_storage");
    return false;
  } else if constexpr (!(bindable<Params> && ...)) {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (parameter_is_bindable<I, Params>() && ...);
    }(std::index_sequence_for<Params...>{});
  } else if constexpr (shape.parameter_count != sizeof...(Params)) {
    return placeholders_vs_parameters<shape.parameter_count, sizeof...(Params)>();
  } else if constexpr (shape.rows == returns_rows::yes && std::is_void_v<Row>) {
    static_assert(!std::is_void_v<Row>,
                  "sqlproof: the query's SQL returns rows (SELECT, VALUES or RETURNING) but its "
                  "row type is void; declare the row type, e.g. query<\"...\", Row(Params...)>");
    return false;
  } else if constexpr (shape.rows == returns_rows::no && !std::is_void_v<Row>) {
    static_assert(std::is_void_v<Row>,
                  "sqlproof: the query's SQL returns no rows (no SELECT list or RETURNING "
                  "clause) but its row type is not void; declare it as void(Params...) or add "
                  "RETURNING");
    return false;
  } else if constexpr (shape.result_columns != unknown_count && !std::is_void_v<Row> &&
                       shape.result_columns != width) {
    return result_columns_vs_row_fields<shape.result_columns, width>();
  } else {
    return true;
  }
}

// The text-only checks above first; then, once they pass, the checks against the mapped
// tables (schema.hpp), so one mistake gives one message.
template <fixed_string Sql, class Schema, class Row, class... Params>
consteval bool validate_query_and_schema() {
  if constexpr (!validate_query<Sql, Row, Params...>()) {
    return false;
  } else {
    return check_against_schema<Sql, Schema, Row, Params...>();
  }
}

// A function rather than a static_assert in the class, so that the class stays valid and the
// call site adds no "no matching function" error after the message.
template <class Signature>
consteval bool signature_is_function_type() {
  static_assert(std::is_function_v<Signature>,
                "sqlproof: the second argument of query<> is a function type Row(Params...), "
                "e.g. query<\"SELECT name FROM users WHERE id = ?\", std::string(std::int64_t)>");
  return false;
}
}  // namespace detail

/// A typed query: SQL text plus the function type `Row(Params...)` it behaves as.
///
/// Instantiating it (by using it with `database::exec/one/all/iter`) checks at compile time:
/// one statement; placeholder count (`?`, `?NNN`, `:name`, `@name`, `$name`, `#name`; those inside
/// literals, quoted identifiers and comments do not count) against `Params`; an explicit
/// SELECT list or RETURNING clause against the fields of `Row`; `Row` and `Params` mappable.
/// Each failure is one `static_assert` whose message starts with `sqlproof:`.
/// With a `Schema` (`sqlproof::schema<Tables...>`), and whenever `Row` is a mapped table, the
/// SQL is also checked against the mapped tables: see schema.hpp.
/// Derive a struct from it to give the query a name that errors and traces show.
template <fixed_string Sql, class Signature, class Schema = schema<>>
struct query {
  static constexpr std::string_view sql = Sql.view();
  using row_type = void;
  using parameter_types = std::tuple<>;
  static constexpr std::size_t parameter_count = 0;
  static constexpr bool checked = detail::signature_is_function_type<Signature>();
};

template <fixed_string Sql, class Row, class... Params, class Schema>
struct query<Sql, Row(Params...), Schema> {
  /// The statement's text.
  static constexpr std::string_view sql = Sql.view();
  /// What each result row is read into (`void` for statements without rows).
  using row_type = Row;
  /// The declared parameters, in placeholder order.
  using parameter_types = std::tuple<Params...>;
  /// Number of declared parameters.
  static constexpr std::size_t parameter_count = sizeof...(Params);
  /// What the compiler learned from the SQL text.
  static constexpr detail::sql_shape shape = detail::analyse_sql(Sql.view());
  /// The mapped tables the SQL is checked against (besides a mapped `Row`).
  using schema_type = Schema;
  /// True once every compile-time check has passed (a failed check stops compilation).
  static constexpr bool checked = detail::validate_query_and_schema<Sql, Schema, Row, Params...>();
  /// The SQLite parameter index each declared parameter binds to.
  static constexpr auto bind_index =
      detail::bind_indices<sizeof...(Params)>(Sql.view(), shape.numbered_names);
};

namespace detail {

template <class Q>
concept query_like = requires {
  { Q::sql } -> std::convertible_to<std::string_view>;
  typename Q::row_type;
  typename Q::parameter_types;
  { Q::checked } -> std::convertible_to<bool>;
};

// The name used in errors: a struct derived from query<> keeps its own name; an alias shows
// the signature, since the SQL is printed beside it anyway. Built at compile time, so an
// error path only copies it.
template <class Q>
inline constexpr auto stored_query_name = [] {
  constexpr std::string_view full = type_name<Q>;
  constexpr bool alias = full.starts_with("sqlproof::query<");
  constexpr std::string_view row = type_name<typename Q::row_type>;
  constexpr std::string_view prefix = "query<";
  constexpr std::string_view suffix = "(...)>";
  stored_name<alias ? prefix.size() + row.size() + suffix.size() : full.size()> out{};
  std::size_t n = 0;
  const auto put = [&](std::string_view part) {
    for (const char c : part) out.text[n++] = c;
  };
  if constexpr (alias) {
    put(prefix);
    put(row);
    put(suffix);
  } else {
    put(full);
  }
  return out;
}();

template <class Q>
inline constexpr std::string_view query_display_name{stored_query_name<Q>.text,
                                                     sizeof(stored_query_name<Q>.text) - 1};

}  // namespace detail

/// Satisfied by `query<...>` and by structs derived from one.
template <class Q>
concept query_type = detail::query_like<Q>;

/// Runs the compile-time checks of `Q` where it is named.
///
/// A query type is checked when it is first used (`db.one<Q>(...)`, `Q::checked`, ...): a
/// wrong query that no code uses compiles, like any unused template. To have the checks fire
/// at the declaration, assert them there. A failed check stops compilation with its own
/// `sqlproof:` message and nothing more, so `checked<Q>` is true wherever compilation goes on:
/// @code
/// using find_user = sqlproof::query<"SELECT id, name FROM users WHERE id = ?", User(std::int64_t)>;
/// static_assert(sqlproof::checked<find_user>);
/// @endcode
template <query_type Q>
inline constexpr bool checked = (static_cast<void>(Q::checked), true);

}  // namespace sqlproof
