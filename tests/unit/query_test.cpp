// Tests for include/sqlproof/query.hpp and the SQL analysis behind it
// (detail/sql_lexer.hpp, detail/sql_shape.hpp): what the compiler learns from SQL text, that
// SQLite itself agrees, that such queries run and bind in the right order, and what is checked
// once when a typed query is first prepared.

#include <sqlproof/database.hpp>
#include <sqlproof/detail/sql_shape.hpp>
#include <sqlproof/detail/type_name.hpp>
#include <sqlproof/query.hpp>
#include <sqlproof/table.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../catch.hpp"

namespace {

namespace sp = sqlproof;
using sp::detail::analyse_sql;
using sp::detail::bind_indices;
using sp::detail::returns_rows;
using sp::detail::sql_problem;
constexpr std::size_t unknown = sp::detail::unknown_count;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// True when `sql` is one well-formed statement with the given placeholder count, row kind
// and result column count.
constexpr bool shape_is(std::string_view sql, std::size_t params, returns_rows rows,
                        std::size_t columns) {
  const auto s = analyse_sql(sql);
  return s.problem == sql_problem::none && s.parameter_count == params && s.rows == rows &&
         s.result_columns == columns;
}

constexpr sql_problem problem_of(std::string_view sql) { return analyse_sql(sql).problem; }

// ---- placeholders hidden in literals, identifiers and comments ------------------------------

static_assert(shape_is("SELECT ?", 1, returns_rows::yes, 1));
static_assert(shape_is("SELECT '?', ?", 1, returns_rows::yes, 2));
static_assert(shape_is("SELECT 'it''s ?', \"a\"\"?b\", ?", 1, returns_rows::yes, 3));
static_assert(shape_is("SELECT \"?\", [?], `?` FROM t WHERE a = ?", 1, returns_rows::yes, 3));
static_assert(shape_is("SELECT 1 -- ?", 0, returns_rows::yes, 1));
static_assert(shape_is("SELECT /* ? */ 1", 0, returns_rows::yes, 1));
static_assert(shape_is("SELECT 1 /* unterminated ? comment", 0, returns_rows::yes, 1));
static_assert(shape_is("SELECT -- a ? in a comment\n ?", 1, returns_rows::yes, 1));
static_assert(shape_is("SELECT '--', ?, '/*', ?", 2, returns_rows::yes, 4));
static_assert(shape_is("SELECT a$b FROM t", 0, returns_rows::yes, 1));  // `$` inside a name
static_assert(shape_is("SELECT j ->> '$.a', j -> '$.b' FROM t", 0, returns_rows::yes, 2));

// ---- numbered and named placeholders --------------------------------------------------------

static_assert(shape_is("SELECT ?1, ?1, ?2", 2, returns_rows::yes, 3));
static_assert(analyse_sql("SELECT ?1, ?1, ?2").sqlite_parameter_count == 2);
static_assert(shape_is("SELECT ?5, ?4, ?3, ?2, ?1", 5, returns_rows::yes, 5));
static_assert(shape_is("SELECT :a, :a, :b", 2, returns_rows::yes, 3));  // :a counts once
static_assert(shape_is("SELECT count(*) FROM t WHERE a >= :n AND a < :n + 10", 1,
                       returns_rows::yes, 1));
static_assert(shape_is("SELECT @x + @x", 1, returns_rows::yes, 1));
static_assert(shape_is("SELECT $name || $name", 1, returns_rows::yes, 1));
static_assert(shape_is("SELECT $a::b, $a::b", 1, returns_rows::yes, 2));  // TCL-style name
static_assert(shape_is("SELECT :a, @b, $c", 3, returns_rows::yes, 3));
static_assert(!analyse_sql("SELECT :a, @b, $c").numbered_names);

// $N names bind by number, whatever order they appear in.
static_assert(analyse_sql("SELECT $2 || $1").numbered_names);
static_assert(analyse_sql("SELECT $2 || $1").parameter_count == 2);
static_assert(bind_indices<2>("SELECT $2 || $1", true) == std::array<int, 2>{2, 1});
static_assert(bind_indices<2>("SELECT $1, $1, $2", true) == std::array<int, 2>{1, 2});
static_assert(bind_indices<3>("SELECT $3, $1, $2, $3", true) == std::array<int, 3>{2, 3, 1});
static_assert(bind_indices<2>("SELECT ?2, ?1", false) == std::array<int, 2>{1, 2});
static_assert(sp::query<"SELECT $2 || $1", std::string(std::string, std::string)>::bind_index ==
              std::array<int, 2>{2, 1});

// ---- statement kinds and result columns -----------------------------------------------------

static_assert(shape_is("WITH c(n, m) AS (SELECT 1, 2) SELECT n FROM c WHERE m = ?", 1,
                       returns_rows::yes, 1));
static_assert(shape_is("WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt "
                       "WHERE x < ?) SELECT x, x * x FROM cnt",
                       1, returns_rows::yes, 2));
static_assert(shape_is("WITH old AS (SELECT id FROM t WHERE a < ?) DELETE FROM t WHERE id IN "
                       "(SELECT id FROM old)",
                       1, returns_rows::no, unknown));
static_assert(shape_is("SELECT (SELECT count(*) FROM u WHERE u.t = t.id), t.name FROM t "
                       "WHERE t.id IN (SELECT x FROM y WHERE z = ?)",
                       1, returns_rows::yes, 2));
static_assert(shape_is("SELECT a, row_number() OVER (PARTITION BY b ORDER BY c), sum(a) OVER w "
                       "FROM t WINDOW w AS (ORDER BY a)",
                       0, returns_rows::yes, 3));
static_assert(shape_is("SELECT sum(a) FILTER (WHERE b > ?) OVER (ORDER BY c ROWS BETWEEN 1 "
                       "PRECEDING AND CURRENT ROW) FROM t",
                       1, returns_rows::yes, 1));
static_assert(shape_is("SELECT CASE WHEN a > ? THEN 'x, y' ELSE coalesce(b, c) END AS c1, c "
                       "FROM t",
                       1, returns_rows::yes, 2));
static_assert(shape_is("INSERT INTO t (a, b) VALUES (?, ?) RETURNING id, a", 2, returns_rows::yes,
                       2));
static_assert(shape_is("INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET b = "
                       "excluded.b RETURNING id",
                       1, returns_rows::yes, 1));
static_assert(shape_is("INSERT INTO t (name) VALUES ('RETURNING')", 0, returns_rows::no, unknown));
static_assert(shape_is("UPDATE t SET a = ? WHERE id = ?", 2, returns_rows::no, unknown));
static_assert(shape_is("REPLACE INTO t (id, a) VALUES (?, ?)", 2, returns_rows::no, unknown));
static_assert(analyse_sql("UPDATE t SET a = ? WHERE id = ? RETURNING *").select_star);
static_assert(shape_is("UPDATE t SET a = ? WHERE id = ? RETURNING *", 2, returns_rows::yes,
                       unknown));
// DELETE and UPDATE may end with ORDER BY and LIMIT after RETURNING (SQLite built with
// SQLITE_ENABLE_UPDATE_DELETE_LIMIT): they are not part of the list.
static_assert(shape_is("DELETE FROM t RETURNING a ORDER BY a, b LIMIT ?", 1, returns_rows::yes, 1));
static_assert(shape_is("UPDATE t SET b = ? RETURNING a, b ORDER BY a, b, c LIMIT 2, 3", 1,
                       returns_rows::yes, 2));
static_assert(analyse_sql("DELETE FROM t RETURNING * ORDER BY a LIMIT 1").select_star);
static_assert(shape_is("DELETE FROM t RETURNING * ORDER BY a LIMIT 1", 0, returns_rows::yes,
                       unknown));
// A virtual table's module arguments are any tokens in balanced parentheses: a `;` there ends
// nothing, a `?` there is no parameter.
static_assert(shape_is("CREATE VIRTUAL TABLE x USING fts5(a; b, ?, :c, (d; ?))", 0,
                       returns_rows::no, unknown));
static_assert(shape_is("CREATE VIRTUAL TABLE IF NOT EXISTS main.x USING fts5(a, 'b;');", 0,
                       returns_rows::no, unknown));
static_assert(problem_of("CREATE VIRTUAL TABLE x USING fts5(a; b); SELECT 1") ==
              sql_problem::several_statements);
static_assert(problem_of("CREATE VIRTUAL TABLE x USING fts5; SELECT ?") ==
              sql_problem::several_statements);
static_assert(analyse_sql("EXPLAIN CREATE VIRTUAL TABLE x USING fts5(?)").problem ==
              sql_problem::none);
static_assert(analyse_sql("EXPLAIN CREATE VIRTUAL TABLE x USING fts5(?)").parameter_count == 0);
static_assert(shape_is("VALUES (1, 2, 3)", 0, returns_rows::yes, 3));
static_assert(shape_is("VALUES (?, ?), (?, ?)", 4, returns_rows::yes, 2));
static_assert(shape_is("VALUES (1, (2), coalesce(3, 4))", 0, returns_rows::yes, 3));
static_assert(shape_is("SELECT a, b FROM t UNION ALL SELECT c, d FROM u ORDER BY 1", 0,
                       returns_rows::yes, 2));
static_assert(shape_is("SELECT 1, 2 UNION SELECT 3, 4", 0, returns_rows::yes, 2));
static_assert(shape_is("SELECT 1 EXCEPT SELECT 2", 0, returns_rows::yes, 1));
static_assert(shape_is("SELECT 1 INTERSECT SELECT 1", 0, returns_rows::yes, 1));
static_assert(shape_is("SELECT DISTINCT a, b FROM t", 0, returns_rows::yes, 2));
static_assert(shape_is("SELECT ALL a FROM t", 0, returns_rows::yes, 1));
static_assert(shape_is("SELECT count(*) FROM t", 0, returns_rows::yes, 1));
static_assert(!analyse_sql("SELECT count(*) FROM t").select_star);
static_assert(shape_is("SELECT count(*), max(a) FROM t GROUP BY b HAVING count(*) > ?", 1,
                       returns_rows::yes, 2));
static_assert(shape_is("SELECT a*b, a * b, 2*3 FROM t", 0, returns_rows::yes, 3));
static_assert(!analyse_sql("SELECT a*b, a * b, 2*3 FROM t").select_star);
static_assert(shape_is("SELECT a AS \"x,y\", b AS [p, q] FROM t", 0, returns_rows::yes, 2));
static_assert(shape_is("SELECT a FROM t WHERE b IN (?, ?, ?) ORDER BY a LIMIT ? OFFSET ?", 5,
                       returns_rows::yes, 1));
static_assert(shape_is("SELECT \"\xE5\x90\x8D\", pr\xC3\xA9nom FROM t", 0, returns_rows::yes, 2));

// `*` and `t.*` leave the count to the prepare-time check.
static_assert(analyse_sql("SELECT * FROM t").select_star);
static_assert(analyse_sql("SELECT * FROM t").result_columns == unknown);
static_assert(analyse_sql("SELECT t.* FROM t").select_star);
static_assert(analyse_sql("SELECT t.*, u.id FROM t JOIN u").result_columns == unknown);
static_assert(analyse_sql("SELECT \"t\".* FROM t").select_star);
static_assert(shape_is("SELECT t.a, u.b FROM t JOIN u", 0, returns_rows::yes, 2));

// ---- literals, numbers, statement boundaries ------------------------------------------------

static_assert(shape_is("SELECT x'00ff', X'AB', ?", 1, returns_rows::yes, 3));
static_assert(shape_is("SELECT 0x1F + ?, 0XABC", 1, returns_rows::yes, 2));
static_assert(shape_is("SELECT 1.5e3, .5, 1e-3, 2E+2", 0, returns_rows::yes, 4));
static_assert(shape_is("SELECT 1;", 0, returns_rows::yes, 1));
static_assert(shape_is("SELECT 1 ;;  ", 0, returns_rows::yes, 1));
static_assert(shape_is(";SELECT 1", 0, returns_rows::yes, 1));
static_assert(shape_is("SELECT ? -- trailing ? comment", 1, returns_rows::yes, 1));
static_assert(shape_is("SELECT ? /* block ? */", 1, returns_rows::yes, 1));
static_assert(shape_is("SELECT 1; -- done", 0, returns_rows::yes, 1));
static_assert(analyse_sql("PRAGMA user_version").rows == returns_rows::unknown);
static_assert(analyse_sql("EXPLAIN QUERY PLAN SELECT 1").rows == returns_rows::unknown);
static_assert(shape_is("CREATE TABLE x (a, b)", 0, returns_rows::no, unknown));
static_assert(shape_is("select lower(?) from T where Id = ?", 2, returns_rows::yes, 1));

// ---- problems -------------------------------------------------------------------------------

static_assert(problem_of("SELECT 1; SELECT 2") == sql_problem::several_statements);
static_assert(problem_of("SELECT 1; -- ok\n SELECT 2") == sql_problem::several_statements);
// `/*` at the very end is `/` and `*` for SQLite, not an empty comment.
static_assert(problem_of("BEGIN;/*") == sql_problem::several_statements);
static_assert(shape_is("SELECT 1 /**/", 0, returns_rows::yes, 1));
// A trigger's body holds `;` that do not end it (sqlite3_complete's rule): only `; END` then
// `;` does. What follows that is a second statement.
static_assert(shape_is("CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u SET c = 1; END", 0,
                       returns_rows::no, unknown));
static_assert(problem_of("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2") ==
              sql_problem::several_statements);
static_assert(problem_of("CREATE TEMP TABLE x (a); SELECT 1") == sql_problem::several_statements);
static_assert(problem_of("CREATE TABLE trigger (a); SELECT 1") == sql_problem::several_statements);
static_assert(problem_of("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; END") ==
              sql_problem::several_statements);
static_assert(problem_of("SELECT 'abc") == sql_problem::lex_error);
static_assert(problem_of("SELECT [abc") == sql_problem::lex_error);
static_assert(problem_of("SELECT \"abc") == sql_problem::lex_error);
static_assert(problem_of("SELECT x'00") == sql_problem::lex_error);
static_assert(problem_of("SELECT #") == sql_problem::lex_error);
static_assert(problem_of("SELECT :") == sql_problem::lex_error);
static_assert(problem_of("SELECT $::") == sql_problem::lex_error);        // no name character
static_assert(problem_of("SELECT :(1)") == sql_problem::lex_error);       // suffix needs a name
static_assert(problem_of("SELECT $a::b(x y)") == sql_problem::lex_error); // space in the suffix
static_assert(problem_of("SELECT $a(x") == sql_problem::lex_error);       // unterminated suffix
static_assert(problem_of("SELECT #1") == sql_problem::lex_error);         // a register, not a name
static_assert(problem_of("SELECT # a") == sql_problem::lex_error);
// A vertical tab is no white space to SQLite's tokenizer: "unrecognized token".
static_assert(problem_of("SELECT 1;\v") == sql_problem::lex_error);
static_assert(problem_of("SELECT\v1") == sql_problem::lex_error);
static_assert(problem_of("SELECT $a(x\v)") == sql_problem::lex_error);
static_assert(problem_of("SELECT $a(x;y); SELECT 1") == sql_problem::several_statements);
static_assert(problem_of("SELECT $1, $1(x)") == sql_problem::mixed_placeholders);
// $0 and $01 are names of their own in SQLite, not $1-style numbers: alone they bind in order
// of appearance, next to $1 they are a second style.
static_assert(problem_of("SELECT $0, $1") == sql_problem::mixed_placeholders);
static_assert(problem_of("SELECT $01, $1") == sql_problem::mixed_placeholders);
static_assert(!analyse_sql("SELECT $0, $01, $0").numbered_names);
static_assert(analyse_sql("SELECT $0, $01, $0").parameter_count == 2);
// SQLite stops reading at a NUL byte, even inside a literal or a comment.
static_assert(problem_of(std::string_view("SELECT 'a\0b'", 12)) == sql_problem::lex_error);
static_assert(problem_of(std::string_view("SELECT ? --\0\n, ?", 16)) == sql_problem::lex_error);
static_assert(analyse_sql(std::string_view("SELECT x'00\0'", 13)).problem_offset == 11);
static_assert(analyse_sql("SELECT 1, 'abc").problem_offset == 10);
static_assert(problem_of("") == sql_problem::empty);
static_assert(problem_of("  \n ") == sql_problem::empty);
static_assert(problem_of("-- only a comment") == sql_problem::empty);
static_assert(problem_of(";") == sql_problem::empty);
static_assert(problem_of("SELECT ?, :a") == sql_problem::mixed_placeholders);
static_assert(problem_of("SELECT ?, ?1") == sql_problem::mixed_placeholders);
static_assert(problem_of("SELECT $1, $a") == sql_problem::mixed_placeholders);
static_assert(problem_of("SELECT ?1, ?3") == sql_problem::placeholder_gap);
static_assert(problem_of("SELECT ?3") == sql_problem::placeholder_gap);
static_assert(problem_of("SELECT $2") == sql_problem::placeholder_gap);

// ---- a typed query exposes what it learned --------------------------------------------------

using two_params = sp::query<"SELECT a, b FROM t WHERE a = ? AND b = ?", std::tuple<int, int>(int, int)>;
static_assert(two_params::sql == "SELECT a, b FROM t WHERE a = ? AND b = ?");
static_assert(two_params::parameter_count == 2);
static_assert(two_params::checked);
static_assert(two_params::shape.result_columns == 2);
static_assert(std::is_same_v<two_params::row_type, std::tuple<int, int>>);
static_assert(std::is_same_v<two_params::parameter_types, std::tuple<int, int>>);
static_assert(two_params::bind_index == std::array<int, 2>{1, 2});
static_assert(sp::query_type<two_params>);
static_assert(!sp::query_type<int>);

// Cases run through SQLite too: it must agree on placeholders and result columns.
struct shape_case {
  std::string_view sql;
  int sqlite_parameters;  // sqlite3_bind_parameter_count
  int columns;            // -1 when the text alone cannot tell (`*`)
};

constexpr shape_case sqlite_cases[] = {
    {"SELECT '?', ?", 1, 2},
    {"SELECT \"?\", [x?], `?` FROM q WHERE \"?\" = ?", 1, 3},
    {"SELECT 1 -- ?", 0, 1},
    {"SELECT /* ? */ 1", 0, 1},
    {"SELECT 1 /* unterminated ? comment", 0, 1},
    {"SELECT '--', ?, '/*', ?", 2, 4},
    {"SELECT ?1, ?1, ?2", 2, 3},
    {"SELECT ?5, ?4, ?3, ?2, ?1", 5, 5},
    {"SELECT :a, :a, :b", 2, 3},
    {"SELECT @x + @x", 1, 1},
    {"SELECT $name || $name", 1, 1},
    {"SELECT $a::b, $a::b", 1, 2},
    {"SELECT :a, @b, $c", 3, 3},
    {"SELECT $2 || $1", 2, 1},
    {"SELECT $3, $1, $2, $3", 3, 4},
    {"WITH c(n, m) AS (SELECT 1, 2) SELECT n FROM c WHERE m = ?", 1, 1},
    {"WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < ?) "
     "SELECT x, x * x FROM cnt",
     1, 2},
    {"WITH old AS (SELECT id FROM t WHERE a < ?) DELETE FROM t WHERE id IN (SELECT id FROM old)",
     1, 0},
    {"SELECT (SELECT count(*) FROM u WHERE u.t = t.id), t.name FROM t WHERE t.id IN "
     "(SELECT c FROM u WHERE d = ?)",
     1, 2},
    {"SELECT a, row_number() OVER (PARTITION BY b ORDER BY c), sum(a) OVER w FROM t "
     "WINDOW w AS (ORDER BY a)",
     0, 3},
    {"SELECT sum(a) FILTER (WHERE b > ?) OVER (ORDER BY c ROWS BETWEEN 1 PRECEDING AND "
     "CURRENT ROW) FROM t",
     1, 1},
    {"SELECT CASE WHEN a > ? THEN 'x, y' ELSE coalesce(b, c) END AS c1, c FROM t", 1, 2},
    {"INSERT INTO t (a, b) VALUES (?, ?) RETURNING id, a", 2, 2},
    {"INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING id", 1,
     1},
    {"INSERT INTO t (name) VALUES ('RETURNING')", 0, 0},
    {"UPDATE t SET a = ? WHERE id = ?", 2, 0},
    {"UPDATE t SET a = ? WHERE id = ? RETURNING *", 2, -1},
    {"DELETE FROM t WHERE id = ? RETURNING *", 1, -1},
    {"VALUES (?, ?), (?, ?)", 4, 2},
    {"VALUES (1, (2), coalesce(3, 4))", 0, 3},
    {"SELECT a, b FROM t UNION ALL SELECT c, d FROM u ORDER BY 1", 0, 2},
    {"SELECT DISTINCT a, b FROM t", 0, 2},
    {"SELECT count(*), max(a) FROM t GROUP BY b HAVING count(*) > ?", 1, 2},
    {"SELECT a*b, a * b, 2*3 FROM t", 0, 3},
    {"SELECT * FROM t", 0, -1},
    {"SELECT t.*, u.id FROM t JOIN u ON u.t = t.id", 0, -1},
    {"SELECT a AS \"x,y\", b AS [p, q] FROM t", 0, 2},
    {"SELECT a FROM t WHERE b IN (?, ?, ?) ORDER BY a LIMIT ? OFFSET ?", 5, 1},
    {"SELECT j ->> '$.a', j -> '$.b' FROM t", 0, 2},
    {"SELECT x'00ff', X'AB', ?", 1, 3},
    {"SELECT 0x1F + ?, 0XABC", 1, 2},
    {"SELECT 1.5e3, .5, 1e-3, 2E+2", 0, 4},
    {"SELECT ? -- trailing ? comment", 1, 1},
    {"SELECT ? /* block ? */", 1, 1},
    {"SELECT 1;", 0, 1},
    {"SELECT 1; -- done", 0, 1},
    // Names as SQLite's tokenizer reads them: `::` anywhere, a `(...)` suffix without white
    // space, and `#name`. The whole token is the name, so each spelling counts once.
    {"SELECT $::x(1), $::x(1)", 1, 2},
    {"SELECT :a::b, @x::y, :a::b", 2, 3},
    {"SELECT $a(1), $a(2), $a(1)", 2, 3},
    {"SELECT $a(x;y), $a(')", 2, 2},
    {"SELECT $a(x)y", 1, 1},
    {"SELECT :a::(1) + :a::", 2, 1},
    {"SELECT #a + #a, #b::c(d)", 2, 2},
    {"SELECT @1(x), $1::2", 2, 2},
    {"SELECT $0, $01, $0", 2, 3},
    // WINDOW is a keyword only before `name AS`; elsewhere it is a name.
    {"SELECT 1, window FROM (SELECT 1 AS window)", 0, 2},
    {"SELECT window, window + 1 AS w FROM (SELECT 2 AS window) WINDOW x AS (ORDER BY 1)", 0, 2},
    {"SELECT 1 window", 0, 1},
    {"SELECT a, window FROM (SELECT 1 AS a, 2 AS window) WINDOW w AS (ORDER BY a), w2 AS (w)",
     0, 2},
    // Keywords SQLite's grammar lets stand for a name (%fallback ID) are names in a list.
    {"SELECT a, filter, replace, offset, current, match FROM "
     "(SELECT 1 AS a, 2 AS filter, 3 AS replace, 4 AS offset, 5 AS current, 6 AS match)",
     0, 6},
    {"SELECT 1 filter, 2 replace, 3 offset, 4 current, 5 AS match, 6 rows, 7 key, 8 do",
     0, 8},
    // FROM after DISTINCT belongs to the operator, not to the statement.
    {"SELECT a IS NOT DISTINCT FROM b, c FROM t", 0, 2},
    {"SELECT a IS DISTINCT FROM ?, (b) IS NOT DISTINCT FROM (c) AS x, d FROM t", 1, 3},
    // A CTE's name and columns may be such keywords too.
    {"WITH replace(x, select_) AS (SELECT 1, 2) SELECT x FROM replace", 0, 1},
    {"WITH RECURSIVE \"values\" AS MATERIALIZED (SELECT 1), x AS NOT MATERIALIZED (VALUES (1)) "
     "VALUES (1, 2)",
     0, 2},
    {"WITH offset(n) AS (SELECT 1) DELETE FROM t WHERE id IN offset RETURNING id, a", 0, 2},
    // A trigger is one statement: the `;` in its body do not end it.
    {"CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u SET c = 1; DELETE FROM u; END", 0, 0},
    {"CREATE TEMP TRIGGER IF NOT EXISTS tr2 BEFORE UPDATE OF a ON t WHEN new.a > 0 BEGIN "
     "UPDATE u SET c = CASE WHEN new.a > 1 THEN 2 ELSE 3 END; SELECT 'end; end'; END;",
     0, 0},
    {"CREATE TEMPORARY TRIGGER \"end\" INSTEAD OF INSERT ON v BEGIN SELECT 1; END ; ", 0, 0},
};

constexpr bool analysis_matches(const shape_case& c) {
  const auto s = analyse_sql(c.sql);
  if (s.problem != sql_problem::none) return false;
  if (s.sqlite_parameter_count != static_cast<std::size_t>(c.sqlite_parameters)) return false;
  if (c.columns < 0) return s.select_star && s.result_columns == unknown;
  if (c.columns == 0) return s.rows == returns_rows::no;
  return s.rows == returns_rows::yes && s.result_columns == static_cast<std::size_t>(c.columns);
}

constexpr std::size_t first_mismatch() {
  std::size_t i = 0;
  for (const auto& c : sqlite_cases) {
    if (!analysis_matches(c)) return i;
    ++i;
  }
  return i;
}
static_assert(first_mismatch() == std::size(sqlite_cases),
              "the analysis of sqlite_cases[first_mismatch()] differs from the expected shape");

constexpr const char* schema =
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER UNIQUE, b INTEGER, c INTEGER, d INTEGER,"
    "                name TEXT, j TEXT);"
    "CREATE TABLE u (id INTEGER PRIMARY KEY, t INTEGER, c INTEGER, d INTEGER);"
    "CREATE TABLE q (\"?\" INTEGER, [x?] TEXT);"
    "CREATE VIEW v AS SELECT a, b FROM t;";

// ---- rows for the prepare-time checks -------------------------------------------------------

struct pair_row {
  std::int64_t a;
  std::string b;
};

struct select_all_pairs : sp::query<"SELECT * FROM three_cols", pair_row()> {};

struct person {
  std::int64_t id;
  std::string name;
  int age;
};

struct item {
  std::int64_t id;
  std::string name;
};

}  // namespace

