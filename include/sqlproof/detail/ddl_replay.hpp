#pragma once
// Replays the DDL of a list of migrations in constant evaluation and gives the tables (and
// views) they leave: names, columns, column families and nullability, in the form the
// analysis of sql_schema_check.hpp reads (table_info, column_info).
//
// What is followed (https://sqlite.org/lang_createtable.html, lang_altertable.html,
// lang_createview.html, lang_droptable.html, lang_dropview.html):
//   CREATE [TEMP|TEMPORARY] TABLE [IF NOT EXISTS] [schema.]name (columns, table constraints)
//     [WITHOUT ROWID] [STRICT]
//   CREATE [TEMP|TEMPORARY] VIEW [IF NOT EXISTS] [schema.]name [(columns)] AS SELECT ...
//   ALTER TABLE name RENAME TO new | RENAME [COLUMN] a TO b | ADD [COLUMN] def | DROP [COLUMN] a
//   DROP TABLE|VIEW [IF EXISTS] name
// CREATE TABLE ... AS SELECT, CREATE VIRTUAL TABLE, and any of the above this code cannot
// read leave the table known to exist with its columns unknown: an unknown table is not
// checked, never rejected. Every other statement (INSERT, PRAGMA, CREATE INDEX or TRIGGER,
// DROP INDEX, ...) leaves the tables as they are.
//
// Cost: the work is done by one non-template class whose storage is allocated during the
// constant evaluation (C++20 transient allocation) and freed before it ends; the templates in
// schema_of.hpp only copy its result into arrays. It runs once per migration list (twice when
// the arrays guessed from the SQL's length are too small), and it is the cost of schema_of:
// about 1 s for 28 KB of DDL with g++ 12 (scripts/compile_cost_schema.sh), so every word
// test checks a token's length before its text.

#include <cstddef>
#include <string_view>

#include "../value.hpp"
#include "affinity.hpp"
#include "sql_lexer.hpp"
#include "sql_schema_check.hpp"

