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
// application statements joins them.
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
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sqlproof/detail/sql_schema_check.hpp>
#include <sqlproof/detail/sql_shape.hpp>

#include "catch.hpp"

namespace {

namespace sd = sqlproof::detail;

// ---- the corpus database -------------------------------------------------------------------

struct corpus_table {
  std::string name;                  // as SQLite stores it
  std::vector<std::string> columns;  // as SQLite stores them
  bool is_view = false;
  bool has_id = true;  // an `id` column (USING (id) and ON CONFLICT (id) need one)
};

// Tables and views named, in part, by keywords SQLite lets stand for names.
const char* const corpus_schema =
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER UNIQUE, b INTEGER, c TEXT, d REAL, j TEXT);"
    "CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id), key TEXT, "
    "  offset INTEGER, action TEXT, current INTEGER);"
    "CREATE TABLE replace (id INTEGER PRIMARY KEY, window INTEGER, filter INTEGER, match TEXT, "
    "  do TEXT, first TEXT, last TEXT);"
    "CREATE TABLE \"order\" (id INTEGER PRIMARY KEY, \"group\" TEXT, rows INTEGER, range INTEGER, "
    "  over TEXT, no TEXT UNIQUE);"
    "CREATE INDEX t_b ON t (b);"
    "CREATE INDEX \"key\" ON u (key);"
    "CREATE VIEW v AS SELECT id, a, b FROM t;"
    "CREATE VIEW action AS SELECT id, key, offset FROM u;";

const std::vector<corpus_table>& corpus_tables() {
  static const std::vector<corpus_table> tables = {
      {"t", {"id", "a", "b", "c", "d", "j"}, false, true},
      {"u", {"id", "t_id", "key", "offset", "action", "current"}, false, true},
      {"replace", {"id", "window", "filter", "match", "do", "first", "last"}, false, true},
      {"order", {"id", "group", "rows", "range", "over", "no"}, false, true},
      {"v", {"id", "a", "b"}, true, true},
      {"action", {"id", "key", "offset"}, true, true},
  };
  return tables;
}

// Names SQLite reserves: they must be quoted to name anything.
bool reserved(std::string_view name) { return name == "order" || name == "group"; }

// ---- the generator -------------------------------------------------------------------------

// splitmix64: small, fast, and the same sequence on every platform.
class prng {
 public:
  explicit prng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
  template <std::size_t N>
  std::string_view pick(const char* const (&a)[N]) { return a[below(N)]; }

 private:
  std::uint64_t state_;
};

// The placeholder styles the analysis tells apart; using two in one statement is a refusal.
enum class placeholder_style { anonymous, numbered, named, numbered_names };

// What the generator knows it wrote: the placeholders (never those inside literals or
// comments) and, where it can tell, the result column count.
struct generated {
  std::string sql;
  std::set<placeholder_style> styles;
  std::set<std::size_t> numbers;  // ?NNN or $N numbers used
  std::size_t max_number = 0;
  bool several = false;           // a second statement follows on purpose
};

struct source {
  std::string qualifier;  // as written in front of a column: alias, table or CTE name
  std::vector<std::string> columns;
  bool has_id = false;
  std::string json_column;  // a column holding JSON text, if any
};

struct scope {
  std::vector<source> sources;
  const scope* outer = nullptr;
};

struct expr_context {
  const scope* sc = nullptr;
  bool aggregates = false;
  bool windows = false;
  bool params = true;
  bool subqueries = true;
  int depth = 0;
  std::vector<std::string> window_names;  // WINDOW clause names in reach
};

class statement_generator {
 public:
  explicit statement_generator(std::uint64_t seed) : rng_(seed) {
    style_ = static_cast<placeholder_style>(rng_.below(4));
    mixing_ = rng_.chance(3);
    gaps_ = rng_.chance(3);
  }

  generated statement() {
    if (rng_.chance(8)) trivia(true);
    if (rng_.chance(2)) tok(";");  // an empty statement first: SQLite skips it
    const std::size_t kind = rng_.below(100);
    if (kind < 80 && rng_.chance(4)) tok(rng_.chance(50) ? "EXPLAIN" : "EXPLAIN QUERY PLAN");
    if (kind < 40) {
      select_statement();
    } else if (kind < 45) {
      values_statement();
    } else if (kind < 60) {
      insert_statement();
    } else if (kind < 72) {
      update_statement();
    } else if (kind < 80) {
      delete_statement();
    } else if (kind < 84) {
      create_table();
    } else if (kind < 88) {
      create_view();
    } else if (kind < 91) {
      create_index();
    } else if (kind < 95) {
      create_trigger();
    } else if (kind < 96) {
      create_virtual_table();
    } else {
      other_statement();
    }
    if (rng_.chance(30)) {
      out_.sql += rng_.chance(50) ? ";" : " ;";
      if (rng_.chance(20)) out_.sql += ";";
    }
    if (rng_.chance(15)) trivia(true);
    if (rng_.chance(3)) {
      out_.several = true;
      out_.sql += rng_.chance(50) ? "; SELECT 1" : ";\n-- next\nDELETE FROM t";
    }
    return out_;
  }

 private:
  // ---- tokens and what lies between them
  void trivia(bool force) {
    static const char* const comments[] = {
        "/* ? */", "/* ; */", "/* :x @y $z */", "/**/", "/* -- ' \" ` [ */", "-- ?\n",
        "-- ; :x\n", "--\n", "/* ?1 ; */", "-- 'unclosed\n", "/*\n?\n*/"};
    static const char* const spaces[] = {"\n", "\t", "  ", "\r\n", "\f", " \n\t"};
    if (force || rng_.chance(4)) {
      out_.sql += ' ';
      out_.sql += rng_.pick(comments);
    } else if (rng_.chance(6)) {
      out_.sql += rng_.pick(spaces);
      return;
    }
    out_.sql += ' ';
  }
  // Writes a token, usually after white space or a comment. Next to `(`, `)` or `,`, which
  // merge with nothing, sometimes with nothing between: `f(?,?)`. A placeholder is never
  // followed by `(` that way, which would make it part of its name (`$a(1)`).
  void tok(std::string_view text) {
    if (!out_.sql.empty()) {
      auto punct = [](char c) { return c == '(' || c == ')' || c == ','; };
      const bool tight_ok = (punct(out_.sql.back()) || punct(text.front())) &&
                            !(after_placeholder_ && text.front() == '(');
      if (!tight_ok || !rng_.chance(30)) trivia(false);
    }
    out_.sql += text;
    after_placeholder_ = false;
  }
  void comma_unless_first(bool& first) {
    if (!first) tok(",");
    first = false;
  }

