// Tests for include/sqlproof/query_stats.hpp: the sorted views (slowest, slowest calls, most
// frequent, most errors) and their limits, merging two connections' statistics, totals, and
// the text-table and JSON renderings, on statistics built by hand.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <sqlproof/query_stats.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

sp::query_stat stat(std::string name, std::string sql, std::uint64_t calls,
                    std::chrono::nanoseconds total, std::chrono::nanoseconds max,
                    std::uint64_t errors = 0) {
  sp::query_stat s;
  s.name = std::move(name);
  s.sql = std::move(sql);
  s.calls = calls;
  s.rows = calls * 2;
  s.errors = errors;
  s.total_time = total;
  s.max_time = max;
  return s;
}

std::vector<std::string> names(const std::vector<sp::query_stat>& list) {
  std::vector<std::string> out;
  for (const sp::query_stat& s : list) out.push_back(s.name.empty() ? s.sql : s.name);
  return out;
}

// Four queries whose orders differ in every view.
sp::query_stats sample() {
  sp::query_stats s;
  s.entries.push_back(stat("find_user", "SELECT * FROM users WHERE id = ?", 1000, 20ms, 1ms));
  s.entries.push_back(stat("report", "SELECT * FROM events", 3, 90ms, 60ms, 1));
  s.entries.push_back(stat("", "DELETE FROM sessions WHERE expires < ?", 50, 20ms, 2ms, 5));
  s.entries.push_back(stat("add_event", "INSERT INTO events VALUES (?)", 400, 40ms, 300us));
  return s;
}

std::size_t count_of(std::string_view text, std::string_view part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string_view::npos;
       at = text.find(part, at + part.size())) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("slowest orders by total time, equal totals by the longest call") {
  const sp::query_stats s = sample();
  CHECK(names(s.slowest()) == std::vector<std::string>{"report", "add_event",
                                                       "DELETE FROM sessions WHERE expires < ?",
                                                       "find_user"});
  CHECK(names(s.slowest(2)) == std::vector<std::string>{"report", "add_event"});
  CHECK(s.slowest(0).empty());
  CHECK(s.slowest(100).size() == 4);
  // The entries themselves are copied whole.
  const sp::query_stat top = s.slowest(1).front();
  CHECK(top.sql == "SELECT * FROM events");
  CHECK(top.calls == 3);
  CHECK(top.rows == 6);
  CHECK(top.errors == 1);
  CHECK(top.total_time == 90ms);
  CHECK(top.max_time == 60ms);
}

