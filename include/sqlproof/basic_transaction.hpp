#pragma once
/// @file
/// Transactions: `db.transaction(fn)` commits when `fn` returns and rolls back when it throws;
/// nested calls become SAVEPOINTs, so an inner failure undoes only the inner part. Every
/// savepoint is named `sqlproof_savepoint`: ROLLBACK TO and RELEASE act on the most recent
/// savepoint of a name, which is the innermost open one (the same on SQLite and PostgreSQL).
/// `db.begin()` gives the same as an RAII object, `basic_transaction<Backend>`; each backend
/// names it `transaction` (`sqlproof::transaction`, `sqlproof::pg::transaction`) and supplies
/// its verbs and its transaction options (SQLite's `tx_mode`, PostgreSQL's `pg::tx_options`).

#include "detail/chrono.hpp"

#include "error.hpp"

namespace sqlproof {

/// Whether and how `db.transaction` re-runs its callable when the database is busy (on
/// PostgreSQL also after a serialization failure or deadlock, which must be retried).
/// Only the outermost transaction retries (a savepoint cannot re-run its enclosing work).
///
/// The sleep before attempt n+1 is `initial_backoff * 2^(n-1)`, capped at `max_backoff`; with
/// `jitter` (the default) it is drawn uniformly from the upper half of that, so that threads
/// or processes that failed together do not retry in lockstep.
struct retry_policy {
  int max_attempts = 1;                               ///< 1 means no retry.
  std::chrono::milliseconds initial_backoff{5};       ///< Sleep before the second attempt.
  std::chrono::milliseconds max_backoff{500};         ///< Backoff doubles up to this.
  bool jitter = true;                                 ///< Randomize each sleep (see above).

  /// Retry up to `attempts` times in all on `busy_error`.
  static constexpr retry_policy on_busy(int attempts = 5) noexcept {
    return retry_policy{attempts, std::chrono::milliseconds{5}, std::chrono::milliseconds{500},
                        true};
  }

  /// How long to sleep after failed attempt `attempt` (1-based): the capped exponential
  /// backoff, jittered when `jitter` is set.
  [[nodiscard]] SQLPROOF_DECL std::chrono::milliseconds delay_after(int attempt) const noexcept;

