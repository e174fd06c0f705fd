#pragma once
// Checks a statement's text against the tables it names, where those tables are mapped with
// table_traits: column names, parameter types against the columns they meet, NULL into
// NOT NULL columns, and the result columns against the row type's fields.
//
// The analysis understands the statement forms applications write (SELECT with joins and
// aliases, INSERT ... VALUES with ON CONFLICT DO UPDATE, UPDATE ... SET, DELETE, RETURNING,
// comparisons `col op ?`, IN (?, ...), BETWEEN ? AND ?, LIKE ?). Whatever it does not follow
// (a WITH clause, compound SELECTs, INSERT ... SELECT, UPDATE ... FROM, the inside of
// subqueries, the value of function calls and CASE) it leaves alone: it only reports what it
// is sure of, so valid SQL is never rejected. SQLite itself checks the rest when the
// statement is prepared.
//
// Cost: one non-template constexpr function does the work, so each query costs one constant
// evaluation over its tokens (one tokenizing pass into a transient array, then one walk), and
// no template instantiation beyond small per-type tables.

#include <array>
#include <cstddef>
#include <string_view>

#include "../value.hpp"
#include "sql_lexer.hpp"
#include "sql_shape.hpp"

namespace sqlproof::detail {

// ---- what the analysis is told about the C++ side -------------------------------------

struct column_info {
  std::string_view name;
  value_family family{};
  bool family_known = false;
  bool nullable = false;
};

struct table_info {
  std::string_view name;
  const column_info* columns = nullptr;
  std::size_t column_count = 0;
  // False for a table whose columns are not known (DDL the schema derivation does not
  // follow): the table exists, nothing about its columns is checked.
  bool columns_known = true;
};

// A declared parameter or a row field.
struct value_info {
  value_family family{};
  bool family_known = false;
  bool nullable = false;
};

struct schema_input {
  std::string_view sql;
  const table_info* const* tables = nullptr;
  std::size_t table_count = 0;
  const value_info* params = nullptr;
  std::size_t param_count = 0;
  const value_info* fields = nullptr;  // the row's fields
  std::size_t field_count = 0;
  const std::string_view* field_names = nullptr;
  bool has_fields = false;       // false for a void row
  bool has_field_names = false;  // where the row type is mapped
  // True when `tables` lists every table the database has (a schema derived from the
  // migrations): a table name it does not list is then a mistake.
  bool complete = false;
};

// Pointers into the static tables above are never compared with nullptr: GCC 12 refuses that
// comparison in a constant expression for variables with internal linkage (row types in an
// anonymous namespace). Flags and indices say what is present instead.

// ---- what it reports ------------------------------------------------------------------

enum class schema_issue_kind : unsigned char {
  none,
  unknown_column,           // a column its mapped table does not have
  parameter_type,           // a parameter's type does not fit its column
  optional_into_not_null,   // std::optional parameter inserted into / assigned to NOT NULL
  result_name,              // result column i is named differently from row field i
  result_type,              // result column's family does not fit row field i
  nullable_into_required,   // nullable column read into a non-optional field
  star_width,               // `*` / `t.*` expands to a different number of columns
};

struct schema_issue {
  schema_issue_kind kind = schema_issue_kind::none;
  std::size_t token_begin = 0;  // the offending token in the SQL text
  std::size_t token_end = 0;
  std::string_view table;       // the table the column belongs to (or was looked up in)
  std::string_view column;      // the column concerned
  std::string_view hint;        // closest existing name, or the expected field name
  std::size_t index = 0;        // parameter or field position, from 0
  std::size_t count = 0;        // for star_width: columns in SQL
  value_family family{};        // the column's family (parameter_type, result_type)
};

// ---- SQLite keywords ------------------------------------------------------------------
// https://sqlite.org/lang_keywords.html. Only the ones the analysis steers by get their own
// id; the rest are `other`. A keyword is never taken for a column name (SQLite lets some
// keywords name columns; such a column is then simply not checked).

enum class kw : unsigned char {
  none, other,
  all_, and_, as_, between_, by_, case_, collate_, conflict_, cross_, default_, delete_,
  distinct_, do_, end_, escape_, except_, exists_, filter_, from_, full_, glob_, group_,
  having_, in_, indexed_, inner_, insert_, intersect_, into_, is_, isnull_, join_, left_,
  like_, limit_, match_, natural_, not_, nothing_, notnull_, null_, offset_, on_, or_,
  order_, outer_, over_, current_date_, current_time_, current_timestamp_,
  regexp_, replace_, returning_, right_, select_, set_, union_, update_, using_, values_,
  where_, window_, with_,
};

struct keyword_entry {
  std::string_view text;
  kw id;
};

// Ordered by length: a lookup scans only the words of the token's length (keyword_ranges).
inline constexpr keyword_entry sqlite_keywords[] = {
    {"AS", kw::as_}, {"BY", kw::by_}, {"DO", kw::do_}, {"IF", kw::other}, {"IN", kw::in_},
    {"IS", kw::is_}, {"NO", kw::other}, {"OF", kw::other}, {"ON", kw::on_}, {"OR", kw::or_},
    {"TO", kw::other},
    {"ADD", kw::other}, {"ALL", kw::all_}, {"AND", kw::and_}, {"ASC", kw::other},
    {"END", kw::end_}, {"FOR", kw::other}, {"KEY", kw::other}, {"NOT", kw::not_},
    {"ROW", kw::other}, {"SET", kw::set_},
    {"CASE", kw::case_}, {"CAST", kw::other}, {"DESC", kw::other}, {"DROP", kw::other},
    {"EACH", kw::other}, {"ELSE", kw::other}, {"FAIL", kw::other}, {"FROM", kw::from_},
    {"FULL", kw::full_}, {"GLOB", kw::glob_}, {"INTO", kw::into_}, {"JOIN", kw::join_},
    {"LAST", kw::other}, {"LEFT", kw::left_}, {"LIKE", kw::like_}, {"NULL", kw::null_},
    {"OVER", kw::over_}, {"PLAN", kw::other}, {"ROWS", kw::other}, {"TEMP", kw::other},
    {"THEN", kw::other}, {"TIES", kw::other}, {"VIEW", kw::other}, {"WHEN", kw::other},
    {"WITH", kw::with_},
    {"ABORT", kw::other}, {"AFTER", kw::other}, {"ALTER", kw::other}, {"BEGIN", kw::other},
    {"CHECK", kw::other}, {"CROSS", kw::cross_}, {"FIRST", kw::other},
    {"GROUP", kw::group_}, {"INDEX", kw::other}, {"INNER", kw::inner_},
    {"LIMIT", kw::limit_}, {"MATCH", kw::match_}, {"NULLS", kw::other},
    {"ORDER", kw::order_}, {"OUTER", kw::outer_}, {"QUERY", kw::other},
    {"RAISE", kw::other}, {"RANGE", kw::other}, {"RIGHT", kw::right_},
    {"TABLE", kw::other}, {"UNION", kw::union_}, {"USING", kw::using_},
    {"WHERE", kw::where_},
    {"ACTION", kw::other}, {"ALWAYS", kw::other}, {"ATTACH", kw::other},
    {"BEFORE", kw::other}, {"COLUMN", kw::other}, {"COMMIT", kw::other},
    {"CREATE", kw::other}, {"DELETE", kw::delete_}, {"DETACH", kw::other},
    {"ESCAPE", kw::escape_}, {"EXCEPT", kw::except_}, {"EXISTS", kw::exists_},
    {"FILTER", kw::filter_}, {"GROUPS", kw::other}, {"HAVING", kw::having_},
    {"IGNORE", kw::other}, {"INSERT", kw::insert_}, {"ISNULL", kw::isnull_},
    {"OFFSET", kw::offset_}, {"OTHERS", kw::other}, {"PRAGMA", kw::other},
    {"REGEXP", kw::regexp_}, {"RENAME", kw::other}, {"SELECT", kw::select_},
    {"UNIQUE", kw::other}, {"UPDATE", kw::update_}, {"VACUUM", kw::other},
    {"VALUES", kw::values_}, {"WINDOW", kw::window_},
    {"ANALYZE", kw::other}, {"BETWEEN", kw::between_}, {"CASCADE", kw::other}, {"COLLATE", kw::collate_},
    {"CURRENT", kw::other}, {"DEFAULT", kw::default_}, {"EXCLUDE", kw::other},
    {"EXPLAIN", kw::other}, {"FOREIGN", kw::other}, {"INDEXED", kw::indexed_},
    {"INSTEAD", kw::other}, {"NATURAL", kw::natural_}, {"NOTHING", kw::nothing_},
    {"NOTNULL", kw::notnull_}, {"PRIMARY", kw::other}, {"REINDEX", kw::other},
    {"RELEASE", kw::other}, {"REPLACE", kw::replace_}, {"TRIGGER", kw::other},
    {"VIRTUAL", kw::other}, {"WITHOUT", kw::other},
    {"CONFLICT", kw::conflict_}, {"DATABASE", kw::other}, {"DEFERRED", kw::other},
    {"DISTINCT", kw::distinct_}, {"RESTRICT", kw::other}, {"ROLLBACK", kw::other},
    {"EXCLUSIVE", kw::other}, {"FOLLOWING", kw::other}, {"GENERATED", kw::other},
    {"IMMEDIATE", kw::other}, {"INITIALLY", kw::other}, {"INTERSECT", kw::intersect_},
    {"PARTITION", kw::other}, {"PRECEDING", kw::other}, {"RECURSIVE", kw::other},
    {"RETURNING", kw::returning_}, {"SAVEPOINT", kw::other}, {"TEMPORARY", kw::other},
    {"UNBOUNDED", kw::other},
    {"DEFERRABLE", kw::other}, {"REFERENCES", kw::other},
    {"CONSTRAINT", kw::other}, {"TRANSACTION", kw::other},
    {"CURRENT_DATE", kw::current_date_}, {"CURRENT_TIME", kw::current_time_}, {"MATERIALIZED", kw::other},
    {"AUTOINCREMENT", kw::other},
    {"CURRENT_TIMESTAMP", kw::current_timestamp_},
};

// [first, last) of the entries of each length, computed once.
struct keyword_range {
  std::size_t first = 0;
  std::size_t last = 0;
};
inline constexpr auto keyword_ranges = [] {
  std::array<keyword_range, 18> out{};
  constexpr std::size_t n = sizeof(sqlite_keywords) / sizeof(sqlite_keywords[0]);
  for (std::size_t i = 0; i < n; ++i) {
    keyword_range& r = out[sqlite_keywords[i].text.size()];
    if (r.last == 0) r.first = i;
    r.last = i + 1;
  }
  return out;
}();

constexpr kw keyword_of(std::string_view word) noexcept {
  if (word.size() < 2 || word.size() > 17) return kw::none;
  const char first = ascii_lower(word[0]);
  const keyword_range r = keyword_ranges[word.size()];
  for (std::size_t i = r.first; i < r.last; ++i) {
    const std::string_view k = sqlite_keywords[i].text;
    if (ascii_lower(k[0]) == first && iequals(k, word)) return sqlite_keywords[i].id;
  }
  return kw::none;
}

// ---- tokens ---------------------------------------------------------------------------

struct schema_token {
  token_kind kind = token_kind::end;
  kw word = kw::none;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t match = 0;  // for '(' the index of its ')', for ')' its '('
  std::size_t param = static_cast<std::size_t>(-1);  // placeholders: the declared parameter
};

constexpr bool is_name_token(const schema_token& t) noexcept {
  return (t.kind == token_kind::identifier && t.word == kw::none) ||
         t.kind == token_kind::quoted_identifier;
}

// Keywords an expression can end with (`CASE ... END`, `NULL`, `x IS NULL`, `x NOTNULL`,
// `CURRENT_TIMESTAMP`): a name right after one is the result column's alias.
constexpr bool ends_expression(const schema_token& t) noexcept {
  return t.word == kw::end_ || t.word == kw::null_ || t.word == kw::isnull_ ||
         t.word == kw::notnull_ || t.word == kw::current_date_ || t.word == kw::current_time_ ||
         t.word == kw::current_timestamp_;
}

// The name a (possibly quoted) identifier token spells, without quotes. A quoted name that
// holds a quote character (`"a""b"`, `` `"x"` ``, `[a"b]`) is returned with its quotes, as
// written: same_name reads it (a bare name never starts with a quote).
constexpr std::string_view name_of(std::string_view sql, const schema_token& t) noexcept {
  std::string_view s = sql.substr(t.begin, t.end - t.begin);
  if (t.kind != token_kind::quoted_identifier || s.size() < 2) return s;
  const std::string_view inner = s.substr(1, s.size() - 2);
  for (char c : inner) {
    if (c == '"' || c == '`') return s;
  }
  return inner;
}

// Whether `written` (a name from the SQL, as name_of returns it) names `plain` (a name from
// the C++ side): case-insensitively, and in a quoted name a doubled quote stands for one.
constexpr bool same_name(std::string_view plain, std::string_view written) noexcept {
  char quote = 0;
  if (!written.empty() && (written[0] == '"' || written[0] == '`' || written[0] == '[')) {
    if (written.size() < 2) return false;
    quote = written[0] == '[' ? char(0) : written[0];
    written = written.substr(1, written.size() - 2);
  }
  std::size_t i = 0, j = 0;
  for (; i < plain.size() && j < written.size(); ++i) {
    if (ascii_lower(plain[i]) != ascii_lower(written[j])) return false;
    j += quote != 0 && written[j] == quote ? 2 : 1;
  }
  return i == plain.size() && j == written.size();
}

// ---- the analysis ---------------------------------------------------------------------

// Edit distance, case-insensitive: picks the "did you mean" name.
constexpr std::size_t name_distance(std::string_view a, std::string_view b) noexcept {
  if (a.size() > 63 || b.size() > 63) return 1000;
  std::size_t row[64]{};
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
      std::size_t best = diagonal + cost;
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diagonal = above;
    }
  }
  return row[b.size()];
}

