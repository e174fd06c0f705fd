// Differential test of the compile-time SQL analysis against SQLite itself.
//
// A generator built as a recursive grammar over SQLite's syntax
// (https://sqlite.org/lang.html) writes statements from a fixed seed: SELECT with every kind
// of join, GROUP BY/HAVING, named windows, ORDER BY/LIMIT; compound SELECTs; WITH
// [RECURSIVE]; VALUES; INSERT (VALUES, SELECT, DEFAULT VALUES, upsert, RETURNING); UPDATE
// (FROM, RETURNING); DELETE; CREATE TABLE/VIEW/INDEX/TRIGGER; expressions of every kind
// (literals holding `?`, `;`, `:x`, `--` and `/*`, CASE, CAST, aggregates with FILTER, window
// functions, subqueries, IN, BETWEEN, IS [NOT] DISTINCT FROM, COLLATE, `->`/`->>`); keywords
// SQLite lets stand for names (https://sqlite.org/lang_keywords.html) as tables, columns and
// aliases; every placeholder form; comments between any two tokens. A list of hand-written
// application statements joins them. The grammar is in tests/support/sql_grammar.hpp and
// tests/support/sql_statement_generator.hpp.
//
// Each statement is analysed at run time by detail::analyse_sql (the constexpr function the
// compiler runs) and prepared by sqlite3_prepare_v2; where SQLite prepares it, both must
// agree on the statement count, the placeholder count and the result column count. The only
// disagreements allowed are the documented refusals (mixed placeholder styles, numbering
// gaps), which the generator produces on purpose and the analysis must then report.
//
// A failure prints the statement, its seed and its index. To rerun one statement:
//   SQLPROOF_DIFFERENTIAL_SEED=<seed> SQLPROOF_DIFFERENTIAL_INDEX=<index>
//     sqlproof_unit_tests "[differential]"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sqlproof/detail/sql_schema_check.hpp>
#include <sqlproof/detail/sql_shape.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "support/sql_statement_generator.hpp"

