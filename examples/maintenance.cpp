// Operating a database: open with the production preset and verify it took effect, log slow
// queries, pin a query to its index, take an online backup with progress and one checked
// once written, compact a copy with VACUUM INTO, checkpoint, reclaim free pages, check
// integrity and read statistics.
// Run it in a scratch directory: it creates ops.db, ops-backup.db, ops-verified.db and
// ops-compact.db there (removing any previous ones first) and checks its own results.

#include <sqlproof/sqlproof.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sp = sqlproof;
using namespace std::chrono_literals;

// [queries]
using add_event = sp::query<"INSERT INTO events (kind, payload) VALUES (?, randomblob(?))",
                            void(int, int)>;
using events_of_kind = sp::query<"SELECT count(*) FROM events WHERE kind = ?", std::int64_t(int)>;
using event_count = sp::query<"SELECT count(*) FROM events", std::int64_t()>;
// [queries]

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "maintenance: check failed: %s\n", what);
    ++failures;
  }
}

void remove_database(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(path + suffix);
  }
}

}  // namespace

int main() {
  try {
    for (const char* f : {"ops.db", "ops-backup.db", "ops-verified.db", "ops-compact.db"}) {
      remove_database(f);
    }

    // [open]
    const sp::options o = sp::options::production();
    sp::database db{"ops.db", o};
    // Every setting the preset asked for is in effect; a difference would be listed here.
    for (const std::string& difference : sp::pragma_mismatches(o, db.pragmas())) {
      std::printf("setting not in effect: %s\n", difference.c_str());
    }
    // [open]
    check(sp::pragma_mismatches(o, db.pragmas()).empty(), "production settings in effect");
    check(db.pragmas().journal == sp::journal_mode::wal, "WAL journal");

    // [trace]
    std::vector<std::string> slow_log;
    db.on_slow_query(50ms, [&](const sp::trace_event& e) {
      // e.sql has its placeholders, not the bound values; e.duration is the run time.
      slow_log.push_back(std::string(e.sql));
      std::printf("slow query (%lld ms): %.*s\n",
                  static_cast<long long>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(e.duration).count()),
                  static_cast<int>(e.sql.size()), e.sql.data());
    });
    // [trace]

    db.exec_script(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, payload BLOB);"
        "CREATE INDEX events_by_kind ON events (kind)");
    db.transaction([&] {
      for (int i = 0; i < 2000; ++i) db.exec<add_event>(i % 10, 1000);
    });
    check(db.one<events_of_kind>(3) == 200, "200 events of kind 3");

    // [plan]
    const std::vector<sp::plan_row> plan = db.explain<events_of_kind>();
    std::printf("plan of events_of_kind:\n%s", sp::plan_text(plan).c_str());
    const bool indexed = sp::plan_uses_index(plan, "events_by_kind") &&
                         !sp::plan_scans_table(plan, "events");
    // [plan]
    check(indexed, "events_of_kind uses events_by_kind");

    // A deliberately slow statement for the slow-query log.
    db.prepare(
          "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500000) "
          "SELECT count(*) FROM c")
        .one<std::int64_t>();
    bool logged = false;
    for (const std::string& sql : slow_log) logged = logged || sql.starts_with("WITH RECURSIVE");
    check(logged, "the slow query was logged");
    db.clear_trace();

    // [backup]
    int reports = 0;
    db.backup_to(
        "ops-backup.db",
        [&](const sp::backup_progress& p) {
          ++reports;
          std::printf("backup: %d of %d pages%s\n", p.pages_done, p.pages_total,
                      p.done() ? " (done)" : "");
        },
        128);
    // [backup]
    check(reports >= 2, "backup progress reported at least twice");

    // [backup-verify]
    sp::backup_options checked;
    checked.verify = sp::backup_verify::integrity_check;  // read the copy back once written
    db.backup_to("ops-verified.db", checked);  // throws, naming both files, if it is not sound
    // [backup-verify]
    check(sp::database{"ops-verified.db"}.integrity_check().empty(), "the verified copy");

    db.exec_script("DELETE FROM events WHERE kind = 3");
    check(db.one<event_count>() == 1800, "kind 3 deleted");
    // [restore]
    db.restore_from("ops-backup.db");  // back to the content the backup holds
    // [restore]
    check(db.one<event_count>() == 2000, "restored from the backup");

    // [vacuum]
    db.exec_script("DELETE FROM events WHERE id > 500");
    const sp::database_stats before = db.stats();
    db.vacuum_into("ops-compact.db");            // a compacted copy, e.g. to ship elsewhere
    const std::int64_t freed = db.incremental_vacuum();  // give free pages back to the OS
    const sp::checkpoint_result ckpt = db.checkpoint(sp::checkpoint_mode::truncate);
    const sp::database_stats after = db.stats();
    std::printf("freed %lld pages; checkpoint %s; file %llu bytes, WAL %llu bytes\n",
                static_cast<long long>(freed), ckpt.complete() ? "complete" : "partial",
                static_cast<unsigned long long>(after.file_size),
                static_cast<unsigned long long>(after.wal_size));
    // [vacuum]
    check(before.freelist_count > 0, "deleting left free pages");
    check(freed == before.freelist_count, "incremental_vacuum freed them all");
    check(after.freelist_count == 0, "freelist empty");
    check(after.page_count < before.page_count, "fewer pages");
    check(ckpt.complete() && after.wal_size == 0, "WAL truncated");

    // [check]
    db.optimize();
    const std::vector<std::string> problems = db.integrity_check();
    for (const std::string& p : problems) std::printf("integrity problem: %s\n", p.c_str());
    // [check]
    check(problems.empty(), "integrity_check passes");

    // [stats]
    const sp::database_stats s = db.stats();
    std::printf("pages: %lld x %lld bytes, %lld free; cache: %lld hits, %lld misses, %lld bytes; "
                "statement cache: %llu hits, %llu misses\n",
                static_cast<long long>(s.page_count), static_cast<long long>(s.page_size),
                static_cast<long long>(s.freelist_count), static_cast<long long>(s.cache_hits),
                static_cast<long long>(s.cache_misses), static_cast<long long>(s.cache_memory),
                static_cast<unsigned long long>(s.statements.hits),
                static_cast<unsigned long long>(s.statements.misses));
    // [stats]
    check(s.cache_hits > 0 && s.statements.hits > 0, "counters advanced");

    sp::database compact{"ops-compact.db"};
    check(compact.one<event_count>() == 500, "compact copy holds the 500 remaining events");
    check(compact.stats().freelist_count == 0, "compact copy has no free pages");
    check(compact.quick_check().empty(), "compact copy passes quick_check");
  } catch (const sp::error& e) {
    std::fprintf(stderr, "maintenance: %s\n", e.what());
    return 1;
  }
  if (failures != 0) return 1;
  std::printf("maintenance: all checks passed\n");
  return 0;
}
