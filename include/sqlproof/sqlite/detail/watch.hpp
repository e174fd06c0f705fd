#pragma once
// What a connection watches besides running statements: statement deadlines (SQLite's
// progress handler), per-query statistics, and counts of busy errors, retries, interrupts and
// deadlines.
//
// All of it is off the hot path: a typed query tests one byte, `connection_state::watched`,
// and takes the watched path only when statistics are on, a statement timeout is set or a
// `with_deadline` scope is open. The events are counted on the (cold) paths where they happen.

#include "../../detail/chrono.hpp"
#if !defined(__GNUC__) && !defined(__clang__)
#include <atomic>
#endif
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "../../basic_statement_cache.hpp"
#include "../../config.hpp"
#include "../../error.hpp"
#include "api.hpp"

namespace sqlproof::detail {

// What one query (a typed query's slot, or one dynamic SQL text) has cost.
struct query_counter {
  std::string_view name;  // typed: the query's name (static storage); dynamic: empty
  std::string_view sql;   // typed: static storage; dynamic: points into `text`
  std::uint64_t calls = 0;
  std::uint64_t rows = 0;
  std::uint64_t errors = 0;
  std::uint64_t busy = 0;
  std::uint64_t interrupts = 0;
  std::int64_t total_ns = 0;
  std::int64_t max_ns = 0;
};

struct dynamic_query_counter {
  std::string text;
  std::size_t hash = 0;
  query_counter counter;
};

// Always counted, on the paths where each happens.
struct event_counters {
  std::uint64_t busy_retries = 0;  // transactions re-run after busy_error (retry_policy)
  std::uint64_t busy_errors = 0;
  std::uint64_t interrupts = 0;  // interrupt() calls, from any thread: atomic builtins
  std::uint64_t deadlines = 0;
};

// The statistics of a connection, kept while `options::collect_query_stats` is on.
struct query_counters {
  // Bound on distinct dynamic SQL texts; the rest are counted together under one entry.
  static constexpr std::size_t max_dynamic = 256;
  static constexpr std::string_view other_dynamic = "(other dynamic SQL)";

  std::vector<query_counter> typed;  // indexed by query_slot<Q>()
  std::vector<dynamic_query_counter> dynamic;
  query_counter other;  // dynamic texts past max_dynamic

  query_counter& for_slot(std::size_t slot, std::string_view name, std::string_view sql);

  query_counter& for_text(std::string_view sql);

  void clear() noexcept {
    typed.clear();
    dynamic.clear();
    other = {};
  }
};

#if SQLPROOF_DEFINITIONS
SQLPROOF_NOINLINE SQLPROOF_DECL auto query_counters::for_slot(std::size_t slot,
                                                              std::string_view name,
                                                              std::string_view sql)
    -> query_counter& {
  if (slot >= typed.size()) typed.resize(slot + 1);
  query_counter& q = typed[slot];
  if (q.sql.empty()) {
    q.name = name;
    q.sql = sql;
  }
  return q;
}

SQLPROOF_NOINLINE SQLPROOF_DECL auto query_counters::for_text(std::string_view sql)
    -> query_counter& {
  const std::size_t hash = std::hash<std::string_view>{}(sql);
  for (dynamic_query_counter& d : dynamic) {
    if (d.hash == hash && d.text == sql) return d.counter;
  }
  if (dynamic.size() >= max_dynamic) {
    other.sql = other_dynamic;
    return other;
  }
  dynamic.push_back({std::string(sql), hash, {}});
  dynamic_query_counter& d = dynamic.back();
  d.counter.sql = d.text;
  // A vector that grew moved the strings: re-point every counter at its own text (small
  // strings live inside the object).
  for (dynamic_query_counter& e : dynamic) e.counter.sql = e.text;
  return d.counter;
}

#endif  // SQLPROOF_DEFINITIONS

inline std::int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The instructions between two deadline checks: a clock read per few microseconds of a
// running statement.
inline constexpr int deadline_check_interval = 1000;

// The watch state of a connection (a member of connection_state).
struct watch_state {
  bool watched = false;        // the one byte a typed query tests: any of the below is on
  bool collect_stats = false;  // options::collect_query_stats
  bool deadline_hit = false;   // the progress handler stopped the running statement
  bool progress_installed = false;
  int deadline_scopes = 0;             // open with_deadline calls
  std::int64_t statement_timeout_ns = 0;  // per statement, 0 = none
  std::int64_t deadline_ns = 0;           // steady clock; 0 = none
  std::int64_t deadline_budget_ns = 0;    // the budget deadline_ns came from, for messages
  int failed_rc = 0;                      // the result code of the last failed step
  event_counters events;
  query_counters stats;

