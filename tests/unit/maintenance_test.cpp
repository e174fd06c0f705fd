// Tests for include/sqlproof/maintenance.hpp: option presets read back through pragmas(),
// validation at open, online backup (also while another connection writes), restore,
// VACUUM INTO, checkpoints, incremental vacuum, integrity checks, stats(), the trace hook and
// its slow-query filter, and query plans.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <sqlproof/sqlproof.hpp>

#include "catch.hpp"
#include "support/scratch_dir.hpp"

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

struct scratch_dir : sqlproof_test::scratch_dir {
  scratch_dir() : sqlproof_test::scratch_dir("maintenance") {}
};


bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

using add_blob = sp::query<"INSERT INTO blobs (data) VALUES (randomblob(?))", void(int)>;
using blob_count = sp::query<"SELECT count(*) FROM blobs", std::int64_t()>;
using add_a = sp::query<"INSERT INTO a (seq) VALUES (?)", void(std::int64_t)>;
using add_b = sp::query<"INSERT INTO b (seq) VALUES (?)", void(std::int64_t)>;
using a_count = sp::query<"SELECT count(*) FROM a", std::int64_t()>;
using b_count = sp::query<"SELECT count(*) FROM b", std::int64_t()>;
using a_max = sp::query<"SELECT coalesce(max(seq), 0) FROM a", std::int64_t()>;

constexpr std::string_view blobs_schema =
    "CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)";

// `rows` blobs of `bytes` bytes each, in one transaction.
void fill_blobs(sp::database& db, int rows, int bytes) {
  db.transaction([&] {
    for (int i = 0; i < rows; ++i) db.exec<add_blob>(bytes);
  });
}

void check_every_production_pragma(const sp::pragma_values& v) {
  CHECK(v.journal == sp::journal_mode::wal);
  CHECK(v.synchronous == sp::synchronous_mode::normal);
  CHECK(v.busy_timeout == 5000ms);
  CHECK(v.foreign_keys);
  CHECK(v.cache_size == -65536);
  CHECK(v.mmap_size == std::int64_t{256} * 1024 * 1024);
  CHECK(v.temp_store == sp::temp_store_mode::memory);
  CHECK(v.wal_autocheckpoint == 1000);
  CHECK(v.journal_size_limit == std::int64_t{64} * 1024 * 1024);
  CHECK(v.auto_vacuum == sp::auto_vacuum_mode::incremental);
  CHECK_FALSE(v.read_only);
}

}  // namespace

// ---- presets and validation --------------------------------------------------------------

TEST_CASE("maintenance: pragmas() reads back every setting of options::production()") {
  const scratch_dir dir;
  const sp::options o = sp::options::production();
  sp::database db{dir.file("production.db"), o};
  const sp::pragma_values v = db.pragmas();
  check_every_production_pragma(v);
  CHECK(v.page_size == 4096);  // SQLite's default, untouched
  CHECK(sp::pragma_mismatches(o, v).empty());

  // The file-level settings persist: reopened without options, they are still in effect.
  db.exec_script(blobs_schema);
  db.close();
  sp::database again{dir.file("production.db")};
  CHECK(again.pragmas().journal == sp::journal_mode::wal);
  CHECK(again.pragmas().auto_vacuum == sp::auto_vacuum_mode::incremental);
}

