// Tests for include/sqlproof/dialect.hpp and the dialect layer behind it
// (detail/sql_lexer.hpp's PostgreSQL mode, detail/sql_shape.hpp, detail/sql_dialect.hpp):
// pg::query and either<> texts, the rendering of portable queries for PostgreSQL, the
// portability lint, and that after rendering `$k` is the k-th declared parameter (checked
// against SQLite's own numbering).

#include <sqlproof/database.hpp>
#include <sqlproof/detail/sql_dialect.hpp>
#include <sqlproof/dialect.hpp>
#include <sqlproof/query.hpp>

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../catch.hpp"

namespace {

namespace sp = sqlproof;
namespace sd = sqlproof::detail;
using sp::dialect;
using sd::returns_rows;
using sd::sql_problem;
using sd::token_kind;

// ---- PostgreSQL's lexer mode ------------------------------------------------------------

// The kinds and texts of `sql`'s tokens in PostgreSQL's dialect, as "kind:text" joined by ' '.
std::string postgres_tokens(std::string_view sql) {
  std::string out;
  for (sd::basic_lexer<dialect::postgres> lx{sql}; !lx.done(); lx.advance()) {
    if (!out.empty()) out += ' ';
    switch (lx.current().kind) {
      case token_kind::string: out += "str:"; break;
      case token_kind::placeholder: out += "param:"; break;
      case token_kind::op: out += "op:"; break;
      case token_kind::error: out += "ERR:"; break;
      default: break;
    }
    out += lx.text();
    if (lx.current().kind == token_kind::error) break;
  }
  return out;
}

constexpr std::size_t postgres_params(std::string_view sql) {
  return sd::analyse_sql<dialect::postgres>(sql).parameter_count;
}
constexpr sql_problem postgres_problem(std::string_view sql) {
  return sd::analyse_sql<dialect::postgres>(sql).problem;
}
constexpr std::size_t postgres_columns(std::string_view sql) {
  return sd::analyse_sql<dialect::postgres>(sql).result_columns;
}

// The texts that SQLite's lexer misreads (docs/compile-time-checks.md, "Dialects").
static_assert(postgres_params("SELECT x::int8 FROM t WHERE id = $1") == 1);
static_assert(postgres_params("SELECT j ? 'k', j ?| array['a'], j ?& array['b'] FROM t WHERE id = $1") == 1);
static_assert(postgres_params("SELECT $$it's ? $1$$, $q$ $$ ? $q$ FROM t WHERE id = $1") == 1);
static_assert(postgres_params("SELECT E'a\\'b ? c', e'\\\\', U&'d\\0061t ?' WHERE $1") == 1);
static_assert(postgres_params("SELECT a[1], a[1:2] FROM t WHERE id = $1") == 1);
static_assert(postgres_params("SELECT @ -5, |/ 16, ~ 1, 2 ^ 3, 2 # 3 WHERE $1") == 1);
static_assert(postgres_params("SELECT /* a /* nested */ ? */ 1 WHERE $1") == 1);
static_assert(postgres_params("SELECT $2 || $1 || $2") == 2);
static_assert(postgres_problem("SELECT a FROM t WHERE a = $1 AND b = $3") == sql_problem::placeholder_gap);
static_assert(postgres_problem("SELECT $$never closed") == sql_problem::lex_error);
static_assert(postgres_problem("SELECT /* a /* b */ never closed") == sql_problem::lex_error);
static_assert(postgres_problem("SELECT $0") == sql_problem::lex_error);
static_assert(postgres_problem("SELECT $1x") == sql_problem::lex_error);
static_assert(postgres_problem("SELECT :name") == sql_problem::none);  // `:` is an operator
static_assert(postgres_problem("SELECT 1; SELECT 2") == sql_problem::several_statements);
static_assert(postgres_problem("SELEC 1") == sql_problem::unknown_statement);
static_assert(postgres_problem("") == sql_problem::empty);

// Result columns: brackets nest like parentheses; DISTINCT ON, FOR UPDATE, RETURNING.
static_assert(postgres_columns("SELECT ARRAY[1, 2], a[1:2], b::text FROM t") == 3);
static_assert(postgres_columns("SELECT DISTINCT ON (a, b) a, b, c FROM t ORDER BY a, b") == 3);
static_assert(postgres_columns("SELECT id, payload FROM jobs LIMIT 1 FOR UPDATE SKIP LOCKED") == 2);
static_assert(postgres_columns("INSERT INTO t (a, b) VALUES ($1, $2) RETURNING id, a") == 2);
static_assert(sd::analyse_sql<dialect::postgres>("UPDATE t SET a = $1").rows == returns_rows::no);
static_assert(sd::analyse_sql<dialect::postgres>("TABLE t").rows == returns_rows::yes);

TEST_CASE("PostgreSQL's lexer mode reads dollar quotes, E'' strings, casts and operators") {
  CHECK(postgres_tokens("x::int8") == "x op::: int8");
  CHECK(postgres_tokens("j ? 'k'") == "j op:? str:'k'");
  CHECK(postgres_tokens("$$it's$$") == "str:$$it's$$");
  CHECK(postgres_tokens("$tag$ a $$ b $tag$ $1") == "str:$tag$ a $$ b $tag$ param:$1");
  CHECK(postgres_tokens("E'a\\'b ? c'") == "str:E'a\\'b ? c'");
  CHECK(postgres_tokens("U&'d\\0061t'") == "str:U&'d\\0061t'");
  CHECK(postgres_tokens("a[1]") == "a [ 1 ]");
  CHECK(postgres_tokens("@ -5") == "op:@ op:- 5");
  CHECK(postgres_tokens("/* a /* nested */ ? */ $1") == "param:$1");
  CHECK(postgres_tokens("j @> k <@ l #> m #>> n -> o ->> p ?| q ?& r") ==
        "j op:@> k op:<@ l op:#> m op:#>> n op:-> o op:->> p op:?| q op:?& r");
  CHECK(postgres_tokens("a<-1") == "a op:< op:- 1");  // a trailing - leaves a plain operator
  CHECK(postgres_tokens("count(*)") == "count ( * )");
  CHECK(postgres_tokens("$$open") == "ERR:$$open");
}

// The acceptance case: a pg::query with x::int8, j ? 'k', $$...$$ and E'...' counts one
// placeholder for $1.
using pg_accepted = sp::pg::query<
    "SELECT x::int8, j ? 'k', $$it's ? $$, E'a\\'b ? c' FROM docs WHERE id = $1",
    std::tuple<std::int64_t, bool, std::string, std::string>(std::int64_t)>;
static_assert(sp::checked<pg_accepted>);
static_assert(pg_accepted::shape.parameter_count == 1);
static_assert(pg_accepted::shape.result_columns == 4);
static_assert(pg_accepted::written_in == dialect::postgres);
static_assert(pg_accepted::bind_index[0] == 1);

struct pg_named : sp::pg::query<"SELECT a FROM t WHERE b = $2 AND c = $1 AND d = $2",
                                std::int64_t(int, int)> {};
static_assert(sp::checked<pg_named>);
static_assert(pg_named::bind_index[0] == 1 && pg_named::bind_index[1] == 2);  // $N binds N

// ---- portable queries rendered for PostgreSQL -------------------------------------------

template <class Q>
constexpr std::string_view on_postgres = sd::sql_text<Q, dialect::postgres>;

using anonymous = sp::query<"SELECT ?, '?' /* ? */, ? -- ?\n", std::tuple<int, std::string, int>(int, int)>;
using quoted = sp::query<"SELECT \"?\", [?], `?` FROM t WHERE a = ?", std::tuple<int, int, int>(int)>;
using numbered = sp::query<"SELECT ?2, ?1, ?2, ?10, ?3, ?4, ?5, ?6, ?7, ?8, ?9",
                           std::tuple<int, int, int, int, int, int, int, int, int, int, int>(
                               int, int, int, int, int, int, int, int, int, int)>;
using named = sp::query<"SELECT :a, @b, :a, $c, #d, @a", std::tuple<int, int, int, int, int, int>(
                                                              int, int, int, int, int)>;
using dollar_numbered = sp::query<"SELECT $2, $1, $2", std::tuple<int, int, int>(int, int)>;
using colon_numbered = sp::query<"SELECT :2, @1", std::tuple<int, int>(int, int)>;

static_assert(on_postgres<anonymous> == "SELECT $1, '?' /* ? */, $2 -- ?\n");
static_assert(on_postgres<quoted> == "SELECT \"?\", [?], `?` FROM t WHERE a = $1");
static_assert(on_postgres<numbered> == "SELECT $2, $1, $2, $10, $3, $4, $5, $6, $7, $8, $9");
static_assert(on_postgres<named> == "SELECT $1, $2, $1, $3, $4, $5");
static_assert(on_postgres<dollar_numbered> == "SELECT $2, $1, $2");
static_assert(on_postgres<colon_numbered> == "SELECT $2, $1");
static_assert(sd::sql_text<named, dialect::sqlite> == named::sql);

// For each placeholder of a portable query: the SQLite parameter index it binds (as SQLite
// numbers them) and the $k it becomes. The property the PostgreSQL backend relies on: the
// declared parameter k - 1 binds, on SQLite, exactly the placeholders that become $k, so
// binding on PostgreSQL is the identity.
template <class Q>
constexpr bool binding_is_identity() {
  bool ok = true;
  std::size_t next = 0;
  sd::for_each_placeholder_number(Q::sql, [&](const sd::token& t, std::size_t k) {
    const std::string_view p = t.text(Q::sql);
    std::size_t sqlite_index = 0;
    if (p[0] == '?') {
      sqlite_index = p.size() == 1 ? ++next : sd::parse_number(p.substr(1));
      if (sqlite_index > next) next = sqlite_index;
    } else if (const std::size_t seen = sd::first_named_index(Q::sql, p, t.begin); seen != 0) {
      sqlite_index = seen;
    } else {
      sqlite_index = ++next;
    }
    ok = ok && k >= 1 && k <= Q::parameter_count &&
         static_cast<std::size_t>(Q::bind_index[k - 1]) == sqlite_index;
  });
  return ok;
}
static_assert(binding_is_identity<anonymous>());
static_assert(binding_is_identity<numbered>());
static_assert(binding_is_identity<named>());
static_assert(binding_is_identity<dollar_numbered>());
static_assert(binding_is_identity<colon_numbered>());

using insert_returning = sp::query<"INSERT INTO users (name, age) VALUES (?, ?) RETURNING id",
                                   std::int64_t(std::string, int)>;
static_assert(binding_is_identity<insert_returning>());

// either<>: Q::sql is the SQLite text; PostgreSQL gets its own text, not rendered, not linted.
using names_in = sp::query<
    sp::either<"SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))",
               "SELECT name FROM users WHERE id IN "
               "(SELECT value::int8 FROM jsonb_array_elements_text($1::jsonb))">,
    std::string(std::string)>;
static_assert(sp::checked<names_in>);
static_assert(names_in::written_in == dialect::sqlite);
static_assert(names_in::sql == "SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))");
static_assert(on_postgres<names_in> ==
              "SELECT name FROM users WHERE id IN "
              "(SELECT value::int8 FROM jsonb_array_elements_text($1::jsonb))");
static_assert(sd::check_dialect<names_in, dialect::postgres>());
static_assert(sd::check_dialect<names_in, dialect::sqlite>());
static_assert(on_postgres<pg_accepted> == pg_accepted::sql);

// query<> still takes a fixed_string through an alias, as documented for schemas.
template <sp::fixed_string Sql, class Signature>
using app_query = sp::query<Sql, Signature, sp::schema<>>;
using through_alias = app_query<"SELECT ?", int(int)>;
static_assert(sp::checked<through_alias>);
static_assert(on_postgres<through_alias> == "SELECT $1");

// An alias taking a query_text forwards literals and either<> alike.
template <sp::query_text Sql, class Signature>
using any_text_query = sp::query<Sql, Signature, sp::schema<>>;
using literal_through_alias = any_text_query<"SELECT ?", int(int)>;
using either_through_alias = any_text_query<sp::either<"SELECT ?", "SELECT $1::int4">, int(int)>;
static_assert(sp::checked<literal_through_alias> && sp::checked<either_through_alias>);
static_assert(on_postgres<either_through_alias> == "SELECT $1::int4");

TEST_CASE("Portable queries are rendered for PostgreSQL, placeholder style by style") {
  CHECK(on_postgres<anonymous> == "SELECT $1, '?' /* ? */, $2 -- ?\n");
  CHECK(on_postgres<quoted> == "SELECT \"?\", [?], `?` FROM t WHERE a = $1");
  CHECK(on_postgres<numbered> == "SELECT $2, $1, $2, $10, $3, $4, $5, $6, $7, $8, $9");
  CHECK(on_postgres<named> == "SELECT $1, $2, $1, $3, $4, $5");
  CHECK(on_postgres<dollar_numbered> == "SELECT $2, $1, $2");
  CHECK(on_postgres<colon_numbered> == "SELECT $2, $1");
  CHECK(on_postgres<insert_returning> == "INSERT INTO users (name, age) VALUES ($1, $2) RETURNING id");
  // NUL-terminated, for libpq.
  CHECK(on_postgres<named>.data()[on_postgres<named>.size()] == '\0');
  CHECK(std::string(on_postgres<names_in>).find("jsonb_array_elements_text($1::jsonb)") !=
        std::string::npos);
}

// Runs `sql` on SQLite with each parameter bound by `bind(stmt, index)`; returns the first
// row's columns as integers.
template <class Bind>
std::vector<std::int64_t> run_on_sqlite(std::string_view sql, Bind bind) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) ==
          SQLITE_OK);
  bind(stmt);
  std::vector<std::int64_t> row;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) row.push_back(sqlite3_column_int64(stmt, i));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return row;
}