template <>
struct sqlproof::table_traits<person> {
  static constexpr sqlproof::fixed_string name = "people";
  static constexpr auto columns = sqlproof::column_names("id", "name", "age");
};

namespace vq_types {
struct account {};
template <class T>
struct wrapper {};
}  // namespace vq_types

TEST_CASE("query: SQLite agrees with the compile-time analysis", "[query]") {
  sp::database db{":memory:"};
  db.exec_script(schema);
  for (const auto& c : sqlite_cases) {
    CAPTURE(c.sql);
    auto st = db.prepare(c.sql);
    CHECK(st.parameter_count() == c.sqlite_parameters);
    if (c.columns >= 0) {
      CHECK(st.column_count() == c.columns);
    } else {
      CHECK(st.column_count() > 0);
    }
  }
}

TEST_CASE("query: a CREATE TRIGGER is one statement, the `;` of its body included", "[query]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER); CREATE TABLE log (a, note);");
  using create_trigger = sp::query<
      "CREATE TRIGGER t_log AFTER INSERT ON t WHEN new.a > 0 BEGIN "
      "INSERT INTO log VALUES (new.a, 'first; not the end'); "
      "INSERT INTO log VALUES (new.a * 10, CASE WHEN new.a > 1 THEN 'big' ELSE 'small' END); "
      "END;",
      void()>;
  static_assert(create_trigger::shape.rows == returns_rows::no);
  static_assert(create_trigger::parameter_count == 0);
  db.exec<create_trigger>();
  // A script still runs a trigger and the statements after it, one by one.
  db.exec_script(
      "CREATE TRIGGER t_gone AFTER DELETE ON t BEGIN DELETE FROM log WHERE a = old.a; END;"
      "INSERT INTO t (a) VALUES (4); INSERT INTO t (a) VALUES (0); INSERT INTO t (a) VALUES (7);"
      "DELETE FROM t WHERE a = 7;");
  using logged = sp::query<"SELECT a, note FROM log ORDER BY a",
                           std::tuple<std::int64_t, std::string>()>;
  CHECK(db.all<logged>() == std::vector<std::tuple<std::int64_t, std::string>>{
                                {4, "first; not the end"}, {40, "big"}, {70, "big"}});
}

