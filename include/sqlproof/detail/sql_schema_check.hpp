#pragma once
// Checks a statement's text against the tables it names, where those tables are known (mapped
// with table_traits, or derived from the migrations): column and table names, parameter types
// against the columns they meet, NULL into NOT NULL columns, and the result columns against
// the row type's fields.
//
// The analysis resolves names the way SQLite does: each SELECT is a scope that sees its own
// FROM and then the scopes around it (subqueries, correlated or not); CTEs and subqueries in
// FROM are tables of their result columns; compound SELECTs are checked branch by branch;
// INSERT ... SELECT and UPDATE ... FROM are followed. Whatever it does not follow (the value
// of most functions, CASE, CAST; tables whose columns are unknown) it leaves alone: it only
// reports what it is sure of, so valid SQL is never rejected. SQLite itself checks the rest
// when the statement is prepared.
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

// string_view literals for the words compared: see sql_lexer.hpp.
using std::literals::string_view_literals::operator""sv;

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
  unknown_table,            // a table a complete schema does not have
  ambiguous_column,         // an unqualified column two tables of one FROM have
  compound_width,           // a compound SELECT's branches differ in width
  insert_width,             // INSERT: values per row differ from the columns listed
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
  where_, window_, with_, recursive_, materialized_,
};

// What a keyword may also be (parse.y's %fallback ID): `col`, SQLite lets it name a column or
// a table (a qualifier, an alias); `col_end`, also an expression may end with it when it
// names a column, so a name that follows it is an alias (`key total`). BY, MATCH, LIKE, GLOB,
// REGEXP, OFFSET and CAST are `col` only: an operand follows them. Written out rather than
// computed from word lists, which cost every translation unit 0.45 G compiler instructions;
// tests/unit/sql_keyword_test.cpp checks the table against those lists.
enum keyword_flag : unsigned char {
  names_column = 1,
  may_end = 2,
};
inline constexpr unsigned char col = names_column;
inline constexpr unsigned char col_end = names_column | may_end;

struct keyword_entry {
  std::string_view text;
  kw id;
  unsigned char flags = 0;
};

// Looked up through keyword_index, by length and first letter.
// Variable templates, like schema_analysis, so that the table is built only in files that
// check a query against tables: 0.04 G compiler instructions (g++ 12 -O2) in every other one.
template <class Unused = void>
inline constexpr keyword_entry sqlite_keywords[] = {
    {"AS"sv, kw::as_},
    {"BY"sv, kw::by_, col},
    {"DO"sv, kw::do_, col_end},
    {"IF"sv, kw::other, col_end},
    {"IN"sv, kw::in_},
    {"IS"sv, kw::is_},
    {"NO"sv, kw::other, col_end},
    {"OF"sv, kw::other, col_end},
    {"ON"sv, kw::on_},
    {"OR"sv, kw::or_},
    {"TO"sv, kw::other},
    {"ADD"sv, kw::other},
    {"ALL"sv, kw::all_},
    {"AND"sv, kw::and_},
    {"ASC"sv, kw::other, col_end},
    {"END"sv, kw::end_, col_end},
    {"FOR"sv, kw::other, col_end},
    {"KEY"sv, kw::other, col_end},
    {"NOT"sv, kw::not_},
    {"ROW"sv, kw::other, col_end},
    {"SET"sv, kw::set_},
    {"CASE"sv, kw::case_},
    {"CAST"sv, kw::other, col},
    {"DESC"sv, kw::other, col_end},
    {"DROP"sv, kw::other},
    {"EACH"sv, kw::other, col_end},
    {"ELSE"sv, kw::other},
    {"FAIL"sv, kw::other, col_end},
    {"FROM"sv, kw::from_},
    {"FULL"sv, kw::full_},
    {"GLOB"sv, kw::glob_, col},
    {"INTO"sv, kw::into_},
    {"JOIN"sv, kw::join_},
    {"LAST"sv, kw::other, col_end},
    {"LEFT"sv, kw::left_},
    {"LIKE"sv, kw::like_, col},
    {"NULL"sv, kw::null_},
    {"OVER"sv, kw::over_, col_end},
    {"PLAN"sv, kw::other, col_end},
    {"ROWS"sv, kw::other, col_end},
    {"TEMP"sv, kw::other, col_end},
    {"THEN"sv, kw::other},
    {"TIES"sv, kw::other, col_end},
    {"VIEW"sv, kw::other, col_end},
    {"WHEN"sv, kw::other},
    {"WITH"sv, kw::with_, col_end},
    {"ABORT"sv, kw::other, col_end},
    {"AFTER"sv, kw::other, col_end},
    {"ALTER"sv, kw::other},
    {"BEGIN"sv, kw::other, col_end},
    {"CHECK"sv, kw::other},
    {"CROSS"sv, kw::cross_},
    {"FIRST"sv, kw::other, col_end},
    {"GROUP"sv, kw::group_},
    {"INDEX"sv, kw::other},
    {"INNER"sv, kw::inner_},
    {"LIMIT"sv, kw::limit_},
    {"MATCH"sv, kw::match_, col},
    {"NULLS"sv, kw::other, col_end},
    {"ORDER"sv, kw::order_},
    {"OUTER"sv, kw::outer_},
    {"QUERY"sv, kw::other, col_end},
    {"RAISE"sv, kw::other, col_end},
    {"RANGE"sv, kw::other, col_end},
    {"RIGHT"sv, kw::right_},
    {"TABLE"sv, kw::other},
    {"UNION"sv, kw::union_},
    {"USING"sv, kw::using_},
    {"WHERE"sv, kw::where_},
    {"ACTION"sv, kw::other, col_end},
    {"ALWAYS"sv, kw::other, col_end},
    {"ATTACH"sv, kw::other, col_end},
    {"BEFORE"sv, kw::other, col_end},
    {"COLUMN"sv, kw::other, col_end},
    {"COMMIT"sv, kw::other},
    {"CREATE"sv, kw::other},
    {"DELETE"sv, kw::delete_},
    {"DETACH"sv, kw::other, col_end},
    {"ESCAPE"sv, kw::escape_},
    {"EXCEPT"sv, kw::except_},
    {"EXISTS"sv, kw::exists_},
    {"FILTER"sv, kw::filter_, col_end},
    {"GROUPS"sv, kw::other, col_end},
    {"HAVING"sv, kw::having_},
    {"IGNORE"sv, kw::other, col_end},
    {"INSERT"sv, kw::insert_},
    {"ISNULL"sv, kw::isnull_},
    {"OFFSET"sv, kw::offset_, col},
    {"OTHERS"sv, kw::other, col_end},
    {"PRAGMA"sv, kw::other, col_end},
    {"REGEXP"sv, kw::regexp_, col},
    {"RENAME"sv, kw::other, col_end},
    {"SELECT"sv, kw::select_},
    {"UNIQUE"sv, kw::other},
    {"UPDATE"sv, kw::update_},
    {"VACUUM"sv, kw::other, col_end},
    {"VALUES"sv, kw::values_},
    {"WINDOW"sv, kw::window_, col_end},
    {"ANALYZE"sv, kw::other, col_end},
    {"BETWEEN"sv, kw::between_},
    {"CASCADE"sv, kw::other, col_end},
    {"COLLATE"sv, kw::collate_},
    {"CURRENT"sv, kw::other, col_end},
    {"DEFAULT"sv, kw::default_},
    {"EXCLUDE"sv, kw::other, col_end},
    {"EXPLAIN"sv, kw::other, col_end},
    {"FOREIGN"sv, kw::other},
    {"INDEXED"sv, kw::indexed_},
    {"INSTEAD"sv, kw::other, col_end},
    {"NATURAL"sv, kw::natural_},
    {"NOTHING"sv, kw::nothing_},
    {"NOTNULL"sv, kw::notnull_},
    {"PRIMARY"sv, kw::other},
    {"REINDEX"sv, kw::other, col_end},
    {"RELEASE"sv, kw::other, col_end},
    {"REPLACE"sv, kw::replace_, col_end},
    {"TRIGGER"sv, kw::other, col_end},
    {"VIRTUAL"sv, kw::other, col_end},
    {"WITHOUT"sv, kw::other, col_end},
    {"CONFLICT"sv, kw::conflict_, col_end},
    {"DATABASE"sv, kw::other, col_end},
    {"DEFERRED"sv, kw::other, col_end},
    {"DISTINCT"sv, kw::distinct_},
    {"RESTRICT"sv, kw::other, col_end},
    {"ROLLBACK"sv, kw::other},
    {"EXCLUSIVE"sv, kw::other, col_end},
    {"FOLLOWING"sv, kw::other, col_end},
    {"GENERATED"sv, kw::other, col_end},
    {"IMMEDIATE"sv, kw::other, col_end},
    {"INITIALLY"sv, kw::other, col_end},
    {"INTERSECT"sv, kw::intersect_},
    {"PARTITION"sv, kw::other, col_end},
    {"PRECEDING"sv, kw::other, col_end},
    {"RECURSIVE"sv, kw::recursive_, col_end},
    {"RETURNING"sv, kw::returning_},
    {"SAVEPOINT"sv, kw::other, col_end},
    {"TEMPORARY"sv, kw::other},
    {"UNBOUNDED"sv, kw::other, col_end},
    {"DEFERRABLE"sv, kw::other},
    {"REFERENCES"sv, kw::other},
    {"CONSTRAINT"sv, kw::other},
    {"TRANSACTION"sv, kw::other},
    {"CURRENT_DATE"sv, kw::current_date_, col_end},
    {"CURRENT_TIME"sv, kw::current_time_, col_end},
    {"MATERIALIZED"sv, kw::materialized_, col_end},
    {"AUTOINCREMENT"sv, kw::other},
    {"CURRENT_TIMESTAMP"sv, kw::current_timestamp_, col_end},
};

