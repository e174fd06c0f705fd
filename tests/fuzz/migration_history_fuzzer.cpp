// Hostile rows in the migration history.
//
// Each input optionally migrates a fresh in-memory database part of the way, creates the
// history tables as the library does (detail::history_schema), then writes fuzzer-chosen rows
// into sqlproof_migrations and sqlproof_migration_events (any storage class in any column,
// real and fake versions, names and checksums, down SQL from a hostile menu or raw bytes) and
// sets user_version, and finally runs a few migrator commands: status, verify, migrate,
// migrate_to, rollback, redo, dry_run, baseline, repair and reset. Each command must either
// succeed or throw a sqlproof::error, and must leave no transaction open. Any other exception,
// a crash or a sanitizer report is a finding.

#include <sqlite3.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include <sqlproof/database.hpp>
#include <sqlproof/sqlite/detail/migration_history.hpp>
#include <sqlproof/migration.hpp>

#include "fuzz_check.hpp"

namespace {

namespace sp = sqlproof;
using sqlproof_fuzz::check;

constexpr auto schema = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
               "INSERT INTO users (name) VALUES ('ada'), ('lin')"),
        sp::down("DROP TABLE users")),
    sp::migration<2, "create posts">(
        sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id))",
               "INSERT INTO posts (user_id) VALUES (1), (2)"),
        sp::down("DROP TABLE posts")),
    sp::migration<3, "rebuild users">(
        sp::up("CREATE TABLE users_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT)",
               "INSERT INTO users_new (id, name) SELECT id, name FROM users", "DROP TABLE users",
               "ALTER TABLE users_new RENAME TO users"),
        sp::down("ALTER TABLE users DROP COLUMN email"), sp::foreign_keys_off));

// Down SQL a history row may carry: what a program that no longer has the migration would run.
constexpr const char* down_menu[] = {
    "DROP TABLE users",
    "DROP TABLE posts",
    "DROP TABLE nowhere",
    "",
    ";",
    "SELECT 1",
    "COMMIT",
    "ROLLBACK",
    "BEGIN",
    "DELETE FROM sqlproof_migrations",
    "DROP TABLE sqlproof_migrations",
    "UPDATE sqlproof_migrations SET version = version + 10",
    "PRAGMA user_version = 7",
    "PRAGMA foreign_keys = ON",
    "CREATE TABLE extra (x); INSERT INTO extra VALUES (1)",
    "SAVEPOINT s; RELEASE s",
    "SELECT raise(ABORT, 'no')",
    "\xef\xbb\xbf DROP TABLE posts\r\n",
};

constexpr const char* text_menu[] = {"applied", "baseline", "create users", "create posts",
                                     "rebuild users", "", "sha256:", "2024-01-01T00:00:00.000Z"};

// Raw text from the input, with ATTACH and VACUUM (the statements that can write files)
// spoiled: the in-memory database is all a run may touch.
std::string raw_text(FuzzedDataProvider& in) {
  std::string s = in.ConsumeRandomLengthString(48);
  std::string lower;
  for (const char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* word : {"attach", "vacuum"}) {
    for (std::size_t at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
      s[at] = '_';
    }
  }
  return s;
}

std::string checksum_of(int k) {
  switch (k) {
    case 0: return std::string(std::get<0>(schema.items).checksum().view());
    case 1: return std::string(std::get<1>(schema.items).checksum().view());
    default: return std::string(std::get<2>(schema.items).checksum().view());
  }
}
std::string down_checksum_of(int k) {
  switch (k) {
    case 0: return std::string(std::get<0>(schema.items).down_checksum()->view());
    case 1: return std::string(std::get<1>(schema.items).down_checksum()->view());
    default: return std::string(std::get<2>(schema.items).down_checksum()->view());
  }
}

enum class column_kind { version, text, checksum, down_checksum, down_sql, number };

