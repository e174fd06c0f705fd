#pragma once
// A query's text for the backend that runs it, and the checks that it is written for that
// backend: sql_text<Q, D> and check_dialect<Q, D>(), both instantiated only where a backend
// uses Q, so a SQLite query used on SQLite costs nothing for them.
//
// A portable query (written in SQLite's dialect) is rendered for PostgreSQL at compile time:
// its placeholders become $1, $2 ... numbered as SQLite numbers them
// (https://sqlite.org/lang_expr.html#varparam), so `$k` binds the k-th declared parameter and
// binding on PostgreSQL is the identity. Strings, quoted identifiers and comments are copied
// as they are. Before that, a token walk refuses the SQLite-only constructs PostgreSQL would
// reject or read differently (sqlite_only_constructs); it guards known traps and is no
// validator: the server checks the rest when it prepares the statement.

#include <cstddef>
#include <string_view>

#include "../dialect.hpp"
#include "../fixed_string.hpp"
#include "schema_diagnostics.hpp"
#include "sql_lexer.hpp"
#include "sql_shape.hpp"

namespace sqlproof::detail {

// string_view literals for the words compared: see sql_lexer.hpp.
using std::literals::string_view_literals::operator""sv;

// ---- rendering a portable query for PostgreSQL ----------------------------------------

// Calls `out(token, k)` for each placeholder of SQLite text `sql`, k being the parameter it
// binds: `?` the next number, `?NNN` NNN, `:a @a $a #a` the number SQLite gave the name at
// its first use, and a numbered name ($N, :N, @N) N, the declared parameter it binds.
template <class Out>
constexpr void for_each_placeholder_number(std::string_view sql, Out out) {
  std::size_t next = 0;  // SQLite's running parameter counter
  for (lexer lx{sql}; !lx.done(); lx.advance()) {
    if (lx.current().kind != token_kind::placeholder) continue;
    const std::string_view p = lx.text();
    std::size_t k = 0;
    if (p[0] == '?') {
      k = p.size() == 1 ? ++next : parse_number(p.substr(1));
      if (k > next) next = k;
    } else if (is_numbered_name(p.substr(1))) {
      k = parse_number(p.substr(1));
    } else {
      const std::size_t seen = first_named_index(sql, p, lx.current().begin);
      k = seen != 0 ? seen : ++next;
    }
    out(lx.current(), k);
  }
}

constexpr std::size_t decimal_digits(std::size_t n) noexcept {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

constexpr std::size_t postgres_rendering_size(std::string_view sql) {
  std::size_t size = sql.size();
  for_each_placeholder_number(sql, [&](const token& t, std::size_t k) {
    size = size - (t.end - t.begin) + 1 + decimal_digits(k);
  });
  return size;
}

template <std::size_t N>
struct rendered_sql {
  char text[N + 1]{};
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {text, N}; }
};

template <std::size_t N>
constexpr rendered_sql<N> render_for_postgres(std::string_view sql) {
  rendered_sql<N> out{};
  std::size_t n = 0;
  std::size_t from = 0;
  const auto copy = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) out.text[n++] = sql[i];
  };
  for_each_placeholder_number(sql, [&](const token& t, std::size_t k) {
    copy(from, t.begin);
    out.text[n++] = '$';
    n += decimal_digits(k);
    std::size_t i = n;
    do {
      out.text[--i] = char('0' + k % 10);
      k /= 10;
    } while (k != 0);
    from = t.end;
  });
  copy(from, sql.size());
  return out;
}

// The rendering of portable query Q, stored once per query type.
template <class Q>
inline constexpr auto postgres_rendering =
    render_for_postgres<postgres_rendering_size(Q::sql)>(Q::sql);

template <class Q, dialect D>
consteval std::string_view text_in() {
  if constexpr (D == dialect::postgres && Q::written_in == dialect::sqlite) {
    if constexpr (Q::sql_source.is_either()) {
      return Q::sql_source.postgres.view();
    } else {
      return postgres_rendering<Q>.view();
    }
  } else {
    return Q::sql;
  }
}