TEST_CASE("maintenance: pragmas() reads back options{} and options::in_memory()") {
  const scratch_dir dir;
  {
    const sp::options o{};
    sp::database db{dir.file("default.db"), o};
    const sp::pragma_values v = db.pragmas();
    CHECK(v.journal == sp::journal_mode::delete_);
    CHECK(v.busy_timeout == 5000ms);
    CHECK(v.foreign_keys);
    CHECK(v.auto_vacuum == sp::auto_vacuum_mode::none);
    CHECK_FALSE(v.read_only);
    CHECK(sp::pragma_mismatches(o, v).empty());
  }
  {
    const sp::options o = sp::options::in_memory();
    sp::database db{":memory:", o};
    const sp::pragma_values v = db.pragmas();
    CHECK(v.journal == sp::journal_mode::memory);
    CHECK(v.synchronous == sp::synchronous_mode::off);
    CHECK(v.temp_store == sp::temp_store_mode::memory);
    CHECK(v.busy_timeout == 5000ms);
    CHECK(v.foreign_keys);
    CHECK(sp::pragma_mismatches(o, v).empty());
  }
  {
    sp::options o;
    o.read_only = true;
    o.create = false;
    o.foreign_keys = false;
    o.busy_timeout = 250ms;
    sp::database db{dir.file("default.db"), o};
    const sp::pragma_values v = db.pragmas();
    CHECK(v.read_only);
    CHECK_FALSE(v.foreign_keys);
    CHECK(v.busy_timeout == 250ms);
    CHECK(sp::pragma_mismatches(o, v).empty());
  }
}

TEST_CASE("maintenance: page_size and auto_vacuum are applied before journal_mode") {
  const scratch_dir dir;
  sp::options o = sp::options::production();
  o.page_size = 8192;
  sp::database db{dir.file("pages.db"), o};
  // A WAL database cannot change its page size: 8192 took effect only because it came first.
  const sp::pragma_values v = db.pragmas();
  CHECK(v.page_size == 8192);
  CHECK(v.journal == sp::journal_mode::wal);
  CHECK(v.auto_vacuum == sp::auto_vacuum_mode::incremental);
  CHECK(sp::pragma_mismatches(o, v).empty());
  db.exec_script(blobs_schema);
  CHECK(db.stats().page_size == 8192);
}

TEST_CASE("maintenance: pragma_mismatches names settings that could not take effect") {
  const scratch_dir dir;
  const std::string path = dir.file("existing.db");
  {
    sp::database db{path};
    db.exec_script(blobs_schema);  // a table exists: auto_vacuum and page_size are now fixed
  }
  sp::options o = sp::options::production();
  o.page_size = 16384;
  sp::database db{path, o};
  const std::vector<std::string> d = sp::pragma_mismatches(o, db.pragmas());
  REQUIRE(d.size() == 2);
  CHECK(d[0] == "auto_vacuum: wanted INCREMENTAL, in effect NONE");
  CHECK(d[1] == "page_size: wanted 16384, in effect 4096");
}

TEST_CASE("maintenance: impossible option combinations fail at open with a clear error") {
  const scratch_dir dir;
  SECTION("WAL on :memory:") {
    try {
      sp::database db{":memory:", sp::options::production()};
      FAIL("opened");
    } catch (const sp::open_error& e) {
      CHECK(contains(e.what(), "in-memory database cannot use journal_mode WAL"));
      CHECK(contains(e.what(), ":memory:"));
    }
  }
  SECTION("WAL on in-memory URIs") {
    sp::options o = sp::options::production();
    o.uri = true;
    CHECK_THROWS_AS((sp::database{"file::memory:?cache=shared", o}), sp::open_error);
    CHECK_THROWS_AS((sp::database{"file:mem1?mode=memory&cache=shared", o}), sp::open_error);
    // A file URI is fine, and so is a memory journal on an in-memory database.
    const std::string file_uri = "file:" + dir.file("uri.db");
    CHECK(sp::database{file_uri, o}.pragmas().journal == sp::journal_mode::wal);
    CHECK_NOTHROW(sp::database{":memory:", sp::options::in_memory()});
  }
  SECTION("read-only with create") {
    sp::options o;
    o.read_only = true;  // create stays true
    try {
      sp::database db{dir.file("ro.db"), o};
      FAIL("opened");
    } catch (const sp::open_error& e) {
      CHECK(contains(e.what(), "read_only and options.create cannot both be set"));
    }
    CHECK_FALSE(std::filesystem::exists(dir.file("ro.db")));
  }
}

// ---- backup, restore, VACUUM INTO ---------------------------------------------------------

