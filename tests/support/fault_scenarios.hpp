#pragma once
// The workloads of the fault-injection and crash tests, and the loop that runs one with a
// failure at every I/O call in turn (see fault_vfs.hpp).
//
// A workload starts from a "before" database file and reaches an "after" state. Each run of
// the loop copies the before file, runs the workload through the fault VFS with the fault at
// call N, closes the connection, and opens the file again with the real VFS. The database must
// then pass PRAGMA integrity_check and foreign_key_check and its content must be exactly one
// of the workload's consistent states: before or after, or for a migration run (one
// transaction per migration) the state after any number of whole migrations. Content means
// user_version, every schema entry and every row of every table, compared as text.

#include <sqlite3.h>
#include <sqlproof/maintenance.hpp>
#include <sqlproof/migration.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "support/fault_vfs.hpp"
#include "support/scratch_dir.hpp"

namespace sqlproof_test {

namespace sp = sqlproof;

/// The two journal modes the tests cover, with the options a connection uses in each.
enum class journal { rollback, wal };

inline const char* journal_name(journal j) { return j == journal::wal ? "WAL" : "DELETE"; }

// Rollback journal with synchronous=FULL, SQLite's default and the setting under which it
// promises a power loss cannot corrupt the file; WAL with the production preset
// (synchronous=NORMAL: a power loss may lose the newest commits, never consistency).
inline sp::options options_for(journal j) {
  sp::options o = j == journal::wal ? sp::options::production() : sp::options{};
  if (j == journal::rollback) {
    o.journal = sp::journal_mode::delete_;
    o.synchronous = sp::synchronous_mode::full;
  }
  return o;
}

// Opens `path` through the fault VFS.
inline sp::database open_faulty(const std::string& path, journal j) {
  sp::options o = options_for(j);
  o.uri = true;
  return sp::database{fault_vfs::uri(path), o};
}

// ---- content --------------------------------------------------------------------------

// Every row of a query, each column through quote(), as one string.
inline std::string rows_text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    throw std::runtime_error("dump: " + msg + " in " + sql);
  }
  std::string out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = sqlite3_column_text(stmt, i);
      out += i == 0 ? "" : "|";
      out += text != nullptr ? reinterpret_cast<const char*>(text) : "<null>";
    }
    out += '\n';
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) throw std::runtime_error("dump: step failed in " + sql);
  return out;
}

// The content of the database: user_version, the schema, every row of every table. The
// migration history's applied_at and duration_ms differ from run to run and are left out;
// the events table is checked on its own (a failed run may add a `failed` event). An empty
// history and no history read the same.
inline std::string content_of(sp::database& db) {
  sqlite3* h = db.native_handle();
  std::string out = "user_version " + rows_text(h, "PRAGMA user_version");
  // The history tables are left out of the schema: a migration that fails before any
  // other has committed leaves them behind, empty, to hold its `failed` event.
  out += rows_text(h, "SELECT type, name, tbl_name, quote(sql) FROM sqlite_schema WHERE name "
                      "NOT IN ('sqlproof_migrations', 'sqlproof_migration_events') "
                      "ORDER BY type, name");
  const std::string tables = rows_text(
      h, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
         "ESCAPE '\\' AND name <> 'sqlproof_migration_events' ORDER BY name");
  std::size_t start = 0;
  while (start < tables.size()) {
    const std::size_t end = tables.find('\n', start);
    const std::string table = tables.substr(start, end - start);
    start = end + 1;
    const std::string columns = rows_text(
        h, "SELECT group_concat('quote(\"' || name || '\")', ' || ''|'' || ') FROM "
           "pragma_table_info('" + table + "') WHERE name NOT IN ('applied_at', 'duration_ms')");
    const std::string rows = rows_text(h, "SELECT " + columns.substr(0, columns.size() - 1) +
                                              " FROM \"" + table + "\" ORDER BY rowid");
    if (!rows.empty()) out += "table " + table + "\n" + rows;  // an empty table: see the schema
  }
  return out;
}

// The first line where `actual` differs from `expected`, for a message.
inline std::string first_difference(const std::string& expected, const std::string& actual) {
  std::size_t at = 0;
  while (at < expected.size() && at < actual.size() && expected[at] == actual[at]) ++at;
  const std::size_t line = expected.rfind('\n', at == 0 ? 0 : at - 1);
  const std::size_t from = line == std::string::npos || at == 0 ? 0 : line + 1;
  auto line_at = [&](const std::string& text) {
    if (from >= text.size()) return std::string("<end>");
    return text.substr(from, std::min<std::size_t>(text.find('\n', from) - from, 160));
  };
  return "expected '" + line_at(expected) + "', found '" + line_at(actual) + "'";
}

