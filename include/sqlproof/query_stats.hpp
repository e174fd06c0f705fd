#pragma once
/// @file
/// Per-query insights: what each typed query (and each dynamic SQL text) has cost a
/// connection since statistics collection was turned on (`options::collect_query_stats`).
/// `db.query_stats()` returns a `query_stats`: its entries, sorted views (slowest, most
/// frequent, most errors), and the same rendered as a text table or as JSON.

#include "detail/chrono.hpp"
#include "detail/json_text.hpp"
#include "detail/migration_text.hpp"
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
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

namespace detail {

// Adds `b`'s counts and times to `a`; the longest call is the longer of the two.
SQLPROOF_DECL void accumulate(query_stat& a, const query_stat& b) noexcept
#if SQLPROOF_DEFINITIONS
{
  a.calls += b.calls;
  a.rows += b.rows;
  a.errors += b.errors;
  a.busy += b.busy;
  a.interrupts += b.interrupts;
  a.total_time += b.total_time;
  if (b.max_time > a.max_time) a.max_time = b.max_time;
}
#else
    ;
#endif

// The first `n` entries that `keep` accepts, in the order `before` defines, equal ones in
// their original order. A bounded binary insertion: the lists are short (one entry per query
// type and cached SQL text), and it keeps <algorithm> out of a header that database.hpp
// users compile.
template <class Before, class Keep>
std::vector<query_stat> top_entries(const std::vector<query_stat>& entries, std::size_t n,
                                    Before before, Keep keep) {
  std::vector<query_stat> top;
  if (n == 0) return top;
  top.reserve(n < entries.size() ? n : entries.size());
  for (const query_stat& e : entries) {
    if (!keep(e)) continue;
    std::size_t lo = 0;
    std::size_t hi = top.size();
    while (lo < hi) {  // the first position `e` goes before: after every equal entry
      const std::size_t mid = lo + (hi - lo) / 2;
      if (before(e, top[mid])) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    if (lo >= n) continue;
    if (top.size() == n) top.pop_back();
    top.insert(top.begin() + static_cast<std::ptrdiff_t>(lo), e);
  }
  return top;
}

SQLPROOF_DECL bool slower_in_total(const query_stat& a, const query_stat& b) noexcept
#if SQLPROOF_DEFINITIONS
{
  if (a.total_time != b.total_time) return a.total_time > b.total_time;
  return a.max_time > b.max_time;
}
#else
    ;
#endif

// Characters in UTF-8 text: bytes that do not continue a sequence.
SQLPROOF_DECL std::size_t utf8_length(std::string_view s) noexcept
#if SQLPROOF_DEFINITIONS
{
  std::size_t chars = 0;
  for (const char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return chars;
}
#else
    ;
#endif

// `sql` on one line (each run of white space as one space), cut to `width` characters (a
// UTF-8 sequence counting as one, never split) ending in "…" when longer.
SQLPROOF_DECL std::string one_line_sql(std::string_view sql, std::size_t width)
#if SQLPROOF_DEFINITIONS
{
  std::string flat;
  flat.reserve(sql.size());
  bool space = false;
  for (const char c : sql) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v') {
      space = !flat.empty();
      continue;
    }
    if (space) flat += ' ';
    space = false;
    flat += c;
  }
  if (width == 0 || utf8_length(flat) <= width) return flat;
  std::size_t kept = 0;  // bytes of the first width - 1 characters
  for (std::size_t chars = 0; kept < flat.size(); ++kept) {
    if ((static_cast<unsigned char>(flat[kept]) & 0xC0) != 0x80 && chars++ == width - 1) break;
  }
  flat.resize(kept);
  flat += "\u2026";
  return flat;
}
#else
    ;
#endif

// What names a query in a table or a report: its name, or its SQL on one line when it has
// none (dynamic SQL) or only the signature an alias gets ("query<long int(...)>").
SQLPROOF_DECL std::string query_label(const query_stat& q, std::size_t width)
#if SQLPROOF_DEFINITIONS
{
  const bool named = !q.name.empty() && std::string_view(q.name).substr(0, 6) != "query<";
  return one_line_sql(named ? q.name : q.sql, width);
}
#else
    ;
#endif

// Right-aligns `s` in `width` characters.
SQLPROOF_DECL void append_right(std::string& out, std::string_view s, std::size_t width)
#if SQLPROOF_DEFINITIONS
{
  if (s.size() < width) out.append(width - s.size(), ' ');
  out += s;
}
#else
    ;
#endif

SQLPROOF_DECL std::string fixed_decimals(double v, int decimals)
#if SQLPROOF_DEFINITIONS
{
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}
#else
    ;
#endif

SQLPROOF_DECL std::string milliseconds_text(std::chrono::nanoseconds t, int decimals)
#if SQLPROOF_DEFINITIONS
{
  return fixed_decimals(static_cast<double>(t.count()) / 1e6, decimals);
}
#else
    ;
#endif

SQLPROOF_DECL std::string microseconds_text(std::chrono::nanoseconds t)
#if SQLPROOF_DEFINITIONS
{
  return fixed_decimals(static_cast<double>(t.count()) / 1e3, 1);
}
#else
    ;
#endif

}  // namespace detail