  void update() noexcept {
    watched = collect_stats || statement_timeout_ns > 0 || deadline_scopes > 0;
  }
};

// interrupt() is called from any thread: its counter is updated and read atomically.
inline void note_interrupt(event_counters& e) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  __atomic_fetch_add(&e.interrupts, 1, __ATOMIC_RELAXED);
#else
  std::atomic_ref<std::uint64_t>(e.interrupts).fetch_add(1, std::memory_order_relaxed);
#endif
}
inline std::uint64_t interrupts_of(const event_counters& e) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return __atomic_load_n(&e.interrupts, __ATOMIC_RELAXED);
#else
  return std::atomic_ref<const std::uint64_t>(e.interrupts).load(std::memory_order_relaxed);
#endif
}

// Counts a failed step's kind before the error is thrown (cold paths only).
inline void count_failure(watch_state& w, int rc) noexcept {
  w.failed_rc = rc;
  const int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ++w.events.busy_errors;
}

// Called every deadline_check_interval instructions while a deadline may be set.
inline int on_progress(void* state) noexcept {
  auto& w = *static_cast<watch_state*>(state);
  if (w.deadline_ns == 0 || steady_now_ns() < w.deadline_ns) return 0;
  w.deadline_hit = true;
  ++w.events.deadlines;
  return 1;
}

// Installs the progress handler while a deadline can be set, removes it otherwise.
inline void update_progress_handler(sqlite_db* db, watch_state& w) noexcept {
  const bool want = w.statement_timeout_ns > 0 || w.deadline_scopes > 0;
  if (want == w.progress_installed || db == nullptr) return;
  progress_handler(db, want ? deadline_check_interval : 0, want ? &on_progress : nullptr, &w);
  w.progress_installed = want;
}

// An open with_deadline call: sets the connection's deadline (keeping an earlier one) and
// installs the progress handler while it is open.
class deadline_scope {
 public:
  deadline_scope(sqlite_db* db, watch_state& w, std::chrono::milliseconds budget) noexcept
      : db_(db), w_(w), saved_deadline_(w.deadline_ns), saved_budget_(w.deadline_budget_ns) {
    const std::int64_t ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(budget).count();
    const std::int64_t at = steady_now_ns() + (ns > 0 ? ns : 0);
    if (saved_deadline_ == 0 || at < saved_deadline_) {
      w.deadline_ns = at;
      w.deadline_budget_ns = ns;
    }
    ++w.deadline_scopes;
    w.update();
    update_progress_handler(db, w);
  }
  deadline_scope(const deadline_scope&) = delete;
  deadline_scope& operator=(const deadline_scope&) = delete;
  ~deadline_scope() {
    w_.deadline_hit = false;
    w_.deadline_ns = saved_deadline_;
    w_.deadline_budget_ns = saved_budget_;
    --w_.deadline_scopes;
    w_.update();
    update_progress_handler(db_, w_);
  }

 private:
  sqlite_db* db_;
  watch_state& w_;
  std::int64_t saved_deadline_;
  std::int64_t saved_budget_;
};

// The error of a statement a deadline stopped: SQLite's interrupt, said as what it was.
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_deadline_exceeded(const watch_state& w,
                                                                      int code,
                                                                      std::string_view message,
                                                                      std::string_view sql,
                                                                      std::string_view name)
#if SQLPROOF_DEFINITIONS
{
  const std::int64_t ms = w.deadline_budget_ns / 1'000'000;
  throw deadline_exceeded_error(
      concat({"statement stopped: it ran past its deadline of ", number_text(ms),
              " ms (raise the timeout, or make the query cheaper: an index, a LIMIT)"}),
      {code, message, sql, name});
}
#else
    ;
#endif

// True when a failed step was stopped by the connection's deadline.
inline bool stopped_by_deadline(const watch_state& w, int rc) noexcept {
  return w.deadline_hit && (rc & 0xff) == SQLITE_INTERRUPT;
}

// Replaces an interrupted_error that a deadline caused by a deadline_exceeded_error with the
// same context; anything else is rethrown as it is. Called inside a catch block.
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void rethrow_interrupt(const watch_state& w,
                                                                const interrupted_error& e)
#if SQLPROOF_DEFINITIONS
{
  if (!w.deadline_hit) throw;
  throw_deadline_exceeded(w, e.extended_code(), e.sqlite_message(), e.sql(), e.query_name());
}
#else
    ;
#endif

