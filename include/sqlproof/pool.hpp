#pragma once
/// @file
/// `sqlproof::pool`: many threads sharing one SQLite file, built around SQLite's single
/// writer. One writer connection behind a first-come-first-served queue and N read-only
/// reader connections, all in WAL mode, each with its own statement cache:
///
/// - `pool.read(fn)` runs `fn(database&)` on a free reader inside one read transaction, so
///   every statement in it sees the same snapshot; readers never wait for the writer.
/// - `pool.write(fn)` runs `fn(database&)` on the writer inside an IMMEDIATE transaction;
///   writers take their turn in the order they asked for it, and give up with `busy_error`
///   after `pool_options::writer_wait`.
/// - `pool.submit_write(fn)` queues `fn` and returns a `std::future` at once: a thread owned
///   by the pool runs queued writes in order, many to a transaction (a savepoint each).
/// - After a write, a WAL grown past `pool_options::checkpoint_restart_bytes` is checkpointed
///   and truncated, so readers that always overlap cannot make it grow without bound.
///
/// @code
/// #include <sqlproof/pool.hpp>
/// sqlproof::pool pool{"app.db"};  // options::production(), 4 readers
/// pool.write([](sqlproof::database& db) { db.exec<add_user>("Ann", 31); });
/// auto n = pool.read([](sqlproof::database& db) { return db.one<count_users>(); });
/// std::future<void> done = pool.submit_write([](sqlproof::database& db) {
///   db.exec<add_user>("Bob", 42);
/// });
/// @endcode
///
/// docs/concurrency.md describes the policy (snapshots, the writer's queue, checkpoints) and
/// what not to do. `<thread>`, `<future>` and `<condition_variable>` are included here and
/// nowhere else, not even by <sqlproof/sqlproof.hpp> (they cost about 0.35 s of compile time
/// per translation unit): a program that does not use the pool does not pay for them.

#include <atomic>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "basic_transaction.hpp"
#include "detail/algorithm.hpp"
#include "detail/chrono.hpp"
#include "error.hpp"
#include "query_stats.hpp"
#include "sqlite/database.hpp"
#include "sqlite/health.hpp"
#include "sqlite/maintenance.hpp"

namespace sqlproof {

/// How a `pool` waits, retries, batches and checkpoints.
/// @code
/// sqlproof::pool_options p;
/// p.writer_wait = std::chrono::seconds{2};
/// p.checkpoint_restart_bytes = 16 * 1024 * 1024;
/// sqlproof::pool pool{"app.db", sqlproof::options::production(), 4, p};
/// @endcode
struct pool_options {
  /// How long `read` waits for a free reader when all are busy before it throws
  /// `busy_error`.
  std::chrono::milliseconds reader_wait{5000};
  /// How long `write` waits for its turn at the writer before it throws `busy_error` (and
  /// leaves the queue; the writes behind it keep their places). Queued writes
  /// (`submit_write`) wait as long as it takes.
  std::chrono::milliseconds writer_wait{5000};
  /// How a write transaction is retried when the database is busy (another process holds
  /// the write lock past the connection's busy timeout): the whole callable runs again after
  /// a jittered exponential backoff (`retry_policy::delay_after`).
  retry_policy write_retry = retry_policy::on_busy();
  /// Most queued writes (`submit_write`) committed together in one transaction.
  std::size_t max_batch = 64;
  /// A WAL file larger than this after a write is checkpointed and truncated by the writer
  /// before the next write (TRUNCATE checkpoint). Unset: the options' `journal_size_limit`
  /// when it is positive, else 64 MiB. Zero: never (SQLite's passive auto-checkpoint only).
  std::optional<std::uintmax_t> checkpoint_restart_bytes;
  /// How long that checkpoint waits for readers still on an older snapshot (new readers do
  /// not hold it up). When they outlast it, the checkpoint gives up (`checkpoints_busy`) and
  /// is tried again once the WAL has grown by another half of `checkpoint_restart_bytes`.
  std::chrono::milliseconds checkpoint_wait{500};
};

/// What a `pool` has done since it opened, from `pool::stats()` (counters taken under the
/// pool's locks; `wal_size` read from the file system at the call).
struct pool_stats {
  std::size_t readers = 0;          ///< Reader connections.
  std::uint64_t reads = 0;          ///< `read` calls run on a reader (those that threw too).
  std::uint64_t read_waits = 0;     ///< Reads that found every reader busy and waited.
  std::chrono::nanoseconds read_wait_time{0};    ///< Time reads spent waiting for a reader.
  std::uint64_t reader_timeouts = 0;             ///< Reads that gave up (`busy_error`).
  std::chrono::nanoseconds reader_busy_time{0};  ///< Time readers spent inside read calls.

  std::uint64_t writes = 0;         ///< `write` transactions committed.
  std::uint64_t failed_writes = 0;  ///< `write` transactions rolled back (fn or COMMIT threw).
  std::uint64_t queued_writes = 0;  ///< `submit_write` jobs committed.
  std::uint64_t failed_queued_writes = 0;  ///< `submit_write` jobs whose future got an error.
  std::uint64_t batches = 0;        ///< Transactions the pool's writer thread ran.
  std::uint64_t write_waits = 0;    ///< Turns at the writer that had to queue.
  std::chrono::nanoseconds write_wait_time{0};   ///< Time spent queuing for the writer.
  std::uint64_t writer_timeouts = 0;             ///< `write` calls that gave up (`busy_error`).
  std::size_t writer_queue = 0;      ///< Writers queuing for their turn now.
  std::size_t max_writer_queue = 0;  ///< The longest that queue has been.
  std::size_t pending_jobs = 0;      ///< `submit_write` jobs not yet taken by the writer thread.
  std::chrono::nanoseconds writer_busy_time{0};  ///< Time the writer's turn was held.
  std::uint64_t busy_retries = 0;    ///< Write transactions re-run after `busy_error`.

