#pragma once
/// @file
/// `sqlproof::pg::pool`: a fixed number of PostgreSQL connections shared by threads. A thread
/// takes a connection with `acquire()` (an RAII lease) or `with(fn)`, uses it alone, and
/// gives it back; the connection keeps its warm statement cache from one lease to the next.
///
/// What the pool does when a connection comes back:
/// - a transaction left open (BEGIN sent as SQL, or a failed one) is rolled back;
/// - a broken connection (the server restarted, the backend was terminated) is closed, and a
///   new one is opened when a thread next needs one;
/// - a connection older than `pool_options::max_lifetime` is closed the same way;
/// - a connection with a `row_range`, `statement` or `transaction` still alive is a misuse:
///   `lease::release()` and `with` throw `misuse_error`; a lease's destructor sets such a
///   connection aside (never handed out again) and opens a replacement.
///
/// @code
/// #include <sqlproof/postgres/pool.hpp>
/// sqlproof::pg::pool pool{"host=/run/postgresql dbname=app", {.size = 8}};
/// std::thread worker([&] {
///   pool.with([](sqlproof::pg::database& db) { db.exec<add_user>("Ann", 31); });
/// });
/// @endcode
///
/// `<mutex>` and `<condition_variable>` are included here and nowhere else in sqlproof: a
/// program that does not use the pool does not pay for them.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../basic_database.hpp"
#include "../callback.hpp"
#include "../detail/chrono.hpp"
#include "../error.hpp"
#include "database.hpp"