TEST_CASE("maintenance: backup_to reports progress and copies a multi-megabyte database") {
  const scratch_dir dir;
  sp::database db{dir.file("big.db"), sp::options::production()};
  db.exec_script(blobs_schema);
  fill_blobs(db, 1000, 3000);  // about 4 MB
  const sp::database_stats before = db.stats();
  REQUIRE(before.page_count * before.page_size > 3 * 1024 * 1024);

  std::vector<sp::backup_progress> reports;
  db.backup_to(dir.file("copy.db"), [&](const sp::backup_progress& p) { reports.push_back(p); },
               100);
  REQUIRE(reports.size() >= 2);
  CHECK(reports.size() >= static_cast<std::size_t>(before.page_count / 100));
  for (std::size_t i = 1; i < reports.size(); ++i) {
    CHECK(reports[i].pages_done > reports[i - 1].pages_done);
  }
  CHECK_FALSE(reports.front().done());
  CHECK(reports.back().done());
  CHECK(reports.back().pages_total == before.page_count);
  CHECK(reports.back().fraction() == 1.0);
  CHECK_FALSE(db.in_transaction());  // the snapshot transaction has ended

  sp::database copy{dir.file("copy.db")};
  CHECK(copy.one<blob_count>() == 1000);
  CHECK(copy.integrity_check().empty());
}

TEST_CASE("maintenance: a backup taken while another connection writes is a consistent "
          "snapshot") {
  const scratch_dir dir;
  const std::string path = dir.file("live.db");
  sp::database db{path, sp::options::production()};
  db.exec_script(std::string(blobs_schema) +
                 "; CREATE TABLE a (seq INTEGER NOT NULL);"
                 "CREATE TABLE b (seq INTEGER NOT NULL)");
  fill_blobs(db, 600, 3000);  // enough pages for several steps

  // The writer inserts seq into a and b in one transaction: in any snapshot, both tables
  // hold 1..n for the same n.
  std::atomic<std::int64_t> committed{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    sp::database w{path, sp::options::production()};
    for (std::int64_t seq = 1; !stop.load(); ++seq) {
      w.transaction(
          [&] {
            w.exec<add_a>(seq);
            w.exec<add_b>(seq);
          },
          sp::tx_mode::immediate);
      committed.store(seq);
      std::this_thread::sleep_for(1ms);
    }
  });
  while (committed.load() < 5) std::this_thread::sleep_for(1ms);

  const std::int64_t before = committed.load();
  std::int64_t during = -1;
  int reports = 0;
  try {
    db.backup_to(
        dir.file("snapshot.db"),
        [&](const sp::backup_progress&) {
          if (++reports == 1) {
            // Let the writer commit at least twice more before the backup goes on.
            const auto deadline = std::chrono::steady_clock::now() + 5s;
            while (committed.load() < before + 2 && std::chrono::steady_clock::now() < deadline) {
              std::this_thread::sleep_for(1ms);
            }
            during = committed.load();
          }
        },
        64);
  } catch (...) {
    stop = true;
    writer.join();
    throw;
  }
  const std::int64_t after = committed.load();
  stop = true;
  writer.join();

  CHECK(reports >= 2);
  CHECK(during >= before + 2);  // the writer was not blocked by the backup

  sp::database snapshot{dir.file("snapshot.db")};
  CHECK(snapshot.integrity_check().empty());
  const std::int64_t n = *snapshot.one<a_count>();
  CHECK(*snapshot.one<b_count>() == n);
  CHECK(*snapshot.one<a_max>() == n);
  CHECK(n >= before);
  CHECK(n <= after);
  CHECK(n < during);  // commits made during the backup are not in it
  CHECK(*snapshot.one<blob_count>() == 600);
  CHECK(*db.one<a_count>() > n);
}

