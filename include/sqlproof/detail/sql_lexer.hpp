#pragma once
// A constexpr tokenizer for SQLite's dialect, following tokenize.c
// (https://sqlite.org/src/file/src/tokenize.c) closely enough that what it calls a
// placeholder is exactly what sqlite3_prepare would: `?` inside a string literal, a quoted
// identifier or a comment is not one.
//
// With dialect::postgres it reads PostgreSQL's dialect instead, following scan.l
// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html): dollar-quoted strings,
// E'' (backslash escapes), U&'' and U&"", B''/X''/N'', nested block comments, `::`, array
// brackets, and operators as runs of + - * / < > = ~ ! @ # % ^ & | ` ?; the only
// placeholders are $1, $2 ... The differences are `if constexpr` branches at the characters
// where the two dialects part, so the SQLite reading compiles exactly as before.

#include <cstddef>
#include <string_view>

#include "../dialect.hpp"

namespace sqlproof::detail {

// Words compared in constant evaluation are written as string_view literals ("FROM"sv): a
// string_view made from a plain literal measures it character by character there
// (char_traits::length), which both compilers' evaluators walk step by step.
using std::literals::string_view_literals::operator""sv;

enum class token_kind : unsigned char {
  end,
  identifier,         // bare word: keyword or name (keywords are told apart by text)
  quoted_identifier,  // "x", [x], `x`; PostgreSQL: "x", U&"x"
  string,             // 'text' with '' escapes; PostgreSQL also E'', U&'', N'', $tag$...$tag$
  blob,               // x'00ff'; PostgreSQL: the bit strings B'0101' and X'1f'
  number,
  placeholder,        // ?, ?NNN, :name, @name, $name, #name; a name may hold `::`, end in (...)
                      // PostgreSQL: $N only
  lparen,
  rparen,
  lbracket,           // PostgreSQL's `[` of a subscript or an ARRAY[...] (SQLite: a quote)
  rbracket,
  comma,
  semicolon,
  dot,
  star,
  op,                 // any other operator
  error,              // unterminated literal or a character SQLite does not accept
};

struct token {
  token_kind kind = token_kind::end;
  std::size_t begin = 0;
  std::size_t end = 0;
  constexpr std::string_view text(std::string_view sql) const noexcept {
    return sql.substr(begin, end - begin);
  }
};

// White space between tokens, as tokenize.c classes it: a vertical tab is not among it (it is
// a character SQLite does not accept), although sqlite3Isspace counts it elsewhere.
constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
// SQLite treats every byte >= 0x80 as part of an identifier (UTF-8 names).
constexpr bool is_id_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}
constexpr bool is_id_start(char c) noexcept { return is_id_char(c) && !is_digit(c) && c != '$'; }

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

// Pointer reads and `| 0x20` on letters only: this runs for every word of every query in
// constant evaluation, where each call and each checked operator[] costs.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* const x = a.data();
  const char* const y = b.data();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = x[i];
    const char d = y[i];
    if (c != d && !((c | 0x20) == (d | 0x20) && (c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
      return false;
    }
  }
  return true;
}