namespace sqlproof::pg {

/// How a `pg::pool` sizes, times and prepares its connections.
/// @code
/// sqlproof::pg::pool_options o{.size = 8, .acquire_timeout = std::chrono::seconds{5},
///                              .max_lifetime = std::chrono::minutes{30},
///                              .on_connect = [](sqlproof::pg::database& db) {
///                                db.exec_script("SET application_name = 'worker'");
///                              }};
/// @endcode
struct pool_options {
  /// Most connections open at once (leased and idle together); at least 1. Each is one
  /// server backend: keep the sum over every process below the server's `max_connections`.
  std::size_t size = 10;
  /// How long `acquire()` waits for a connection when all `size` are leased before it throws
  /// `busy_error`. Zero: do not wait.
  std::chrono::milliseconds acquire_timeout{30'000};
  /// A connection open longer than this is closed when it comes back (or when it is found
  /// idle) and replaced by a new one when needed. Zero: no limit.
  std::chrono::milliseconds max_lifetime{30 * 60'000};
  /// Runs once on each new connection before its first lease (`SET`, a temporary table...),
  /// on the thread that needed the connection, so possibly on several threads at once. An
  /// exception from it closes the connection and propagates from `acquire()` (or from the
  /// constructor, for the first connection).
  callback<void(database&)> on_connect{};
  /// How each connection is opened (statement mode, timeouts): see `pg::options`.
  options connection{};
};

/// What a pool has done, from `pool::stats()` (a snapshot taken under the pool's lock).
struct pool_stats {
  std::size_t size = 0;        ///< `pool_options::size`.
  std::size_t open = 0;        ///< Connections open now: idle + in use (not set-aside ones).
  std::size_t idle = 0;        ///< Open connections waiting in the pool.
  std::size_t in_use = 0;      ///< Connections leased right now.
  std::uint64_t created = 0;   ///< Connections opened since the pool was made.
  std::uint64_t replaced = 0;  ///< Connections closed for a new one: broken, past
                               ///< `max_lifetime`, or set aside.
  std::uint64_t rolled_back = 0;  ///< Returns that found a transaction open and rolled it back.
  std::uint64_t set_aside = 0;    ///< Returns with a statement, range or transaction still alive.
  std::uint64_t waits = 0;        ///< `acquire()` calls that had to wait for a connection.
  std::uint64_t timeouts = 0;     ///< `acquire()` calls that gave up (`busy_error`).
};

namespace detail {

// What the check of an idle connection saw while libpq read its socket.
struct idle_check {
  ::PQnoticeReceiver forward = nullptr;  // libpq's own receiver, for every other notice
  bool closing = false;                  // the server said it is ending the session
};

// A message the server sent outside a query reaches the notice receiver. A FATAL one is the
// server's last word before it closes the session (pg_terminate_backend, shutdown,
// idle_session_timeout): the check notes it instead of printing it.
inline void watch_idle_notice(void* arg, const pg_result* r) {
  auto* check = static_cast<idle_check*>(arg);
  const std::string_view severity = error_field(r, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity == "FATAL" || severity == "PANIC") {
    check->closing = true;
  } else if (check->forward != nullptr) {
    check->forward(nullptr, r);
  }
}

// Whether an idle connection is still connected. A backend terminated while the connection
// sat in the pool has sent a FATAL error and closes its socket (a little after it leaves
// pg_stat_activity), but libpq notices neither until it next reads. PQconsumeInput reads
// what is waiting without blocking: a recv(2) that finds nothing on a healthy connection.
// The FATAL message, once parsed, arrives as a notice, watched here when the connection
// still has libpq's default receiver (`libpq_receiver`, whose argument is always null, so
// it can be put back as it was); end of file marks the connection bad. A read that got data
// does not look further, hence the second read.
// https://www.postgresql.org/docs/current/libpq-async.html#LIBPQ-PQCONSUMEINPUT
// https://www.postgresql.org/docs/current/libpq-notice-processing.html
inline bool still_connected(pg_conn* c, ::PQnoticeReceiver libpq_receiver) noexcept {
  if (c == nullptr || PQstatus(c) != CONNECTION_OK) return false;
  idle_check check;
  const ::PQnoticeReceiver current = PQsetNoticeReceiver(c, nullptr, nullptr);  // a query
  const bool watch = current != nullptr && current == libpq_receiver;
  if (watch) {
    check.forward = current;
    PQsetNoticeReceiver(c, &watch_idle_notice, &check);
  }
  bool ok = true;
  for (int read = 0; read < 2 && ok; ++read) {
    // PQconsumeInput only fills libpq's buffer; PQisBusy parses what it holds, which hands
    // the FATAL message to the receiver now rather than at the next statement.
    ok = PQconsumeInput(c) != 0;
    static_cast<void>(PQisBusy(c));
    ok = ok && PQstatus(c) == CONNECTION_OK && !check.closing;
  }
  if (watch) PQsetNoticeReceiver(c, current, nullptr);
  return ok;
}

}  // namespace detail

/// A fixed-size pool of `pg::database` connections for threads.
///
/// Thread-safety: every member may be called from any thread at the same time. A leased
/// connection is the leasing thread's alone (it may hand the lease to another thread
/// between calls, like any `database`). The pool must outlive its leases and whatever was
/// made through them (ranges, statements, transactions).
///
/// Connections are opened on demand, the first one by the constructor (so a wrong
/// connection string fails there with `open_error`), up to `size`; idle ones are reused most
/// recently returned first, which keeps the fewest connections warm.
/// @code
/// sqlproof::pg::pool pool{conninfo, {.size = 4, .acquire_timeout = std::chrono::seconds{5}}};
/// std::vector<std::jthread> workers;
/// for (int t = 0; t < 8; ++t) {
///   workers.emplace_back([&] {
///     pool.with([](sqlproof::pg::database& db) {
///       db.transaction([&] { db.exec<add_item>("x"); });
///     });
///   });
/// }
/// @endcode
class pool {
  using clock = std::chrono::steady_clock;

  struct member {
    database db;
    clock::time_point opened;
    ::PQnoticeReceiver libpq_receiver = nullptr;  // the connection's receiver when opened
  };

 public:
  class lease;

  /// Opens the first connection to `conninfo` (a libpq connection string or URI) and runs
  /// `on_connect` on it. Throws `open_error` when it cannot connect, `misuse_error` when
  /// `o.size` is 0, and whatever `on_connect` throws.
  explicit pool(std::string conninfo, pool_options o = {})
      : conninfo_(std::move(conninfo)), options_(std::move(o)) {
    if (options_.size == 0) {
      sqlproof::detail::throw_error(sqlproof::detail::error_kind::misuse,
                                    "a pg::pool needs a size of at least 1");
    }
    {
      const std::lock_guard lock(mutex_);
      ++opening_;
    }
    member* first = open_member();
    const std::lock_guard lock(mutex_);
    idle_.push_back(first);
  }

  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  /// Closes every connection. Precondition: no lease is alive.
  ~pool() = default;

  /// Takes a connection for the calling thread: an idle one (most recently returned first,
  /// checked to be still connected), else a new one while fewer than `size` are open, else
  /// waits up to `acquire_timeout` for one to come back.
  ///
  /// Throws `busy_error` when the wait times out ("all N connections are in use"),
  /// `open_error` when a new connection cannot be made, and whatever `on_connect` throws.
  /// @code
  /// auto db = pool.acquire();
  /// db->exec<add_user>("Ann", 31);
  /// auto tx = db->begin();
  /// @endcode
  [[nodiscard]] inline lease acquire();

  /// Runs `fn(db)` on a leased connection and gives it back, returning what `fn` returns.
  /// Throws `busy_error` as `acquire()` does, whatever `fn` throws, and `misuse_error` when
  /// `fn` leaves a `row_range`, `statement` or `transaction` of the connection alive
  /// (returning one, say): rows must be read inside `fn`.
  /// @code
  /// std::vector<User> adults = pool.with([](sqlproof::pg::database& db) {
  ///   return db.all<older_than>(17);
  /// });
  /// @endcode
  template <class F>
    requires std::is_invocable_v<F&, database&>
  decltype(auto) with(F&& fn);

  /// Counters and current sizes; see `pool_stats`.
  /// @code
  /// auto s = pool.stats();
  /// std::printf("%zu of %zu connections in use, %llu waits\n", s.in_use, s.size,
  ///             static_cast<unsigned long long>(s.waits));
  /// @endcode
  [[nodiscard]] pool_stats stats() const {
    const std::lock_guard lock(mutex_);
    pool_stats s = stats_;
    s.size = options_.size;
    s.open = members_.size();
    s.idle = idle_.size();
    s.in_use = members_.size() - idle_.size();
    return s;
  }

  /// The connection string the pool opens its connections with.
  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }

 private:
  // Opens a connection for a slot already counted in opening_ (the lock not held: connecting
  // is a network round trip or more) and adds it to members_, leased.
  member* open_member() {
    std::unique_ptr<member> m;
    try {
      m.reset(new member{database{conninfo_, options_.connection}, clock::now(), nullptr});
      m->libpq_receiver = PQsetNoticeReceiver(m->db.native_handle(), nullptr, nullptr);
      if (options_.on_connect) options_.on_connect(m->db);
    } catch (...) {
      m.reset();
      {
        const std::lock_guard lock(mutex_);
        --opening_;
      }
      returned_.notify_one();
      throw;
    }
    member* p = m.get();
    const std::lock_guard lock(mutex_);
    --opening_;
    members_.push_back(std::move(m));
    ++stats_.created;
    return p;
  }

  [[nodiscard]] bool expired(const member& m, clock::time_point now) const noexcept {
    return options_.max_lifetime.count() > 0 && now - m.opened >= options_.max_lifetime;
  }

  // Takes `m` out of the pool: closed (outside the lock, since PQfinish talks to the server),
  // or kept open but never handed out again (`aside`: something of the application's still
  // points at it). Either way its place is free for a new connection.
  void drop(member* m, bool aside) noexcept {
    std::unique_ptr<member> gone;
    {
      const std::lock_guard lock(mutex_);
      for (auto it = members_.begin(); it != members_.end(); ++it) {
        if (it->get() == m) {
          gone = std::move(*it);
          members_.erase(it);
          break;
        }
      }
      ++stats_.replaced;
      if (aside) {
        ++stats_.set_aside;
        try {
          set_aside_.push_back(std::move(gone));
        } catch (...) {  // out of memory: leak it rather than close it under a live range
          static_cast<void>(gone.release());
        }
      }
    }
    returned_.notify_one();
  }

  // Whether the connection holds something the application can still reach: a statement
  // checked out (a row_range, a statement) or a transaction object (tx_depth counts those).
  [[nodiscard]] static std::size_t still_in_use(database& db) noexcept {
    const auto* state = sqlproof::detail::connection_access::state(db);
    if (state == nullptr) return 0;
    return state->cache.in_use() + static_cast<std::size_t>(state->tx_depth);
  }

  [[noreturn]] SQLPROOF_COLD static void throw_still_in_use(database& db) {
    const auto* state = sqlproof::detail::connection_access::state(db);
    sqlproof::detail::throw_error(
        sqlproof::detail::error_kind::misuse,
        detail::concat(
            {"cannot give the connection back to the pool: ",
             detail::number_text(state->cache.in_use()), " statement(s) still in use and ",
             detail::number_text(state->tx_depth),
             " transaction(s) still open through it (a row_range, statement or transaction "
             "must end before its lease; read rows inside pool.with)"}));
  }

  // A connection coming back from a lease whose statements and transactions have ended.
  void give_back(member* m) noexcept {
    database& db = m->db;
    bool keep = db.is_open() && db.connection_ok();
    if (keep && PQtransactionStatus(db.native_handle()) != PQTRANS_IDLE) {
      // BEGIN sent as SQL, or a transaction a failed statement aborted (INERROR).
      try {
        db.exec_script("ROLLBACK");
      } catch (...) {
      }
      keep = db.connection_ok() && PQtransactionStatus(db.native_handle()) == PQTRANS_IDLE;
      const std::lock_guard lock(mutex_);
      ++stats_.rolled_back;
    }
    if (keep && expired(*m, clock::now())) keep = false;
    if (!keep) {
      drop(m, false);
      return;
    }
    {
      const std::lock_guard lock(mutex_);
      idle_.push_back(m);
    }
    returned_.notify_one();
  }

  // Called by a lease's destructor: a connection still in use is set aside (a destructor
  // cannot throw the misuse_error `release()` would).
  void give_back_or_set_aside(member* m) noexcept {
    if (still_in_use(m->db) != 0) {
      drop(m, true);
    } else {
      give_back(m);
    }
  }

  std::string conninfo_;
  pool_options options_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;  // an idle connection or a free place appeared
  // Every open connection the pool hands out, leased or idle. Few (size is small), so a
  // vector searched linearly.
  std::vector<std::unique_ptr<member>> members_;
  std::vector<member*> idle_;  // the most recently returned last
  std::size_t opening_ = 0;    // places taken by connections being opened
  // Connections returned with a range, statement or transaction alive: closed with the pool.
  std::vector<std::unique_ptr<member>> set_aside_;
  pool_stats stats_;
};

/// A connection leased from a `pg::pool`: `*lease` and `lease->` give its `pg::database`.
/// Gives the connection back when destroyed (or at `release()`). Movable, not copyable.
///
/// Everything made through the connection (a `row_range`, a `statement`, a `transaction`)
/// must end before the lease does. A lease destroyed while one is still alive sets its
/// connection aside, since the object still points at it: the pool never hands it out again,
/// opens a replacement, and closes it when the pool is destroyed (`stats().set_aside`).
/// @code
/// {
///   auto db = pool.acquire();
///   db->transaction([&] { db->exec<add_user>("Ann", 31); });
/// }  // the connection is back in the pool
/// @endcode
class pool::lease {
 public:
  /// An empty lease (as after a move or `release()`).
  lease() noexcept = default;
  lease(lease&& other) noexcept
      : pool_(std::exchange(other.pool_, nullptr)),
        member_(std::exchange(other.member_, nullptr)) {}
  /// Gives back the connection held now, then takes over `other`'s.
  lease& operator=(lease&& other) noexcept {
    if (this != &other) {
      reset();
      pool_ = std::exchange(other.pool_, nullptr);
      member_ = std::exchange(other.member_, nullptr);
    }
    return *this;
  }
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;
  ~lease() { reset(); }

