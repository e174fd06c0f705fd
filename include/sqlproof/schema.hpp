#pragma once
/// @file
/// `schema<Tables...>`: the mapped tables a query's SQL is checked against at compile time.
///
/// A query names its schema as a third template argument; an alias saves repeating it:
/// @code
/// using app_schema = sqlproof::schema<User, Post>;
/// template <sqlproof::fixed_string Sql, class Signature>
/// using app_query = sqlproof::query<Sql, Signature, app_schema>;
///
/// using find_user = app_query<"SELECT id, name, email, age FROM users WHERE id = ?",
///                             User(std::int64_t)>;
/// @endcode
///
/// Where a statement names a table of the schema (or the query's row type, which is always
/// part of it when mapped), the compiler checks: that every column it names exists (the error
/// suggests the closest name) and is not ambiguous; that each parameter compared with,
/// inserted into or assigned to a column has a type of the column's family (one rule for
/// reads, writes and comparisons: a value must arrive without loss); that no `std::optional`
/// parameter goes into a NOT NULL column; that INSERT supplies one value per listed column and
/// the branches of a UNION have one width; and that each result column has the name, type and
/// nullability of the row field it is read into, with `*` and `t.*` expanded to the mapped
/// columns. WITH clauses, subqueries, compound SELECTs, INSERT ... SELECT and UPDATE ... FROM
/// are followed. A column is nullable when its field is `std::optional`, when it comes from
/// the right side of a LEFT JOIN, and `max`/`min`/`sum`/`avg` of a nullable column is. What
/// the analysis does not follow (most functions, CASE, tables it does not know) is left to the
/// checks SQLite makes when the statement is prepared: valid SQL is never rejected.
/// `schema_of<migrations>` (schema_of.hpp) derives the tables from the migrations instead.
///
/// `schema_of<migrations>` (in `schema_of.hpp`) is the other kind of schema: the tables a
/// compile-time migration list builds, derived by the compiler from its SQL.
///
/// `verify_schema<Tables...>(db)` (in `verify_schema.hpp`) compares the mappings with a live
/// database at run time.

#include <cstddef>

#include "detail/schema_diagnostics.hpp"
#include "table.hpp"

namespace sqlproof {

/// A list of mapped row types (each with a `table_traits` specialisation) that queries are
/// checked against. `schema<>`, the default, checks only against a mapped row type.
template <class... Tables>
struct schema {
  /// Number of tables listed.
  static constexpr std::size_t size = sizeof...(Tables);
};

}  // namespace sqlproof