  std::uint64_t passive_checkpoints = 0;   ///< `checkpoint(checkpoint_mode::passive)` calls.
  std::uint64_t truncate_checkpoints = 0;  ///< Full/restart/truncate ones that completed.
  std::uint64_t checkpoints_busy = 0;      ///< Ones that gave up waiting for old readers.
  std::uint64_t checkpoint_errors = 0;     ///< Ones that failed with another error.
  std::uintmax_t wal_size = 0;             ///< Bytes of the `-wal` file now.
};

/// A callable a pool can run: `fn(database&)`.
template <class F>
concept database_callable = std::invocable<F&, database&>;

/// A callable `submit_write` can queue: its result is void or a value the future can hold.
template <class F>
concept queueable_write = database_callable<F> &&
                          (std::is_void_v<std::invoke_result_t<F&, database&>> ||
                           std::is_move_constructible_v<std::invoke_result_t<F&, database&>>) &&
                          !std::is_reference_v<std::invoke_result_t<F&, database&>>;

namespace detail {

// What the calling thread holds of which pool, innermost first: a nested read or write on
// the same pool must reuse the connection it holds rather than wait for another (a read
// waiting for a reader it holds itself, a write for its own writer's turn, would deadlock).
struct pool_frame {
  const void* owner = nullptr;
  database* db = nullptr;
  bool writer = false;
  pool_frame* outer = nullptr;
};

inline pool_frame*& pool_frames() noexcept {
  static thread_local pool_frame* top = nullptr;
  return top;
}

class pool_frame_scope {
 public:
  pool_frame_scope(const void* owner, database* db, bool writer) noexcept
      : frame_{owner, db, writer, pool_frames()} {
    pool_frames() = &frame_;
  }
  pool_frame_scope(const pool_frame_scope&) = delete;
  pool_frame_scope& operator=(const pool_frame_scope&) = delete;
  ~pool_frame_scope() { pool_frames() = frame_.outer; }

 private:
  pool_frame frame_;
};

inline const pool_frame* find_pool_frame(const void* owner) noexcept {
  for (const pool_frame* f = pool_frames(); f != nullptr; f = f->outer) {
    if (f->owner == owner) return f;
  }
  return nullptr;
}

// One submit_write job. `run` executes it in a savepoint of the batch's transaction and keeps
// its result (or its own exception); `settle` fulfils the future once the batch committed
// (`batch_error` empty) or failed.
class pool_job {
 public:
  virtual ~pool_job() = default;
  virtual void run(database& db) = 0;
  virtual void settle(const std::exception_ptr& batch_error) = 0;
  [[nodiscard]] bool failed() const noexcept { return error_ != nullptr; }
  [[nodiscard]] const std::exception_ptr& error() const noexcept { return error_; }

 protected:
  std::exception_ptr error_;
};

template <class F, class R>
class pool_job_of final : public pool_job {
 public:
  explicit pool_job_of(F fn) : fn_(std::move(fn)) {}

  std::future<R> future() { return promise_.get_future(); }

  void run(database& db) override {
    error_ = nullptr;
    try {
      if constexpr (std::is_void_v<R>) {
        db.transaction([&] { fn_(db); });
      } else {
        result_.reset();
        db.transaction([&] { result_.emplace(fn_(db)); });
      }
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  void settle(const std::exception_ptr& batch_error) override {
    if (error_ != nullptr) {
      promise_.set_exception(std::exchange(error_, nullptr));
    } else if (batch_error != nullptr) {
      promise_.set_exception(batch_error);
    } else if constexpr (std::is_void_v<R>) {
      promise_.set_value();
    } else {
      promise_.set_value(std::move(*result_));
    }
  }

 private:
  F fn_;
  std::promise<R> promise_;
  std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result_{};
};

}  // namespace detail

/// One writer and N readers sharing an SQLite file in WAL mode, for many threads.
///
/// Thread-safety: every member may be called from any thread at the same time. The
/// `database&` handed to a callable belongs to that call only: it must not be kept, nor
/// used from another thread, after the callable returns (nor a `row_range` or statement made
/// from it).
///
/// Nesting on one thread: a `read` inside a `read` of the same pool runs on the reader the
/// thread already holds, in its snapshot; a `read` inside a `write` runs on the writer and
/// sees the write's changes so far; a `write` inside a `write` (or inside a queued write)
/// becomes a savepoint of the enclosing transaction. A `write` inside a `read` takes its turn
/// at the writer as usual; the enclosing read's snapshot does not see it.
/// @code
/// sqlproof::pool pool{"app.db", sqlproof::options::production(), 4};
/// std::vector<std::jthread> threads;
/// for (int t = 0; t < 8; ++t) {
///   threads.emplace_back([&] {
///     pool.write([](sqlproof::database& db) { db.exec<add_item>("x"); });
///     auto n = pool.read([](sqlproof::database& db) { return db.one<count_items>(); });
///   });
/// }
/// @endcode
class pool {
  using clock = std::chrono::steady_clock;

