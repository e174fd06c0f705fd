#pragma once
// The state behind a `database`: the SQLite handle, its statement cache and the transaction
// depth. Kept on the heap so a `database` can move while statements and transactions point
// at it.

#include <string>
#include <string_view>

#include "../error.hpp"
#include "../statement_cache.hpp"
#include "sql_lexer.hpp"
#include "sqlite_api.hpp"

namespace sqlproof::detail {

struct connection_state {
  sqlite_db* db = nullptr;
  statement_cache cache;
  int tx_depth = 0;        // open transactions + savepoints started through sqlproof
  std::string path;

  explicit connection_state(std::size_t cache_capacity) : cache(cache_capacity) {}
};

// Runs every statement in `sql`, one after another, discarding rows. An error names the
// statement that failed; statements before it stay applied (wrap in a transaction for
// all-or-nothing).
inline void exec_script(sqlite_db* db, std::string_view sql) {
  std::size_t pos = 0;
  while (true) {
    pos = skip_trivia(sql, pos);
    while (pos < sql.size() && sql[pos] == ';') pos = skip_trivia(sql, pos + 1);
    if (pos >= sql.size()) return;
    const std::string_view rest = sql.substr(pos);
    sqlite_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = prepare(db, rest, false, &stmt, &tail);
    const std::size_t used =
        tail != nullptr ? static_cast<std::size_t>(tail - rest.data()) : rest.size();
    const std::string_view one = rest.substr(0, used);
    if (rc != sqlite_ok) {
      finalize(stmt);
      throw_db_error(db, rc, "script statement failed to prepare", one);
    }
    if (stmt == nullptr) return;  // only comments left
    do {
      rc = step(stmt);
    } while (rc == sqlite_row);
    if (rc != sqlite_done) {
      const int code = extended_errcode(db);
      std::string msg = errmsg(db);
      finalize(stmt);
      throw_sqlite_error(code, "script statement failed", std::move(msg), one, {});
    }
    finalize(stmt);
    pos += used;
  }
}

// Runs one short statement (BEGIN, COMMIT, SAVEPOINT ...) through the dynamic LRU so that
// transaction control is prepared once per connection.
inline void exec_control(connection_state& c, std::string_view sql) {
  auto lease = c.cache.checkout_dynamic(sql, [&] {
    sqlite_stmt* stmt = nullptr;
    const int rc = prepare(c.db, sql, true, &stmt, nullptr);
    if (rc != sqlite_ok) {
      finalize(stmt);
      throw_db_error(c.db, rc, "cannot prepare statement", sql);
    }
    return stmt;
  });
  int rc = step(lease.get());
  while (rc == sqlite_row) rc = step(lease.get());
  if (rc != sqlite_done) {
    const int code = extended_errcode(c.db);
    std::string msg = errmsg(c.db);
    throw_sqlite_error(code, "statement failed", std::move(msg), sql, {});
  }
}

}  // namespace sqlproof::detail