namespace {

namespace sd = sqlproof::detail;
using sqlproof_test::corpus_schema;
using sqlproof_test::corpus_table;
using sqlproof_test::corpus_tables;
using sqlproof_test::generated;
using sqlproof_test::placeholder_style;
using sqlproof_test::prng;
using sqlproof_test::statement_generator;

// ---- hand-written application statements ---------------------------------------------------

const char* const application_statements[] = {
    "SELECT id, a, b FROM t WHERE id = ?",
    "SELECT id, a, b FROM t WHERE id = :id",
    "SELECT count(*) FROM t",
    "SELECT count(*) AS n, max(a) FROM t WHERE b > ? AND c LIKE ? ESCAPE '\\'",
    "INSERT INTO t (a, b, c) VALUES (?, ?, ?)",
    "INSERT INTO t (a, b, c) VALUES (?1, ?2, ?3) RETURNING id",
    "INSERT INTO t (a, b) VALUES ($a, $b) ON CONFLICT (a) DO UPDATE SET b = excluded.b",
    "INSERT INTO t (a, b) VALUES (:a, :b) ON CONFLICT (a) DO UPDATE SET b = b + excluded.b "
    "WHERE excluded.b > 0 RETURNING id, b",
    "INSERT OR IGNORE INTO u (t_id, key) VALUES (?, ?)",
    "REPLACE INTO u (id, key, offset) VALUES (?, ?, ?)",
    "UPDATE t SET b = ?, c = ? WHERE id = ?",
    "UPDATE t SET b = b + 1 WHERE id = ? RETURNING b",
    "UPDATE u SET offset = offset + :step, action = :action WHERE key = :key",
    "UPDATE t SET (a, b) = (?, ?) WHERE id = ?",
    "UPDATE t SET b = u.offset FROM u WHERE u.t_id = t.id AND u.key = ?",
    "DELETE FROM t WHERE id = ?",
    "DELETE FROM t WHERE id IN (SELECT t_id FROM u WHERE key = ?) RETURNING id, a",
    "DELETE FROM u WHERE offset < ?1 OR offset > ?2",
    "SELECT t.id, u.key FROM t JOIN u ON u.t_id = t.id WHERE t.a = ?",
    "SELECT t.id, u.key FROM t LEFT JOIN u ON u.t_id = t.id ORDER BY t.id DESC LIMIT ? OFFSET ?",
    "SELECT t.id, count(u.id) FROM t LEFT JOIN u ON u.t_id = t.id GROUP BY t.id HAVING count(u.id) "
    "> ?",
    "SELECT id FROM t WHERE c IS NOT DISTINCT FROM ?",
    "SELECT id FROM t WHERE c IS DISTINCT FROM :c",
    "SELECT id FROM t WHERE a BETWEEN ? AND ? ORDER BY a",
    "SELECT id FROM t WHERE a IN (?, ?, ?)",
    "SELECT id FROM t WHERE a IN (SELECT value FROM json_each(?))",
    "SELECT id, j ->> '$.name', j -> '$.tags' FROM t WHERE j ->> '$.kind' = ?",
    "SELECT json_extract(j, '$.a'), json_array_length(j, '$.b') FROM t WHERE id = ?",
    "SELECT key, value FROM t, json_each(t.j) WHERE t.id = ?",
    "SELECT id, row_number() OVER (ORDER BY a) FROM t",
    "SELECT id, sum(b) OVER w, avg(b) OVER w FROM t WINDOW w AS (PARTITION BY a ORDER BY id)",
    "SELECT a, sum(b) FILTER (WHERE b > 0) FROM t GROUP BY a",
    "SELECT a, rank() OVER (PARTITION BY a ORDER BY b DESC) AS r FROM t",
    "SELECT a, lag(b, 1, 0) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
    "WITH recent AS (SELECT id, a FROM t ORDER BY id DESC LIMIT ?) SELECT a FROM recent",
    "WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < ?) SELECT x FROM "
    "cnt",
    "WITH RECURSIVE tree(id, depth) AS (SELECT id, 0 FROM t WHERE id = ? UNION ALL "
    "SELECT u.id, tree.depth + 1 FROM u JOIN tree ON u.t_id = tree.id) SELECT id, depth FROM tree",
    "WITH x AS MATERIALIZED (SELECT a FROM t) SELECT count(*) FROM x",
    "WITH x(n) AS NOT MATERIALIZED (VALUES (1), (2)) SELECT n FROM x",
    "SELECT a FROM t UNION SELECT offset FROM u ORDER BY 1",
    "SELECT a FROM t INTERSECT SELECT offset FROM u",
    "SELECT a, b FROM t EXCEPT SELECT offset, current FROM u LIMIT 10",
    "VALUES (1, 'one'), (2, 'two')",
    "VALUES (?, ?)",
    "SELECT CASE WHEN a > ? THEN 'big' WHEN a > ? THEN 'medium' ELSE 'small' END FROM t",
    "SELECT CAST(b AS TEXT), CAST(? AS INTEGER) FROM t",
    "SELECT coalesce(c, ?) AS name FROM t",
    "SELECT c COLLATE NOCASE FROM t ORDER BY c COLLATE NOCASE",
    "SELECT group_concat(c, ';') FROM t",
    "SELECT printf('%s: %d; ?', c, a) FROM t",
    "SELECT 'a?b;c:d', ? FROM t",
    "SELECT /* ? */ a -- ?\nFROM t WHERE b = ?",
    "SELECT a FROM t WHERE c = 'it''s; ?' AND b = ?",
    "SELECT x'3f3b', ?",
    "SELECT EXISTS (SELECT 1 FROM u WHERE u.t_id = ?)",
    "SELECT (SELECT max(offset) FROM u) AS top",
    "SELECT DISTINCT a FROM t",
    "SELECT DISTINCT a, b IS DISTINCT FROM c FROM t",
    "SELECT t.* FROM t WHERE id = ?",
    "SELECT * FROM t",
    "SELECT * FROM t JOIN u USING (id)",
    "SELECT window, filter, match, do, first, last FROM replace",
    "SELECT r.window AS window, r.filter filter FROM replace AS r WHERE r.match = ?",
    "SELECT key, offset, action, current FROM u WHERE current = ? ORDER BY offset",
    "SELECT \"group\", rows, range, over FROM \"order\" WHERE no = ?",
    "SELECT [group], `rows` FROM [order]",
    "INSERT INTO replace (window, filter, match, do) VALUES (?, ?, ?, ?)",
    "UPDATE replace SET first = ?, last = ? WHERE do = ?",
    "DELETE FROM replace WHERE window > ? RETURNING filter",
    "SELECT id FROM action WHERE key = ?",
    "SELECT a, b FROM v WHERE a > ?",
    "SELECT :a::b, @x::y, $::x(1)",
    "SELECT #name, #other",
    "SELECT $1, $2, $1",
    "SELECT ?3, ?1, ?2",
    "SELECT @limit, :select",
    "SELECT id FROM t LIMIT ?, ?",
    "SELECT id FROM t ORDER BY b NULLS LAST, a DESC NULLS FIRST",
    "SELECT id, ntile(4) OVER (ORDER BY a) FROM t",
    "SELECT id, first_value(a) OVER (PARTITION BY b ORDER BY id GROUPS BETWEEN 1 PRECEDING AND "
    "1 FOLLOWING EXCLUDE TIES) FROM t",
    "SELECT date('now'), datetime(?, 'unixepoch'), strftime('%Y', 'now')",
    "SELECT iif(a > 0, 'pos', 'neg') FROM t",
    "SELECT abs(-a), round(d, 2), length(c) FROM t",
    "SELECT upper(substr(c, 1, 1)) || lower(substr(c, 2)) FROM t",
    "SELECT replace(c, ';', ',') FROM t",
    "SELECT t.a, u.key FROM t CROSS JOIN u",
    "SELECT t.a, u.key FROM t NATURAL JOIN u",
    "SELECT t.a, u.key FROM t RIGHT JOIN u ON u.t_id = t.id",
    "SELECT t.a, u.key FROM t FULL OUTER JOIN u ON u.t_id = t.id",
    "SELECT t.a, x.n FROM t, (SELECT count(*) AS n FROM u) AS x",
    "SELECT a FROM t WHERE a NOT IN (SELECT t_id FROM u WHERE t_id IS NOT NULL)",
    "SELECT a FROM t WHERE c GLOB ? OR c LIKE ?",
    "SELECT a FROM t WHERE b NOTNULL AND c ISNULL",
    "SELECT total(d), avg(d), min(d), max(d) FROM t",
    "SELECT count(DISTINCT a) FROM t",
    "INSERT INTO t DEFAULT VALUES",
    "INSERT INTO t DEFAULT VALUES RETURNING id",
    "INSERT INTO t (a, b) SELECT offset, current FROM u WHERE key = ?",
    "INSERT INTO t (a) SELECT offset FROM u WHERE true ON CONFLICT (a) DO NOTHING",
    "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)",
    "INSERT INTO u (t_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING",
    "INSERT OR REPLACE INTO t (id, a) VALUES (?, ?)",
    "UPDATE OR IGNORE t SET a = ? WHERE id = ?",
    "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT '?')",
    "CREATE INDEX IF NOT EXISTS t_b ON t (b DESC)",
    "CREATE UNIQUE INDEX u_key ON u (key) WHERE key IS NOT NULL",
    "CREATE VIEW IF NOT EXISTS busy AS SELECT t_id, count(*) AS n FROM u GROUP BY t_id",
    "CREATE TRIGGER t_audit AFTER UPDATE OF b ON t FOR EACH ROW WHEN new.b <> old.b BEGIN "
    "INSERT INTO u (t_id, key) VALUES (new.id, 'b; changed'); "
    "UPDATE u SET offset = offset + 1 WHERE t_id = new.id; END",
    "CREATE TEMP TRIGGER tt BEFORE DELETE ON u BEGIN SELECT RAISE(ABORT, 'no; END;'); END;",
    "CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a, b) VALUES (new.a, new.b); "
    "END",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "SAVEPOINT before_import",
    "RELEASE before_import",
    "PRAGMA user_version",
    "PRAGMA table_info(t)",
    "EXPLAIN QUERY PLAN SELECT a FROM t WHERE a = ?",
    "SELECT 1;",
    "SELECT 1; -- trailing comment",
    "SELECT 1 /* ; */ ;;",
    "-- leading comment\nSELECT 1",
    "SELECT 1; SELECT 2",
    "SELECT ?, :a",
    "SELECT ?1, ?",
    "SELECT $1, $3",
    "SELECT ?1, ?3",
    "SELECT :a, $1",
};

// ---- running one statement through both -----------------------------------------------------

struct sqlite_view {
  bool prepared = false;
  std::string error;
  bool several = false;
  int parameters = 0;
  int columns = 0;
};

sqlite_view prepare(sqlite3* db, const std::string& sql) {
  sqlite_view v;
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size() + 1), &stmt, &tail) !=
          SQLITE_OK ||
      stmt == nullptr) {
    v.error = sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    return v;
  }
  v.prepared = true;
  v.parameters = sqlite3_bind_parameter_count(stmt);
  v.columns = sqlite3_column_count(stmt);
  sqlite3_finalize(stmt);
  // Another statement in the tail? Comments, white space and `;` alone prepare to nothing.
  const std::string rest(tail);
  sqlite3_stmt* next = nullptr;
  const char* next_tail = nullptr;
  const int rc = sqlite3_prepare_v2(db, rest.c_str(), -1, &next, &next_tail);
  v.several = next != nullptr || rc != SQLITE_OK;
  sqlite3_finalize(next);
  return v;
}