TEST_CASE("maintenance: a backup blocked by another connection's lock names the backup") {
  const scratch_dir dir;
  const std::string source = dir.file("locked.db");
  const std::string target = dir.file("locked-copy.db");
  sp::options o;
  o.busy_timeout = 50ms;
  sp::database db{source, o};
  db.exec_script(blobs_schema);
  fill_blobs(db, 5, 100);

  sp::database writer{source};  // rollback journal: an exclusive lock keeps readers out
  auto tx = writer.begin(sp::tx_mode::exclusive);
  writer.exec<add_blob>(100);
  try {
    db.backup_to(target);
    FAIL("the backup should have been blocked");
  } catch (const sp::busy_error& e) {
    CHECK(contains(e.what(), "backup of '" + source + "' to '" + target + "'"));
    CHECK_FALSE(contains(e.what(), "sqlite_schema"));
    CHECK(e.sql().empty());
    CHECK(e.primary_code() == SQLITE_BUSY);
  }
  CHECK_FALSE(db.in_transaction());  // the backup's read transaction was not left open

  tx.rollback();
  db.backup_to(target);
  sp::database copy{target};
  CHECK(copy.one<blob_count>() == 5);
}

namespace {

// A table of 50 rows with an index on column a.
void fill_indexed_table(sp::database& db) {
  db.exec_script(
      "CREATE TABLE t (a INTEGER, b INTEGER);"
      "CREATE INDEX t_by_a ON t (a);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
      "  INSERT INTO t SELECT i, 1000 - i FROM n");
}

// Corrupts the index of fill_indexed_table: its definition now names column b, but its
// entries hold a, which integrity_check reports.
void corrupt_index(sp::database& db) {
  db.exec_script(
      "PRAGMA writable_schema = ON;"
      "UPDATE sqlite_schema SET sql = 'CREATE INDEX t_by_a ON t (b)' WHERE name = 't_by_a';"
      "PRAGMA writable_schema = OFF");
}

}  // namespace

TEST_CASE("maintenance: backup_to with verify checks the copy and names a corrupt one") {
  const scratch_dir dir;
  const std::string path = dir.file("corrupt.db");
  {
    sp::database db{path};
    fill_indexed_table(db);
    sp::backup_options checked;
    checked.verify = sp::backup_verify::integrity_check;
    db.backup_to(dir.file("sound.db"), checked);  // a sound copy passes
    corrupt_index(db);
  }
  sp::database db{path};
  const std::string plain = dir.file("plain-copy.db");
  db.backup_to(plain);  // without verify the corrupt pages are copied as they are
  CHECK_FALSE(sp::database{plain}.integrity_check().empty());

  const std::string verified = dir.file("verified-copy.db");
  int reports = 0;
  sp::backup_options o;
  o.progress = [&](const sp::backup_progress&) { ++reports; };
  o.pages_per_step = 1;
  o.verify = sp::backup_verify::integrity_check;
  try {
    db.backup_to(verified, o);
    FAIL("a corrupt copy passed verification");
  } catch (const sp::error& e) {
    CHECK(e.primary_code() == SQLITE_CORRUPT);
    CHECK(contains(e.what(), "backup of '" + path + "' to '" + verified + "'"));
    CHECK(contains(e.what(), "integrity_check"));
    CHECK(contains(e.sqlite_message(), "t_by_a"));  // the first problem found
  }
  CHECK(reports > 1);
  CHECK_FALSE(db.in_transaction());

  // quick_check does not compare indexes with their tables, so it passes this copy.
  o.verify = sp::backup_verify::quick_check;
  CHECK_NOTHROW(db.backup_to(dir.file("quick-copy.db"), o));
}

TEST_CASE("maintenance: restore_from brings back a backup") {
  const scratch_dir dir;
  sp::database db{dir.file("main.db"), sp::options::production()};
  db.exec_script(blobs_schema);
  fill_blobs(db, 50, 100);
  db.backup_to(dir.file("backup.db"));

  db.exec_script("DELETE FROM blobs WHERE id > 10");
  CHECK(db.one<blob_count>() == 10);  // also leaves the typed statement in the cache

  int reports = 0;
  db.restore_from(dir.file("backup.db"), [&](const sp::backup_progress&) { ++reports; }, 1);
  CHECK(reports >= 2);
  CHECK(db.one<blob_count>() == 50);
  CHECK(db.integrity_check().empty());

  SECTION("into a fresh in-memory database") {
    sp::database mem{":memory:"};
    mem.restore_from(dir.file("backup.db"));
    CHECK(mem.one<blob_count>() == 50);
  }
  SECTION("refused while a statement is in use") {
    auto range = db.iter<blob_count>();
    CHECK_THROWS_AS(db.restore_from(dir.file("backup.db")), sp::misuse_error);
  }
  SECTION("a missing backup file is an open_error") {
    CHECK_THROWS_AS(db.restore_from(dir.file("missing.db")), sp::open_error);
    CHECK(db.one<blob_count>() == 50);
  }
}