 public:
  /// Opens `path` in WAL mode (created when missing): the writer first, then `readers`
  /// reader connections with `create = false` and `query_only = true`. `o.journal` is set to
  /// WAL. Throws `open_error` for an in-memory path, a journal mode other than WAL, or
  /// `read_only`, and when a connection cannot open; `misuse_error` when `readers` is 0.
  explicit pool(std::string path, const options& o = options::production(),
                std::size_t readers = 4, const pool_options& p = {})
      : options_(p),
        writer_(open_writer(std::move(path), o, readers)),
        readers_(open_readers(writer_.path(), o, readers)),
        wal_path_(detail::wal_filename(writer_.native_handle())),
        checkpoint_bytes_(restart_threshold(o, p)),
        busy_timeout_ms_(static_cast<int>(o.busy_timeout.count())) {
    const std::int64_t page_size = detail::pragma_int(writer_.native_handle(), "page_size");
    if (page_size > 0) {
      look_every_pages_ = std::max<std::int64_t>(
          1, static_cast<std::int64_t>(checkpoint_bytes_ / 16 / static_cast<std::uintmax_t>(page_size)));
    }
  }

  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  /// Stops taking queued writes, runs those already queued, joins the writer thread and
  /// closes every connection. Precondition: no other thread is inside a call on the pool.
  ~pool() {
    {
      const std::lock_guard lock(jobs_mutex_);
      stopping_ = true;
    }
    jobs_ready_.notify_all();
    if (writer_thread_.joinable()) writer_thread_.join();
  }

  /// Runs `fn(db)` on a free reader inside one read transaction (BEGIN DEFERRED ... COMMIT:
  /// every statement sees the snapshot taken by the first) and returns what `fn` returns.
  /// When `fn` throws, the transaction rolls back, the reader goes back to the pool and the
  /// exception propagates. Waits for a free reader up to `pool_options::reader_wait`, then
  /// throws `busy_error`. Never waits for the writer. A change made through `db` fails with
  /// an `error` (SQLITE_READONLY: the readers are `query_only`).
  template <database_callable F>
  std::invoke_result_t<F&, database&> read(F&& fn) {
    using result = std::invoke_result_t<F&, database&>;
    if (const detail::pool_frame* held = detail::find_pool_frame(this)) return fn(*held->db);
    const reader_lease lease(*this);
    database& db = lease.db();
    const detail::pool_frame_scope frame(this, &db, false);
    return db.transaction([&]() -> result { return fn(db); });
  }

  /// Runs `fn(db)` on the writer inside an IMMEDIATE transaction (committed when `fn`
  /// returns, rolled back when it throws) and returns what `fn` returns. Writers take their
  /// turn first come, first served; a write that waited `pool_options::writer_wait` for its
  /// turn throws `busy_error` naming the wait and the queue. On `busy_error` inside the
  /// transaction, the whole of `fn` runs again as `pool_options::write_retry` says. After the
  /// commit, still in its turn, the writer checkpoints an oversized WAL (docs/concurrency.md).
  template <database_callable F>
  std::invoke_result_t<F&, database&> write(F&& fn) {
    using result = std::invoke_result_t<F&, database&>;
    if (const detail::pool_frame* held = detail::find_pool_frame(this); held && held->writer) {
      return writer_.transaction([&]() -> result { return fn(writer_); });
    }
    writer_turn turn(*this, true);
    const detail::pool_frame_scope frame(this, &writer_, true);
    if constexpr (std::is_void_v<result>) {
      run_write([&] { fn(writer_); }, turn);
      after_commit(turn);
    } else {
      result r = run_write([&]() -> result { return fn(writer_); }, turn);
      after_commit(turn);
      return r;
    }
  }

  /// Queues `fn(db)` to run on the writer and returns its future at once. A thread owned by
  /// the pool (started by the first call) runs queued writes in the order they came, taking
  /// its turn at the writer like any `write`: up to `pool_options::max_batch` consecutive
  /// jobs share one IMMEDIATE transaction, each in its own savepoint. A job that throws
  /// rolls back only its savepoint and its future throws that exception; the others' futures
  /// are fulfilled once the COMMIT succeeded, and all get its error when it fails. Throws
  /// `misuse_error` once the pool is being destroyed. Waiting on the future from inside a
  /// queued write deadlocks (the job waits for itself).
  template <queueable_write F>
  std::future<std::invoke_result_t<F&, database&>> submit_write(F&& fn) {
    using result = std::invoke_result_t<F&, database&>;
    auto job = std::make_unique<detail::pool_job_of<std::decay_t<F>, result>>(std::forward<F>(fn));
    std::future<result> future = job->future();
    {
      const std::lock_guard lock(jobs_mutex_);
      if (stopping_) {
        detail::throw_error(detail::error_kind::misuse,
                            "cannot submit a write to a pool that is being destroyed");
      }
      jobs_.push_back(std::move(job));
      if (!writer_thread_.joinable()) writer_thread_ = std::thread([this] { run_jobs(); });
    }
    jobs_ready_.notify_one();
    return future;
  }