class schema_analysis {
 public:
  constexpr explicit schema_analysis(const schema_input& in) : in_(in) {}
  constexpr ~schema_analysis() { delete[] toks_; }
  schema_analysis(const schema_analysis&) = delete;
  schema_analysis& operator=(const schema_analysis&) = delete;

  constexpr schema_issue run() {
    if (!tokenize()) return {};
    std::size_t i = 0;
    while (i < n_ && toks_[i].kind == token_kind::semicolon) ++i;
    if (i >= n_) return {};
    switch (toks_[i].word) {
      case kw::select_: select_statement(i); break;
      case kw::insert_:
      case kw::replace_: insert_statement(i); break;
      case kw::update_: update_statement(i); break;
      case kw::delete_: delete_statement(i); break;
      default: break;  // WITH, VALUES, PRAGMA, DDL ...: not followed
    }
    return issue_;
  }

 private:
  static constexpr std::size_t max_sources = 16;
  static constexpr std::size_t max_aliases = 64;
  static constexpr std::size_t max_names = 64;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  struct source {
    std::string_view name;   // table name as written
    std::string_view alias;  // empty when none
    const table_info* table = nullptr;  // valid when `mapped`
    bool mapped = false;     // false: not mapped, a subquery or a table-valued function
    bool nullable = false;   // right side of a LEFT JOIN (left side of RIGHT JOIN)
  };

