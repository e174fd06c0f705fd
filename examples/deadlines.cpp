// Deadlines and interruption: stopping a runaway statement from another thread with
// interrupt(), bounding every statement with a timeout, and giving one request a deadline
// for all the statements it runs. Only the statement on that connection stops; the
// connection carries on. Creates deadlines.db in the current directory.

#include <sqlproof/sqlproof.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "deadlines: check failed: %s\n", what);
    ++failures;
  }
}

// A report that, on a big enough table (or a careless join), runs for minutes.
struct runaway_report
    : sp::query<"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                "WHERE x < 2000000000) SELECT count(*) FROM c",
                std::int64_t()> {};
struct add_order : sp::query<"INSERT INTO orders (total) VALUES (?)", void(std::int64_t)> {};
struct order_count : sp::query<"SELECT count(*) FROM orders", std::int64_t()> {};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main() {
  std::filesystem::remove("deadlines.db");
  std::filesystem::remove("deadlines.db-wal");
  std::filesystem::remove("deadlines.db-shm");
  sp::database db{"deadlines.db", sp::options::production()};
  db.exec_script("CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER NOT NULL)");

  // [interrupt]
  // Another thread (a watchdog, a cancelled HTTP request) stops the statement running now.
  std::thread watchdog([&] {
    std::this_thread::sleep_for(100ms);
    db.interrupt();  // safe from any thread while db is open
  });
  const auto started = std::chrono::steady_clock::now();
  try {
    std::printf("report: %lld\n", static_cast<long long>(db.one<runaway_report>().value_or(0)));
  } catch (const sp::interrupted_error& e) {
    std::printf("stopped after %.0f ms: %s\n", ms_since(started), e.what());
  }
  watchdog.join();
  // [interrupt]
  check(ms_since(started) < 2000, "interrupt() stopped the report");

  // [statement-timeout]
  // Every statement on this connection gets 50 ms; each call is timed on its own.
  db.set_statement_timeout(50ms);
  try {
    static_cast<void>(db.one<runaway_report>());
  } catch (const sp::deadline_exceeded_error& e) {
    std::printf("%s\n", e.what());
  }
  db.exec<add_order>(std::int64_t{120});  // short statements are not affected
  db.set_statement_timeout(0ms);
  // [statement-timeout]
  check(db.one<order_count>() == 1, "the insert after the timeout ran");

  // [with-deadline]
  // One request, one budget: every statement it runs must finish within 200 ms of its start.
  const auto handle_request = [&] {
    return db.with_deadline(200ms, [&] {
      db.exec<add_order>(std::int64_t{80});
      return db.one<order_count>().value_or(0);
    });
  };
  std::printf("orders: %lld\n", static_cast<long long>(handle_request()));
  // [with-deadline]
  check(db.one<order_count>() == 2, "the request within its deadline completed");

  const sp::event_counts events = db.event_counts();
  std::printf("interrupts: %llu, deadlines exceeded: %llu\n",
              static_cast<unsigned long long>(events.interrupts),
              static_cast<unsigned long long>(events.deadlines_exceeded));
  check(events.interrupts == 1, "one interrupt counted");
  check(events.deadlines_exceeded == 1, "one deadline counted");
  return failures == 0 ? 0 : 1;
}
