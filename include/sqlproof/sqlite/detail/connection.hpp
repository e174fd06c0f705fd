#pragma once
// The state behind a `database`: the SQLite handle, its statement cache and the transaction
// depth. Kept on the heap so a `database` can move while statements and transactions point
// at it.

#include <cstdint>
#include <string>
#include <string_view>

#include "../../callback.hpp"
#include "../../config.hpp"
#include "../../error.hpp"
#include "../../fixed_string.hpp"
#include "../statement_cache.hpp"
#include "../../detail/connection_use.hpp"
#include "api.hpp"
#include "watch.hpp"

namespace sqlproof::detail {

struct connection_state {
  sqlite_db* db = nullptr;
  statement_cache cache;
  int tx_depth = 0;        // open transactions + savepoints started through sqlproof
  // Set when the transaction rolled back while tx_depth > 0 (SQLite's own rollback after
  // SQLITE_FULL, IOERR or an interrupt, or a ROLLBACK run by hand): statements are refused
  // until tx_depth is back to 0, so nothing runs in autocommit inside db.transaction.
  bool transaction_rolled_back = false;
  std::string path;
  // The trace hook (database::set_trace): called with each finished statement and its run
  // time in nanoseconds. SQLite holds a pointer to this state, so clear_trace runs before
  // the connection closes.
  callback<void(sqlite_stmt*, std::int64_t)> on_profile;
  // Busy handler, deadlines and statistics (watch.hpp); SQLite holds a pointer to it.
  watch_state watch;