 private:
  // xorshift64*, one state per thread, seeded from the thread's own address: no <random>.
  SQLPROOF_DECL static unsigned long long next_random() noexcept;
};

#if SQLPROOF_DEFINITIONS
SQLPROOF_DECL unsigned long long retry_policy::next_random() noexcept {
  static thread_local unsigned long long state = 0;
  if (state == 0) {
    state = reinterpret_cast<unsigned long long>(&state) * 0x9E3779B97F4A7C15ULL | 1ULL;
  }
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

SQLPROOF_DECL std::chrono::milliseconds retry_policy::delay_after(int attempt) const noexcept {
  std::chrono::milliseconds d = initial_backoff;
  for (int i = 1; i < attempt && d < max_backoff; ++i) d *= 2;
  if (d > max_backoff) d = max_backoff;
  if (!jitter || d.count() < 2) return d;
  const auto half = d.count() / 2;
  return std::chrono::milliseconds{
      d.count() - half +
      static_cast<long long>(next_random() % static_cast<unsigned long long>(half + 1))};
}
#endif

/// An open transaction or savepoint; rolls back in its destructor unless committed.
///
/// @code
/// auto tx = db.begin(sqlproof::tx_mode::immediate);
/// db.exec<add_user>("Ann", std::nullopt, 31);
/// tx.commit();
/// @endcode
/// Not copyable; movable. Must not outlive its database.
///
/// `Backend` supplies `connection` (with `tx_depth` and `transaction_rolled_back`),
/// `transaction_options`, and the verbs `begin`, `savepoint`, `release_savepoint`,
/// `rollback_to_savepoint`, `commit`, `rollback`, `in_transaction` and
/// `throw_transaction_aborted`.
template <class Backend>
class basic_transaction {
  using connection = typename Backend::connection;

 public:
  /// Begins a transaction on `c` (a SAVEPOINT when one is already open).
  basic_transaction(connection& c, const typename Backend::transaction_options& options);

  basic_transaction(basic_transaction&& o) noexcept
      : conn_(o.conn_), level_(o.level_), savepoint_(o.savepoint_) {
    o.conn_ = nullptr;
  }
  basic_transaction& operator=(basic_transaction&&) = delete;
  basic_transaction(const basic_transaction&) = delete;
  basic_transaction& operator=(const basic_transaction&) = delete;

  /// Rolls back if neither `commit()` nor `rollback()` was called.
  ~basic_transaction() {
    if (conn_ != nullptr) rollback_noexcept();
  }

  /// Makes the work permanent (COMMIT, or RELEASE for a savepoint). On failure (e.g. a
  /// deferred foreign key violation, or busy) throws, and the transaction stays open so that
  /// the destructor rolls it back. Throws `transaction_aborted_error` when the database has
  /// already rolled the transaction back on its own: there is nothing left to commit.
  void commit();

  /// Undoes the work (ROLLBACK, or ROLLBACK TO + RELEASE for a savepoint).
  void rollback();

  /// True until committed or rolled back.
  [[nodiscard]] bool active() const noexcept { return conn_ != nullptr; }

  /// 1 for the outermost transaction, 2 for a savepoint inside it, and so on.
  [[nodiscard]] int depth() const noexcept { return level_; }

 private:
  void ensure_active(const char* what) const;

  void rollback_noexcept() noexcept;

  connection* conn_;
  int level_ = 0;
  bool savepoint_ = false;
};

// Defined outside the class, so that they are not inline: with SQLPROOF_SEPARATE_COMPILATION
// SQLite's transaction is compiled once, in the implementation file (sqlite/database.hpp).
template <class Backend>
basic_transaction<Backend>::basic_transaction(connection& c,
                                              const typename Backend::transaction_options& options)
    : conn_(&c) {
  if (c.transaction_rolled_back) [[unlikely]] {
    Backend::throw_transaction_aborted("cannot begin a nested transaction");
  }
  // A transaction the application began by hand (exec_script("BEGIN")) counts as open too.
  savepoint_ = c.tx_depth > 0 || Backend::in_transaction(c);
  level_ = c.tx_depth + 1;
  if (savepoint_) {
    Backend::savepoint(c);
  } else {
    Backend::begin(c, options);
  }
  ++c.tx_depth;
}

template <class Backend>
void basic_transaction<Backend>::commit() {
  ensure_active("commit");
  if (conn_->tx_depth != level_) {
    detail::throw_error(detail::error_kind::misuse,
                        "cannot commit a transaction while a nested one is still open");
  }
  if (conn_->transaction_rolled_back) [[unlikely]] {
    Backend::throw_transaction_aborted("cannot commit");
  }
  if (savepoint_) {
    Backend::release_savepoint(*conn_);
  } else {
    Backend::commit(*conn_);
  }
  --conn_->tx_depth;
  conn_ = nullptr;
}

template <class Backend>
void basic_transaction<Backend>::rollback() {
  ensure_active("roll back");
  rollback_noexcept();
}

template <class Backend>
void basic_transaction<Backend>::ensure_active(const char* what) const {
  if (conn_ == nullptr) {
    detail::throw_error(detail::error_kind::misuse,
                        detail::concat({"cannot ", what, " a transaction that has already ended"}));
  }
}

template <class Backend>
void basic_transaction<Backend>::rollback_noexcept() noexcept {
  // The database may already have rolled back on its own (SQLite after SQLITE_FULL, IOERR
  // or an interrupt:
  // https://sqlite.org/lang_transaction.html#response_to_errors_within_a_transaction), in which
  // case ROLLBACK fails with "no transaction is active": nothing is left to undo.
  try {
    if (Backend::in_transaction(*conn_)) {
      if (savepoint_) {
        Backend::rollback_to_savepoint(*conn_);
        Backend::release_savepoint(*conn_);
      } else {
        Backend::rollback(*conn_);
      }
    }
  } catch (...) {  // a destructor must not throw; the connection reports it on next use
  }
  conn_->tx_depth = level_ - 1;
  // The outermost transaction has ended: whatever the database rolled back is behind us.
  if (conn_->tx_depth == 0) conn_->transaction_rolled_back = false;
  conn_ = nullptr;
}

}  // namespace sqlproof