/// A connection's (or a pool's) per-query statistics: `entries` in no particular order, with
/// sorted views and two renderings (a text table for logs, JSON for a metrics endpoint).
/// @code
/// sqlproof::options o;
/// o.collect_query_stats = true;
/// sqlproof::database db{"app.db", o};
/// // ... the application runs ...
/// const sqlproof::query_stats s = db.query_stats();
/// for (const sqlproof::query_stat& q : s.slowest(3)) log(q.name, q.total_time);
/// std::fputs(s.table().c_str(), stderr);
/// @endcode
struct query_stats {
  std::vector<query_stat> entries;  ///< One per typed query and per dynamic SQL text.

  /// The `n` entries with the most time in total, longest first (equal totals: the longer
  /// single call first; then in `entries` order).
  [[nodiscard]] std::vector<query_stat> slowest(std::size_t n = 10) const {
    return detail::top_entries(entries, n, detail::slower_in_total,
                               [](const query_stat&) { return true; });
  }

  /// The `n` entries with the longest single call, longest first (equal: more total time
  /// first).
  [[nodiscard]] std::vector<query_stat> slowest_calls(std::size_t n = 10) const {
    return detail::top_entries(
        entries, n,
        [](const query_stat& a, const query_stat& b) {
          if (a.max_time != b.max_time) return a.max_time > b.max_time;
          return a.total_time > b.total_time;
        },
        [](const query_stat&) { return true; });
  }

  /// The `n` entries called most often, most first (equal: more total time first).
  [[nodiscard]] std::vector<query_stat> most_frequent(std::size_t n = 10) const {
    return detail::top_entries(
        entries, n,
        [](const query_stat& a, const query_stat& b) {
          if (a.calls != b.calls) return a.calls > b.calls;
          return a.total_time > b.total_time;
        },
        [](const query_stat&) { return true; });
  }

  /// The `n` entries with the most failed calls, most first (equal: more calls first);
  /// entries that never failed are left out, so the list may be shorter than `n` or empty.
  [[nodiscard]] std::vector<query_stat> most_errors(std::size_t n = 10) const {
    return detail::top_entries(
        entries, n,
        [](const query_stat& a, const query_stat& b) {
          if (a.errors != b.errors) return a.errors > b.errors;
          return a.calls > b.calls;
        },
        [](const query_stat& e) { return e.errors > 0; });
  }

  /// Adds `other`'s entries to these: an entry with the same `name` and `sql` as one already
  /// here is combined with it (counts and times summed, the longer `max_time` kept), any other
  /// is appended. For one view over several connections, such as a pool's.
  /// @code
  /// sqlproof::query_stats all = writer.query_stats();
  /// all.merge(reader.query_stats());
  /// @endcode
  void merge(const query_stats& other) {
    if (&other == this) {
      const query_stats copy = other;
      merge(copy);
      return;
    }
    for (const query_stat& e : other.entries) {
      bool combined = false;
      for (std::size_t i = 0; i < entries.size() && !combined; ++i) {
        if (entries[i].name == e.name && entries[i].sql == e.sql) {
          detail::accumulate(entries[i], e);
          combined = true;
        }
      }
      if (!combined) entries.push_back(e);
    }
  }

