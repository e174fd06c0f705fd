#pragma once
// The grammar behind the statement generator of the differential test of the SQL analysis
// (tests/unit/sql_differential_test.cpp, through sql_statement_generator.hpp): a recursive
// grammar over SQLite's syntax (https://sqlite.org/lang.html) driven by a small PRNG, so that
// a seed names a statement on every platform, and the corpus database it writes against.
//
// The generator aims at statements SQLite prepares: it tracks which tables, aliases and
// columns are in scope, and where aggregates, window functions and placeholders are allowed.
// It records the placeholders it writes (never those inside literals or comments), so the test
// knows independently of the analysis which statements mix placeholder styles or leave gaps.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sqlproof_test {

// ---- the corpus database -------------------------------------------------------------------

struct corpus_table {
  std::string name;                  // as SQLite stores it
  std::vector<std::string> columns;  // as SQLite stores them
  bool is_view = false;
  bool has_id = true;  // an `id` column (USING (id) and ON CONFLICT (id) need one)
};

// Tables and views named, in part, by keywords SQLite lets stand for names.
inline constexpr const char* corpus_schema =
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

inline const std::vector<corpus_table>& corpus_tables() {
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
inline bool reserved(std::string_view name) { return name == "order" || name == "group"; }

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
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template <std::size_t N>
  std::string_view pick(const char* const (&a)[N]) {
    return a[below(N)];
  }

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
  bool several = false;  // a second statement follows on purpose
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
// Writes the parts of statements: tokens with comments and odd white space between them,
// names (keywords SQLite takes for names among them), placeholders, literals, expressions,
// SELECT, WITH and VALUES. The statements themselves are statement_generator's.
class sql_grammar {
 public:
  explicit sql_grammar(std::uint64_t seed) : rng_(seed) {
    style_ = static_cast<placeholder_style>(rng_.below(4));
    mixing_ = rng_.chance(3);
    gaps_ = rng_.chance(3);
  }

 protected:
  // ---- tokens and what lies between them
  void trivia(bool force) {
    static const char* const comments[] = {
        "/* ? */",   "/* ; */", "/* :x @y $z */", "/**/",           "/* -- ' \" ` [ */", "-- ?\n",
        "-- ; :x\n", "--\n",    "/* ?1 ; */",     "-- 'unclosed\n", "/*\n?\n*/"};
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
  void toks(std::initializer_list<std::string_view> texts) {
    for (const std::string_view t : texts) tok(t);
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
        "window",    "filter",    "over",         "replace",   "offset",    "current",
        "key",       "action",    "do",           "first",     "last",      "rows",
        "range",     "groups",    "partition",    "preceding", "following", "unbounded",
        "exclude",   "ties",      "others",       "no",        "plan",      "query",
        "temp",      "row",       "view",         "virtual",   "without",   "nulls",
        "generated", "always",    "materialized", "recursive", "ignore",    "abort",
        "fail",      "conflict",  "begin",        "end",       "trigger",   "after",
        "before",    "each",      "instead",      "of",        "pragma",    "explain",
        "analyze",   "attach",    "detach",       "database",  "vacuum",    "reindex",
        "rename",    "savepoint", "release",      "rollback",  "immediate", "deferred",
        "exclusive", "initially", "restrict",     "cascade",   "asc",       "desc",
        "by",        "if",        "for",          "eu"};
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
    static const char* const names[] = {"x",    "total", "window",  "filter", "over",  "first",
                                        "last", "key",   "offset",  "do",     "match", "current",
                                        "rows", "no",    "replace", "end",    "view"};
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
        ":a",      ":b",  "@c",   "$d",   ":name", "$::x(1)", "$::x(2)", ":a::b",   "@x::y", "#h",
        "$v(x;y)", "@_1", ":Ünï", "$a$b", "$0",    ":01",     "@limit",  ":select", "$v(')"};
    static const char* const numbered_prefixes[] = {"$", ":", "@"};
    switch (style) {
      case placeholder_style::anonymous:
        tok("?");
        break;
      case placeholder_style::numbered:
        tok("?" + number());
        break;
      case placeholder_style::named:
        tok(rng_.pick(names));
        break;
      case placeholder_style::numbered_names:
        tok(std::string(rng_.pick(numbered_prefixes)) + number());
        break;
    }
    after_placeholder_ = true;
  }

  // ---- literals
  void literal() {
    static const char* const strings[] = {"'?'",
                                          "';'",
                                          "':x'",
                                          "'--'",
                                          "'/*'",
                                          "'it''s ?'",
                                          "'a;b;c'",
                                          "'$1 @a :b'",
                                          "''",
                                          "'-- ? ;'",
                                          "'*/'",
                                          "'\"?\"'",
                                          "'[x]'",
                                          "'END;'",
                                          "'; END;'",
                                          "'?1'",
                                          "'é ?'",
                                          "'#n'",
                                          "'{\"a\": [1, 2]}'",
                                          "'$.a'"};
    static const char* const numbers[] = {"0",      "1",   "42",   "0x1F",
                                          "0XaB",   "1.5", ".25",  "3e2",
                                          "1.0E-3", "7.",  "2e+1", "9223372036854775807"};
    static const char* const blobs[] = {"x'3f'", "X'3B3A'", "x''", "X'2d2d2f2a'"};
    static const char* const others[] = {
        "NULL", "TRUE", "FALSE", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"};
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
      case 0:
      case 1:
      case 2:
      case 3: {
        static const char* const ops[] = {
            "+",  "-",  "*",  "/",      "%",    "||",       "=",    "==",       "!=",
            "<>", "<",  "<=", ">",      ">=",   "AND",      "OR",   "&",        "|",
            "<<", ">>", "IS", "IS NOT", "LIKE", "NOT LIKE", "GLOB", "NOT GLOB", "REGEXP"};
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
          toks({"ESCAPE", "'\\'"});
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
        toks({"IN", "("});
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
        toks({")", ")"});
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
        static const char* const types[] = {"INTEGER", "TEXT",        "REAL",           "BLOB",
                                            "NUMERIC", "VARCHAR(10)", "DECIMAL(10, 2)", "int"};
        toks({"CAST", "("});
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
      case 13:
      case 14:
        function_call(ctx);
        return;
      case 15:
      case 16:
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
      case 18:
      case 19:
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
          toks({"IN", "(", "VALUES"});
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
        {"abs", 1, 1},         {"coalesce", 2, 3}, {"ifnull", 2, 2},       {"iif", 3, 3},
        {"length", 1, 1},      {"lower", 1, 1},    {"upper", 1, 1},        {"substr", 2, 3},
        {"instr", 2, 2},       {"printf", 1, 3},   {"json_extract", 2, 2}, {"json_array", 0, 3},
        {"nullif", 2, 2},      {"typeof", 1, 1},   {"round", 1, 2},        {"max", 2, 3},
        {"min", 2, 2},         {"hex", 1, 1},      {"quote", 1, 1},        {"trim", 1, 2},
        {"replace", 3, 3},     {"date", 1, 2},     {"datetime", 1, 1},     {"random", 0, 0},
        {"json_object", 0, 0}, {"unicode", 1, 1},  {"zeroblob", 1, 1}};
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
    toks({"FILTER", "(", "WHERE"});
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
      toks({"count", "(", "*", ")"});
    } else if (k == 1) {
      toks({"group_concat", "("});
      const bool distinct = rng_.chance(30);  // then only one argument
      if (distinct) tok("DISTINCT");
      expr(inner);
      if (!distinct && rng_.chance(50)) {
        toks({",", "';'"});
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
      toks({"PARTITION", "BY"});
      expr(inner);
    }
    const bool ordered = rng_.chance(60);
    if (ordered) {
      toks({"ORDER", "BY"});
      expr(inner);
      if (rng_.chance(40)) tok(rng_.chance(50) ? "ASC" : "DESC");
      if (rng_.chance(20)) tok(rng_.chance(50) ? "NULLS FIRST" : "NULLS LAST");
    }
    if (rng_.chance(40)) {
      static const char* const frames[] = {
          "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
          "ROWS 2 PRECEDING",
          "RANGE UNBOUNDED PRECEDING",
          "RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
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
      toks({"(", ")"});
    } else if (k == 1) {
      static const char* const value_fns[] = {"lag", "lead", "first_value", "last_value"};
      tok(rng_.pick(value_fns));
      args(inner, 1);
    } else if (k == 2) {
      toks({"ntile", "(", "2", ")"});
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
      static const char* const joins[] = {",",
                                          "JOIN",
                                          "INNER JOIN",
                                          "LEFT JOIN",
                                          "LEFT OUTER JOIN",
                                          "CROSS JOIN",
                                          "RIGHT JOIN",
                                          "FULL OUTER JOIN",
                                          "NATURAL JOIN",
                                          "FULL JOIN",
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
          toks({"USING", "(", "id", ")"});
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
      static const char* const names[] = {"w1",  "rows",  "window", "\"w x\"",
                                          "[w]", "range", "'w2'"};
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
        static const std::set<std::string> unsafe_without_as = {"match", "replace", "end", "over",
                                                                "filter"};
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
      toks({"GROUP", "BY"});
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
    toks({"coalesce", "("});
    expr(ctx);
    toks({",", "NULL", ")"});
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
      toks({"LIMIT", "1"});
    }
  }

  void order_and_limit(const expr_context& ctx, std::size_t columns, bool compound) {
    if (rng_.chance(35)) {
      toks({"ORDER", "BY"});
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
          toks({"COLLATE", "NOCASE"});
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
    static const char* const names[] = {"cte", "first",   "rows",   "do",     "last",
                                        "key", "counter", "window", "filter", "recursive_"};
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
        toks({"(", "x", ")", "AS", "(", "SELECT"});
        literal_or_param(ctx);
        tok("UNION");
        if (rng_.chance(70)) tok("ALL");
        toks({"SELECT", "x", "+", "1", "FROM"});
        tok(spell(name));
        toks({"WHERE", "x", "<"});
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

}  // namespace sqlproof_test
