#pragma once
// The statements of the differential test of the SQL analysis
// (tests/unit/sql_differential_test.cpp): SELECT, compound SELECT, VALUES, INSERT, UPDATE,
// DELETE, CREATE TABLE/VIEW/INDEX/TRIGGER/VIRTUAL TABLE and the rest, written from a seed with
// the parts sql_grammar.hpp writes.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sql_grammar.hpp"

namespace sqlproof_test {

class statement_generator : private sql_grammar {
 public:
  using sql_grammar::sql_grammar;

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
        tok(t.name == "t" && rng_.chance(50)
                ? "a"
                : (t.name == "order" && rng_.chance(50) ? "no" : "id"));
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
        toks({")", "=", "("});
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
    static const char* const names[] = {"n1",  "window", "filter", "first", "match",
                                        "key", "do",     "over",   "rows"};
    tok(spell(std::string(rng_.pick(names)) + "_" + std::to_string(rng_.below(1000))));
    if (rng_.chance(20)) {
      tok("AS");
      expr_context ctx;  // placeholders are allowed here, unlike in views and triggers
      select_core(ctx, 0, false, true);
      return;
    }
    tok("(");
    static const char* const columns[] = {"id",     "window", "filter",  "key",
                                          "offset", "action", "current", "do",
                                          "match",  "first",  "last",    "x"};
    static const char* const types[] = {
        "INTEGER",         "TEXT", "REAL", "BLOB", "ANY", "", "VARCHAR(20)", "NUMERIC(10, 2)",
        "UNSIGNED BIG INT"};
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
        toks({"CHECK", "("});
        expr(check);
        tok(")");
      } else if (k == 3) {
        tok("UNIQUE");
      } else if (k == 4) {
        tok("COLLATE NOCASE");
      }
    }
    if (rng_.chance(20)) {
      toks({",", "CHECK", "(", "1", ")"});
    }
    const bool without_rowid = rng_.chance(10);
    if (without_rowid) {
      toks({",", "PRIMARY KEY", "("});
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
          toks({")", "VALUES", "("});
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
          toks({"WHERE", "id", "="});
          if (!column_ref(ctx)) tok("1");
          break;
        }
        case 2:
          tok("DELETE FROM");
          tok(spell(target.name));
          toks({"WHERE", "id", "="});
          if (!column_ref(ctx)) tok("1");
          break;
        default:
          tok("SELECT");
          if (rng_.chance(30)) {
            toks({"RAISE", "("});
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
      toks({"rtree", "(id, minx, maxx)"});
      return;
    }
    tok("fts5");
    static const char* const arguments[] = {"a",
                                            "b UNINDEXED",
                                            "tokenize = 'porter ascii'",
                                            "prefix = '2 3'",
                                            "c; d",
                                            "?",
                                            ":x",
                                            "'?;'",
                                            "(e; ?)",
                                            "$v(x;y)",
                                            "@a::b",
                                            "-- ;\n f",
                                            "/* ; */ g",
                                            "window"};
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
    static const char* const statements[] = {"BEGIN",
                                             "BEGIN IMMEDIATE TRANSACTION",
                                             "COMMIT",
                                             "END",
                                             "ROLLBACK",
                                             "SAVEPOINT sp1",
                                             "RELEASE sp1",
                                             "RELEASE SAVEPOINT window",
                                             "ANALYZE",
                                             "ANALYZE t",
                                             "PRAGMA user_version",
                                             "PRAGMA table_info(t)",
                                             "PRAGMA main.cache_size = 100",
                                             "DROP TABLE IF EXISTS n2",
                                             "DROP VIEW IF EXISTS vw",
                                             "DROP INDEX IF EXISTS ix",
                                             "DROP TRIGGER IF EXISTS tr",
                                             "REINDEX",
                                             "VACUUM",
                                             "ALTER TABLE t RENAME TO t9",
                                             "ALTER TABLE t ADD COLUMN z TEXT DEFAULT '?'",
                                             "ALTER TABLE u RENAME COLUMN key TO k2",
                                             "ALTER TABLE replace DROP COLUMN last",
                                             "EXPLAIN SELECT ?",
                                             "EXPLAIN QUERY PLAN SELECT a FROM t WHERE a = ?",
                                             "DETACH DATABASE x",
                                             "PRAGMA foreign_keys"};
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
};

}  // namespace sqlproof_test
