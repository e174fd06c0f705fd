// Two processes migrate the same schema at the same moment, 20 times over (the PostgreSQL
// twin of tests/integration/migration_concurrency_test.cpp). Each migration creates a table
// and inserts its version into a table whose primary key is the version, so a migration
// applied twice would fail in the process that applied it second. Both processes must exit
// successfully and every migration must be in the history exactly once. A migrator waits (up
// to its busy timeout) for another session that holds the migration lock; and one waiting
// while another process builds an index concurrently (outside_transaction) lets the build
// finish instead of deadlocking with it.

#include <sqlproof/postgres/migration.hpp>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "support/pg_test_server.hpp"

namespace sp = sqlproof;
namespace pg = sqlproof::pg;

namespace {

constexpr std::size_t migration_count = 12;

// The SQL lives in static strings; the migration list holds views of it.
const std::vector<std::string>& up_text() {
  static const std::vector<std::string> text = [] {
    std::vector<std::string> v;
    for (std::size_t k = 1; k <= migration_count; ++k) {
      const std::string t = "t_" + std::to_string(k);
      std::string sql = k == 1 ? "CREATE TABLE applied_log (version bigint PRIMARY KEY);\n" : "";
      sql += "CREATE TABLE " + t + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
             "payload text NOT NULL);\n";
      sql += "INSERT INTO " + t + " (payload) SELECT md5(random()::text) FROM generate_series(1, 500);\n";
      sql += "INSERT INTO applied_log (version) VALUES (" + std::to_string(k) + ");";
      v.push_back(std::move(sql));
    }
    return v;
  }();
  return text;
}

const std::vector<std::string>& down_text() {
  static const std::vector<std::string> text = [] {
    std::vector<std::string> v;
    for (std::size_t k = 1; k <= migration_count; ++k) {
      v.push_back(k == 1 ? "DROP TABLE t_1; DROP TABLE applied_log"
                         : "DELETE FROM applied_log WHERE version = " + std::to_string(k) +
                               "; DROP TABLE t_" + std::to_string(k));
    }
    return v;
  }();
  return text;
}

template <std::size_t... I>
auto make_schema(std::index_sequence<I...>) {
  return sp::migrations(sp::migration<static_cast<std::int64_t>(I + 1), "create a table">(
      sp::up(up_text()[I]), sp::down(down_text()[I]), sp::portable)...);
}

const auto& schema() {
  static const auto s = make_schema(std::make_index_sequence<migration_count>{});
  return s;
}

constexpr int child_failed = 100;

// In the child: waits for the start signal, migrates, and reports through the exit status:
// how many migrations it applied, or child_failed and above.
[[noreturn]] void child(const std::string& conninfo, int start_fd) {
  int code = 0;
  try {
    char go = 0;
    if (read(start_fd, &go, 1) < 0) _exit(child_failed + 10);
    pg::database db{conninfo};
    pg::migrator m{db, schema(), {.busy_timeout = std::chrono::milliseconds{20000}}};
    code = static_cast<int>(m.migrate().steps.size());
    if (!m.verify().ok()) code = child_failed + 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child %d: %s\n", static_cast<int>(getpid()), e.what());
    code = child_failed + 1;
  }
  _exit(code);
}

}  // namespace

TEST_CASE("pg: two processes migrating one schema apply each migration exactly once",
          "[pg][migration][concurrency]") {
  (void)schema();  // build the SQL before forking
  (void)sqlproof_test::pg_server_conninfo();
  int shared_rounds = 0;  // both processes applied some of the migrations
  for (int round = 0; round < 20; ++round) {
    sqlproof_test::pg_test_schema test_schema;
    int start[2];
    REQUIRE(pipe(start) == 0);
    std::vector<pid_t> children;
    for (int i = 0; i < 2; ++i) {
      const pid_t pid = fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        close(start[1]);
        child(test_schema.conninfo(), start[0]);
      }
      children.push_back(pid);
    }
    close(start[0]);
    close(start[1]);  // both children's read() returns now: they start together

    std::vector<int> applied;
    for (const pid_t pid : children) {
      int status = 0;
      REQUIRE(waitpid(pid, &status, 0) == pid);
      INFO("round " << round);
      REQUIRE(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) < child_failed);
      applied.push_back(WEXITSTATUS(status));
    }
    CHECK(applied[0] + applied[1] == static_cast<int>(migration_count));
    if (applied[0] > 0 && applied[1] > 0) ++shared_rounds;

    pg::database db{test_schema.conninfo()};
    const auto versions = db.prepare("SELECT version FROM sqlproof_migrations ORDER BY version")
                              .all<std::int64_t>();
    const auto logged =
        db.prepare("SELECT version FROM applied_log ORDER BY version").all<std::int64_t>();
    REQUIRE(versions.size() == migration_count);
    CHECK(logged == versions);
    for (std::size_t k = 0; k < migration_count; ++k) {
      CHECK(versions[k] == static_cast<std::int64_t>(k + 1));
    }
    // No attempt failed either: a second application would have, and left a 'failed' event.
    CHECK(db.prepare("SELECT count(*) FROM sqlproof_migration_events WHERE event = 'failed'")
              .one<std::int64_t>() == 0);
    pg::migrator m{db, schema()};
    CHECK(m.verify().ok());
    CHECK(m.status().user_version == static_cast<std::int64_t>(migration_count));
  }
  // The two really raced: in some rounds each applied part of the list.
  INFO("rounds where both processes applied migrations: " << shared_rounds);
  CHECK(shared_rounds >= 1);
  std::printf("migration race: 20 rounds x 2 processes, %d rounds where both applied some\n",
              shared_rounds);
}

