// pg::pool against a real server: threads sharing a few connections, what happens to a
// connection when it comes back (rollback, broken, too old, still in use), the acquire
// timeout, warm statement caches and on_connect.
//
// The threaded case is also meant to run under ThreadSanitizer; see docs/postgresql-pool.md
// (section "Testing") for the command.

#include <sqlproof/postgres/pool.hpp>

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "support/pg_test_server.hpp"

namespace sp = sqlproof;

namespace {

using namespace std::chrono_literals;

using bump = sp::query<"UPDATE counters SET n = n + 1 WHERE id = ?", void(int)>;
using counter_of = sp::query<"SELECT n FROM counters WHERE id = ?", std::int64_t(int)>;
using add_entry = sp::query<"INSERT INTO entries (worker, seq) VALUES (?, ?)", void(int, int)>;
using entries_of = sp::query<"SELECT count(*) FROM entries WHERE worker = ?", std::int64_t(int)>;
using all_entries = sp::query<"SELECT count(*) FROM entries", std::int64_t()>;
using backend_pid = sp::pg::query<"SELECT pg_backend_pid()", int()>;
using app_name = sp::pg::query<"SELECT current_setting('application_name')", std::string()>;
using entry_seqs = sp::query<"SELECT seq FROM entries ORDER BY seq", int()>;

constexpr const char* schema_sql =
    "CREATE TABLE counters (id integer PRIMARY KEY, n bigint NOT NULL);"
    "CREATE TABLE entries (worker integer NOT NULL, seq integer NOT NULL);";

bool idle(sp::pg::database& db) {
  return PQtransactionStatus(db.native_handle()) == PQTRANS_IDLE && !db.in_transaction() &&
         db.cache().stats().in_use == 0;
}

// Waits until the server no longer lists backend `pid` (pg_terminate_backend only signals it).
void wait_until_gone(const sqlproof_test::pg_connection& admin, int pid) {
  for (int i = 0; i < 500; ++i) {
    if (admin.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid)) ==
        std::optional<std::string>("0")) {
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  FAIL("backend " << pid << " is still there 5 s after pg_terminate_backend");
}

}  // namespace

TEST_CASE("pg::pool: 8 threads run 1,000 transactions each on 4 connections") {
  sqlproof_test::pg_test_schema schema;
  constexpr int threads = 8;
  constexpr int per_thread = 1000;
  {
    auto setup = schema.connect();
    setup.exec(schema_sql);
    setup.exec("INSERT INTO counters SELECT g, 0 FROM generate_series(0, 7) g");
  }
  std::atomic<int> connected{0};
  sp::pg::pool pool{schema.conninfo(),
                    {.size = 4,
                     .acquire_timeout = 60s,
                     .on_connect = [&](sp::pg::database&) { ++connected; }}};

  std::atomic<int> not_idle{0};      // a connection handed out in a transaction or in use
  std::atomic<int> wrong_reads{0};   // a read that did not see the transaction's own write
  std::atomic<int> errors{0};
  std::vector<std::string> messages(threads);

  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        for (int i = 0; i < per_thread; ++i) {
          auto work = [&](sp::pg::database& db) {
            if (!idle(db)) ++not_idle;
            db.transaction([&] {
              db.exec<bump>(t);
              db.exec<add_entry>(t, i);
              if (db.one<counter_of>(t) != std::optional<std::int64_t>(i + 1)) ++wrong_reads;
            });
          };
          if (t % 2 == 0) {
            pool.with(work);
          } else {
            auto lease = pool.acquire();
            work(*lease);
          }
        }
      } catch (const std::exception& e) {
        ++errors;
        messages[static_cast<std::size_t>(t)] = e.what();
      }
    });
  }
  for (auto& w : workers) w.join();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  WARN("8 x 1,000 transactions on 4 connections: "
       << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");

  for (const auto& m : messages) CHECK(m.empty());
  CHECK(errors == 0);
  CHECK(not_idle == 0);
  CHECK(wrong_reads == 0);

  const sp::pg::pool_stats s = pool.stats();
  CHECK(s.size == 4);
  CHECK(s.in_use == 0);
  CHECK(s.open == 4);
  CHECK(s.idle == 4);
  CHECK(s.created == 4);
  CHECK(connected == 4);
  CHECK(s.replaced == 0);
  CHECK(s.rolled_back == 0);
  CHECK(s.set_aside == 0);
  CHECK(s.timeouts == 0);

  // Every connection comes back idle, each with its own warm cache: the three typed queries
  // prepared once per connection, and every other run a hit.
  std::vector<sp::pg::pool::lease> all;
  for (int i = 0; i < 4; ++i) all.push_back(pool.acquire());
  std::uint64_t runs = 0;
  std::set<int> pids;
  for (auto& db : all) {
    CHECK(idle(*db));
    const auto cache = db->cache().stats();
    CHECK(cache.prepares == 3);
    CHECK(cache.misses == 3);
    runs += cache.hits + cache.misses;
    pids.insert(db->one<backend_pid>().value());
  }
  CHECK(runs == std::uint64_t{threads} * per_thread * 3);
  CHECK(pids.size() == 4);

  auto& db = *all.front();
  for (int t = 0; t < threads; ++t) {
    CHECK(db.one<counter_of>(t) == std::optional<std::int64_t>(per_thread));
    CHECK(db.one<entries_of>(t) == std::optional<std::int64_t>(per_thread));
  }
  CHECK(db.one<all_entries>() == std::optional<std::int64_t>(threads * per_thread));
}