struct statement_case {
  std::string sql;
  std::uint64_t seed = 0;
  std::size_t index = 0;
  bool hand_written = false;
  // What the generator knows (not filled for hand-written statements).
  bool known_placeholders = false;
  std::set<placeholder_style> styles;
  std::set<std::size_t> numbers;
  std::size_t max_number = 0;
};

std::string where_from(const statement_case& c) {
  std::ostringstream s;
  if (c.hand_written) {
    s << "hand-written #" << c.index;
  } else {
    s << "seed " << c.seed << " index " << c.index;
  }
  return s.str();
}

std::uint64_t statement_seed(std::uint64_t base, std::size_t index) {
  prng mix(base ^ (0x51ed270b2a3c4d5fULL * (index + 1)));
  return mix.next();
}

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

constexpr std::uint64_t default_seed = 20260513;
constexpr std::size_t generated_count = 21500;

std::vector<statement_case> corpus() {
  std::vector<statement_case> out;
  const std::uint64_t base = env_number("SQLPROOF_DIFFERENTIAL_SEED", default_seed);
  const char* only = std::getenv("SQLPROOF_DIFFERENTIAL_INDEX");
  std::size_t first = 0;
  std::size_t last = generated_count;
  if (only != nullptr && *only != '\0') {
    first = static_cast<std::size_t>(std::strtoull(only, nullptr, 10));
    last = first + 1;
  } else {
    std::size_t i = 0;
    for (const char* sql : application_statements) {
      statement_case c;
      c.sql = sql;
      c.index = i++;
      c.hand_written = true;
      out.push_back(std::move(c));
    }
  }
  for (std::size_t i = first; i < last; ++i) {
    statement_case c;
    c.seed = base;
    c.index = i;
    statement_generator gen(statement_seed(base, i));
    generated g = gen.statement();
    c.sql = std::move(g.sql);
    c.known_placeholders = true;
    c.styles = std::move(g.styles);
    c.numbers = std::move(g.numbers);
    c.max_number = g.max_number;
    out.push_back(std::move(c));
  }
  return out;
}

