#pragma once
// What the migration runner refuses in a migration's own SQL: statements that begin or end a
// transaction. The runner wraps each migration and its history row (and, on SQLite,
// `PRAGMA user_version`) in one transaction; a COMMIT in the migration's text would make everything before it permanent
// and let the rest (history row included) run in autocommit, and a ROLLBACK would undo the
// migration's first statements while the runner went on to record it as applied.

#include <array>
#include <string_view>

#include "../dialect.hpp"
#include "sql_lexer.hpp"

namespace sqlproof::detail {

// What a backend's script runner calls around each statement of a migration that runs in the
// runner's transaction: `before` once it is known and has not run yet, `after` once it has
// run. Either may throw to stop the script there.
struct statement_checks {
  void (*before)(void* context, std::string_view statement) = nullptr;
  void (*after)(void* context, std::string_view statement) = nullptr;
  void* context = nullptr;
};

// The verbs that begin or end a transaction in each dialect, besides ROLLBACK (whose TO form
// only rolls back to a savepoint). PostgreSQL adds START TRANSACTION and ABORT
// (https://www.postgresql.org/docs/current/sql-commands.html).
inline constexpr std::array<std::string_view, 3> sqlite_transaction_verbs{"BEGIN", "COMMIT", "END"};
inline constexpr std::array<std::string_view, 5> postgres_transaction_verbs{"BEGIN", "COMMIT", "END",
                                                                            "START", "ABORT"};

// `transaction_verb` below, in dialect D.
template <dialect D>
constexpr std::string_view transaction_verb_in(std::string_view statement) noexcept {
  basic_lexer<D> lx{statement};
  if constexpr (D == dialect::postgres) {
    for (const std::string_view verb : postgres_transaction_verbs) {
      if (lx.is_keyword(verb)) return verb;
    }
  } else {
    for (const std::string_view verb : sqlite_transaction_verbs) {
      if (lx.is_keyword(verb)) return verb;
    }
  }
  if (!lx.is_keyword("ROLLBACK")) return {};
  for (lx.advance(); !lx.done() && lx.current().kind != token_kind::semicolon; lx.advance()) {
    if (lx.is_keyword("TO")) return {};
  }
  return "ROLLBACK";
}

// The verb of a statement that would begin or end a transaction: "BEGIN", "COMMIT", "END" or
// "ROLLBACK"; empty for any other statement. SAVEPOINT, RELEASE and ROLLBACK TO give empty:
// inside a transaction begun with BEGIN they nest within it and cannot end it
// (https://sqlite.org/lang_savepoint.html: only RELEASE of the outermost savepoint commits,
// and the runner's BEGIN is not a savepoint). `statement` is one statement, with any leading
// comments. SQLite's grammar (https://sqlite.org/lang_transaction.html):
//   BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION]
//   COMMIT|END [TRANSACTION]
//   ROLLBACK [TRANSACTION [name]] [TO [SAVEPOINT] name]
// TO is a reserved word (it is not in parse.y's %fallback ID list), so a bare TO after
// ROLLBACK always starts the savepoint form; EXPLAIN in front runs nothing and gives empty.
constexpr std::string_view transaction_verb(std::string_view statement) noexcept {
  return transaction_verb_in<dialect::sqlite>(statement);
}

// Leading white space and comments removed, for an error message.
template <dialect D>
constexpr std::string_view statement_text_in(std::string_view statement) noexcept {
  statement.remove_prefix(skip_trivia<D>(statement, 0));
  while (!statement.empty() && is_space(statement.back())) statement.remove_suffix(1);
  return statement;
}
constexpr std::string_view statement_text(std::string_view statement) noexcept {
  return statement_text_in<dialect::sqlite>(statement);
}

}  // namespace sqlproof::detail