namespace sqlproof::detail {

inline constexpr std::size_t no_column = static_cast<std::size_t>(-1);

// A table or view as the replay holds it.
struct ddl_table {
  std::string_view name;
  bool alive = true;
  bool columns_known = true;
  bool view = false;
};

// A column as the replay holds it. A table's columns are its live entries, in pool order:
// ADD COLUMN appends, so pool order is the order SQLite lists them in.
struct ddl_column {
  std::size_t table = 0;
  column_info info;
  bool alive = true;
  bool rowid_alias = false;          // INTEGER PRIMARY KEY of a rowid table
  bool integer_declared = false;     // declared with the type INTEGER exactly
  std::size_t source = no_column;    // for a view's column: the column it was read from
  bool from_star = false;            // ... through `*` or `t.*`
};

// A source of a view's FROM clause.
struct ddl_source {
  std::string_view alias;          // the alias, or the table's name as written
  std::size_t table = no_column;   // the table, or no_column when not known
  bool nullable = false;           // right of a LEFT JOIN (or either side of FULL)
};

// A result column of a view's SELECT.
struct ddl_item {
  std::string_view name;
  column_info info;
  std::size_t source = no_column;  // the column it reads, when it is a plain column
  bool from_star = false;
};

// A growable array for constant evaluation (std::vector is not usable there with every
// standard library the project supports).
template <class T>
class ddl_array {
 public:
  constexpr ddl_array() = default;
  ddl_array(const ddl_array&) = delete;
  ddl_array& operator=(const ddl_array&) = delete;
  constexpr ~ddl_array() { delete[] data_; }
  constexpr void push(const T& v) {
    if (size_ == capacity_) {
      const std::size_t grown = capacity_ == 0 ? 16 : capacity_ * 2;
      T* next = new T[grown];
      for (std::size_t i = 0; i < size_; ++i) next[i] = data_[i];
      delete[] data_;
      data_ = next;
      capacity_ = grown;
    }
    data_[size_++] = v;
  }
  constexpr void clear() noexcept { size_ = 0; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  constexpr T& operator[](std::size_t i) noexcept { return data_[i]; }
  constexpr const T& operator[](std::size_t i) const noexcept { return data_[i]; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// The column family a declared type gives, by SQLite's affinity rules
// (https://sqlite.org/datatype3.html#determination_of_column_affinity). BOOL and BOOLEAN
// (NUMERIC affinity) hold booleans by convention; other NUMERIC types (DATE, DECIMAL, ...)
// keep whatever they are given, and a column with no type (BLOB affinity) too: their family is
// unknown.
struct declared_family {
  value_family family{};
  bool known = false;
};
constexpr declared_family family_of_declared(std::string_view declared) noexcept {
  // The common spellings first, without the substring search.
  if (iequals(declared, "INTEGER")) return {value_family::integer, true};
  if (iequals(declared, "TEXT")) return {value_family::text, true};
  if (iequals(declared, "REAL")) return {value_family::real, true};
  if (iequals(declared, "BOOL") || iequals(declared, "BOOLEAN")) {
    return {value_family::boolean, true};
  }
  if (declared.empty()) return {};
  switch (affinity_of(declared)) {
    case affinity::integer: return {value_family::integer, true};
    case affinity::text: return {value_family::text, true};
    case affinity::real: return {value_family::real, true};
    case affinity::blob: return {value_family::blob, true};
    case affinity::numeric: return {};
  }
  return {};
}

// A name as written (bare, "quoted", [quoted], `quoted` or 'quoted'), without its quotes; a
// quoted name holding a quote character keeps them (as name_of in sql_schema_check.hpp).
constexpr std::string_view ddl_name(std::string_view text) noexcept {
  if (text.size() < 2) return text;
  const char q = text[0];
  if (q != '"' && q != '`' && q != '[' && q != '\'') return text;
  const std::string_view inner = text.substr(1, text.size() - 2);
  for (char c : inner) {
    if (c == '"' || c == '`' || c == '\'') return text;
  }
  return inner;
}

constexpr bool name_is_plain(std::string_view name) noexcept {
  return name.empty() || (name[0] != '"' && name[0] != '`' && name[0] != '[' && name[0] != '\'');
}

class ddl_replay {
 public:
  // Replays the statements of `texts[0..count)` in order; each text holds one or more
  // statements.
  constexpr ddl_replay(const std::string_view* texts, std::size_t count) {
    for (std::size_t k = 0; k < count; ++k) replay_text(texts[k]);
  }

  [[nodiscard]] constexpr std::size_t table_count() const noexcept {
    std::size_t n = 0;
    for (std::size_t t = 0; t < tables_.size(); ++t) n += tables_[t].alive ? 1 : 0;
    return n;
  }
  [[nodiscard]] constexpr std::size_t column_count() const noexcept {
    std::size_t n = 0;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      n += columns_[c].alive && tables_[columns_[c].table].alive ? 1 : 0;
    }
    return n;
  }
  // False when a table or column name holds a quote character: the analysis could not match
  // it, so the schema cannot claim to list every table.
  [[nodiscard]] constexpr bool names_plain() const noexcept { return names_plain_; }

  // Writes the live tables in creation order, each followed by its live columns: `tables`
  // gets table_count() entries whose `columns` are left for the caller to point into its
  // copy of `columns` (column_count() entries, a table's columns contiguous and in order);
  // `rowid_alias[t]` is the position within table t of its rowid alias, or no_column.
  constexpr void write(table_info* tables, column_info* columns, std::size_t* rowid_alias) const {
    // A counting sort: the pool is too long to be walked once per table in constant
    // evaluation.
    struct place {
      std::size_t count = 0;  // live columns of the table slot
      std::size_t first = 0;  // where they start in `columns`
      std::size_t index = 0;  // the table's position in `tables`
    };
    ddl_array<place> places;
    for (std::size_t t = 0; t < tables_.size(); ++t) places.push(place{});
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (columns_[c].alive) ++places[columns_[c].table].count;
    }
    std::size_t out_t = 0, out_c = 0;
    for (std::size_t t = 0; t < tables_.size(); ++t) {
      if (!tables_[t].alive) continue;
      places[t].first = out_c;
      places[t].index = out_t;
      out_c += places[t].count;
      rowid_alias[out_t] = no_column;
      tables[out_t++] = table_info{tables_[t].name, nullptr, places[t].count, tables_[t].columns_known};
      places[t].count = 0;  // from here: the columns placed so far
    }
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const ddl_column& col = columns_[c];
      if (!col.alive || !tables_[col.table].alive) continue;
      place& p = places[col.table];
      if (col.rowid_alias) rowid_alias[p.index] = p.count;
      columns[p.first + p.count++] = col.info;
    }
  }

 private:
  // ---- tokens ---------------------------------------------------------------------------