TEST_CASE("pg::pool: a terminated backend fails its lease, and the pool replaces it") {
  sqlproof_test::pg_test_schema schema;
  auto admin = schema.connect();
  sp::pg::pool pool{schema.conninfo(), {.size = 2}};

  SECTION("terminated while leased: the next use fails with open_error") {
    int old_pid = 0;
    {
      auto db = pool.acquire();
      old_pid = db->one<backend_pid>().value();
      admin.exec("SELECT pg_terminate_backend(" + std::to_string(old_pid) + ")");
      wait_until_gone(admin, old_pid);
      try {
        static_cast<void>(db->one<backend_pid>());
        FAIL("a query on a terminated backend succeeded");
      } catch (const sp::open_error& e) {
        // 57P01 admin_shutdown when libpq reads the server's farewell, or no SQLSTATE when
        // it finds the socket closed first.
        INFO("what(): " << e.what() << " sqlstate: [" << e.sqlstate() << "]");
        CHECK((e.sqlstate() == "57P01" || e.sqlstate().empty()));
      }
      CHECK(!db->connection_ok());
    }
    auto s = pool.stats();
    CHECK(s.replaced == 1);
    CHECK(s.open == 0);
    CHECK(s.in_use == 0);

    auto db = pool.acquire();
    const int new_pid = db->one<backend_pid>().value();
    CHECK(new_pid != old_pid);
    s = pool.stats();
    CHECK(s.created == 2);
    CHECK(s.open == 1);
  }

  SECTION("terminated while idle in the pool: acquire hands out a new connection instead") {
    const int old_pid =
        pool.with([](sp::pg::database& db) { return db.one<backend_pid>().value(); });
    admin.exec("SELECT pg_terminate_backend(" + std::to_string(old_pid) + ")");
    wait_until_gone(admin, old_pid);
    const int new_pid =
        pool.with([](sp::pg::database& db) { return db.one<backend_pid>().value(); });
    CHECK(new_pid != old_pid);
    const auto s = pool.stats();
    CHECK(s.replaced == 1);
    CHECK(s.created == 2);
    CHECK(s.open == 1);
  }
}