// The refusal the generator's own record of placeholders calls for, if any.
sd::sql_problem expected_refusal(const statement_case& c) {
  const bool anonymous = c.styles.count(placeholder_style::anonymous) > 0;
  const bool numbered = c.styles.count(placeholder_style::numbered) > 0;
  const bool named = c.styles.count(placeholder_style::named) > 0;
  const bool numbered_names = c.styles.count(placeholder_style::numbered_names) > 0;
  if (int(anonymous || numbered) + int(named) + int(numbered_names) > 1 ||
      (anonymous && numbered)) {
    return sd::sql_problem::mixed_placeholders;
  }
  if ((numbered || numbered_names) && c.numbers.size() != c.max_number) {
    return sd::sql_problem::placeholder_gap;
  }
  return sd::sql_problem::none;
}

const char* problem_name(sd::sql_problem p) {
  switch (p) {
    case sd::sql_problem::none:
      return "none";
    case sd::sql_problem::lex_error:
      return "lex_error";
    case sd::sql_problem::empty:
      return "empty";
    case sd::sql_problem::several_statements:
      return "several_statements";
    case sd::sql_problem::mixed_placeholders:
      return "mixed_placeholders";
    case sd::sql_problem::placeholder_gap:
      return "placeholder_gap";
    case sd::sql_problem::unknown_statement:
      return "unknown_statement";
  }
  return "?";
}