  [[nodiscard]] constexpr bool is(std::size_t i, std::string_view word) const noexcept {
    if (i >= end_) return false;
    const token& t = toks_[i];
    return t.kind == token_kind::identifier && t.end - t.begin == word.size() &&
           iequals(std::string_view{sql_.data() + t.begin, word.size()}, word);
  }
  [[nodiscard]] constexpr bool kind(std::size_t i, token_kind k) const noexcept {
    return i < end_ && toks_[i].kind == k;
  }
  [[nodiscard]] constexpr std::string_view text(std::size_t i) const noexcept {
    return toks_[i].text(sql_);
  }
  [[nodiscard]] constexpr std::string_view span(std::size_t a, std::size_t b) const noexcept {
    return sql_.substr(toks_[a].begin, toks_[b - 1].end - toks_[a].begin);
  }
  [[nodiscard]] constexpr bool is_name(std::size_t i) const noexcept {
    return kind(i, token_kind::identifier) || kind(i, token_kind::quoted_identifier) ||
           kind(i, token_kind::string);
  }
  // The index of the `)` matching the `(` at i, or end_ when there is none.
  [[nodiscard]] constexpr std::size_t close_of(std::size_t i) const noexcept {
    std::size_t depth = 0;
    for (; i < end_; ++i) {
      if (toks_[i].kind == token_kind::lparen) ++depth;
      if (toks_[i].kind == token_kind::rparen && --depth == 0) return i;
    }
    return end_;
  }
  // The first index in [i, stop) at depth 0 holding a comma, or stop.
  [[nodiscard]] constexpr std::size_t next_comma(std::size_t i, std::size_t stop) const noexcept {
    while (i < stop && toks_[i].kind != token_kind::comma) {
      i = toks_[i].kind == token_kind::lparen ? close_of(i) + 1 : i + 1;
    }
    return i < stop ? i : stop;
  }
  constexpr std::string_view name_at(std::size_t i) noexcept {
    const std::string_view n = ddl_name(text(i));
    if (!name_is_plain(n)) names_plain_ = false;
    return n;
  }
  // [schema.]name at i: the name, and i moved past it. Empty when there is none.
  constexpr std::string_view qualified_name(std::size_t& i) noexcept {
    if (!is_name(i)) return {};
    if (kind(i + 1, token_kind::dot) && is_name(i + 2)) i += 2;
    return name_at(i++);
  }

  // ---- tables and columns ---------------------------------------------------------------