TEST_CASE("maintenance: a database whose schema no longer parses still opens, to be restored") {
  const scratch_dir dir;
  const std::string path = dir.file("broken-schema.db");
  {
    sp::database db{path};
    db.exec_script(blobs_schema);
    fill_blobs(db, 5, 100);
    db.backup_to(dir.file("good.db"));
    db.exec_script(
        "PRAGMA writable_schema = ON;"
        "UPDATE sqlite_schema SET sql = 'CREATE TABLE blobs (' WHERE name = 'blobs';"
        "PRAGMA writable_schema = OFF");
  }
  // Opening reads the header, not the schema: the connection opens, queries fail.
  sp::database db{path};
  try {
    (void)db.one<blob_count>();
    FAIL("a query ran on a schema that does not parse");
  } catch (const sp::error& e) {
    CHECK(contains(e.sqlite_message(), "malformed database schema"));
  }
  db.restore_from(dir.file("good.db"));
  CHECK(db.one<blob_count>() == 5);
}

TEST_CASE("maintenance: vacuum_into writes a compact copy") {
  const scratch_dir dir;
  sp::database db{dir.file("main.db")};
  db.exec_script(blobs_schema);
  fill_blobs(db, 200, 2000);
  db.exec_script("DELETE FROM blobs WHERE id > 100");
  const sp::database_stats source = db.stats();
  REQUIRE(source.freelist_count > 40);

  db.vacuum_into(dir.file("compact.db"));
  sp::database compact{dir.file("compact.db")};
  const sp::database_stats copy = compact.stats();
  CHECK(copy.freelist_count == 0);
  CHECK(copy.page_count < source.page_count);
  CHECK(compact.one<blob_count>() == 100);
  CHECK(compact.quick_check().empty());

  CHECK_THROWS_AS(db.vacuum_into(dir.file("compact.db")), sp::error);  // exists, not empty
}

// ---- checkpoint, incremental vacuum, integrity -------------------------------------------

TEST_CASE("maintenance: checkpoint reports WAL frames and truncate empties the WAL") {
  const scratch_dir dir;
  sp::database db{dir.file("wal.db"), sp::options::production()};
  db.exec_script(blobs_schema);
  fill_blobs(db, 20, 1000);

  CHECK(db.stats().wal_size > 0);
  const sp::checkpoint_result passive = db.checkpoint();
  CHECK(passive.log_frames > 0);
  CHECK(passive.checkpointed_frames == passive.log_frames);
  CHECK(passive.complete());

  fill_blobs(db, 5, 1000);
  const sp::checkpoint_result truncated = db.checkpoint(sp::checkpoint_mode::truncate);
  CHECK(truncated.complete());
  CHECK(truncated.log_frames == 0);  // reported after the WAL was reset
  CHECK(db.stats().wal_size == 0);

  SECTION("a database not in WAL mode reports -1") {
    sp::database plain{dir.file("plain.db")};
    const sp::checkpoint_result r = plain.checkpoint(sp::checkpoint_mode::full);
    CHECK(r.log_frames == -1);
    CHECK(r.checkpointed_frames == -1);
  }
}

