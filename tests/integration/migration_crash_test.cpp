// A child process migrating a set of 24 migrations is killed with SIGKILL at a random moment,
// 60 times (half in rollback-journal mode, half in WAL). After every kill the reopened
// database must be consistent: user_version equals the newest version in the history, the
// schema holds exactly the tables of the applied migrations, verify() passes and
// PRAGMA integrity_check says ok; a following migrate() must then complete.

#include <sqlproof/migration.hpp>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../catch.hpp"

namespace sp = sqlproof;

namespace {

constexpr std::size_t migration_count = 24;
constexpr std::size_t rebuild_version = 12;  // rebuilds t_3 with foreign_keys off

const std::vector<std::string>& up_text() {
  static const std::vector<std::string> text = [] {
    std::vector<std::string> v;
    for (std::size_t k = 1; k <= migration_count; ++k) {
      if (k == rebuild_version) {
        v.push_back(
            "CREATE TABLE t_3_new (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, extra INTEGER);\n"
            "INSERT INTO t_3_new (id, payload) SELECT id, payload FROM t_3;\n"
            "DROP TABLE t_3;\n"
            "ALTER TABLE t_3_new RENAME TO t_3;\n"
            "CREATE TABLE t_12 (id INTEGER PRIMARY KEY);\n"
            "INSERT INTO applied_log (version) VALUES (12);");
        continue;
      }
      const std::string t = "t_" + std::to_string(k);
      std::string sql = k == 1 ? "CREATE TABLE applied_log (version INTEGER PRIMARY KEY);\n" : "";
      sql += "CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, payload TEXT NOT NULL";
      sql += k > 3 ? ", t3 INTEGER REFERENCES t_3(id) ON DELETE CASCADE);\n" : ");\n";
      sql += "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
             "INSERT INTO " + t + " (payload" + (k > 3 ? ", t3" : "") +
             ") SELECT hex(randomblob(32))" + (k > 3 ? ", 1 + i % 10" : "") + " FROM n;\n";
      sql += "CREATE INDEX " + t + "_payload ON " + t + "(payload);\n";
      sql += "INSERT INTO applied_log (version) VALUES (" + std::to_string(k) + ");";
      v.push_back(std::move(sql));
    }
    return v;
  }();
  return text;
}

template <std::size_t... I>
auto make_schema(std::index_sequence<I...>) {
  return sp::migrations(sp::migration<static_cast<std::int64_t>(I + 1), "crash step">(
      sp::up(up_text()[I]), sp::irreversible(),
      I + 1 == rebuild_version ? sp::foreign_keys_off : sp::migration_flags::none)...);
}

const auto& schema() {
  static const auto s = make_schema(std::make_index_sequence<migration_count>{});
  return s;
}

// A killed process loses nothing the operating system has accepted, so fsync (which
// only matters for power loss) is skipped to keep the test within its time budget; the
// journal and WAL protocols that make a transaction atomic are unchanged.
sp::options options_for(bool wal) {
  sp::options o = wal ? sp::options::production() : sp::options{};
  o.synchronous = sp::synchronous_mode::off;
  return o;
}

void remove_files(const std::string& path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
}

pid_t start_child(const std::string& path, bool wal) {
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 0;
    try {
      sp::database db{path, options_for(wal)};
      sp::migrator{db, schema()}.migrate();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      code = 1;
    }
    _exit(code);
  }
  return pid;
}

// Checks the database left by a killed child and returns how many migrations it holds.
std::size_t check_consistent(const std::string& path, bool wal) {
  sp::database db{path, options_for(wal)};
  CHECK(db.prepare("PRAGMA integrity_check").one<std::string>() == "ok");

  const bool has_history =
      db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlproof_migrations'")
          .one<std::int64_t>() == 1;
  std::vector<std::int64_t> versions;
  if (has_history) {
    versions = db.prepare("SELECT version FROM sqlproof_migrations ORDER BY version")
                   .all<std::int64_t>();
  }
  const std::int64_t newest = versions.empty() ? 0 : versions.back();
  CHECK(db.prepare("PRAGMA user_version").one<std::int64_t>() == newest);
  for (std::size_t i = 0; i < versions.size(); ++i) {
    CHECK(versions[i] == static_cast<std::int64_t>(i + 1));  // a prefix, no gaps
  }

  // Exactly the tables of the applied migrations (plus the history tables).
  std::set<std::string> expected;
  if (!versions.empty()) expected.insert("applied_log");
  for (const auto v : versions) expected.insert("t_" + std::to_string(v));
  std::set<std::string> actual;
  for (auto& name : db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT "
                               "LIKE 'sqlproof\\_%' ESCAPE '\\'")
                        .all<std::string>()) {
    actual.insert(name);
  }
  CHECK(actual == expected);
  if (!versions.empty()) {
    CHECK(db.prepare("SELECT version FROM applied_log ORDER BY version").all<std::int64_t>() ==
          versions);
  }
  if (static_cast<std::size_t>(newest) >= rebuild_version) {
    CHECK(db.prepare("SELECT count(*) FROM pragma_table_info('t_3') WHERE name = 'extra'")
              .one<std::int64_t>() == 1);
    CHECK(db.prepare("SELECT count(*) FROM t_4").one<std::int64_t>() == 500);  // no cascade
  }
  CHECK(db.prepare("PRAGMA foreign_keys").one<std::int64_t>() == 1);

  sp::migrator m{db, schema()};
  const auto v = m.verify();
  INFO(v.text());
  CHECK(v.ok());
  const auto r = m.migrate();
  CHECK(r.steps.size() == migration_count - versions.size());
  CHECK(db.prepare("PRAGMA user_version").one<std::int64_t>() ==
        static_cast<std::int64_t>(migration_count));
  CHECK(m.verify().ok());
  return versions.size();
}

}  // namespace

TEST_CASE("SIGKILL at random points never leaves a half-applied migration",
          "[migration][crash]") {
  (void)schema();

  // How long an uninterrupted run takes, so the kills spread over all of it.
  const std::string calibrate = "crash_calibrate.db";
  remove_files(calibrate);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t first = start_child(calibrate, false);
  int status = 0;
  REQUIRE(waitpid(first, &status, 0) == first);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  const auto full = std::chrono::steady_clock::now() - t0;
  remove_files(calibrate);
  const auto full_us = std::chrono::duration_cast<std::chrono::microseconds>(full).count();
  INFO("an uninterrupted run takes " << full_us << " us");

  std::mt19937 random(20240501);
  std::uniform_int_distribution<long long> delay(0, full_us + full_us / 5);
  std::size_t killed_midway = 0;
  std::set<std::size_t> seen;
  for (int round = 0; round < 60; ++round) {
    const bool wal = round % 2 == 1;
    const std::string path = "crash_" + std::to_string(round) + ".db";
    remove_files(path);
    const pid_t pid = start_child(path, wal);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::microseconds(delay(random)));
    kill(pid, SIGKILL);
    REQUIRE(waitpid(pid, &status, 0) == pid);
    const bool was_killed = WIFSIGNALED(status);
    if (!was_killed) CHECK(WEXITSTATUS(status) == 0);
    INFO("round " << round << (wal ? " (WAL)" : " (rollback journal)"));
    const std::size_t applied = check_consistent(path, wal);
    if (was_killed && applied > 0 && applied < migration_count) ++killed_midway;
    seen.insert(applied);
    remove_files(path);
  }
  // The kills must land inside the run, not all before or after it.
  CHECK(killed_midway >= 10);
  CHECK(seen.size() >= 5);
}