  explicit connection_state(std::size_t cache_capacity) : cache(cache_capacity) {}
};

// The rollback hook every connection installs (database::open). A flag rather than a
// sqlite3_get_autocommit call before each statement: the check on the hot path is one byte.
inline void note_rollback(void* state) noexcept {
  auto& c = *static_cast<connection_state*>(state);
  if (c.tx_depth > 0) c.transaction_rolled_back = true;
}

// Refuses `action` (a statement, a savepoint, a commit) on a connection whose transaction
// SQLite has rolled back under an open db.transaction.
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_transaction_aborted(
    std::string_view action, std::string_view sql = {}, std::string_view query_name = {})
#if SQLPROOF_DEFINITIONS
{
  throw transaction_aborted_error(
      concat({action,
              ": the transaction was rolled back by SQLite after an earlier error (disk full, "
              "I/O error or interrupt) or by a ROLLBACK; nothing runs until the outermost "
              "transaction ends"}),
      {sqlite_abort_rollback, errstr(sqlite_abort_rollback), sql, query_name});
}
#else
    ;
#endif

// Called before a statement runs on `c`.
SQLPROOF_ALWAYS_INLINE void ensure_transaction_usable(const connection_state& c,
                                                      std::string_view sql,
                                                      std::string_view query_name = {}) {
  if (c.transaction_rolled_back) [[unlikely]] {
    throw_transaction_aborted("statement refused", sql, query_name);
  }
}

// Unregisters the trace hook, so SQLite holds no pointer into `c` (a statement that outlives
// the connection through sqlite3_close_v2 could otherwise still report to it).
inline void clear_trace(connection_state& c) noexcept {
  if (c.db != nullptr && c.on_profile) trace_v2(c.db, 0, nullptr, nullptr);
  c.on_profile = nullptr;
}

// Looks at each statement of a script: `before` once it is prepared and has not run yet,
// `after` once it has run. Either may throw to stop the script there. The migration runner
// uses it to keep a migration's SQL from ending the transaction the migration runs in.
struct script_review {
  void (*before)(void* context, std::string_view statement) = nullptr;
  void (*after)(void* context, std::string_view statement) = nullptr;
  void* context = nullptr;
};

// Runs every statement in `sql`, one after another, discarding rows. An error names the
// statement that failed; statements before it stay applied (wrap in a transaction for
// all-or-nothing). SQLite itself splits the text: each prepare consumes one statement and
// reports where the next begins; comments and empty statements prepare to nothing.
SQLPROOF_NOINLINE SQLPROOF_DECL void exec_script(sqlite_db* db, std::string_view sql,
                                                 const script_review* review = nullptr)
#if SQLPROOF_DEFINITIONS
{
  while (!sql.empty()) {
    sqlite_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = prepare(db, sql, false, &stmt, &tail);
    const std::size_t used =
        tail != nullptr ? static_cast<std::size_t>(tail - sql.data()) : sql.size();
    if (rc != sqlite_ok) {
      finalize(stmt);
      // After a syntax error the tail points just past the offending token: name the text up
      // to the end of that line or the next `;`, whichever comes first.
      const std::size_t end = sql.find_first_of(";\n", used);
      throw_db_error(db, rc, "script statement failed to prepare",
                     sql.substr(0, end == std::string_view::npos ? sql.size() : end + 1));
    }
    if (stmt == nullptr) {
      if (used == 0) return;  // nothing consumed: only white space was left
      sql.remove_prefix(used);
      continue;
    }
    const std::string_view text = sql.substr(0, used);
    if (review != nullptr && review->before != nullptr) {
      try {
        review->before(review->context, text);
      } catch (...) {
        finalize(stmt);
        throw;
      }
    }
    do {
      rc = step(stmt);
    } while (rc == sqlite_row);
    if (rc != sqlite_done) {
      const int code = extended_errcode(db);
      const std::string msg = errmsg(db);
      finalize(stmt);
      throw_sqlite_error(code, "script statement failed", msg, text, {});
    }
    finalize(stmt);
    if (review != nullptr && review->after != nullptr) review->after(review->context, text);
    sql.remove_prefix(used);
  }
}
#else
    ;
#endif

// The number a one-value pragma returns (`PRAGMA schema_version`), read when a connection
// opens: a read, which in WAL mode never waits for a writer. An error names no SQL: it is
// about the file.
SQLPROOF_NOINLINE SQLPROOF_DECL std::int64_t read_number(sqlite_db* db, std::string_view sql)
#if SQLPROOF_DEFINITIONS
{
  sqlite_stmt* stmt = nullptr;
  int rc = prepare(db, sql, false, &stmt, nullptr);
  std::int64_t value = 0;
  if (rc == sqlite_ok) {
    rc = step(stmt);
    if (rc == sqlite_row) {
      {
        const row_lock lock(stmt);
        value = column_ref(stmt, 0).int64();
      }
      rc = step(stmt);
    }
  }
  if (rc != sqlite_ok && rc != sqlite_done) {
    const std::string message = errmsg(db);
    const int code = extended_errcode(db);
    finalize(stmt);
    throw_sqlite_error(code, "cannot read the database file", message, {}, {});
  }
  finalize(stmt);
  return value;
}
#else
    ;
#endif

// A transaction-control statement (BEGIN, COMMIT, SAVEPOINT ...) as a type, so that it gets a
// typed-cache slot: prepared once per connection, and it does not take room in the LRU that
// holds the application's dynamic SQL.
template <fixed_string Sql>
struct control_statement {
  static constexpr std::string_view sql = Sql.view();
};

// The work is done once, here, for every control statement; each one instantiates only the
// call in exec_control.
SQLPROOF_NOINLINE SQLPROOF_DECL void exec_control_statement(connection_state& c, std::size_t slot,
                                                            std::string_view sql)
#if SQLPROOF_DEFINITIONS
{
  const connection_use use(c.cache);
  auto lease = c.cache.checkout_typed(
      slot,
      [&] {
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
    count_failure(c.watch, rc);
    throw_db_error(c.db, rc, "statement failed", sql);
  }
}
#else
    ;
#endif

template <fixed_string Sql>
inline void exec_control(connection_state& c) {
  exec_control_statement(c, query_slot<control_statement<Sql>>(), Sql.view());
}

}  // namespace sqlproof::detail
