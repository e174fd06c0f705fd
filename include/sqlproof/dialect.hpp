#pragma once
/// @file
/// SQL dialects: which database's SQL a query's text is written in, and `either<>` for a
/// query whose text differs between SQLite and PostgreSQL (`pg::query` is in query.hpp).
/// @code
/// // Portable: written in SQLite's dialect, rendered for PostgreSQL at compile time.
/// using find_user = sqlproof::query<"SELECT name FROM users WHERE id = ?", std::string(std::int64_t)>;
/// // PostgreSQL only: `::` casts, jsonb operators, $$ quoting; placeholders are $1, $2 ...
/// using tagged = sqlproof::pg::query<"SELECT id FROM docs WHERE body ? $1::text", std::int64_t(std::string)>;
/// // One text per dialect, both checked against the same signature.
/// using in_list = sqlproof::query<
///     sqlproof::either<"SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))",
///                      "SELECT name FROM users WHERE id IN "
///                      "(SELECT value::int8 FROM jsonb_array_elements_text($1::jsonb))">,
///     std::string(std::string)>;  // the parameter: a JSON array of ids, "[1, 2]"
/// @endcode

#include <cstddef>

#include "fixed_string.hpp"

namespace sqlproof {

/// The SQL dialect a query's text is written in, or a backend runs.
///
/// A `query<>` is written in SQLite's dialect (`dialect::sqlite`) unless it says otherwise;
/// such a query is portable: on PostgreSQL its placeholders are renumbered at compile time
/// and SQLite-only constructs are refused. `pg::query<>` is written in PostgreSQL's dialect
/// and runs only on PostgreSQL.
enum class dialect : unsigned char {
  sqlite,    ///< SQLite's SQL (https://sqlite.org/lang.html); placeholders ?, ?NNN, :a, @a, $a, $N.
  postgres,  ///< PostgreSQL's SQL; placeholders $1, $2 ...
};

/// The SQL of a query as a template argument: one text, or (built by `either<>`) a text for
/// SQLite and another for PostgreSQL.
///
/// Built implicitly from a string literal or a `fixed_string`, so `query<"SELECT ...", Sig>`
/// and aliases taking a `fixed_string` read as before. `M == 0`: one text.
template <std::size_t N, std::size_t M = 0>
struct query_text {
  fixed_string<N> text;      ///< SQLite's text.
  fixed_string<M> postgres;  ///< PostgreSQL's text.

  constexpr query_text(const fixed_string<N>& sqlite_sql, const fixed_string<M>& postgres_sql) noexcept
      : text(sqlite_sql), postgres(postgres_sql) {}

  /// True for the two texts of `either<>`.
  [[nodiscard]] static constexpr bool is_either() noexcept { return true; }
};

template <std::size_t N>
struct query_text<N, 0> {
  fixed_string<N> text;  ///< The query's text, in the query's dialect.

  constexpr query_text(const char (&sql)[N]) noexcept : text(sql) {}  // NOLINT: implicit by design
  constexpr query_text(const fixed_string<N>& sql) noexcept : text(sql) {}  // NOLINT: implicit by design

  [[nodiscard]] static constexpr bool is_either() noexcept { return false; }
};

template <std::size_t N>
query_text(const char (&)[N]) -> query_text<N>;
template <std::size_t N>
query_text(const fixed_string<N>&) -> query_text<N>;

/// A query's SQL with one text per dialect, for what the two write differently:
/// `query<sqlproof::either<"sqlite text", "postgres text">, Row(Params...)>`.
///
/// The SQLite text is the query's `sql` and is checked like any other; the PostgreSQL text
/// is read in PostgreSQL's dialect (placeholders `$1, $2 ...`) and checked against the same
/// signature: placeholder count and result columns. The query stays one type, so each
/// backend's statement cache keeps one slot for it.
/// @code
/// using posts_in_year = sqlproof::query<
///     sqlproof::either<"SELECT count(*) FROM posts WHERE strftime('%Y', created_at) = ?",
///                      "SELECT count(*) FROM posts WHERE to_char(created_at, 'YYYY') = $1">,
///     std::int64_t(std::string)>;
/// @endcode
template <fixed_string Sqlite, fixed_string Postgres>
inline constexpr query_text<Sqlite.size() + 1, Postgres.size() + 1> either{Sqlite, Postgres};

}  // namespace sqlproof
