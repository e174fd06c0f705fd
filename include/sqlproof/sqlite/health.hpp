#pragma once
/// @file
/// A health report for an SQLite database: a handful of checks on what `stats()`,
/// `pragmas()`, the per-query statistics and the connection's event counts show, each finding
/// with the numbers it saw and, when something is wrong, what to do about it.
///
/// | check             | looks at                                  | thresholds (options)   |
/// | ----------------- | ----------------------------------------- | ---------------------- |
/// | `quick_check`     | `PRAGMA quick_check`, when asked for      | `quick_check`          |
/// | `wal_size`        | the `-wal` file, against its limit        | `wal_size_limit`       |
/// | `freelist`        | free pages against all pages              | `max_freelist_ratio`   |
/// | `cache_hit_ratio` | page-cache hits against lookups           | `min_cache_hit_ratio`  |
/// | `slow_queries`    | each query's mean and longest call        | `slow_query_threshold` |
/// | `busy`            | `busy_error`s, and transactions retried   | `max_busy_errors`      |
/// | `interrupts`      | deadlines exceeded, `interrupt()` calls   | any deadline exceeded  |
///
/// @code
/// sqlproof::database db{"app.db", sqlproof::options::production()};
/// const sqlproof::health_report r = db.health();  // or sqlproof::check_health(db)
/// if (!r.healthy()) log(r.text());
/// @endcode

#include "maintenance.hpp"
#include "../query_stats.hpp"

