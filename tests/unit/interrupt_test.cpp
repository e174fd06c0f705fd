// Tests for database::interrupt(), statement timeouts and with_deadline: a runaway statement
// is stopped with interrupted_error / deadline_exceeded_error naming the query, only the
// statement it was meant for stops, and the connection stays usable afterwards.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include <sqlproof/sqlproof.hpp>

#include "../catch.hpp"
#include "support/scratch_dir.hpp"

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

// 2·10^9 rows: minutes of work unless something stops it.
struct count_huge
    : sp::query<
          "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) "
          "SELECT count(*) FROM c",
          std::int64_t()> {};
// About 10^6 rows: tens to hundreds of milliseconds.
using count_million = sp::query<
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) "
    "SELECT count(*) FROM c",
    std::int64_t()>;
using add_item = sp::query<"INSERT INTO items (v) VALUES (?)", void(std::int64_t)>;
using item_count = sp::query<"SELECT count(*) FROM items", std::int64_t()>;
using one_value = sp::query<"SELECT 1", std::int64_t()>;

constexpr std::string_view huge_sql =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) "
    "SELECT count(*) FROM c";

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("interrupt() from another thread stops a runaway query within 200 ms") {
  sp::database db(":memory:", sp::options::in_memory());
  std::atomic<bool> started{false};
  std::chrono::steady_clock::time_point interrupted_at;
  std::thread stopper([&] {
    while (!started.load()) std::this_thread::yield();
    std::this_thread::sleep_for(100ms);  // the query is well under way
    interrupted_at = std::chrono::steady_clock::now();
    db.interrupt();
  });
  std::optional<double> stopped_after_ms;
  std::string what;
  std::string name;
  bool deadline = false;
  started = true;
  try {
    static_cast<void>(db.one<count_huge>());
  } catch (const sp::deadline_exceeded_error&) {
    deadline = true;
  } catch (const sp::interrupted_error& e) {
    stopped_after_ms = ms_since(interrupted_at);
    what = e.what();
    name = std::string(e.query_name());
  }
  stopper.join();
  CHECK_FALSE(deadline);
  REQUIRE(stopped_after_ms.has_value());
  CHECK(*stopped_after_ms < 200.0);
  CHECK(name.find("count_huge") != std::string::npos);
  CHECK(what.find("interrupted") != std::string::npos);
  CHECK(db.event_counts().interrupts == 1);
  // The connection carries on: the interrupt applied to that statement only.
  CHECK(db.one<one_value>() == 1);
}

TEST_CASE("interrupt() with no statement running does not stop the next one") {
  sp::database db(":memory:", sp::options::in_memory());
  db.interrupt();
  CHECK(db.one<count_million>() == 1000000);
}

TEST_CASE("a statement timeout stops a query with deadline_exceeded_error naming it") {
  sp::database db(":memory:", sp::options::in_memory());
  db.set_statement_timeout(50ms);
  CHECK(db.statement_timeout() == 50ms);
  const auto start = std::chrono::steady_clock::now();
  try {
    static_cast<void>(db.one<count_huge>());
    FAIL("the query was not stopped");
  } catch (const sp::deadline_exceeded_error& e) {
    const double took = ms_since(start);
    CHECK(took >= 45.0);
    CHECK(took < 250.0);
    CHECK(std::string(e.query_name()).find("count_huge") != std::string::npos);
    CHECK(std::string(e.what()).find("deadline of 50 ms") != std::string::npos);
    CHECK(e.primary_code() == 9);  // SQLITE_INTERRUPT
  }
  CHECK(db.event_counts().deadlines_exceeded == 1);
  // Each statement gets its own deadline: short ones that follow run to the end.
  for (int i = 0; i < 100; ++i) REQUIRE(db.one<one_value>() == 1);
  db.set_statement_timeout(0ms);
  CHECK(db.statement_timeout() == 0ms);
}

TEST_CASE("options::statement_timeout applies to typed queries, dynamic SQL and scripts") {
  sp::options o = sp::options::in_memory();
  o.statement_timeout = 40ms;
  sp::database db(":memory:", o);
  CHECK_THROWS_AS(db.one<count_huge>(), sp::deadline_exceeded_error);
  auto st = db.prepare_cached(huge_sql);
  CHECK_THROWS_AS(st.one<std::int64_t>(), sp::deadline_exceeded_error);
  CHECK_THROWS_AS(db.exec_script(std::string(huge_sql) + ";"), sp::deadline_exceeded_error);
  CHECK(db.event_counts().deadlines_exceeded == 3);
  CHECK(db.one<one_value>() == 1);
}