  /// Every entry summed into one, named "total" with empty `sql`; its `max_time` is the
  /// longest call of any query.
  [[nodiscard]] query_stat totals() const {
    query_stat t;
    t.name = "total";
    for (const query_stat& e : entries) detail::accumulate(t, e);
    return t;
  }

  /// The `limit` entries with the most total time as a fixed-width text table, one line per
  /// query (its name; its SQL on one line, shortened to 50 characters, for dynamic SQL and for
  /// a query declared as an alias, whose name is only its signature), then a line saying
  /// how many were left out (if any) and a line of totals over every entry. Times: total and
  /// longest call in milliseconds, mean in microseconds.
  /// @code
  /// query          calls      rows  errors   busy    total ms    mean µs    max ms
  /// find_user       2000      2000       0      0      41.530       20.8     0.310
  /// ------------------------------------------------------------------------------
  /// total           2000      2000       0      0      41.530       20.8     0.310
  /// @endcode
  [[nodiscard]] std::string table(std::size_t limit = 20) const {
    constexpr std::size_t max_label = 50;
    const std::vector<query_stat> rows_shown = slowest(limit);
    std::vector<std::string> labels;
    labels.reserve(rows_shown.size());
    std::size_t label_width = 5;  // "query", "total"
    for (const query_stat& e : rows_shown) {
      labels.push_back(detail::query_label(e, max_label));
      const std::size_t chars = detail::utf8_length(labels.back());
      if (chars > label_width) label_width = chars;
    }
    const auto line = [&](std::string& out, std::string_view label, const query_stat& e) {
      out += detail::pad(label, label_width + 2);
      detail::append_right(out, std::to_string(e.calls), 9);
      detail::append_right(out, std::to_string(e.rows), 10);
      detail::append_right(out, std::to_string(e.errors), 8);
      detail::append_right(out, std::to_string(e.busy), 7);
      detail::append_right(out, detail::milliseconds_text(e.total_time, 3), 12);
      detail::append_right(out, detail::microseconds_text(e.mean_time()), 11);
      detail::append_right(out, detail::milliseconds_text(e.max_time, 3), 10);
      out += '\n';
    };
    std::string out = detail::pad("query", label_width + 2);
    out += "    calls      rows  errors   busy    total ms    mean \u00b5s    max ms\n";
    for (std::size_t i = 0; i < rows_shown.size(); ++i) line(out, labels[i], rows_shown[i]);
    if (entries.size() > rows_shown.size()) {
      out += "(";
      out += std::to_string(entries.size() - rows_shown.size());
      out += " more not shown)\n";
    }
    out.append(label_width + 2 + 67, '-');
    out += '\n';
    line(out, "total", totals());
    return out;
  }

  /// The entries as JSON, most total time first:
  /// `{"queries":[{"name":"find_user","sql":"SELECT ...","calls":3,"rows":3,"errors":0,
  /// "busy":0,"interrupts":0,"total_ns":81000,"max_ns":40000,"mean_ns":27000}]}`.
  /// `name` is "" for dynamic SQL; strings are escaped as RFC 8259 requires.
  [[nodiscard]] std::string json() const {
    std::string out = "{\"queries\":[";
    bool first = true;
    for (const query_stat& e : slowest(entries.size())) {
      if (!first) out += ',';
      first = false;
      out += "{\"name\":";
      detail::append_json_string(out, e.name);
      out += ",\"sql\":";
      detail::append_json_string(out, e.sql);
      out += ",\"calls\":" + std::to_string(e.calls);
      out += ",\"rows\":" + std::to_string(e.rows);
      out += ",\"errors\":" + std::to_string(e.errors);
      out += ",\"busy\":" + std::to_string(e.busy);
      out += ",\"interrupts\":" + std::to_string(e.interrupts);
      out += ",\"total_ns\":" + std::to_string(e.total_time.count());
      out += ",\"max_ns\":" + std::to_string(e.max_time.count());
      out += ",\"mean_ns\":" + std::to_string(e.mean_time().count());
      out += '}';
    }
    out += "]}";
    return out;
  }
};

}  // namespace sqlproof