// The differential check: declared parameter i holds 100 + i. On SQLite it binds through
// Q::bind_index; in the rendered text `$k` must read declared parameter k - 1, which SQLite
// (reading `$k` as a name) shows when each "$k" is bound to 100 + k - 1.
template <class Q>
void check_rendering_binds_in_order() {
  const auto original = run_on_sqlite(Q::sql, [](sqlite3_stmt* s) {
    for (std::size_t i = 0; i < Q::parameter_count; ++i) {
      sqlite3_bind_int64(s, Q::bind_index[i], static_cast<std::int64_t>(100 + i));
    }
  });
  const std::string rendered(on_postgres<Q>);
  const auto renumbered = run_on_sqlite(rendered, [](sqlite3_stmt* s) {
    for (std::size_t k = 1; k <= Q::parameter_count; ++k) {
      const std::string name = "$" + std::to_string(k);
      const int index = sqlite3_bind_parameter_index(s, name.c_str());
      if (index != 0) sqlite3_bind_int64(s, index, static_cast<std::int64_t>(100 + k - 1));
    }
  });
  CHECK(original.size() == Q::shape.result_columns);
  CHECK(renumbered == original);
}

TEST_CASE("After rendering, $k reads the k-th declared parameter, for every placeholder style") {
  check_rendering_binds_in_order<anonymous>();
  check_rendering_binds_in_order<numbered>();
  check_rendering_binds_in_order<named>();
  check_rendering_binds_in_order<dollar_numbered>();
  check_rendering_binds_in_order<colon_numbered>();
  const auto named_row = run_on_sqlite(named::sql, [](sqlite3_stmt* s) {
    for (std::size_t i = 0; i < named::parameter_count; ++i) {
      sqlite3_bind_int64(s, named::bind_index[i], static_cast<std::int64_t>(100 + i));
    }
  });
  CHECK(named_row == std::vector<std::int64_t>{100, 101, 100, 102, 103, 104});
}