// One call (a typed query, a dynamic statement, a script) as the connection watches it (the
// first call of a query with statistics on allocates its counter, which may throw). On an
// unwatched connection it costs a test of `watched` when made and of `active_` when it ends:
// everything else is out of line. On a watched one it arms the statement timeout (never later
// than an open with_deadline scope's) and, with statistics on, times the call into its
// query's counter; when it ends it restores the enclosing deadline. A call that ends by an
// exception counts as an error (interrupted or busy as `fail_step` noted); `rows` is what a
// call that returns reports.
class watch_guard {
 public:
  // Where the counter of a call is found: a typed query's slot, or a dynamic SQL text.
  using slot_of = std::size_t*;  // query_slot_cell<Q>

  SQLPROOF_ALWAYS_INLINE watch_guard(watch_state& w, slot_of slot, std::string_view name,
                                     std::string_view sql)
      : w_(&w) {
    if (w.watched) [[unlikely]] begin_typed(slot, name, sql);
  }
  // A dynamic statement's run; `w` is null for a statement made without a connection.
  SQLPROOF_ALWAYS_INLINE watch_guard(watch_state* w, sqlite_stmt* dynamic) : w_(w) {
    if (w != nullptr && w->watched) [[unlikely]] begin_dynamic(dynamic);
  }
  // A call with a deadline and no statistics entry (a script).
  SQLPROOF_ALWAYS_INLINE explicit watch_guard(watch_state& w) : w_(&w) {
    if (w.watched) [[unlikely]] begin(nullptr);
  }
  watch_guard(const watch_guard&) = delete;
  watch_guard& operator=(const watch_guard&) = delete;
  SQLPROOF_ALWAYS_INLINE ~watch_guard() {
    if (active_) [[unlikely]] end();
  }

  // The rows the call read or changed, counted if it returns.
  SQLPROOF_ALWAYS_INLINE void rows(std::uint64_t n) noexcept {
    if (active_) [[unlikely]] rows_ = n;
  }

 private:
  void begin_typed(slot_of slot, std::string_view name, std::string_view sql);
  void begin_dynamic(sqlite_stmt* stmt);
  void begin(query_counter* counter) noexcept;
  void end() noexcept;

  // Only w_ and active_ are set on an unwatched connection (no stores beyond them on the hot
  // path); begin sets the rest.
  watch_state* w_;
  bool active_ = false;
  int exceptions_;
  query_counter* counter_;
  std::uint64_t rows_;
  std::int64_t saved_deadline_;
  std::int64_t saved_budget_;
  std::int64_t start_;
};

#if SQLPROOF_DEFINITIONS
SQLPROOF_NOINLINE SQLPROOF_DECL void watch_guard::begin_typed(slot_of slot, std::string_view name,
                                                              std::string_view sql) {
  begin(w_->collect_stats ? &w_->stats.for_slot(slot_in(slot), name, sql) : nullptr);
}

SQLPROOF_NOINLINE SQLPROOF_DECL void watch_guard::begin_dynamic(sqlite_stmt* stmt) {
  const char* sql = w_->collect_stats ? sql_of(stmt) : nullptr;
  begin(sql != nullptr ? &w_->stats.for_text(sql) : nullptr);
}

SQLPROOF_NOINLINE SQLPROOF_DECL void watch_guard::begin(query_counter* counter) noexcept {
  active_ = true;
  exceptions_ = std::uncaught_exceptions();
  rows_ = 0;
  counter_ = counter;
  saved_deadline_ = w_->deadline_ns;
  saved_budget_ = w_->deadline_budget_ns;
  start_ = steady_now_ns();
  if (w_->statement_timeout_ns > 0) {
    const std::int64_t own = start_ + w_->statement_timeout_ns;
    if (saved_deadline_ == 0 || own < saved_deadline_) {
      w_->deadline_ns = own;
      w_->deadline_budget_ns = w_->statement_timeout_ns;
    }
  }
  w_->deadline_hit = false;
  w_->failed_rc = 0;
}

SQLPROOF_NOINLINE SQLPROOF_DECL void watch_guard::end() noexcept {
  w_->deadline_ns = saved_deadline_;
  w_->deadline_budget_ns = saved_budget_;
  if (counter_ == nullptr) return;
  const std::int64_t took = steady_now_ns() - start_;
  query_counter& q = *counter_;
  ++q.calls;
  if (std::uncaught_exceptions() <= exceptions_) {
    q.rows += rows_;
  } else {
    ++q.errors;
    const int primary = w_->failed_rc & 0xff;
    if (primary == SQLITE_INTERRUPT) ++q.interrupts;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ++q.busy;
  }
  q.total_ns += took;
  if (took > q.max_ns) q.max_ns = took;
}

#endif  // SQLPROOF_DEFINITIONS

}  // namespace sqlproof::detail