TEST_CASE("query: $N placeholders bind by number, in any order", "[query]") {
  sp::database db{":memory:"};
  using swapped = sp::query<"SELECT $2 || $1", std::string(std::string, std::string)>;
  CHECK(db.one<swapped>(std::string("a"), std::string("b")) == std::optional<std::string>("ba"));

  using rotated = sp::query<"SELECT $3 || $1 || $2 || $3", std::string(std::string_view,
                                                                      std::string_view,
                                                                      std::string_view)>;
  static_assert(rotated::bind_index == std::array<int, 3>{2, 3, 1});
  CHECK(db.one<rotated>("a", "b", "c") == std::optional<std::string>("cabc"));

  using mixed_types = sp::query<"SELECT typeof($2), typeof($1)",
                                std::tuple<std::string, std::string>(std::int64_t, std::string)>;
  CHECK(db.one<mixed_types>(std::int64_t{1}, std::string("x")) ==
        std::optional(std::tuple<std::string, std::string>{"text", "integer"}));
}

TEST_CASE("query: ?NNN, :name, @name and $name bind as SQLite numbers them", "[query]") {
  sp::database db{":memory:"};
  using numbered = sp::query<"SELECT ?2 - ?1, ?1", std::tuple<std::int64_t, std::int64_t>(int, int)>;
  CHECK(db.one<numbered>(10, 3) == std::optional(std::tuple<std::int64_t, std::int64_t>{-7, 10}));

  using named = sp::query<"SELECT :x * :x + :y", std::int64_t(int, int)>;
  CHECK(db.one<named>(3, 1) == std::optional<std::int64_t>(10));

  using at_named = sp::query<"SELECT @n + @n + @m", std::int64_t(int, int)>;
  CHECK(db.one<at_named>(5, 1) == std::optional<std::int64_t>(11));

  using dollar_named = sp::query<"SELECT $word || '-' || $word || $tail",
                                 std::string(std::string_view, std::string_view)>;
  CHECK(db.one<dollar_named>("ab", "!") == std::optional<std::string>("ab-ab!"));

  // The dynamic statement sees the names too.
  auto st = db.prepare("SELECT :first || :second");
  CHECK(st.parameter_count() == 2);
  st.bind(":second", std::string("2")).bind(":first", std::string("1"));
  REQUIRE(st.step());
  CHECK(st.column<std::string>(0) == "12");
  CHECK_FALSE(st.step());
  CHECK_THROWS_AS(st.bind(":missing", 1), sp::misuse_error);
}

