#pragma once
/// @file
/// Per-query insights: what each typed query (and each dynamic SQL text) has cost a
/// connection since statistics collection was turned on (`options::collect_query_stats`).
/// `db.query_stats()` returns a `query_stats`: its entries, sorted views (slowest, most
/// frequent, most errors), and the same rendered as a text table or as JSON.

#include "detail/chrono.hpp"
#include <cstdint>
#include <string>
#include <vector>

namespace sqlproof {

/// What one query cost: a typed query (`name` set) or one dynamic SQL text (`name` empty).
struct query_stat {
  std::string name;  ///< The typed query's name; empty for dynamic SQL.
  std::string sql;   ///< The SQL text.
  std::uint64_t calls = 0;       ///< Times it ran (each exec/one/all/iter call).
  std::uint64_t rows = 0;        ///< Rows read (one/all), or rows changed (exec).
  std::uint64_t errors = 0;      ///< Calls that threw (busy and interrupts included).
  std::uint64_t busy = 0;        ///< Calls that failed with `busy_error` (another connection
                                 ///< held the lock past `busy_timeout`).
  std::uint64_t interrupts = 0;  ///< Calls stopped by `interrupt()` or a deadline.
  std::chrono::nanoseconds total_time{0};  ///< Time inside the calls, summed.
  std::chrono::nanoseconds max_time{0};    ///< The longest call.

  /// The mean time of a call (0 when it never ran).
  [[nodiscard]] std::chrono::nanoseconds mean_time() const noexcept {
    return calls == 0 ? std::chrono::nanoseconds{0}
                      : std::chrono::nanoseconds{total_time.count() /
                                                 static_cast<std::int64_t>(calls)};
  }
};

/// What happened on a connection since it opened, whatever the statistics setting: counted
/// only on the paths where it happens (a busy wait, an interrupt), so always on.
struct event_counts {
  std::uint64_t busy_errors = 0;         ///< Statements that failed with `busy_error`.
  std::uint64_t busy_retries = 0;        ///< Transactions re-run after one (`retry_policy`).
  std::uint64_t interrupts = 0;          ///< `interrupt()` calls.
  std::uint64_t deadlines_exceeded = 0;  ///< Statements stopped by a deadline.
};

/// A connection's (or a pool's) per-query statistics, in no particular order.
struct query_stats {
  std::vector<query_stat> entries;
};

}  // namespace sqlproof
