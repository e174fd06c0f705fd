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
#include <vector>

#include "detail/reflect.hpp"
#include "detail/sql_dialect.hpp"
#include "detail/sql_shape.hpp"
#include "detail/type_name.hpp"
#include "dialect.hpp"
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

// PostgreSQL has one-dimensional array types: in a query written in its dialect (pg::query)
// a std::vector of values, with std::optional elements for NULLs, is read and bound as an
// array (int8[], text[] ...), which is how `= ANY($1)` takes a list. SQLite has none: there a
// vector of numbers or strings only binds, as a JSON list (value.hpp).
template <class T>
struct array_value : std::false_type {};
template <class E>
struct array_value<std::vector<E>>
    : std::bool_constant<!std::is_same_v<E, char> && !std::is_same_v<E, unsigned char> &&
                         !std::is_same_v<E, std::byte> && !array_value<E>::value &&
                         readable<E> && bindable<E>> {};
template <class T>
struct array_value<std::optional<T>> : array_value<T> {};

// What a query written in dialect D can read and bind.
template <class T, dialect D>
concept readable_in =
    readable<T> || (D == dialect::postgres && array_value<std::remove_cvref_t<T>>::value);
template <class T, dialect D>
concept bindable_in =
    bindable<T> || (D == dialect::postgres && array_value<std::remove_cvref_t<T>>::value);

// A row type is void, a single readable value, a tuple of readable values, or an aggregate
// whose fields are all readable.
enum class row_shape { none, scalar, tuple, aggregate, invalid };

