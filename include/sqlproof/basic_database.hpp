#pragma once
/// @file
/// `basic_database<Backend>`: one connection, with the typed-query entry points `exec`, `one`,
/// `all` and `iter`, dynamic SQL, transactions and the statement cache.
///
/// The backend is a compile-time policy, never a virtual call: each entry point inlines down
/// to the backend's own code. Each backend names its instance:
/// - `sqlproof::database` = `basic_database<sqlite_backend>` (<sqlproof/database.hpp>);
/// - `sqlproof::pg::database` = `basic_database<postgres_backend>` (<sqlproof/postgres.hpp>).
///
/// What differs between backends (opening, options, PRAGMAs or connection strings, the
/// maintenance members of SQLite) lives in the backend's own headers: members only one backend
/// has come from its `extension` base.

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "basic_transaction.hpp"
#include "config.hpp"
#include "detail/chrono.hpp"
#include "detail/call_checks.hpp"
#include "detail/connection_use.hpp"
#include "error.hpp"
#include "query.hpp"

namespace sqlproof {

namespace detail {

// The one door from a backend's extra members (maintenance, pools) to the connection behind a
// database: `live` throws misuse_error on a closed or moved-from database.
struct connection_access {
  template <class Db>
  static auto* live(const Db& db) {
    return db.live();
  }
  template <class Db>
  static auto* state(const Db& db) noexcept {
    return db.state_;
  }
};

}  // namespace detail

/// One connection to a database through `Backend`.
///
/// Typed queries run through `exec`, `one`, `all` and `iter`; their statements are prepared
/// once per connection and cached. Thread-safety: like a standard container, a database is
/// used by one thread at a time; a call made while another thread is inside a call on the
/// same database throws `misuse_error` instead of corrupting it. Movable, not copyable.
/// @code
/// sqlproof::database db{"app.db", sqlproof::options::production()};
/// auto r = db.exec<add_user>("Ann", std::nullopt, 31);
/// std::optional<User> u = db.one<find_user>(r.last_insert_rowid);
/// @endcode
template <class Backend>
class basic_database : public Backend::template extension<basic_database<Backend>> {
  using connection = typename Backend::connection;
  template <class Q>
  using range_of = typename Backend::template row_range<detail::row_or_int_t<Q>>;

 public:
  /// The backend policy (`sqlite_backend`, `postgres_backend`).
  using backend_type = Backend;
  /// How a connection is opened (`sqlproof::options`, `sqlproof::pg::options`).
  using options_type = typename Backend::options;
  /// What `exec` reports.
  using exec_result_type = typename Backend::exec_result;
  /// How the outermost transaction begins (`tx_mode`, `pg::tx_options`).
  using transaction_options = typename Backend::transaction_options;
  /// The RAII transaction `begin()` returns.
  using transaction_type = basic_transaction<Backend>;
  /// The handle for dynamic SQL that `prepare` and `prepare_cached` return.
  using statement_type = typename Backend::statement;
  /// The connection's statement cache.
  using statement_cache_type = typename Backend::statement_cache;

  /// Opens a connection to `target` (SQLite: a path or `":memory:"`; PostgreSQL: a libpq
  /// connection string). Throws `open_error` naming the target, or `busy_error`.
  explicit basic_database(std::string target, const options_type& o = options_type{})
      : state_(Backend::open(std::move(target), o)) {}