// ---- workloads --------------------------------------------------------------------------

// (a) Three migrations: create a parent and a child table with cascading foreign keys and
// seed them; add a column, an index and update rows; rebuild the parent table with
// foreign_keys off (which must keep every child row). Applied to a database that already
// holds application data.
inline const auto& three_migrations() {
  static const auto list = sp::migrations(
      sp::migration<1, "authors and books">(
          sp::up("CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT)",
                 "CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL "
                 "REFERENCES authors(id) ON DELETE CASCADE, title TEXT NOT NULL)",
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120) "
                 "INSERT INTO authors (id, name) SELECT i, printf('author %04d %s', i, "
                 "substr(hex(zeroblob(40)), 1, 20 + i % 40)) FROM n",
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600) "
                 "INSERT INTO books (id, author_id, title) SELECT i, 1 + i % 120, "
                 "printf('title %05d %.*c', i, 30 + i % 50, 'x') FROM n"),
          sp::down("DROP TABLE books", "DROP TABLE authors")),
      sp::migration<2, "book years">(
          sp::up("ALTER TABLE books ADD COLUMN year INTEGER",
                 "UPDATE books SET year = 1900 + id % 120",
                 "CREATE INDEX books_year ON books(year, title)"),
          sp::down("DROP INDEX books_year", "ALTER TABLE books DROP COLUMN year")),
      sp::migration<3, "authors.name NOT NULL">(
          sp::up("CREATE TABLE authors_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "born INTEGER)",
                 "INSERT INTO authors_new (id, name, born) SELECT id, name, 1850 + id FROM authors",
                 "DROP TABLE authors",
                 "ALTER TABLE authors_new RENAME TO authors",
                 "CREATE INDEX authors_name ON authors(name)"),
          sp::irreversible(), sp::foreign_keys_off));
  return list;
}

// Application data already in the "before" file of both workloads.
inline void seed_notes(sp::database& db) {
  db.exec_script(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) "
      "INSERT INTO notes (body) SELECT printf('note %d %.*c', i, 20 + i, 'n') FROM n;");
}

inline void migration_before(sp::database& db) { seed_notes(db); }

inline void migration_workload(sp::database& db) { sp::migrator{db, three_migrations()}.migrate(); }

// (b) One transaction of nested savepoints: inserts and updates three levels deep, a savepoint
// rolled back by hand, one that fails on a CHECK constraint and is caught (the documented
// savepoint pattern), and work after it that must commit with the rest.
inline void transaction_before(sp::database& db) {
  seed_notes(db);
  db.exec_script(
      "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE, "
      "balance INTEGER NOT NULL CHECK (balance >= 0));"
      "CREATE TABLE ledger (id INTEGER PRIMARY KEY, account INTEGER NOT NULL REFERENCES "
      "accounts(id), amount INTEGER NOT NULL, memo TEXT NOT NULL);"
      "CREATE INDEX ledger_account ON ledger(account);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
      "INSERT INTO accounts (id, owner, balance) SELECT i, printf('owner %04d', i), 1000 + i "
      "FROM n;"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600) "
      "INSERT INTO ledger (account, amount, memo) SELECT 1 + i % 200, i, "
      "printf('opening %05d %.*c', i, 20 + i % 60, 'm') FROM n;");
}

inline void transaction_workload(sp::database& db) {
  db.transaction([&] {
    for (int round = 1; round <= 3; ++round) {
      db.transaction([&] {  // SAVEPOINT, depth 2
        db.prepare_cached("UPDATE accounts SET balance = balance + ? WHERE id % 3 = ?")
            .exec(round * 10, round % 3);
        db.prepare_cached(
              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 80) "
              "INSERT INTO ledger (account, amount, memo) SELECT 1 + (i * ?) % 200, ?, "
              "printf('round %d entry %03d %.*c', ?, i, 40 + i % 40, 'r') FROM n")
            .exec(round, round * 10, round);
        db.transaction([&] {  // SAVEPOINT, depth 3
          db.prepare_cached("UPDATE ledger SET memo = memo || ? WHERE id % 5 = ?")
              .exec(std::string_view{" +checked"}, round);
        });
      });
    }
    auto undone = db.begin();  // rolled back by hand: nothing of it stays
    db.prepare_cached("DELETE FROM ledger WHERE id % 2 = 0").exec();
    undone.rollback();
    try {
      db.transaction([&] {  // fails on the CHECK constraint: only this savepoint is undone
        db.prepare_cached("INSERT INTO ledger (account, amount, memo) VALUES (1, -5000, 'x')")
            .exec();
        db.prepare_cached("UPDATE accounts SET balance = balance - 5000 WHERE id = 1").exec();
      });
    } catch (const sp::constraint_error&) {
    }
    db.prepare_cached("DELETE FROM ledger WHERE id % 7 = 0").exec();
    db.prepare_cached("UPDATE notes SET body = upper(body) WHERE id <= 10").exec();
  });
}