  [[nodiscard]] constexpr std::size_t find_table(std::string_view name) const noexcept {
    for (std::size_t t = tables_.size(); t-- > 0;) {
      if (tables_[t].alive && iequals(tables_[t].name, name)) return t;
    }
    return no_column;
  }
  [[nodiscard]] constexpr std::size_t find_column(std::size_t t, std::string_view name) const noexcept {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (live_column(c) && columns_[c].table == t && iequals(columns_[c].info.name, name)) return c;
    }
    return no_column;
  }
  [[nodiscard]] constexpr bool live_column(std::size_t c) const noexcept {
    return columns_[c].alive && tables_[columns_[c].table].alive &&
           tables_[columns_[c].table].columns_known;
  }
  constexpr std::size_t add_table(std::string_view name, bool view) {
    const std::size_t old = find_table(name);
    if (old != no_column) tables_[old].alive = false;  // SQLite refused it, or TEMP shadows
    tables_.push(ddl_table{name, true, true, view});
    return tables_.size() - 1;
  }
  constexpr void forget_columns(std::size_t t) noexcept {
    tables_[t].columns_known = false;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (columns_[c].table == t) columns_[c].alive = false;
    }
  }
  // A view reads its tables when it is queried, and expands `*` then: the columns of a view
  // are no longer known when a table it reads is dropped (changed = every_column), when a
  // column it reads is renamed or dropped (SQLite rewrites the view's SELECT with the new
  // name), or when a table it expands with `*` gains or loses a column (changed = no_column).
  static constexpr std::size_t every_column = no_column - 1;
  constexpr void forget_views_reading(std::size_t t, std::size_t changed) noexcept {
    for (std::size_t v = 0; v < tables_.size(); ++v) {
      if (!tables_[v].alive || !tables_[v].view || !tables_[v].columns_known) continue;
      for (std::size_t c = 0; c < columns_.size(); ++c) {
        const ddl_column& col = columns_[c];
        if (!col.alive || col.table != v || col.source == no_column ||
            columns_[col.source].table != t) {
          continue;
        }
        if (col.from_star || changed == every_column || col.source == changed) {
          forget_columns(v);
          forget_views_reading(v, every_column);
          break;
        }
      }
    }
  }

  // ---- statements -----------------------------------------------------------------------

  // Splits `sql` into statements and replays each. Where a statement ends is decided as
  // sqlite3_complete decides it (statement_ends); only CREATE TRIGGER needs its state machine,
  // whose body holds `;`, so it reads just the first tokens of other statements (a keyword
  // test on every token is a large part of the cost of this constant evaluation).
  constexpr void replay_text(std::string_view sql) {
    sql_ = sql;
    toks_.clear();
    statement_ends ends;
    bool watch = true;  // feeding `ends`: the statement may be a CREATE TRIGGER
    std::size_t first = 0;
    for (lexer lx{sql}; !lx.done(); lx.advance()) {
      if (lx.current().kind == token_kind::error) return;  // SQLite refuses the text
      const bool last = watch ? ends.ends_statement(lx) : lx.current().kind == token_kind::semicolon;
      toks_.push(lx.current());
      if (last) {
        end_ = toks_.size() - 1;
        statement(first);
        first = toks_.size();
        ends = statement_ends{};
        watch = true;
      } else if (watch && toks_.size() - first == 6) {
        end_ = toks_.size();
        watch = creates_trigger(first);
      }
    }
    end_ = toks_.size();
    if (first < end_) statement(first);
  }

  // [EXPLAIN [QUERY PLAN]] CREATE [TEMP|TEMPORARY] TRIGGER at i.
  [[nodiscard]] constexpr bool creates_trigger(std::size_t i) const noexcept {
    if (is(i, "EXPLAIN")) i += is(i + 1, "QUERY") ? 3 : 1;
    if (!is(i, "CREATE")) return false;
    ++i;
    if (is(i, "TEMP") || is(i, "TEMPORARY")) ++i;
    return is(i, "TRIGGER");
  }

  constexpr void statement(std::size_t i) {
    if (is(i, "CREATE")) {
      ++i;
      if (is(i, "TEMP") || is(i, "TEMPORARY")) ++i;
      if (is(i, "TABLE")) {
        create_table(i + 1);
      } else if (is(i, "VIEW")) {
        create_view(i + 1);
      } else if (is(i, "VIRTUAL") && is(i + 1, "TABLE")) {
        i += 2;
        if (!skip_if_not_exists(i)) return;
        const std::string_view name = qualified_name(i);
        if (!name.empty()) forget_columns(add_table(name, false));
      }
    } else if (is(i, "ALTER") && is(i + 1, "TABLE")) {
      alter_table(i + 2);
    } else if (is(i, "DROP") && (is(i + 1, "TABLE") || is(i + 1, "VIEW"))) {
      i += 2;
      if (is(i, "IF") && is(i + 1, "EXISTS")) i += 2;
      const std::size_t t = find_table(qualified_name(i));
      if (t != no_column) {
        tables_[t].alive = false;
        forget_views_reading(t, every_column);
      }
    }
  }

  // IF NOT EXISTS at i: false when the statement does nothing (the table exists).
  constexpr bool skip_if_not_exists(std::size_t& i) noexcept {
    if (!(is(i, "IF") && is(i + 1, "NOT") && is(i + 2, "EXISTS"))) return true;
    i += 3;
    std::size_t j = i;
    return find_table(qualified_name(j)) == no_column;
  }

  // CONSTRAINT, PRIMARY, NOT, NULL, UNIQUE, CHECK, DEFAULT, COLLATE, REFERENCES, GENERATED, AS:
  // chosen by length, since this runs for every word of every column's type.
  [[nodiscard]] constexpr bool starts_constraint(std::size_t i) const noexcept {
    if (!kind(i, token_kind::identifier)) return false;
    switch (toks_[i].end - toks_[i].begin) {
      case 2: return is(i, "AS");
      case 3: return is(i, "NOT");
      case 4: return is(i, "NULL");
      case 5: return is(i, "CHECK");
      case 6: return is(i, "UNIQUE");
      case 7: return is(i, "PRIMARY") || is(i, "DEFAULT") || is(i, "COLLATE");
      case 9: return is(i, "GENERATED");
      case 10: return is(i, "CONSTRAINT") || is(i, "REFERENCES");
      default: return false;
    }
  }

  // CONSTRAINT, PRIMARY, UNIQUE, CHECK, FOREIGN (reserved words: no column has these names).
  [[nodiscard]] constexpr bool starts_table_constraint(std::size_t i) const noexcept {
    if (!kind(i, token_kind::identifier)) return false;
    switch (toks_[i].end - toks_[i].begin) {
      case 5: return is(i, "CHECK");
      case 6: return is(i, "UNIQUE");
      case 7: return is(i, "PRIMARY") || is(i, "FOREIGN");
      case 10: return is(i, "CONSTRAINT");
      default: return false;
    }
  }

  // A column definition in [i, stop) of table t: name, type, column constraints. Returns
  // false when it cannot be read.
  constexpr bool column_definition(std::size_t t, std::size_t i, std::size_t stop,
                                   bool without_rowid) {
    if (i >= stop || !is_name(i)) return false;
    const std::string_view name = name_at(i++);
    const std::size_t type_begin = i;
    while (i < stop && !starts_constraint(i)) {
      i = kind(i, token_kind::lparen) ? close_of(i) + 1 : i + 1;
    }
    const std::string_view declared = i > type_begin ? span(type_begin, i) : std::string_view{};
    bool not_null = false, primary_key = false, descending = false;
    for (; i < stop; ++i) {
      const token& tk = toks_[i];
      if (tk.kind == token_kind::lparen) {
        i = close_of(i);
        continue;
      }
      // The length first: most words are neither, and a call costs in constant evaluation.
      const std::size_t length = tk.end - tk.begin;
      if (tk.kind != token_kind::identifier || (length != 3 && length != 7)) continue;
      if (is(i, "NOT") && is(i + 1, "NULL")) {
        not_null = true;
      } else if (is(i, "PRIMARY") && is(i + 1, "KEY")) {
        primary_key = true;
        descending = is(i + 2, "DESC");
      }
    }
    const declared_family f = family_of_declared(declared);
    ddl_column c{t, column_info{name, f.family, f.known, !not_null}};
    c.integer_declared = iequals(declared, "INTEGER");
    if (primary_key) {
      // INTEGER PRIMARY KEY (but not ... DESC) makes the column the rowid, never NULL; a
      // WITHOUT ROWID table's primary key is NOT NULL; other primary keys allow NULL.
      c.rowid_alias = !without_rowid && !descending && c.integer_declared;
      if (c.rowid_alias || without_rowid) c.info.nullable = false;
    }
    columns_.push(c);
    return true;
  }

  constexpr void create_table(std::size_t i) {
    if (!skip_if_not_exists(i)) return;
    const std::string_view name = qualified_name(i);
    if (name.empty()) return;
    const std::size_t t = add_table(name, false);
    if (!kind(i, token_kind::lparen)) return forget_columns(t);  // AS SELECT, or unreadable
    const std::size_t close = close_of(i);
    if (close >= end_) return forget_columns(t);
    // Table options after the list: WITHOUT ROWID, STRICT.
    bool without_rowid = false;
    for (std::size_t k = close + 1; k < end_; ++k) {
      if (is(k, "WITHOUT") && is(k + 1, "ROWID")) without_rowid = true;
    }
    const std::size_t first_column = columns_.size();
    std::size_t key_begin = end_, key_end = end_;  // PRIMARY KEY (...) table constraint
    for (std::size_t a = i + 1; a < close;) {
      const std::size_t b = next_comma(a, close);
      if (starts_table_constraint(a)) {
        for (std::size_t k = a; k < b; ++k) {
          if (is(k, "PRIMARY") && is(k + 1, "KEY") && kind(k + 2, token_kind::lparen)) {
            key_begin = k + 3;
            key_end = close_of(k + 2);
          }
        }
      } else if (!column_definition(t, a, b, without_rowid)) {
        return forget_columns(t);
      }
      a = b + 1;
    }
    if (key_begin >= end_) return;
    // PRIMARY KEY (a, b): in a WITHOUT ROWID table every key column is NOT NULL; a single
    // INTEGER column of a rowid table is the rowid (DESC included, unlike the column form).
    std::size_t key_columns = 0, last_key = no_column;
    for (std::size_t a = key_begin; a < key_end;) {
      const std::size_t b = next_comma(a, key_end);
      const std::size_t c = is_name(a) ? find_column(t, ddl_name(text(a))) : no_column;
      if (c != no_column && c >= first_column) {
        ++key_columns;
        last_key = c;
        if (without_rowid) columns_[c].info.nullable = false;
      }
      a = b + 1;
    }
    if (!without_rowid && key_columns == 1 && columns_[last_key].integer_declared) {
      columns_[last_key].rowid_alias = true;
      columns_[last_key].info.nullable = false;
    }
  }

  constexpr void alter_table(std::size_t i) {
    const std::size_t t = find_table(qualified_name(i));
    if (t == no_column) return;
    if (is(i, "RENAME") && is(i + 1, "TO") && is_name(i + 2)) {
      tables_[t].name = name_at(i + 2);
      return;
    }
    if (!tables_[t].columns_known) return;
    if (is(i, "RENAME")) {
      ++i;
      if (is(i, "COLUMN")) ++i;
      if (!is_name(i) || !is(i + 1, "TO") || !is_name(i + 2)) return forget_columns(t);
      const std::size_t c = find_column(t, ddl_name(text(i)));
      if (c == no_column) return forget_columns(t);
      forget_views_reading(t, c);
      columns_[c].info.name = name_at(i + 2);
    } else if (is(i, "ADD")) {
      ++i;
      if (is(i, "COLUMN")) ++i;
      forget_views_reading(t, no_column);
      if (!column_definition(t, i, end_, false)) forget_columns(t);
    } else if (is(i, "DROP")) {
      ++i;
      if (is(i, "COLUMN")) ++i;
      const std::size_t c = is_name(i) ? find_column(t, ddl_name(text(i))) : no_column;
      if (c == no_column) return forget_columns(t);
      forget_views_reading(t, c);
      columns_[c].alive = false;
    } else {
      forget_views_reading(t, every_column);
      forget_columns(t);
    }
  }

  // ---- views ----------------------------------------------------------------------------

  [[nodiscard]] constexpr bool ends_from(std::size_t i) const noexcept {
    for (std::string_view w : {"WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "UNION",
                               "INTERSECT", "EXCEPT"}) {
      if (is(i, w)) return true;
    }
    return false;
  }
  [[nodiscard]] constexpr bool join_word(std::size_t i) const noexcept {
    for (std::string_view w : {"JOIN", "LEFT", "RIGHT", "FULL", "INNER", "CROSS", "NATURAL",
                               "OUTER", "ON", "USING", "INDEXED", "NOT"}) {
      if (is(i, w)) return true;
    }
    return false;
  }

  constexpr void create_view(std::size_t i) {
    if (!skip_if_not_exists(i)) return;
    const std::string_view name = qualified_name(i);
    if (name.empty()) return;
    std::size_t list_begin = end_, list_end = end_;
    if (kind(i, token_kind::lparen)) {
      list_begin = i + 1;
      list_end = close_of(i);
      i = list_end + 1;
    }
    ddl_array<ddl_item> items;
    const bool read = is(i, "AS") && select_items(i + 1, items);
    const std::size_t v = add_table(name, true);
    if (!read) return forget_columns(v);
    if (list_begin < end_) {  // the listed names replace the SELECT's
      std::size_t n = 0;
      for (std::size_t a = list_begin; a < list_end; a = next_comma(a, list_end) + 1, ++n) {
        if (n >= items.size() || !is_name(a)) return forget_columns(v);
        items[n].name = name_at(a);
      }
      if (n != items.size()) return forget_columns(v);
    }
    for (std::size_t k = 0; k < items.size(); ++k) {
      for (std::size_t j = 0; j < k; ++j) {
        // SQLite renames a repeated name (`a:1`): not followed.
        if (iequals(items[j].name, items[k].name)) return forget_columns(v);
      }
    }
    for (std::size_t k = 0; k < items.size(); ++k) {
      items[k].info.name = items[k].name;
      ddl_column c{v, items[k].info};
      c.source = items[k].source;
      c.from_star = items[k].from_star;
      columns_.push(c);
    }
  }

  // The result columns of the SELECT at i; false when they cannot be told.
  constexpr bool select_items(std::size_t i, ddl_array<ddl_item>& items) {
    if (!is(i, "SELECT")) return false;  // WITH, VALUES
    ++i;
    if (is(i, "DISTINCT") || is(i, "ALL")) ++i;
    bool compound = false;
    std::size_t from = end_, list_end = end_;
    for (std::size_t k = i; k < end_; k = kind(k, token_kind::lparen) ? close_of(k) + 1 : k + 1) {
      if (is(k, "UNION") || is(k, "INTERSECT") || is(k, "EXCEPT")) compound = true;
      if (list_end == end_ && (is(k, "FROM") || ends_from(k))) {
        list_end = k;
        if (is(k, "FROM")) from = k;
      }
    }
    ddl_array<ddl_source> sources;
    bool merged = false;  // USING or NATURAL: `*` leaves out the merged columns
    if (from < end_ && !from_sources(from + 1, sources, merged)) return false;
    for (std::size_t a = i; a < list_end;) {
      const std::size_t b = next_comma(a, list_end);
      if (!select_item(a, b, sources, merged, items)) return false;
      a = b + 1;
    }
    if (compound) {
      for (std::size_t k = 0; k < items.size(); ++k) items[k].info = column_info{};
    }
    return items.size() > 0;
  }

  constexpr bool from_sources(std::size_t i, ddl_array<ddl_source>& sources, bool& merged) {
    bool nullable_next = false;
    while (i < end_ && !ends_from(i)) {
      ddl_source s{};
      s.nullable = nullable_next;
      if (kind(i, token_kind::lparen)) {  // a subquery or a parenthesised join
        i = close_of(i) + 1;
      } else if (is_name(i)) {
        const std::string_view written = qualified_name(i);
        s.alias = written;
        if (kind(i, token_kind::lparen)) {  // a table-valued function
          i = close_of(i) + 1;
        } else {
          s.table = find_table(written);
          if (s.table != no_column && !tables_[s.table].columns_known) s.table = no_column;
        }
      } else {
        return false;
      }
      if (is(i, "AS")) ++i;
      if (is_name(i) && !join_word(i) && !ends_from(i)) s.alias = name_at(i++);
      sources.push(s);
      // ON ..., USING (...), INDEXED BY x, NOT INDEXED: up to the next join.
      nullable_next = false;
      bool joined = false;
      for (; i < end_ && !ends_from(i); ++i) {
        if (kind(i, token_kind::lparen)) {
          i = close_of(i);
        } else if (kind(i, token_kind::comma)) {
          ++i;
          joined = true;
          break;
        } else if (is(i, "USING") || is(i, "NATURAL")) {
          merged = true;
        } else if (is(i, "LEFT")) {
          nullable_next = true;
        } else if (is(i, "RIGHT") || is(i, "FULL")) {
          for (std::size_t k = 0; k < sources.size(); ++k) sources[k].nullable = true;
          nullable_next = is(i, "FULL");
        } else if (is(i, "JOIN")) {
          ++i;
          joined = true;
          break;
        }
      }
      if (!joined) break;
    }
    return true;
  }

  [[nodiscard]] constexpr std::size_t find_source(const ddl_array<ddl_source>& sources,
                                                  std::string_view name) const noexcept {
    for (std::size_t s = 0; s < sources.size(); ++s) {
      if (iequals(sources[s].alias, name)) return s;
    }
    return no_column;
  }

  constexpr bool expand(const ddl_source& s, ddl_array<ddl_item>& items) {
    if (s.table == no_column) return false;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (!live_column(c) || columns_[c].table != s.table) continue;
      column_info info = columns_[c].info;
      info.nullable = info.nullable || s.nullable;
      items.push(ddl_item{info.name, info, c, true});
    }
    return true;
  }

  constexpr bool select_item(std::size_t a, std::size_t b, const ddl_array<ddl_source>& sources,
                             bool merged, ddl_array<ddl_item>& items) {
    if (a >= b) return false;
    if (b == a + 1 && kind(a, token_kind::star)) {
      if (merged || sources.size() == 0) return false;
      for (std::size_t s = 0; s < sources.size(); ++s) {
        if (!expand(sources[s], items)) return false;
      }
      return true;
    }
    if (b == a + 3 && is_name(a) && kind(a + 1, token_kind::dot) && kind(a + 2, token_kind::star)) {
      const std::size_t s = find_source(sources, ddl_name(text(a)));
      return s != no_column && !merged && expand(sources[s], items);
    }
    // The alias: `expr AS name`; or `expr name` where expr is a column (`c`, `t.c`) or ends
    // with `)` or a literal. Other bare words are not taken for an alias.
    std::size_t expr_end = b;
    std::string_view alias;
    if (b >= a + 3 && is(b - 2, "AS") && is_name(b - 1)) {
      expr_end = b - 2;
      alias = name_at(b - 1);
    } else if (b >= a + 2 && is_name(b - 1) && !kind(b - 1, token_kind::string) &&
               !ends_expression_word(b - 1)) {
      const bool after_column =
          (b == a + 2 && is_name(a) && !ends_expression_word(a)) ||
          (b == a + 4 && is_name(a) && kind(a + 1, token_kind::dot) && is_name(a + 2));
      const bool after_value = kind(b - 2, token_kind::rparen) || kind(b - 2, token_kind::number) ||
                               kind(b - 2, token_kind::string) || kind(b - 2, token_kind::blob);
      if (after_column || after_value) {
        expr_end = b - 1;
        alias = name_at(b - 1);
      }
    }
    ddl_item item{alias, column_info{}, no_column};
    // A plain column: `c` or `t.c` (or `schema.t.c`).
    std::size_t table_token = no_column, column_token = no_column;
    if (expr_end == a + 1 && kind(a, token_kind::identifier)) {
      column_token = a;
    } else if (expr_end == a + 1 && kind(a, token_kind::quoted_identifier)) {
      column_token = a;
    } else if (expr_end == a + 3 && is_name(a) && kind(a + 1, token_kind::dot) && is_name(a + 2)) {
      table_token = a;
      column_token = a + 2;
    } else if (expr_end == a + 5 && is_name(a) && kind(a + 1, token_kind::dot) &&
               is_name(a + 2) && kind(a + 3, token_kind::dot) && is_name(a + 4)) {
      table_token = a + 2;
      column_token = a + 4;
    }
    if (column_token != no_column && !ends_expression_word(column_token)) {
      const std::string_view col = ddl_name(text(column_token));
      std::size_t found = no_column, from = no_column, matches = 0;
      for (std::size_t s = 0; s < sources.size(); ++s) {
        if (table_token != no_column && !iequals(sources[s].alias, ddl_name(text(table_token)))) {
          continue;
        }
        if (sources[s].table == no_column) {
          ++matches;  // may hold the column
          continue;
        }
        const std::size_t c = find_column(sources[s].table, col);
        if (c != no_column) {
          ++matches;
          found = c;
          from = s;
        }
      }
      if (matches == 1 && found != no_column) {
        item.info = columns_[found].info;
        item.info.nullable = item.info.nullable || sources[from].nullable;
        item.source = found;
        if (alias.empty()) item.name = columns_[found].info.name;
      } else if (alias.empty()) {
        item.name = name_at(column_token);
      }
    } else if (alias.empty()) {
      item.name = span(a, expr_end);  // SQLite names an expression by its text
    }
    items.push(item);
    return !item.name.empty();
  }

  [[nodiscard]] constexpr bool ends_expression_word(std::size_t i) const noexcept {
    for (std::string_view w : {"END", "NULL", "NOTNULL", "ISNULL", "TRUE", "FALSE",
                               "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DISTINCT",
                               "ALL", "AND", "OR", "NOT", "IS", "IN", "LIKE", "GLOB", "COLLATE",
                               "ASC", "DESC", "THEN", "ELSE", "CASE", "WHEN"}) {
      if (is(i, w)) return true;
    }
    return false;
  }

  ddl_array<ddl_table> tables_;
  ddl_array<ddl_column> columns_;
  ddl_array<token> toks_;
  std::string_view sql_;
  std::size_t end_ = 0;  // one past the current statement's last token (its `;` excluded)
  bool names_plain_ = true;
};