TEST_CASE("maintenance: incremental_vacuum shrinks the freelist") {
  const scratch_dir dir;
  sp::database db{dir.file("vacuum.db"), sp::options::production()};
  db.exec_script(blobs_schema);
  fill_blobs(db, 100, 3000);
  db.exec_script("DELETE FROM blobs");
  const sp::database_stats full = db.stats();
  REQUIRE(full.freelist_count > 20);

  CHECK(db.incremental_vacuum(10) == 10);
  const sp::database_stats some = db.stats();
  CHECK(some.freelist_count == full.freelist_count - 10);
  CHECK(some.page_count == full.page_count - 10);

  CHECK(db.incremental_vacuum() == some.freelist_count);
  CHECK(db.stats().freelist_count == 0);
  CHECK(db.incremental_vacuum() == 0);

  db.checkpoint(sp::checkpoint_mode::truncate);
  const sp::database_stats end = db.stats();
  CHECK(end.file_size == static_cast<std::uintmax_t>(end.page_count * end.page_size));
  CHECK(end.file_size < static_cast<std::uintmax_t>(full.page_count * full.page_size));
  CHECK_NOTHROW(db.optimize());
}

TEST_CASE("maintenance: integrity_check and quick_check list the problems") {
  const scratch_dir dir;
  const std::string path = dir.file("check.db");
  {
    sp::database db{path};
    fill_indexed_table(db);
    CHECK(db.integrity_check().empty());
    CHECK(db.quick_check().empty());
    corrupt_index(db);
  }
  sp::database db{path};
  const std::vector<std::string> problems = db.integrity_check();
  REQUIRE_FALSE(problems.empty());
  CHECK(contains(problems.front(), "t_by_a"));
  CHECK(db.integrity_check(3).size() == 3);  // bounded by max_problems
}

// ---- stats -------------------------------------------------------------------------------

TEST_CASE("maintenance: stats() reports pages, files, cache counters and the statement "
          "cache") {
  const scratch_dir dir;
  sp::database db{dir.file("stats.db")};
  db.exec_script(blobs_schema);
  fill_blobs(db, 30, 500);

  const sp::database_stats a = db.stats();
  CHECK(a.page_size == 4096);
  CHECK(a.page_count > 2);
  CHECK(a.freelist_count == 0);
  CHECK(a.file_size == static_cast<std::uintmax_t>(a.page_count * a.page_size));
  CHECK(a.wal_size == 0);
  CHECK(a.cache_memory > 0);
  CHECK(a.schema_memory > 0);
  CHECK(a.statements.typed >= 1);

  for (int i = 0; i < 5; ++i) CHECK(db.one<blob_count>() == 30);
  const sp::database_stats b = db.stats();
  CHECK(b.cache_hits > a.cache_hits);
  CHECK(b.cache_misses >= a.cache_misses);
  CHECK(b.statements.hits >= a.statements.hits + 4);

  db.exec_script("DELETE FROM blobs WHERE id > 10");
  CHECK(db.stats().freelist_count > 0);

  sp::database mem{":memory:"};
  CHECK(mem.stats().file_size == 0);
  CHECK(mem.stats().wal_size == 0);
}

// ---- tracing -----------------------------------------------------------------------------

namespace {
using count_to = sp::query<
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
    "SELECT count(*) FROM c",
    std::int64_t(std::int64_t)>;
using select_one = sp::query<"SELECT 1", std::int64_t()>;

// A bound for count_to that makes it run for a few hundred milliseconds.
constexpr std::int64_t slow_bound = 3'000'000;
}  // namespace

TEST_CASE("maintenance: the trace hook sees each statement, without its values") {
  sp::database db{":memory:"};
  std::vector<std::string> sql;
  std::vector<std::string> expanded;
  db.set_trace([&](const sp::trace_event& e) {
    sql.emplace_back(e.sql);
    expanded.emplace_back(e.expanded_sql);
  });
  CHECK(db.one<count_to>(std::int64_t{12345}) == 12345);
  REQUIRE(sql.size() == 1);
  CHECK(sql[0] == count_to::sql);
  CHECK_FALSE(contains(sql[0], "12345"));
  CHECK(expanded[0].empty());

  db.set_trace([&](const sp::trace_event& e) { expanded.emplace_back(e.expanded_sql); },
               sp::trace_options{.expand_parameters = true});
  CHECK(db.one<count_to>(std::int64_t{777}) == 777);
  CHECK(contains(expanded.back(), "x < 777"));

  db.clear_trace();
  const std::size_t seen = expanded.size();
  CHECK(db.one<select_one>() == 1);
  CHECK(expanded.size() == seen);

  // Closing with a hook installed unregisters it first.
  db.set_trace([&](const sp::trace_event&) { sql.emplace_back("after close"); });
  db.close();
  CHECK(sql.size() == 1);
}