// ---- the portability lint ----------------------------------------------------------------

// The construct the lint refuses in `sql`, as its error shows it; "" when there is none.
constexpr std::string_view refused(std::string_view sql) {
  const sd::sqlite_only_use use = sd::first_sqlite_only(sql);
  return use.row == sd::sqlite_only_count ? std::string_view{}
                                          : sd::sqlite_only_constructs[use.row].construct;
}

static_assert(refused("INSERT OR IGNORE INTO t (a) VALUES (?)") == "INSERT OR ...");
static_assert(refused("INSERT OR REPLACE INTO t (a) VALUES (?)") == "INSERT OR ...");
static_assert(refused("UPDATE OR ROLLBACK t SET a = ?") == "UPDATE OR ...");
static_assert(refused("REPLACE INTO t (a) VALUES (?)") == "REPLACE INTO");
static_assert(refused("PRAGMA user_version") == "PRAGMA");
static_assert(refused("ATTACH DATABASE 'x.db' AS x") == "ATTACH");
static_assert(refused("VACUUM INTO 'backup.db'") == "VACUUM INTO");
static_assert(refused("SELECT value FROM json_each(?)") == "json_each(...)");
static_assert(refused("SELECT ifnull(a, 0) FROM t") == "ifnull(a, b)");
static_assert(refused("SELECT strftime('%Y', d) FROM t") == "strftime(...)");
static_assert(refused("SELECT datetime('now')") == "datetime(...)");
static_assert(refused("SELECT unixepoch()") == "unixepoch(...)");
static_assert(refused("SELECT instr(a, 'x') FROM t") == "instr(s, t)");
static_assert(refused("SELECT a FROM t WHERE a GLOB ?") == "GLOB or glob(...)");
static_assert(refused("SELECT glob(?, a) FROM t") == "GLOB or glob(...)");
static_assert(refused("SELECT rowid FROM t") == "rowid");
static_assert(refused("SELECT t.oid FROM t") == "oid");
static_assert(refused("SELECT _rowid_ FROM t") == "_rowid_");
static_assert(refused("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)") == "AUTOINCREMENT");
static_assert(refused("SELECT x'00ff'") == "x'...' blob literal");
static_assert(refused("SELECT `a` FROM t") == "`name` quoting");
static_assert(refused("SELECT [a] FROM t") == "[name] quoting");
static_assert(refused("SELECT a FROM t WHERE a == ?") == "==");
static_assert(refused("SELECT a FROM t LIMIT ?, ?") == "LIMIT offset, count");
static_assert(refused("SELECT a FROM t WHERE b = $a::int8") == "a parameter name holding :: or (...)");
static_assert(refused("SELECT group_concat(a) FROM t") == "group_concat(...)");