std::string first_word(const std::string& sql) {
  sd::lexer lx{sql};
  while (lx.current().kind == sd::token_kind::semicolon) lx.advance();
  std::string w(lx.text());
  for (char& ch : w) ch = sd::ascii_lower(ch);
  return w;
}

struct corpus_database {
  sqlite3* db = nullptr;
  corpus_database() {
    REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, corpus_schema, nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~corpus_database() { sqlite3_close(db); }
  corpus_database(const corpus_database&) = delete;
  corpus_database& operator=(const corpus_database&) = delete;
};

// The corpus with SQLite's verdict on each statement, computed once for both test cases.
struct prepared_corpus {
  std::vector<statement_case> cases;
  std::vector<sqlite_view> lite;
};

const prepared_corpus& corpus_prepared_by_sqlite() {
  static const prepared_corpus run = [] {
    prepared_corpus r;
    corpus_database cdb;
    r.cases = corpus();
    for (const statement_case& c : r.cases) r.lite.push_back(prepare(cdb.db, c.sql));
    return r;
  }();
  return run;
}

}  // namespace

TEST_CASE("sql_differential: the analysis agrees with sqlite3_prepare on a generated corpus",
          "[sql_shape][differential]") {
  const prepared_corpus& run = corpus_prepared_by_sqlite();
  const std::vector<statement_case>& cases = run.cases;
  // SQLPROOF_DIFFERENTIAL_VERBOSE=1 prints every statement SQLite refused, with its reason.
  const bool verbose = std::getenv("SQLPROOF_DIFFERENTIAL_VERBOSE") != nullptr;
  std::size_t compared = 0, refused_by_sqlite = 0, refused_hand_written = 0;
  std::size_t refusals_checked = 0, several_checked = 0, unknown_columns = 0;
  std::map<std::string, std::size_t> unknown_by_form;
  std::vector<std::string> refused_examples;
  std::map<std::string, std::size_t> refused_by_message;
  std::vector<std::string> disagreements;
  std::size_t disagreement_count = 0;
  auto disagree = [&](const statement_case& c, const std::string& what) {
    ++disagreement_count;
    if (disagreements.size() < 20) {
      disagreements.push_back(where_from(c) + ": " + what + "\n    " + c.sql);
    }
  };

  for (std::size_t k = 0; k < cases.size(); ++k) {
    const statement_case& c = cases[k];
    const sqlite_view& lite = run.lite[k];
    const sd::sql_shape shape = sd::analyse_sql(c.sql);
    if (!lite.prepared) {
      ++refused_by_sqlite;
      if (c.hand_written) ++refused_hand_written;
      std::string why = lite.error.substr(0, std::min(lite.error.find(':'), std::size_t{40}));
      for (char& ch : why) {
        if (sd::is_digit(ch)) ch = 'N';
      }
      ++refused_by_message[why];
      if (verbose)
        std::fprintf(stderr, "%s: %s\n%s\n\n", where_from(c).c_str(), lite.error.c_str(),
                     c.sql.c_str());
      if (refused_examples.size() < 10) {
        refused_examples.push_back(where_from(c) + ": " + lite.error + "\n    " + c.sql);
      }
      continue;
    }
    ++compared;
    // Statement count.
    if (lite.several) {
      ++several_checked;
      if (shape.problem != sd::sql_problem::several_statements) {
        disagree(c, std::string("SQLite sees a second statement, the analysis says ") +
                        problem_name(shape.problem));
      }
      continue;
    }
    // Refusals: the generator knows which it wrote; for hand-written statements only these
    // two problems may be reported at all.
    const sd::sql_problem expected =
        c.known_placeholders ? expected_refusal(c) : sd::sql_problem::none;
    if (expected != sd::sql_problem::none ||
        (!c.known_placeholders && (shape.problem == sd::sql_problem::mixed_placeholders ||
                                   shape.problem == sd::sql_problem::placeholder_gap))) {
      if (c.known_placeholders && shape.problem != expected) {
        disagree(c, std::string("expected the refusal ") + problem_name(expected) +
                        ", the analysis says " + problem_name(shape.problem));
      }
      ++refusals_checked;
      continue;
    }
    if (shape.problem != sd::sql_problem::none) {
      disagree(c, std::string("SQLite prepares one statement, the analysis says ") +
                      problem_name(shape.problem) + " at offset " +
                      std::to_string(shape.problem_offset));
      continue;
    }
    // Placeholders.
    if (shape.sqlite_parameter_count != static_cast<std::size_t>(lite.parameters)) {
      disagree(c, "SQLite counts " + std::to_string(lite.parameters) +
                      " placeholders, the analysis " +
                      std::to_string(shape.sqlite_parameter_count));
    }
    const std::size_t declared = shape.numbered_names
                                     ? (c.known_placeholders ? c.max_number : shape.parameter_count)
                                     : static_cast<std::size_t>(lite.parameters);
    if (shape.parameter_count != declared) {
      disagree(c, "parameter_count " + std::to_string(shape.parameter_count) + ", expected " +
                      std::to_string(declared));
    }
    // Result columns.
    if (shape.rows == sd::returns_rows::no && lite.columns != 0) {
      disagree(c, "the analysis says no rows, SQLite has " + std::to_string(lite.columns) +
                      " result columns");
    }
    if (shape.rows == sd::returns_rows::yes && lite.columns == 0) {
      disagree(c, "the analysis says rows, SQLite has no result column");
    }
    if (shape.result_columns == sd::unknown_count) {
      if (shape.rows != sd::returns_rows::no) {
        ++unknown_columns;
        ++unknown_by_form[first_word(c.sql) + (shape.select_star ? " with *" : "")];
      }
    } else if (shape.result_columns != static_cast<std::size_t>(lite.columns)) {
      disagree(c, "SQLite has " + std::to_string(lite.columns) + " result columns, the analysis " +
                      std::to_string(shape.result_columns));
    }
  }

  std::ostringstream report;
  report << cases.size() << " statements (" << std::size(application_statements)
         << " hand-written), " << compared << " prepared by SQLite and compared ("
         << refusals_checked << " documented refusals checked, " << several_checked
         << " with a second statement), " << refused_by_sqlite << " refused by SQLite, "
         << unknown_columns << " with an unknown result count:";
  for (const auto& [form, n] : unknown_by_form) report << " " << form << " " << n << ";";
  report << " " << disagreement_count << " disagreements";
  for (const auto& d : disagreements) report << "\n  " << d;
  if (!refused_examples.empty()) {
    report << "\nwhy SQLite refused:";
    for (const auto& [why, n] : refused_by_message) report << " " << why << " " << n << ";";
    report << "\nfirst statements SQLite refused:";
    for (const auto& r : refused_examples) report << "\n  " << r;
  }
  INFO(report.str());
  WARN(report.str());
  const bool one_statement = std::getenv("SQLPROOF_DIFFERENTIAL_INDEX") != nullptr &&
                             *std::getenv("SQLPROOF_DIFFERENTIAL_INDEX") != '\0';
  CHECK(disagreement_count == 0);
  CHECK(refused_hand_written == 0);
  if (!one_statement) {
    CHECK(compared >= 20000);
    // The generator writes valid SQL; a large refused share means it is wrong.
    CHECK(refused_by_sqlite * 50 < cases.size());
  }
}