TEST_CASE("query: names with `::`, a `(...)` suffix or `#` bind as SQLite names them", "[query]") {
  sp::database db{":memory:"};
  using tcl = sp::query<"SELECT $::x(1) * 10 + $::x(2), $::x(1)",
                        std::tuple<std::int64_t, std::int64_t>(int, int)>;
  static_assert(tcl::parameter_count == 2);
  CHECK(db.one<tcl>(4, 7) == std::optional(std::tuple<std::int64_t, std::int64_t>{47, 4}));

  using colons = sp::query<"SELECT :a::b || @x::y || :a::b", std::string(std::string_view,
                                                                           std::string_view)>;
  CHECK(db.one<colons>("p", "q") == std::optional<std::string>("pqp"));

  // A suffix may hold what would otherwise end the statement or open a string.
  using odd_suffix = sp::query<"SELECT $v(x;y) - $v(')", std::int64_t(int, int)>;
  CHECK(db.one<odd_suffix>(10, 3) == std::optional<std::int64_t>(7));

  using hash = sp::query<"SELECT #n + #n + #m", std::int64_t(int, int)>;
  CHECK(db.one<hash>(5, 1) == std::optional<std::int64_t>(11));

  using zero = sp::query<"SELECT $01 * 10 + $0", std::int64_t(int, int)>;
  CHECK(db.one<zero>(4, 2) == std::optional<std::int64_t>(42));

  auto st = db.prepare("SELECT $a::b(x) || #c");
  CHECK(st.parameter_count() == 2);
  st.bind("#c", std::string("2")).bind("$a::b(x)", std::string("1"));
  REQUIRE(st.step());
  CHECK(st.column<std::string>(0) == "12");
}