// Portable as written.
static_assert(refused("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING id").empty());
static_assert(refused("WITH c AS (SELECT a FROM t LIMIT 1) SELECT coalesce(a, 0) || 'x' FROM c").empty());
static_assert(refused("SELECT a, row_number() OVER (ORDER BY a) FROM t LIMIT ? OFFSET ?").empty());
static_assert(refused("SELECT replace(a, 'x', 'y'), 'rowid', \"oid\" FROM t").empty());
static_assert(refused("SELECT (SELECT a FROM t LIMIT 1), b FROM u").empty());

static_assert(sd::check_dialect<anonymous, dialect::postgres>());
static_assert(sd::check_dialect<anonymous, dialect::sqlite>());
static_assert(sd::check_dialect<pg_accepted, dialect::postgres>());

// A PostgreSQL-only construct in a portable query is named as such, not as a typo.
static_assert(sd::postgres_syntax_at("SELECT a::int8 FROM t", 8));
static_assert(sd::postgres_syntax_at("SELECT $$it's$$", 12));
static_assert(sd::postgres_syntax_at("SELECT j @> k FROM t", 9));
static_assert(!sd::postgres_syntax_at("SELECT 'never closed", 7));
static_assert(!sd::postgres_syntax_at("SELECT `never closed", 7));

TEST_CASE("The lint's table names each construct and what PostgreSQL has instead") {
  for (const sd::sqlite_only_construct& c : sd::sqlite_only_constructs) {
    CHECK_FALSE(c.construct.empty());
    CHECK_FALSE(c.instead.empty());
  }
  CHECK(refused("SELECT value FROM json_each(?)") == "json_each(...)");
  CHECK(sd::sqlite_only_constructs[sd::first_sqlite_only("SELECT ifnull(a, 0) FROM t").row].instead ==
        "coalesce(a, b)");
}

}  // namespace