// PostgreSQL's block comments nest (`/* a /* b */ c */` is one comment); an unterminated one
// is an error there. Returns the end of the comment that starts at `i`, or `size` + 1 when it
// is not closed.
constexpr std::size_t skip_nested_comment(const char* s, std::size_t size, std::size_t i) noexcept {
  std::size_t depth = 0;
  while (i < size) {
    if (s[i] == '/' && i + 1 < size && s[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (s[i] == '*' && i + 1 < size && s[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return size + 1;
}

// Skips white space and comments. An unterminated block comment runs to the end of the text,
// as in SQLite; but `/*` as the text's last two characters is no comment there: tokenize.c
// reads it as `/` (and then `*`). In PostgreSQL's dialect an unterminated block comment is
// left where it starts, and next_token reports it.
template <dialect D = dialect::sqlite>
constexpr std::size_t skip_trivia(std::string_view sv, std::size_t i) noexcept {
  // Plain pointer reads: std::string_view::operator[] checks its argument in constant
  // evaluation, several operations per character of every query.
  const char* const s = sv.data();
  const std::size_t size = sv.size();
  while (i < size) {
    if (is_space(s[i])) {
      ++i;
    } else if (s[i] == '-' && i + 1 < size && s[i + 1] == '-') {
      while (i < size && s[i] != '\n') ++i;
    } else if constexpr (D == dialect::postgres) {
      if (s[i] == '/' && i + 1 < size && s[i + 1] == '*') {
        const std::size_t end = skip_nested_comment(s, size, i);
        if (end > size) return i;
        i = end;
      } else {
        break;
      }
    } else if (s[i] == '/' && i + 2 < size && s[i + 1] == '*') {
      i += 2;
      while (i < size && !(s[i] == '*' && i + 1 < size && s[i + 1] == '/')) ++i;
      i = i < size ? i + 2 : size;
    } else {
      break;
    }
  }
  return i;
}

// PostgreSQL's operator characters (scan.l, op_chars).
constexpr bool is_postgres_op_char(char c) noexcept {
  switch (c) {
    case '~': case '!': case '@': case '#': case '^': case '&': case '|': case '`': case '?':
    case '+': case '-': case '*': case '/': case '%': case '<': case '>': case '=':
      return true;
    default:
      return false;
  }
}

// PostgreSQL's operators: the longest run of operator characters, stopping before a `--` or
// `/*` (which start comments); a run of more than one character loses trailing `+` and `-`
// unless it holds one of ~ ! @ # % ^ & | ` ? (scan.l, so `a<-1` is `a < -1`, `@-` stays).
constexpr std::size_t postgres_operator_end(const char* s, std::size_t size, std::size_t i) noexcept {
  std::size_t j = i;
  bool special = false;
  while (j < size && is_postgres_op_char(s[j])) {
    if (j > i && j + 1 < size &&
        ((s[j] == '-' && s[j + 1] == '-') || (s[j] == '/' && s[j + 1] == '*'))) {
      break;
    }
    switch (s[j]) {
      case '~': case '!': case '@': case '#': case '^': case '&': case '|': case '`': case '?':
      case '%':
        special = true;
        break;
      default:
        break;
    }
    ++j;
  }
  if (!special) {
    while (j - i > 1 && (s[j - 1] == '+' || s[j - 1] == '-')) --j;
  }
  return j;
}

// The end of PostgreSQL's quoted text that opens at `i` with `open` (the quote) and closes
// with the same character doubled or alone; with `backslash`, a backslash escapes the next
// character (E''). `size` + 1 when it is not closed.
constexpr std::size_t postgres_quoted_end(const char* s, std::size_t size, std::size_t i,
                                          bool backslash) noexcept {
  const char close = s[i];
  std::size_t j = i + 1;
  while (j < size) {
    if (backslash && s[j] == '\\') {
      j += 2;
    } else if (s[j] == close) {
      if (j + 1 < size && s[j + 1] == close) {
        j += 2;
      } else {
        return j + 1;
      }
    } else {
      ++j;
    }
  }
  return size + 1;
}

// A dollar-quoted string, `$$...$$` or `$tag$...$tag$` (a tag is an identifier without `$`),
// that starts at `i`: its end, or 0 when `$` does not open one here, or `size` + 1 when it is
// not closed.
constexpr std::size_t dollar_quoted_end(std::string_view sv, std::size_t i) noexcept {
  const char* const s = sv.data();
  const std::size_t size = sv.size();
  std::size_t j = i + 1;
  if (j < size && s[j] != '$') {
    if (!is_id_start(s[j])) return 0;
    while (j < size && is_id_char(s[j]) && s[j] != '$') ++j;
    if (j >= size || s[j] != '$') return 0;
  }
  if (j >= size) return 0;
  // The closing tag, searched by index: string_view::find compares pointers with null, which
  // GCC 12 does not evaluate at compile time on text inside a template argument when
  // sanitizers are on.
  const std::size_t length = j + 1 - i;
  for (std::size_t at = j + 1; at + length <= size; ++at) {
    std::size_t k = 0;
    while (k < length && s[at + k] == s[i + k]) ++k;
    if (k == length) return at + length;
  }
  return size + 1;
}

// SQLite's two-character operators (a namespace-scope array: Clang's constant evaluator would
// build a constexpr local again on every call).
inline constexpr std::string_view two_character_operators[] = {
    "||"sv, "<="sv, ">="sv, "<>"sv, "!="sv, "=="sv, "<<"sv, ">>"sv, "->"sv};

// Reads the token that starts at or after `i`.
template <dialect D = dialect::sqlite>
constexpr token next_token(std::string_view sv, std::size_t i) noexcept {
  constexpr bool postgres = D == dialect::postgres;
  i = skip_trivia<D>(sv, i);
  const char* const s = sv.data();
  const std::size_t size = sv.size();
  token t{token_kind::end, i, i};
  if (i >= size) return t;
  const char c = s[i];
  auto quoted = [&](char close, token_kind kind) {
    std::size_t j = i + 1;
    while (j < size) {
      if (s[j] == close) {
        if (close != ']' && j + 1 < size && s[j + 1] == close) {
          j += 2;  // doubled quote is an escaped quote
          continue;
        }
        return token{kind, i, j + 1};
      }
      ++j;
    }
    return token{token_kind::error, i, size};
  };
  if constexpr (postgres) {
    // Where PostgreSQL's dialect parts from SQLite's; everything else is read alike.
    const auto ends_at = [&](token_kind kind, std::size_t end) {
      return end > size ? token{token_kind::error, i, size} : token{kind, i, end};
    };
    const char lower = ascii_lower(c);
    const char next = i + 1 < size ? s[i + 1] : '\0';
    switch (c) {
      case '[': return {token_kind::lbracket, i, i + 1};
      case ']': return {token_kind::rbracket, i, i + 1};
      case ':':  // `::` cast, `:=`, or the `:` of a slice a[1:2]
        return {token_kind::op, i, next == ':' || next == '=' ? i + 2 : i + 1};
      case '$': {
        if (is_digit(next)) {  // a parameter: $1; `$1x` and `$0` are errors in PostgreSQL
          std::size_t j = i + 1;
          bool zero = true;
          for (; j < size && is_digit(s[j]); ++j) zero = zero && s[j] == '0';
          if (zero || (j < size && is_id_char(s[j]))) return {token_kind::error, i, j};
          return {token_kind::placeholder, i, j};
        }
        const std::size_t end = dollar_quoted_end(sv, i);
        if (end == 0) return {token_kind::error, i, i + 1};
        return ends_at(token_kind::string, end);
      }
      case '`': return {token_kind::op, i, postgres_operator_end(s, size, i)};
      default: break;
    }
    if (next == '\'' && (lower == 'e' || lower == 'n')) {  // E'a\'b', N'text'
      return ends_at(token_kind::string, postgres_quoted_end(s, size, i + 1, lower == 'e'));
    }
    if (next == '\'' && (lower == 'b' || lower == 'x')) {  // bit strings B'0101', X'1f'
      return ends_at(token_kind::blob, postgres_quoted_end(s, size, i + 1, false));
    }
    if (lower == 'u' && next == '&' && i + 2 < size && (s[i + 2] == '\'' || s[i + 2] == '"')) {
      return ends_at(s[i + 2] == '"' ? token_kind::quoted_identifier : token_kind::string,
                     postgres_quoted_end(s, size, i + 2, false));
    }
    if (c == '/' && next == '*') return {token_kind::error, i, size};  // unterminated comment
    if (c != '*' && is_postgres_op_char(c)) {
      return {token_kind::op, i, postgres_operator_end(s, size, i)};
    }
    if (c == '*') {
      const std::size_t end = postgres_operator_end(s, size, i);
      return {end == i + 1 ? token_kind::star : token_kind::op, i, end};
    }
  }
  switch (c) {
    case '\'': return quoted('\'', token_kind::string);
    case '"': return quoted('"', token_kind::quoted_identifier);
    case '`': return quoted('`', token_kind::quoted_identifier);
    case '[': return quoted(']', token_kind::quoted_identifier);
    case '(': return {token_kind::lparen, i, i + 1};
    case ')': return {token_kind::rparen, i, i + 1};
    case ',': return {token_kind::comma, i, i + 1};
    case ';': return {token_kind::semicolon, i, i + 1};
    case '*': return {token_kind::star, i, i + 1};
    case '?': {
      std::size_t j = i + 1;
      while (j < size && is_digit(s[j])) ++j;
      return {token_kind::placeholder, i, j};
    }
    case ':':
    case '@':
    case '$':
    case '#': {
      // tokenize.c, TK_VARIABLE: identifier characters, with `::` allowed anywhere
      // (`$a::b`, `:a::b`) and, after at least one identifier character, a `(...)` suffix
      // that runs to the first `)` and may hold anything but white space (`$a(x;y)`). The
      // whole token is the parameter's name. `#` followed by a digit is a register reference
      // that only SQLite's internal parses accept: in a statement it is a syntax error.
      std::size_t j = i + 1;
      std::size_t id_chars = 0;
      while (j < size) {
        if (is_id_char(s[j])) {
          ++j;
          ++id_chars;
        } else if (s[j] == '(' && id_chars > 0) {
          ++j;
          while (j < size && s[j] != ')' && s[j] != '\0' && !is_space(s[j]) && s[j] != '\v') {
            ++j;
          }
          if (j >= size || s[j] != ')') return {token_kind::error, i, j};
          ++j;
          break;
        } else if (s[j] == ':' && j + 1 < size && s[j + 1] == ':') {
          j += 2;
        } else {
          break;
        }
      }
      if (id_chars == 0 || (c == '#' && is_digit(s[i + 1]))) return {token_kind::error, i, j};
      return {token_kind::placeholder, i, j};
    }
    default: break;
  }
  if ((c == 'x' || c == 'X') && i + 1 < size && s[i + 1] == '\'') {
    std::size_t j = i + 2;
    while (j < size && s[j] != '\'') ++j;
    if (j >= size) return {token_kind::error, i, size};
    return {token_kind::blob, i, j + 1};
  }
  if (is_digit(c) || (c == '.' && i + 1 < size && is_digit(s[i + 1]))) {
    std::size_t j = i;
    if (c == '0' && j + 1 < size && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
      j += 2;
      while (j < size && (is_digit(s[j]) || (ascii_lower(s[j]) >= 'a' && ascii_lower(s[j]) <= 'f'))) ++j;
      return {token_kind::number, i, j};
    }
    while (j < size && (is_digit(s[j]) || s[j] == '_')) ++j;
    if (j < size && s[j] == '.') {
      ++j;
      while (j < size && (is_digit(s[j]) || s[j] == '_')) ++j;
    }
    if (j < size && (s[j] == 'e' || s[j] == 'E')) {
      std::size_t k = j + 1;
      if (k < size && (s[k] == '+' || s[k] == '-')) ++k;
      if (k < size && is_digit(s[k])) {
        j = k;
        while (j < size && is_digit(s[j])) ++j;
      }
    }
    return {token_kind::number, i, j};
  }
  if (c == '.') return {token_kind::dot, i, i + 1};
  if (is_id_start(c)) {
    std::size_t j = i + 1;
    while (j < size && is_id_char(s[j])) ++j;
    return {token_kind::identifier, i, j};
  }
  // Operators, longest match first.
  if (i + 2 < size + 0 && sv.substr(i, 3) == "->>"sv) return {token_kind::op, i, i + 3};
  for (const std::string_view op : two_character_operators) {
    if (sv.substr(i, 2) == op) return {token_kind::op, i, i + 2};
  }
  constexpr std::string_view one = "+-/%<>=&|~!";
  if (one.find(c) != std::string_view::npos) return {token_kind::op, i, i + 1};
  return {token_kind::error, i, i + 1};
}

// Iterates over a statement's tokens: `for (lexer lx{sql}; !lx.done(); lx.advance())`;
// `basic_lexer<dialect::postgres>` reads PostgreSQL's dialect.
template <dialect D>
class basic_lexer {
 public:
  constexpr explicit basic_lexer(std::string_view sql) noexcept
      : sql_(sql), current_(next_token<D>(sql, 0)) {}
  [[nodiscard]] constexpr const token& current() const noexcept { return current_; }
  [[nodiscard]] constexpr bool done() const noexcept { return current_.kind == token_kind::end; }
  constexpr void advance() noexcept { current_ = next_token<D>(sql_, current_.end); }
  [[nodiscard]] constexpr std::string_view text() const noexcept { return current_.text(sql_); }
  static constexpr dialect written_in = D;
  // The length first, from the token's bounds: most words are not the keyword asked about,
  // and in constant evaluation building the token's text costs more than the comparison.
  [[nodiscard]] constexpr bool is_keyword(std::string_view kw) const noexcept {
    return current_.kind == token_kind::identifier && current_.end - current_.begin == kw.size() &&
           iequals(std::string_view(sql_.data() + current_.begin, kw.size()), kw);
  }

 private:
  std::string_view sql_;
  token current_;
};

using lexer = basic_lexer<dialect::sqlite>;

// Where statements end, as sqlite3_complete decides (https://sqlite.org/src/file/src/complete.c):
// a `;` ends a statement, except inside the body of CREATE [TEMP | TEMPORARY] TRIGGER, whose
// own statements end with `;` too; there only a `;` that follows `; END` ends it. Feed every
// token in order.
class statement_ends {
 public:
  // True when the current token is a `;` that ends a statement (or stands alone).
  constexpr bool ends_statement(const lexer& lx) noexcept {
    const token& t = lx.current();
    if (state_ == normal) {  // past a statement's first words: only a `;` changes the state
      if (t.kind != token_kind::semicolon) return false;
      state_ = 0;
      return true;
    }
    // Dispatched on the word's length (END 3, TEMP 4, CREATE 6, EXPLAIN and TRIGGER 7,
    // TEMPORARY 9): this runs for every token of every query in constant evaluation, where
    // six keyword comparisons per token were about a third of a query's analysis.
    unsigned char kind = 1;
    if (t.kind == token_kind::semicolon) {
      kind = 0;
    } else if (t.kind == token_kind::identifier) {
      switch (t.end - t.begin) {
        case 3:
          kind = lx.is_keyword("END"sv) ? 6 : 1;
          break;
        case 4:
          kind = lx.is_keyword("TEMP"sv) ? 4 : 1;
          break;
        case 6:
          kind = lx.is_keyword("CREATE"sv) ? 3 : 1;
          break;
        case 7:
          kind = lx.is_keyword("EXPLAIN"sv) ? 2 : lx.is_keyword("TRIGGER"sv) ? 5 : 1;
          break;
        case 9:
          kind = lx.is_keyword("TEMPORARY"sv) ? 4 : 1;
          break;
        default: break;
      }
    }
    state_ = next[state_][kind];
    return kind == 0 && state_ == 0;
  }

 private:
  // A class member, not a constexpr local: Clang's constant evaluator builds a local array
  // again on every call (docs/performance.md, change 11).
  //                                         SEMI  OTHER EXPLAIN CREATE TEMP TRIGGER END
  static constexpr unsigned char next[7][7] = {
      /* start   */ {0, 1, 2, 3, 1, 1, 1},
      /* normal  */ {0, 1, 1, 1, 1, 1, 1},
      /* explain */ {0, 2, 1, 3, 1, 1, 1},
      /* create  */ {0, 1, 1, 1, 3, 4, 1},
      /* trigger */ {5, 4, 4, 4, 4, 4, 4},
      /* semi    */ {5, 4, 4, 4, 4, 4, 6},
      /* end     */ {0, 4, 4, 4, 4, 4, 4},
  };
  static constexpr unsigned char normal = 1;

  unsigned char state_ = 0;
};

}  // namespace sqlproof::detail