// Binds a fuzzer-chosen value of any storage class to parameter `i`.
void bind_value(sp::statement& st, int i, FuzzedDataProvider& in, column_kind kind) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: st.bind(i, std::optional<std::int64_t>{}); break;
    case 1: st.bind(i, in.ConsumeIntegralInRange<std::int64_t>(-2, 6)); break;
    case 2: st.bind(i, in.ConsumeIntegral<std::int64_t>()); break;
    case 3: st.bind(i, in.ConsumeFloatingPoint<double>()); break;
    case 4: st.bind(i, raw_text(in)); break;
    case 5: {
      const auto bytes = in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<int>(0, 16));
      st.bind(i, bytes);
      break;
    }
    default: {  // a plausible value for the column
      const int k = in.ConsumeIntegralInRange<int>(0, 2);
      switch (kind) {
        case column_kind::version: st.bind(i, std::int64_t{k + 1}); break;
        case column_kind::checksum: st.bind(i, checksum_of(k)); break;
        case column_kind::down_checksum: st.bind(i, down_checksum_of(k)); break;
        case column_kind::down_sql:
          st.bind(i, std::string(in.PickValueInArray(down_menu)));
          break;
        case column_kind::number: st.bind(i, std::int64_t{k}); break;
        case column_kind::text: st.bind(i, std::string(in.PickValueInArray(text_menu))); break;
      }
    }
  }
}

void write_history(sp::database& db, FuzzedDataProvider& in) {
  auto row = db.prepare(
      "INSERT OR REPLACE INTO sqlproof_migrations (version, name, checksum, down_checksum, "
      "down_sql, applied_at, duration_ms, flags, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  constexpr column_kind row_columns[] = {
      column_kind::version,  column_kind::text,   column_kind::checksum,
      column_kind::down_checksum, column_kind::down_sql, column_kind::text,
      column_kind::number,   column_kind::number, column_kind::text};
  const int rows = in.ConsumeIntegralInRange<int>(0, 5);
  for (int r = 0; r < rows; ++r) {
    try {
      for (int c = 0; c < 9; ++c) bind_value(row, c + 1, in, row_columns[c]);
      row.exec();
    } catch (const sp::error&) {
      row.reset();  // a NOT NULL or datatype refusal: the row is not written
    }
  }
  auto event = db.prepare(
      "INSERT INTO sqlproof_migration_events (version, name, event, detail, at) "
      "VALUES (?, ?, ?, ?, ?)");
  const int events = in.ConsumeIntegralInRange<int>(0, 3);
  for (int e = 0; e < events; ++e) {
    try {
      bind_value(event, 1, in, column_kind::version);
      for (int c = 2; c <= 5; ++c) bind_value(event, c, in, column_kind::text);
      event.exec();
    } catch (const sp::error&) {
      event.reset();
    }
  }
  if (in.ConsumeBool()) {
    db.exec_script("PRAGMA user_version = " +
                   std::to_string(in.ConsumeIntegralInRange<std::int32_t>(-3, 9)));
  }
}

void run_command(sp::migrator& m, FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0: (void)m.status(); break;
    case 1: (void)m.verify(); break;
    case 2: (void)m.migrate(); break;
    case 3: (void)m.migrate_to(in.ConsumeIntegralInRange<std::int64_t>(-1, 5)); break;
    case 4: (void)m.rollback(in.ConsumeIntegralInRange<std::size_t>(0, 4)); break;
    case 5: (void)m.redo(); break;
    case 6: (void)m.dry_run(); break;
    case 7: (void)m.baseline(in.ConsumeIntegralInRange<std::int64_t>(-1, 5)); break;
    case 8: (void)m.repair(in.ConsumeIntegralInRange<std::int64_t>(-1, 5)); break;
    default: (void)m.reset(); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  sp::database db{":memory:"};
  sqlite3_limit(db.native_handle(), SQLITE_LIMIT_ATTACHED, 0);
  sp::migrator m{db, schema};
  const auto start = in.ConsumeIntegralInRange<std::int64_t>(0, 3);
  if (start > 0) (void)m.migrate_to(start);
  db.exec_script(std::string(sp::detail::history_schema));
  write_history(db, in);
  const int commands = in.ConsumeIntegralInRange<int>(1, 4);
  for (int k = 0; k < commands; ++k) {
    try {
      run_command(m, in);
    } catch (const sp::error&) {
      // refused or failed: what the history deserves
    }
    check(sqlite3_get_autocommit(db.native_handle()) != 0,
          "a migrator command left a transaction open");
  }
  return 0;
}