namespace {

const char* issue_name(sd::schema_issue_kind k) {
  switch (k) {
    case sd::schema_issue_kind::none:
      return "none";
    case sd::schema_issue_kind::unknown_column:
      return "unknown_column";
    case sd::schema_issue_kind::parameter_type:
      return "parameter_type";
    case sd::schema_issue_kind::optional_into_not_null:
      return "optional_into_not_null";
    case sd::schema_issue_kind::result_name:
      return "result_name";
    case sd::schema_issue_kind::result_type:
      return "result_type";
    case sd::schema_issue_kind::nullable_into_required:
      return "nullable_into_required";
    case sd::schema_issue_kind::star_width:
      return "star_width";
    case sd::schema_issue_kind::unknown_table:
      return "unknown_table";
    case sd::schema_issue_kind::ambiguous_column:
      return "ambiguous_column";
    case sd::schema_issue_kind::compound_width:
      return "compound_width";
    case sd::schema_issue_kind::insert_width:
      return "insert_width";
  }
  return "?";
}

// The corpus tables as the schema check is told about them: names only, families unknown.
struct corpus_schema_input {
  std::vector<std::vector<sd::column_info>> columns;
  std::vector<sd::table_info> tables;
  std::vector<const sd::table_info*> table_pointers;

  corpus_schema_input() {
    for (const corpus_table& t : corpus_tables()) {
      std::vector<sd::column_info> cols;
      for (const std::string& c : t.columns) cols.push_back(sd::column_info{c, {}, false, false});
      columns.push_back(std::move(cols));
    }
    for (std::size_t i = 0; i < corpus_tables().size(); ++i) {
      tables.push_back(
          sd::table_info{corpus_tables()[i].name, columns[i].data(), columns[i].size(), true});
    }
    for (const auto& t : tables) table_pointers.push_back(&t);
  }
  corpus_schema_input(const corpus_schema_input&) = delete;
  corpus_schema_input& operator=(const corpus_schema_input&) = delete;