TEST_CASE("query: placeholders inside literals, identifiers and comments are not parameters",
          "[query]") {
  sp::database db{":memory:"};
  db.exec_script(schema);
  db.exec_script("INSERT INTO q (\"?\", [x?]) VALUES (1, 'one'), (2, 'two?');");

  using literal = sp::query<"SELECT '?' || ? /* ? */ -- ?", std::string(std::string_view)>;
  static_assert(literal::parameter_count == 1);
  CHECK(db.one<literal>("x") == std::optional<std::string>("?x"));
  CHECK(db.prepare("SELECT '?', ?").parameter_count() == 1);

  using quoted = sp::query<"SELECT [x?] FROM q WHERE \"?\" = ?", std::string(int)>;
  CHECK(db.one<quoted>(2) == std::optional<std::string>("two?"));
  using backticked = sp::query<"SELECT `?` + 10 FROM q WHERE [x?] = '?' OR [x?] = ?",
                               std::int64_t(std::string_view)>;
  CHECK(db.one<backticked>("one") == std::optional<std::int64_t>(11));
}

TEST_CASE("query: CTEs, subqueries, windows, CASE, VALUES and compounds run with their values",
          "[query]") {
  sp::database db{":memory:"};
  db.exec_script(schema);
  db.exec_script(
      "INSERT INTO t (id, a, b, c, name) VALUES (1, 10, 1, 3, 'x'), (2, 20, 1, 2, 'y'), "
      "(3, 30, 2, 1, 'z');"
      "INSERT INTO u (id, t, c, d) VALUES (1, 1, 1, 7), (2, 1, 2, 7), (3, 3, 3, 8);");

  using squares = sp::query<"WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt "
                            "WHERE x < ?) SELECT x, x * x FROM cnt",
                            std::tuple<int, int>(int)>;
  CHECK(db.all<squares>(4) ==
        std::vector<std::tuple<int, int>>{{1, 1}, {2, 4}, {3, 9}, {4, 16}});

  using sub = sp::query<"SELECT (SELECT count(*) FROM u WHERE u.t = t.id), t.name FROM t "
                        "WHERE t.id IN (SELECT c FROM u WHERE d = ?) ORDER BY t.id",
                        std::tuple<std::int64_t, std::string>(int)>;
  CHECK(db.all<sub>(7) ==
        std::vector<std::tuple<std::int64_t, std::string>>{{2, "x"}, {0, "y"}});

  using window = sp::query<"SELECT a, row_number() OVER (PARTITION BY b ORDER BY c), sum(a) OVER w "
                           "FROM t WINDOW w AS (ORDER BY a) ORDER BY a",
                           std::tuple<int, int, int>()>;
  CHECK(db.all<window>() ==
        std::vector<std::tuple<int, int, int>>{{10, 2, 10}, {20, 1, 30}, {30, 1, 60}});

  using cased = sp::query<"SELECT CASE WHEN a > ? THEN 'big, really' ELSE name END, a FROM t "
                          "ORDER BY a",
                          std::tuple<std::string, int>(int)>;
  CHECK(db.all<cased>(15) == std::vector<std::tuple<std::string, int>>{
                                 {"x", 10}, {"big, really", 20}, {"big, really", 30}});

  using values = sp::query<"VALUES (1, 'a'), (?, ?)", std::tuple<int, std::string>(int, std::string)>;
  CHECK(db.all<values>(2, std::string("b")) ==
        std::vector<std::tuple<int, std::string>>{{1, "a"}, {2, "b"}});

  using compound = sp::query<"SELECT a FROM t WHERE a < 15 UNION ALL SELECT ? ORDER BY 1 DESC",
                             int(int)>;
  CHECK(db.all<compound>(99) == std::vector<int>{99, 10});

  using distinct = sp::query<"SELECT DISTINCT b FROM t ORDER BY b", int()>;
  CHECK(db.all<distinct>() == std::vector<int>{1, 2});

  using counted = sp::query<"SELECT count(*), sum(a*b) FROM t", std::tuple<std::int64_t, std::int64_t>()>;
  CHECK(db.one<counted>() == std::optional(std::tuple<std::int64_t, std::int64_t>{3, 90}));

  using blob_hex = sp::query<"SELECT x'00ff', 0x1F + ?", std::tuple<std::vector<std::uint8_t>, int>(int)>;
  const auto bh = db.one<blob_hex>(1);
  REQUIRE(bh.has_value());
  CHECK(std::get<0>(*bh) == std::vector<std::uint8_t>{0x00, 0xFF});
  CHECK(std::get<1>(*bh) == 32);

  using trailing = sp::query<"SELECT ? + 1; -- done", int(int)>;
  CHECK(db.one<trailing>(41) == std::optional<int>(42));
  using trailing_block = sp::query<"SELECT ? * 2 /* the end */ ;", int(int)>;
  CHECK(db.one<trailing_block>(21) == std::optional<int>(42));
}