  /// Checkpoints the WAL on the writer, in its turn (waiting for it like `write`). A
  /// full, restart or truncate checkpoint waits up to `pool_options::checkpoint_wait` for
  /// the reads in flight, and reports `busy` when they outlast it. Throws `busy_error` when
  /// the turn does not come in time, `misuse_error` inside a write of this pool (a
  /// checkpoint cannot run inside a transaction), and `error` when the checkpoint fails.
  checkpoint_result checkpoint(checkpoint_mode mode = checkpoint_mode::truncate) {
    if (const detail::pool_frame* held = detail::find_pool_frame(this); held && held->writer) {
      detail::throw_error(detail::error_kind::misuse,
                          "cannot checkpoint inside a write of the same pool: the writer is in "
                          "a transaction (checkpoint after the write returns)");
    }
    writer_turn turn(*this, true);
    return run_checkpoint(mode, true);
  }

  /// The counters (`pool_stats`) and the WAL file's size now.
  [[nodiscard]] pool_stats stats() const {
    pool_stats s;
    {
      const std::lock_guard lock(readers_mutex_);
      s = stats_;
    }
    {
      const std::lock_guard lock(writer_mutex_);
      s.writes = write_stats_.writes;
      s.failed_writes = write_stats_.failed_writes;
      s.queued_writes = write_stats_.queued_writes;
      s.failed_queued_writes = write_stats_.failed_queued_writes;
      s.batches = write_stats_.batches;
      s.write_waits = write_stats_.write_waits;
      s.write_wait_time = write_stats_.write_wait_time;
      s.writer_timeouts = write_stats_.writer_timeouts;
      s.writer_queue = writer_queue_.size();
      s.max_writer_queue = write_stats_.max_writer_queue;
      s.writer_busy_time = write_stats_.writer_busy_time;
      s.busy_retries = write_stats_.busy_retries;
      s.passive_checkpoints = write_stats_.passive_checkpoints;
      s.truncate_checkpoints = write_stats_.truncate_checkpoints;
      s.checkpoints_busy = write_stats_.checkpoints_busy;
      s.checkpoint_errors = write_stats_.checkpoint_errors;
    }
    {
      const std::lock_guard lock(jobs_mutex_);
      s.pending_jobs = jobs_.size();
    }
    s.readers = readers_.size();
    for (std::size_t i = 0; i < readers_.size(); ++i) {
      s.reads += slots_[i].reads.load(std::memory_order_relaxed);
      s.reader_busy_time += std::chrono::nanoseconds{slots_[i].busy_ns.load(std::memory_order_relaxed)};
    }
    s.wal_size = wal_path_.empty() ? 0 : detail::regular_file_size(wal_path_);
    return s;
  }

  /// Calls `fn(db, name)` for every connection, each while no other call uses it: the
  /// writer ("writer", in its turn, waiting like `write`) and then each reader ("reader 1",
  /// "reader 2", ..., as soon as it is free). For what is kept per connection: statistics,
  /// health, settings. Not inside a read or write of the same pool (`misuse_error`: it would
  /// wait for its own connection).
  template <class F>
    requires std::invocable<F&, database&, std::string_view>
  void for_each_connection(F&& fn) {
    if (detail::find_pool_frame(this) != nullptr) {
      detail::throw_error(detail::error_kind::misuse,
                          "cannot visit a pool's connections inside a read or write of the same "
                          "pool (it would wait for the connection it holds)");
    }
    {
      const writer_turn turn(*this, true);
      fn(writer_, std::string_view("writer"));
    }
    for (std::size_t i = 0; i < readers_.size(); ++i) {
      const reader_visit visit(*this, i);
      const std::string name = "reader " + std::to_string(i + 1);
      fn(readers_[i], std::string_view(name));
    }
  }

  /// Turns per-query statistics on or off on every connection (`options::collect_query_stats`
  /// given to the constructor does it from the start).
  void collect_query_stats(bool on) {
    for_each_connection([on](database& db, std::string_view) { db.collect_query_stats(on); });
  }

  /// Every connection's per-query statistics, merged: one entry per query, summed over the
  /// writer and the readers.
  [[nodiscard]] sqlproof::query_stats query_stats() {
    sqlproof::query_stats all;
    for_each_connection([&all](database& db, std::string_view) { all.merge(db.query_stats()); });
    return all;
  }

  /// Every connection's event counts (busy errors, retries, interrupts, deadlines), summed.
  [[nodiscard]] sqlproof::event_counts event_counts() {
    sqlproof::event_counts all;
    for_each_connection([&all](database& db, std::string_view) {
      const sqlproof::event_counts e = db.event_counts();
      all.busy_errors += e.busy_errors;
      all.busy_retries += e.busy_retries;
      all.interrupts += e.interrupts;
      all.deadlines_exceeded += e.deadlines_exceeded;
    });
    return all;
  }

  /// A health report of the whole pool (source "pool: <path>"): every connection's report
  /// merged, each finding tagged with its connection, the file's own facts kept once.
  /// `quick_check`, when asked for, runs once, on the writer.
  [[nodiscard]] health_report health(const health_options& o = {}) {
    health_report all;
    all.source = "pool: " + path();
    health_options readers = o;
    readers.quick_check = false;
    for_each_connection([&](database& db, std::string_view name) {
      all.merge(check_health(db, name == "writer" ? o : readers), name);
    });
    return all;
  }

  /// The database file's path.
  [[nodiscard]] const std::string& path() const noexcept { return writer_.path(); }