TEST_CASE("pg::pool: a connection given back inside a transaction is rolled back") {
  sqlproof_test::pg_test_schema schema;
  schema.connect().exec(schema_sql);
  sp::pg::pool pool{schema.conninfo(), {.size = 1}};

  SECTION("a transaction begun as SQL") {
    const int pid = pool.with([](sp::pg::database& db) { return db.one<backend_pid>().value(); });
    {
      auto db = pool.acquire();
      db->exec_script("BEGIN");
      db->exec<add_entry>(1, 1);
      CHECK(db->in_transaction());
    }
    auto db = pool.acquire();
    CHECK(idle(*db));
    CHECK(db->one<backend_pid>() == std::optional<int>(pid));  // the same connection, kept
    CHECK(db->one<all_entries>() == std::optional<std::int64_t>(0));
    const auto s = pool.stats();
    CHECK(s.rolled_back == 1);
    CHECK(s.replaced == 0);
  }

  SECTION("a transaction a failed statement aborted") {
    {
      auto db = pool.acquire();
      db->exec_script("BEGIN");
      db->exec<add_entry>(1, 1);
      CHECK_THROWS_AS(db->exec_script("SELECT 1 / 0"), sp::error);
      CHECK(PQtransactionStatus(db->native_handle()) == PQTRANS_INERROR);
    }
    pool.with([](sp::pg::database& db) {
      CHECK(idle(db));
      CHECK(db.one<all_entries>() == std::optional<std::int64_t>(0));
    });
    CHECK(pool.stats().rolled_back == 1);
  }

  SECTION("uncommitted work of an explicit release()") {
    auto db = pool.acquire();
    db->exec_script("BEGIN; INSERT INTO entries VALUES (2, 2)");
    db.release();
    CHECK(!db);
    CHECK_THROWS_AS(db->in_transaction(), sp::misuse_error);
    pool.with([](sp::pg::database& d) {
      CHECK(d.one<all_entries>() == std::optional<std::int64_t>(0));
    });
  }
}

TEST_CASE("pg::pool: a connection with a live range, statement or transaction is a misuse") {
  sqlproof_test::pg_test_schema schema;
  schema.connect().exec(std::string(schema_sql) +
                        "INSERT INTO entries SELECT 1, g FROM generate_series(1, 5) g;");
  sp::pg::pool pool{schema.conninfo(), {.size = 1}};

  SECTION("release() with a range alive throws and keeps the connection") {
    auto db = pool.acquire();
    {
      auto rows = db->iter<entry_seqs>();
      CHECK_THROWS_AS(db.release(), sp::misuse_error);
      CHECK(static_cast<bool>(db));
      int n = 0;
      for (int seq : rows) n += seq;
      CHECK(n == 15);
    }
    db.release();
    CHECK(pool.stats().set_aside == 0);
  }

  SECTION("with() whose function returns a range throws, and the connection comes back") {
    CHECK_THROWS_AS(pool.with([](sp::pg::database& d) { return d.iter<entry_seqs>(); }),
                    sp::misuse_error);
    const auto s = pool.stats();
    CHECK(s.set_aside == 0);
    CHECK(s.idle == 1);
    pool.with([](sp::pg::database& d) { CHECK(idle(d)); });
  }

  SECTION("with() whose function returns a transaction throws, and the transaction rolls back") {
    const auto leave_open = [](sp::pg::database& d) {
      auto tx = d.begin();
      d.exec<add_entry>(9, 9);
      return tx;
    };
    CHECK_THROWS_AS(pool.with(leave_open), sp::misuse_error);
    pool.with([](sp::pg::database& d) {
      CHECK(idle(d));
      CHECK(d.one<all_entries>() == std::optional<std::int64_t>(5));
    });
    const auto s = pool.stats();
    CHECK(s.set_aside == 0);
    CHECK(s.rolled_back == 0);  // the transaction rolled itself back while still leased
  }

  SECTION("a lease destroyed under a live transaction sets its connection aside") {
    sp::pg::transaction tx = pool.acquire()->begin();  // the lease ends with this line
    auto s = pool.stats();
    CHECK(s.set_aside == 1);
    CHECK(s.replaced == 1);
    CHECK(s.open == 0);
    // The transaction still works on its own connection; nobody else gets it.
    tx.rollback();
    pool.with([](sp::pg::database& d) {
      CHECK(d.one<all_entries>() == std::optional<std::int64_t>(5));
    });
    s = pool.stats();
    CHECK(s.created == 2);
  }
}