TEST_CASE("query: RETURNING rows are read like a SELECT", "[query]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");

  using add = sp::query<"INSERT INTO items (name) VALUES (?) RETURNING id, name", item(std::string)>;
  const auto first = db.one<add>(std::string("first"));
  REQUIRE(first.has_value());
  CHECK(first->id == 1);
  CHECK(first->name == "first");
  const auto second = db.one<add>(std::string("second"));
  REQUIRE(second.has_value());
  CHECK(second->id == 2);

  using rename = sp::query<"UPDATE items SET name = upper(name) WHERE id <= ? RETURNING name",
                           std::string(int)>;
  auto renamed = db.all<rename>(2);
  std::sort(renamed.begin(), renamed.end());
  CHECK(renamed == std::vector<std::string>{"FIRST", "SECOND"});

  using remove = sp::query<"DELETE FROM items WHERE id = ? RETURNING *", item(int)>;
  const auto removed = db.one<remove>(1);
  REQUIRE(removed.has_value());
  CHECK(removed->id == 1);
  CHECK(removed->name == "FIRST");

  using count = sp::query<"SELECT count(*) FROM items", std::int64_t()>;
  CHECK(db.one<count>() == std::optional<std::int64_t>(1));
  CHECK_FALSE(db.one<remove>(1).has_value());  // nothing left to delete
}