TEST_CASE("equal entries keep their order in every view") {
  sp::query_stats s;
  for (const char* n : {"a", "b", "c", "d", "e"}) s.entries.push_back(stat(n, n, 1, 1ms, 1ms));
  CHECK(names(s.slowest()) == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(names(s.slowest(3)) == std::vector<std::string>{"a", "b", "c"});
  CHECK(names(s.most_frequent(2)) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("slowest_calls orders by the longest call, most_frequent by calls") {
  const sp::query_stats s = sample();
  CHECK(names(s.slowest_calls()) ==
        std::vector<std::string>{"report", "DELETE FROM sessions WHERE expires < ?", "find_user",
                                 "add_event"});
  CHECK(names(s.slowest_calls(1)) == std::vector<std::string>{"report"});
  CHECK(names(s.most_frequent()) ==
        std::vector<std::string>{"find_user", "add_event", "DELETE FROM sessions WHERE expires < ?",
                                 "report"});
  CHECK(names(s.most_frequent(3)).size() == 3);
}

TEST_CASE("most_errors leaves out queries that never failed") {
  const sp::query_stats s = sample();
  CHECK(names(s.most_errors()) ==
        std::vector<std::string>{"DELETE FROM sessions WHERE expires < ?", "report"});
  CHECK(names(s.most_errors(1)) ==
        std::vector<std::string>{"DELETE FROM sessions WHERE expires < ?"});
  CHECK(sp::query_stats{}.most_errors().empty());
}

TEST_CASE("merge combines entries with the same name and SQL and appends the others") {
  sp::query_stats a = sample();
  sp::query_stats b;
  sp::query_stat more = stat("report", "SELECT * FROM events", 2, 100ms, 80ms, 2);
  more.busy = 4;
  more.interrupts = 1;
  b.entries.push_back(more);
  // Same name, other SQL: a different entry.
  b.entries.push_back(stat("report", "SELECT * FROM events WHERE id > 0", 1, 1ms, 1ms));
  // Same dynamic SQL text (no name): combined.
  b.entries.push_back(stat("", "DELETE FROM sessions WHERE expires < ?", 10, 5ms, 3ms));
  a.merge(b);
  REQUIRE(a.entries.size() == 5);

  const sp::query_stat& report = a.entries[1];
  CHECK(report.name == "report");
  CHECK(report.calls == 5);
  CHECK(report.rows == 10);
  CHECK(report.errors == 3);
  CHECK(report.busy == 4);
  CHECK(report.interrupts == 1);
  CHECK(report.total_time == 190ms);
  CHECK(report.max_time == 80ms);

  const sp::query_stat& cleanup = a.entries[2];
  CHECK(cleanup.calls == 60);
  CHECK(cleanup.total_time == 25ms);
  CHECK(cleanup.max_time == 3ms);  // the longer of 2 ms and 3 ms
  CHECK(a.entries[4].sql == "SELECT * FROM events WHERE id > 0");
  CHECK(a.entries[4].calls == 1);

  // Merging with itself doubles the counts and keeps the maxima.
  sp::query_stats twice = sample();
  twice.merge(twice);
  REQUIRE(twice.entries.size() == 4);
  CHECK(twice.entries[0].calls == 2000);
  CHECK(twice.entries[0].total_time == 40ms);
  CHECK(twice.entries[0].max_time == 1ms);
}

TEST_CASE("totals sums every entry") {
  const sp::query_stat t = sample().totals();
  CHECK(t.name == "total");
  CHECK(t.sql.empty());
  CHECK(t.calls == 1453);
  CHECK(t.rows == 2906);
  CHECK(t.errors == 6);
  CHECK(t.total_time == 170ms);
  CHECK(t.max_time == 60ms);
  CHECK(t.mean_time() == std::chrono::nanoseconds{170'000'000 / 1453});
  CHECK(sp::query_stats{}.totals().calls == 0);
  CHECK(sp::query_stats{}.totals().mean_time() == 0ns);
}

TEST_CASE("table lists the slowest queries with their numbers and a line of totals") {
  const std::string t = sample().table();
  // Header, four queries, the rule and the totals.
  CHECK(count_of(t, "\n") == 7);
  CHECK(t.find("query") == 0);
  for (const char* column :
       {"calls", "rows", "errors", "busy", "total ms", "mean \u00b5s", "max ms"}) {
    CHECK(count_of(t, column) == 1);
  }
  // report: 3 calls, 6 rows, 1 error, 90 ms in total, 30000 µs mean, 60 ms at most.
  const std::size_t report = t.find("report");
  REQUIRE(report != std::string::npos);
  const std::string report_line = t.substr(report, t.find('\n', report) - report);
  CHECK(report_line.find("      3         6       1      0      90.000    30000.0    60.000") !=
        std::string::npos);
  // Sorted by total time: report before add_event before the DELETE before find_user.
  CHECK(report < t.find("add_event"));
  CHECK(t.find("add_event") < t.find("DELETE FROM sessions"));
  CHECK(t.find("DELETE FROM sessions") < t.find("find_user"));
  // Dynamic SQL is labelled by its text.
  CHECK(t.find("DELETE FROM sessions WHERE expires < ?") != std::string::npos);
  const std::size_t total = t.find("\ntotal");
  REQUIRE(total != std::string::npos);
  CHECK(t.find("   1453      2906       6      0     170.000", total) != std::string::npos);
  // Every line is as wide as the header (counting "µ" as one character).
  std::size_t start = 0;
  std::vector<std::size_t> widths;
  while (start < t.size()) {
    const std::size_t end = t.find('\n', start);
    widths.push_back(sp::detail::utf8_length(std::string_view(t).substr(start, end - start)));
    start = end + 1;
  }
  for (const std::size_t w : widths) CHECK(w == widths.front());
}

TEST_CASE("table shortens long SQL to one line of 50 characters, and says what it left out") {
  sp::query_stats s = sample();
  s.entries.push_back(stat("",
                           "SELECT id, name, email, created_at\n  FROM users\n"
                           "  WHERE name LIKE ? ORDER BY created_at DESC LIMIT 100",
                           1, 500ms, 500ms));
  const std::string t = s.table(2);
  const std::string shortened = "SELECT id, name, email, created_at FROM users WHE\u2026";
  CHECK(sp::detail::utf8_length(shortened) == 50);
  CHECK(t.find(shortened) != std::string::npos);
  CHECK(t.find("LIMIT 100") == std::string::npos);
  CHECK(t.find("report") != std::string::npos);
  CHECK(t.find("add_event") == std::string::npos);  // third: over the limit of 2
  CHECK(t.find("(3 more not shown)") != std::string::npos);
  // The totals still count every query.
  CHECK(t.find("   1454      2908") != std::string::npos);

  CHECK(sp::detail::one_line_sql("  SELECT\t1\n\n FROM t ", 50) == "SELECT 1 FROM t");
  CHECK(sp::detail::one_line_sql("SELECT 12345", 8) == "SELECT \u2026");
  CHECK(sp::detail::one_line_sql("SELECT 'é' || 'ü'", 12) == "SELECT 'é' \u2026");
  CHECK(sp::detail::one_line_sql("SELECT 'éü'", 11) == "SELECT 'éü'");
}

TEST_CASE("table labels a query declared as an alias by its SQL, not its signature") {
  sp::query_stats s;
  s.entries.push_back(stat("query<long int(...)>", "SELECT count(*) FROM users", 1, 1ms, 1ms));
  s.entries.push_back(stat("count_users", "SELECT count(*) FROM users WHERE 1", 1, 1ms, 1ms));
  const std::string t = s.table();
  CHECK(t.find("query<") == std::string::npos);
  CHECK(t.find("\nSELECT count(*) FROM users ") != std::string::npos);
  CHECK(t.find("\ncount_users ") != std::string::npos);
}

TEST_CASE("table of no queries is a header and zero totals") {
  const std::string t = sp::query_stats{}.table();
  CHECK(count_of(t, "\n") == 3);
  CHECK(t.find("total          0         0       0      0       0.000        0.0     0.000") !=
        std::string::npos);
}

TEST_CASE("json lists every entry, most total time first, with escaped strings") {
  sp::query_stats s;
  sp::query_stat q =
      stat("find \"user\"", "SELECT 'a\\b'\n\tFROM t WHERE x = '\x01' -- \u00e9", 4, 10us, 4us, 1);
  q.busy = 2;
  q.interrupts = 1;
  s.entries.push_back(stat("", "SELECT 1", 1, 1us, 1us));
  s.entries.push_back(q);
  CHECK(s.json() ==
        "{\"queries\":["
        "{\"name\":\"find \\\"user\\\"\",\"sql\":\"SELECT 'a\\\\b'\\n\\tFROM t WHERE x = "
        "'\\u0001' -- \u00e9\",\"calls\":4,\"rows\":8,\"errors\":1,\"busy\":2,\"interrupts\":1,"
        "\"total_ns\":10000,\"max_ns\":4000,\"mean_ns\":2500},"
        "{\"name\":\"\",\"sql\":\"SELECT 1\",\"calls\":1,\"rows\":2,\"errors\":0,\"busy\":0,"
        "\"interrupts\":0,\"total_ns\":1000,\"max_ns\":1000,\"mean_ns\":1000}"
        "]}");
  CHECK(sp::query_stats{}.json() == "{\"queries\":[]}");
}