struct keyword_match {
  kw id = kw::none;
  unsigned char flags = 0;
};

// The entries grouped by length and first letter, computed once: a lookup compares the token
// with the one or two words of its bucket instead of every word of its length. Clang's
// constant evaluator makes each comparison cost far more than GCC's does, and every
// identifier of every query checked against tables is looked up (docs/performance.md,
// change 11).
inline constexpr std::size_t keyword_max_length = 17;
template <std::size_t N>
struct keyword_buckets {
  // entries order[start[b]] .. order[start[b + 1] - 1] have length b / 26 and first letter
  // 'a' + b % 26
  std::size_t start[(keyword_max_length + 1) * 26 + 1]{};
  std::size_t order[N]{};
};
constexpr std::size_t keyword_bucket(std::size_t length, char first) noexcept {
  return length * 26 + static_cast<std::size_t>(ascii_lower(first) - 'a');
}
template <class Unused = void>
inline constexpr auto keyword_index = [] {
  constexpr std::size_t n = sizeof(sqlite_keywords<Unused>) / sizeof(sqlite_keywords<Unused>[0]);
  keyword_buckets<n> out{};
  std::size_t fill[sizeof out.start / sizeof out.start[0]]{};
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view t = sqlite_keywords<Unused>[i].text;
    ++out.start[keyword_bucket(t.size(), t[0]) + 1];
  }
  for (std::size_t b = 1; b < sizeof out.start / sizeof out.start[0]; ++b) {
    out.start[b] += out.start[b - 1];
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view t = sqlite_keywords<Unused>[i].text;
    const std::size_t b = keyword_bucket(t.size(), t[0]);
    out.order[out.start[b] + fill[b]++] = i;
  }
  return out;
}();

template <class Unused = void>
constexpr keyword_match keyword_lookup(std::string_view word) noexcept {
  const std::size_t size = word.size();
  if (size < 2 || size > keyword_max_length) return {};
  const char first = ascii_lower(word.data()[0]);
  if (first < 'a' || first > 'z') return {};  // every keyword starts with a letter
  const auto& index = keyword_index<Unused>;
  const std::size_t b = keyword_bucket(size, first);
  for (std::size_t j = index.start[b]; j < index.start[b + 1]; ++j) {
    const keyword_entry& e = sqlite_keywords<Unused>[index.order[j]];
    if (iequals(e.text, word)) return {e.id, e.flags};
  }
  return {};
}

// ---- tokens ---------------------------------------------------------------------------

// No default member initialisers: tokenize writes every token whole, and an array of
// tokens that initialise themselves costs the compiler for every element (GCC: ~0.17 M
// instructions each).
struct schema_token {
  token_kind kind;
  kw word;
  std::size_t begin;
  std::size_t end;
  std::size_t match;    // for '(' the index of its ')', for ')' its '('
  std::size_t param;    // placeholders: the declared parameter
  unsigned char flags;  // keywords: keyword_flag bits
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

// A class template only so that its member functions are checked and compiled where a query
// is checked against tables, not in every file that reads this header: about 0.06 G compiler
// instructions (g++ 12 -O2) in each file that includes database.hpp.
template <class Unused = void>
class schema_analysis {
 public:
  constexpr explicit schema_analysis(const schema_input& in) : in_(in) {}
  constexpr ~schema_analysis() {
    delete[] toks_;
    delete[] derived_;
    delete[] derived_columns_;
  }
  schema_analysis(const schema_analysis&) = delete;
  schema_analysis& operator=(const schema_analysis&) = delete;

  constexpr schema_issue run() {
    if (!tokenize()) return {};
    std::size_t i = 0;
    while (i < n_ && toks_[i].kind == token_kind::semicolon) ++i;
    if (i >= n_) return {};
    statement(i, statement_end(), true);
    return issue_;
  }

 private:
  static constexpr std::size_t max_sources = 32;
  static constexpr std::size_t max_scopes = 16;
  static constexpr std::size_t max_aliases = 64;
  static constexpr std::size_t max_names = 64;
  static constexpr std::size_t max_derived = 16;           // CTEs and subqueries in FROM
  static constexpr std::size_t max_derived_columns = 256;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // How a SELECT list is compared with the row's fields: not at all (a subquery, a CTE), by
  // name and type (the statement's result, or a compound's first branch), or by type only
  // (a compound's later branches: the names come from the first).
  enum class fields_mode : unsigned char { none, names_and_types, types };

  struct source {
    std::string_view name;   // table name as written
    std::string_view alias;  // empty when none
    const table_info* table = nullptr;  // valid when `mapped`
    bool mapped = false;     // its columns are known (a mapped, derived or CTE table)
    bool nullable = false;   // right side of a LEFT JOIN (left side of RIGHT JOIN)
  };

  struct column_hit {
    const column_info* column = nullptr;  // valid when `found`
    const source* from = nullptr;
    bool found = false;
  };

  // What the analysis knows of an expression's value: its family and whether it can be NULL.
  struct value_type {
    column_info column{};     // family, family_known, nullable
    const source* from = nullptr;
    bool known = false;       // false: nothing is known (no check)
  };

  // --- tokens ---