  /// Reader connections.
  [[nodiscard]] std::size_t readers() const noexcept { return readers_.size(); }

 private:
  // ---- opening ----

  static database open_writer(std::string path, const options& o, std::size_t readers) {
    if (readers == 0) {
      detail::throw_error(detail::error_kind::misuse,
                          detail::concat({"cannot open a pool on '", path,
                                          "' with 0 readers: a pool needs at least one"}));
    }
    if (detail::is_memory_database(path, o.uri)) {
      detail::throw_error(detail::error_kind::open,
                          detail::concat({"cannot open a pool on '", path,
                                          "': an in-memory database cannot be shared by "
                                          "connections in WAL mode (the pool needs a file)"}));
    }
    if (o.journal != journal_mode::unchanged && o.journal != journal_mode::wal) {
      detail::throw_error(
          detail::error_kind::open,
          detail::concat({"cannot open a pool on '", path, "': journal_mode ",
                          detail::pragma_value(o.journal),
                          " was asked for, but readers can only read while the writer "
                          "writes in WAL mode (leave options::journal unchanged or wal)"}));
    }
    if (o.read_only) {
      detail::throw_error(detail::error_kind::open,
                          detail::concat({"cannot open a pool on '", path,
                                          "': options.read_only is set, but the pool's writer "
                                          "writes (its readers are query_only already)"}));
    }
    options w = o;
    w.journal = journal_mode::wal;
    w.query_only = false;
    return database(std::move(path), w);
  }

  static std::vector<database> open_readers(const std::string& path, const options& o,
                                            std::size_t readers) {
    options r = o;
    r.journal = journal_mode::wal;
    r.create = false;
    r.query_only = true;
    std::vector<database> out;
    out.reserve(readers);
    for (std::size_t i = 0; i < readers; ++i) out.emplace_back(path, r);
    return out;
  }

  static std::uintmax_t restart_threshold(const options& o, const pool_options& p) noexcept {
    if (p.checkpoint_restart_bytes) return *p.checkpoint_restart_bytes;
    if (o.journal_size_limit && *o.journal_size_limit > 0) {
      return static_cast<std::uintmax_t>(*o.journal_size_limit);
    }
    return std::uintmax_t{64} * 1024 * 1024;
  }

  // ---- readers ----