TEST_CASE("a deadline stops only its own connection's statement") {
  sqlproof_test::scratch_dir dir("deadline");
  const std::string path = dir.file("shared.db");
  sp::database a(path, sp::options::production());
  sp::database b(path, sp::options::production());
  a.set_statement_timeout(30ms);
  std::optional<std::int64_t> b_result;
  std::thread other([&] { b_result = b.one<count_million>(); });
  CHECK_THROWS_AS(a.one<count_huge>(), sp::deadline_exceeded_error);
  other.join();
  REQUIRE(b_result.has_value());
  CHECK(*b_result == 1000000);
  CHECK(b.event_counts().deadlines_exceeded == 0);
}

TEST_CASE("with_deadline bounds every statement of a call") {
  sp::database db(":memory:", sp::options::in_memory());
  db.exec_script("CREATE TABLE items (v INTEGER)");

  SECTION("statements within the budget complete and return their result") {
    const std::int64_t n = db.with_deadline(5s, [&] {
      db.exec<add_item>(std::int64_t{1});
      return db.one<item_count>().value();
    });
    CHECK(n == 1);
  }

  SECTION("the statement running when the budget is spent is stopped") {
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(db.with_deadline(60ms,
                                     [&] {
                                       for (int i = 0; i < 3; ++i) {
                                         static_cast<void>(db.one<count_million>());
                                       }
                                       return db.one<count_huge>();
                                     }),
                    sp::deadline_exceeded_error);
    CHECK(ms_since(start) < 400.0);
    // The deadline ended with the call.
    CHECK(db.one<count_million>() == 1000000);
  }

  SECTION("a nested call keeps the earlier deadline") {
    CHECK_THROWS_AS(db.with_deadline(40ms,
                                     [&] {
                                       return db.with_deadline(10s,
                                                               [&] { return db.one<count_huge>(); });
                                     }),
                    sp::deadline_exceeded_error);
  }

  SECTION("a deadline inside a write transaction rolls the whole transaction back") {
    CHECK_THROWS_AS(db.transaction([&] {
      db.exec<add_item>(std::int64_t{7});
      db.with_deadline(30ms, [&] { return db.one<count_huge>(); });
    }),
                    sp::interrupted_error);
    CHECK(db.one<item_count>() == 0);
    CHECK_FALSE(db.in_transaction());
  }
}

TEST_CASE("retry_policy backs off exponentially with jitter, capped") {
  const sp::retry_policy plain{5, 10ms, 100ms, false};
  CHECK(plain.delay_after(1) == 10ms);
  CHECK(plain.delay_after(2) == 20ms);
  CHECK(plain.delay_after(3) == 40ms);
  CHECK(plain.delay_after(4) == 80ms);
  CHECK(plain.delay_after(5) == 100ms);
  CHECK(plain.delay_after(30) == 100ms);

  const sp::retry_policy jittered{5, 10ms, 100ms, true};
  bool varied = false;
  std::chrono::milliseconds first = jittered.delay_after(3);
  for (int i = 0; i < 200; ++i) {
    const auto d = jittered.delay_after(3);
    REQUIRE(d >= 20ms);  // the upper half of 40 ms
    REQUIRE(d <= 40ms);
    if (d != first) varied = true;
    const auto capped = jittered.delay_after(9);
    REQUIRE(capped >= 50ms);
    REQUIRE(capped <= 100ms);
  }
  CHECK(varied);
}

TEST_CASE("busy errors and transaction retries are counted") {
  sqlproof_test::scratch_dir dir("busy-count");
  const std::string path = dir.file("busy.db");
  sp::options o = sp::options::production();
  o.busy_timeout = 0ms;
  sp::database a(path, o);
  sp::database b(path, o);
  a.exec_script("CREATE TABLE items (v INTEGER)");
  auto lock = a.begin(sp::tx_mode::immediate);
  CHECK_THROWS_AS(b.transaction([&] { b.exec<add_item>(std::int64_t{1}); },
                                sp::tx_mode::immediate, sp::retry_policy{3, 1ms, 2ms, true}),
                  sp::busy_error);
  const sp::event_counts e = b.event_counts();
  CHECK(e.busy_errors == 3);
  CHECK(e.busy_retries == 2);
  lock.rollback();
}