// The text a backend of dialect D sends for query Q: for a portable query on PostgreSQL, its
// rendering (placeholders as $1, $2 ..., `$k` binding declared parameter k - 1) or the
// PostgreSQL text of either<>; else Q::sql. A std::string_view into static storage.
// (A pg::query has no SQLite text: check_dialect refuses it there.)
template <class Q, dialect D>
inline constexpr std::string_view sql_text = text_in<Q, D>();

// ---- the portability lint --------------------------------------------------------------

// How a construct of sqlite_only_constructs is found in the SQLite token stream.
enum class sqlite_only_match : unsigned char {
  none,
  first_word,        // the statement's first word: PRAGMA
  first_word_then,   // the first word, and `next` later in the statement: VACUUM ... INTO
  word_then,         // `word` directly followed by `next`: INSERT OR
  function,          // `word` directly followed by `(`: ifnull(
  word,              // `word` anywhere as a bare word: rowid, GLOB
  blob_literal,      // x'00ff'
  quoted_with,       // a quoted identifier opened by `word`: `name` or [name]
  operator_text,     // the operator `word`: ==
  limit_comma,       // LIMIT offset, count
  placeholder_name,  // a parameter name holding `::` or `(...)`: $a::int8, $a(x)
};

struct sqlite_only_construct {
  sqlite_only_match match = sqlite_only_match::none;
  std::string_view word;
  std::string_view next;
  std::string_view construct;  // as the error shows it
  std::string_view instead;    // what PostgreSQL has
};

// The constructs a portable query may not use on PostgreSQL: PostgreSQL rejects them, or
// (==, a placeholder named $a::int8) reads them differently.
inline constexpr sqlite_only_construct sqlite_only_constructs[] = {
    {sqlite_only_match::word_then, "INSERT"sv, "OR"sv, "INSERT OR ..."sv,
     "INSERT ... ON CONFLICT (...) DO NOTHING or DO UPDATE"sv},
    {sqlite_only_match::word_then, "UPDATE"sv, "OR"sv, "UPDATE OR ..."sv,
     "UPDATE, or ON CONFLICT"sv},
    {sqlite_only_match::word_then, "REPLACE"sv, "INTO"sv, "REPLACE INTO"sv,
     "INSERT ... ON CONFLICT (...) DO UPDATE"sv},
    {sqlite_only_match::first_word, "PRAGMA"sv, ""sv, "PRAGMA"sv, "SET, SHOW or the catalogs"sv},
    {sqlite_only_match::first_word, "ATTACH"sv, ""sv, "ATTACH"sv,
     "a schema, or another connection"sv},
    {sqlite_only_match::first_word, "DETACH"sv, ""sv, "DETACH"sv,
     "a schema, or another connection"sv},
    {sqlite_only_match::first_word_then, "VACUUM"sv, "INTO"sv, "VACUUM INTO"sv, "pg_dump"sv},
    {sqlite_only_match::function, "json_each"sv, ""sv, "json_each(...)"sv,
     "jsonb_array_elements_text($1::jsonb), or = ANY($1)"sv},
    {sqlite_only_match::function, "json_tree"sv, ""sv, "json_tree(...)"sv,
     "jsonb_path_query(...)"sv},
    {sqlite_only_match::function, "ifnull"sv, ""sv, "ifnull(a, b)"sv, "coalesce(a, b)"sv},
    {sqlite_only_match::function, "strftime"sv, ""sv, "strftime(...)"sv,
     "to_char(...) or extract(...)"sv},
    {sqlite_only_match::function, "datetime"sv, ""sv, "datetime(...)"sv,
     "now(), to_timestamp(...) or a timestamp literal"sv},
    {sqlite_only_match::function, "unixepoch"sv, ""sv, "unixepoch(...)"sv,
     "extract(epoch FROM ...)"sv},
    {sqlite_only_match::function, "julianday"sv, ""sv, "julianday(...)"sv,
     "extract(julian FROM ...)"sv},
    {sqlite_only_match::function, "instr"sv, ""sv, "instr(s, t)"sv, "strpos(s, t)"sv},
    {sqlite_only_match::function, "group_concat"sv, ""sv, "group_concat(...)"sv,
     "string_agg(x, sep)"sv},
    {sqlite_only_match::function, "last_insert_rowid"sv, ""sv, "last_insert_rowid()"sv,
     "RETURNING id"sv},
    {sqlite_only_match::word, "glob"sv, ""sv, "GLOB or glob(...)"sv,
     "LIKE, or ~ (a regular expression)"sv},
    {sqlite_only_match::word, "rowid"sv, ""sv, "rowid"sv, "the table's primary key"sv},
    {sqlite_only_match::word, "_rowid_"sv, ""sv, "_rowid_"sv, "the table's primary key"sv},
    {sqlite_only_match::word, "oid"sv, ""sv, "oid"sv, "the table's primary key"sv},
    {sqlite_only_match::word, "AUTOINCREMENT"sv, ""sv, "AUTOINCREMENT"sv,
     "GENERATED ALWAYS AS IDENTITY"sv},
    {sqlite_only_match::blob_literal, ""sv, ""sv, "x'...' blob literal"sv,
     "a bound parameter, or '\\x...'::bytea"sv},
    {sqlite_only_match::quoted_with, "`"sv, ""sv, "`name` quoting"sv, "\"name\""sv},
    {sqlite_only_match::quoted_with, "["sv, ""sv, "[name] quoting"sv, "\"name\""sv},
    {sqlite_only_match::operator_text, "=="sv, ""sv, "=="sv, "="sv},
    {sqlite_only_match::limit_comma, "LIMIT"sv, ""sv, "LIMIT offset, count"sv,
     "LIMIT count OFFSET offset"sv},
    {sqlite_only_match::placeholder_name, ""sv, ""sv, "a parameter name holding :: or (...)"sv,
     "a plain name, and CAST(... AS type)"sv},
};