  sd::schema_input for_sql(std::string_view sql) const {
    sd::schema_input in;
    in.sql = sql;
    in.tables = table_pointers.data();
    in.table_count = table_pointers.size();
    return in;
  }
};

}  // namespace

TEST_CASE("sql_differential: the schema check rejects no statement SQLite prepares",
          "[schema][differential]") {
  const prepared_corpus& run = corpus_prepared_by_sqlite();
  const corpus_schema_input schema;
  std::size_t checked = 0, rejected = 0;
  std::map<std::string, std::size_t> rejected_by_kind;
  std::vector<std::string> examples;
  for (std::size_t k = 0; k < run.cases.size(); ++k) {
    const statement_case& c = run.cases[k];
    const sqlite_view& lite = run.lite[k];
    if (!lite.prepared || lite.several) continue;
    ++checked;
    const sd::schema_issue issue = sd::analyse_against_schema(schema.for_sql(c.sql));
    if (issue.kind == sd::schema_issue_kind::none) continue;
    ++rejected;
    const std::string kind = std::string(issue_name(issue.kind)) + " " + std::string(issue.table) +
                             "." + std::string(issue.column);
    ++rejected_by_kind[issue_name(issue.kind)];
    if (examples.size() < 20) {
      examples.push_back(where_from(c) + ": " + kind + " at `" +
                         c.sql.substr(issue.token_begin, issue.token_end - issue.token_begin) +
                         "` (offset " + std::to_string(issue.token_begin) + ")\n    " + c.sql);
    }
  }
  std::ostringstream report;
  report << checked << " statements SQLite prepared, " << rejected
         << " rejected by the schema check:";
  for (const auto& [kind, n] : rejected_by_kind) report << " " << kind << " " << n << ";";
  for (const auto& e : examples) report << "\n  " << e;
  INFO(report.str());
  WARN(report.str());
  CHECK(rejected == 0);
}
