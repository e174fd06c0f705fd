// Tests for the pool's view over its connections: for_each_connection, per-query statistics
// and event counts merged over the writer and the readers, the pool-wide health report, and
// statement deadlines on the pool's connections.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sqlproof/pool.hpp>

#include "catch.hpp"
#include "support/scratch_dir.hpp"

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

struct add_v : sp::query<"INSERT INTO t (v) VALUES (?)", void(std::int64_t)> {};
struct count_t : sp::query<"SELECT count(*) FROM t", std::int64_t()> {};
struct runaway : sp::query<"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                           "SELECT count(*) FROM c",
                           std::int64_t()> {};

const sp::query_stat* find(const sp::query_stats& s, std::string_view name) {
  for (const sp::query_stat& q : s.entries) {
    if (q.name.find(name) != std::string::npos) return &q;
  }
  return nullptr;
}

std::string make_file(const sqlproof_test::scratch_dir& dir) {
  const std::string path = dir.file("insights.db");
  sp::database(path, sp::options::production())
      .exec_script("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
  return path;
}

}  // namespace

TEST_CASE("for_each_connection visits the writer and every reader once", "[pool]") {
  sqlproof_test::scratch_dir dir("pool-insights");
  sp::pool pool{make_file(dir), sp::options::production(), 3};
  std::vector<std::string> names;
  pool.for_each_connection(
      [&](sp::database& db, std::string_view name) {
        CHECK(db.is_open());
        names.emplace_back(name);
      });
  CHECK(names == std::vector<std::string>{"writer", "reader 1", "reader 2", "reader 3"});

  SECTION("not from inside a read or write of the same pool") {
    CHECK_THROWS_AS(pool.read([&](sp::database&) {
      pool.for_each_connection([](sp::database&, std::string_view) {});
      return 0;
    }),
                    sp::misuse_error);
  }

  SECTION("a reader in use is visited once it is free") {
    std::atomic<bool> reading{false};
    std::thread holder([&] {
      pool.read([&](sp::database& db) {
        reading = true;
        std::this_thread::sleep_for(150ms);
        return db.one<count_t>();
      });
    });
    while (!reading) std::this_thread::yield();
    const auto start = std::chrono::steady_clock::now();
    int visited = 0;
    pool.for_each_connection([&](sp::database&, std::string_view) { ++visited; });
    holder.join();
    CHECK(visited == 4);
    // Plain reads still get a reader meanwhile, and the visit never hands out a reader twice.
    CHECK(pool.read([](sp::database& db) { return *db.one<count_t>(); }) == 0);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
  }
}

TEST_CASE("a pool's query statistics and event counts add up over its connections", "[pool]") {
  sqlproof_test::scratch_dir dir("pool-insights");
  sp::options o = sp::options::production();
  o.collect_query_stats = true;
  sp::pool pool{make_file(dir), o, 2};
  for (std::int64_t i = 0; i < 10; ++i) {
    pool.write([i](sp::database& db) { db.exec<add_v>(i); });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) pool.read([](sp::database& db) { return db.one<count_t>(); });
    });
  }
  for (auto& t : threads) t.join();

  const sp::query_stats s = pool.query_stats();
  const sp::query_stat* add = find(s, "add_v");
  const sp::query_stat* count = find(s, "count_t");
  REQUIRE(add != nullptr);
  REQUIRE(count != nullptr);
  CHECK(add->calls == 10);
  CHECK(add->rows == 10);
  CHECK(count->calls == 60);  // spread over both readers, merged into one entry
  CHECK(count->rows == 60);

  pool.collect_query_stats(false);
  pool.read([](sp::database& db) { return db.one<count_t>(); });
  CHECK(find(pool.query_stats(), "count_t")->calls == 60);

  const sp::event_counts e = pool.event_counts();
  CHECK(e.busy_errors == 0);
  CHECK(e.deadlines_exceeded == 0);
}

TEST_CASE("a statement timeout stops a runaway read and leaves the reader usable", "[pool]") {
  sqlproof_test::scratch_dir dir("pool-insights");
  sp::options o = sp::options::production();
  o.statement_timeout = 50ms;
  sp::pool pool{make_file(dir), o, 1};
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(pool.read([](sp::database& db) { return db.one<runaway>(); }),
                  sp::deadline_exceeded_error);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  // The one reader is back, and its next read is not affected.
  CHECK(pool.read([](sp::database& db) { return *db.one<count_t>(); }) == 0);
  pool.write([](sp::database& db) { db.exec<add_v>(std::int64_t{1}); });
  CHECK(pool.event_counts().deadlines_exceeded == 1);
}

TEST_CASE("a pool's health report merges its connections' findings", "[pool]") {
  sqlproof_test::scratch_dir dir("pool-insights");
  sp::pool pool{make_file(dir), sp::options::production(), 2};
  pool.write([](sp::database& db) { db.exec<add_v>(std::int64_t{5}); });
  sp::health_options h;
  h.quick_check = true;
  const sp::health_report r = pool.health(h);
  CHECK(r.source == "pool: " + pool.path());
  CHECK(r.healthy());
  bool writer_quick_check = false;
  bool reader_quick_check = false;
  bool reader_finding = false;
  for (const sp::health_finding& f : r.findings) {
    if (f.check == "quick_check" && f.connection == "writer") writer_quick_check = true;
    if (f.check == "quick_check" && f.connection != "writer") reader_quick_check = true;
    if (f.connection == "reader 1") reader_finding = true;
  }
  CHECK(writer_quick_check);
  CHECK_FALSE(reader_quick_check);  // once, on the writer
  CHECK(reader_finding);
  CHECK(r.text().find("pool: ") != std::string::npos);
  CHECK(r.json().find("\"reader 1\"") != std::string::npos);
}
