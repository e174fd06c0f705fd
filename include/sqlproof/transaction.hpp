#pragma once
/// @file
/// Transactions: `database::transaction(fn)` commits when `fn` returns and rolls back when it
/// throws; nested calls become SAVEPOINTs, so an inner failure undoes only the inner part.
/// Every savepoint is named `sqlproof_savepoint`: SQLite's ROLLBACK TO and RELEASE act on the
/// most recent savepoint of a name, which is the innermost open one.
/// `database::begin()` gives the same as an RAII object.

#include "detail/chrono.hpp"
#include <string>

#include "detail/connection.hpp"
#include "detail/sqlite_api.hpp"
#include "error.hpp"

namespace sqlproof {

/// How the outermost transaction takes its locks (https://sqlite.org/lang_transaction.html).
enum class tx_mode {
  deferred,   ///< Locks on first read/write. Read-then-write may fail with busy in WAL mode.
  immediate,  ///< Takes the write lock at BEGIN (waiting up to busy_timeout): the safe
              ///< choice for read-modify-write transactions.
  exclusive,  ///< Like immediate; in rollback-journal mode also keeps readers out.
};

/// Whether and how `database::transaction` re-runs its callable when the database is busy.
/// Only the outermost transaction retries (a savepoint cannot re-run its enclosing work).
struct retry_policy {
  int max_attempts = 1;                               ///< 1 means no retry.
  std::chrono::milliseconds initial_backoff{5};       ///< Sleep before the second attempt.
  std::chrono::milliseconds max_backoff{500};         ///< Backoff doubles up to this.

  /// Retry up to `attempts` times in all on `busy_error`.
  static constexpr retry_policy on_busy(int attempts = 5) noexcept {
    return retry_policy{attempts, std::chrono::milliseconds{5}, std::chrono::milliseconds{500}};
  }
};

/// An open transaction or savepoint; rolls back in its destructor unless committed.
///
/// @code
/// auto tx = db.begin(sqlproof::tx_mode::immediate);
/// db.exec<add_user>("Ann", std::nullopt, 31);
/// tx.commit();
/// @endcode
/// Not copyable; movable. Must not outlive its database.
class transaction {
 public:
  /// Begins a transaction on `c` (a SAVEPOINT when one is already open).
  transaction(detail::connection_state& c, tx_mode mode) : conn_(&c) {
    if (c.transaction_rolled_back) [[unlikely]] {
      detail::throw_transaction_aborted("cannot begin a nested transaction");
    }
    // A transaction the application began by hand (exec_script("BEGIN")) counts as open too.
    savepoint_ = c.tx_depth > 0 || !detail::autocommit(c.db);
    level_ = c.tx_depth + 1;
    if (savepoint_) {
      detail::exec_control<"SAVEPOINT sqlproof_savepoint">(c);
    } else if (mode == tx_mode::immediate) {
      detail::exec_control<"BEGIN IMMEDIATE">(c);
    } else if (mode == tx_mode::exclusive) {
      detail::exec_control<"BEGIN EXCLUSIVE">(c);
    } else {
      detail::exec_control<"BEGIN DEFERRED">(c);
    }
    ++c.tx_depth;
  }

  transaction(transaction&& o) noexcept
      : conn_(o.conn_), level_(o.level_), savepoint_(o.savepoint_) {
    o.conn_ = nullptr;
  }
  transaction& operator=(transaction&&) = delete;
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

  /// Rolls back if neither `commit()` nor `rollback()` was called.
  ~transaction() {
    if (conn_ != nullptr) rollback_noexcept();
  }

  /// Makes the work permanent (COMMIT, or RELEASE for a savepoint). On failure (e.g. a
  /// deferred foreign key violation, or busy) throws, and the transaction stays open so that
  /// the destructor rolls it back. Throws `transaction_aborted_error` when SQLite has already
  /// rolled the transaction back on its own: there is nothing left to commit.
  void commit() {
    ensure_active("commit");
    if (conn_->tx_depth != level_) {
      detail::throw_error(detail::error_kind::misuse,
                          "cannot commit a transaction while a nested one is still open");
    }
    if (conn_->transaction_rolled_back) [[unlikely]] {
      detail::throw_transaction_aborted("cannot commit");
    }
    if (savepoint_) {
      detail::exec_control<"RELEASE sqlproof_savepoint">(*conn_);
    } else {
      detail::exec_control<"COMMIT">(*conn_);
    }
    --conn_->tx_depth;
    conn_ = nullptr;
  }

  /// Undoes the work (ROLLBACK, or ROLLBACK TO + RELEASE for a savepoint).
  void rollback() {
    ensure_active("roll back");
    rollback_noexcept();
  }

  /// True until committed or rolled back.
  [[nodiscard]] bool active() const noexcept { return conn_ != nullptr; }
  /// 1 for the outermost transaction, 2 for a savepoint inside it, and so on.
  [[nodiscard]] int depth() const noexcept { return level_; }

 private:
  void ensure_active(const char* what) const {
    if (conn_ == nullptr) {
      detail::throw_error(detail::error_kind::misuse,
                          detail::concat({"cannot ", what, " a transaction that has already ended"}));
    }
  }

  void rollback_noexcept() noexcept {
    // SQLite may already have rolled back on its own (SQLITE_FULL, IOERR, interrupt:
    // https://sqlite.org/lang_transaction.html#response_to_errors_within_a_transaction), in
    // which case ROLLBACK fails with "no transaction is active": nothing is left to undo.
    try {
      if (savepoint_) {
        if (!detail::autocommit(conn_->db)) {
          detail::exec_control<"ROLLBACK TO sqlproof_savepoint">(*conn_);
          detail::exec_control<"RELEASE sqlproof_savepoint">(*conn_);
        }
      } else if (!detail::autocommit(conn_->db)) {
        detail::exec_control<"ROLLBACK">(*conn_);
      }
    } catch (...) {  // a destructor must not throw; the connection reports it on next use
    }
    conn_->tx_depth = level_ - 1;
    // The outermost transaction has ended: whatever SQLite rolled back is behind us.
    if (conn_->tx_depth == 0) conn_->transaction_rolled_back = false;
    conn_ = nullptr;
  }

  detail::connection_state* conn_;
  int level_ = 0;
  bool savepoint_ = false;
};

}  // namespace sqlproof