TEST_CASE("maintenance: on_slow_query reports only statements over the threshold") {
  sp::database db{":memory:"};
  std::vector<std::chrono::nanoseconds> slow;
  std::vector<std::string> slow_sql;
  db.on_slow_query(50ms, [&](const sp::trace_event& e) {
    slow.push_back(e.duration);
    slow_sql.emplace_back(e.sql);
  });
  for (int i = 0; i < 50; ++i) CHECK(db.one<select_one>() == 1);
  CHECK(slow.empty());

  CHECK(db.one<count_to>(slow_bound) == slow_bound);
  REQUIRE(slow.size() == 1);
  CHECK(slow[0] >= 50ms);
  CHECK(slow_sql[0] == count_to::sql);

  // An exception from the hook cannot cross SQLite: it is dropped, the query succeeds.
  db.on_slow_query(0ms, [](const sp::trace_event&) { throw std::runtime_error("hook"); });
  CHECK(db.one<select_one>() == 1);
}

// ---- query plans -------------------------------------------------------------------------

namespace {
struct user {
  std::int64_t id;
  std::string name;
  int age;
};
using users_aged = sp::query<"SELECT id, name, age FROM users WHERE age = ?", user(int)>;
}  // namespace

TEST_CASE("maintenance: explain<Q>() and the plan helpers catch a lost index") {
  sp::database db{":memory:"};
  db.exec_script(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER NOT NULL);"
      "CREATE INDEX users_by_age ON users (age)");

  const std::vector<sp::plan_row> with_index = db.explain<users_aged>();
  INFO(sp::plan_text(with_index));
  REQUIRE_FALSE(with_index.empty());
  CHECK(sp::plan_uses_index(with_index, "users_by_age"));
  CHECK(sp::plan_uses_index(with_index, "USERS_BY_AGE"));
  CHECK_FALSE(sp::plan_uses_index(with_index, "users_by"));
  CHECK_FALSE(sp::plan_scans_table(with_index, "users"));

  db.exec_script("DROP INDEX users_by_age");
  const std::vector<sp::plan_row> without = db.explain<users_aged>();
  INFO(sp::plan_text(without));
  CHECK_FALSE(sp::plan_uses_index(without, "users_by_age"));
  CHECK(sp::plan_scans_table(without, "users"));
  CHECK_FALSE(sp::plan_scans_table(without, "user"));

  // Dynamic SQL, and a nested plan printed as a tree.
  const auto nested = db.explain(
      "SELECT name FROM users WHERE id IN (SELECT id FROM users WHERE age > 30) ORDER BY name");
  CHECK(nested.size() >= 2);
  CHECK(contains(sp::plan_text(nested), "\n  "));
  CHECK_THROWS_AS(db.explain("SELECT * FROM missing"), sp::error);
}

TEST_CASE("maintenance: plan helpers read the detail texts of older SQLite versions") {
  const std::vector<sp::plan_row> old_style{
      {2, 0, "SCAN TABLE orders"},
      {3, 0, "SEARCH TABLE users USING COVERING INDEX users_by_email (email=?)"}};
  CHECK(sp::plan_scans_table(old_style, "orders"));
  CHECK_FALSE(sp::plan_scans_table(old_style, "users"));
  CHECK(sp::plan_uses_index(old_style, "users_by_email"));
  CHECK(sp::plan_text(old_style) ==
        "SCAN TABLE orders\nSEARCH TABLE users USING COVERING INDEX users_by_email (email=?)\n");
}