// ---- the loop --------------------------------------------------------------------------

struct scenario {
  const char* name;
  std::function<void(sp::database&)> before;    // builds the before file (real VFS)
  std::function<void(sp::database&)> workload;  // the work under test
  bool migrations;                              // states between migrations are consistent
};

inline scenario migration_scenario() {
  return {"3 migrations with a foreign_keys_off rebuild", migration_before, migration_workload,
          true};
}
inline scenario transaction_scenario() {
  return {"nested transaction with savepoints", transaction_before, transaction_workload, false};
}

struct loop_result {
  std::uint64_t total_calls = 0;   // counted calls of the selected kinds in a fault-free run
  std::uint64_t points = 0;        // runs with a fault
  std::uint64_t threw = 0;         // ... where the workload threw a sqlproof::error
  std::uint64_t absorbed = 0;      // ... where it returned normally
  std::uint64_t before = 0;        // outcomes equal to the before state
  std::uint64_t after = 0;         // ... to the after state
  std::uint64_t between = 0;       // ... to a state between whole migrations
  std::string by_kind;             // the fault-free run's calls by kind, for the log
  std::vector<std::string> inconsistent;  // what went wrong, per failing point
};

class fault_loop {
 public:
  fault_loop(scenario s, journal j) : s_(std::move(s)), journal_(j), dir_("fault") {
    fault_vfs::install();
    before_path_ = dir_.file("before.db");
    work_path_ = dir_.file("work.db");
    {
      sp::database db{before_path_, options_for(journal_)};
      s_.before(db);
      states_.push_back(content_of(db));
    }
    // The consistent states, with the real VFS: before, then after each migration, or after.
    copy_before();
    {
      sp::database db{work_path_, options_for(journal_)};
      if (s_.migrations) {
        sp::migrator m{db, three_migrations()};
        for (const auto& info : m.migrations()) {
          m.migrate_to(info.version);
          states_.push_back(content_of(db));
        }
      } else {
        s_.workload(db);
        states_.push_back(content_of(db));
      }
    }
  }

  // Runs the workload with `f` at the Nth call of `kinds`, for every N.
  loop_result run(fault_vfs::fault f, unsigned kinds = fault_vfs::all_kinds) {
    loop_result r;
    // A commit that returned must survive, unless the power failed in WAL mode with
    // synchronous=NORMAL, which may lose the newest commits (never consistency).
    durable_ = (f != fault_vfs::fault::crash && f != fault_vfs::fault::torn_crash) ||
               journal_ == journal::rollback;
    // A fault-free run through the VFS counts the calls and must reach the after state.
    copy_before();
    fault_vfs::plan(f, 0, kinds);
    const bool finished = run_once();
    r.total_calls = fault_vfs::calls(kinds);
    for (std::size_t k = 0; k != fault_vfs::call_kinds; ++k) {
      const auto c = static_cast<fault_vfs::call>(k);
      const std::uint64_t count = fault_vfs::calls(kinds & fault_vfs::bit(c));
      if (count != 0) {
        r.by_kind += (r.by_kind.empty() ? "" : " ") + std::string(fault_vfs::call_name(c)) + " " +
                     std::to_string(count);
      }
    }
    fault_vfs::reset();
    check(0, finished, r);
    for (std::uint64_t n = 1; n <= r.total_calls; ++n) {
      copy_before();
      fault_vfs::plan(f, n, kinds);
      const bool returned = run_once();
      const bool fired = fault_vfs::fired();
      fault_vfs::reset();
      if (!fired) {
        r.inconsistent.push_back("call " + std::to_string(n) + ": the fault did not happen");
        continue;
      }
      ++r.points;
      ++(returned ? r.absorbed : r.threw);
      check(n, returned, r);
    }
    return r;
  }

  [[nodiscard]] std::size_t state_count() const noexcept { return states_.size(); }

 private:
  void copy_before() {
    for (const char* suffix : {"-journal", "-wal", "-shm"}) {
      std::filesystem::remove(work_path_ + suffix);
    }
    std::filesystem::copy_file(before_path_, work_path_,
                               std::filesystem::copy_options::overwrite_existing);
  }