TEST_CASE("pg: the migrator waits for another session's migration lock up to its busy timeout",
          "[pg][migration][concurrency]") {
  (void)schema();
  sqlproof_test::pg_test_schema test_schema;
  pg::database db{test_schema.conninfo()};
  const std::string database = db.prepare("SELECT current_database()::text").one<std::string>().value();
  const std::int64_t key = pg::migration_lock_key(database, test_schema.name());

  int locked[2];
  REQUIRE(pipe(locked) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // holds the migration lock for 300 ms, then commits
    close(locked[0]);
    int code = 0;
    try {
      pg::database holder{test_schema.conninfo()};
      holder.exec_script("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(key) +
                         "); CREATE TABLE unrelated (x integer); INSERT INTO unrelated VALUES (1)");
      if (write(locked[1], "x", 1) != 1) _exit(10);
      usleep(300 * 1000);
      holder.exec_script("COMMIT");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      code = 1;
    }
    _exit(code);
  }
  close(locked[1]);
  char byte = 0;
  REQUIRE(read(locked[0], &byte, 1) == 1);  // the child holds the lock now
  close(locked[0]);

  const auto started = std::chrono::steady_clock::now();
  pg::migrator m{db, schema(), {.busy_timeout = std::chrono::milliseconds{20000}}};
  const sp::migration_report r = m.migrate();
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{200});
  CHECK(r.from_version == 0);
  CHECK(r.steps.size() == migration_count);
  CHECK(db.prepare("SELECT count(*) FROM unrelated").one<std::int64_t>() == 1);

  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

namespace {

// Migration 2 builds an index concurrently, outside a transaction, after a pause that keeps
// another migrator waiting for the lock long enough for the deadlock detector to look.
constexpr auto concurrent_index = sp::migrations(
    sp::migration<1, "big table">(
        sp::up("CREATE TABLE big (x integer)",
               "INSERT INTO big SELECT g FROM generate_series(1, 100000) AS g"),
        sp::down("DROP TABLE big"), sp::portable),
    sp::migration<2, "index big concurrently">(
        sp::up("SELECT pg_sleep(1.5)", "CREATE INDEX CONCURRENTLY big_x ON big(x)"),
        sp::down("DROP INDEX CONCURRENTLY big_x"), sp::outside_transaction, sp::portable),
    sp::migration<3, "after the index">(sp::up("CREATE TABLE after_index (x integer)"),
                                        sp::down("DROP TABLE after_index"), sp::portable));

}  // namespace

TEST_CASE("pg: a migrator waiting for the lock does not deadlock CREATE INDEX CONCURRENTLY",
          "[pg][migration][concurrency]") {
  sqlproof_test::pg_test_schema test_schema;
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      pg::database db{test_schema.conninfo()};
      pg::migrator{db, concurrent_index}.migrate();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      code = 1;
    }
    _exit(code);
  }
  pg::database db{test_schema.conninfo()};
  // Once migration 1 is recorded, the child is in migration 2, holding the session lock.
  for (int i = 0; i < 200; ++i) {
    if (db.prepare("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                   "AND tablename = 'sqlproof_migrations'")
                .one<std::int64_t>() == 1 &&
        db.prepare("SELECT count(*) FROM sqlproof_migrations").one<std::int64_t>() >= 1) {
      break;
    }
    usleep(20 * 1000);
  }
  usleep(100 * 1000);
  pg::migrator m{db, concurrent_index, {.busy_timeout = std::chrono::milliseconds{30000}}};
  const auto r = m.migrate();  // waits while the child pauses and builds the index
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(r.steps.size() <= 1);
  CHECK(db.prepare("SELECT count(*) FROM sqlproof_migrations").one<std::int64_t>() == 3);
  CHECK(db.prepare("SELECT count(*) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON "
                   "c.oid = i.indexrelid WHERE c.relname = 'big_x' AND i.indisvalid AND "
                   "c.relnamespace = current_schema()::regnamespace")
            .one<std::int64_t>() == 1);
  CHECK(m.verify().ok());
}