  // One pass of the lexer: every token holds at least one character, so the text's length
  // bounds their number (a pass to count them first cost as much as the rest of tokenize).
  constexpr bool tokenize() {
    toks_ = new schema_token[in_.sql.size() + 1];
    std::size_t stack[128]{};
    std::size_t depth = 0;
    std::size_t k = 0;
    for (lexer lx{in_.sql}; !lx.done(); lx.advance(), ++k) {
      const token& t = lx.current();
      if (t.kind == token_kind::error) return false;
      n_ = k + 1;
      const keyword_match m =
          t.kind == token_kind::identifier ? keyword_lookup<Unused>(lx.text()) : keyword_match{};
      toks_[k] = schema_token{t.kind, m.id, t.begin, t.end, npos, npos, m.flags};
      schema_token& s = toks_[k];
      if (t.kind == token_kind::lparen) {
        if (depth == 128) return false;
        stack[depth++] = k;
      } else if (t.kind == token_kind::rparen) {
        if (depth == 0) return false;
        s.match = stack[--depth];
        toks_[s.match].match = k;
      } else if (t.kind == token_kind::placeholder) {
        // Numbered in text order, once: SQLite numbers `?` by position in the text, and the
        // walk below visits clauses in another order (FROM before the SELECT list).
        s.param = parameter_of(k);
      }
    }
    toks_[n_] =
        schema_token{token_kind::end, kw::none, in_.sql.size(), in_.sql.size(), npos, npos, 0};
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
  constexpr bool starts_select(std::size_t i) const noexcept {
    return is(i, kw::select_) || is(i, kw::values_) || is(i, kw::with_);
  }

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

  // End of the list item starting at i (the comma or `e` after it).
  constexpr std::size_t item_end(std::size_t i, std::size_t e) const noexcept {
    while (i < e && !is(i, token_kind::comma)) {
      i = is(i, token_kind::lparen) ? tok(i).match + 1 : i + 1;
    }
    return i;
  }

  // --- placeholders: which declared parameter each one binds ---

  constexpr std::size_t parameter_of(std::size_t i) {
    const std::string_view p = text(i);
    if (p == "?"sv) return next_index_++;
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
  constexpr std::size_t parameter_at(std::size_t at) const noexcept { return tok(at).param; }

  // --- tables: the schema's, and those the statement defines (CTEs, subqueries in FROM) ---

  // Tables every SQLite database has, eponymous virtual tables, and the migrator's own
  // tables (sqlproof_migrations ...): never unknown.
  static constexpr bool builtin_table(std::string_view t) noexcept {
    const auto prefixed = [&](std::string_view p) {
      return t.size() >= p.size() && iequals(t.substr(0, p.size()), p);
    };
    return prefixed("sqlite_") || prefixed("pragma_") || prefixed("sqlproof_") ||
           iequals(t, "json_each") ||
           iequals(t, "json_tree") || iequals(t, "dbstat") || iequals(t, "generate_series") ||
           iequals(t, "carray");
  }

  // The table a name means: a CTE first, then the schema's. A flag says whether one was
  // found (a pointer into the schema's static tables is never compared with nullptr: see
  // above).
  struct table_lookup {
    const table_info* table = nullptr;
    bool found = false;
  };
  constexpr table_lookup lookup_table(std::string_view name) const noexcept {
    for (std::size_t k = cte_count_; k-- > 0;) {
      if (same_name(ctes_[k].name, name)) return {&derived_[ctes_[k].table], true};
    }
    for (std::size_t k = 0; k < in_.table_count; ++k) {
      if (same_name(in_.tables[k]->name, name)) return {in_.tables[k], true};
    }
    return {};
  }

  constexpr void unknown_table(std::size_t at, std::string_view table) {
    std::string_view best;
    std::size_t best_distance = 1000;
    for (std::size_t k = 0; k < in_.table_count; ++k) {
      const std::size_t d = name_distance(table, in_.tables[k]->name);
      if (d < best_distance) {
        best_distance = d;
        best = in_.tables[k]->name;
      }
    }
    issue_.kind = schema_issue_kind::unknown_table;
    issue_.token_begin = tok(at).begin;
    issue_.token_end = tok(at).end;
    issue_.table = table;
    issue_.hint = best;
  }

  // A table the statement defines; its columns are filled by record_column.
  constexpr table_info* new_derived(std::string_view name) {
    if (derived_ == nullptr) {  // allocated when a statement first defines a table
      derived_ = new table_info[max_derived];
      derived_columns_ = new column_info[max_derived_columns];
    }
    if (derived_count_ == max_derived) return nullptr;
    table_info& t = derived_[derived_count_++];
    t = table_info{name, derived_columns_ + derived_column_count_, 0, true};
    return &t;
  }
  // Adds a column to the table being recorded (the last one new_derived made).
  constexpr void record_column(table_info* t, const column_info& c) {
    if (t == nullptr || !t->columns_known) return;
    if (t->column_count == 0) t->columns = derived_columns_ + derived_column_count_;
    if (derived_column_count_ == max_derived_columns ||
        t->columns + t->column_count != derived_columns_ + derived_column_count_) {
      t->columns_known = false;  // out of room, or another table was recorded meanwhile
      return;
    }
    derived_columns_[derived_column_count_++] = c;
    ++t->column_count;
  }

  constexpr bool add_source(std::size_t at, std::string_view table, std::string_view alias,
                            bool opaque) {
    if (source_count_ == max_sources) return false;
    source& s = sources_[source_count_++];
    s = source{table, alias, nullptr, false, false};
    if (opaque) return true;
    if (const table_lookup t = lookup_table(table); t.found) {
      s.table = t.table;
      s.mapped = t.table->columns_known;
    } else if (in_.complete && !builtin_table(table)) {
      unknown_table(at, table);
    }
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

  // The source a qualifier names, innermost scope first.
  constexpr const source* find_source(std::string_view qualifier) const noexcept {
    for (std::size_t k = source_count_; k-- > 0;) {
      const source& s = sources_[k];
      if (s.alias.empty() ? same_name(s.name, qualifier) : same_name(s.alias, qualifier)) return &s;
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

  // --- scopes: a SELECT sees its own FROM, then the FROMs of the statements around it ---

  struct scope_state {
    std::size_t sources, aliases, ons, scopes;
  };
  constexpr scope_state open_scope() {
    const scope_state saved{source_count_, alias_count_, on_count_, scope_count_};
    if (scope_count_ < max_scopes) {
      scope_begin_[scope_count_] = source_count_;
      merged_[scope_count_] = false;
      ++scope_count_;
    } else {
      gave_up_ = true;  // deeper than followed: nothing more is reported
    }
    return saved;
  }
  constexpr void close_scope(const scope_state& s) {
    source_count_ = s.sources;
    alias_count_ = s.aliases;
    on_count_ = s.ons;
    scope_count_ = s.scopes;
  }
  constexpr std::size_t scope_end(std::size_t d) const noexcept {
    return d + 1 == scope_count_ ? source_count_ : scope_begin_[d + 1];
  }

  // Resolves the column reference whose name token is `at` (qualified by token `qualifier`
  // when that is not npos). Reports an unknown or ambiguous column only when sure.
  constexpr column_hit resolve(std::size_t qualifier, std::size_t at) {
    if (gave_up_) return {};
    const std::string_view c = name(at);
    const bool double_quoted = tok(at).kind == token_kind::quoted_identifier && text(at)[0] == '"';
    if (qualifier != npos) {
      const source* s = find_source(name(qualifier));
      if (s == nullptr || !s->mapped) return {};
      if (const std::size_t k = find_column(*s->table, c); k != npos) return hit(*s, k);
      if (!is_implicit_column(c) && !double_quoted) unknown_column(at, *s->table, c);
      return {};
    }
    // Innermost scope first; within a scope, a name two sources have is ambiguous (unless
    // USING or NATURAL merged them, or it is a result column's alias).
    for (std::size_t d = scope_count_; d-- > 0;) {
      column_hit first{};
      for (std::size_t k = scope_begin_[d]; k < scope_end(d); ++k) {
        if (!sources_[k].mapped) continue;
        if (const std::size_t j = find_column(*sources_[k].table, c); j != npos) {
          if (!first.found) {
            first = hit(sources_[k], j);
          } else if (!merged_[d] && !is_result_alias(c)) {
            issue_.kind = schema_issue_kind::ambiguous_column;
            issue_.token_begin = tok(at).begin;
            issue_.token_end = tok(at).end;
            issue_.column = c;
            issue_.table = first.from->table->name;
            issue_.hint = sources_[k].table->name;
            return {};
          }
        }
      }
      if (first.found) return first;
      // A source of this scope whose columns are unknown may have it: the outer scopes are
      // not searched (SQLite takes the innermost match).
      for (std::size_t k = scope_begin_[d]; k < scope_end(d); ++k) {
        if (!sources_[k].mapped) return {};
      }
    }
    // Not a column of any visible source: an error only when every visible source is known
    // and the name is not a result alias, an implicit column, or a double-quoted string
    // (SQLite reads "x" as a string literal when no column x exists).
    bool all_known = source_count_ > 0;
    for (std::size_t k = 0; k < source_count_; ++k) all_known = all_known && sources_[k].mapped;
    if (!all_known || double_quoted || is_implicit_column(c) || is_result_alias(c)) return {};
    const table_info* best_table = sources_[source_count_ - 1].table;
    std::size_t best_distance = 1000;
    for (std::size_t k = source_count_; k-- > 0;) {
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

  // Whether a name right after token k is an alias: k ends an expression (a name, a literal,
  // `)`, a placeholder, `END`, `NULL`, a keyword naming a column).
  constexpr bool alias_follows(std::size_t k) const noexcept {
    const schema_token& p = tok(k);
    if (is_name_token(p) || p.kind == token_kind::string || p.kind == token_kind::number ||
        p.kind == token_kind::blob || p.kind == token_kind::rparen ||
        p.kind == token_kind::placeholder || ends_expression(p)) {
      return true;
    }
    if (p.kind != token_kind::identifier || p.word == kw::none) return false;
    if ((p.flags & may_end) != 0) return true;
    // OFFSET, MATCH, LIKE ... are keywords after an operand (`LIMIT 1 OFFSET ?`, `a LIKE ?`,
    // `a NOT LIKE ?`); elsewhere they name a column (`, offset c2`, `x LIKE offset c2`).
    if ((p.flags & names_column) == 0 || k == 0 || p.word == kw::by_) return false;
    const schema_token& q = tok(k - 1);
    const bool after_operand = is_name_token(q) || q.kind == token_kind::string ||
                               q.kind == token_kind::number || q.kind == token_kind::blob ||
                               q.kind == token_kind::rparen || q.kind == token_kind::placeholder ||
                               ends_expression(q) ||
                               (q.word == kw::not_ && k >= 2 && !is(k - 2, kw::is_) &&
                                p.word != kw::offset_ && !iequals(text(k), "CAST"));
    return !after_operand;
  }
  // A keyword SQLite lets qualify a column (`action.id`, `database.a`).
  constexpr bool is_qualifier(std::size_t i) const noexcept {
    return is_name_token(tok(i)) ||
           (is(i, token_kind::identifier) && (tok(i).flags & names_column) != 0);
  }

  static constexpr bool is_comparison_op(std::string_view op) noexcept {
    return op == "="sv || op == "=="sv || op == "!="sv || op == "<>"sv || op == "<"sv ||
           op == "<="sv || op == ">"sv || op == ">="sv;
  }
  constexpr bool is_arithmetic(std::size_t i) const noexcept {
    if (!is(i, token_kind::op) && !is(i, token_kind::star)) return false;
    const std::string_view op = text(i);
    return op == "+"sv || op == "-"sv || op == "*"sv || op == "/"sv || op == "%"sv;
  }

  // A token before which an operand starts a new comparison: `(`, `,`, a keyword that
  // binds more loosely than comparisons (WHERE, AND, OR, NOT, ON, WHEN, ...).
  constexpr bool opens_operand(std::size_t i, std::size_t b) const noexcept {
    if (i + 1 == b || i == npos) return true;  // start of the range
    const schema_token& t = toks_[i];
    if (t.kind == token_kind::lparen || t.kind == token_kind::comma) return true;
    // Not after COLLATE, ESCAPE, OVER or AS: what follows those is a collation, a window or
    // a type, not an operand.
    return t.kind == token_kind::identifier && t.word != kw::none && t.word != kw::collate_ &&
           t.word != kw::escape_ && t.word != kw::over_ && t.word != kw::as_;
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
    if (last >= 2 && toks_[last - 1].kind == token_kind::dot && is_qualifier(last - 2)) {
      if (last >= 3 && toks_[last - 3].kind == token_kind::dot) return npos;  // schema.t.c
      return last - 2;
    }
    if (last >= 1 && toks_[last - 1].kind == token_kind::dot) return npos;
    return last;
  }
  // Where a column reference starting at `first` ends (npos when none starts there).
  constexpr std::size_t colref_end(std::size_t first) const noexcept {
    if (first >= n_) return npos;
    if (!is_name_token(toks_[first])) {
      // A keyword names a column's table only as `keyword.column`.
      if (!is_qualifier(first) || !is(first + 1, token_kind::dot)) return npos;
    }
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

  // The one rule between families, whichever way a value goes (a parameter into a column it
  // is stored in or compared with, a column into the field it is read into): the value must
  // arrive without loss. bool widens to integer and real, integer to real; nothing narrows;
  // text and blob stay apart. docs/compile-time-checks.md shows it as a table.
  static constexpr bool fits(value_family from, value_family to) noexcept {
    return from == to ||
           (from == value_family::integer && to == value_family::real) ||
           (from == value_family::boolean &&
            (to == value_family::integer || to == value_family::real));
  }

  // A parameter compared with a column: it must fit the column, as if stored into it.
  constexpr void check_compared(std::size_t at, const column_hit& c) {
    const std::size_t p = parameter_at(at);
    if (!c.found || p >= in_.param_count || failed()) return;
    const value_info& v = in_.params[p];
    if (!v.family_known || !c.column->family_known) return;
    if (v.family == value_family::json_list || fits(v.family, c.column->family)) return;
    param_issue(schema_issue_kind::parameter_type, at, p, c);
  }

  // A parameter inserted into or assigned to a column.
  constexpr void check_stored(std::size_t at, const column_hit& c) {
    const std::size_t p = parameter_at(at);
    if (!c.found || p >= in_.param_count || failed()) return;
    const value_info& v = in_.params[p];
    if (v.family_known && c.column->family_known && !fits(v.family, c.column->family)) {
      param_issue(schema_issue_kind::parameter_type, at, p, c);
    } else if (v.nullable && !c.column->nullable) {
      param_issue(schema_issue_kind::optional_into_not_null, at, p, c);
    }
  }

  // An operand of arithmetic: a number, a placeholder or a column reference. Returns the
  // index of its last token when one starts at `first`, npos otherwise.
  constexpr std::size_t arithmetic_operand_end(std::size_t first) const noexcept {
    if (is(first, token_kind::number) || is(first, token_kind::placeholder)) return first;
    return colref_end(first);
  }
  constexpr std::size_t arithmetic_operand_start(std::size_t last) const noexcept {
    if (is(last, token_kind::number) || is(last, token_kind::placeholder)) return last;
    return colref_start(last);
  }

  // `? + 1`, `2 * ?`, `price * ? - 1`: the chain of arithmetic around placeholder i, within
  // [b, e). Returns false when the placeholder is not part of one.
  constexpr bool arithmetic_chain(std::size_t i, std::size_t b, std::size_t e, std::size_t& first,
                                  std::size_t& last) const noexcept {
    first = last = i;
    bool any = false;
    while (first >= b + 2 && is_arithmetic(first - 1)) {
      const std::size_t start = arithmetic_operand_start(first - 2);
      if (start == npos || start < b) break;
      first = start;
      any = true;
    }
    while (last + 2 < e && is_arithmetic(last + 1)) {
      const std::size_t end = arithmetic_operand_end(last + 2);
      if (end == npos || end >= e) break;
      last = end;
      any = true;
    }
    return any;
  }

  // The comparison (if any) that placeholder `i` takes part in, inside the range [b, e).
  constexpr void check_placeholder_context(std::size_t i, std::size_t b, std::size_t e) {
    // The operand holding the placeholder: the placeholder, or arithmetic around it, whose
    // value a comparison then compares with a column.
    std::size_t first = i;
    std::size_t last = i;
    const bool arithmetic = arithmetic_chain(i, b, e, first, last);
    // col op operand   /   col NOT LIKE operand   /   col IS NOT operand
    std::size_t op = first - 1;
    if (first > b && closes_operand(last + 1, e)) {
      std::size_t before = op;
      bool ok = false;
      if (tok(op).kind == token_kind::op && is_comparison_op(text(op))) {
        ok = true;
      } else if (!arithmetic && (is(op, kw::like_) || is(op, kw::glob_) || is(op, kw::is_) ||
                                 is(op, kw::regexp_) || is(op, kw::match_))) {
        ok = true;
      } else if (!arithmetic && is(op, kw::not_) && op > b && is(op - 1, kw::is_)) {
        ok = true;
        before = op - 1;
      }
      if (ok && before > b) {
        std::size_t col_last = before - 1;
        if (is(before, kw::like_) || is(before, kw::glob_) || is(before, kw::regexp_) ||
            is(before, kw::match_)) {
          if (is(col_last, kw::not_)) --col_last;
        }
        const std::size_t col_first = colref_start(col_last);
        if (col_first != npos && col_first >= b && opens_operand(col_first - 1, b) &&
            colref_end(col_first) == col_last) {
          check_compared(i, hit_of(col_first, col_last));
          return;
        }
      }
    }
    // operand op col
    if (opens_operand(first - 1, b) && tok(last + 1).kind == token_kind::op &&
        is_comparison_op(text(last + 1))) {
      const std::size_t col_last = colref_end(last + 2);
      if (col_last != npos && col_last < e && closes_operand(col_last + 1, e)) {
        check_compared(i, hit_of(last + 2, col_last));
        return;
      }
    }
    if (arithmetic) return;
    // col [NOT] BETWEEN ? AND ?
    std::size_t between = npos;
    if (is(i - 1, kw::between_) && closes_operand(i + 1, e) && is(i + 1, kw::and_)) {
      between = i - 1;
    } else if (i >= b + 3 && is(i - 1, kw::and_) && is(i - 3, kw::between_) &&
               tok(i - 2).kind == token_kind::placeholder && closes_operand(i + 1, e)) {
      between = i - 3;
    }
    if (between != npos && between > b) {
      const std::size_t col_last = is(between - 1, kw::not_) ? between - 2 : between - 1;
      const std::size_t col_first = colref_start(col_last);
      if (col_first != npos && col_first >= b && opens_operand(col_first - 1, b)) {
        check_compared(i, hit_of(col_first, col_last));
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
      const std::size_t col_last = is(open - 2, kw::not_) ? open - 3 : open - 2;
      const std::size_t col_first = colref_start(col_last);
      if (col_first != npos && col_first >= b && opens_operand(col_first - 1, b)) {
        check_compared(i, hit_of(col_first, col_last));
      }
    }
  }

  // Walks the expression tokens [b, e): checks column names and the comparisons placeholders
  // take part in, and follows subqueries (which see the tables around them).
  constexpr void walk(std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e && !failed(); ++i) {
      const schema_token& t = toks_[i];
      if (t.kind == token_kind::lparen) {
        if (starts_select(i + 1)) {
          nested_statement(i + 1, t.match);
          i = t.match;
        }
        continue;
      }
      if (t.kind == token_kind::placeholder) {
        check_placeholder_context(i, b, e);
        continue;
      }
      if (!is_name_token(t)) {
        // `keyword.column`: a keyword names the table (`action.id`).
        if (is_qualifier(i) && is(i + 1, token_kind::dot) && !(i > 0 && is(i - 1, token_kind::dot))) {
          if (const std::size_t last = colref_end(i); last != npos) {
            hit_of(i, last);
            i = last;
          }
        }
        continue;
      }
      // Qualified by what the walk skipped (`schema.t.c`, `f(x).y`): not followed.
      if (i > 0 && is(i - 1, token_kind::dot)) continue;
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
          if (!is(i + 1, token_kind::dot) && in_.complete && !gave_up_ &&
              !lookup_table(name(i)).found && !builtin_table(name(i))) {
            unknown_table(i, name(i));
            return;
          }
          while (is(i + 1, token_kind::dot) && is_name_token(tok(i + 2))) i += 2;
          continue;
        }
        if (i > b && alias_follows(i - 1)) continue;  // `expr alias`
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

  // --- what a result column's value is ---

  constexpr value_type type_of_column(const column_hit& h) const noexcept {
    if (!h.found) return {};
    value_type v{*h.column, h.from, true};
    v.column.nullable = h.column->nullable || h.from->nullable;
    return v;
  }

  // The type of the expression [b, e) where the analysis can tell: a column, a literal, and
  // the aggregates and functions whose result type SQLite defines
  // (https://sqlite.org/lang_aggfunc.html): count() and total() are never NULL; max, min,
  // sum and avg are NULL when their argument can be; coalesce and ifnull are not NULL when
  // one of their arguments is not.
  constexpr value_type type_of(std::size_t b, std::size_t e) {
    if (b >= e) return {};
    if (const std::size_t last = colref_end(b); last != npos && last + 1 == e) {
      return type_of_column(hit_of(b, last));
    }
    if (e == b + 1) {
      if (is(b, token_kind::number)) {
        const std::string_view n = text(b);
        bool real = false;
        for (const char c : n) real = real || c == '.' || c == 'e' || c == 'E';
        if (n.size() > 1 && (n[1] == 'x' || n[1] == 'X')) real = false;
        return {column_info{{}, real ? value_family::real : value_family::integer, true, false},
                nullptr, true};
      }
      if (is(b, token_kind::string)) {
        return {column_info{{}, value_family::text, true, false}, nullptr, true};
      }
      if (is(b, kw::null_)) return {column_info{{}, {}, false, true}, nullptr, true};
      return {};
    }
    // name ( args ) [FILTER (...)] — no OVER: a window function's value depends on its frame.
    if (!is(b, token_kind::identifier) || !is(b + 1, token_kind::lparen)) return {};
    const std::size_t close = tok(b + 1).match;
    bool filtered = false;
    if (close + 1 != e) {
      if (!(is(close + 1, kw::filter_) && is(close + 2, token_kind::lparen) &&
            tok(close + 2).match + 1 == e)) {
        return {};
      }
      filtered = true;
    }
    const std::string_view f = text(b);
    std::size_t arg_b = b + 2;
    if (is(arg_b, kw::distinct_)) ++arg_b;
    const std::size_t arg_e = item_end(arg_b, close);
    const bool one_arg = arg_e == close;
    if (iequals(f, "count")) {
      return {column_info{{}, value_family::integer, true, false}, nullptr, true};
    }
    if (iequals(f, "total")) {
      return {column_info{{}, value_family::real, true, false}, nullptr, true};
    }
    const bool minmax = iequals(f, "max") || iequals(f, "min");
    if ((minmax || iequals(f, "sum") || iequals(f, "avg")) && one_arg) {
      value_type v = type_of(arg_b, arg_e);
      if (!v.known) return {};
      v.from = nullptr;
      // A filter that no row passes leaves the aggregate NULL.
      v.column.nullable = v.column.nullable || filtered;
      if (iequals(f, "avg")) {
        v.column.family = value_family::real;
      } else if (iequals(f, "sum") && v.column.family_known &&
                 v.column.family == value_family::boolean) {
        v.column.family = value_family::integer;
      }
      if (!v.column.nullable) return {v.column, nullptr, true};
      return {column_info{{}, v.column.family, v.column.family_known, true}, nullptr, true};
    }
    if ((iequals(f, "coalesce") || iequals(f, "ifnull")) && !filtered) {
      // Not NULL when one argument is not; of a family when every argument is of it.
      bool not_null = false;
      bool all_known = true;
      value_type out{column_info{{}, {}, false, true}, nullptr, true};
      bool family_set = false;
      for (std::size_t a = b + 2; a < close;) {
        const std::size_t a_end = item_end(a, close);
        const value_type v = type_of(a, a_end);
        if (!v.known) {
          all_known = false;
        } else {
          not_null = not_null || !v.column.nullable;
          if (v.column.family_known) {
            if (!family_set) {
              out.column.family = v.column.family;
              out.column.family_known = true;
              family_set = true;
            } else if (out.column.family != v.column.family) {
              out.column.family_known = false;
            }
          }
        }
        a = a_end + 1;
      }
      if (!all_known) out.column.family_known = false;
      if (not_null) {
        out.column.nullable = false;
        return out;
      }
      if (!all_known) return {};
      return out;
    }
    return {};
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
                             const value_type& v, fields_mode mode) {
    if (failed() || mode == fields_mode::none || !in_.has_fields || field >= in_.field_count) {
      return;
    }
    const std::string_view table =
        v.from != nullptr && v.from->mapped ? v.from->table->name : std::string_view{};
    if (mode == fields_mode::names_and_types && in_.has_field_names && !result_name.empty() &&
        !same_name(in_.field_names[field], result_name)) {
      result_issue(schema_issue_kind::result_name, at, field, result_name,
                   in_.field_names[field], table);
      return;
    }
    if (!v.known) return;
    const value_info& f = in_.fields[field];
    if (f.family_known && v.column.family_known && !fits(v.column.family, f.family)) {
      result_issue(schema_issue_kind::result_type, at, field, v.column.name, {}, table);
      issue_.family = v.column.family;
    } else if (v.column.nullable && !f.nullable) {
      result_issue(schema_issue_kind::nullable_into_required, at, field, v.column.name, {}, table);
    }
  }

  constexpr void expand_star(std::size_t at, const source& s, std::size_t& field,
                             fields_mode mode, table_info* record) {
    for (std::size_t k = 0; k < s.table->column_count; ++k) {
      value_type v{s.table->columns[k], &s, true};
      v.column.nullable = v.column.nullable || s.nullable;
      check_field(at, field++, v.column.name, v, mode);
      record_column(record, v.column);
    }
  }

  // Records the aliases of a result list [b, e) so WHERE/ORDER BY may name them.
  constexpr void collect_aliases(std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      if (toks_[i].kind == token_kind::lparen) {
        i = toks_[i].match;
        continue;
      }
      const bool at_item_end = i + 1 == e || is(i + 1, token_kind::comma);
      if (!at_item_end || !is_name_token(toks_[i]) || alias_count_ == max_aliases) continue;
      const schema_token& p = tok(i - 1);
      if (i > b && (p.word == kw::as_ || alias_follows(i - 1))) {
        if (!(is(i - 1, token_kind::dot))) aliases_[alias_count_++] = name(i);
      }
    }
  }

  // Checks a result list [b, e) (names, types, `*` expansion) and walks each item; records
  // its columns into `record` when given. Returns its width, or npos when a `*` over a table
  // whose columns are unknown hides it (later items are then not compared with fields).
  constexpr std::size_t result_list(std::size_t b, std::size_t e, fields_mode mode,
                                    table_info* record) {
    std::size_t field = 0;
    bool width_known = true;
    std::size_t star_at = npos;
    const std::size_t scope = scope_count_ - 1;
    std::size_t i = b;
    while (i < e && !failed()) {
      const std::size_t end = item_end(i, e);
      const fields_mode m = width_known ? mode : fields_mode::none;
      if (end == i + 1 && is(i, token_kind::star)) {  // *
        star_at = i;
        bool known = source_count_ > scope_begin_[scope] && !merged_[scope];
        for (std::size_t k = scope_begin_[scope]; k < source_count_; ++k) {
          known = known && sources_[k].mapped;
        }
        if (!known) {
          width_known = false;
          if (record != nullptr) record->columns_known = false;
        }
        for (std::size_t k = scope_begin_[scope]; k < source_count_ && known; ++k) {
          expand_star(i, sources_[k], field, m, record);
        }
      } else if (end == i + 3 && is(i + 1, token_kind::dot) && is(i + 2, token_kind::star)) {
        star_at = i + 2;  // t.*
        const source* s = find_source(name(i));
        if (s == nullptr || !s->mapped) {
          width_known = false;
          if (record != nullptr) record->columns_known = false;
        } else {
          expand_star(i, *s, field, m, record);
        }
      } else {
        walk(i, end);
        if (failed()) return npos;
        // expr [[AS] alias]
        std::size_t expr_end = end;
        std::size_t alias_at = npos;
        if (end >= i + 2 && is_name_token(tok(end - 1))) {
          const schema_token& p = tok(end - 2);
          if (p.word == kw::as_) {
            alias_at = end - 1;
            expr_end = end - 2;
          } else if (alias_follows(end - 2)) {
            alias_at = end - 1;
            expr_end = end - 1;
          }
        }
        const value_type v = type_of(i, expr_end);
        if (failed()) return npos;
        const std::size_t col_last = colref_end(i);
        std::string_view result_name;
        std::size_t at = i;
        if (alias_at != npos) {
          result_name = name(alias_at);
          at = alias_at;
        } else if (col_last != npos && col_last + 1 == expr_end) {
          result_name = name(col_last);  // a column keeps its name
          at = col_last;
        }
        check_field(at, field, result_name, v, m);
        if (record != nullptr) {
          if (result_name.empty()) {
            record->columns_known = false;  // SQLite names it after its text
          } else {
            record_column(record, column_info{result_name, v.column.family,
                                              v.known && v.column.family_known,
                                              v.known && v.column.nullable});
          }
        }
        ++field;
      }
      i = end + 1;
    }
    if (!failed() && width_known && mode != fields_mode::none && in_.has_fields &&
        star_at != npos && field != in_.field_count) {
      issue_.kind = schema_issue_kind::star_width;
      issue_.token_begin = tok(star_at).begin;
      issue_.token_end = tok(star_at).end;
      issue_.count = field;
      issue_.index = in_.field_count;
    }
    return width_known ? field : npos;
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
  static constexpr bool is_compound_op(const schema_token& t) noexcept {
    return t.word == kw::union_ || t.word == kw::intersect_ || t.word == kw::except_;
  }

  // The statement [b, e) starting at b, with its WITH clause. `top`: the query's own
  // statement, whose result is read into the row type. Returns its result width where a
  // SELECT or VALUES tells it (npos otherwise), recording its columns into `record`.
  constexpr std::size_t statement(std::size_t b, std::size_t e, bool top,
                                  table_info* record = nullptr) {
    if (gave_up_ || failed()) return npos;
    const std::size_t ctes = cte_count_;
    std::size_t at = b;
    if (is(at, kw::with_)) at = with_clause(at, e);
    std::size_t width = npos;
    if (at != npos && !failed() && !gave_up_) {
      switch (tok(at).word) {
        case kw::select_:
        case kw::values_: width = select_statement(at, e, top, record); break;
        case kw::insert_:
        case kw::replace_:
          if (top) insert_statement(at, e);
          break;
        case kw::update_:
          if (top) update_statement(at, e);
          break;
        case kw::delete_:
          if (top) delete_statement(at, e);
          break;
        default: break;  // PRAGMA, DDL ...: not followed
      }
    }
    cte_count_ = ctes;
    return width;
  }

  // A subquery: a statement in parentheses, which sees the tables around it.
  constexpr std::size_t nested_statement(std::size_t b, std::size_t e,
                                         table_info* record = nullptr) {
    const source* excluded = excluded_;
    const std::size_t width = statement(b, e, false, record);
    excluded_ = excluded;
    return width;
  }

  // `WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (statement), ...` at i: each
  // name becomes a table for the rest of the statement, its columns those of the column list
  // or of its first SELECT. Returns the index after the list, or npos when not followed.
  constexpr std::size_t with_clause(std::size_t i, std::size_t e) {
    ++i;
    if (is(i, kw::recursive_)) ++i;
    while (i < e && !failed()) {
      if (!is(i, token_kind::identifier) && !is(i, token_kind::quoted_identifier)) return npos;
      const std::size_t name_at = i++;
      std::size_t columns = npos;
      if (is(i, token_kind::lparen)) {
        columns = i;
        i = tok(i).match + 1;
      }
      if (!is(i, kw::as_)) return npos;
      ++i;
      if (is(i, kw::not_)) ++i;
      if (is(i, kw::materialized_)) ++i;
      if (!is(i, token_kind::lparen) || !starts_select(i + 1)) return npos;
      table_info* t = new_derived(name(name_at));
      if (t == nullptr || cte_count_ == max_derived) {
        gave_up_ = true;
        return npos;
      }
      if (columns != npos) {
        for (std::size_t k = columns + 1; k < tok(columns).match; ++k) {
          if (is(k, token_kind::comma)) continue;
          if (!is(k, token_kind::identifier) && !is(k, token_kind::quoted_identifier)) {
            t->columns_known = false;
            break;
          }
          record_column(t, column_info{name(k), value_family{}, false, false});
        }
      }
      // Visible in its own body (a recursive CTE names itself there); without a column
      // list its columns are known once the body's first SELECT has named them.
      ctes_[cte_count_++] = cte{name(name_at), static_cast<std::size_t>(t - derived_)};
      nested_statement(i + 1, tok(i).match, columns == npos ? t : nullptr);
      i = tok(i).match + 1;
      if (!is(i, token_kind::comma)) return i;
      ++i;
    }
    return npos;
  }

  constexpr std::size_t select_statement(std::size_t b, std::size_t e, bool top,
                                         table_info* record) {
    std::size_t width = npos;
    std::size_t at = b;
    bool first = true;
    while (!failed() && !gave_up_) {
      const std::size_t op = find_depth0(at, e, is_compound_op);
      const bool compound_op = op < e && is_compound_op(tok(op));
      std::size_t branch_end = op;
      if (!compound_op && !first) {  // the last branch: ORDER BY / LIMIT belong to the compound
        branch_end = find_depth0(at, e, [](const schema_token& t) {
          return t.word == kw::order_ || t.word == kw::limit_;
        });
      }
      const fields_mode mode = !top    ? fields_mode::none
                               : first ? fields_mode::names_and_types
                                       : fields_mode::types;
      const std::size_t w = select_core(at, branch_end, mode, first ? record : nullptr);
      if (failed()) break;
      if (first) {
        width = w;
      } else if (width != npos && w != npos && w != width) {
        issue_.kind = schema_issue_kind::compound_width;
        issue_.token_begin = tok(at).begin;
        issue_.token_end = tok(at).end;
        issue_.count = w;
        issue_.index = width;
        break;
      }
      if (!compound_op) {
        // The compound's ORDER BY names result columns; only its subqueries are followed.
        if (!first) follow_subqueries(branch_end, e);
        break;
      }
      at = op + 1;
      if (is(at, kw::all_)) ++at;
      first = false;
    }
    return width;
  }

  constexpr void follow_subqueries(std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e && !failed(); ++i) {
      if (is(i, token_kind::lparen) && starts_select(i + 1)) {
        nested_statement(i + 1, tok(i).match);
        i = tok(i).match;
      }
    }
  }

  // One SELECT (or VALUES) of a statement, [b, e): its FROM is a scope of its own.
  constexpr std::size_t select_core(std::size_t b, std::size_t e, fields_mode mode,
                                    table_info* record) {
    if (is(b, kw::values_)) {
      std::size_t width = npos;
      std::size_t i = b + 1;
      while (i < e && is(i, token_kind::lparen) && !failed()) {
        std::size_t count = 0;
        for (std::size_t k = i + 1; k < tok(i).match; k = item_end(k, tok(i).match) + 1) ++count;
        if (width == npos) width = count;
        walk(i + 1, tok(i).match);
        i = tok(i).match + 1;
        if (!is(i, token_kind::comma)) break;
        ++i;
      }
      if (record != nullptr) record->columns_known = false;  // column1, column2, ...
      return width;
    }
    if (!is(b, kw::select_)) {
      gave_up_ = true;
      return npos;
    }
    const scope_state saved = open_scope();
    std::size_t list = b + 1;
    if (is(list, kw::distinct_) || is(list, kw::all_)) ++list;
    const std::size_t from = select_list_end(list, e);
    std::size_t from_end = from;
    const std::size_t ons = on_count_;
    std::size_t width = npos;
    if (is(from, kw::from_)) {
      from_end = from_clause_end(from + 1, e);
      // Sources first: the list names them.
      if (!collect_sources(from + 1, from_end)) gave_up_ = true;
    }
    if (!gave_up_ && !failed()) {
      collect_aliases(list, from);
      width = result_list(list, from, mode, record);
      if (!failed() && is(from, kw::from_)) from_clause(ons);
      if (!failed()) walk(from_end, e);
    }
    close_scope(saved);
    return width;
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
          !(at + 2 < end &&
            (tok(at + 1).kind == token_kind::identifier ||
             tok(at + 1).kind == token_kind::quoted_identifier ||
             tok(at + 1).kind == token_kind::string) &&
            is(at + 2, kw::as_));
      if (!distinct_from && !window_name) return at;
      ++at;
    }
  }

  // Where a FROM clause starting at b ends: at WHERE, GROUP, ... (WINDOW only as `WINDOW
  // name AS`; elsewhere it names a table or an alias).
  constexpr std::size_t from_clause_end(std::size_t b, std::size_t e) const {
    std::size_t at = b;
    while (true) {
      at = find_depth0(at, e, ends_from);
      if (at >= e || !is(at, kw::window_) || (at + 2 < e && is(at + 2, kw::as_))) return at;
      ++at;
    }
  }

  // Reads `name [AS] alias` / `(subquery) alias` / `func(...) alias` at i; returns the index
  // after it (and after any INDEXED BY / NOT INDEXED).
  constexpr std::size_t table_reference(std::size_t i, bool nullable) {
    std::string_view table;
    std::size_t name_at = npos;
    bool opaque = false;
    table_info* derived = nullptr;
    if (is(i, token_kind::lparen)) {
      const std::size_t close = tok(i).match;
      if (starts_select(i + 1)) {  // a subquery: a table of its result columns
        derived = new_derived({});
        if (derived == nullptr) return npos;
        nested_statement(i + 1, close, derived);
      } else {
        opaque = true;  // a parenthesised join
      }
      i = close + 1;
    } else if (is_qualifier(i)) {  // a name, or a keyword SQLite lets name a table
      table = name(i);
      name_at = i;
      if (is(i + 1, token_kind::dot)) {  // schema.table: may be another database's table
        opaque = true;
        i += 2;
      }
      ++i;
      if (is(i, token_kind::lparen)) {  // table-valued function: its arguments are expressions
        opaque = true;
        walk(i + 1, tok(i).match);
        i = tok(i).match + 1;
      }
    } else {
      return npos;
    }
    std::string_view alias;
    if (is(i, kw::as_) && is_qualifier(i + 1)) {
      alias = name(i + 1);
      i += 2;
    } else if (is_name_token(tok(i)) || (is_qualifier(i) && !is(i, kw::with_) &&
                                         !(is(i, kw::window_) && is(i + 2, kw::as_)))) {
      alias = name(i);
      ++i;
    }
    if (is(i, kw::indexed_)) {
      i += 3;
    } else if (is(i, kw::not_) && is(i + 1, kw::indexed_)) {
      i += 2;
    }
    if (failed()) return npos;
    if (derived != nullptr) {
      if (source_count_ == max_sources) return npos;
      derived->name = alias;
      sources_[source_count_++] = source{alias, alias, derived, derived->columns_known, nullable};
      return i;
    }
    if (!add_source(name_at, table, alias, opaque)) return npos;
    sources_[source_count_ - 1].nullable = nullable;
    return i;
  }

  // The sources of a FROM clause [b, e); the ON conditions are walked later by from_clause
  // (the SELECT list comes first in the text, and names these sources).
  constexpr bool collect_sources(std::size_t b, std::size_t e) {
    if (b >= e) return false;  // a FROM the analysis did not delimit
    std::size_t i = b;
    const std::size_t scope = scope_count_ - 1;
    while (i < e) {
      bool left = false, right = false;
      while (i < e && (is(i, token_kind::comma) || is_join_word(tok(i)))) {
        if (is(i, kw::left_)) left = true;
        if (is(i, kw::right_)) right = true;
        if (is(i, kw::full_)) left = right = true;
        if (is(i, kw::natural_)) merged_[scope] = true;
        ++i;
      }
      if (right) {
        for (std::size_t k = scope_begin_[scope]; k < source_count_; ++k) {
          sources_[k].nullable = true;
        }
      }
      i = table_reference(i, left);
      if (i == npos || i > e || failed()) return false;
      if (is(i, kw::on_)) {
        const std::size_t cond = i + 1;
        i = find_depth0(cond, e, [](const schema_token& t) {
          return is_join_word(t) || t.kind == token_kind::comma;
        });
        if (on_count_ == max_sources) return false;
        on_begin_[on_count_] = cond;
        on_end_[on_count_++] = i;
      } else if (is(i, kw::using_) && is(i + 1, token_kind::lparen)) {
        merged_[scope] = true;
        i = tok(i + 1).match + 1;
      }
      if (i < e && !is(i, token_kind::comma) && !is_join_word(tok(i))) return false;
    }
    return true;
  }

  // Walks the ON conditions collect_sources found, from the `first`-th.
  constexpr void from_clause(std::size_t first) {
    for (std::size_t k = first; k < on_count_ && !failed(); ++k) walk(on_begin_[k], on_end_[k]);
  }

  // `table [[AS] alias]` after INSERT INTO / UPDATE / DELETE FROM; returns the index after it.
  constexpr std::size_t target_table(std::size_t i) {
    if (!is_name_token(tok(i))) return npos;
    if (is(i + 1, token_kind::dot)) return npos;  // schema.table
    std::string_view alias;
    std::size_t next = i + 1;
    if (is(next, kw::as_) && is_qualifier(next + 1)) {
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
    if (!add_source(i, name(i), alias, false) || failed()) return npos;
    return next;
  }

  // `col = expr, ...` in [b, e) for the target source `target`: a placeholder assigned
  // directly is checked as stored.
  constexpr void assignments(std::size_t b, std::size_t e, std::size_t target) {
    std::size_t i = b;
    while (i < e && !failed()) {
      const std::size_t end = item_end(i, e);
      const bool named = is(i, token_kind::identifier) || is(i, token_kind::quoted_identifier);
      if (named && tok(i + 1).kind == token_kind::op && text(i + 1) == "="sv) {
        column_hit to{};
        const source& s = sources_[target];
        if (s.mapped) {
          const std::size_t k = find_column(*s.table, name(i));
          if (k != npos) {
            to = hit(s, k);
          } else if (!is_implicit_column(name(i))) {
            unknown_column(i, *s.table, name(i));
            return;
          }
        }
        if (end == i + 3 && is(i + 2, token_kind::placeholder)) {
          check_stored(i + 2, to);
        } else {
          walk(i + 2, end);
        }
      } else if (is(i, token_kind::lparen) && tok(tok(i).match + 1).kind == token_kind::op &&
                 text(tok(i).match + 1) == "="sv) {
        // (a, b) = (...): the names are the target's columns
        const source& s = sources_[target];
        for (std::size_t k = i + 1; k < tok(i).match && s.mapped; ++k) {
          if (!is(k, token_kind::identifier) && !is(k, token_kind::quoted_identifier)) continue;
          if (find_column(*s.table, name(k)) == npos && !is_implicit_column(name(k))) {
            unknown_column(k, *s.table, name(k));
            return;
          }
        }
        walk(tok(i).match + 2, end);
      } else {
        walk(i, end);
      }
      i = end + 1;
    }
  }

  constexpr void returning(std::size_t at, std::size_t end) {
    if (!is(at, kw::returning_) || failed()) return;
    collect_aliases(at + 1, end);
    result_list(at + 1, end, fields_mode::names_and_types, nullptr);
  }

  constexpr void width_issue(std::size_t at, std::size_t values, std::size_t columns) {
    issue_.kind = schema_issue_kind::insert_width;
    issue_.token_begin = tok(at).begin;
    issue_.token_end = tok(at).end;
    issue_.count = values;
    issue_.index = columns;
  }

  constexpr void insert_statement(std::size_t i, std::size_t end) {
    ++i;
    if (is(i, kw::or_)) i += 2;
    if (!is(i, kw::into_)) return;
    const scope_state saved = open_scope();
    insert_body(i + 1, end);
    close_scope(saved);
  }

  constexpr void insert_body(std::size_t i, std::size_t end) {
    const std::size_t next = target_table(i);
    if (next == npos) return;
    const std::size_t target = source_count_ - 1;
    // The column list, or every mapped column in field order: the column index per value.
    std::size_t targets[max_names]{};
    std::size_t col_count = 0;
    bool listed = false;
    i = next;
    if (is(i, token_kind::lparen)) {
      // One name per item (a keyword may name a column here: the position is what counts).
      for (std::size_t k = i + 1; k < tok(i).match; k += 2) {
        const bool named = is(k, token_kind::identifier) || is(k, token_kind::quoted_identifier);
        if (!named || col_count == max_names ||
            !(is(k + 1, token_kind::comma) || k + 1 == tok(i).match)) {
          return;
        }
        const source& s = sources_[target];
        targets[col_count] = s.mapped ? find_column(*s.table, name(k)) : npos;
        if (s.mapped && targets[col_count] == npos && !is_implicit_column(name(k))) {
          unknown_column(k, *s.table, name(k));
          return;
        }
        ++col_count;
      }
      listed = true;
      i = tok(i).match + 1;
    } else if (sources_[target].mapped) {
      for (std::size_t k = 0; k < sources_[target].table->column_count && k < max_names; ++k) {
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
          const std::size_t end_of_item = item_end(item, close);
          if (end_of_item == item + 1 && is(item, token_kind::placeholder)) {
            if (k < col_count && targets[k] != npos) {
              check_stored(item, hit(sources_[target], targets[k]));
            }
          } else {
            follow_subqueries(item, end_of_item);  // VALUES cannot name the target's columns
          }
          ++k;
          item = end_of_item + 1;
        }
        if (!failed() && listed && k != col_count) {
          width_issue(i, k, col_count);
          return;
        }
        i = close + 1;
        if (is(i, token_kind::comma)) ++i;
      }
    } else if (starts_select(i)) {
      // INSERT ... SELECT: the SELECT does not see the target table; its width must match
      // the column list. It ends where an upsert or RETURNING starts.
      std::size_t select_end = i;
      while (select_end < end && !(is(select_end, kw::on_) && is(select_end + 1, kw::conflict_)) &&
             !is(select_end, kw::returning_)) {
        select_end = is(select_end, token_kind::lparen) ? tok(select_end).match + 1 : select_end + 1;
      }
      const source kept = sources_[target];
      source_count_ = target;
      const std::size_t width = nested_statement(i, select_end);
      sources_[target] = kept;
      source_count_ = target + 1;
      if (failed()) return;
      if (listed && width != npos && width != col_count) {
        width_issue(i, width, col_count);
        return;
      }
      i = select_end;
    } else {
      return;
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
      source excluded = sources_[target];
      excluded.alias = "excluded";
      excluded_ = &excluded;
      const std::size_t set_end = find_depth0(i + 3, end, [](const schema_token& x) {
        return x.word == kw::where_ || x.word == kw::returning_ || x.word == kw::on_;
      });
      assignments(i + 3, set_end, target);
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

  constexpr void update_statement(std::size_t i, std::size_t end) {
    ++i;
    if (is(i, kw::or_)) i += 2;
    const scope_state saved = open_scope();
    i = target_table(i);
    if (i != npos && is(i, kw::set_)) {
      const std::size_t target = source_count_ - 1;
      const std::size_t set_end = find_depth0(i + 1, end, [](const schema_token& t) {
        return t.word == kw::from_ || t.word == kw::where_ || t.word == kw::returning_ ||
               t.word == kw::order_ || t.word == kw::limit_;
      });
      // UPDATE ... FROM: the FROM's tables join the target for SET and WHERE.
      std::size_t from_end = set_end;
      const std::size_t ons = on_count_;
      bool followed = true;
      if (is(set_end, kw::from_)) {
        from_end = from_clause_end(set_end + 1, end);
        followed = collect_sources(set_end + 1, from_end);
      }
      if (followed && !failed()) {
        assignments(i + 1, set_end, target);
        if (!failed()) from_clause(ons);
        const std::size_t ret = find_depth0(from_end, end, [](const schema_token& t) {
          return t.word == kw::returning_;
        });
        if (!failed()) walk(from_end, ret);
        source_count_ = target + 1;  // RETURNING sees the target table only
        returning(ret, end);
      }
    }
    close_scope(saved);
  }

  constexpr void delete_statement(std::size_t i, std::size_t end) {
    if (!is(i + 1, kw::from_)) return;
    const scope_state saved = open_scope();
    i = target_table(i + 2);
    if (i != npos) {
      const std::size_t ret = find_depth0(i, end, [](const schema_token& t) {
        return t.word == kw::returning_;
      });
      walk(i, ret);
      const std::size_t after = find_depth0(ret + 1, end, [](const schema_token& t) {
        return t.word == kw::order_ || t.word == kw::limit_;
      });
      if (!failed()) returning(ret, after);
      if (!failed()) walk(after, end);
    }
    close_scope(saved);
  }

  struct cte {
    std::string_view name;
    std::size_t table = 0;  // index into derived_
  };

  const schema_input& in_;
  schema_token* toks_ = nullptr;
  std::size_t n_ = 0;
  schema_issue issue_{};
  bool gave_up_ = false;  // a form not followed: nothing more is reported

  source sources_[max_sources]{};
  std::size_t source_count_ = 0;
  std::size_t scope_begin_[max_scopes]{};  // each scope's first source
  bool merged_[max_scopes]{};              // NATURAL JOIN or USING: shared columns merged
  std::size_t scope_count_ = 0;
  const source* excluded_ = nullptr;

  table_info* derived_ = nullptr;           // max_derived entries, once allocated
  column_info* derived_columns_ = nullptr;  // max_derived_columns entries
  std::size_t derived_count_ = 0;
  std::size_t derived_column_count_ = 0;
  cte ctes_[max_derived]{};
  std::size_t cte_count_ = 0;

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
template <class Unused = void>
constexpr schema_issue analyse_against_schema(const schema_input& in) {
  schema_analysis<Unused> a(in);
  return a.run();
}

}  // namespace sqlproof::detail