  // Runs the workload through the fault VFS; false when it threw a sqlproof::error. Anything
  // else is recorded by rethrowing out of the loop.
  bool run_once() {
    try {
      sp::database db = open_faulty(work_path_, journal_);
      s_.workload(db);
      return true;
    } catch (const sp::error& e) {
      last_error_ = e.what();
      for (char& c : last_error_) c = c == '\n' ? ' ' : c;
      return false;
    }
  }

  void check(std::uint64_t n, bool returned, loop_result& r) {
    const std::string where = std::string(s_.name) + ", " + journal_name(journal_) + ", call " +
                              std::to_string(n) + (returned ? " (returned)" : " (threw: " + last_error_ + ")");
    try {
      sp::options o = options_for(journal_);
      o.synchronous = sp::synchronous_mode::off;  // checking needs no durability; saves time
      sp::database db{work_path_, o};
      const auto problems = db.integrity_check();
      if (!problems.empty()) {
        r.inconsistent.push_back(where + ": integrity_check: " + problems.front());
        return;
      }
      const auto fk = db.prepare("SELECT count(*) FROM pragma_foreign_key_check").one<std::int64_t>();
      if (fk != 0) {
        r.inconsistent.push_back(where + ": foreign key violations");
        return;
      }
      const std::string content = content_of(db);
      std::size_t state = 0;
      while (state < states_.size() && states_[state] != content) ++state;
      if (state == states_.size()) {
        r.inconsistent.push_back(where + ": content is neither before nor after; against before: " +
                                 first_difference(states_.front(), content) + "; against after: " +
                                 first_difference(states_.back(), content));
        return;
      }
      if (n == 0) {
        if (!returned || state + 1 != states_.size()) {
          r.inconsistent.push_back(where + ": the run without a fault did not finish");
        }
        return;
      }
      if (returned && durable_ && state + 1 != states_.size()) {
        r.inconsistent.push_back(where + ": returned normally but the work is not all there");
        return;
      }
      ++(state == 0 ? r.before : state + 1 == states_.size() ? r.after : r.between);
      if (s_.migrations) check_history(db, state, where, r);
    } catch (const std::exception& e) {
      r.inconsistent.push_back(where + ": reopening failed: " + e.what());
    }
  }

  // After k whole migrations: the history agrees with the program, any event is the failure
  // of migration k + 1, and a plain migrate() with the real VFS completes the run.
  void check_history(sp::database& db, std::size_t k, const std::string& where, loop_result& r) {
    sp::migrator m{db, three_migrations()};
    const auto v = m.verify();
    if (!v.ok()) {
      r.inconsistent.push_back(where + ": verify(): " + v.text());
      return;
    }
    if (db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlproof_migration_events'")
            .one<std::int64_t>() == 1) {
      using event = std::tuple<std::int64_t, std::string>;
      for (const auto& [version, kind] :
           db.prepare("SELECT version, event FROM sqlproof_migration_events").all<event>()) {
        if (kind != "failed" || version != static_cast<std::int64_t>(k) + 1) {
          r.inconsistent.push_back(where + ": unexpected event " + kind + " of version " +
                                   std::to_string(version) + " after " + std::to_string(k) +
                                   " migrations");
        }
      }
    }
    m.migrate();
    if (content_of(db) != states_.back()) {
      r.inconsistent.push_back(where + ": migrate() after the failure did not reach the after state");
    }
  }

  scenario s_;
  journal journal_;
  scratch_dir dir_;
  std::string before_path_;
  std::string work_path_;
  std::vector<std::string> states_;
  std::string last_error_;
  bool durable_ = true;
};

inline void print(const char* what, const scenario& s, journal j, const loop_result& r) {
  std::printf("%-10s %-45s %-6s calls %5llu, failure points %5llu: threw %5llu, absorbed %4llu; "
              "before %5llu, between %4llu, after %4llu; inconsistent %zu\n",
              what, s.name, journal_name(j), static_cast<unsigned long long>(r.total_calls),
              static_cast<unsigned long long>(r.points), static_cast<unsigned long long>(r.threw),
              static_cast<unsigned long long>(r.absorbed), static_cast<unsigned long long>(r.before),
              static_cast<unsigned long long>(r.between), static_cast<unsigned long long>(r.after),
              r.inconsistent.size());
  std::printf("           (%s)\n", r.by_kind.c_str());
  std::fflush(stdout);
}

}  // namespace sqlproof_test