inline constexpr std::size_t sqlite_only_count =
    sizeof(sqlite_only_constructs) / sizeof(sqlite_only_constructs[0]);

// The first SQLite-only construct of `sql`: its row in sqlite_only_constructs
// (sqlite_only_count when there is none) and its token.
struct sqlite_only_use {
  std::size_t row = sqlite_only_count;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Whether the LIMIT at `lx` has a `,` at its own depth: LIMIT offset, count.
constexpr bool limit_has_comma(lexer lx) noexcept {
  std::size_t depth = 0;
  for (lx.advance(); !lx.done(); lx.advance()) {
    const token_kind k = lx.current().kind;
    if (k == token_kind::lparen) ++depth;
    if (k == token_kind::rparen && depth-- == 0) return false;
    if (k == token_kind::semicolon) return false;
    if (k == token_kind::comma && depth == 0) return true;
  }
  return false;
}

// Whether construct `c` is at `lx`; `ahead` is the lexer one token further.
// Whether a TCL-style placeholder name holds `::` or `(` (SQLite's `$a::b(c)`). By index, not
// string_view::find: find compares its pointer with null, which GCC 12 does not accept in a
// constant expression when the text is part of a template argument and sanitizers are on.
constexpr bool holds_cast_or_call(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(' || (text[i] == ':' && i + 1 < text.size() && text[i + 1] == ':')) {
      return true;
    }
  }
  return false;
}

constexpr bool matches(const sqlite_only_construct& c, const lexer& lx, lexer ahead,
                       bool first_word) noexcept {
  const token& t = lx.current();
  const std::string_view text = lx.text();
  switch (c.match) {
    case sqlite_only_match::first_word:
      return first_word && lx.is_keyword(c.word);
    case sqlite_only_match::first_word_then:
      if (!first_word || !lx.is_keyword(c.word)) return false;
      for (; !ahead.done() && ahead.current().kind != token_kind::semicolon; ahead.advance()) {
        if (ahead.is_keyword(c.next)) return true;
      }
      return false;
    case sqlite_only_match::word_then:
      return lx.is_keyword(c.word) && ahead.is_keyword(c.next);
    case sqlite_only_match::function:
      return lx.is_keyword(c.word) && ahead.current().kind == token_kind::lparen;
    case sqlite_only_match::word:
      return lx.is_keyword(c.word);
    case sqlite_only_match::blob_literal:
      return t.kind == token_kind::blob;
    case sqlite_only_match::quoted_with:
      return t.kind == token_kind::quoted_identifier && text[0] == c.word[0];
    case sqlite_only_match::operator_text:
      return t.kind == token_kind::op && text == c.word;
    case sqlite_only_match::limit_comma:
      return lx.is_keyword(c.word) && limit_has_comma(lx);
    case sqlite_only_match::placeholder_name:
      return t.kind == token_kind::placeholder && text[0] != '?' && holds_cast_or_call(text);
    case sqlite_only_match::none:
      break;
  }
  return false;
}