TEST_CASE("query: SELECT * whose column count differs from the row type is a schema_error",
          "[query]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE three_cols (a INTEGER, b TEXT, c REAL);"
                 "INSERT INTO three_cols VALUES (1, 'x', 0.5);");
  static_assert(select_all_pairs::shape.result_columns == unknown);  // not knowable from text
  for (int attempt = 0; attempt < 2; ++attempt) {  // checked on every prepare, never cached
    CAPTURE(attempt);
    try {
      (void)db.one<select_all_pairs>();
      FAIL("SELECT * over 3 columns was read into a 2-field struct");
    } catch (const sp::schema_error& e) {
      CHECK(contains(e.query_name(), "select_all_pairs"));
      CHECK(e.sql() == "SELECT * FROM three_cols");
      CHECK(contains(e.what(), "3 columns"));
      CHECK(contains(e.what(), "2 fields"));
      CHECK(contains(e.what(), "select_all_pairs"));
    }
  }
  CHECK(db.cache().in_use() == 0);
  CHECK(db.cache().stats().typed == 0);

  // With a fitting table the same query type works.
  db.exec_script("DROP TABLE three_cols; CREATE TABLE three_cols (a INTEGER, b TEXT);"
                 "INSERT INTO three_cols VALUES (7, 'seven');");
  const auto row = db.one<select_all_pairs>();
  REQUIRE(row.has_value());
  CHECK(row->a == 7);
  CHECK(row->b == "seven");

  // An unmapped struct is positional: column names do not matter.
  using renamed = sp::query<"SELECT 1 AS whatever, 'x' AS other", pair_row()>;
  CHECK(db.one<renamed>().has_value());
}