  // ---- names
  std::string spell(std::string_view name) {
    // Quoting is always allowed; a reserved word needs it.
    const std::size_t q = rng_.below(12);
    if (reserved(name) || q == 0) return "\"" + std::string(name) + "\"";
    if (q == 1) return "[" + std::string(name) + "]";
    if (q == 2) return "`" + std::string(name) + "`";
    return std::string(name);
  }
  std::string fresh_alias() {
    // Keywords SQLite takes for a name in an alias position (with or without AS).
    static const char* const keyword_aliases[] = {
        "window", "filter",   "over",     "replace",   "offset",  "current", "key",
        "action", "do",       "first",    "last",      "rows",    "range",   "groups",
        "partition", "preceding", "following", "unbounded", "exclude", "ties", "others",
        "no",     "plan",     "query",    "temp",      "row",     "view",    "virtual",
        "without", "nulls",   "generated", "always",   "materialized", "recursive",
        "ignore", "abort",    "fail",     "conflict",  "begin",   "end",
        "trigger", "after",   "before",   "each",      "instead", "of",      "pragma",
        "explain", "analyze", "attach",   "detach",    "database", "vacuum", "reindex",
        "rename", "savepoint", "release", "rollback",  "immediate", "deferred", "exclusive",
        "initially", "restrict", "cascade", "asc", "desc", "by", "if", "for", "eu"};
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::string a = rng_.chance(35) ? std::string(rng_.pick(keyword_aliases))
                                      : "s" + std::to_string(++alias_counter_);
      if (used_aliases_.insert(a).second) return a;
    }
    std::string a = "s" + std::to_string(++alias_counter_);
    used_aliases_.insert(a);
    return a;
  }
  void alias_clause(const std::string& alias) {
    if (rng_.chance(60)) tok("AS");
    tok(spell(alias));
  }
  std::string result_alias() {
    static const char* const names[] = {"x", "total", "window", "filter", "over", "first",
                                        "last", "key", "offset", "do", "match", "current",
                                        "rows", "no", "replace", "end", "view"};
    return std::string(rng_.pick(names));
  }

  // ---- placeholders
  void placeholder() {
    placeholder_style style = style_;
    if (mixing_ && rng_.chance(30)) style = static_cast<placeholder_style>(rng_.below(4));
    out_.styles.insert(style);
    auto number = [&] {
      std::size_t n = 0;
      if (!out_.numbers.empty() && rng_.chance(25)) {
        n = 1 + rng_.below(out_.max_number);
      } else {
        n = out_.max_number + 1 + ((gaps_ && rng_.chance(30)) ? 1 : 0);
      }
      out_.numbers.insert(n);
      if (n > out_.max_number) out_.max_number = n;
      return std::to_string(n);
    };
    static const char* const names[] = {
        ":a",    ":b",   "@c",      "$d",    ":name", "$::x(1)", "$::x(2)", ":a::b",
        "@x::y", "#h",   "$v(x;y)", "@_1",   ":Ünï",  "$a$b",    "$0",      ":01",
        "@limit", ":select", "$v(')"};
    static const char* const numbered_prefixes[] = {"$", ":", "@"};
    switch (style) {
      case placeholder_style::anonymous: tok("?"); break;
      case placeholder_style::numbered: tok("?" + number()); break;
      case placeholder_style::named: tok(rng_.pick(names)); break;
      case placeholder_style::numbered_names:
        tok(std::string(rng_.pick(numbered_prefixes)) + number());
        break;
    }
    after_placeholder_ = true;
  }

  // ---- literals
  void literal() {
    static const char* const strings[] = {
        "'?'",       "';'",         "':x'",        "'--'",     "'/*'",  "'it''s ?'",
        "'a;b;c'",   "'$1 @a :b'",  "''",          "'-- ? ;'", "'*/'",  "'\"?\"'",
        "'[x]'",     "'END;'",      "'; END;'",    "'?1'",     "'é ?'", "'#n'",
        "'{\"a\": [1, 2]}'", "'$.a'"};
    static const char* const numbers[] = {"0",   "1",     "42",    "0x1F", "0XaB", "1.5",
                                          ".25", "3e2",   "1.0E-3", "7.",  "2e+1", "9223372036854775807"};
    static const char* const blobs[] = {"x'3f'", "X'3B3A'", "x''", "X'2d2d2f2a'"};
    static const char* const others[] = {"NULL", "TRUE", "FALSE", "CURRENT_TIMESTAMP",
                                         "CURRENT_DATE", "CURRENT_TIME"};
    const std::size_t k = rng_.below(10);
    if (k < 4) {
      tok(rng_.pick(numbers));
    } else if (k < 8) {
      tok(rng_.pick(strings));
    } else if (k < 9) {
      tok(rng_.pick(blobs));
    } else {
      tok(rng_.pick(others));
    }
  }

  // ---- expressions
  bool column_ref(const expr_context& ctx) {
    std::vector<std::pair<const source*, bool>> reachable;  // source, innermost with one source
    bool innermost = true;
    for (const scope* s = ctx.sc; s != nullptr; s = s->outer) {
      for (const source& src : s->sources) {
        reachable.emplace_back(&src, innermost && s->sources.size() == 1);
      }
      innermost = false;
    }
    if (reachable.empty()) return false;
    const auto& [src, bare_ok] = reachable[rng_.below(reachable.size())];
    const std::string& col = rng_.pick(src->columns);
    if (bare_ok && rng_.chance(50)) {
      tok(spell(col));
    } else {
      tok(spell(src->qualifier) + "." + spell(col));
    }
    return true;
  }

  void expr(expr_context ctx) {
    ++ctx.depth;
    const bool leaf = ctx.depth > 3 || rng_.chance(ctx.depth == 1 ? 25 : 45);
    if (leaf) {
      const std::size_t k = rng_.below(10);
      if (k < 5 && column_ref(ctx)) return;
      if (k < 7 && ctx.params) {
        placeholder();
        return;
      }
      literal();
      return;
    }
    switch (rng_.below(23)) {
      case 0: case 1: case 2: case 3: {
        static const char* const ops[] = {"+",  "-",   "*",    "/",       "%",      "||",
                                          "=",  "==",  "!=",   "<>",      "<",      "<=",
                                          ">",  ">=",  "AND",  "OR",      "&",      "|",
                                          "<<", ">>",  "IS",   "IS NOT",  "LIKE",   "NOT LIKE",
                                          "GLOB", "NOT GLOB", "REGEXP"};
        const std::string_view op = rng_.pick(ops);
        const bool parens = rng_.chance(70);
        if (parens) tok("(");
        expr(ctx);
        if (op == "REGEXP") {
          tok("LIKE");  // REGEXP needs a user function; keep the shape, spell another operator
        } else {
          tok(op);
        }
        expr(ctx);
        if ((op == "LIKE" || op == "NOT LIKE") && rng_.chance(20)) {
          tok("ESCAPE");
          tok("'\\'");
        }
        if (parens) tok(")");
        return;
      }
      case 4: {
        static const char* const ops[] = {"-", "+", "NOT", "~"};
        tok("(");
        tok(rng_.pick(ops));
        expr(ctx);
        tok(")");
        return;
      }
      case 5:
        tok("(");
        expr(ctx);
        tok(rng_.chance(50) ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM");
        expr(ctx);
        tok(")");
        return;
      case 6:
        tok("(");
        expr(ctx);
        if (rng_.chance(30)) tok("NOT");
        tok("BETWEEN");
        expr(ctx);
        tok("AND");
        expr(ctx);
        tok(")");
        return;
      case 7: {
        tok("(");
        expr(ctx);
        if (rng_.chance(30)) tok("NOT");
        tok("IN");
        tok("(");
        if (ctx.subqueries && rng_.chance(30)) {
          scalar_select(ctx);
        } else {
          const std::size_t n = rng_.below(4);
          bool first = true;
          for (std::size_t i = 0; i < n; ++i) {
            comma_unless_first(first);
            expr(ctx);
          }
        }
        tok(")");
        tok(")");
        return;
      }
      case 8: {
        static const char* const tests[] = {"ISNULL", "NOTNULL", "NOT NULL", "IS NULL",
                                            "IS NOT NULL"};
        tok("(");
        expr(ctx);
        tok(rng_.pick(tests));
        tok(")");
        return;
      }
      case 9: {
        tok("CASE");
        if (rng_.chance(40)) expr(ctx);
        const std::size_t n = 1 + rng_.below(2);
        for (std::size_t i = 0; i < n; ++i) {
          tok("WHEN");
          expr(ctx);
          tok("THEN");
          expr(ctx);
        }
        if (rng_.chance(60)) {
          tok("ELSE");
          expr(ctx);
        }
        tok("END");
        return;
      }
      case 10: {
        static const char* const types[] = {"INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC",
                                            "VARCHAR(10)", "DECIMAL(10, 2)", "int"};
        tok("CAST");
        tok("(");
        expr(ctx);
        tok("AS");
        tok(rng_.pick(types));
        tok(")");
        return;
      }
      case 11:
        tok("(");
        expr(ctx);
        tok("COLLATE");
        tok(rng_.chance(50) ? "NOCASE" : "BINARY");
        tok(")");
        return;
      case 12:
        tok("(");
        expr(ctx);
        tok(rng_.chance(50) ? "->" : "->>");
        tok(rng_.chance(50) ? "'$.a'" : "'$[0]'");
        tok(")");
        return;
      case 13: case 14: function_call(ctx); return;
      case 15: case 16:
        if (ctx.aggregates) {
          aggregate_call(ctx);
          return;
        }
        function_call(ctx);
        return;
      case 17:
        if (ctx.windows) {
          window_call(ctx);
          return;
        }
        function_call(ctx);
        return;
      case 18: case 19:
        if (ctx.subqueries) {
          if (rng_.chance(30)) {
            if (rng_.chance(30)) tok("NOT");
            tok("EXISTS");
          }
          tok("(");
          scalar_select(ctx);
          tok(")");
          return;
        }
        literal();
        return;
      case 20:
        // Row values: (a, b) = (?, ?), (a, b) IN (VALUES (...)).
        tok("(");
        args(ctx, 2);
        if (rng_.chance(50)) {
          tok(rng_.chance(50) ? "=" : "<>");
          args(ctx, 2);
        } else {
          tok("IN");
          tok("(");
          tok("VALUES");
          args(ctx, 2);
          tok(")");
        }
        tok(")");
        return;
      default:
        tok("(");
        expr(ctx);
        tok(")");
        return;
    }
  }

  void args(const expr_context& ctx, std::size_t n) {
    tok("(");
    bool first = true;
    for (std::size_t i = 0; i < n; ++i) {
      comma_unless_first(first);
      expr(ctx);
    }
    tok(")");
  }

  void function_call(const expr_context& ctx) {
    struct fn {
      const char* name;
      std::size_t min_args, max_args;
    };
    static const fn functions[] = {
        {"abs", 1, 1},     {"coalesce", 2, 3}, {"ifnull", 2, 2},  {"iif", 3, 3},
        {"length", 1, 1},  {"lower", 1, 1},    {"upper", 1, 1},   {"substr", 2, 3},
        {"instr", 2, 2},   {"printf", 1, 3},   {"json_extract", 2, 2}, {"json_array", 0, 3},
        {"nullif", 2, 2},  {"typeof", 1, 1},   {"round", 1, 2},   {"max", 2, 3},
        {"min", 2, 2},     {"hex", 1, 1},      {"quote", 1, 1},   {"trim", 1, 2},
        {"replace", 3, 3}, {"date", 1, 2},     {"datetime", 1, 1}, {"random", 0, 0},
        {"json_object", 0, 0}, {"unicode", 1, 1}, {"zeroblob", 1, 1}};
    const fn& f = functions[rng_.below(std::size(functions))];
    expr_context inner = ctx;
    inner.windows = false;
    tok(rng_.chance(10) ? std::string("\"") + f.name + "\"" : std::string(f.name));
    args(inner, f.min_args + rng_.below(f.max_args - f.min_args + 1));
  }

  void filter_clause(const expr_context& ctx) {
    expr_context inner = ctx;
    inner.aggregates = false;
    inner.windows = false;
    tok("FILTER");
    tok("(");
    tok("WHERE");
    expr(inner);
    tok(")");
  }

  void aggregate_call(const expr_context& ctx) {
    static const char* const one_arg[] = {"sum", "avg", "min", "max", "total", "count"};
    expr_context inner = ctx;
    inner.aggregates = false;
    inner.windows = false;
    const std::size_t k = rng_.below(4);
    if (k == 0) {
      tok("count");
      tok("(");
      tok("*");
      tok(")");
    } else if (k == 1) {
      tok("group_concat");
      tok("(");
      const bool distinct = rng_.chance(30);  // then only one argument
      if (distinct) tok("DISTINCT");
      expr(inner);
      if (!distinct && rng_.chance(50)) {
        tok(",");
        tok("';'");
      }
      tok(")");
    } else {
      tok(rng_.pick(one_arg));
      tok("(");
      if (rng_.chance(20)) tok("DISTINCT");
      expr(inner);
      tok(")");
    }
    if (rng_.chance(30)) filter_clause(ctx);
  }

  void window_spec(const expr_context& ctx) {
    expr_context inner = ctx;
    inner.aggregates = false;
    inner.windows = false;
    tok("(");
    if (!ctx.window_names.empty() && rng_.chance(25)) {
      // A window based on a named one may not override its PARTITION BY or ORDER BY.
      tok(rng_.pick(ctx.window_names));
      tok(")");
      return;
    }
    if (rng_.chance(50)) {
      tok("PARTITION");
      tok("BY");
      expr(inner);
    }
    const bool ordered = rng_.chance(60);
    if (ordered) {
      tok("ORDER");
      tok("BY");
      expr(inner);
      if (rng_.chance(40)) tok(rng_.chance(50) ? "ASC" : "DESC");
      if (rng_.chance(20)) tok(rng_.chance(50) ? "NULLS FIRST" : "NULLS LAST");
    }
    if (rng_.chance(40)) {
      static const char* const frames[] = {
          "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", "ROWS 2 PRECEDING",
          "RANGE UNBOUNDED PRECEDING", "RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
          "ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW",
          "ROWS UNBOUNDED PRECEDING EXCLUDE NO OTHERS"};
      static const char* const ordered_frames[] = {
          "GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES",
          "GROUPS CURRENT ROW EXCLUDE GROUP"};
      tok(ordered && rng_.chance(30) ? rng_.pick(ordered_frames) : rng_.pick(frames));
    }
    tok(")");
  }

  void window_call(const expr_context& ctx) {
    expr_context inner = ctx;
    inner.aggregates = false;
    inner.windows = false;
    static const char* const no_arg[] = {"row_number", "rank", "dense_rank", "percent_rank",
                                         "cume_dist"};
    const std::size_t k = rng_.below(4);
    if (k == 0) {
      tok(rng_.pick(no_arg));
      tok("(");
      tok(")");
    } else if (k == 1) {
      static const char* const value_fns[] = {"lag", "lead", "first_value", "last_value"};
      tok(rng_.pick(value_fns));
      args(inner, 1);
    } else if (k == 2) {
      tok("ntile");
      tok("(");
      tok("2");
      tok(")");
    } else {
      static const char* const aggs[] = {"sum", "count", "max", "avg"};
      tok(rng_.pick(aggs));
      args(inner, 1);
      if (rng_.chance(25)) filter_clause(ctx);
    }
    tok("OVER");
    if (!ctx.window_names.empty() && rng_.chance(40)) {
      tok(rng_.pick(ctx.window_names));
    } else {
      window_spec(ctx);
    }
  }

  // ---- SELECT
  source table_source(bool alias_always) {
    const corpus_table& t = rng_.pick(corpus_tables());
    std::string qualifier = t.name;
    tok(spell(t.name));
    if (alias_always || !used_aliases_.insert(t.name).second || rng_.chance(40)) {
      qualifier = fresh_alias();
      alias_clause(qualifier);
    }
    if (rng_.chance(8)) {
      if (t.name == "t" && rng_.chance(50)) {
        tok("INDEXED BY t_b");
      } else if (t.name == "u" && rng_.chance(50)) {
        tok("INDEXED BY");
        tok(spell("key"));
      } else {
        tok("NOT INDEXED");
      }
    }
    source s{qualifier, t.columns, t.has_id, {}};
    if (t.name == "t") s.json_column = "j";
    return s;
  }

  // A FROM clause; returns the sources it brought into scope.
  void from_clause(scope& sc, const expr_context& outer_ctx) {
    tok("FROM");
    const std::size_t items = 1 + rng_.below(rng_.chance(60) ? 1 : 3);
    for (std::size_t i = 0; i < items; ++i) {
      static const char* const joins[] = {",", "JOIN", "INNER JOIN", "LEFT JOIN",
                                          "LEFT OUTER JOIN", "CROSS JOIN", "RIGHT JOIN",
                                          "FULL OUTER JOIN", "NATURAL JOIN", "FULL JOIN",
                                          "NATURAL LEFT JOIN"};
      // NATURAL and USING name columns that must be unique on the left (an UPDATE's target
      // counts there too).
      const bool single_left = sc.sources.size() == 1 && !update_from_;
      std::string_view join;
      if (i > 0) {
        join = rng_.pick(joins);
        if (join.find("NATURAL") != std::string_view::npos && !single_left) join = ",";
        tok(join);
      }
      const std::size_t k = rng_.below(10);
      source s;
      if (k < 6 || outer_ctx.depth > 2) {
        s = table_source(false);
      } else if (k < 7 && !ctes_.empty()) {
        s = rng_.pick(ctes_);
        tok(spell(s.qualifier));
        used_aliases_.insert(s.qualifier);
        if (rng_.chance(50)) {
          s.qualifier = fresh_alias();
          alias_clause(s.qualifier);
        }
      } else if (k < 8) {
        tok(rng_.chance(50) ? "json_each" : "json_tree");
        tok("(");
        if (!sc.sources.empty() && !sc.sources.back().json_column.empty() && rng_.chance(50)) {
          tok(spell(sc.sources.back().qualifier) + "." + sc.sources.back().json_column);
        } else if (outer_ctx.params && rng_.chance(50)) {
          placeholder();
        } else {
          tok("'[1, 2, {\"a\": \"?;\"}]'");
        }
        tok(")");
        s.qualifier = fresh_alias();
        alias_clause(s.qualifier);
        s.columns = {"key", "value", "type", "atom", "id", "parent", "fullkey", "path"};
        s.has_id = true;
      } else {
        tok("(");
        expr_context sub = outer_ctx;
        sub.depth += 1;
        sub.sc = nullptr;  // SQLite has no LATERAL: a derived table sees no outer columns
        const std::size_t n = 1 + rng_.below(3);
        // VALUES names its columns column1, column2, ...
        const bool values = rng_.chance(25);
        if (values) {
          values_rows(sub, n, false);
        } else {
          select_core(sub, n, true, false);
        }
        tok(")");
        s.qualifier = fresh_alias();
        alias_clause(s.qualifier);
        for (std::size_t c = 1; c <= n; ++c) {
          s.columns.push_back((values ? "column" : "c") + std::to_string(c));
        }
        s.has_id = false;
      }
      const bool natural = join.find("NATURAL") != std::string_view::npos;
      const bool needs_on = !join.empty() && join != "," && join != "CROSS JOIN" && !natural;
      const bool using_ok = needs_on && single_left && sc.sources.front().has_id && s.has_id;
      sc.sources.push_back(s);
      if (needs_on) {
        if (using_ok && rng_.chance(40)) {
          tok("USING");
          tok("(");
          tok("id");
          tok(")");
        } else {
          tok("ON");
          expr_context on = outer_ctx;
          on.sc = &sc;
          on.aggregates = false;
          on.windows = false;
          expr(on);
        }
      }
    }
  }

  // A select list item count `ncols` (0: any), `named`: every column gets an alias c1..cN
  // (for a derived table). Returns the number of result columns, or 0 for a `*` list.
  std::size_t select_core(const expr_context& outer_ctx, std::size_t ncols, bool named,
                          bool allow_star) {
    const bool want_where = std::exchange(force_where_, false);
    scope sc;
    sc.outer = outer_ctx.sc;
    const bool has_from = rng_.chance(85);
    const bool grouped = has_from && rng_.chance(20);
    const bool windowed = rng_.chance(has_from ? 12 : 5);
    tok("SELECT");
    if (rng_.chance(12)) tok(rng_.chance(70) ? "DISTINCT" : "ALL");
    // The list refers to the FROM clause, which follows it: write the FROM clause first into
    // a side buffer, then the list before it.
    std::string before = out_.sql;
    out_.sql = " ";
    expr_context ctx = outer_ctx;
    ctx.sc = &sc;
    if (has_from) from_clause(sc, outer_ctx);
    std::string from_text = out_.sql;
    out_.sql = before;
    ctx.aggregates = true;
    ctx.windows = has_from || windowed;
    std::vector<std::string> window_names;
    if (windowed) {
      // Window names may be keywords SQLite takes for names, quoted names or strings.
      static const char* const names[] = {"w1", "rows", "window", "\"w x\"", "[w]", "range",
                                          "'w2'"};
      window_names.push_back(std::string(rng_.pick(names)));
      if (rng_.chance(40)) window_names.push_back("win");
    }
    ctx.window_names = window_names;
    const std::size_t n = ncols != 0 ? ncols : 1 + rng_.below(4);
    std::size_t columns = 0;
    bool star = false;
    bool first = true;
    for (std::size_t i = 0; i < n; ++i) {
      comma_unless_first(first);
      if (allow_star && has_from && rng_.chance(5)) {
        star = true;
        if (rng_.chance(50)) {
          tok("*");
        } else {
          tok(spell(rng_.pick(sc.sources).qualifier) + ".*");
        }
        continue;
      }
      expr(ctx);
      ++columns;
      if (named) {
        if (rng_.chance(70)) tok("AS");
        tok("c" + std::to_string(i + 1));
      } else if (rng_.chance(25)) {
        const std::string alias = result_alias();
        static const std::set<std::string> unsafe_without_as = {"match", "replace", "end",
                                                                "over", "filter"};
        if (rng_.chance(50) || unsafe_without_as.count(alias) > 0) tok("AS");
        tok(spell(alias));
      }
    }
    out_.sql += from_text;
    expr_context where = ctx;
    where.aggregates = false;
    where.windows = false;
    where.window_names.clear();
    if (want_where || rng_.chance(45)) {
      tok("WHERE");
      expr(where);
    }
    if (grouped) {
      // GROUP BY sees this SELECT's own sources only: SQLite refuses a correlated term there.
      scope own{sc.sources, nullptr};
      expr_context group = where;
      group.sc = &own;
      group.subqueries = false;
      tok("GROUP");
      tok("BY");
      term(group);
      if (rng_.chance(30)) {
        tok(",");
        term(group);
      }
      if (rng_.chance(40)) {
        tok("HAVING");
        expr_context having = where;
        having.aggregates = true;
        expr(having);
      }
    }
    if (windowed) {
      tok("WINDOW");
      bool first_window = true;
      for (const auto& w : window_names) {
        comma_unless_first(first_window);
        tok(w);
        tok("AS");
        expr_context wctx = where;
        wctx.window_names.clear();
        window_spec(wctx);
      }
    }
    return star ? 0 : columns;
  }

  // A GROUP BY or ORDER BY term: an expression, but never an integer constant, which SQLite
  // reads as a result column's position.
  void term(const expr_context& ctx) {
    if (column_ref(ctx)) return;
    tok("coalesce");
    tok("(");
    expr(ctx);
    tok(",");
    tok("NULL");
    tok(")");
  }

  // A one-column SELECT for a scalar subquery, IN (...) or EXISTS (...).
  void scalar_select(const expr_context& ctx) {
    expr_context sub = ctx;
    sub.depth += 1;
    sub.aggregates = false;
    sub.windows = false;
    sub.window_names.clear();
    select_core(sub, 1, false, false);
    if (rng_.chance(30)) {
      tok("LIMIT");
      tok("1");
    }
  }

  void order_and_limit(const expr_context& ctx, std::size_t columns, bool compound) {
    if (rng_.chance(35)) {
      tok("ORDER");
      tok("BY");
      const std::size_t terms = 1 + rng_.below(2);
      bool first = true;
      for (std::size_t i = 0; i < terms; ++i) {
        comma_unless_first(first);
        if (compound || columns == 0 || rng_.chance(40)) {
          tok(std::to_string(1 + rng_.below(columns == 0 ? 1 : columns)));
        } else {
          expr_context o = ctx;
          o.aggregates = false;
          o.windows = false;
          term(o);
        }
        if (rng_.chance(20)) {
          tok("COLLATE");
          tok("NOCASE");
        }
        if (rng_.chance(40)) tok(rng_.chance(50) ? "ASC" : "DESC");
        if (rng_.chance(15)) tok(rng_.chance(50) ? "NULLS FIRST" : "NULLS LAST");
      }
    }
    if (rng_.chance(30)) {
      auto limit_value = [&] {
        if (ctx.params && rng_.chance(50)) {
          placeholder();
        } else {
          tok(std::to_string(rng_.below(20)));
        }
      };
      tok("LIMIT");
      limit_value();
      if (rng_.chance(40)) {
        tok(rng_.chance(60) ? "OFFSET" : ",");
        limit_value();
      }
    }
  }

  void with_clause(const expr_context& ctx) {
    tok("WITH");
    const bool recursive = rng_.chance(30);
    if (recursive) tok("RECURSIVE");
    const std::size_t n = 1 + rng_.below(2);
    static const char* const names[] = {"cte", "first", "rows", "do", "last", "key", "counter",
                                        "window", "filter", "recursive_"};
    bool first = true;
    for (std::size_t i = 0; i < n; ++i) {
      comma_unless_first(first);
      std::string name(rng_.pick(names));
      if (!used_aliases_.insert(name).second) {
        name = "cte" + std::to_string(++alias_counter_);
        used_aliases_.insert(name);
      }
      tok(spell(name));
      source s;
      s.qualifier = name;
      s.has_id = false;
      if (recursive && i == 0) {
        tok("(");
        tok("x");
        tok(")");
        tok("AS");
        tok("(");
        tok("SELECT");
        literal_or_param(ctx);
        tok("UNION");
        if (rng_.chance(70)) tok("ALL");
        tok("SELECT");
        tok("x");
        tok("+");
        tok("1");
        tok("FROM");
        tok(spell(name));
        tok("WHERE");
        tok("x");
        tok("<");
        literal_or_param(ctx);
        tok(")");
        s.columns = {"x"};
      } else {
        const std::size_t cols = 1 + rng_.below(3);
        const bool listed = rng_.chance(50);
        if (listed) {
          tok("(");
          bool f = true;
          for (std::size_t c = 1; c <= cols; ++c) {
            comma_unless_first(f);
            tok("c" + std::to_string(c));
          }
          tok(")");
        }
        tok("AS");
        if (rng_.chance(20)) {
          if (rng_.chance(50)) tok("NOT");
          tok("MATERIALIZED");
        }
        tok("(");
        expr_context sub = ctx;
        sub.depth += 1;
        if (rng_.chance(20)) {
          values_rows(sub, cols, !listed);
        } else {
          select_core(sub, cols, !listed, false);
        }
        tok(")");
        for (std::size_t c = 1; c <= cols; ++c) s.columns.push_back("c" + std::to_string(c));
      }
      ctes_.push_back(s);
    }
  }

  void literal_or_param(const expr_context& ctx) {
    if (ctx.params && rng_.chance(40)) {
      placeholder();
    } else {
      tok(std::to_string(rng_.below(10)));
    }
  }

  // VALUES rows; `names_unusable`: the rows feed a CTE without a column list, whose columns
  // must then be named c1..cN, which VALUES cannot do: use a SELECT instead.
  void values_rows(const expr_context& ctx, std::size_t cols, bool names_unusable) {
    if (names_unusable) {
      select_core(ctx, cols, true, false);
      return;
    }
    tok("VALUES");
    const std::size_t rows = 1 + rng_.below(3);
    bool first = true;
    expr_context v = ctx;
    v.aggregates = false;
    v.windows = false;
    v.sc = nullptr;
    for (std::size_t r = 0; r < rows; ++r) {
      comma_unless_first(first);
      args(v, cols);
    }
  }

  void select_statement() {
    expr_context ctx;
    if (rng_.chance(20)) with_clause(ctx);
    if (rng_.chance(15)) {
      // Compound: every arm has the same width.
      const std::size_t n = 1 + rng_.below(3);
      const std::size_t arms = 2 + rng_.below(2);
      bool values_last = false;
      for (std::size_t i = 0; i < arms; ++i) {
        if (i > 0) {
          static const char* const ops[] = {"UNION", "UNION ALL", "INTERSECT", "EXCEPT"};
          tok(rng_.pick(ops));
        }
        values_last = i > 0 && rng_.chance(20);
        if (values_last) {
          values_rows(ctx, n, false);
        } else {
          select_core(ctx, n, false, false);
        }
      }
      // ORDER BY and LIMIT belong to a SELECT arm in SQLite's grammar: none after VALUES.
      if (!values_last) order_and_limit(ctx, n, true);
      return;
    }
    const std::size_t n = select_core(ctx, 0, false, true);
    order_and_limit(ctx, n, false);
  }

  void values_statement() {
    expr_context ctx;
    const std::size_t n = 1 + rng_.below(4);
    values_rows(ctx, n, false);
    if (rng_.chance(20)) {
      tok("UNION ALL");
      values_rows(ctx, n, false);
    }
  }

  // ---- INSERT, UPDATE, DELETE
  const corpus_table& writable_table() {
    for (;;) {
      const corpus_table& t = rng_.pick(corpus_tables());
      if (!t.is_view) return t;
    }
  }

  void returning(const source& target) {
    if (!rng_.chance(35)) return;
    tok("RETURNING");
    if (rng_.chance(10)) {
      tok("*");
      return;
    }
    scope sc;
    sc.sources.push_back(target);
    expr_context ctx;
    ctx.sc = &sc;
    ctx.subqueries = false;
    const std::size_t n = 1 + rng_.below(3);
    bool first = true;
    for (std::size_t i = 0; i < n; ++i) {
      comma_unless_first(first);
      expr(ctx);
      if (rng_.chance(25)) {
        tok("AS");
        tok(spell(result_alias()));
      }
    }
  }

  void conflict_clause() {
    static const char* const verbs[] = {"OR REPLACE", "OR IGNORE", "OR ABORT", "OR FAIL",
                                        "OR ROLLBACK"};
    tok(rng_.pick(verbs));
  }

  void insert_statement() {
    expr_context ctx;
    if (rng_.chance(10)) with_clause(ctx);
    const corpus_table& t = writable_table();
    if (rng_.chance(15)) {
      tok("REPLACE");
    } else {
      tok("INSERT");
      if (rng_.chance(20)) conflict_clause();
    }
    tok("INTO");
    tok(spell(t.name));
    source target{t.name, t.columns, true, {}};
    if (rng_.chance(15)) {
      target.qualifier = fresh_alias();
      tok("AS");
      tok(spell(target.qualifier));
    }
    const std::size_t form = rng_.below(10);
    // RETURNING names the table, never the alias, which serves the upsert alone.
    const source returned{t.name, t.columns, true, {}};
    if (form == 0) {
      tok("DEFAULT VALUES");
      returning(returned);
      return;
    }
    std::vector<std::string> cols;
    for (const auto& c : t.columns) {
      if (rng_.chance(50)) cols.push_back(c);
    }
    if (cols.empty()) cols.push_back(t.columns[1]);
    tok("(");
    bool first = true;
    for (const auto& c : cols) {
      comma_unless_first(first);
      tok(spell(c));
    }
    tok(")");
    bool select_form = form < 4;
    if (select_form) {
      // The parser needs a WHERE before ON CONFLICT (lang_upsert.html, parsing ambiguity).
      force_where_ = true;
      select_core(ctx, cols.size(), false, false);
    } else {
      values_rows(ctx, cols.size(), false);
    }
    if (rng_.chance(35)) {
      tok("ON CONFLICT");
      const bool targeted = rng_.chance(70);
      if (targeted) {
        tok("(");
        tok(t.name == "t" && rng_.chance(50) ? "a" : (t.name == "order" && rng_.chance(50) ? "no" : "id"));
        tok(")");
      }
      if (!targeted || rng_.chance(40)) {
        tok("DO NOTHING");
        if (targeted && rng_.chance(25)) tok("ON CONFLICT DO NOTHING");  // several clauses
      } else {
        tok("DO UPDATE SET");
        scope sc;
        sc.sources.push_back(target);
        sc.sources.push_back(source{"excluded", t.columns, true, {}});
        expr_context set;
        set.sc = &sc;
        set.params = true;
        const std::size_t n = 1 + rng_.below(2);
        bool f = true;
        for (std::size_t i = 0; i < n; ++i) {
          comma_unless_first(f);
          tok(spell(t.columns[1 + rng_.below(t.columns.size() - 1)]));
          tok("=");
          expr(set);
        }
        if (rng_.chance(30)) {
          tok("WHERE");
          expr(set);
        }
      }
    }
    returning(returned);
  }

  void update_statement() {
    expr_context ctx;
    if (rng_.chance(10)) with_clause(ctx);
    const corpus_table& t = writable_table();
    tok("UPDATE");
    if (rng_.chance(15)) conflict_clause();
    tok(spell(t.name));
    source target{t.name, t.columns, true, {}};
    used_aliases_.insert(t.name);
    if (rng_.chance(20)) {
      target.qualifier = fresh_alias();
      tok("AS");  // qualified-table-name: AS is not optional here
      tok(spell(target.qualifier));
    }
    scope sc;
    sc.sources.push_back(target);
    // UPDATE ... FROM: the other tables join the scope of SET and WHERE.
    std::string from_text;
    if (rng_.chance(20)) {
      const std::string before = out_.sql;
      out_.sql = " ";
      scope from_scope;
      from_scope.outer = nullptr;
      update_from_ = true;
      from_clause(from_scope, ctx);
      update_from_ = false;
      from_text = out_.sql;
      out_.sql = before;
      for (auto& s : from_scope.sources) sc.sources.push_back(s);
    }
    expr_context set;
    set.sc = &sc;
    tok("SET");
    const std::size_t n = 1 + rng_.below(3);
    bool first = true;
    for (std::size_t i = 0; i < n; ++i) {
      comma_unless_first(first);
      if (rng_.chance(15)) {
        tok("(");
        tok(spell(t.columns[1]));
        tok(",");
        tok(spell(t.columns[2]));
        tok(")");
        tok("=");
        tok("(");
        expr(set);
        tok(",");
        expr(set);
        tok(")");
        continue;
      }
      tok(spell(t.columns[1 + rng_.below(t.columns.size() - 1)]));
      tok("=");
      expr(set);
    }
    out_.sql += from_text;
    if (rng_.chance(70)) {
      tok("WHERE");
      expr(set);
    }
    returning(target);
    if (from_text.empty() && rng_.chance(8)) {
      tok("ORDER BY");
      tok(spell(t.columns[1]));
      if (rng_.chance(50)) tok("DESC");
      tok("LIMIT");
      literal_or_param(set);
      if (rng_.chance(30)) {
        tok("OFFSET");
        literal_or_param(set);
      }
    }
  }

  void delete_statement() {
    expr_context ctx;
    if (rng_.chance(10)) with_clause(ctx);
    const corpus_table& t = writable_table();
    tok("DELETE FROM");
    tok(spell(t.name));
    source target{t.name, t.columns, true, {}};
    used_aliases_.insert(t.name);
    if (rng_.chance(20)) {
      target.qualifier = fresh_alias();
      tok("AS");  // qualified-table-name: AS is not optional here
      tok(spell(target.qualifier));
    }
    scope sc;
    sc.sources.push_back(target);
    expr_context where;
    where.sc = &sc;
    if (rng_.chance(80)) {
      tok("WHERE");
      expr(where);
    }
    returning(target);
    if (rng_.chance(8)) {
      // SQLITE_ENABLE_UPDATE_DELETE_LIMIT, as Debian builds SQLite.
      tok("ORDER BY");
      tok(spell(t.columns[1]));
      tok("LIMIT");
      literal_or_param(where);
    }
  }

  // ---- CREATE (no placeholders: SQLite refuses them in schema objects)
  void create_table() {
    tok("CREATE");
    if (rng_.chance(20)) tok(rng_.chance(50) ? "TEMP" : "TEMPORARY");
    tok("TABLE");
    if (rng_.chance(30)) tok("IF NOT EXISTS");
    static const char* const names[] = {"n1", "window", "filter", "first", "match", "key",
                                        "do", "over", "rows"};
    tok(spell(std::string(rng_.pick(names)) + "_" + std::to_string(rng_.below(1000))));
    if (rng_.chance(20)) {
      tok("AS");
      expr_context ctx;  // placeholders are allowed here, unlike in views and triggers
      select_core(ctx, 0, false, true);
      return;
    }
    tok("(");
    static const char* const columns[] = {"id", "window", "filter", "key", "offset", "action",
                                          "current", "do", "match", "first", "last", "x"};
    static const char* const types[] = {"INTEGER", "TEXT", "REAL", "BLOB", "ANY", "",
                                        "VARCHAR(20)", "NUMERIC(10, 2)", "UNSIGNED BIG INT"};
    std::set<std::string> used;
    std::string first_column;
    const std::size_t n = 1 + rng_.below(4);
    bool first = true;
    expr_context check;
    check.params = false;
    check.subqueries = false;
    for (std::size_t i = 0; i < n; ++i) {
      std::string name(rng_.pick(columns));
      if (!used.insert(name).second) continue;
      comma_unless_first(first);
      if (first_column.empty()) first_column = name;
      tok(spell(name));
      const std::string_view type = rng_.pick(types);
      if (!type.empty()) tok(type);
      const std::size_t k = rng_.below(8);
      if (k == 0) {
        tok("NOT NULL");
      } else if (k == 1) {
        tok("DEFAULT");
        literal();
      } else if (k == 2) {
        tok("CHECK");
        tok("(");
        expr(check);
        tok(")");
      } else if (k == 3) {
        tok("UNIQUE");
      } else if (k == 4) {
        tok("COLLATE NOCASE");
      }
    }
    if (rng_.chance(20)) {
      tok(",");
      tok("CHECK");
      tok("(");
      tok("1");
      tok(")");
    }
    const bool without_rowid = rng_.chance(10);
    if (without_rowid) {
      tok(",");
      tok("PRIMARY KEY");
      tok("(");
      tok(spell(first_column));
      tok(")");
    }
    tok(")");
    if (without_rowid) tok("WITHOUT ROWID");
  }

  void create_view() {
    tok("CREATE");
    if (rng_.chance(20)) tok("TEMP");
    tok("VIEW");
    if (rng_.chance(30)) tok("IF NOT EXISTS");
    tok(spell("view_" + std::to_string(rng_.below(1000))));
    tok("AS");
    expr_context ctx;
    ctx.params = false;
    if (rng_.chance(15)) with_clause(ctx);
    const std::size_t n = select_core(ctx, 0, false, true);
    order_and_limit(ctx, n, false);
  }

  void create_index() {
    tok("CREATE");
    if (rng_.chance(30)) tok("UNIQUE");
    tok("INDEX");
    if (rng_.chance(30)) tok("IF NOT EXISTS");
    tok(spell("ix_" + std::to_string(rng_.below(1000))));
    tok("ON");
    const corpus_table& t = writable_table();
    tok(spell(t.name));
    tok("(");
    const std::size_t n = 1 + rng_.below(2);
    bool first = true;
    for (std::size_t i = 0; i < n; ++i) {
      comma_unless_first(first);
      tok(spell(t.columns[1 + i]));
      if (rng_.chance(20)) tok("COLLATE NOCASE");
      if (rng_.chance(30)) tok(rng_.chance(50) ? "ASC" : "DESC");
    }
    tok(")");
    if (rng_.chance(30)) {
      tok("WHERE");
      tok(spell(t.columns[1]));
      tok(rng_.chance(50) ? "IS NOT NULL" : "> 0");
    }
  }

  void create_trigger() {
    tok("CREATE");
    if (rng_.chance(20)) tok(rng_.chance(50) ? "TEMP" : "TEMPORARY");
    tok("TRIGGER");
    if (rng_.chance(30)) tok("IF NOT EXISTS");
    tok(spell("tr_" + std::to_string(rng_.below(1000))));
    const bool on_view = rng_.chance(15);
    const corpus_table* t = nullptr;
    if (on_view) {
      tok("INSTEAD OF");
      t = &corpus_tables()[4];
    } else {
      t = &writable_table();
      if (rng_.chance(60)) tok(rng_.chance(50) ? "BEFORE" : "AFTER");
    }
    const std::size_t event = rng_.below(3);
    static const char* const events[] = {"INSERT", "UPDATE", "DELETE"};
    tok(events[event]);
    if (event == 1 && rng_.chance(40)) {
      tok("OF");
      tok(spell(t->columns[1]));
    }
    tok("ON");
    tok(spell(t->name));
    if (rng_.chance(50)) tok("FOR EACH ROW");
    scope sc;
    if (event != 2) sc.sources.push_back(source{"new", t->columns, true, {}});
    if (event != 0) sc.sources.push_back(source{"old", t->columns, true, {}});
    expr_context ctx;
    ctx.sc = &sc;
    ctx.params = false;
    ctx.subqueries = false;
    if (rng_.chance(40)) {
      tok("WHEN");
      expr(ctx);
    }
    tok("BEGIN");
    const std::size_t n = 1 + rng_.below(3);
    for (std::size_t i = 0; i < n; ++i) {
      const corpus_table& target = writable_table();
      switch (rng_.below(4)) {
        case 0: {
          tok("INSERT INTO");
          tok(spell(target.name));
          tok("(");
          tok(spell(target.columns[1]));
          tok(")");
          tok("VALUES");
          tok("(");
          expr(ctx);
          tok(")");
          break;
        }
        case 1: {
          tok("UPDATE");
          tok(spell(target.name));
          tok("SET");
          tok(spell(target.columns[1]));
          tok("=");
          expr(ctx);
          tok("WHERE");
          tok("id");
          tok("=");
          if (!column_ref(ctx)) tok("1");
          break;
        }
        case 2:
          tok("DELETE FROM");
          tok(spell(target.name));
          tok("WHERE");
          tok("id");
          tok("=");
          if (!column_ref(ctx)) tok("1");
          break;
        default:
          tok("SELECT");
          if (rng_.chance(30)) {
            tok("RAISE");
            tok("(");
            tok(rng_.chance(50) ? "IGNORE" : "ABORT, 'no; END; ?'");
            tok(")");
          } else {
            expr(ctx);
            // END, TRIGGER and TEMP as names inside a body, where `; END` closes it.
            if (rng_.chance(30)) {
              static const char* const names[] = {"end", "trigger", "temp", "begin"};
              if (rng_.chance(50)) tok("AS");
              tok(rng_.pick(names));
            }
          }
          break;
      }
      tok(";");
    }
    tok("END");
  }

  // Module arguments are any tokens in balanced parentheses: `;`, `?` and `:x` there are
  // neither statement ends nor parameters.
  void create_virtual_table() {
    tok("CREATE VIRTUAL TABLE");
    if (rng_.chance(30)) tok("IF NOT EXISTS");
    tok(spell("vt_" + std::to_string(rng_.below(1000))));
    tok("USING");
    if (rng_.chance(20)) {
      tok(spell("fts5"));
      return;
    }
    if (rng_.chance(30)) {
      tok("rtree");
      tok("(id, minx, maxx)");
      return;
    }
    tok("fts5");
    static const char* const arguments[] = {
        "a", "b UNINDEXED", "tokenize = 'porter ascii'", "prefix = '2 3'", "c; d", "?",
        ":x", "'?;'", "(e; ?)", "$v(x;y)", "@a::b", "-- ;\n f", "/* ; */ g", "window"};
    tok("(");
    const std::size_t n = 1 + rng_.below(4);
    bool first = true;
    for (std::size_t i = 0; i < n; ++i) {
      comma_unless_first(first);
      tok(rng_.pick(arguments));
    }
    tok(")");
  }

  void other_statement() {
    static const char* const statements[] = {
        "BEGIN",  "BEGIN IMMEDIATE TRANSACTION", "COMMIT", "END", "ROLLBACK",
        "SAVEPOINT sp1", "RELEASE sp1", "RELEASE SAVEPOINT window", "ANALYZE", "ANALYZE t",
        "PRAGMA user_version", "PRAGMA table_info(t)", "PRAGMA main.cache_size = 100",
        "DROP TABLE IF EXISTS n2", "DROP VIEW IF EXISTS vw", "DROP INDEX IF EXISTS ix",
        "DROP TRIGGER IF EXISTS tr", "REINDEX", "VACUUM", "ALTER TABLE t RENAME TO t9",
        "ALTER TABLE t ADD COLUMN z TEXT DEFAULT '?'", "ALTER TABLE u RENAME COLUMN key TO k2",
        "ALTER TABLE replace DROP COLUMN last", "EXPLAIN SELECT ?", "EXPLAIN QUERY PLAN SELECT a FROM t WHERE a = ?",
        "DETACH DATABASE x", "PRAGMA foreign_keys"};
    const std::size_t k = rng_.below(std::size(statements) + 3);
    if (k == std::size(statements)) {
      tok("ATTACH DATABASE");
      placeholder();
      tok("AS");
      if (rng_.chance(50)) {
        placeholder();
      } else {
        tok(spell("key"));
      }
      return;
    }
    if (k == std::size(statements) + 1) {
      tok("DETACH");
      placeholder();
      return;
    }
    if (k == std::size(statements) + 2) {
      tok("VACUUM");
      if (rng_.chance(50)) tok("main");
      tok("INTO");
      placeholder();
      return;
    }
    const std::string_view s = statements[k];
    tok(s);
    if (s.find('?') != std::string_view::npos) {
      out_.styles.insert(placeholder_style::anonymous);
    }
  }

  prng rng_;
  placeholder_style style_;
  bool mixing_ = false;
  bool gaps_ = false;
  bool force_where_ = false;  // the next select_core writes a WHERE clause
  bool update_from_ = false;  // writing an UPDATE's FROM clause
  bool after_placeholder_ = false;
  generated out_;
  std::set<std::string> used_aliases_;
  std::size_t alias_counter_ = 0;
  std::vector<source> ctes_;
};

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
    "SELECT t.id, count(u.id) FROM t LEFT JOIN u ON u.t_id = t.id GROUP BY t.id HAVING count(u.id) > ?",
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
    "WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < ?) SELECT x FROM cnt",
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
    "CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a, b) VALUES (new.a, new.b); END",
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
    case sd::sql_problem::none: return "none";
    case sd::sql_problem::lex_error: return "lex_error";
    case sd::sql_problem::empty: return "empty";
    case sd::sql_problem::several_statements: return "several_statements";
    case sd::sql_problem::mixed_placeholders: return "mixed_placeholders";
    case sd::sql_problem::placeholder_gap: return "placeholder_gap";
    case sd::sql_problem::unknown_statement: return "unknown_statement";
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
      if (verbose) std::fprintf(stderr, "%s: %s\n%s\n\n", where_from(c).c_str(), lite.error.c_str(), c.sql.c_str());
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
    const std::size_t declared =
        shape.numbered_names ? (c.known_placeholders ? c.max_number : shape.parameter_count)
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
    case sd::schema_issue_kind::none: return "none";
    case sd::schema_issue_kind::unknown_column: return "unknown_column";
    case sd::schema_issue_kind::parameter_type: return "parameter_type";
    case sd::schema_issue_kind::optional_into_not_null: return "optional_into_not_null";
    case sd::schema_issue_kind::result_name: return "result_name";
    case sd::schema_issue_kind::result_type: return "result_type";
    case sd::schema_issue_kind::nullable_into_required: return "nullable_into_required";
    case sd::schema_issue_kind::star_width: return "star_width";
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
      tables.push_back(sd::table_info{corpus_tables()[i].name, columns[i].data(),
                                      columns[i].size(), true});
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
    const std::string kind = std::string(issue_name(issue.kind)) + " " +
                             std::string(issue.table) + "." + std::string(issue.column);
    ++rejected_by_kind[issue_name(issue.kind)];
    if (examples.size() < 20) {
      examples.push_back(where_from(c) + ": " + kind + " at offset " +
                         std::to_string(issue.token_begin) + "\n    " + c.sql);
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
