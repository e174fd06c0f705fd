// Connection options: the defaults, the production() and in_memory() presets, and single
// fields. Reads the pragmas back to show what each setting did. Creates configuration.db in
// the current directory.

#include <sqlproof/sqlproof.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace sp = sqlproof;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "configuration: check failed: %s\n", what);
    ++failures;
  }
}

std::string pragma_text(sp::database& db, const char* name) {
  return db.prepare(std::string("PRAGMA ") + name).one<std::string>().value_or("");
}
std::int64_t pragma_int(sp::database& db, const char* name) {
  return db.prepare(std::string("PRAGMA ") + name).one<std::int64_t>().value_or(-1);
}

void remove_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
}

}  // namespace

int main() {
  remove_files("configuration.db");

  {
    // [production]
    sp::database db{"configuration.db", sp::options::production()};
    // [production]
    check(pragma_text(db, "journal_mode") == "wal", "production: WAL");
    check(pragma_int(db, "synchronous") == 1, "production: synchronous=NORMAL");
    check(pragma_int(db, "busy_timeout") == 5000, "production: busy_timeout 5 s");
    check(pragma_int(db, "foreign_keys") == 1, "production: foreign keys on");
    check(pragma_int(db, "cache_size") == -65536, "production: 64 MiB page cache");
    check(pragma_int(db, "mmap_size") == 268435456, "production: 256 MiB mmap");
    check(pragma_int(db, "temp_store") == 2, "production: temp_store=MEMORY");
    check(pragma_int(db, "wal_autocheckpoint") == 1000, "production: checkpoint every 1000 pages");
    check(pragma_int(db, "journal_size_limit") == 67108864, "production: 64 MiB journal limit");
    check(pragma_int(db, "auto_vacuum") == 2, "production: incremental auto-vacuum");
    db.exec_script("CREATE TABLE t (x)");
  }
  {
    // [defaults]
    sp::database db{"configuration.db"};  // options{}: busy_timeout 5 s, foreign keys ON
    // [defaults]
    check(pragma_int(db, "busy_timeout") == 5000, "defaults: busy_timeout");
    check(pragma_int(db, "foreign_keys") == 1, "defaults: foreign keys on");
    check(pragma_text(db, "journal_mode") == "wal", "defaults: WAL persists in the file");
    check(pragma_int(db, "synchronous") == 2, "defaults: SQLite's synchronous=FULL");
  }
  {
    // [fields]
    sp::options o;
    o.busy_timeout = std::chrono::milliseconds{250};
    o.foreign_keys = false;
    o.cache_size = 2000;  // pages; negative values are KiB
    o.synchronous = sp::synchronous_mode::full;
    o.statement_cache_capacity = 16;
    sp::database db{"configuration.db", o};
    // [fields]
    check(pragma_int(db, "busy_timeout") == 250, "fields: busy_timeout");
    check(pragma_int(db, "foreign_keys") == 0, "fields: foreign keys off");
    check(pragma_int(db, "cache_size") == 2000, "fields: cache_size");
    check(db.cache().capacity() == 16, "fields: statement cache capacity");
  }
  {
    // [read-only]
    sp::options o;
    o.read_only = true;
    o.create = false;  // read_only with create is refused with open_error
    sp::database db{"configuration.db", o};
    // [read-only]
    bool refused = false;
    try {
      db.exec_script("INSERT INTO t VALUES (1)");
    } catch (const sp::error& e) {
      refused = e.primary_code() == 8;  // SQLITE_READONLY
    }
    check(refused, "read-only: writes refused");
  }
  {
    // [in-memory]
    sp::database db{":memory:", sp::options::in_memory()};
    // [in-memory]
    check(pragma_text(db, "journal_mode") == "memory", "in_memory: journal in memory");
    check(pragma_int(db, "synchronous") == 0, "in_memory: synchronous=OFF");
    check(pragma_int(db, "temp_store") == 2, "in_memory: temp_store=MEMORY");
  }

  if (failures != 0) return 1;
  std::puts("configuration: ok");
  return 0;
}
