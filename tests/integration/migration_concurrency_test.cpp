// Two processes migrate the same database file at the same moment, 20 times over, in
// rollback-journal and in WAL mode. Each migration creates a table and inserts its version
// into a table whose primary key is the version, so a migration applied twice would fail
// in the process that applied it second. Both processes must exit successfully and every
// migration must be in the history exactly once. And a migrator on a connection that does
// not wait for locks at all (busy_timeout 0) still waits with its own timeout, from its very
// first read, while another process holds the write lock.

#include <sqlproof/migration.hpp>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "../catch.hpp"

namespace sp = sqlproof;

namespace {

constexpr std::size_t migration_count = 12;

// The SQL lives in static strings; the migration list holds views of it.
const std::vector<std::string>& up_text() {
  static const std::vector<std::string> text = [] {
    std::vector<std::string> v;
    for (std::size_t k = 1; k <= migration_count; ++k) {
      const std::string t = "t_" + std::to_string(k);
      std::string sql = k == 1 ? "CREATE TABLE applied_log (version INTEGER PRIMARY KEY);\n" : "";
      sql += "CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);\n";
      sql += "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
             "INSERT INTO " + t + " (payload) SELECT hex(randomblob(16)) FROM n;\n";
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
      sp::up(up_text()[I]), sp::down(down_text()[I]))...);
}

const auto& schema() {
  static const auto s = make_schema(std::make_index_sequence<migration_count>{});
  return s;
}

sp::options options_for(bool wal) {
  sp::options o = wal ? sp::options::production() : sp::options{};
  o.busy_timeout = std::chrono::milliseconds{20000};
  return o;
}

// In the child: waits for the start signal, migrates, and reports through the exit status.
[[noreturn]] void child(const std::string& path, bool wal, int start_fd) {
  int code = 0;
  try {
    char go = 0;
    if (read(start_fd, &go, 1) < 0) _exit(10);
    sp::database db{path, options_for(wal)};
    sp::migrator m{db, schema()};
    m.migrate();
    code = m.verify().ok() ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child %d: %s\n", static_cast<int>(getpid()), e.what());
    code = 1;
  }
  _exit(code);
}

}  // namespace

TEST_CASE("two processes migrating one file apply each migration exactly once",
          "[migration][concurrency]") {
  (void)schema();  // build the SQL before forking
  for (int round = 0; round < 20; ++round) {
    const bool wal = round % 2 == 1;
    const std::string path = "concurrency_" + std::to_string(getpid()) + "_" + std::to_string(round) + ".db";
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::filesystem::remove(path + suffix);
    }
    int start[2];
    REQUIRE(pipe(start) == 0);
    std::vector<pid_t> children;
    for (int i = 0; i < 2; ++i) {
      const pid_t pid = fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        close(start[1]);
        child(path, wal, start[0]);
      }
      children.push_back(pid);
    }
    close(start[0]);
    close(start[1]);  // both children's read() returns now: they start together

    for (const pid_t pid : children) {
      int status = 0;
      REQUIRE(waitpid(pid, &status, 0) == pid);
      INFO("round " << round << (wal ? " (WAL)" : " (rollback journal)"));
      CHECK(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
    }

    sp::database db{path};
    const auto versions = db.prepare("SELECT version FROM sqlproof_migrations ORDER BY version")
                              .all<std::int64_t>();
    const auto logged =
        db.prepare("SELECT version FROM applied_log ORDER BY version").all<std::int64_t>();
    REQUIRE(versions.size() == migration_count);
    CHECK(logged == versions);
    for (std::size_t k = 0; k < migration_count; ++k) {
      CHECK(versions[k] == static_cast<std::int64_t>(k + 1));
    }
    CHECK(db.prepare("PRAGMA user_version").one<std::int64_t>() ==
          static_cast<std::int64_t>(migration_count));
    CHECK(sp::migrator{db, schema()}.verify().ok());
    db.close();
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::filesystem::remove(path + suffix);
    }
  }
}

TEST_CASE("the migrator waits with its own busy timeout from its first read on",
          "[migration][concurrency]") {
  (void)schema();
  const std::string path = "concurrency_" + std::to_string(getpid()) + "_timeout.db";
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  sp::options zero_wait;  // rollback journal: a writer's EXCLUSIVE lock keeps readers out too
  zero_wait.busy_timeout = std::chrono::milliseconds{0};
  sp::database db{path, zero_wait};
  db.exec_script("CREATE TABLE unrelated (x)");

  int locked[2];
  REQUIRE(pipe(locked) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // holds the write lock for 300 ms, then commits
    close(locked[0]);
    int code = 0;
    try {
      sp::database holder{path};
      holder.exec_script("BEGIN EXCLUSIVE; INSERT INTO unrelated VALUES (1)");
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

  sp::migrator m{db, schema(), {std::chrono::milliseconds{20000}}};
  const sp::migration_report r = m.migrate();
  CHECK(r.from_version == 0);
  CHECK(r.steps.size() == migration_count);
  CHECK(db.prepare("PRAGMA busy_timeout").one<std::int64_t>() == 0);  // the connection's again
  CHECK(db.prepare("SELECT count(*) FROM unrelated").one<std::int64_t>() == 1);

  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  db.close();
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}