#include "../detail/chrono.hpp"
#include "../detail/json_text.hpp"
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sqlproof {

/// What `check_health` checks and where it draws its lines.
/// @code
/// sqlproof::health_options o;
/// o.quick_check = true;                            // also read every page's structure
/// o.slow_query_threshold = std::chrono::milliseconds{20};
/// auto report = sqlproof::check_health(db, o);
/// @endcode
struct health_options {
  /// Run `PRAGMA quick_check` (reads the whole file: seconds on a large database). A problem
  /// found is a critical finding.
  bool quick_check = false;
  /// A query whose mean call takes this long is a warning; one with only some calls this long
  /// (its longest call, not its mean) is reported as info.
  std::chrono::milliseconds slow_query_threshold{100};
  /// At most this many slow queries are reported one by one (the slowest in total first);
  /// the rest are counted in the last one's message.
  std::size_t max_slow_queries = 5;
  /// Below this share of page lookups served from the page cache, a warning.
  double min_cache_hit_ratio = 0.90;
  /// The cache hit ratio is judged only after this many lookups (hits + misses): a fresh
  /// connection misses on every page it reads first.
  std::uint64_t min_cache_lookups = 1000;
  /// Above this share of free pages in the file, a warning.
  double max_freelist_ratio = 0.20;
  /// Fewer free pages than this are never reported, whatever their share: a small database's
  /// few free pages are not worth a vacuum.
  std::int64_t min_free_pages = 100;
  /// The largest `-wal` file that is not a finding, in bytes, when `journal_size_limit` is
  /// -1 (none); otherwise `journal_size_limit` is the limit. Either way a WAL up to one
  /// automatic checkpoint's worth of frames (`wal_autocheckpoint` pages) is normal and never
  /// reported.
  std::int64_t wal_size_limit = std::int64_t{64} * 1024 * 1024;
  /// Statements that failed with `busy_error` (another connection held the lock past
  /// `busy_timeout`): up to this many, each followed by a transaction re-run through a
  /// `retry_policy`, is info; more, or more than were retried (failures that reached the
  /// application), is a warning.
  std::uint64_t max_busy_errors = 10;
};

/// How much a finding matters. Ordered: a report's `worst()` is the greatest.
enum class health_severity {
  ok,        ///< Checked, and nothing to do.
  info,      ///< Worth knowing, nothing urgent (some slow calls, a few retried busy errors).
  warning,   ///< Costs time or space now: follow the recommendation.
  critical,  ///< The data itself is at risk (`quick_check` found a problem).
};

/// "ok", "info", "warning" or "critical".
[[nodiscard]] constexpr std::string_view to_string(health_severity s) noexcept {
  switch (s) {
    case health_severity::ok: return "ok";
    case health_severity::info: return "info";
    case health_severity::warning: return "warning";
    case health_severity::critical: return "critical";
  }
  return "unknown";
}

/// One check's result.
struct health_finding {
  health_severity severity = health_severity::ok;
  /// The check: "quick_check", "wal_size", "freelist", "cache_hit_ratio", "slow_queries",
  /// "busy" or "interrupts".
  std::string check;
  /// What was measured, with its numbers and the threshold.
  std::string message;
  /// What to do; empty when there is nothing to do.
  std::string recommendation;
  /// The connection the finding came from in a merged report ("writer", "reader 2"); empty
  /// in a report on one database.
  std::string connection;
};

/// The findings of `check_health`: one per check that ran (severity ok when nothing was
/// wrong), so the report also says what was checked; several for `slow_queries` when several
/// queries are slow.
/// @code
/// const auto r = sqlproof::check_health(db);
/// for (const sqlproof::health_finding& f : r.findings) {
///   if (f.severity >= sqlproof::health_severity::warning) alert(f.check, f.message);
/// }
/// std::string body = r.json();  // for a /health endpoint
/// @endcode
struct health_report {
  /// What was checked: the database's path, or "pool: <path>" for a pool's merged report.
  std::string source;
  std::vector<health_finding> findings;  ///< In the order the checks ran.

  /// The most severe finding's severity; ok when there are none.
  [[nodiscard]] health_severity worst() const noexcept {
    health_severity w = health_severity::ok;
    for (const health_finding& f : findings) {
      if (f.severity > w) w = f.severity;
    }
    return w;
  }

  /// True when no finding is a warning or critical (ok and info findings are healthy).
  [[nodiscard]] bool healthy() const noexcept { return worst() < health_severity::warning; }

  /// The report for a log: a first line with the source and the worst severity, then one
  /// line per finding, its recommendation (if any) on the next line.
  /// @code
  /// health of app.db: warning
  ///   ok        wal_size: the WAL file is 3.8 MiB (limit 64.0 MiB: journal_size_limit 64.0 MiB)
  ///   warning   freelist: 800 of 1000 pages are free (80.0%, 3.1 MiB; threshold 20.0%)
  ///             run db.incremental_vacuum() to return the free pages to the file system
  /// @endcode
  [[nodiscard]] std::string text() const {
    std::string out = "health of ";
    out += source;
    out += ": ";
    out += to_string(worst());
    out += '\n';
    for (const health_finding& f : findings) {
      out += "  ";
      const std::string_view severity = to_string(f.severity);
      out += severity;
      out.append(10 - severity.size(), ' ');
      if (!f.connection.empty()) {
        out += '[';
        out += f.connection;
        out += "] ";
      }
      out += f.check;
      out += ": ";
      out += f.message;
      out += '\n';
      if (!f.recommendation.empty()) {
        out += "            ";
        out += f.recommendation;
        out += '\n';
      }
    }
    return out;
  }

  /// The report as JSON: `{"source":"app.db","worst":"warning","healthy":false,
  /// "findings":[{"severity":"warning","check":"freelist","connection":"","message":"...",
  /// "recommendation":"..."}]}`, strings escaped as RFC 8259 requires.
  [[nodiscard]] std::string json() const {
    std::string out = "{\"source\":";
    detail::append_json_string(out, source);
    out += ",\"worst\":";
    detail::append_json_string(out, to_string(worst()));
    out += ",\"healthy\":";
    out += healthy() ? "true" : "false";
    out += ",\"findings\":[";
    bool first = true;
    for (const health_finding& f : findings) {
      if (!first) out += ',';
      first = false;
      out += "{\"severity\":";
      detail::append_json_string(out, to_string(f.severity));
      out += ",\"check\":";
      detail::append_json_string(out, f.check);
      out += ",\"connection\":";
      detail::append_json_string(out, f.connection);
      out += ",\"message\":";
      detail::append_json_string(out, f.message);
      out += ",\"recommendation\":";
      detail::append_json_string(out, f.recommendation);
      out += '}';
    }
    out += "]}";
    return out;
  }

  /// Adds `other`'s findings, each tagged with `connection` unless it already names one. A
  /// finding equal to one already here (same check, severity and message: a fact about the
  /// file, such as its free pages, seen from another connection) is kept once. A pool
  /// merges its connections' reports this way.
  /// @code
  /// sqlproof::health_report all{"pool: app.db", {}};
  /// all.merge(sqlproof::check_health(writer), "writer");
  /// all.merge(sqlproof::check_health(reader), "reader 1");
  /// @endcode
  void merge(const health_report& other, std::string_view connection) {
    if (&other == this) return;  // every finding would be a repeat
    for (const health_finding& f : other.findings) {
      bool repeat = false;
      for (const health_finding& mine : findings) {
        repeat = repeat || (mine.check == f.check && mine.severity == f.severity &&
                            mine.message == f.message);
      }
      if (repeat) continue;
      findings.push_back(f);
      if (findings.back().connection.empty()) findings.back().connection = connection;
    }
  }

  /// `merge(other, other.source)`: findings tagged with the other report's source.
  void merge(const health_report& other) { merge(other, other.source); }
};

namespace detail {

// What the checks look at, gathered from a database by check_health or built by hand.
struct health_inputs {
  std::string source;
  database_stats stats;
  pragma_values pragmas;
  sqlproof::query_stats queries;
  event_counts events;
  bool quick_checked = false;
  std::vector<std::string> quick_check_problems;  // empty: "ok"
};

SQLPROOF_DECL std::string printed(const char* format, double v)
#if SQLPROOF_DEFINITIONS
{
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}
#else
    ;
#endif

SQLPROOF_DECL std::string percent(double ratio)
#if SQLPROOF_DEFINITIONS
{
  return printed("%.1f%%", ratio * 100.0);
}
#else
    ;
#endif

SQLPROOF_DECL std::string bytes_text(double bytes)
#if SQLPROOF_DEFINITIONS
{
  if (bytes >= 1024.0 * 1024 * 1024) return printed("%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  if (bytes >= 1024.0 * 1024) return printed("%.1f MiB", bytes / (1024.0 * 1024));
  if (bytes >= 1024.0) return printed("%.1f KiB", bytes / 1024.0);
  return printed("%.0f B", bytes);
}
#else
    ;
#endif

SQLPROOF_DECL std::string ms_text(std::chrono::nanoseconds t)
#if SQLPROOF_DEFINITIONS
{
  if (t < std::chrono::milliseconds{1}) {
    return printed("%.1f \u00b5s", static_cast<double>(t.count()) / 1e3);
  }
  return printed("%.1f ms", static_cast<double>(t.count()) / 1e6);
}
#else
    ;
#endif

// A query as a finding names it: its name, or its SQL on one line.
SQLPROOF_DECL std::string query_label(const query_stat& q)
#if SQLPROOF_DEFINITIONS
{
  return query_label(q, 80);
}
#else
    ;
#endif

SQLPROOF_DECL health_finding finding(health_severity s, std::string_view check, std::string message,
                                     std::string recommendation = {})
#if SQLPROOF_DEFINITIONS
{
  return {s, std::string(check), std::move(message), std::move(recommendation), {}};
}
#else
    ;
#endif

SQLPROOF_DECL health_finding check_quick(const health_inputs& in)
#if SQLPROOF_DEFINITIONS
{
  const std::vector<std::string>& p = in.quick_check_problems;
  if (p.empty()) return finding(health_severity::ok, "quick_check", "no problem found");
  return finding(health_severity::critical, "quick_check",
                 "found " + std::to_string(p.size()) + " problem(s), the first: " + p.front(),
                 "stop writing to the file; copy it aside, run db.integrity_check() for the "
                 "full list, and restore the last good backup (db.restore_from(path)); an "
                 "index alone can be rebuilt with REINDEX");
}
#else
    ;
#endif

SQLPROOF_DECL health_finding check_wal(const health_inputs& in, const health_options& o)
#if SQLPROOF_DEFINITIONS
{
  const pragma_values& p = in.pragmas;
  const double wal = static_cast<double>(in.stats.wal_size);
  if (p.journal != journal_mode::wal && in.stats.wal_size == 0) {
    return finding(health_severity::ok, "wal_size", "not in WAL mode: no WAL file");
  }
  // A WAL reaches wal_autocheckpoint frames (page + 24-byte header, after a 32-byte file
  // header) before the automatic checkpoint starts it over: up to that size is normal
  // (https://sqlite.org/fileformat.html#the_write_ahead_log).
  const double one_checkpoint =
      p.wal_autocheckpoint > 0
          ? 32.0 + static_cast<double>(p.wal_autocheckpoint) * (p.page_size + 24.0)
          : 0.0;
  const bool own_limit = p.journal_size_limit >= 0;
  const double set_limit = static_cast<double>(own_limit ? p.journal_size_limit : o.wal_size_limit);
  const double limit = set_limit > one_checkpoint ? set_limit : one_checkpoint;
  std::string message = "the WAL file is " + bytes_text(wal) + " (limit " + bytes_text(limit);
  if (own_limit) {
    message += ": journal_size_limit " + bytes_text(set_limit);
  } else {
    message += ": no journal_size_limit, health_options::wal_size_limit " + bytes_text(set_limit);
  }
  if (one_checkpoint > set_limit) {
    message += ", raised to wal_autocheckpoint " + std::to_string(p.wal_autocheckpoint) + " pages";
  }
  message += ")";
  if (wal <= limit) return finding(health_severity::ok, "wal_size", std::move(message));
  std::string advice =
      "run db.checkpoint(sqlproof::checkpoint_mode::truncate) at a quiet moment; if it "
      "reports busy, a long-lived read transaction (or a statement left unfinished) holds an "
      "old snapshot and keeps checkpoints from starting the WAL over: end it";
  if (!own_limit) {
    advice += "; set options::journal_size_limit so the WAL is truncated after each checkpoint";
  }
  return finding(health_severity::warning, "wal_size", std::move(message), std::move(advice));
}
#else
    ;
#endif

SQLPROOF_DECL health_finding check_freelist(const health_inputs& in, const health_options& o)
#if SQLPROOF_DEFINITIONS
{
  const database_stats& s = in.stats;
  const double ratio =
      s.page_count > 0 ? static_cast<double>(s.freelist_count) / static_cast<double>(s.page_count)
                       : 0.0;
  std::string message =
      std::to_string(s.freelist_count) + " of " + std::to_string(s.page_count) +
      " pages are free (" + percent(ratio) + ", " +
      bytes_text(static_cast<double>(s.freelist_count) * static_cast<double>(s.page_size)) +
      "; threshold " + percent(o.max_freelist_ratio);
  if (s.freelist_count < o.min_free_pages) {
    message += " from " + std::to_string(o.min_free_pages) + " free pages)";
    return finding(health_severity::ok, "freelist", std::move(message));
  }
  message += ")";
  if (ratio <= o.max_freelist_ratio) {
    return finding(health_severity::ok, "freelist", std::move(message));
  }
  std::string advice;
  switch (in.pragmas.auto_vacuum) {
    case auto_vacuum_mode::incremental:
      advice = "run db.incremental_vacuum() to return the free pages to the file system";
      break;
    case auto_vacuum_mode::full:
      advice =
          "auto_vacuum is FULL yet pages stay free: run VACUUM (db.exec_script(\"VACUUM\")) "
          "at a quiet moment";
      break;
    default:
      advice =
          "auto_vacuum is NONE, so db.incremental_vacuum() frees nothing: run VACUUM "
          "(db.exec_script(\"VACUUM\")) at a quiet moment, or write a compact copy with "
          "db.vacuum_into(path); create databases with auto_vacuum incremental "
          "(options::production()) to reclaim pages without a full VACUUM";
      break;
  }
  return finding(health_severity::warning, "freelist", std::move(message), std::move(advice));
}
#else
    ;
#endif

SQLPROOF_DECL health_finding check_cache(const health_inputs& in, const health_options& o)
#if SQLPROOF_DEFINITIONS
{
  const database_stats& s = in.stats;
  const auto hits = static_cast<std::uint64_t>(s.cache_hits > 0 ? s.cache_hits : 0);
  const auto misses = static_cast<std::uint64_t>(s.cache_misses > 0 ? s.cache_misses : 0);
  const std::uint64_t lookups = hits + misses;
  if (lookups < o.min_cache_lookups) {
    return finding(health_severity::ok, "cache_hit_ratio",
                   std::to_string(lookups) + " page lookups, too few to judge (from " +
                       std::to_string(o.min_cache_lookups) + ")");
  }
  const double ratio = static_cast<double>(hits) / static_cast<double>(lookups);
  const std::int64_t cache_size = in.pragmas.cache_size;
  const double cache_bytes = cache_size >= 0
                                 ? static_cast<double>(cache_size) * in.pragmas.page_size
                                 : static_cast<double>(-cache_size) * 1024.0;
  std::string message =
      percent(ratio) + " of page lookups hit the cache (" + std::to_string(hits) + " hits, " +
      std::to_string(misses) + " misses; threshold " + percent(o.min_cache_hit_ratio) +
      "); cache_size " + std::to_string(cache_size) + " (" + bytes_text(cache_bytes) +
      ") for a database of " +
      bytes_text(static_cast<double>(s.page_count) * static_cast<double>(s.page_size));
  if (ratio >= o.min_cache_hit_ratio) {
    return finding(health_severity::ok, "cache_hit_ratio", std::move(message));
  }
  return finding(health_severity::warning, "cache_hit_ratio", std::move(message),
                 "raise options::cache_size (negative values are KiB: -65536 is 64 MiB, as "
                 "options::production() sets) towards the size of the pages read often, or "
                 "set options::mmap_size; when the misses come from full scans, an index "
                 "reads fewer pages (see slow_queries)");
}
#else
    ;
#endif

// The tables a plan passes over in full ("SCAN t", not through an index), the temporary
// b-trees it sorts in, and whether it reads through an index at all.
struct plan_summary {
  std::vector<std::string> scanned_tables;
  bool sorts = false;
  bool uses_index = false;
};

SQLPROOF_DECL plan_summary summarize_plan(const std::vector<plan_row>& plan)
#if SQLPROOF_DEFINITIONS
{
  plan_summary out;
  for (const plan_row& row : plan) {
    std::string_view d = row.detail;
    if (d.find(" INDEX ") != std::string_view::npos ||
        d.find("USING INTEGER PRIMARY KEY") != std::string_view::npos ||
        d.find("USING ROWID") != std::string_view::npos) {
      out.uses_index = true;
    }
    if (starts_with_word(d, "USE TEMP B-TREE")) out.sorts = true;
    if (!starts_with_word(d, "SCAN")) continue;
    d.remove_prefix(5);
    if (starts_with_word(d, "TABLE")) d.remove_prefix(6);  // SQLite before 3.36
    const std::string_view table = plan_word(d, 0);
    // "SCAN CONSTANT ROW", subqueries "(subquery-1)", virtual tables and passes through an
    // index are not full passes over a stored table.
    if (table.empty() || starts_with_word(d, "CONSTANT ROW") ||
        d.find(" USING ") != std::string_view::npos ||
        d.find("VIRTUAL TABLE") != std::string_view::npos) {
      continue;
    }
    bool listed = false;
    for (const std::string& t : out.scanned_tables) listed = listed || t == table;
    if (!listed) out.scanned_tables.emplace_back(table);
  }
  return out;
}
#else
    ;
#endif

// What to do about one slow query, from its plan when there is one.
SQLPROOF_DECL std::string slow_query_advice(const query_stat& q, const std::vector<plan_row>& plan)
#if SQLPROOF_DEFINITIONS
{
  if (plan.empty()) {
    return "see its plan with db.explain(sql): a SCAN of a large table means an index is "
           "missing";
  }
  const plan_summary p = summarize_plan(plan);
  std::string advice;
  if (!p.scanned_tables.empty()) {
    advice = "EXPLAIN QUERY PLAN scans table";
    advice += p.scanned_tables.size() > 1 ? "s " : " ";
    for (std::size_t i = 0; i < p.scanned_tables.size(); ++i) {
      if (i > 0) advice += ", ";
      advice += p.scanned_tables[i];
    }
    advice +=
        " in full: add an index on the columns its WHERE, JOIN or ORDER BY use so "
        "SQLite can search instead, then run db.optimize()";
  }
  if (p.sorts) {
    advice += advice.empty() ? "EXPLAIN QUERY PLAN sorts" : "; it also sorts";
    advice +=
        " in a temporary b-tree: an index in the ORDER BY (or GROUP BY) column order "
        "avoids the sort";
  }
  if (advice.empty()) {
    advice = "EXPLAIN QUERY PLAN finds no full scan (" + plan.front().detail +
             (plan.size() > 1 ? ", ..." : "") + "): it returns " +
             std::to_string(q.calls > 0 ? q.rows / q.calls : 0) +
             " row(s) per call; fetch fewer rows or run db.optimize() so the planner's "
             "statistics are current";
  }
  return advice;
}
#else
    ;
#endif

template <class PlanOf>
void check_slow_queries(std::vector<health_finding>& out, const health_inputs& in,
                        const health_options& o, PlanOf& plan_of) {
  const query_stats& qs = in.queries;
  if (qs.entries.empty()) {
    out.push_back(finding(health_severity::info, "slow_queries",
                          "no per-query statistics: options::collect_query_stats is off, or "
                          "nothing has run yet"));
    return;
  }
  const auto threshold =
      std::chrono::duration_cast<std::chrono::nanoseconds>(o.slow_query_threshold);
  const query_stat total = qs.totals();
  std::size_t slow = 0;
  for (const query_stat& q : qs.slowest(qs.entries.size())) {
    if (q.max_time < threshold || q.calls == 0) continue;
    ++slow;
    if (slow > o.max_slow_queries) continue;
    const bool mean_slow = q.mean_time() >= threshold;
    std::string message =
        query_label(q) + ": mean " + ms_text(q.mean_time()) + " over " + std::to_string(q.calls) +
        " call(s), longest " + ms_text(q.max_time) + " (threshold " + ms_text(threshold) + "); " +
        percent(total.total_time.count() > 0 ? static_cast<double>(q.total_time.count()) /
                                                   static_cast<double>(total.total_time.count())
                                             : 0.0) +
        " of all query time";
    out.push_back(finding(mean_slow ? health_severity::warning : health_severity::info,
                          "slow_queries", std::move(message), slow_query_advice(q, plan_of(q))));
  }
  if (slow > o.max_slow_queries && o.max_slow_queries > 0) {
    out.back().message += "; " + std::to_string(slow - o.max_slow_queries) + " more quer" +
                          (slow - o.max_slow_queries == 1 ? "y" : "ies") +
                          " over the threshold not listed";
  }
  if (slow == 0 || o.max_slow_queries == 0) {
    out.push_back(finding(slow == 0 ? health_severity::ok : health_severity::info, "slow_queries",
                          std::to_string(slow) + " of " + std::to_string(qs.entries.size()) +
                              " queries over " + ms_text(threshold) + " (longest call " +
                              ms_text(total.max_time) + ")"));
  }
}

// The entry with the most of `count` (busy errors, interrupts), as "name (n)"; empty when none.
template <class Count>
std::string most_of(const query_stats& qs, Count count) {
  const query_stat* top = nullptr;
  for (const query_stat& q : qs.entries) {
    if (count(q) > 0 && (top == nullptr || count(q) > count(*top))) top = &q;
  }
  return top == nullptr ? std::string()
                        : query_label(*top) + " (" + std::to_string(count(*top)) + ")";
}

SQLPROOF_DECL health_finding check_busy(const health_inputs& in, const health_options& o)
#if SQLPROOF_DEFINITIONS
{
  const event_counts& e = in.events;
  std::string message = std::to_string(e.busy_errors) +
                        " statement(s) failed with "
                        "busy_error, " +
                        std::to_string(e.busy_retries) +
                        " transaction(s) re-run by a retry_policy (threshold " +
                        std::to_string(o.max_busy_errors) + " errors, each retried)";
  const std::string top = most_of(in.queries, [](const query_stat& q) { return q.busy; });
  if (!top.empty()) message += "; most: " + top;
  if (e.busy_errors == 0 && e.busy_retries == 0) {
    return finding(health_severity::ok, "busy", std::move(message));
  }
  const bool warn = e.busy_errors > e.busy_retries || e.busy_errors > o.max_busy_errors;
  return finding(warn ? health_severity::warning : health_severity::info, "busy",
                 std::move(message),
                 "connections contend for SQLite's single write lock: send writes through "
                 "one writer (sqlproof::pool), keep write transactions short and begin them "
                 "with tx_mode::immediate, retry them with a retry_policy, and check "
                 "options::busy_timeout (now " +
                     std::to_string(in.pragmas.busy_timeout.count()) + " ms)");
}
#else
    ;
#endif

SQLPROOF_DECL health_finding check_interrupts(const health_inputs& in)
#if SQLPROOF_DEFINITIONS
{
  const event_counts& e = in.events;
  std::string message = std::to_string(e.deadlines_exceeded) +
                        " statement(s) stopped by a deadline, " + std::to_string(e.interrupts) +
                        " interrupt() call(s)";
  const std::string top = most_of(in.queries, [](const query_stat& q) { return q.interrupts; });
  if (!top.empty()) message += "; most stopped: " + top;
  if (e.deadlines_exceeded == 0 && e.interrupts == 0) {
    return finding(health_severity::ok, "interrupts", std::move(message));
  }
  if (e.deadlines_exceeded > 0) {
    return finding(health_severity::warning, "interrupts", std::move(message),
                   "a statement that runs past its deadline is usually a slow query (see "
                   "slow_queries and db.explain(sql)): add the index it lacks, or give it a "
                   "longer deadline");
  }
  return finding(health_severity::info, "interrupts", std::move(message),
                 "interrupt() is called by the application: check that these were expected");
}
#else
    ;
#endif

// Every check on `in`, in order; `plan_of(const query_stat&)` returns a query's
// EXPLAIN QUERY PLAN rows (empty when unknown) for the slow-query advice.
template <class PlanOf>
health_report health_from(const health_inputs& in, const health_options& o, PlanOf&& plan_of) {
  health_report r;
  r.source = in.source;
  if (in.quick_checked) r.findings.push_back(check_quick(in));
  r.findings.push_back(check_wal(in, o));
  r.findings.push_back(check_freelist(in, o));
  r.findings.push_back(check_cache(in, o));
  check_slow_queries(r.findings, in, o, plan_of);
  r.findings.push_back(check_busy(in, o));
  r.findings.push_back(check_interrupts(in));
  return r;
}

SQLPROOF_DECL health_report health_from(const health_inputs& in, const health_options& o)
#if SQLPROOF_DEFINITIONS
{
  return health_from(in, o, [](const query_stat&) { return std::vector<plan_row>{}; });
}
#else
    ;
#endif

}  // namespace detail

/// Checks `db` and reports what it found: WAL size, free pages, the page-cache hit ratio, slow
/// queries (each with advice from its query plan), busy waits and interrupts, and with
/// `o.quick_check` the file's structure. Reads `db.stats()`, `db.pragmas()`,
/// `db.query_stats()` (empty unless `options::collect_query_stats` is on: the slow-query check
/// then says so) and `db.event_counts()`; runs no statement that writes. Throws `misuse_error` when
/// `db` is closed, `error` when a pragma cannot be read. Like every call on `db`, from its own
/// thread only.
/// @code
/// sqlproof::health_options o;
/// o.quick_check = true;
/// const auto report = sqlproof::check_health(db, o);
/// std::fputs(report.text().c_str(), stderr);
/// @endcode
SQLPROOF_DECL health_report check_health(database& db, const health_options& o = {})
#if SQLPROOF_DEFINITIONS
{
  detail::health_inputs in;
  in.source = db.path();
  in.stats = db.stats();
  in.pragmas = db.pragmas();
  if (o.quick_check) {
    in.quick_checked = true;
    in.quick_check_problems = db.quick_check(10);
  }
  in.queries = db.query_stats();
  in.events = db.event_counts();
  return detail::health_from(in, o, [&db](const query_stat& q) -> std::vector<plan_row> {
    try {
      return db.explain(q.sql);
    } catch (const error&) {  // SQL that no longer prepares (a dropped table): no advice
      return {};
    }
  });
}
#else
    ;
#endif

namespace detail {

// The body of database::health() (declared in database.hpp).
struct health_checks {
  static health_report health(database& db) { return check_health(db); }
  static health_report health(database& db, const health_options& o) { return check_health(db, o); }
};

}  // namespace detail

}  // namespace sqlproof