  struct column_hit {
    const column_info* column = nullptr;  // valid when `found`
    const source* from = nullptr;
    bool found = false;
  };

  // --- tokens ---

  constexpr bool tokenize() {
    std::size_t count = 0;
    for (lexer lx{in_.sql}; !lx.done(); lx.advance()) {
      if (lx.current().kind == token_kind::error) return false;
      ++count;
    }
    toks_ = new schema_token[count + 1];
    n_ = count;
    std::size_t stack[128]{};
    std::size_t depth = 0;
    std::size_t k = 0;
    for (lexer lx{in_.sql}; !lx.done(); lx.advance(), ++k) {
      const token& t = lx.current();
      schema_token& s = toks_[k];
      s.kind = t.kind;
      s.begin = t.begin;
      s.end = t.end;
      s.match = npos;
      if (t.kind == token_kind::identifier) s.word = keyword_of(lx.text());
      if (t.kind == token_kind::lparen) {
        if (depth == 128) return false;
        stack[depth++] = k;
      } else if (t.kind == token_kind::rparen) {
        if (depth == 0) return false;
        s.match = stack[--depth];
        toks_[s.match].match = k;
      }
    }
    toks_[n_] = schema_token{token_kind::end, kw::none, in_.sql.size(), in_.sql.size(), npos};
    return depth == 0;
  }

  constexpr const schema_token& tok(std::size_t i) const noexcept { return toks_[i < n_ ? i : n_]; }
  constexpr bool is(std::size_t i, kw w) const noexcept { return i < n_ && toks_[i].word == w; }
  constexpr bool is(std::size_t i, token_kind k) const noexcept { return i < n_ && toks_[i].kind == k; }
  constexpr std::string_view text(std::size_t i) const noexcept {
    return in_.sql.substr(tok(i).begin, tok(i).end - tok(i).begin);
  }
  constexpr std::string_view name(std::size_t i) const noexcept { return name_of(in_.sql, tok(i)); }
  constexpr bool failed() const noexcept { return issue_.kind != schema_issue_kind::none; }

  // First index in [i, end) at parenthesis depth 0 (relative to i) whose keyword satisfies
  // `stop`, or `end`.
  template <class Stop>
  constexpr std::size_t find_depth0(std::size_t i, std::size_t end, Stop stop) const {
    while (i < end) {
      const schema_token& t = toks_[i];
      if (t.kind == token_kind::semicolon) return i;
      if (t.kind == token_kind::lparen) {
        i = t.match + 1;
        continue;
      }
      if (t.kind == token_kind::rparen) return i;  // end of an enclosing group
      if (stop(t)) return i;
      ++i;
    }
    return end;
  }

  constexpr std::size_t statement_end() const noexcept {
    std::size_t i = 0;
    while (i < n_ && toks_[i].kind == token_kind::semicolon) ++i;
    while (i < n_ && toks_[i].kind != token_kind::semicolon) {
      i = toks_[i].kind == token_kind::lparen ? toks_[i].match + 1 : i + 1;
    }
    return i;
  }

  // --- placeholders: which declared parameter each one binds ---

  constexpr std::size_t parameter_of(std::size_t i) {
    const std::string_view p = text(i);
    if (p == "?") return next_index_++;
    if (p[0] == '?') {
      const std::size_t n = parse_number(p.substr(1));
      if (n > next_index_) next_index_ = n;
      return n - 1;
    }
    if (is_numbered_name(p.substr(1))) return parse_number(p.substr(1)) - 1;  // $N: parameter N
    for (std::size_t k = 0; k < name_count_; ++k) {
      if (names_[k] == p) return name_index_[k];
    }
    if (name_count_ < max_names) {
      names_[name_count_] = p;
      name_index_[name_count_++] = next_index_;
    }
    return next_index_++;
  }

