#pragma once
// What the compiler can learn from a statement's text alone: its placeholders (numbered as
// sqlite3_prepare numbers them, https://sqlite.org/lang_expr.html#varparam), whether it
// returns rows, and how many result columns an explicit SELECT list or RETURNING clause has.
// Anything not understood is reported as unknown, never guessed: the prepare-time check
// covers it. analyse_sql<dialect::postgres> reads a text in PostgreSQL's dialect, whose only
// placeholders are $1, $2 ... (https://www.postgresql.org/docs/current/sql-expressions.html#SQL-EXPRESSIONS-PARAMETERS-POSITIONAL).

#include <array>
#include <cstddef>
#include <string_view>

#include "sql_lexer.hpp"

namespace sqlproof::detail {

// string_view literals for the words compared: see sql_lexer.hpp.
using std::literals::string_view_literals::operator""sv;

enum class sql_problem : unsigned char {
  none,
  lex_error,             // unterminated string, quoted identifier or blob; stray character
  empty,                 // no statement at all
  several_statements,    // text after the first statement's end (a `;`, or `; END;` in a trigger)
  mixed_placeholders,    // `?` together with names, or numbered names with plain names
  placeholder_gap,       // ?1 and ?3 used, ?2 not (or $1, $3)
  unknown_statement,     // the first word starts no statement of the dialect (a typo: SELEC)
};

enum class returns_rows : unsigned char { no, yes, unknown };

inline constexpr std::size_t unknown_count = static_cast<std::size_t>(-1);

struct sql_shape {
  sql_problem problem = sql_problem::none;
  std::size_t problem_offset = 0;
  std::size_t parameter_count = 0;         // parameters the signature must declare
  std::size_t sqlite_parameter_count = 0;  // what sqlite3_bind_parameter_count will say
  bool numbered_names = false;             // $1/:1 style: parameter N binds to name "$N"
  returns_rows rows = returns_rows::unknown;
  std::size_t result_columns = unknown_count;
  bool select_star = false;                // an explicit list holds `*` or `t.*`
};

constexpr bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// A name that binds by number ($1, :2, @3): decimal digits without a leading zero. SQLite
// gives `$0` and `$01` names of their own, distinct from `$1`, so they are plain names.
constexpr bool is_numbered_name(std::string_view name) noexcept {
  return all_digits(name) && name[0] != '0';
}

constexpr std::size_t parse_number(std::string_view s) noexcept {
  std::size_t n = 0;
  for (char c : s) {
    n = n * 10 + static_cast<std::size_t>(c - '0');
    if (n > 1000000) return n;  // far beyond SQLITE_MAX_VARIABLE_NUMBER; stop growing
  }
  return n;
}

// Counts the items of a comma-separated list at parenthesis depth 0, starting at `lx`, until a
// depth-0 token for which `stop` is true. Sets `star` when an item is `*` or `name.*`.
// `stop` is not asked about the token after DISTINCT: there FROM belongs to the operator
// `a IS [NOT] DISTINCT FROM b` (a select list's own DISTINCT is read before the list).
template <class Lexer, class Stop>
constexpr std::size_t count_list_items(Lexer lx, Stop stop, bool& star) {
  std::size_t items = 0;
  std::size_t depth = 0;
  std::size_t item_tokens = 0;
  bool item_is_star = false;  // tokens so far are `*` or `name . *`
  token_kind prev = token_kind::end;
  bool after_distinct = false;
  auto close_item = [&] {
    if (item_tokens > 0) {
      ++items;
      if (item_is_star) star = true;
    }
    item_tokens = 0;
    item_is_star = false;
  };
  for (; !lx.done(); lx.advance()) {
    const token& t = lx.current();
    if (depth == 0 && (t.kind == token_kind::semicolon || (!after_distinct && stop(lx)))) break;
    after_distinct = lx.is_keyword("DISTINCT"sv);
    if (t.kind == token_kind::lparen || t.kind == token_kind::lbracket) ++depth;
    if ((t.kind == token_kind::rparen || t.kind == token_kind::rbracket) && depth > 0) --depth;
    if (depth == 0 && t.kind == token_kind::comma) {
      close_item();
      prev = t.kind;
      continue;
    }
    if (item_tokens == 0) {
      item_is_star = t.kind == token_kind::star;
    } else if (item_tokens == 2 && prev == token_kind::dot && t.kind == token_kind::star) {
      // `name . *` keeps the star shape
    } else if (item_tokens == 1 && t.kind == token_kind::dot &&
               (prev == token_kind::identifier || prev == token_kind::quoted_identifier)) {
      item_is_star = true;  // tentatively: only if a `*` follows
    } else {
      item_is_star = false;
    }
    if (item_tokens == 1 && t.kind != token_kind::dot) item_is_star = false;
    ++item_tokens;
    prev = t.kind;
  }
  if (item_tokens == 2) item_is_star = false;  // `name .` without `*`
  close_item();
  return items;
}

// The words that end a select list are reserved, so they cannot be column names, except
// WINDOW: SQLite reads it as a keyword only before `name AS` (tokenize.c,
// analyzeWindowKeyword) and as a name anywhere else (`SELECT 1, window FROM t`). PostgreSQL
// adds INTO, OFFSET, FETCH and FOR (all reserved there).
// (At namespace scope: Clang's constant evaluator builds a constexpr local array again on
// every call, and this is asked for every token of a select list.)
inline constexpr std::string_view select_list_end_words[] = {"FROM"sv,   "WHERE"sv,     "GROUP"sv,
                                                             "HAVING"sv, "ORDER"sv,     "LIMIT"sv,
                                                             "UNION"sv,  "INTERSECT"sv, "EXCEPT"sv};
template <class Lexer>
constexpr bool ends_select_list(const Lexer& lx) noexcept {
  if (lx.current().kind != token_kind::identifier) return false;  // asked for every token
  for (const std::string_view w : select_list_end_words) {
    if (lx.is_keyword(w)) return true;
  }
  if constexpr (Lexer::written_in == dialect::postgres) {
    if (lx.is_keyword("INTO"sv) || lx.is_keyword("OFFSET"sv) || lx.is_keyword("FETCH"sv) ||
        lx.is_keyword("FOR"sv)) {
      return true;
    }
  }
  if (!lx.is_keyword("WINDOW"sv)) return false;
  Lexer ahead = lx;
  ahead.advance();
  const token_kind k = ahead.current().kind;
  if (k != token_kind::identifier && k != token_kind::quoted_identifier &&
      k != token_kind::string) {
    return false;
  }
  ahead.advance();
  return ahead.is_keyword("AS"sv);
}

// A RETURNING list runs to the statement's end, except in DELETE and UPDATE built with
// SQLITE_ENABLE_UPDATE_DELETE_LIMIT (as Debian's SQLite is), where ORDER BY and LIMIT follow
// it (https://sqlite.org/lang_delete.html#optional_limit_and_order_by_clauses). Both words
// are reserved, so they never name a column.
template <class Lexer>
constexpr bool ends_returning_list(const Lexer& lx) noexcept {
  return lx.is_keyword("ORDER"sv) || lx.is_keyword("LIMIT"sv);
}

// Result columns of the statement that starts at `lx` (after any WITH clause).
template <class Lexer>
constexpr void analyse_result(Lexer lx, sql_shape& shape) {
  constexpr bool postgres = Lexer::written_in == dialect::postgres;
  if (lx.is_keyword("SELECT"sv)) {
    lx.advance();
    if (lx.is_keyword("DISTINCT"sv) || lx.is_keyword("ALL"sv)) lx.advance();
    if constexpr (postgres) {
      if (lx.is_keyword("ON"sv)) {  // SELECT DISTINCT ON (expressions) list
        lx.advance();
        std::size_t depth = 0;
        for (; !lx.done(); lx.advance()) {
          if (lx.current().kind == token_kind::lparen) ++depth;
          if (lx.current().kind == token_kind::rparen && --depth == 0) break;
        }
        lx.advance();
      }
    }
    bool star = false;
    const std::size_t n = count_list_items(lx, ends_select_list<Lexer>, star);
    shape.rows = returns_rows::yes;
    shape.select_star = star;
    shape.result_columns = star ? unknown_count : n;
    return;
  }
  if (lx.is_keyword("VALUES"sv)) {
    lx.advance();
    shape.rows = returns_rows::yes;
    if (lx.current().kind == token_kind::lparen) {
      lx.advance();
      bool star = false;
      shape.result_columns = count_list_items(
          lx, [](const Lexer& l) { return l.current().kind == token_kind::rparen; }, star);
    }
    return;
  }
  if (lx.is_keyword("INSERT"sv) || lx.is_keyword("REPLACE"sv) || lx.is_keyword("UPDATE"sv) ||
      lx.is_keyword("DELETE"sv) || (postgres && lx.is_keyword("MERGE"sv))) {
    shape.rows = returns_rows::no;
    std::size_t depth = 0;
    for (; !lx.done(); lx.advance()) {
      const token& t = lx.current();
      if (t.kind == token_kind::lparen) ++depth;
      if (t.kind == token_kind::rparen && depth > 0) --depth;
      if (depth == 0 && t.kind == token_kind::semicolon) break;
      if (depth == 0 && lx.is_keyword("RETURNING"sv)) {
        lx.advance();
        bool star = false;
        const std::size_t n = count_list_items(lx, ends_returning_list<Lexer>, star);
        shape.rows = returns_rows::yes;
        shape.select_star = star;
        shape.result_columns = star ? unknown_count : n;
        return;
      }
    }
    return;
  }
  if (lx.is_keyword("PRAGMA"sv) || lx.is_keyword("EXPLAIN"sv)) {
    shape.rows = returns_rows::unknown;
    return;
  }
  if constexpr (postgres) {
    if (lx.is_keyword("TABLE"sv) || lx.is_keyword("SHOW"sv)) {
      shape.rows = returns_rows::yes;
      return;
    }
    if (lx.is_keyword("CALL"sv) || lx.is_keyword("EXECUTE"sv) || lx.is_keyword("FETCH"sv)) {
      shape.rows = returns_rows::unknown;
      return;
    }
  }
  shape.rows = returns_rows::no;  // CREATE, DROP, ALTER, BEGIN, ATTACH, VACUUM, ANALYZE ...
}

// Every statement SQLite accepts starts with one of these words
// (https://sqlite.org/lang.html); anything else is a typo that would only fail at prepare time.
// PostgreSQL's commands: https://www.postgresql.org/docs/current/sql-commands.html.
template <class Lexer>
constexpr bool starts_statement(const Lexer& lx) noexcept {
  if constexpr (Lexer::written_in == dialect::postgres) {
    constexpr std::string_view words[] = {
        "SELECT"sv,     "VALUES"sv,   "WITH"sv,     "INSERT"sv,     "UPDATE"sv,  "DELETE"sv,
        "MERGE"sv,      "TABLE"sv,    "CREATE"sv,   "DROP"sv,       "ALTER"sv,   "BEGIN"sv,
        "START"sv,      "COMMIT"sv,   "END"sv,      "ROLLBACK"sv,   "ABORT"sv,   "SAVEPOINT"sv,
        "RELEASE"sv,    "PREPARE"sv,  "EXECUTE"sv,  "DEALLOCATE"sv, "DO"sv,      "CALL"sv,
        "COPY"sv,       "TRUNCATE"sv, "LOCK"sv,     "GRANT"sv,      "REVOKE"sv,  "COMMENT"sv,
        "SET"sv,        "RESET"sv,    "SHOW"sv,     "EXPLAIN"sv,    "ANALYZE"sv, "ANALYSE"sv,
        "VACUUM"sv,     "CLUSTER"sv,  "REINDEX"sv,  "REFRESH"sv,    "LISTEN"sv,  "NOTIFY"sv,
        "UNLISTEN"sv,   "DECLARE"sv,  "FETCH"sv,    "MOVE"sv,       "CLOSE"sv,   "DISCARD"sv,
        "CHECKPOINT"sv, "LOAD"sv,     "SECURITY"sv, "IMPORT"sv,     "REASSIGN"sv};
    for (auto w : words) {
      if (lx.is_keyword(w)) return true;
    }
    return false;
  } else {
    constexpr std::string_view words[] = {
        "SELECT"sv, "VALUES"sv,   "WITH"sv,      "INSERT"sv,  "REPLACE"sv, "UPDATE"sv,
        "DELETE"sv, "CREATE"sv,   "DROP"sv,      "ALTER"sv,   "BEGIN"sv,   "COMMIT"sv,
        "END"sv,    "ROLLBACK"sv, "SAVEPOINT"sv, "RELEASE"sv, "ATTACH"sv,  "DETACH"sv,
        "VACUUM"sv, "ANALYZE"sv,  "REINDEX"sv,   "PRAGMA"sv,  "EXPLAIN"sv};
    for (auto w : words) {
      if (lx.is_keyword(w)) return true;
    }
    return false;
  }
}

// Index (1-based, as SQLite assigns it) of the first occurrence of named placeholder `name`
// before offset `before`, or 0 when it has not occurred.
constexpr std::size_t first_named_index(std::string_view sql, std::string_view name,
                                        std::size_t before) {
  std::size_t next = 0;
  std::size_t found = 0;
  // Re-run SQLite's numbering up to `before`, recording where `name` got its number.
  for (lexer lx{sql}; !lx.done() && lx.current().begin < before; lx.advance()) {
    if (lx.current().kind != token_kind::placeholder) continue;
    const std::string_view p = lx.text();
    if (p[0] == '?') {
      if (p.size() == 1) {
        ++next;
      } else if (const std::size_t n = parse_number(p.substr(1)); n > next) {
        next = n;
      }
      continue;
    }
    if (p == name) return found != 0 ? found : (found = next + 1);
    bool seen = false;
    for (lexer back{sql}; back.current().begin < lx.current().begin; back.advance()) {
      if (back.current().kind == token_kind::placeholder && back.text() == p) {
        seen = true;
        break;
      }
    }
    if (!seen) ++next;
  }
  return found;
}

// Where the module arguments of a leading [EXPLAIN [QUERY PLAN]] CREATE VIRTUAL TABLE ...
// USING module(...) lie, from `(` to its matching `)`; {0, 0} when there are none. SQLite's
// grammar takes them as any tokens in balanced parentheses (parse.y, vtabarg and anylist),
// so a `;` there ends nothing and a `?` there is no parameter
// (https://sqlite.org/lang_createvtab.html): `USING fts5(a; b, ?)` is one statement without
// parameters. Without the matching `)` SQLite reports incomplete input: no span then.
struct text_span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

constexpr text_span module_arguments(std::string_view sql) noexcept {
  lexer lx{sql};
  while (lx.current().kind == token_kind::semicolon) lx.advance();
  if (lx.is_keyword("EXPLAIN"sv)) {
    lx.advance();
    if (lx.is_keyword("QUERY"sv)) {
      lx.advance();
      lx.advance();  // PLAN
    }
  }
  if (!lx.is_keyword("CREATE"sv)) return {};
  lx.advance();
  if (!lx.is_keyword("VIRTUAL"sv)) return {};
  // Only names, IF NOT EXISTS and `.` come before USING, which is reserved.
  while (!lx.done() && !lx.is_keyword("USING"sv)) {
    if (lx.current().kind == token_kind::semicolon || lx.current().kind == token_kind::lparen) {
      return {};
    }
    lx.advance();
  }
  if (lx.done()) return {};
  lx.advance();  // USING
  lx.advance();  // the module's name
  if (lx.current().kind != token_kind::lparen) return {};
  const std::size_t begin = lx.current().begin;
  std::size_t depth = 0;
  for (; !lx.done(); lx.advance()) {
    if (lx.current().kind == token_kind::error) return {};
    if (lx.current().kind == token_kind::lparen) ++depth;
    if (lx.current().kind == token_kind::rparen && --depth == 0) {
      return {begin, lx.current().end};
    }
  }
  return {};
}

// Pass 1 in PostgreSQL's dialect: lexical problems, statement count and the $N placeholders,
// which bind declared parameter N wherever they appear. A `;` always ends a statement there
// (a function body is a dollar-quoted string). False when a problem was found.
constexpr bool analyse_postgres_text(std::string_view sql, sql_shape& shape) {
  using postgres_lexer = basic_lexer<dialect::postgres>;
  std::size_t max_number = 0;
  bool seen_statement = false;
  bool after_semicolon = false;
  for (postgres_lexer lx{sql}; !lx.done(); lx.advance()) {
    const token& t = lx.current();
    if (t.kind == token_kind::error) {
      shape.problem = sql_problem::lex_error;
      shape.problem_offset = t.begin;
      return false;
    }
    if (t.kind == token_kind::semicolon) {
      after_semicolon = seen_statement;
      continue;
    }
    if (after_semicolon) {
      shape.problem = sql_problem::several_statements;
      shape.problem_offset = t.begin;
      return false;
    }
    seen_statement = true;
    if (t.kind == token_kind::placeholder) {
      const std::size_t n = parse_number(lx.text().substr(1));
      if (n > max_number) max_number = n;
    }
  }
  if (!seen_statement) {
    shape.problem = sql_problem::empty;
    return false;
  }
  postgres_lexer first{sql};
  while (first.current().kind == token_kind::semicolon) first.advance();
  if (!starts_statement(first)) {
    shape.problem = sql_problem::unknown_statement;
    shape.problem_offset = first.current().begin;
    return false;
  }
  // Each of $1..$N must appear, or a declared parameter would bind nowhere.
  for (std::size_t k = 1; k <= max_number; ++k) {
    bool found = false;
    for (postgres_lexer lx{sql}; !lx.done() && !found; lx.advance()) {
      found = lx.current().kind == token_kind::placeholder && parse_number(lx.text().substr(1)) == k;
    }
    if (!found) {
      shape.problem = sql_problem::placeholder_gap;
      return false;
    }
  }
  shape.numbered_names = true;
  shape.parameter_count = max_number;
  shape.sqlite_parameter_count = max_number;
  return true;
}

template <dialect D = dialect::sqlite>
constexpr sql_shape analyse_sql(std::string_view sql) {
  sql_shape shape{};
  // SQLite reads text only up to a NUL byte, even inside a literal or a comment: whatever
  // follows would be dropped without a word, so a NUL anywhere is refused.
  if (const std::size_t nul = sql.find('\0'); nul != std::string_view::npos) {
    shape.problem = sql_problem::lex_error;
    shape.problem_offset = nul;
    return shape;
  }
  if constexpr (D == dialect::postgres) {
    if (!analyse_postgres_text(sql, shape)) return shape;
  } else {
    // Pass 1: lexical problems, statement count, placeholders.
    bool anonymous = false, numbered = false, named_numeric = false, named_plain = false;
    std::size_t next_index = 0;        // SQLite's running parameter counter
    std::size_t max_numbered = 0;      // highest ?NNN
    std::size_t max_named_number = 0;  // highest $N / :N
    bool seen_statement = false;
    bool after_semicolon = false;
    statement_ends ends;
    const text_span opaque = module_arguments(sql);
    for (lexer lx{sql}; !lx.done(); lx.advance()) {
      const token& t = lx.current();
      if (t.kind == token_kind::error) {
        shape.problem = sql_problem::lex_error;
        shape.problem_offset = t.begin;
        return shape;
      }
      if (t.begin >= opaque.begin && t.begin < opaque.end) continue;  // module arguments
      const bool ends_statement = ends.ends_statement(lx);
      if (t.kind == token_kind::semicolon) {
        if (seen_statement && ends_statement) after_semicolon = true;
        continue;
      }
      if (after_semicolon) {
        shape.problem = sql_problem::several_statements;
        shape.problem_offset = t.begin;
        return shape;
      }
      seen_statement = true;
      if (t.kind != token_kind::placeholder) continue;
      const std::string_view p = lx.text();
      if (p[0] == '?') {
        if (p.size() == 1) {
          anonymous = true;
          ++next_index;
        } else {
          numbered = true;
          const std::size_t n = parse_number(p.substr(1));
          if (n > max_numbered) max_numbered = n;
          if (n > next_index) next_index = n;
        }
        continue;
      }
      const std::string_view name = p.substr(1);
      if (is_numbered_name(name)) {
        named_numeric = true;
        const std::size_t n = parse_number(name);
        if (n > max_named_number) max_named_number = n;
      } else {
        named_plain = true;
      }
      if (first_named_index(sql, p, t.begin) == 0) ++next_index;
    }
    if (!seen_statement) {
      shape.problem = sql_problem::empty;
      return shape;
    }
    {
      lexer first{sql};
      while (first.current().kind == token_kind::semicolon) first.advance();
      if (!starts_statement(first)) {
        shape.problem = sql_problem::unknown_statement;
        shape.problem_offset = first.current().begin;
        return shape;
      }
    }
    const int styles = int(anonymous || numbered) + int(named_numeric) + int(named_plain);
    if (styles > 1 || (anonymous && numbered)) {
      shape.problem = sql_problem::mixed_placeholders;
      return shape;
    }
    shape.sqlite_parameter_count = next_index;
    if (named_numeric) {
      shape.numbered_names = true;
      shape.parameter_count = max_named_number;
      // Each of $1..$N must appear, or a declared parameter would bind nowhere.
      for (std::size_t k = 1; k <= max_named_number; ++k) {
        bool found = false;
        for (lexer lx{sql}; !lx.done(); lx.advance()) {
          if (lx.current().kind == token_kind::placeholder && lx.text()[0] != '?' &&
              is_numbered_name(lx.text().substr(1)) && parse_number(lx.text().substr(1)) == k) {
            found = true;
            break;
          }
        }
        if (!found) {
          shape.problem = sql_problem::placeholder_gap;
          return shape;
        }
      }
    } else {
      shape.parameter_count = next_index;
      if (numbered) {
        for (std::size_t k = 1; k <= max_numbered; ++k) {
          bool found = false;
          for (lexer lx{sql}; !lx.done(); lx.advance()) {
            if (lx.current().kind == token_kind::placeholder && lx.text()[0] == '?' &&
                lx.text().size() > 1 && parse_number(lx.text().substr(1)) == k) {
              found = true;
              break;
            }
          }
          if (!found) {
            shape.problem = sql_problem::placeholder_gap;
            return shape;
          }
        }
      }
    }
  }
  // Pass 2: the statement's verb and result columns. In a WITH clause,
  // `name [(columns)] AS [[NOT] MATERIALIZED] (body), ...`, the main statement's verb is the
  // first depth-0 token after a `)` that is neither `,` nor `AS`: a CTE's name or columns
  // may be keywords SQLite lets stand for names (`WITH replace(x) AS (...)`).
  basic_lexer<D> lx{sql};
  while (lx.current().kind == token_kind::semicolon) lx.advance();
  if (lx.is_keyword("WITH"sv)) {
    std::size_t depth = 0;
    bool after_group = false;  // the previous token closed a depth-0 group
    for (; !lx.done(); lx.advance()) {
      const token& t = lx.current();
      if (depth == 0 && after_group && t.kind != token_kind::comma && !lx.is_keyword("AS"sv)) {
        break;
      }
      if (t.kind == token_kind::lparen) ++depth;
      if (t.kind == token_kind::rparen && depth > 0) --depth;
      after_group = depth == 0 && t.kind == token_kind::rparen;
    }
  }
  analyse_result(lx, shape);
  return shape;
}

// Whether the lexical error SQLite's dialect reports at `offset` lies in PostgreSQL syntax
// that PostgreSQL's dialect reads: a `::` cast, a dollar-quoted or E'' string, or an operator
// SQLite lacks (@>, #>>, ^, ...). The message then points to pg::query instead of a typo.
constexpr bool postgres_syntax_at(std::string_view sql, std::size_t offset) noexcept {
  for (basic_lexer<dialect::postgres> lx{sql}; !lx.done(); lx.advance()) {
    const token& t = lx.current();
    if (t.kind == token_kind::error) return false;
    if (offset < t.begin || offset >= t.end) continue;
    const std::string_view text = lx.text();
    if (t.kind == token_kind::string) {
      return text[0] == '$' || (text.size() > 1 && text[1] == '\'') || text[0] == 'U' ||
             text[0] == 'u';
    }
    if (t.kind == token_kind::op) return text.find_first_of(":@#^~") != std::string_view::npos;
    return false;
  }
  return false;
}

// The PostgreSQL token at `offset`, for the message about postgres_syntax_at.
constexpr token postgres_token_at(std::string_view sql, std::size_t offset) noexcept {
  for (basic_lexer<dialect::postgres> lx{sql}; !lx.done(); lx.advance()) {
    if (offset >= lx.current().begin && offset < lx.current().end) return lx.current();
  }
  return {token_kind::end, offset, offset};
}

// The SQLite parameter index each declared parameter binds to (0-based declared index).
// Usually i + 1; for $1/$2-style names, the index SQLite gave the name "$N" (names are
// numbered in order of first appearance, so "SELECT $2, $1" binds parameter 1 to index 2).
// PostgreSQL binds $N to parameter N: always i + 1 there.
template <std::size_t N, dialect D = dialect::sqlite>
constexpr std::array<int, N> bind_indices(std::string_view sql, bool numbered_names) {
  std::array<int, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<int>(i + 1);
  if (D == dialect::postgres || !numbered_names) return out;
  for (lexer lx{sql}; !lx.done(); lx.advance()) {
    if (lx.current().kind != token_kind::placeholder) continue;
    if (!is_numbered_name(lx.text().substr(1))) continue;
    const std::size_t n = parse_number(lx.text().substr(1));
    if (n >= 1 && n <= N && out[n - 1] == static_cast<int>(n)) {
      out[n - 1] = static_cast<int>(first_named_index(sql, lx.text(), lx.current().end));
    }
  }
  return out;
}

}  // namespace sqlproof::detail
