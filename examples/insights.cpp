// Per-query insights and the health report: a connection that collects per-query statistics
// runs a small workload (typed queries, dynamic SQL, and one query that scans a table for
// want of an index), prints the statistics as a table, the slowest queries and JSON, then
// the health report, which names the slow query and what its plan lacks. After the index is
// added the same workload is fast and the report is healthy.
// Run it in a scratch directory: it creates insights.db there (removing any previous one
// first) and checks its own results.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <sqlproof/sqlproof.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sp = sqlproof;
using namespace std::chrono_literals;

// [queries]
struct add_user : sp::query<"INSERT INTO users (name) VALUES (?)", void(std::string)> {};
struct user_name : sp::query<"SELECT name FROM users WHERE id = ?", std::string(std::int64_t)> {};
// orders has no index on user_id (yet): this one reads every order.
struct orders_of_user
    : sp::query<"SELECT count(*) FROM orders WHERE user_id = ?", std::int64_t(std::int64_t)> {};
// [queries]

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "insights: check failed: %s\n", what);
    ++failures;
  }
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The day's work: look users up, count their orders, read orders through dynamic SQL.
void workload(sp::database& db) {
  for (std::int64_t id = 1; id <= 1000; ++id) {
    check(db.one<user_name>(id).has_value(), "user found");
  }
  for (std::int64_t id = 1; id <= 20; ++id) {
    check(db.one<orders_of_user>(id) == 300, "300 orders per user");
  }
  sp::statement total_of = db.prepare_cached("SELECT total FROM orders WHERE id = ?");
  for (std::int64_t id = 1; id <= 50; ++id) {
    check(total_of.one<std::int64_t>(id) == (id - 1) % 97, "order total");
  }
}

}  // namespace

int main() {
  try {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(std::string("insights.db") + suffix);
    }

    // [open]
    sp::options o = sp::options::production();
    o.collect_query_stats = true;  // off by default
    sp::database db{"insights.db", o};
    // [open]
    db.exec_script(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,"
        "                     total INTEGER NOT NULL)");
    db.transaction([&] {
      for (int i = 1; i <= 1000; ++i) db.exec<add_user>("user " + std::to_string(i));
    });
    db.exec_script(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 299999)"
        "  INSERT INTO orders (user_id, total) SELECT i % 1000 + 1, i % 97 FROM n");
    db.reset_query_stats();  // count the workload only, not the set-up

    workload(db);

    // [table]
    const sp::query_stats stats = db.query_stats();
    std::fputs(stats.table().c_str(), stdout);
    // [table]

    // [views]
    std::printf("\nslowest in total:\n");
    for (const sp::query_stat& q : stats.slowest(3)) {
      std::printf("  %-40.40s %6llu calls  %8.3f ms\n",
                  q.name.empty() ? q.sql.c_str() : q.name.c_str(),
                  static_cast<unsigned long long>(q.calls),
                  std::chrono::duration<double, std::milli>(q.total_time).count());
    }
    // [views]
    check(stats.slowest(1).front().name == "orders_of_user", "the scan is the slowest");
    check(stats.most_frequent(1).front().name == "user_name", "user_name runs most often");
    check(stats.most_frequent(1).front().calls == 1000, "1000 lookups counted");
    check(stats.most_errors().empty(), "no errors");
    check(stats.entries.size() == 3, "two typed queries and one dynamic text");

    // [json]
    const std::string json = stats.json();
    std::printf("\n%s\n", json.c_str());
    // [json]
    check(json.rfind("{\"queries\":[{\"name\":\"orders_of_user\"", 0) == 0, "JSON, slowest first");

    // [health]
    sp::health_options h;
    h.slow_query_threshold = 2ms;
    const sp::health_report report = db.health(h);
    std::printf("\n%s", report.text().c_str());
    // [health]
    // [health-json]
    std::printf("\n%s\n", report.json().c_str());  // for a /health endpoint
    // [health-json]
    check(!report.healthy(), "a query over the threshold is a warning");
    bool named = false;
    for (const sp::health_finding& f : report.findings) {
      if (f.check == "slow_queries" && contains(f.message, "orders_of_user") &&
          contains(f.recommendation, "scans table orders in full")) {
        named = true;
      }
    }
    check(named, "the slow query is named, with its full scan");

    // [fix]
    db.exec_script("CREATE INDEX orders_by_user ON orders (user_id)");
    db.reset_query_stats();
    workload(db);
    const sp::health_report after = db.health(h);
    std::printf("\nafter CREATE INDEX orders_by_user:\n%s", after.text().c_str());
    // [fix]
    check(after.healthy(), "healthy once the index is there");
    check(contains(after.json(), "\"healthy\":true"), "the JSON report says so");
  } catch (const sp::error& e) {
    std::fprintf(stderr, "insights: %s\n", e.what());
    return 1;
  }
  if (failures != 0) return 1;
  std::printf("\ninsights: all checks passed\n");
  return 0;
}