TEST_CASE("query: a mapped row type checks column names once, when prepared", "[query]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER);"
                 "INSERT INTO people VALUES (1, 'Ann', 31);");

  using in_order = sp::query<"SELECT id, name, age FROM people WHERE id = ?", person(std::int64_t)>;
  const auto ann = db.one<in_order>(std::int64_t{1});
  REQUIRE(ann.has_value());
  CHECK(ann->id == 1);
  CHECK(ann->name == "Ann");
  CHECK(ann->age == 31);

  using star = sp::query<"SELECT * FROM people", person()>;
  CHECK(db.one<star>().has_value());
  using aliased = sp::query<"SELECT p.id, upper(p.name) AS NAME, p.age + 1 AS age FROM people p",
                            person()>;
  const auto aliased_row = db.one<aliased>();
  REQUIRE(aliased_row.has_value());
  CHECK(aliased_row->name == "ANN");
  CHECK(aliased_row->age == 32);

  // A view the schema does not map: its columns are unknown at compile time, so the
  // prepare-time check is what sees the order.
  db.exec_script("CREATE VIEW people_view AS SELECT id, age, name FROM people");
  using swapped = sp::query<"SELECT * FROM people_view", person()>;
  try {
    (void)db.one<swapped>();
    FAIL("columns in the wrong order were read into a mapped struct");
  } catch (const sp::schema_error& e) {
    CHECK(contains(e.what(), "'age'"));
    CHECK(contains(e.what(), "'name'"));
    CHECK(contains(e.what(), "person"));
    CHECK(e.sql() == "SELECT * FROM people_view");
    CHECK_FALSE(e.query_name().empty());
  }

  // `SELECT *` over a table whose columns are in another order is caught the same way.
  db.exec_script("CREATE TABLE people_v2 (id INTEGER PRIMARY KEY, age INTEGER, name TEXT);");
  using star_v2 = sp::query<"SELECT * FROM people_v2", person()>;
  CHECK_THROWS_AS(db.one<star_v2>(), sp::schema_error);
  CHECK_THROWS_AS(db.all<star_v2>(), sp::schema_error);
  CHECK(db.cache().in_use() == 0);
}

TEST_CASE("query: a struct derived from query<> is named in errors; an alias shows its row type",
          "[query]") {
  const std::string derived(sp::detail::query_display_name<select_all_pairs>);
  CHECK(contains(derived, "select_all_pairs"));
  CHECK_FALSE(contains(derived, "SELECT"));
  STATIC_REQUIRE(sp::detail::query_display_name<sp::query<"SELECT 1", int()>> == "query<int(...)>");
  STATIC_REQUIRE(sp::detail::query_display_name<sp::query<"SELECT a > ? FROM t; -- )]>",
                                                          int(int)>> == "query<int(...)>");
  STATIC_REQUIRE(sp::detail::query_display_name<sp::query<"SELECT 1, 2", pair_row()>> ==
                 "query<pair_row(...)>");
}

TEST_CASE("query: detail::type_name spells types readably at compile time", "[query]") {
  using sp::detail::type_name;
  STATIC_REQUIRE(type_name<int> == "int");
  STATIC_REQUIRE(type_name<double> == "double");
  STATIC_REQUIRE(type_name<bool> == "bool");
  STATIC_REQUIRE(type_name<vq_types::account> == "vq_types::account");
  STATIC_REQUIRE(type_name<vq_types::wrapper<int>> == "vq_types::wrapper<int>");
  STATIC_REQUIRE(type_name<vq_types::wrapper<vq_types::wrapper<int>>> ==
                 "vq_types::wrapper<vq_types::wrapper<int> >" ||
                 type_name<vq_types::wrapper<vq_types::wrapper<int>>> ==
                 "vq_types::wrapper<vq_types::wrapper<int>>");
  STATIC_REQUIRE(type_name<std::optional<int>> == "std::optional<int>");
  STATIC_REQUIRE(type_name<std::vector<int>> == "std::vector<int>");
  CHECK(contains(type_name<std::int64_t>, "long"));
  STATIC_REQUIRE(type_name<std::string> == "std::string");
  STATIC_REQUIRE(type_name<std::string_view> == "std::string_view");
  CHECK((type_name<std::optional<std::string>> == "std::optional<std::string>" ||
         type_name<std::optional<std::string>> == "std::optional<std::string >"));
  CHECK(contains(type_name<person>, "person"));
  CHECK_FALSE(contains(type_name<person>, "]"));
  CHECK_FALSE(contains(type_name<person>, ";"));
}

namespace {

struct checked_row {
  std::int64_t id;
  std::string name;
};

// Never used: a query type is checked where it is used, so this wrong alias (two columns
// for a one-field row) compiles. tests/compile_fail/checked_at_declaration.cpp shows the
// same alias stopping compilation once `checked` names it.
using unused_wrong_query = sp::query<"SELECT id, name FROM users", std::int64_t()>;

using checked_query = sp::query<"SELECT id, name FROM users WHERE id = ?", checked_row(std::int64_t)>;
static_assert(sp::checked<checked_query>);

}  // namespace

TEST_CASE("query: checked<Q> runs the checks at the declaration and the query still runs",
          "[query]") {
  STATIC_REQUIRE(sp::checked<checked_query>);
  STATIC_REQUIRE(checked_query::checked);

  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                 "INSERT INTO users VALUES (7, 'Ann');");
  const std::optional<checked_row> row = db.one<checked_query>(std::int64_t{7});
  REQUIRE(row.has_value());
  CHECK(row->id == 7);
  CHECK(row->name == "Ann");
}