template <class Row>
consteval row_shape shape_of_row() {
  if constexpr (std::is_void_v<Row>) {
    return row_shape::none;
  } else if constexpr (readable<Row> || array_value<Row>::value) {
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

template <class Row, dialect D, std::size_t... I>
consteval bool all_fields_readable(std::index_sequence<I...>) {
  if constexpr (is_tuple<Row>::value) {
    return (readable_in<std::tuple_element_t<I, Row>, D> && ...);
  } else {
    return (readable_in<field_type<I, Row>, D> && ...);
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

template <class Row, dialect D = dialect::sqlite>
consteval bool row_is_readable() {
  constexpr row_shape s = shape_of_row<Row>();
  if constexpr (s == row_shape::none) {
    return true;
  } else if constexpr (s == row_shape::scalar) {
    return readable_in<Row, D>;  // an array is a scalar row on PostgreSQL only
  } else if constexpr (s == row_shape::invalid) {
    return false;
  } else {
    return all_fields_readable<Row, D>(std::make_index_sequence<row_width<Row>()>{});
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

// ---- the checks of a query, and how a failed one reads ----------------------------------
//
// Every check of a query ends in one function, check_query, instantiated straight from the
// query's `checked` member: its "In instantiation of" line (g++) names the query's SQL, and
// the error follows within a few lines; Clang's first line is the failed requirement, which
// spells the query's SQL and the particulars as template arguments (see
// detail/schema_diagnostics.hpp for how the text is spelled), then the message. The work
// that finds the problem is plain constant evaluation (text_problem, schema_issue_of), so a
// query that passes spells nothing.

// The first problem of a query's text, row type and parameter types, before any table is
// looked at.
enum class query_problem : unsigned char {
  none, lex_error, postgres_syntax, postgres_lex_error, empty, several_statements,
  unknown_statement, mixed_placeholders, placeholder_gap, invalid_row, view_field,
  unreadable_field, unbindable_parameter, placeholder_count, void_row_with_rows,
  row_without_rows, result_width,
};

// A query's text as a string_view into the template parameter object that check_query<Text,
// ...> reads as well.
template <fixed_string Text>
inline constexpr std::string_view text_view = Text.view();

// What the compiler learns from a query's text, evaluated once for the query's `shape` and its
// checks. GCC would also reuse one evaluation for two calls with the same arguments; Clang
// evaluates every call again, and analyse_sql is the larger part of a query's compile-time
// checks (docs/performance.md, change 11).
template <fixed_string Text, dialect Dialect>
inline constexpr sql_shape text_shape = analyse_sql<Dialect>(text_view<Text>);

template <fixed_string Sql, dialect Dialect, class Row, class... Params>
consteval query_problem text_problem() {
  constexpr const sql_shape& shape = text_shape<Sql, Dialect>;
  if constexpr (shape.problem == sql_problem::lex_error) {
    if constexpr (Dialect == dialect::postgres) {
      return query_problem::postgres_lex_error;
    } else if constexpr (postgres_syntax_at(Sql.view(), shape.problem_offset)) {
      return query_problem::postgres_syntax;
    } else {
      return query_problem::lex_error;
    }
  } else if constexpr (shape.problem == sql_problem::empty) {
    return query_problem::empty;
  } else if constexpr (shape.problem == sql_problem::several_statements) {
    return query_problem::several_statements;
  } else if constexpr (shape.problem == sql_problem::unknown_statement) {
    return query_problem::unknown_statement;
  } else if constexpr (shape.problem == sql_problem::mixed_placeholders) {
    return query_problem::mixed_placeholders;
  } else if constexpr (shape.problem == sql_problem::placeholder_gap) {
    return query_problem::placeholder_gap;
  } else if constexpr (shape_of_row<Row>() == row_shape::invalid ||
                       (!readable_in<Row, Dialect> && array_value<Row>::value)) {
    return query_problem::invalid_row;  // (an array row, in SQLite's dialect)
  } else if constexpr (row_has_view_field<Row>()) {
    return query_problem::view_field;
  } else if constexpr (!row_is_readable<Row, Dialect>()) {
    return query_problem::unreadable_field;
  } else if constexpr (!(bindable_in<Params, Dialect> && ...)) {
    return query_problem::unbindable_parameter;
  } else if constexpr (shape.parameter_count != sizeof...(Params)) {
    return query_problem::placeholder_count;
  } else if constexpr (shape.rows == returns_rows::yes && std::is_void_v<Row>) {
    return query_problem::void_row_with_rows;
  } else if constexpr (shape.rows == returns_rows::no && !std::is_void_v<Row>) {
    return query_problem::row_without_rows;
  } else if constexpr (shape.result_columns != unknown_count && !std::is_void_v<Row> &&
                       shape.result_columns != row_width<Row>()) {
    return query_problem::result_width;
  } else {
    return query_problem::none;
  }
}

// The first parameter type without value_traits.
template <dialect D, class... Params>
consteval std::size_t first_unbindable() {
  std::size_t i = 0;
  const bool found = ((bindable_in<Params, D> ? (++i, false) : true) || ...);
  return found ? i : sizeof...(Params);
}

// What check_query's Schema argument may be besides a schema<...>: `postgres_text<>` says
// the text is written in PostgreSQL's dialect (read by its lexer mode; no tables are
// checked). `postgres_text<false>` is the PostgreSQL text of an either<> whose SQLite text
// failed its checks: that failure has been reported, so this text reports nothing.
template <bool Report = true>
struct postgres_text {};

template <class Schema>
struct text_checks {
  static constexpr dialect written_in = dialect::sqlite;
  static constexpr bool report = true;
};
template <bool Report>
struct text_checks<postgres_text<Report>> {
  static constexpr dialect written_in = dialect::postgres;
  static constexpr bool report = Report;
};

// The Schema argument check_query gets for a query's text: Schema itself in SQLite's
// dialect, so that nothing more is instantiated for a portable query.
template <dialect Dialect>
struct query_checks {
  template <class Schema>
  using schema = Schema;
};
template <>
struct query_checks<dialect::postgres> {
  template <class Schema>
  using schema = postgres_text<>;
};

/// Particulars of a failed check, shown by the compilers as template arguments.
template <std::size_t N> struct in_sql {};
template <std::size_t N> struct in_signature {};
template <std::size_t N> struct in_row_type {};
template <std::size_t N> struct position {};  // from 0
template <class T> struct parameter_type {};
template <class T> struct field_type_is {};
template <value_family F> struct column_family {};

template <fixed_string Sql, class Schema, class Row, class... Params>
consteval bool check_query() {
  using texts = text_checks<Schema>;
  constexpr query_problem problem = text_problem<Sql, texts::written_in, Row, Params...>();
  if constexpr (problem == query_problem::none) {
    if constexpr (texts::written_in == dialect::postgres) {
      return true;  // PostgreSQL's text is not checked against tables
    } else if constexpr (!schema_ready<Schema, Row>()) {
      return check_against_schema<Sql, Schema, Row, Params...>();  // says what is wrong with it
    } else {
      constexpr schema_issue issue = schema_issue_of<Sql, Schema, Row, Params...>();
      if constexpr (issue.kind == schema_issue_kind::none) {
        return true;
      } else {
        constexpr std::string_view sql = Sql.view();
        constexpr std::string_view token_text =
            sql.substr(issue.token_begin, issue.token_end - issue.token_begin);
        using q = spelled<in_query, make_text<sql.size()>(sql)>;
        using at = spelled<at_token, make_text<token_text.size()>(token_text)>;
        using table_t = spelled<table, make_text<issue.table.size()>(issue.table)>;
        using column_t = spelled<column, make_text<issue.column.size()>(issue.column)>;
        using hint_t = spelled<did_you_mean, make_text<issue.hint.size()>(issue.hint)>;
        constexpr schema_issue_kind k = issue.kind;
        if constexpr (k == schema_issue_kind::unknown_column) {
          static_assert(reported<q, at, table_t, hint_t>,
                        "sqlproof: unknown column: the query names a column that its mapped "
                        "table does not have (see table<name>, did_you_mean<closest column>)");
        } else if constexpr (k == schema_issue_kind::parameter_type) {
          using param_t = parameter_type<schema_parameter_t<issue.index, Params...>>;
          static_assert(reported<q, at, column_t, column_family<issue.family>,
                                 position<issue.index>, param_t>,
                        "sqlproof: a parameter's declared type does not fit the column it is "
                        "compared with, inserted into or assigned to; change the parameter's "
                        "type in the signature (see column<name>, column_family<...>, "
                        "position<parameter from 0>, parameter_type<...>)");
        } else if constexpr (k == schema_issue_kind::optional_into_not_null) {
          using param_t = parameter_type<schema_parameter_t<issue.index, Params...>>;
          static_assert(reported<q, at, column_t, position<issue.index>, param_t>,
                        "sqlproof: a std::optional parameter is inserted into or assigned to a "
                        "NOT NULL column (its field is not std::optional); declare the "
                        "parameter without std::optional, or make the field std::optional "
                        "(see column<name>, position<parameter from 0>, parameter_type<...>)");
        } else if constexpr (k == schema_issue_kind::result_name) {
          static_assert(reported<q, at, position<issue.index>,
                                 spelled<expected_name, make_text<issue.hint.size()>(issue.hint)>>,
                        "sqlproof: a result column's name differs from the mapped column name "
                        "of the row field at its position; reorder the SELECT list or alias "
                        "the column (see position<field from 0>, expected_name<field's column>)");
        } else if constexpr (k == schema_issue_kind::result_type) {
          using field_t = field_type_is<schema_field_t<Row, issue.index>>;
          static_assert(reported<q, at, position<issue.index>, field_t,
                                 column_family<issue.family>>,
                        "sqlproof: a result column's type does not fit the row field it is "
                        "read into; change the field's type (see position<field from 0>, "
                        "field_type_is<...>, column_family<...>)");
        } else if constexpr (k == schema_issue_kind::nullable_into_required) {
          using field_t = field_type_is<schema_field_t<Row, issue.index>>;
          static_assert(reported<q, at, position<issue.index>, field_t>,
                        "sqlproof: a nullable column (a std::optional field in its mapping, a "
                        "column from the right side of a LEFT JOIN, or max/min/sum/avg of one) "
                        "is read into a row field that is not std::optional; declare the field "
                        "std::optional<T>, or wrap the column in coalesce(column, default) "
                        "(see position<field from 0>, field_type_is<...>)");
        } else if constexpr (k == schema_issue_kind::star_width) {
          static_assert(reported<q, at, in_sql<issue.count>, in_row_type<issue.index>>,
                        "sqlproof: SELECT * (or t.*) expands to a different number of mapped "
                        "columns than the row type has fields (see in_sql<columns>, "
                        "in_row_type<fields>)");
        } else if constexpr (k == schema_issue_kind::unknown_table) {
          static_assert(reported<q, at, hint_t>,
                        "sqlproof: unknown table: the query names a table that the schema "
                        "derived from the migrations does not have; check the name (see "
                        "did_you_mean<closest table>)");
        } else if constexpr (k == schema_issue_kind::ambiguous_column) {
          static_assert(reported<q, at, table_t,
                                 spelled<table, make_text<issue.hint.size()>(issue.hint)>>,
                        "sqlproof: ambiguous column: two tables of the FROM clause have a "
                        "column of this name; qualify it with the table's name or alias (see "
                        "table<one>, table<other>)");
        } else if constexpr (k == schema_issue_kind::compound_width) {
          static_assert(reported<q, at, in_sql<issue.count>, in_sql<issue.index>>,
                        "sqlproof: the SELECTs of a UNION, INTERSECT or EXCEPT return different "
                        "numbers of columns; give every branch the same columns (see "
                        "in_sql<this branch>, in_sql<the first>)");
        } else {
          static_assert(reported<q, at, in_sql<issue.count>, in_sql<issue.index>>,
                        "sqlproof: an INSERT supplies a different number of values than its "
                        "column list names columns; give one value per listed column (see "
                        "in_sql<values>, in_sql<columns>)");
        }
        return false;
      }
    }
  } else if constexpr (!texts::report) {
    return false;  // said already, about the SQLite text of the same either<>
  } else {
    constexpr const sql_shape& shape = text_shape<Sql, texts::written_in>;
    using q = spelled<in_query, make_text<Sql.view().size()>(Sql.view())>;
    if constexpr (problem == query_problem::lex_error) {
      static_assert(reported<q>,
                    "sqlproof: the query's SQL has an unterminated string literal, quoted "
                    "identifier or blob, or a character SQLite does not accept");
    } else if constexpr (problem == query_problem::postgres_syntax) {
      constexpr token t = postgres_token_at(Sql.view(), shape.problem_offset);
      constexpr std::string_view token_text = t.text(Sql.view());
      static_assert(reported<q, spelled<at_token, make_text<token_text.size()>(token_text)>>,
                    "sqlproof: the query's SQL uses PostgreSQL syntax (a :: cast, a $$ or E'' "
                    "string, an operator such as @> or #>>) but a query<> is written in "
                    "SQLite's dialect; write it as a sqlproof::pg::query, or with "
                    "sqlproof::either<\"sqlite text\", \"postgres text\"> (see at_token<...>)");
    } else if constexpr (problem == query_problem::postgres_lex_error) {
      static_assert(reported<q>,
                    "sqlproof: the query's PostgreSQL SQL has an unterminated string literal, "
                    "quoted identifier, dollar-quoted string or block comment, or a character "
                    "PostgreSQL does not accept");
    } else if constexpr (problem == query_problem::empty) {
      static_assert(reported<q>, "sqlproof: the query's SQL is empty");
    } else if constexpr (problem == query_problem::several_statements) {
      static_assert(reported<q>,
                    "sqlproof: a query holds exactly one SQL statement; run several statements "
                    "with database::exec_script, or split them into several queries");
    } else if constexpr (problem == query_problem::unknown_statement) {
      static_assert(reported<q>,
                    "sqlproof: the query's SQL does not start with an SQL statement keyword "
                    "(SELECT, INSERT, UPDATE, DELETE, WITH, VALUES, CREATE, PRAGMA ...); check "
                    "the first word for a typo");
    } else if constexpr (problem == query_problem::mixed_placeholders) {
      static_assert(reported<q>,
                    "sqlproof: the query mixes placeholder styles (? or ?NNN with :name/@name/"
                    "$name, or $1-style with $name-style); use one style per query");
    } else if constexpr (problem == query_problem::placeholder_gap) {
      static_assert(reported<q>,
                    "sqlproof: numbered placeholders skip a number (e.g. ?1 and ?3 without ?2), "
                    "so a declared parameter would bind nowhere; number them from 1 without "
                    "gaps");
    } else if constexpr (problem == query_problem::invalid_row) {
      static_assert(reported<q, field_type_is<Row>>,
                    "sqlproof: the query's row type must be void, a value type with "
                    "value_traits, a std::tuple of them, or a plain aggregate struct whose "
                    "fields have value_traits");
    } else if constexpr (problem == query_problem::view_field) {
      static_assert(reported<q, field_type_is<Row>>,
                    "sqlproof: a row field cannot be std::string_view or const char*: it would "
                    "point into SQLite's buffer after the row is read; use std::string");
    } else if constexpr (problem == query_problem::unreadable_field) {
      static_assert(reported<q, field_type_is<Row>>,
                    "sqlproof: a field of the query's row type has no value_traits: specialise "
                    "sqlproof::value_traits<T> for it with storage_type and from_storage");
    } else if constexpr (problem == query_problem::unbindable_parameter) {
      constexpr std::size_t at = first_unbindable<texts::written_in, Params...>();
      static_assert(reported<q, position<at>, parameter_type<schema_parameter_t<at, Params...>>>,
                    "sqlproof: a parameter type in the query's signature has no value_traits: "
                    "specialise sqlproof::value_traits<T> for it (see position<parameter from "
                    "0>, parameter_type<...>)");
    } else if constexpr (problem == query_problem::placeholder_count) {
      static_assert(reported<q, in_sql<shape.parameter_count>, in_signature<sizeof...(Params)>>,
                    "sqlproof: the query's SQL has a different number of placeholders than its "
                    "signature declares parameters (see in_sql<placeholders>, "
                    "in_signature<parameters>)");
    } else if constexpr (problem == query_problem::void_row_with_rows) {
      static_assert(reported<q>,
                    "sqlproof: the query's SQL returns rows (SELECT, VALUES or RETURNING) but "
                    "its row type is void; declare the row type, e.g. query<\"...\", "
                    "Row(Params...)>");
    } else if constexpr (problem == query_problem::row_without_rows) {
      static_assert(reported<q, field_type_is<Row>>,
                    "sqlproof: the query's SQL returns no rows (no SELECT list or RETURNING "
                    "clause) but its row type is not void; declare it as void(Params...) or add "
                    "RETURNING");
    } else {
      static_assert(reported<q, in_sql<shape.result_columns>, in_row_type<row_width<Row>()>>,
                    "sqlproof: the query's SELECT list (or RETURNING clause) has a different "
                    "number of columns than its row type has fields (see in_sql<columns>, "
                    "in_row_type<fields>)");
    }
    return false;
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
///
/// `Dialect` says which SQL the text is written in. With the default, SQLite's, the query is
/// portable: a PostgreSQL backend renumbers its placeholders to `$1, $2 ...` at compile time
/// and refuses SQLite-only constructs. `Sql` may also be `either<"sqlite text", "postgres
/// text">`; a query written in PostgreSQL's dialect is spelled `pg::query<...>`. See
/// dialect.hpp.
template <query_text Sql, class Signature, class Schema = schema<>,
          dialect Dialect = dialect::sqlite>
struct query {
  static constexpr std::string_view sql = Sql.text.view();
  static constexpr sqlproof::dialect written_in = Dialect;
  static constexpr auto sql_source = Sql;
  using row_type = void;
  using parameter_types = std::tuple<>;
  static constexpr std::size_t parameter_count = 0;
  static constexpr bool checked = detail::signature_is_function_type<Signature>();
};

template <query_text Sql, class Row, class... Params, class Schema, dialect Dialect>
  requires(!Sql.is_either())
struct query<Sql, Row(Params...), Schema, Dialect> {
  /// The statement's text (SQLite's, for `either<>`; PostgreSQL's, for `pg::query`).
  static constexpr std::string_view sql = detail::text_view<Sql.text>;
  /// The dialect `sql` is written in.
  static constexpr sqlproof::dialect written_in = Dialect;
  /// The text as given: one text, or the two texts of `either<>`.
  static constexpr auto sql_source = Sql;
  /// What each result row is read into (`void` for statements without rows).
  using row_type = Row;
  /// The declared parameters, in placeholder order.
  using parameter_types = std::tuple<Params...>;
  /// Number of declared parameters.
  static constexpr std::size_t parameter_count = sizeof...(Params);
  /// What the compiler learned from the SQL text.
  static constexpr detail::sql_shape shape = detail::text_shape<Sql.text, Dialect>;
  /// The mapped tables the SQL is checked against (besides a mapped `Row`).
  using schema_type = Schema;
  /// True once every compile-time check has passed (a failed check stops compilation).
  static constexpr bool checked =
      detail::check_query<Sql.text, typename detail::query_checks<Dialect>::template schema<Schema>,
                          Row, Params...>();
  /// The SQLite parameter index each declared parameter binds to (PostgreSQL: `$k` binds
  /// declared parameter k - 1, in every dialect's text once rendered for it).
  static constexpr auto bind_index =
      detail::bind_indices<sizeof...(Params), Dialect>(sql, shape.numbered_names);
};

// A query with either<> texts: its SQLite text is `sql` and is checked as a portable query's;
// the PostgreSQL text is checked after it, against the same signature, unless the SQLite text
// has already failed (one mistake, one error).
template <query_text Sql, class Row, class... Params, class Schema, dialect Dialect>
  requires(Sql.is_either())
struct query<Sql, Row(Params...), Schema, Dialect> {
  static constexpr std::string_view sql = detail::text_view<Sql.text>;
  static constexpr sqlproof::dialect written_in = dialect::sqlite;
  static constexpr auto sql_source = Sql;
  using row_type = Row;
  using parameter_types = std::tuple<Params...>;
  static constexpr std::size_t parameter_count = sizeof...(Params);
  static constexpr detail::sql_shape shape = detail::text_shape<Sql.text, dialect::sqlite>;
  using schema_type = Schema;
  static constexpr bool checked =
      detail::check_query<Sql.text, Schema, Row, Params...>() &&
      detail::check_query<Sql.postgres,
                          detail::postgres_text<detail::check_query<Sql.text, Schema, Row, Params...>()>,
                          Row, Params...>();
  static constexpr auto bind_index =
      detail::bind_indices<sizeof...(Params)>(sql, shape.numbered_names);
};

namespace pg {
/// A query written in PostgreSQL's dialect, for PostgreSQL only: `::` casts, jsonb operators
/// (`? ?| ?& @> ->>`), `= ANY($1)`, `$$...$$` and `E'...'` strings. Its placeholders are
/// `$1, $2 ...`, `$N` binding declared parameter N. The text is checked at compile time by
/// PostgreSQL's lexer mode (placeholders against the signature, result columns against the
/// row type), not against mapped tables; using it on a SQLite `database` is a compile error.
/// @code
/// using tagged = sqlproof::pg::query<"SELECT id FROM docs WHERE body ? $1 FOR UPDATE SKIP LOCKED",
///                                    std::int64_t(std::string)>;
/// @endcode
template <query_text Sql, class Signature, class Schema = schema<>>
using query = sqlproof::query<Sql, Signature, Schema, dialect::postgres>;
}  // namespace pg

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
// error path only copies it. An alias's name depends on its row type alone, so queries that
// share a row type share it (spelling the alias's own type, SQL included, would cost every
// query a long string built at compile time).
template <class Q>
inline constexpr bool is_query_alias = false;
template <query_text Sql, class Signature, class Schema, dialect Dialect>
inline constexpr bool is_query_alias<query<Sql, Signature, Schema, Dialect>> = true;

template <class Row>
inline constexpr auto alias_query_name = [] {
  constexpr std::string_view row = type_name<Row>;
  constexpr std::string_view prefix = "query<";
  constexpr std::string_view suffix = "(...)>";
  stored_name<prefix.size() + row.size() + suffix.size()> out{};
  std::size_t n = 0;
  const std::string_view parts[] = {prefix, row, suffix};
  for (const std::string_view part : parts) {
    for (const char c : part) out.text[n++] = c;
  }
  return out;
}();

template <class Q>
consteval std::string_view stored_query_name() {
  if constexpr (is_query_alias<Q>) {
    using name = decltype(alias_query_name<typename Q::row_type>);
    return {alias_query_name<typename Q::row_type>.text, sizeof(name::text) - 1};
  } else {
    return type_name<Q>;
  }
}

template <class Q>
inline constexpr std::string_view query_display_name = stored_query_name<Q>();

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