  // Tries to take reader `i`: a load and, when it looks free, one exchange; no lock.
  bool try_take(std::size_t i) noexcept {
    reader_slot& r = slots_[i];
    if (r.busy.load(std::memory_order_relaxed)) return false;
    if (r.busy.exchange(true, std::memory_order_acquire)) return false;
    r.generation.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // Gives reader `i` back and wakes whoever waits for one (the lock is taken only then).
  void give_back(std::size_t i) noexcept {
    slots_[i].busy.store(false, std::memory_order_seq_cst);
    if (reader_waiters_.load(std::memory_order_seq_cst) > 0) {
      { const std::lock_guard lock(readers_mutex_); }
      reader_free_.notify_all();
    }
  }

  // Waits (under the lock, counted in reader_waiters_ so that give_back wakes it) until
  // `take()` succeeds or `deadline` passes; false then.
  template <class Take>
  bool wait_for_reader(std::unique_lock<std::mutex>& lock, clock::time_point deadline,
                       Take&& take) {
    reader_waiters_.fetch_add(1, std::memory_order_seq_cst);
    const bool got = reader_free_.wait_until(lock, deadline, take);
    reader_waiters_.fetch_sub(1, std::memory_order_seq_cst);
    return got;
  }

  // Takes a free reader, preferring the one this thread had last: a connection that stays
  // with one thread keeps its pages, statements and memory in that core's cache, where
  // handing readers round between threads moved them from core to core on every read.
  // Readers are taken and given back without a lock; the lock and condition variable serve
  // only a read that finds every reader busy.
  std::size_t acquire_reader() {
    thread_local const pool* last_pool = nullptr;
    thread_local std::size_t last_index = 0;
    const std::size_t n = readers_.size();
    const std::size_t first = last_pool == this ? last_index : 0;
    std::size_t index = n;
    for (std::size_t k = 0; k < n && index == n; ++k) {
      if (try_take((first + k) % n)) index = (first + k) % n;
    }
    if (index == n) {
      std::unique_lock lock(readers_mutex_);
      ++stats_.read_waits;
      const clock::time_point start = clock::now();
      const bool got = wait_for_reader(lock, start + options_.reader_wait, [&] {
        for (std::size_t i = 0; i < n; ++i) {
          if (try_take(i)) {
            index = i;
            return true;
          }
        }
        return false;
      });
      stats_.read_wait_time += clock::now() - start;
      if (!got) {
        ++stats_.reader_timeouts;
        detail::throw_error(
            detail::error_kind::busy,
            detail::concat({"pool read on '", writer_.path(), "' waited ",
                            detail::number_text(static_cast<long long>(options_.reader_wait.count())),
                            " ms for a free reader: all ",
                            detail::number_text(static_cast<long long>(readers_.size())),
                            " readers were busy (raise pool_options::reader_wait or the number "
                            "of readers, or shorten the reads)"}));
      }
    }
    last_pool = this;
    last_index = index;
    return index;
  }

  // Waits until every read that was in flight when called has ended (reads that start
  // meanwhile do not count: a reader that served another read since is done with the old
  // one), or until `deadline`; false when the deadline came first. Checked every
  // millisecond: it runs only before a checkpoint.
  bool wait_for_older_reads(clock::time_point deadline) {
    std::vector<std::pair<std::size_t, std::uint64_t>> older;
    for (std::size_t i = 0; i < readers_.size(); ++i) {
      if (slots_[i].busy.load(std::memory_order_acquire)) {
        older.emplace_back(i, slots_[i].generation.load(std::memory_order_relaxed));
      }
    }
    for (;;) {
      bool ended = true;
      for (const auto& [i, generation] : older) {
        if (slots_[i].busy.load(std::memory_order_acquire) &&
            slots_[i].generation.load(std::memory_order_relaxed) == generation) {
          ended = false;
        }
      }
      if (ended) return true;
      if (clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
  }

  // A free reader, taken for one read; given back (and the read counted) when the read
  // ends, however it ends.
  class reader_lease {
   public:
    explicit reader_lease(pool& p) : pool_(p), index_(p.acquire_reader()), start_(clock::now()) {}
    reader_lease(const reader_lease&) = delete;
    reader_lease& operator=(const reader_lease&) = delete;
    ~reader_lease() {
      reader_slot& r = pool_.slots_[index_];
      r.reads.fetch_add(1, std::memory_order_relaxed);
      r.busy_ns.fetch_add(
          std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - start_).count(),
          std::memory_order_relaxed);
      pool_.give_back(index_);
    }

    [[nodiscard]] database& db() const noexcept { return pool_.readers_[index_]; }

   private:
    pool& pool_;
    std::size_t index_;
    clock::time_point start_;
  };

  // One given reader, taken as soon as it is free (for_each_connection); not counted as a
  // read.
  class reader_visit {
   public:
    reader_visit(pool& p, std::size_t index) : pool_(p), index_(index) {
      if (pool_.try_take(index_)) return;
      std::unique_lock lock(pool_.readers_mutex_);
      if (!pool_.wait_for_reader(lock, clock::now() + pool_.options_.reader_wait,
                                 [&] { return pool_.try_take(index_); })) {
        detail::throw_error(
            detail::error_kind::busy,
            detail::concat({"pool on '", pool_.writer_.path(), "': a reader stayed in use for ",
                            detail::number_text(
                                static_cast<long long>(pool_.options_.reader_wait.count())),
                            " ms (pool_options::reader_wait) while visiting the connections"}));
      }
    }
    reader_visit(const reader_visit&) = delete;
    reader_visit& operator=(const reader_visit&) = delete;
    ~reader_visit() { pool_.give_back(index_); }

   private:
    pool& pool_;
    std::size_t index_;
  };

  // ---- the writer's turn ----

  // A writer waiting for its turn; the one releasing the turn hands it to the first waiter
  // (`granted`), so nobody can overtake the queue.
  struct writer_waiter {
    std::condition_variable cv;
    bool granted = false;
  };

  // Holds the writer's turn for its lifetime; `with_deadline` bounds the wait by
  // pool_options::writer_wait. Counts what the turn did when it ends.
  class writer_turn {
   public:
    writer_turn(pool& p, bool with_deadline) : pool_(p) {
      pool_.acquire_writer(with_deadline);
      start_ = clock::now();
    }
    writer_turn(const writer_turn&) = delete;
    writer_turn& operator=(const writer_turn&) = delete;
    ~writer_turn() { pool_.release_writer(clock::now() - start_, writes_); }

    // A write transaction committed in this turn (counted when the turn ends, under the
    // lock taken then anyway).
    void count_write() noexcept { ++writes_; }

   private:
    pool& pool_;
    clock::time_point start_;
    std::uint64_t writes_ = 0;
  };

  void acquire_writer(bool with_deadline) {
    std::unique_lock lock(writer_mutex_);
    if (!writer_held_ && writer_queue_.empty()) {
      writer_held_ = true;
      return;
    }
    writer_waiter me;
    const auto place = writer_queue_.insert(writer_queue_.end(), &me);
    ++write_stats_.write_waits;
    write_stats_.max_writer_queue = std::max(write_stats_.max_writer_queue, writer_queue_.size());
    const clock::time_point start = clock::now();
    bool granted = true;
    if (with_deadline) {
      granted = me.cv.wait_until(lock, start + options_.writer_wait, [&] { return me.granted; });
    } else {
      me.cv.wait(lock, [&] { return me.granted; });
    }
    write_stats_.write_wait_time += clock::now() - start;
    if (!granted) {
      writer_queue_.erase(place);
      ++write_stats_.writer_timeouts;
      const std::size_t queued = writer_queue_.size();
      detail::throw_error(
          detail::error_kind::busy,
          detail::concat({"pool write on '", writer_.path(), "' waited ",
                          detail::number_text(static_cast<long long>(options_.writer_wait.count())),
                          " ms for its turn at the writer and gave up; ",
                          detail::number_text(static_cast<long long>(queued)),
                          " other write(s) still queued (raise pool_options::writer_wait, "
                          "shorten the write transactions, or queue with submit_write)"}));
    }
  }

  void release_writer(clock::duration busy, std::uint64_t writes) noexcept {
    const std::lock_guard lock(writer_mutex_);
    write_stats_.writer_busy_time += busy;
    write_stats_.writes += writes;
    if (writer_queue_.empty()) {
      writer_held_ = false;
    } else {
      // Notified under the lock: the waiter owns the condition variable, and may leave as
      // soon as it sees `granted`.
      writer_waiter* next = writer_queue_.front();
      writer_queue_.pop_front();
      next->granted = true;
      next->cv.notify_one();
    }
  }

  // ---- writing ----

  // Runs `body` in an IMMEDIATE transaction on the writer, again after `busy_error` as
  // pool_options::write_retry says; counts the outcome.
  template <class Body>
  decltype(auto) run_write(Body&& body, const writer_turn&) {
    try {
      return retrying([&]() -> decltype(auto) {
        return writer_.transaction(body, tx_mode::immediate);
      });
    } catch (...) {
      const std::lock_guard lock(writer_mutex_);
      ++write_stats_.failed_writes;
      throw;
    }
  }

  template <class Body>
  decltype(auto) retrying(Body&& body) {
    for (int attempt = 1;; ++attempt) {
      try {
        return body();
      } catch (const busy_error&) {
        if (attempt >= options_.write_retry.max_attempts) throw;
        const std::lock_guard lock(writer_mutex_);
        ++write_stats_.busy_retries;
      }
      std::this_thread::sleep_for(options_.write_retry.delay_after(attempt));
    }
  }

  void after_commit(writer_turn& turn) {
    turn.count_write();
    manage_wal();
  }

  // The checkpoint policy (docs/concurrency.md). SQLite's auto-checkpoint is PASSIVE: it
  // copies back only the frames no reader may still need, and the WAL starts again from
  // its beginning only when no reader uses it; readers that always overlap therefore keep
  // it growing ("checkpoint starvation", https://sqlite.org/wal.html#avoiding_excessively_large_wal_files).
  // A TRUNCATE checkpoint needs only the readers on snapshots older than the last commit to
  // finish: once every frame is back in the database file, new readers read the file and
  // take no WAL read mark, so they neither block it nor wait for it. Runs in the writer's
  // turn, so no pool write is in progress. Skipped in a write nested in a read of this
  // pool: the checkpoint would wait for that read, on this very thread.
  //
  // The WAL file's size is looked at (a stat(2), which measured 5 to 10% of a one-row write
  // transaction) only once the writer has written another sixteenth of the threshold in
  // pages since it last looked (SQLITE_DBSTATUS_CACHE_WRITE, a counter read): the WAL can
  // pass the threshold by that much, plus one transaction, before the checkpoint runs.
  void manage_wal() {
    if (checkpoint_bytes_ == 0 || wal_path_.empty() || holds_reader()) return;
    const std::int64_t written =
        detail::db_status(writer_.native_handle(), detail::db_status_ops::cache_write);
    if (written >= 0 && written - pages_at_last_look_ < look_every_pages_) return;
    pages_at_last_look_ = written;
    const std::uintmax_t size = detail::regular_file_size(wal_path_);
    if (size <= std::max(checkpoint_bytes_, retry_checkpoint_bytes_)) return;
    const checkpoint_result r = run_checkpoint(checkpoint_mode::truncate, false);
    // Readers that outlasted checkpoint_wait: try again once the WAL has grown by another
    // half of the threshold, so that a long read costs the writer one wait per that much
    // written rather than one per write.
    retry_checkpoint_bytes_ = r.busy ? size + checkpoint_bytes_ / 2 : 0;
  }

  // Runs in the writer's turn; counts the outcome. An error other than busy is counted, and
  // rethrown when asked (pool.checkpoint); after a write it is reported as `busy` instead,
  // since the write has committed either way.
  //
  // Before a checkpoint that waits for readers, the pool waits on its own for the reads in
  // flight to end, and only then lets SQLite wait (its busy handler) for the rest of
  // checkpoint_wait. SQLite alone could starve: its checkpoint waits for the lock of a
  // reader's WAL slot, polling every few milliseconds, and a reader that starts a new read
  // the moment it ended takes the same slot again in between (with a new mark, which the
  // checkpoint no longer needs but still waits for). Reads that started after the commit
  // are on the newest snapshot and never hold the checkpoint up; they do not count.
  checkpoint_result run_checkpoint(checkpoint_mode mode, bool rethrow) {
    const bool waits = mode != checkpoint_mode::passive;
    const clock::time_point deadline = clock::now() + options_.checkpoint_wait;
    checkpoint_result r;
    std::exception_ptr failed;
    if (waits && !holds_reader() && !wait_for_older_reads(deadline)) {
      r.busy = true;
    } else {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      const sqlite_db_guard timeout(
          writer_, waits ? static_cast<int>(std::max<std::int64_t>(left.count(), 1)) : busy_timeout_ms_,
          busy_timeout_ms_);
      try {
        r = writer_.checkpoint(mode);
      } catch (const error&) {
        failed = std::current_exception();
        r.busy = true;
      }
    }
    {
      const std::lock_guard lock(writer_mutex_);
      if (failed != nullptr) {
        ++write_stats_.checkpoint_errors;
      } else if (!waits) {
        ++write_stats_.passive_checkpoints;
      } else if (r.busy) {
        ++write_stats_.checkpoints_busy;
      } else {
        ++write_stats_.truncate_checkpoints;
      }
    }
    if (failed != nullptr && rethrow) std::rethrow_exception(failed);
    return r;
  }

  // Sets the writer's busy timeout for the checkpoint and puts the connection's own back.
  class sqlite_db_guard {
   public:
    sqlite_db_guard(database& db, int during_ms, int after_ms) noexcept
        : db_(db), after_ms_(after_ms) {
      detail::busy_timeout(db_.native_handle(), during_ms);
    }
    sqlite_db_guard(const sqlite_db_guard&) = delete;
    sqlite_db_guard& operator=(const sqlite_db_guard&) = delete;
    ~sqlite_db_guard() { detail::busy_timeout(db_.native_handle(), after_ms_); }

   private:
    database& db_;
    int after_ms_;
  };

  // ---- queued writes ----

  using job_list = std::vector<std::unique_ptr<detail::pool_job>>;

  // The writer thread: takes up to max_batch queued jobs at a time, in order, until the pool
  // stops and the queue is empty.
  void run_jobs() {
    for (;;) {
      job_list batch;
      {
        std::unique_lock lock(jobs_mutex_);
        jobs_ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        const std::size_t most = std::max<std::size_t>(options_.max_batch, 1);
        while (!jobs_.empty() && batch.size() < most) {
          batch.push_back(std::move(jobs_.front()));
          jobs_.pop_front();
        }
      }
      run_batch(batch);
    }
  }

  // One transaction for the batch, a savepoint per job. A job whose failure took the whole
  // transaction down with it (SQLite rolls back on its own after SQLITE_FULL, IOERR or an
  // interrupt) fails the batch with its error.
  void run_batch(job_list& batch) noexcept {
    std::exception_ptr batch_error;
    try {
      writer_turn turn(*this, false);
      const detail::pool_frame_scope frame(this, &writer_, true);
      retrying([&] {
        writer_.transaction(
            [&] {
              for (auto& job : batch) {
                job->run(writer_);
                if (job->failed() && outer_transaction_lost()) std::rethrow_exception(job->error());
              }
            },
            tx_mode::immediate);
      });
      {
        const std::lock_guard lock(writer_mutex_);
        ++write_stats_.batches;
      }
      manage_wal();
    } catch (...) {
      batch_error = std::current_exception();
    }
    // Counted before any future is ready, so that a caller who saw its future ready sees
    // its job in stats() too.
    std::uint64_t failed = 0;
    for (const auto& job : batch) {
      if (batch_error != nullptr || job->failed()) ++failed;
    }
    {
      const std::lock_guard lock(writer_mutex_);
      write_stats_.queued_writes += batch.size() - failed;
      write_stats_.failed_queued_writes += failed;
    }
    // Each job (its promise, its own exception) is let go as soon as its future is ready,
    // so that the caller, not this thread, usually holds the last reference to what the
    // future carries.
    for (auto& job : batch) {
      job->settle(batch_error);
      job.reset();
    }
  }

  // Whether this thread is inside a read of this pool, on one of its readers.
  bool holds_reader() const noexcept {
    for (const detail::pool_frame* f = detail::pool_frames(); f != nullptr; f = f->outer) {
      if (f->owner == this && !f->writer) return true;
    }
    return false;
  }

  bool outer_transaction_lost() const noexcept {
    const auto* c = detail::connection_access::state(writer_);
    return c->transaction_rolled_back || !writer_.in_transaction();
  }

  // Counters kept under writer_mutex_.
  struct writer_counters {
    std::uint64_t writes = 0;
    std::uint64_t failed_writes = 0;
    std::uint64_t queued_writes = 0;
    std::uint64_t failed_queued_writes = 0;
    std::uint64_t batches = 0;
    std::uint64_t write_waits = 0;
    std::chrono::nanoseconds write_wait_time{0};
    std::uint64_t writer_timeouts = 0;
    std::size_t max_writer_queue = 0;
    std::chrono::nanoseconds writer_busy_time{0};
    std::uint64_t busy_retries = 0;
    std::uint64_t passive_checkpoints = 0;
    std::uint64_t truncate_checkpoints = 0;
    std::uint64_t checkpoints_busy = 0;
    std::uint64_t checkpoint_errors = 0;
  };

  const pool_options options_;
  database writer_;
  std::vector<database> readers_;
  const std::string wal_path_;
  const std::uintmax_t checkpoint_bytes_;
  const int busy_timeout_ms_;

  // One per reader: whether it is taken, how many reads it served (for wait_for_older_reads),
  // and its counters, each on a cache line of its own so that readers on two cores do not
  // share one.
  struct reader_slot {
    alignas(64) std::atomic<bool> busy{false};
    std::atomic<std::uint64_t> generation{0};
    std::atomic<std::uint64_t> reads{0};
    std::atomic<std::int64_t> busy_ns{0};
  };
  std::unique_ptr<reader_slot[]> slots_ = std::make_unique<reader_slot[]>(readers_.size());
  std::atomic<int> reader_waiters_{0};
  mutable std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  pool_stats stats_;  // the reader wait counters, under readers_mutex_

  mutable std::mutex writer_mutex_;
  std::list<writer_waiter*> writer_queue_;
  bool writer_held_ = false;
  writer_counters write_stats_;
  // Touched only in the writer's turn.
  std::uintmax_t retry_checkpoint_bytes_ = 0;
  std::int64_t pages_at_last_look_ = 0;
  std::int64_t look_every_pages_ = 1;

  mutable std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<std::unique_ptr<detail::pool_job>> jobs_;
  bool stopping_ = false;
  std::thread writer_thread_;
};

}  // namespace sqlproof
