#pragma once
// What the migration runner refuses in a migration's own SQL: statements that begin or end a
// transaction. The runner wraps each migration, its history row and `PRAGMA user_version` in
// one transaction; a COMMIT in the migration's text would make everything before it permanent
// and let the rest (history row included) run in autocommit, and a ROLLBACK would undo the
// migration's first statements while the runner went on to record it as applied.

#include <string_view>

#include "sql_lexer.hpp"

namespace sqlproof::detail {

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
  lexer lx{statement};
  for (const std::string_view verb : {"BEGIN", "COMMIT", "END"}) {
    if (lx.is_keyword(verb)) return verb;
  }
  if (!lx.is_keyword("ROLLBACK")) return {};
  for (lx.advance(); !lx.done() && lx.current().kind != token_kind::semicolon; lx.advance()) {
    if (lx.is_keyword("TO")) return {};
  }
  return "ROLLBACK";
}

// Leading white space and comments removed, for an error message.
constexpr std::string_view statement_text(std::string_view statement) noexcept {
  statement.remove_prefix(skip_trivia(statement, 0));
  while (!statement.empty() && is_space(statement.back())) statement.remove_suffix(1);
  return statement;
}

}  // namespace sqlproof::detail