TEST_CASE("pg::pool: acquire times out with busy_error when every connection is leased") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::pool pool{schema.conninfo(), {.size = 2, .acquire_timeout = 100ms}};
  auto a = pool.acquire();
  auto b = pool.acquire();
  const auto started = std::chrono::steady_clock::now();
  try {
    static_cast<void>(pool.acquire());
    FAIL("acquire succeeded with every connection leased");
  } catch (const sp::busy_error& e) {
    CHECK(std::string(e.what()).find("all 2 connections are in use") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - started >= 100ms);
  auto s = pool.stats();
  CHECK(s.timeouts == 1);
  CHECK(s.waits == 1);
  CHECK(s.in_use == 2);

  // A waiting thread gets the connection another gives back.
  sp::pg::pool patient{schema.conninfo(), {.size = 1, .acquire_timeout = 10s}};
  auto held = patient.acquire();
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto db = patient.acquire();
    got = db->one<backend_pid>().has_value();
  });
  while (patient.stats().waits == 0) std::this_thread::yield();
  held = {};
  waiter.join();
  CHECK(got);
  s = patient.stats();
  CHECK(s.waits == 1);
  CHECK(s.timeouts == 0);
  CHECK(s.created == 1);
}

TEST_CASE("pg::pool: a reused connection keeps its warm statement cache") {
  sqlproof_test::pg_test_schema schema;
  schema.connect().exec(schema_sql);
  sp::pg::pool pool{schema.conninfo(), {.size = 1}};
  const auto first = pool.with([](sp::pg::database& db) {
    static_cast<void>(db.one<all_entries>());
    return db.cache().stats();
  });
  CHECK(first.misses == 1);
  CHECK(first.hits == 0);
  const auto second = pool.with([](sp::pg::database& db) {
    static_cast<void>(db.one<all_entries>());
    return db.cache().stats();
  });
  CHECK(second.misses == 1);
  CHECK(second.hits == 1);
  CHECK(second.prepares == 1);
}

TEST_CASE("pg::pool: on_connect runs once on each new connection") {
  sqlproof_test::pg_test_schema schema;
  std::atomic<int> calls{0};
  sp::pg::pool pool{schema.conninfo(),
                    {.size = 3, .on_connect = [&](sp::pg::database& db) {
                       ++calls;
                       db.exec_script("SET application_name = 'sqlproof_pool_test'");
                     }}};
  CHECK(calls == 1);  // the constructor's connection
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    auto c = pool.acquire();
    CHECK(calls == 3);
    CHECK(c->one<app_name>() == std::optional<std::string>("sqlproof_pool_test"));
  }
  for (int i = 0; i < 10; ++i) pool.with([](sp::pg::database&) {});
  CHECK(calls == 3);
  CHECK(pool.stats().created == 3);

  // An on_connect that throws: the connection is closed and the error reaches acquire().
  std::atomic<int> attempts{0};
  CHECK_THROWS_AS((sp::pg::pool{schema.conninfo(),
                                {.on_connect = [&](sp::pg::database& db) {
                                   ++attempts;
                                   db.exec_script("SET no_such_setting_at_all = 1");
                                 }}}),
                  sp::error);
  CHECK(attempts == 1);
}

TEST_CASE("pg::pool: max_lifetime retires old connections") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::pool pool{schema.conninfo(), {.size = 1, .max_lifetime = 50ms}};
  const int first = pool.with([](sp::pg::database& db) { return db.one<backend_pid>().value(); });
  std::this_thread::sleep_for(80ms);
  const int second = pool.with([](sp::pg::database& db) { return db.one<backend_pid>().value(); });
  CHECK(first != second);
  const auto s = pool.stats();
  CHECK(s.replaced >= 1);
  CHECK(s.created >= 2);
}

TEST_CASE("pg::pool: a wrong connection string fails in the constructor; size 0 is refused") {
  CHECK_THROWS_AS((sp::pg::pool{"host=/nonexistent/socket/dir dbname=nothing connect_timeout=2"}),
                  sp::open_error);
  CHECK_THROWS_AS((sp::pg::pool{sqlproof_test::pg_server_conninfo(), {.size = 0}}),
                  sp::misuse_error);
}