  /// The leased connection. Throws `misuse_error` on an empty lease.
  [[nodiscard]] database& operator*() const { return held(); }
  /// The leased connection's members. Throws `misuse_error` on an empty lease.
  [[nodiscard]] database* operator->() const { return &held(); }
  /// True while the lease holds a connection.
  [[nodiscard]] explicit operator bool() const noexcept { return member_ != nullptr; }

  /// Gives the connection back now, rolling back a transaction left open; the lease is empty
  /// afterwards. Throws `misuse_error`, and keeps the connection, while a `row_range`,
  /// `statement` or `transaction` made through it is still alive. Does nothing on an empty
  /// lease.
  /// @code
  /// auto db = pool.acquire();
  /// db->exec<add_user>("Ann", 31);
  /// db.release();  // before a long computation that needs no connection
  /// @endcode
  void release() {
    if (member_ == nullptr) return;
    if (pool::still_in_use(member_->db) != 0) pool::throw_still_in_use(member_->db);
    pool* p = std::exchange(pool_, nullptr);
    p->give_back(std::exchange(member_, nullptr));
  }

 private:
  friend class pool;
  lease(pool* p, member* m) noexcept : pool_(p), member_(m) {}

  [[nodiscard]] database& held() const {
    if (member_ == nullptr) [[unlikely]] {
      sqlproof::detail::throw_error(sqlproof::detail::error_kind::misuse,
                                    "the pool lease is empty (moved from or released)");
    }
    return member_->db;
  }