  // Numbers the placeholders in [b, e) without looking at anything else.
  constexpr void number_only(std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      if (toks_[i].kind == token_kind::placeholder) number(i);
    }
  }

  // --- scope: the tables a statement reads ---

  constexpr std::size_t find_table(std::string_view name) const noexcept {
    for (std::size_t k = 0; k < in_.table_count; ++k) {
      if (same_name(in_.tables[k]->name, name)) return k;
    }
    return npos;
  }

  constexpr bool add_source(std::string_view table, std::string_view alias, bool opaque) {
    if (source_count_ == max_sources) return false;
    source& s = sources_[source_count_++];
    s.name = table;
    s.alias = alias;
    const std::size_t k = opaque ? npos : find_table(table);
    s.mapped = k != npos;
    if (s.mapped) s.table = in_.tables[k];
    if (!s.mapped) any_unmapped_ = true;
    return true;
  }

  static constexpr std::size_t find_column(const table_info& t, std::string_view c) noexcept {
    for (std::size_t k = 0; k < t.column_count; ++k) {
      if (same_name(t.columns[k].name, c)) return k;
    }
    return npos;
  }
  static constexpr column_hit hit(const source& s, std::size_t k) noexcept {
    return {&s.table->columns[k], &s, true};
  }

  static constexpr bool is_implicit_column(std::string_view c) noexcept {
    return iequals(c, "rowid") || iequals(c, "oid") || iequals(c, "_rowid_") ||
           iequals(c, "true") || iequals(c, "false");
  }

  constexpr bool is_result_alias(std::string_view c) const noexcept {
    for (std::size_t k = 0; k < alias_count_; ++k) {
      if (iequals(aliases_[k], c)) return true;
    }
    return false;
  }

  constexpr const source* find_source(std::string_view qualifier) const noexcept {
    for (std::size_t k = 0; k < source_count_; ++k) {
      const source& s = sources_[k];
      if (s.alias.empty() ? iequals(s.name, qualifier) : iequals(s.alias, qualifier)) return &s;
    }
    if (excluded_ != nullptr && iequals(qualifier, "excluded")) return excluded_;
    return nullptr;
  }

  constexpr void unknown_column(std::size_t at, const table_info& t, std::string_view c) {
    std::string_view best;
    std::size_t best_distance = 1000;
    for (std::size_t k = 0; k < t.column_count; ++k) {
      const std::size_t d = name_distance(c, t.columns[k].name);
      if (d < best_distance) {
        best_distance = d;
        best = t.columns[k].name;
      }
    }
    issue_.kind = schema_issue_kind::unknown_column;
    issue_.token_begin = tok(at).begin;
    issue_.token_end = tok(at).end;
    issue_.table = t.name;
    issue_.column = c;
    issue_.hint = best;
  }

  // Resolves the column reference whose name token is `at` (qualified by token `qualifier`
  // when that is not npos). Reports an unknown column only when sure.
  constexpr column_hit resolve(std::size_t qualifier, std::size_t at) {
    const std::string_view c = name(at);
    const bool double_quoted = tok(at).kind == token_kind::quoted_identifier && text(at)[0] == '"';
    if (qualifier != npos) {
      const source* s = find_source(name(qualifier));
      if (s == nullptr || !s->mapped) return {};
      if (const std::size_t k = find_column(*s->table, c); k != npos) return hit(*s, k);
      if (!is_implicit_column(c) && !double_quoted) unknown_column(at, *s->table, c);
      return {};
    }
    for (std::size_t k = 0; k < source_count_; ++k) {
      if (!sources_[k].mapped) continue;
      if (const std::size_t j = find_column(*sources_[k].table, c); j != npos) {
        return hit(sources_[k], j);
      }
    }
    // Not a column of any mapped source: an error only when every source is mapped and the
    // name is not a result alias, an implicit column, or a double-quoted string (SQLite reads
    // "x" as a string literal when no column x exists).
    if (any_unmapped_ || source_count_ == 0 || double_quoted || is_implicit_column(c) ||
        is_result_alias(c)) {
      return {};
    }
    const table_info* best_table = sources_[0].table;
    std::size_t best_distance = 1000;
    for (std::size_t k = 0; k < source_count_; ++k) {
      const table_info& t = *sources_[k].table;
      for (std::size_t j = 0; j < t.column_count; ++j) {
        const std::size_t d = name_distance(c, t.columns[j].name);
        if (d < best_distance) {
          best_distance = d;
          best_table = &t;
        }
      }
    }
    unknown_column(at, *best_table, c);
    return {};
  }

  // --- expressions ---

  static constexpr bool is_comparison_op(std::string_view op) noexcept {
    return op == "=" || op == "==" || op == "!=" || op == "<>" || op == "<" || op == "<=" ||
           op == ">" || op == ">=";
  }

  // A token before which an operand starts a new comparison: `(`, `,`, a keyword that
  // binds more loosely than comparisons (WHERE, AND, OR, NOT, ON, WHEN, ...).
  constexpr bool opens_operand(std::size_t i, std::size_t b) const noexcept {
    if (i + 1 == b || i == npos) return true;  // start of the range
    const schema_token& t = toks_[i];
    if (t.kind == token_kind::lparen || t.kind == token_kind::comma) return true;
    return t.kind == token_kind::identifier && t.word != kw::none && t.word != kw::collate_ &&
           t.word != kw::escape_;
  }
  constexpr bool closes_operand(std::size_t i, std::size_t e) const noexcept {
    if (i >= e) return true;
    const schema_token& t = toks_[i];
    if (t.kind == token_kind::rparen || t.kind == token_kind::comma ||
        t.kind == token_kind::semicolon || t.kind == token_kind::end) {
      return true;
    }
    return t.kind == token_kind::identifier && t.word != kw::none;
  }

  // Where a column reference ending at token `last` starts (npos when `last` ends none).
  constexpr std::size_t colref_start(std::size_t last) const noexcept {
    if (last == npos || last >= n_ || !is_name_token(toks_[last])) return npos;
    if (last >= 2 && toks_[last - 1].kind == token_kind::dot && is_name_token(toks_[last - 2])) {
      if (last >= 3 && toks_[last - 3].kind == token_kind::dot) return npos;  // schema.t.c
      return last - 2;
    }
    if (last >= 1 && toks_[last - 1].kind == token_kind::dot) return npos;
    return last;
  }
  // Where a column reference starting at `first` ends (npos when none starts there).
  constexpr std::size_t colref_end(std::size_t first) const noexcept {
    if (first >= n_ || !is_name_token(toks_[first])) return npos;
    if (is(first + 1, token_kind::lparen)) return npos;  // a function call
    if (is(first + 1, token_kind::dot)) {
      if (!is_name_token(tok(first + 2)) || is(first + 3, token_kind::dot) ||
          is(first + 3, token_kind::lparen)) {
        return npos;
      }
      return first + 2;
    }
    return first;
  }
  constexpr column_hit hit_of(std::size_t first, std::size_t last) {
    return resolve(first == last ? npos : first, last);
  }

  constexpr void param_issue(schema_issue_kind kind, std::size_t at, std::size_t param,
                             const column_hit& c) {
    issue_.kind = kind;
    issue_.token_begin = tok(at).begin;
    issue_.token_end = tok(at).end;
    issue_.table = c.from != nullptr && c.from->mapped ? c.from->table->name : std::string_view{};
    issue_.column = c.column->name;
    issue_.family = c.column->family;
    issue_.index = param;
  }

  static constexpr bool numeric(value_family f) noexcept {
    return f == value_family::integer || f == value_family::real || f == value_family::boolean;
  }
  // A value of family `from` stored into (or read into) family `to` without loss.
  static constexpr bool stores_into(value_family from, value_family to) noexcept {
    return from == to || (from == value_family::integer && to == value_family::real) ||
           (from == value_family::boolean && to == value_family::integer);
  }

  // A parameter compared with a column: numbers compare with numbers.
  constexpr void check_compared(std::size_t at, const column_hit& c) {
    const std::size_t p = parameter_of_cached(at);
    if (!c.found || p >= in_.param_count || failed()) return;
    const value_info& v = in_.params[p];
    if (!v.family_known || !c.column->family_known) return;
    const value_family pf = v.family;
    const value_family cf = c.column->family;
    if (pf == cf || (numeric(pf) && numeric(cf))) return;
    param_issue(schema_issue_kind::parameter_type, at, p, c);
  }

  // A parameter inserted into or assigned to a column.
  constexpr void check_stored(std::size_t at, const column_hit& c) {
    const std::size_t p = parameter_of_cached(at);
    if (!c.found || p >= in_.param_count || failed()) return;
    const value_info& v = in_.params[p];
    if (v.family_known && c.column->family_known && !stores_into(v.family, c.column->family)) {
      param_issue(schema_issue_kind::parameter_type, at, p, c);
    } else if (v.nullable && !c.column->nullable) {
      param_issue(schema_issue_kind::optional_into_not_null, at, p, c);
    }
  }

  // Placeholders are numbered once, in text order, as the walk reaches them.
  constexpr std::size_t parameter_of_cached(std::size_t at) const noexcept { return tok(at).param; }
  constexpr void number(std::size_t at) { toks_[at].param = parameter_of(at); }

  // The comparison (if any) that placeholder `i` takes part in, inside the range [b, e).
  constexpr void check_placeholder_context(std::size_t i, std::size_t b, std::size_t e) {
    // col op ?   /   col NOT LIKE ?   /   col IS NOT ?
    std::size_t op = i - 1;
    if (i > b && closes_operand(i + 1, e)) {
      std::size_t before = op;
      bool ok = false;
      if (tok(op).kind == token_kind::op && is_comparison_op(text(op))) {
        ok = true;
      } else if (is(op, kw::like_) || is(op, kw::glob_) || is(op, kw::is_) ||
                 is(op, kw::regexp_) || is(op, kw::match_)) {
        ok = true;
      } else if (is(op, kw::not_) && op > b && (is(op - 1, kw::is_))) {
        ok = true;
        before = op - 1;
      }
      if (ok && before > b) {
        std::size_t last = before - 1;
        if (is(before, kw::like_) || is(before, kw::glob_) || is(before, kw::regexp_) ||
            is(before, kw::match_)) {
          if (is(last, kw::not_)) --last;
        }
        const std::size_t first = colref_start(last);
        if (first != npos && first >= b && opens_operand(first - 1, b) &&
            colref_end(first) == last) {
          check_compared(i, hit_of(first, last));
          return;
        }
      }
    }
    // ? op col
    if (opens_operand(i - 1, b) && tok(i + 1).kind == token_kind::op &&
        is_comparison_op(text(i + 1))) {
      const std::size_t last = colref_end(i + 2);
      if (last != npos && last < e && closes_operand(last + 1, e)) {
        check_compared(i, hit_of(i + 2, last));
        return;
      }
    }
    // col [NOT] BETWEEN ? AND ?
    std::size_t between = npos;
    if (is(i - 1, kw::between_) && closes_operand(i + 1, e) && is(i + 1, kw::and_)) {
      between = i - 1;
    } else if (i >= b + 3 && is(i - 1, kw::and_) && is(i - 3, kw::between_) &&
               tok(i - 2).kind == token_kind::placeholder && closes_operand(i + 1, e)) {
      between = i - 3;
    }
    if (between != npos && between > b) {
      std::size_t last = is(between - 1, kw::not_) ? between - 2 : between - 1;
      const std::size_t first = colref_start(last);
      if (first != npos && first >= b && opens_operand(first - 1, b)) {
        check_compared(i, hit_of(first, last));
        return;
      }
    }
    // col [NOT] IN (?, ?, ...)
    if ((is(i - 1, token_kind::lparen) || is(i - 1, token_kind::comma)) &&
        (is(i + 1, token_kind::rparen) || is(i + 1, token_kind::comma))) {
      std::size_t open = i - 1;
      while (open > b && !is(open, token_kind::lparen)) {
        if (!(is(open, token_kind::comma) || is(open, token_kind::placeholder))) return;
        --open;
      }
      if (!is(open, token_kind::lparen) || open <= b || !is(open - 1, kw::in_)) return;
      std::size_t last = is(open - 2, kw::not_) ? open - 3 : open - 2;
      const std::size_t first = colref_start(last);
      if (first != npos && first >= b && opens_operand(first - 1, b)) {
        check_compared(i, hit_of(first, last));
      }
    }
  }

  // Walks the expression tokens [b, e): checks column names, numbers placeholders and checks
  // the comparisons they take part in. Subqueries are skipped (their placeholders numbered).
  constexpr void walk(std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e && !failed(); ++i) {
      const schema_token& t = toks_[i];
      if (t.kind == token_kind::lparen) {
        if (is(i + 1, kw::select_) || is(i + 1, kw::values_) || is(i + 1, kw::with_)) {
          number_only(i + 1, t.match);
          i = t.match;
        }
        continue;
      }
      if (t.kind == token_kind::placeholder) {
        number(i);
        check_placeholder_context(i, b, e);
        continue;
      }
      if (!is_name_token(t)) continue;
      // Not a column: a function name, an alias, a collation, a window name, a type in CAST.
      if (is(i + 1, token_kind::lparen)) continue;
      // A window's name where it is defined (`WINDOW w1 AS (...), w2 AS (...)`).
      if (is(i + 1, kw::as_) && is(i + 2, token_kind::lparen)) continue;
      if (i > 0) {
        const schema_token& p = toks_[i - 1];
        if (p.word == kw::as_ || p.word == kw::collate_ || p.word == kw::over_ ||
            p.word == kw::window_ || (p.word == kw::by_ && i > 1 && is(i - 2, kw::indexed_))) {
          continue;
        }
        // The base window opening a window definition: `OVER (w ORDER BY x)`,
        // `WINDOW w2 AS (w1 ...)`.
        if (p.kind == token_kind::lparen && i > 1 && (is(i - 2, kw::over_) || is(i - 2, kw::as_))) {
          continue;
        }
        // `x [NOT] IN table` names a table (or `schema.table`).
        if (p.word == kw::in_) {
          while (is(i + 1, token_kind::dot) && is_name_token(tok(i + 2))) i += 2;
          continue;
        }
        if (i > b && (is_name_token(p) || p.kind == token_kind::string ||
                      p.kind == token_kind::number || p.kind == token_kind::blob ||
                      p.kind == token_kind::rparen || p.kind == token_kind::placeholder ||
                      ends_expression(p))) {
          continue;  // `expr alias`
        }
      }
      const std::size_t last = colref_end(i);
      if (last == npos) {
        // schema.table.column or name.(...): skip the whole dotted name
        while (is(i + 1, token_kind::dot) && is_name_token(tok(i + 2))) i += 2;
        continue;
      }
      hit_of(i, last);
      i = last;
    }
  }

  // --- result columns (SELECT list, RETURNING) against the row's fields ---

  constexpr void result_issue(schema_issue_kind kind, std::size_t at, std::size_t field,
                              std::string_view column, std::string_view hint,
                              std::string_view table) {
    issue_.kind = kind;
    issue_.token_begin = tok(at).begin;
    issue_.token_end = tok(at).end;
    issue_.index = field;
    issue_.column = column;
    issue_.hint = hint;
    issue_.table = table;
  }

  constexpr void check_field(std::size_t at, std::size_t field, std::string_view result_name,
                             bool has_col, const column_info* col, bool nullable_source,
                             std::string_view table) {
    if (failed() || field >= in_.field_count) return;
    if (in_.has_field_names && !result_name.empty() &&
        !same_name(in_.field_names[field], result_name)) {
      result_issue(schema_issue_kind::result_name, at, field, result_name,
                   in_.field_names[field], table);
      return;
    }
    if (!has_col) return;
    const value_info& f = in_.fields[field];
    if (f.family_known && col->family_known && !stores_into(col->family, f.family)) {
      result_issue(schema_issue_kind::result_type, at, field, col->name, {}, table);
      issue_.family = col->family;
    } else if ((col->nullable || nullable_source) && !f.nullable) {
      result_issue(schema_issue_kind::nullable_into_required, at, field, col->name, {}, table);
    }
  }

  constexpr bool expand_star(std::size_t at, const source& s, std::size_t& field) {
    if (!s.mapped) return false;
    for (std::size_t k = 0; k < s.table->column_count; ++k) {
      const column_info& c = s.table->columns[k];
      check_field(at, field++, c.name, true, &c, s.nullable, s.table->name);
    }
    return true;
  }

  // Records the aliases of a result list [b, e) so WHERE/ORDER BY may name them.
  constexpr void collect_aliases(std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      if (toks_[i].kind == token_kind::lparen) {
        i = toks_[i].match;
        continue;
      }
      const bool item_end = i + 1 == e || is(i + 1, token_kind::comma);
      if (!item_end || !is_name_token(toks_[i]) || alias_count_ == max_aliases) continue;
      const schema_token& p = tok(i - 1);
      if (i > b && (p.word == kw::as_ || is_name_token(p) || p.kind == token_kind::rparen ||
                    p.kind == token_kind::string || p.kind == token_kind::number ||
                    ends_expression(p))) {
        if (!(is(i - 1, token_kind::dot))) aliases_[alias_count_++] = name(i);
      }
    }
  }

  // Checks a result list [b, e): names, types, `*` expansion; walks each item. After an
  // item whose width is unknown (`*` over an unmapped source) positions are unknown, so
  // later items are walked but not compared with fields.
  constexpr void result_list(std::size_t b, std::size_t e) {
    std::size_t field = 0;
    bool positions_known = in_.has_fields;
    std::size_t star_at = npos;
    std::size_t i = b;
    while (i < e && !failed()) {
      std::size_t item_end = i;
      while (item_end < e && !is(item_end, token_kind::comma)) {
        item_end = is(item_end, token_kind::lparen) ? tok(item_end).match + 1 : item_end + 1;
      }
      if (item_end == i + 1 && is(i, token_kind::star)) {  // *
        star_at = i;
        for (std::size_t k = 0; k < source_count_; ++k) {
          if (!sources_[k].mapped) positions_known = false;
        }
        if (source_count_ == 0 || merged_columns_) positions_known = false;
        for (std::size_t k = 0; k < source_count_ && positions_known; ++k) {
          expand_star(i, sources_[k], field);
        }
      } else if (item_end == i + 3 && is(i + 1, token_kind::dot) &&
                 is(i + 2, token_kind::star)) {  // t.*
        star_at = i + 2;
        const source* s = find_source(name(i));
        if (s == nullptr || !s->mapped) positions_known = false;
        if (positions_known) expand_star(i, *s, field);
      } else {
        walk(i, item_end);
        if (failed()) return;
        // colref [[AS] alias]
        std::size_t last = colref_end(i);
        std::size_t alias_at = npos;
        if (last != npos && last + 1 != item_end) {
          if (last + 2 == item_end && is_name_token(tok(last + 1))) {
            alias_at = last + 1;
          } else if (last + 3 == item_end && is(last + 1, kw::as_) &&
                     is_name_token(tok(last + 2))) {
            alias_at = last + 2;
          } else {
            last = npos;
          }
        }
        if (!positions_known) {
          // nothing to compare with
        } else if (last != npos) {
          const column_hit h = hit_of(i, last);
          check_field(alias_at != npos ? alias_at : last, field,
                      alias_at != npos ? name(alias_at) : name(last), h.found, h.column,
                      h.found && h.from->nullable,
                      h.found ? h.from->table->name : std::string_view{});
        } else if (item_end >= i + 2 && is_name_token(tok(item_end - 1)) &&
                   (is(item_end - 2, kw::as_) || is_name_token(tok(item_end - 2)) ||
                    is(item_end - 2, token_kind::rparen) || ends_expression(tok(item_end - 2)))) {
          // expression [AS] alias: the name is known, the type is not
          check_field(item_end - 1, field, name(item_end - 1), false, nullptr, false, {});
        }
        ++field;
      }
      i = item_end + 1;
    }
    if (!failed() && positions_known && star_at != npos && field != in_.field_count) {
      issue_.kind = schema_issue_kind::star_width;
      issue_.token_begin = tok(star_at).begin;
      issue_.token_end = tok(star_at).end;
      issue_.count = field;
      issue_.index = in_.field_count;
    }
  }

  // --- statements ---

  static constexpr bool ends_from(const schema_token& t) noexcept {
    return t.word == kw::where_ || t.word == kw::group_ || t.word == kw::having_ ||
           t.word == kw::order_ || t.word == kw::limit_ || t.word == kw::window_ ||
           t.word == kw::union_ || t.word == kw::intersect_ || t.word == kw::except_ ||
           t.word == kw::returning_;
  }
  static constexpr bool is_join_word(const schema_token& t) noexcept {
    return t.word == kw::join_ || t.word == kw::left_ || t.word == kw::right_ ||
           t.word == kw::full_ || t.word == kw::inner_ || t.word == kw::cross_ ||
           t.word == kw::natural_ || t.word == kw::outer_;
  }

  // Reads `name [AS] alias` / `(subquery) alias` / `func(...) alias` at i; returns the index
  // after it (and after any INDEXED BY / NOT INDEXED).
  constexpr std::size_t table_reference(std::size_t i, bool nullable) {
    std::string_view table;
    bool opaque = false;
    if (is(i, token_kind::lparen)) {
      opaque = true;
      i = tok(i).match + 1;
    } else if (is_name_token(tok(i))) {
      table = name(i);
      if (is(i + 1, token_kind::dot)) {  // schema.table: may be another database's table
        opaque = true;
        i += 2;
      }
      ++i;
      if (is(i, token_kind::lparen)) {  // table-valued function
        opaque = true;
        i = tok(i).match + 1;
      }
    } else {
      return npos;
    }
    std::string_view alias;
    if (is(i, kw::as_) && is_name_token(tok(i + 1))) {
      alias = name(i + 1);
      i += 2;
    } else if (is_name_token(tok(i))) {
      alias = name(i);
      ++i;
    }
    if (is(i, kw::indexed_)) {
      i += 3;
    } else if (is(i, kw::not_) && is(i + 1, kw::indexed_)) {
      i += 2;
    }
    if (!add_source(table, alias, opaque)) return npos;
    sources_[source_count_ - 1].nullable = nullable;
    return i;
  }

  // Walks the FROM clause [b, e) whose sources collect_sources has read: the ON conditions
  // are checked, the rest only has its placeholders numbered (in text order).
  constexpr void from_clause(std::size_t b, std::size_t e) {
    std::size_t at = b;
    for (std::size_t k = 0; k < on_count_ && !failed(); ++k) {
      number_only(at, on_begin_[k]);
      walk(on_begin_[k], on_end_[k]);
      at = on_end_[k];
    }
    number_only(at, e);
  }

  constexpr void select_statement(std::size_t i) {
    const std::size_t end = statement_end();
    // Compound SELECTs are not followed.
    if (find_depth0(i, end, [](const schema_token& t) {
          return t.word == kw::union_ || t.word == kw::intersect_ || t.word == kw::except_;
        }) != end) {
      return;
    }
    std::size_t list = i + 1;
    if (is(list, kw::distinct_) || is(list, kw::all_)) ++list;
    const std::size_t from = select_list_end(list, end);
    std::size_t from_end = from;
    if (is(from, kw::from_)) {
      from_end = find_depth0(from + 1, end, ends_from);
      // Sources first: the list names them. Placeholders are still numbered in text order.
      if (!collect_sources(from + 1, from_end)) return;
    }
    collect_aliases(list, from);
    result_list(list, from);
    if (failed()) return;
    if (is(from, kw::from_)) from_clause(from + 1, from_end);
    walk(from_end, end);
  }

  // Where the SELECT list starting at `list` ends: as sql_shape's ends_select_list reads it,
  // FROM after DISTINCT belongs to `a IS [NOT] DISTINCT FROM b`, and WINDOW starts a clause
  // only before `name AS` (elsewhere it is a name).
  constexpr std::size_t select_list_end(std::size_t list, std::size_t end) const {
    std::size_t at = list;
    while (true) {
      at = find_depth0(at, end, [](const schema_token& t) {
        return t.word == kw::from_ || ends_from(t);
      });
      if (at >= end || !is(at, token_kind::identifier)) return at;
      const bool distinct_from = is(at, kw::from_) && at > list && is(at - 1, kw::distinct_);
      const bool window_name =
          is(at, kw::window_) &&
          !((tok(at + 1).kind == token_kind::identifier ||
             tok(at + 1).kind == token_kind::quoted_identifier ||
             tok(at + 1).kind == token_kind::string) &&
            is(at + 2, kw::as_));
      if (!distinct_from && !window_name) return at;
      ++at;
    }
  }

  // The sources of a FROM clause without walking anything (see select_statement).
  constexpr bool collect_sources(std::size_t b, std::size_t e) {
    std::size_t i = b;
    while (i < e) {
      bool left = false, right = false;
      while (i < e && (is(i, token_kind::comma) || is_join_word(tok(i)))) {
        if (is(i, kw::left_)) left = true;
        if (is(i, kw::right_)) right = true;
        if (is(i, kw::full_)) left = right = true;
        if (is(i, kw::natural_)) merged_columns_ = true;
        ++i;
      }
      if (right) {
        for (std::size_t k = 0; k < source_count_; ++k) sources_[k].nullable = true;
      }
      i = table_reference(i, left);
      if (i == npos || i > e) return false;
      if (is(i, kw::on_)) {
        const std::size_t cond = i + 1;
        i = find_depth0(cond, e, [](const schema_token& t) {
          return is_join_word(t) || t.kind == token_kind::comma;
        });
        if (on_count_ == max_sources) return false;
        on_begin_[on_count_] = cond;
        on_end_[on_count_++] = i;
      } else if (is(i, kw::using_) && is(i + 1, token_kind::lparen)) {
        merged_columns_ = true;
        i = tok(i + 1).match + 1;
      }
      if (i < e && !is(i, token_kind::comma) && !is_join_word(tok(i))) return false;
    }
    return true;
  }

  // `table [[AS] alias]` after INSERT INTO / UPDATE / DELETE FROM; the only source.
  constexpr std::size_t target_table(std::size_t i) {
    if (!is_name_token(tok(i))) return npos;
    if (is(i + 1, token_kind::dot)) return npos;  // schema.table
    std::string_view alias;
    std::size_t next = i + 1;
    if (is(next, kw::as_) && is_name_token(tok(next + 1))) {
      alias = name(next + 1);
      next += 2;
    } else if (is_name_token(tok(next))) {
      alias = name(next);
      ++next;
    }
    if (is(next, kw::indexed_)) {
      next += 3;
    } else if (is(next, kw::not_) && is(next + 1, kw::indexed_)) {
      next += 2;
    }
    add_source(name(i), alias, false);
    return next;
  }

  // `col = expr, ...` in [b, e): a placeholder assigned directly is checked as stored.
  constexpr void assignments(std::size_t b, std::size_t e) {
    std::size_t i = b;
    while (i < e && !failed()) {
      std::size_t item_end = i;
      while (item_end < e && !is(item_end, token_kind::comma)) {
        item_end = is(item_end, token_kind::lparen) ? tok(item_end).match + 1 : item_end + 1;
      }
      const bool named = is(i, token_kind::identifier) || is(i, token_kind::quoted_identifier);
      if (named && tok(i + 1).kind == token_kind::op && text(i + 1) == "=") {
        column_hit target{};
        if (sources_[0].mapped) {
          const std::size_t k = find_column(*sources_[0].table, name(i));
          if (k != npos) {
            target = hit(sources_[0], k);
          } else if (!is_implicit_column(name(i))) {
            unknown_column(i, *sources_[0].table, name(i));
            return;
          }
        }
        if (item_end == i + 3 && is(i + 2, token_kind::placeholder)) {
          number(i + 2);
          check_stored(i + 2, target);
        } else {
          walk(i + 2, item_end);
        }
      } else {
        walk(i, item_end);  // (a, b) = (...) and the like: names only
      }
      i = item_end + 1;
    }
  }

  constexpr void returning(std::size_t at, std::size_t end) {
    if (!is(at, kw::returning_) || failed()) return;
    collect_aliases(at + 1, end);
    result_list(at + 1, end);
  }

  constexpr void insert_statement(std::size_t i) {
    const std::size_t end = statement_end();
    ++i;
    if (is(i, kw::or_)) i += 2;
    if (!is(i, kw::into_)) return;
    const std::size_t next = target_table(i + 1);
    if (next == npos) return;
    const source& target = sources_[0];
    // The column list, or every mapped column in field order: the column index per value.
    std::size_t targets[max_names]{};
    std::size_t col_count = 0;
    i = next;
    if (is(i, token_kind::lparen)) {
      // One name per item (a keyword may name a column here: the position is what counts).
      for (std::size_t k = i + 1; k < tok(i).match; k += 2) {
        const bool named = is(k, token_kind::identifier) || is(k, token_kind::quoted_identifier);
        if (!named || col_count == max_names ||
            !(is(k + 1, token_kind::comma) || k + 1 == tok(i).match)) {
          return;
        }
        targets[col_count] = target.mapped ? find_column(*target.table, name(k)) : npos;
        if (target.mapped && targets[col_count] == npos && !is_implicit_column(name(k))) {
          unknown_column(k, *target.table, name(k));
          return;
        }
        ++col_count;
      }
      i = tok(i).match + 1;
    } else if (target.mapped) {
      for (std::size_t k = 0; k < target.table->column_count && k < max_names; ++k) {
        targets[col_count++] = k;
      }
    }
    if (is(i, kw::default_)) {
      i += 2;
    } else if (is(i, kw::values_)) {
      ++i;
      while (is(i, token_kind::lparen) && !failed()) {
        const std::size_t close = tok(i).match;
        std::size_t item = i + 1;
        std::size_t k = 0;
        while (item < close && !failed()) {
          std::size_t item_end = item;
          while (item_end < close && !is(item_end, token_kind::comma)) {
            item_end = is(item_end, token_kind::lparen) ? tok(item_end).match + 1 : item_end + 1;
          }
          if (item_end == item + 1 && is(item, token_kind::placeholder)) {
            number(item);
            if (k < col_count && targets[k] != npos) check_stored(item, hit(target, targets[k]));
          } else {
            number_only(item, item_end);  // VALUES cannot name columns
          }
          ++k;
          item = item_end + 1;
        }
        i = close + 1;
        if (is(i, token_kind::comma)) ++i;
      }
    } else {
      return;  // INSERT ... SELECT: not followed
    }
    // ON CONFLICT [(cols) [WHERE ...]] DO NOTHING | DO UPDATE SET ... [WHERE ...]
    while (is(i, kw::on_) && is(i + 1, kw::conflict_) && !failed()) {
      i += 2;
      if (is(i, token_kind::lparen)) {
        walk(i, tok(i).match + 1);
        i = tok(i).match + 1;
      }
      if (is(i, kw::where_)) {
        const std::size_t w = find_depth0(i + 1, end, [](const schema_token& x) {
          return x.word == kw::do_;
        });
        walk(i + 1, w);
        i = w;
      }
      if (!is(i, kw::do_)) return;
      if (is(i + 1, kw::nothing_)) {
        i += 2;
        continue;
      }
      if (!is(i + 1, kw::update_) || !is(i + 2, kw::set_)) return;
      source excluded = sources_[0];
      excluded.alias = "excluded";
      excluded_ = &excluded;
      const std::size_t set_end = find_depth0(i + 3, end, [](const schema_token& x) {
        return x.word == kw::where_ || x.word == kw::returning_ || x.word == kw::on_;
      });
      assignments(i + 3, set_end);
      i = set_end;
      if (is(i, kw::where_)) {
        const std::size_t w = find_depth0(i + 1, end, [](const schema_token& x) {
          return x.word == kw::returning_ || x.word == kw::on_;
        });
        walk(i + 1, w);
        i = w;
      }
      excluded_ = nullptr;
    }
    returning(i, end);
  }

  constexpr void update_statement(std::size_t i) {
    const std::size_t end = statement_end();
    ++i;
    if (is(i, kw::or_)) i += 2;
    i = target_table(i);
    if (i == npos || !is(i, kw::set_)) return;
    const std::size_t set_end = find_depth0(i + 1, end, [](const schema_token& t) {
      return t.word == kw::from_ || t.word == kw::where_ || t.word == kw::returning_ ||
             t.word == kw::order_ || t.word == kw::limit_;
    });
    if (is(set_end, kw::from_)) return;  // UPDATE ... FROM: not followed
    assignments(i + 1, set_end);
    const std::size_t ret = find_depth0(set_end, end, [](const schema_token& t) {
      return t.word == kw::returning_;
    });
    walk(set_end, ret);
    returning(ret, end);
  }

  constexpr void delete_statement(std::size_t i) {
    const std::size_t end = statement_end();
    if (!is(i + 1, kw::from_)) return;
    i = target_table(i + 2);
    if (i == npos) return;
    const std::size_t ret = find_depth0(i, end, [](const schema_token& t) {
      return t.word == kw::returning_;
    });
    walk(i, ret);
    if (failed()) return;
    const std::size_t after = find_depth0(ret + 1, end, [](const schema_token& t) {
      return t.word == kw::order_ || t.word == kw::limit_;
    });
    returning(ret, after);
    walk(after, end);
  }

  const schema_input& in_;
  schema_token* toks_ = nullptr;
  std::size_t n_ = 0;
  schema_issue issue_{};

  source sources_[max_sources]{};
  std::size_t source_count_ = 0;
  bool any_unmapped_ = false;
  bool merged_columns_ = false;  // NATURAL JOIN or USING: `*` lists shared columns once
  const source* excluded_ = nullptr;

  std::string_view aliases_[max_aliases]{};
  std::size_t alias_count_ = 0;

  std::size_t next_index_ = 0;
  std::string_view names_[max_names]{};
  std::size_t name_index_[max_names]{};
  std::size_t name_count_ = 0;
  std::size_t on_begin_[max_sources]{};
  std::size_t on_end_[max_sources]{};
  std::size_t on_count_ = 0;
};

// The first mistake the statement makes against the mapped tables, or kind none.
constexpr schema_issue analyse_against_schema(const schema_input& in) {
  schema_analysis a(in);
  return a.run();
}

}  // namespace sqlproof::detail