constexpr sqlite_only_use first_sqlite_only(std::string_view sql) noexcept {
  bool first_word = true;
  for (lexer lx{sql}; !lx.done(); lx.advance()) {
    if (lx.current().kind == token_kind::semicolon) continue;
    lexer ahead = lx;
    ahead.advance();
    for (std::size_t row = 0; row < sqlite_only_count; ++row) {
      if (matches(sqlite_only_constructs[row], lx, ahead, first_word)) {
        return {row, lx.current().begin, lx.current().end};
      }
    }
    first_word = false;
  }
  return {};
}

/// Particulars of a refused construct, shown by the compilers as template arguments.
template <auto... Text> struct sqlite_only {};
template <auto... Text> struct on_postgres {};

// The lint, for a portable query's SQLite text used on PostgreSQL. False after reporting.
template <fixed_string Sql>
consteval bool check_portable() {
  constexpr sqlite_only_use use = first_sqlite_only(Sql.view());
  if constexpr (use.row == sqlite_only_count) {
    return true;
  } else {
    constexpr std::string_view sql = Sql.view();
    constexpr std::string_view token_text = sql.substr(use.begin, use.end - use.begin);
    constexpr sqlite_only_construct c = sqlite_only_constructs[use.row];
    using q = spelled<in_query, make_text<sql.size()>(sql)>;
    using at = spelled<at_token, make_text<token_text.size()>(token_text)>;
    using construct = spelled<sqlite_only, make_text<c.construct.size()>(c.construct)>;
    using instead = spelled<on_postgres, make_text<c.instead.size()>(c.instead)>;
    static_assert(reported<q, at, construct, instead>,
                  "sqlproof: the query, written in SQLite's dialect, uses SQL that PostgreSQL "
                  "does not accept or reads differently (see sqlite_only<construct>, "
                  "on_postgres<what PostgreSQL has instead>); write it with "
                  "sqlproof::either<\"sqlite text\", \"postgres text\"> or as a "
                  "sqlproof::pg::query");
    return false;
  }
}

// A query written in PostgreSQL's dialect, used on SQLite. False after reporting.
template <fixed_string Sql>
consteval bool check_not_postgres_text() {
  using q = spelled<in_query, make_text<Sql.view().size()>(Sql.view())>;
  static_assert(reported<q>,
                "sqlproof: this query is written in PostgreSQL's dialect; run it on a "
                "sqlproof::pg::database");
  return false;
}

// Whether query Q may run on a backend of dialect D; called where a backend uses Q, after
// Q::checked. A portable query on PostgreSQL goes through the lint above; a pg::query on
// SQLite is refused; either<> and a query on its own dialect pass. Each refusal is one
// static_assert. Like sqlproof::checked<Q>, the result is true wherever compilation goes on,
// so `static_assert(check_dialect<Q, D>())` adds no second error.
template <class Q, dialect D>
consteval bool check_dialect() {
  if constexpr (!Q::checked) {
    return true;  // the query's own static_assert has said why
  } else if constexpr (Q::written_in == dialect::postgres && D == dialect::sqlite) {
    static_cast<void>(check_not_postgres_text<Q::sql_source.text>());
    return true;
  } else if constexpr (Q::written_in == dialect::sqlite && D == dialect::postgres &&
                       !Q::sql_source.is_either()) {
    static_cast<void>(check_portable<Q::sql_source.text>());
    return true;
  } else {
    return true;
  }
}

}  // namespace sqlproof::detail