  void reset() noexcept {
    if (member_ == nullptr) return;
    std::exchange(pool_, nullptr)->give_back_or_set_aside(std::exchange(member_, nullptr));
  }

  pool* pool_ = nullptr;
  member* member_ = nullptr;
};

inline pool::lease pool::acquire() {
  const clock::time_point start = clock::now();
  // A timeout of a year or more waits without end (and cannot overflow the clock).
  const bool bounded = options_.acquire_timeout < std::chrono::hours{24 * 365};
  const clock::time_point deadline = bounded ? start + options_.acquire_timeout : start;
  std::unique_lock lock(mutex_);
  bool waited = false;
  for (;;) {
    if (!idle_.empty()) {
      member* m = idle_.back();
      idle_.pop_back();
      lock.unlock();
      // Checked outside the lock: a recv(2) on the socket, and on failure a close.
      if (!expired(*m, clock::now()) &&
          detail::still_connected(m->db.native_handle(), m->libpq_receiver)) {
        return lease(this, m);
      }
      drop(m, false);
      lock.lock();
      continue;
    }
    if (members_.size() + opening_ < options_.size) {
      ++opening_;
      lock.unlock();
      return lease(this, open_member());
    }
    if (!waited) {
      waited = true;
      ++stats_.waits;
    }
    if (!bounded) {
      returned_.wait(lock);
    } else if (returned_.wait_until(lock, deadline) == std::cv_status::timeout &&
               idle_.empty() && members_.size() + opening_ >= options_.size) {
      ++stats_.timeouts;
      const std::size_t size = options_.size;
      lock.unlock();
      const auto waited_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
      sqlproof::detail::throw_error(
          sqlproof::detail::error_kind::busy,
          detail::concat({"no pooled PostgreSQL connection became free within ",
                          detail::number_text(static_cast<long long>(waited_ms)),
                          " ms: all ", detail::number_text(size),
                          " connections are in use (pool_options::size, acquire_timeout)"}));
    }
  }
}

template <class F>
  requires std::is_invocable_v<F&, database&>
decltype(auto) pool::with(F&& fn) {
  lease l = acquire();
  if constexpr (std::is_void_v<std::invoke_result_t<F&, database&>>) {
    fn(*l);
    l.release();
  } else {
    // Declared after the lease, so that when release() throws, a range `fn` returned ends
    // while its connection is still leased.
    decltype(auto) r = fn(*l);
    l.release();
    return r;
  }
}

}  // namespace sqlproof::pg