  basic_database(basic_database&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  basic_database& operator=(basic_database&& other) noexcept {
    if (this != &other) {
      Backend::destroy(std::exchange(state_, nullptr));
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  basic_database(const basic_database&) = delete;
  basic_database& operator=(const basic_database&) = delete;

  /// Releases cached statements and closes the connection.
  ~basic_database() { Backend::destroy(state_); }

  /// Closes the connection after releasing every cached statement. Throws `misuse_error`
  /// when a statement is still checked out (a live `row_range` or statement), or when the
  /// database refuses to close. Closing a closed database does nothing.
  void close() {
    if (state_ != nullptr && Backend::is_open(*state_)) Backend::close(*state_);
  }

  /// True until closed (or moved from).
  [[nodiscard]] bool is_open() const noexcept {
    return state_ != nullptr && Backend::is_open(*state_);
  }

  /// Runs typed query `Q` (row type void) with `args` and reports what changed.
  /// Throws `constraint_error`, `busy_error`, `type_error` or `error` (naming the query).
  template <class Q, class... Args>
  exec_result_type exec(Args&&... args) {
    // Q::checked named here runs the query's own checks one level above the user's call, so
    // its error comes within the first lines of the compiler's output.
    if constexpr (!detail::query_like<Q>) {
      static_cast<void>(detail::check_call<Q, detail::call_kind::exec, Args...>());
      return {};
    } else if constexpr (Q::checked && Backend::template accepts<Q>() &&
                         detail::check_call<Q, detail::call_kind::exec, Args...>()) {
      return Backend::template runner<Q>::exec(*live(), std::forward<Args>(args)...);
    } else {
      return {};
    }
  }

  /// Runs typed query `Q` and reads its first row, or `std::nullopt` when it returns none.
  template <class Q, class... Args>
  detail::optional_row_t<Q> one(Args&&... args) {
    if constexpr (!detail::query_like<Q>) {
      static_cast<void>(detail::check_call<Q, detail::call_kind::rows, Args...>());
      return {};
    } else if constexpr (Q::checked && Backend::template accepts<Q>() &&
                         detail::check_call<Q, detail::call_kind::rows, Args...>()) {
      return Backend::template runner<Q>::one(*live(), std::forward<Args>(args)...);
    } else {
      return {};
    }
  }

  /// Runs typed query `Q` and reads every row into a vector.
  template <class Q, class... Args>
  detail::row_vector_t<Q> all(Args&&... args) {
    if constexpr (!detail::query_like<Q>) {
      static_cast<void>(detail::check_call<Q, detail::call_kind::rows, Args...>());
      return {};
    } else if constexpr (Q::checked && Backend::template accepts<Q>() &&
                         detail::check_call<Q, detail::call_kind::rows, Args...>()) {
      return Backend::template runner<Q>::all(*live(), std::forward<Args>(args)...);
    } else {
      return {};
    }
  }

  /// Runs typed query `Q` and returns its rows as a range read one at a time (no vector).
  /// The range keeps the statement checked out until destroyed; arguments are copied.
  template <class Q, class... Args>
  range_of<Q> iter(Args&&... args) {
    if constexpr (!detail::query_like<Q>) {
      static_cast<void>(detail::check_call<Q, detail::call_kind::rows, Args...>());
      return range_of<Q>({}, {});
    } else if constexpr (Q::checked && Backend::template accepts<Q>() &&
                         detail::check_call<Q, detail::call_kind::rows, Args...>()) {
      return Backend::template runner<Q>::iter(*live(), std::forward<Args>(args)...);
    } else {
      return range_of<Q>({}, {});
    }
  }

  /// Runs every statement in `sql` in order (a schema, a seed script). Not atomic by itself
  /// on SQLite: wrap it in `transaction` for all-or-nothing. Throws naming the statement
  /// that failed.
  void exec_script(std::string_view sql) { Backend::exec_script(*live(), sql); }

  /// A statement for dynamic SQL, from (and returned to) the connection's LRU cache.
  statement_type prepare_cached(std::string_view sql) {
    return Backend::prepare_cached(*live(), sql);
  }

  /// A statement for dynamic SQL that is not cached (released when destroyed): for SQL that
  /// differs on every call.
  statement_type prepare(std::string_view sql) { return Backend::prepare(*live(), sql); }

  /// Runs `fn` in a transaction: commits when it returns, rolls back when it throws (and
  /// rethrows). Nested calls become savepoints. `fn` takes no argument or a transaction&.
  /// With `retry.max_attempts > 1`, the outermost call re-runs `fn` on `busy_error`.
  template <class F>
  decltype(auto) transaction(F&& fn, const transaction_options& options = transaction_options{},
                             retry_policy retry = {}) {
    connection* c = live();
    const bool outermost = c->tx_depth == 0;
    for (int attempt = 1;; ++attempt) {
      try {
        transaction_type tx(*c, options);
        if constexpr (std::is_invocable_v<F&, transaction_type&>) {
          using result = std::invoke_result_t<F&, transaction_type&>;
          if constexpr (std::is_void_v<result>) {
            fn(tx);
            if (tx.active()) tx.commit();
            return;
          } else {
            result r = fn(tx);
            if (tx.active()) tx.commit();
            return r;
          }
        } else {
          using result = std::invoke_result_t<F&>;
          if constexpr (std::is_void_v<result>) {
            fn();
            tx.commit();
            return;
          } else {
            result r = fn();
            tx.commit();
            return r;
          }
        }
      } catch (const busy_error&) {
        if (!outermost || attempt >= retry.max_attempts) throw;
      }
      if constexpr (requires { Backend::note_busy_retry(*c); }) Backend::note_busy_retry(*c);
      Backend::sleep_for(retry.delay_after(attempt));
    }
  }

  /// Begins a transaction (a savepoint when one is open) as an RAII object that rolls back
  /// unless `commit()` is called.
  [[nodiscard]] transaction_type begin(const transaction_options& options = transaction_options{}) {
    return transaction_type(*live(), options);
  }

  /// True while a transaction is open on this connection.
  [[nodiscard]] bool in_transaction() const noexcept {
    return is_open() && Backend::in_transaction(*state_);
  }

  /// The connection's statement cache (stats, clear, capacity).
  /// Throws `misuse_error` on a moved-from database.
  [[nodiscard]] statement_cache_type& cache() {
    if (state_ == nullptr) {
      detail::throw_error(detail::error_kind::misuse, "the database was moved from");
    }
    return state_->cache;
  }

  /// The backend's own connection handle (`sqlite3*`, `PGconn*`), for calls sqlproof does
  /// not wrap. Do not close it.
  [[nodiscard]] auto native_handle() const noexcept {
    return state_ != nullptr ? Backend::native_handle(*state_) : nullptr;
  }

 private:
  friend struct detail::connection_access;

  connection* live() const {
    if (state_ == nullptr || !Backend::is_open(*state_)) [[unlikely]] {
      detail::throw_error(detail::error_kind::misuse, "the database is closed");
    }
    return state_;
  }

  // Owned; on the heap so that statements and transactions can point at it while the
  // database object moves.
  connection* state_ = nullptr;
};

}  // namespace sqlproof
