#pragma once
// A constexpr tokenizer for SQLite's dialect, following tokenize.c
// (https://sqlite.org/src/file/src/tokenize.c) closely enough that what it calls a
// placeholder is exactly what sqlite3_prepare would: `?` inside a string literal, a quoted
// identifier or a comment is not one.

#include <cstddef>
#include <string_view>

namespace sqlproof::detail {

enum class token_kind : unsigned char {
  end,
  identifier,         // bare word: keyword or name (keywords are told apart by text)
  quoted_identifier,  // "x", [x], `x`
  string,             // 'text' with '' escapes
  blob,               // x'00ff'
  number,
  placeholder,        // ?, ?NNN, :name, @name, $name, #name; a name may hold `::`, end in (...)
  lparen,
  rparen,
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

// Skips white space and comments. An unterminated block comment runs to the end of the text,
// as in SQLite; but `/*` as the text's last two characters is no comment there: tokenize.c
// reads it as `/` (and then `*`).
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

// Reads the token that starts at or after `i`.
constexpr token next_token(std::string_view sv, std::size_t i) noexcept {
  i = skip_trivia(sv, i);
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
  constexpr std::string_view two[] = {"||", "<=", ">=", "<>", "!=", "==", "<<", ">>", "->"};
  if (i + 2 < size + 0 && sv.substr(i, 3) == "->>") return {token_kind::op, i, i + 3};
  for (auto op : two) {
    if (sv.substr(i, 2) == op) return {token_kind::op, i, i + 2};
  }
  constexpr std::string_view one = "+-/%<>=&|~!";
  if (one.find(c) != std::string_view::npos) return {token_kind::op, i, i + 1};
  return {token_kind::error, i, i + 1};
}

// Iterates over a statement's tokens: `for (lexer lx{sql}; !lx.done(); lx.advance())`.
class lexer {
 public:
  constexpr explicit lexer(std::string_view sql) noexcept : sql_(sql), current_(next_token(sql, 0)) {}
  [[nodiscard]] constexpr const token& current() const noexcept { return current_; }
  [[nodiscard]] constexpr bool done() const noexcept { return current_.kind == token_kind::end; }
  constexpr void advance() noexcept { current_ = next_token(sql_, current_.end); }
  [[nodiscard]] constexpr std::string_view text() const noexcept { return current_.text(sql_); }
  [[nodiscard]] constexpr bool is_keyword(std::string_view kw) const noexcept {
    return current_.kind == token_kind::identifier && iequals(text(), kw);
  }

 private:
  std::string_view sql_;
  token current_;
};

// Where statements end, as sqlite3_complete decides (https://sqlite.org/src/file/src/complete.c):
// a `;` ends a statement, except inside the body of CREATE [TEMP | TEMPORARY] TRIGGER, whose
// own statements end with `;` too; there only a `;` that follows `; END` ends it. Feed every
// token in order.
class statement_ends {
 public:
  // True when the current token is a `;` that ends a statement (or stands alone).
  constexpr bool ends_statement(const lexer& lx) noexcept {
    //                      SEMI  OTHER EXPLAIN CREATE TEMP TRIGGER END
    constexpr unsigned char next[7][7] = {
        /* start   */ {0, 1, 2, 3, 1, 1, 1},
        /* normal  */ {0, 1, 1, 1, 1, 1, 1},
        /* explain */ {0, 2, 1, 3, 1, 1, 1},
        /* create  */ {0, 1, 1, 1, 3, 4, 1},
        /* trigger */ {5, 4, 4, 4, 4, 4, 4},
        /* semi    */ {5, 4, 4, 4, 4, 4, 6},
        /* end     */ {0, 4, 4, 4, 4, 4, 4},
    };
    unsigned char kind = 1;
    if (lx.current().kind == token_kind::semicolon) {
      kind = 0;
    } else if (lx.is_keyword("EXPLAIN")) {
      kind = 2;
    } else if (lx.is_keyword("CREATE")) {
      kind = 3;
    } else if (lx.is_keyword("TEMP") || lx.is_keyword("TEMPORARY")) {
      kind = 4;
    } else if (lx.is_keyword("TRIGGER")) {
      kind = 5;
    } else if (lx.is_keyword("END")) {
      kind = 6;
    }
    state_ = next[state_][kind];
    return kind == 0 && state_ == 0;
  }

 private:
  unsigned char state_ = 0;
};

}  // namespace sqlproof::detail
