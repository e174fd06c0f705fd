#pragma once
// PostgreSQL's migration history: the tables' DDL (PostgreSQL's own types: REAL is float4
// there, and strftime does not exist), the advisory lock key, and how a migration's text is
// cut into statements to check each one before it runs. Used by postgres/migration_store.hpp.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../../detail/sha256.hpp"
#include "../../detail/sql_lexer.hpp"
#include "../../dialect.hpp"

namespace sqlproof::pg::detail {

// "name" with embedded quotes doubled
// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS).
inline std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

// The history tables in `schema` (quoted). `flags` keeps the step options a migration was
// applied with, so a program that does not contain it can still revert it the same way;
// `applied_at` and `at` are read back as ISO 8601 in UTC, as SQLite stores them.
inline std::string history_ddl(const std::string& schema) {
  return "CREATE TABLE IF NOT EXISTS " + schema + ".sqlproof_migrations (\n"
         "  version       bigint PRIMARY KEY,\n"
         "  name          text NOT NULL,\n"
         "  checksum      text NOT NULL,\n"
         "  down_checksum text,\n"
         "  down_sql      text,\n"
         "  applied_at    timestamptz NOT NULL DEFAULT now(),\n"
         "  duration_ms   double precision NOT NULL,\n"
         "  flags         integer NOT NULL DEFAULT 0,\n"
         "  kind          text NOT NULL DEFAULT 'applied' CHECK (kind IN ('applied', 'baseline'))\n"
         ");\n"
         "CREATE TABLE IF NOT EXISTS " + schema + ".sqlproof_migration_events (\n"
         "  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
         "  version bigint NOT NULL,\n"
         "  name    text NOT NULL,\n"
         "  event   text NOT NULL,\n"
         "  detail  text NOT NULL DEFAULT '',\n"
         "  at      timestamptz NOT NULL DEFAULT now()\n"
         ")";
}

// The table `migration_lock::lock_row` locks: one row, taken FOR UPDATE by each migration's
// transaction (row locks are transactional on CockroachDB and YugabyteDB too).
inline std::string lock_table_ddl(const std::string& schema) {
  return "CREATE TABLE IF NOT EXISTS " + schema + ".sqlproof_migration_lock (id integer PRIMARY KEY);\n"
         "INSERT INTO " + schema + ".sqlproof_migration_lock (id) VALUES (1) ON CONFLICT DO NOTHING";
}

// A timestamptz as 2024-05-01T10:15:00.123Z.
inline constexpr std::string_view iso_utc_format =
    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

// The advisory lock key of the history in `schema` of `database`: the first 8 bytes
// (big-endian) of SHA-256("sqlproof_migrations" NUL database NUL schema), so two schemas of
// one database do not wait for each other.
constexpr std::int64_t lock_key(std::string_view database, std::string_view schema) noexcept {
  constexpr std::string_view nul("\0", 1);
  sqlproof::detail::sha256 h;
  h.update("sqlproof_migrations").update(nul).update(database).update(nul).update(schema);
  const std::array<std::uint8_t, 32> digest = h.finish();
  std::uint64_t v = 0;
  for (std::size_t i = 0; i != 8; ++i) v = (v << 8) | digest[i];
  return static_cast<std::int64_t>(v);  // two's complement since C++20
}

// The statements of one migration string, as PostgreSQL's lexer reads it: cut at each `;`
// outside quotes, dollar quotes and comments, and outside the body of a SQL-standard
// function (`BEGIN ATOMIC ... END`, whose statements end with `;` too, and which may hold
// `CASE ... END`). Leading comments and white space are left out, and so are empty
// statements.
inline std::vector<std::string_view> split_statements(std::string_view sql) {
  using sqlproof::detail::basic_lexer;
  using sqlproof::detail::token_kind;
  std::vector<std::string_view> out;
  std::size_t start = 0;
  bool at_start = true;      // no token of the current statement read yet
  bool after_begin = false;  // the previous token was BEGIN (not at the statement's start)
  int atomic_depth = 0;      // inside BEGIN ATOMIC: CASE/BEGIN ATOMIC opened, not yet ENDed
  auto flush = [&](std::size_t end) {
    std::string_view s = sql.substr(start, end - start);
    s.remove_prefix(sqlproof::detail::skip_trivia<dialect::postgres>(s, 0));
    while (!s.empty() && sqlproof::detail::is_space(s.back())) s.remove_suffix(1);
    if (!s.empty() && s != ";") out.push_back(s);
  };
  for (basic_lexer<dialect::postgres> lx{sql}; !lx.done(); lx.advance()) {
    const auto& t = lx.current();
    if (t.kind == token_kind::semicolon && atomic_depth == 0) {
      flush(t.end);
      start = t.end;
      at_start = true;
      after_begin = false;
      continue;
    }
    if (after_begin && lx.is_keyword("ATOMIC")) {
      ++atomic_depth;
    } else if (atomic_depth > 0 && lx.is_keyword("CASE")) {
      ++atomic_depth;
    } else if (atomic_depth > 0 && lx.is_keyword("END")) {
      --atomic_depth;
    }
    after_begin = !at_start && lx.is_keyword("BEGIN");
    at_start = false;
  }
  flush(sql.size());
  return out;
}

// SQLite habits in a migration's PostgreSQL (or portable) text, which PostgreSQL reads
// differently or not at all: verify() warns about each.
struct dialect_trap {
  std::string_view word;
  std::string_view why;
};
inline constexpr std::array<dialect_trap, 4> postgres_text_traps{{
    {"REAL", "REAL is float4 on PostgreSQL (SQLite's is 8 bytes); write double precision"},
    {"BLOB", "PostgreSQL has no BLOB type; write bytea"},
    {"AUTOINCREMENT", "PostgreSQL has no AUTOINCREMENT; write GENERATED ALWAYS AS IDENTITY"},
    {"strftime", "PostgreSQL has no strftime; write to_char"},
}};

// The traps `statements` fall into, each once, in the order of the table.
inline std::vector<dialect_trap> traps_in(const std::vector<std::string_view>& statements) {
  std::array<bool, postgres_text_traps.size()> seen{};
  for (const std::string_view sql : statements) {
    for (sqlproof::detail::basic_lexer<dialect::postgres> lx{sql}; !lx.done(); lx.advance()) {
      for (std::size_t i = 0; i != postgres_text_traps.size(); ++i) {
        if (lx.is_keyword(postgres_text_traps[i].word)) seen[i] = true;
      }
    }
  }
  std::vector<dialect_trap> out;
  for (std::size_t i = 0; i != seen.size(); ++i) {
    if (seen[i]) out.push_back(postgres_text_traps[i]);
  }
  return out;
}

// CockroachDB answers `SELECT version()` with "CockroachDB CCL v23.1.11 ...": its advisory
// lock functions are stubs that never block.
constexpr bool is_cockroachdb(std::string_view version) noexcept {
  return version.find("CockroachDB") != std::string_view::npos;
}

}  // namespace sqlproof::pg::detail