// ---- whether a mapped table fits a derived one ------------------------------------------

enum class mapping_issue_kind : unsigned char {
  none,
  missing_table,     // the migrations never create the mapped table (or drop it)
  missing_column,    // the table lacks a mapped column
  family,            // a field's family does not fit its column's
  optional_field,    // a std::optional field for a NOT NULL column
  required_field,    // a field that is not std::optional for a nullable column
};

struct mapping_issue {
  mapping_issue_kind kind = mapping_issue_kind::none;
  std::string_view table;
  std::string_view column;
  std::size_t field = 0;
  value_family family{};  // the column's
};

// A field reads and writes its column without loss: the same family, or a bool field on an
// INTEGER column (SQLite stores booleans as the integers 0 and 1,
// https://sqlite.org/datatype3.html#boolean_datatype).
constexpr bool field_fits_column(value_family field, value_family column) noexcept {
  return field == column || (field == value_family::boolean && column == value_family::integer);
}

// Checks a mapping (its table name, and per field its column's name, family and whether the
// field is std::optional) against the derived tables.
// The rowid alias (INTEGER PRIMARY KEY) may be mapped to a std::optional field: inserting NULL
// into it assigns the next rowid.
constexpr mapping_issue check_mapping_fit(const table_info* const* tables,
                                          const std::size_t* rowid_alias, std::size_t table_count,
                                          std::string_view table, const column_info* fields,
                                          std::size_t field_count) noexcept {
  std::size_t t = 0;
  while (t < table_count && !iequals(tables[t]->name, table)) ++t;
  if (t == table_count) return {mapping_issue_kind::missing_table, table, {}, 0, {}};
  const table_info& info = *tables[t];
  if (!info.columns_known) return {};
  for (std::size_t f = 0; f < field_count; ++f) {
    std::size_t c = 0;
    const column_info& v = fields[f];
    while (c < info.column_count && !iequals(info.columns[c].name, v.name)) ++c;
    if (c == info.column_count) return {mapping_issue_kind::missing_column, table, v.name, f, {}};
    const column_info& col = info.columns[c];
    if (v.family_known && col.family_known && !field_fits_column(v.family, col.family)) {
      return {mapping_issue_kind::family, table, v.name, f, col.family};
    }
    if (v.nullable && !col.nullable && rowid_alias[t] != c) {
      return {mapping_issue_kind::optional_field, table, v.name, f, col.family};
    }
    if (!v.nullable && col.nullable) {
      return {mapping_issue_kind::required_field, table, v.name, f, col.family};
    }
  }
  return {};
}

}  // namespace sqlproof::detail
