#pragma once
/// @file
/// Embedded migrations: `migrator`, which applies, reverts, verifies and reports an ordered,
/// checksummed list of schema changes that is part of the program (the lists themselves, the
/// DSL and the errors are in migration_list.hpp, which this header includes).
///
/// @code
/// constexpr auto schema = sqlproof::migrations(
///   sqlproof::migration<1, "create users">(
///     sqlproof::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
///     sqlproof::down("DROP TABLE users")),
///   sqlproof::migration<2, "index users by name">(
///     sqlproof::up("CREATE INDEX users_name ON users(name)"),
///     sqlproof::down("DROP INDEX users_name")));
///
/// sqlproof::database db{"app.db"};
/// sqlproof::migration_report r = sqlproof::migrator{db, schema}.migrate();
/// @endcode
///
/// Every migration runs as one transaction together with its history row and
/// `PRAGMA user_version`, under the database's write lock (`BEGIN IMMEDIATE`). See
/// docs/migrations.md for the history table, the checksum encoding and the states.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "database.hpp"
#include "detail/chrono.hpp"
#include "detail/migration_checksum.hpp"
#include "detail/migration_history.hpp"
#include "detail/migration_sql.hpp"
#include "error.hpp"
#include "migration_list.hpp"
#include "transaction.hpp"

namespace sqlproof {

/// Which way a step went.
enum class migration_direction { up, down };

/// One migration applied or reverted by a run.
struct migration_step {
  std::int64_t version = 0;
  std::string name;
  migration_direction direction = migration_direction::up;
  /// Time for the statements, the history row and the COMMIT.
  std::chrono::duration<double, std::milli> duration{};
  /// False when the SQL did not run: recorded by `baseline`, or an `outside_transaction`
  /// step in a `dry_run`.
  bool executed = true;
};

/// What a run did: the steps in order with their timing, and warnings (a changed down text).
struct migration_report {
  std::vector<migration_step> steps;
  std::vector<std::string> warnings;
  std::int64_t from_version = 0;  ///< `PRAGMA user_version` before.
  std::int64_t to_version = 0;    ///< `PRAGMA user_version` after (before the ROLLBACK of a dry run).
  std::chrono::duration<double, std::milli> total{};
  bool dry_run = false;
  std::string backup_path;  ///< Set by `reset()`: where the previous database was copied.

  /// One line per step (`✓ 3 add email (1.2 ms)`) and a summary line.
  [[nodiscard]] std::string text() const;
  /// The same as a JSON object.
  [[nodiscard]] std::string json() const;
};

/// The state of one migration, comparing the program with the history table.
enum class migration_state {
  applied,   ///< In both, checksums equal.
  pending,   ///< In the program, not applied.
  modified,  ///< Applied, but the program's up text (or name) differs: the checksum changed.
  missing,   ///< Applied, not in the program, older than the program's newest migration.
  future,    ///< Applied, not in the program, newer than all the program defines.
  failed,    ///< Not applied, and its last attempt failed (see `detail`).
};

/// `"applied"`, `"pending"`, ...
constexpr std::string_view to_string(migration_state s) noexcept {
  switch (s) {
    case migration_state::applied: return "applied";
    case migration_state::pending: return "pending";
    case migration_state::modified: return "modified";
    case migration_state::missing: return "missing";
    case migration_state::future: return "future";
    case migration_state::failed: return "failed";
  }
  return "unknown";
}

/// One line of `migration_status`.
struct migration_status_entry {
  std::int64_t version = 0;
  std::string name;
  migration_state state = migration_state::pending;
  std::string applied_at;                    ///< ISO 8601 UTC; empty unless applied.
  std::optional<double> duration_ms;         ///< As recorded when applied.
  std::string stored_checksum;               ///< From the history table; empty if none.
  std::string checksum;                      ///< The program's; empty if not in the program.
  bool down_modified = false;                ///< Applied with a different down text.
  bool baseline = false;                     ///< Recorded by `baseline`, never run.
  std::string detail;                        ///< For `failed`: the error of the last attempt.
};

/// Every migration known to the program or the database, by version.
struct migration_status {
  std::vector<migration_status_entry> entries;
  std::int64_t user_version = 0;

  /// Number of entries in state `s`.
  [[nodiscard]] std::size_t count(migration_state s) const noexcept {
    return static_cast<std::size_t>(std::count_if(
        entries.begin(), entries.end(), [s](const auto& e) { return e.state == s; }));
  }
  /// A table with one row per migration.
  [[nodiscard]] std::string text() const;
  /// `{"user_version": N, "migrations": [{"version": 1, "name": "...", "state": "applied", ...}]}`.
  [[nodiscard]] std::string json() const;
};

/// What `verify()` found. `ok()` when every applied migration matches the program, none is
/// unknown to it, and `user_version` equals the newest applied version.
struct verification {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::size_t applied = 0;
  std::size_t pending = 0;

  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
  [[nodiscard]] std::string text() const;
  [[nodiscard]] std::string json() const;
};

/// What `repair(v)` changed.
struct repair_result {
  std::int64_t version = 0;
  std::string name;
  std::string previous_checksum;
  std::string checksum;
  bool changed = false;  ///< False when the stored values already matched.
};

/// Settings of a `migrator`.
struct migrator_options {
  /// How long to wait for another connection's lock: replaces a lower connection timeout for
  /// each call of the migrator, from before its first read, and is restored after it.
  std::chrono::milliseconds busy_timeout{60000};
  /// Let `migrate()` proceed when the database has versions newer than the program defines.
  bool allow_newer_database = false;
  /// Write a `failed` event to `sqlproof_migration_events` when a migration fails.
  bool record_failures = true;
};

/// Applies, reverts, checks and reports the program's migrations on one database.
///
/// Each migration runs as one transaction with its history row and `PRAGMA user_version`,
/// begun with `BEGIN IMMEDIATE` (waiting up to `migrator_options::busy_timeout` for another
/// process that is migrating) and reading the history only once the lock is held: several
/// processes may call `migrate()` on one file at once, and each migration is applied exactly
/// once. A crash leaves every migration either applied with its history row or not at all.
///
/// The `database` must outlive the migrator. A compile-time list may be a temporary (the
/// migrator keeps views of the SQL literals, not of the list); a `runtime_migration_list`
/// must outlive it (the migrator views its text). Must not be called inside a
/// transaction. Throws `checksum_mismatch_error`, `future_version_error`, `migration_error`
/// (a statement failed: version, name, statement, SQLite's message), `busy_error` (the lock
/// was not obtained in time).
/// @code
/// sqlproof::migrator m{db, schema};
/// for (const auto& step : m.migrate().steps) log(step.version, step.duration.count());
/// @endcode
class migrator {
 public:
  template <class... Ms>
  migrator(database& db, const migration_list<Ms...>& list, migrator_options options = {})
      : db_(&db), options_(options) {
    auto owned = std::make_shared<std::vector<migration_info>>();
    owned->reserve(sizeof...(Ms));
    // One non-template function for all: a list of 50 migrations instantiates nothing per
    // migration here (see scripts/measure_migration_compile.sh).
    std::apply([&](const auto&... m) {
      (owned->push_back(detail::make_migration_info(m.version, m.name, m.up_statements,
                                                    m.down_statements, m.reversible, m.flags)),
       ...);
    }, list.items);
    program_ = *owned;
    owned_ = std::move(owned);
  }

  /// Runs the migrations of a run-time list, which must outlive the migrator and not change
  /// while it is used (the migrator views its text and checksums, copying nothing).
  migrator(database& db, const runtime_migration_list& list, migrator_options options = {})
      : db_(&db), options_(options), program_(list.migrations()) {}
  /// Refused: the migrator would view a list destroyed at the end of the statement.
  migrator(database& db, runtime_migration_list&& list, migrator_options options = {}) = delete;

  /// The program's migrations with their checksums, oldest first.
  [[nodiscard]] std::span<const migration_info> migrations() const noexcept { return program_; }

  /// Applies every pending migration, oldest first. Refuses (before changing anything) when
  /// an applied migration was modified, is missing from the program, or is newer than the
  /// program; a changed down text only adds a warning.
  migration_report migrate() {
    return run([&](const auto& history, migration_report& r, bool& checked) {
      return plan_to(latest(), history, r, false, checked);
    });
  }

  /// Applies pending migrations up to and including `version`, or reverts applied ones
  /// newer than it. `version` 0 reverts everything. Throws `unknown_version_error` when the
  /// program does not define `version`.
  migration_report migrate_to(std::int64_t version) {
    if (version != 0 && find(version) == nullptr) {
      throw unknown_version_error("cannot migrate to version " + std::to_string(version) +
                                      ": the program defines no such migration",
                                  {}, version);
    }
    return run([&](const auto& history, migration_report& r, bool& checked) {
      return plan_to(version, history, r, true, checked);
    });
  }

  /// Reverts the `n` newest applied migrations, newest first, with the program's down text
  /// or, for a version the program does not define, the down SQL stored when it was applied.
  /// Throws `missing_down_error` for an irreversible one (nothing after it is reverted).
  migration_report rollback(std::size_t n = 1) {
    return run([&](const auto& history, migration_report& r, bool&) -> std::optional<plan> {
      if (r.steps.size() >= n || history.empty()) return std::nullopt;
      return revert_plan(history.back());
    });
  }

  /// Reverts the newest applied migration and applies it again.
  migration_report redo() {
    migration_report first = rollback(1);
    if (first.steps.empty()) return first;
    migration_report second = migrate_to(first.steps.front().version);
    first.steps.insert(first.steps.end(), second.steps.begin(), second.steps.end());
    first.warnings.insert(first.warnings.end(), second.warnings.begin(), second.warnings.end());
    first.to_version = second.to_version;
    first.total += second.total;
    return first;
  }

  /// Compares the program with the history table, without changing anything.
  migration_status status() {
    detail::busy_timeout_scope timeout(*db_, options_.busy_timeout);
    auto tx = db_->begin(tx_mode::deferred);  // one snapshot
    migration_status s;
    s.user_version = detail::user_version(*db_);
    std::vector<detail::history_row> history;
    std::vector<detail::history_event> events;
    if (detail::history_exists(*db_)) {
      history = detail::read_history(*db_);
      events = detail::read_latest_events(*db_);
    }
    tx.commit();

    std::map<std::int64_t, migration_status_entry> by_version;
    for (const auto& m : program_) {
      auto& e = by_version[m.version];
      e.version = m.version;
      e.name = std::string(m.name);
      e.checksum = m.checksum;
      e.state = migration_state::pending;
    }
    for (const auto& ev : events) {
      auto it = by_version.find(ev.version);
      if (it != by_version.end() && ev.event == "failed") {
        it->second.state = migration_state::failed;
        it->second.detail = ev.at + ": " + ev.detail;
      }
    }
    for (const auto& h : history) {
      auto& e = by_version[h.version];
      const migration_info* m = find(h.version);
      e.version = h.version;
      e.name = h.name;
      e.applied_at = h.applied_at;
      e.duration_ms = h.duration_ms;
      e.stored_checksum = h.checksum;
      e.baseline = h.kind == "baseline";
      e.detail.clear();
      if (m == nullptr) {
        e.state = h.version > latest() ? migration_state::future : migration_state::missing;
      } else {
        e.state = h.checksum == m->checksum ? migration_state::applied : migration_state::modified;
        e.down_modified = h.down_checksum != m->down_checksum;
      }
    }
    for (auto& [v, e] : by_version) s.entries.push_back(std::move(e));
    return s;
  }

  /// Checks that every applied migration is the program's (same checksum), that none is
  /// missing from it or newer than it, that no pending migration is older than an applied
  /// one, and that `user_version` equals the newest applied version. Changes nothing.
  verification verify() {
    const migration_status s = status();
    verification v;
    std::int64_t newest = 0;
    for (const auto& e : s.entries) {
      const std::string who = "migration " + std::to_string(e.version) + " '" + e.name + "'";
      switch (e.state) {
        case migration_state::applied: ++v.applied; break;
        case migration_state::pending:
        case migration_state::failed: ++v.pending; break;
        case migration_state::modified:
          v.errors.push_back(who + " was modified after it was applied: stored " +
                             e.stored_checksum + ", computed " + e.checksum);
          break;
        case migration_state::missing:
          v.errors.push_back(who + " is applied but not defined in this program");
          break;
        case migration_state::future:
          v.errors.push_back(who + " is newer than this program (the database is ahead)");
          break;
      }
      if (!e.applied_at.empty()) newest = std::max(newest, e.version);
      if (e.down_modified) v.warnings.push_back(who + ": its down text changed since it was applied");
    }
    for (const auto& e : s.entries) {
      if ((e.state == migration_state::pending || e.state == migration_state::failed) &&
          e.version < newest) {
        v.errors.push_back("migration " + std::to_string(e.version) + " '" + e.name +
                           "' is pending but the newer migration " + std::to_string(newest) +
                           " is applied");
      }
    }
    if (s.user_version != newest) {
      v.errors.push_back("PRAGMA user_version is " + std::to_string(s.user_version) +
                         " but the newest applied migration is " + std::to_string(newest));
    }
    return v;
  }

  /// Copies the database to `<path>.bak-<UTC timestamp>` (`VACUUM INTO`; no copy for an
  /// in-memory database), drops every table, view and trigger, and applies every migration
  /// from scratch. The copy's path is in `backup_path`.
  migration_report reset() {
    ensure_no_transaction("reset");
    std::string backup;
    const std::string& path = db_->path();
    {
      detail::busy_timeout_scope timeout(*db_, options_.busy_timeout);
      if (!path.empty() && path != ":memory:" && !path.starts_with("file:")) {
        backup = path + ".bak-" + detail::backup_timestamp();
        db_->exec_script("VACUUM INTO " + detail::quote_literal(backup));
      }
      detail::foreign_keys_scope fk(*db_, true);
      auto tx = db_->begin(tx_mode::immediate);
      detail::drop_everything(*db_);
      detail::ensure_history(*db_);
      detail::insert_event(*db_, 0, "", "reset", backup.empty() ? "no backup" : "backup " + backup);
      detail::set_user_version(*db_, 0);
      tx.commit();
    }
    migration_report r = migrate();
    r.backup_path = std::move(backup);
    return r;
  }

  /// Records migrations 1..`version` as applied without running them, for a database whose
  /// schema was created before it used migrations. Requires an empty history.
  migration_report baseline(std::int64_t version) {
    if (find(version) == nullptr) {
      throw unknown_version_error("cannot baseline at version " + std::to_string(version) +
                                      ": the program defines no such migration",
                                  {}, version);
    }
    bool done = false;
    return run([&](const auto& history, migration_report& r, bool&) -> std::optional<plan> {
      if (done) return std::nullopt;
      if (!history.empty()) {
        throw migration_error("cannot baseline: the database already has " +
                                  std::to_string(history.size()) + " applied migration(s)",
                              {}, version);
      }
      for (const auto& m : program_) {
        if (m.version > version) break;
        detail::insert_history(*db_, history_row_of(m, 0, "baseline"));
        r.steps.push_back({m.version, std::string(m.name), migration_direction::up, {}, false});
      }
      detail::insert_event(*db_, version, find(version)->name, "baseline", "");
      detail::set_user_version(*db_, version);
      done = true;
      return plan{};  // commit
    });
  }

  /// Accepts the program's current text of applied migration `version`: stores its checksum,
  /// down checksum, down SQL and name, and leaves a `repaired` event with both checksums in
  /// `sqlproof_migration_events`. For an intended edit (a comment, formatting) that would
  /// otherwise be refused.
  repair_result repair(std::int64_t version) {
    const migration_info* m = find(version);
    if (m == nullptr) {
      throw unknown_version_error("cannot repair version " + std::to_string(version) +
                                      ": the program defines no such migration",
                                  {}, version);
    }
    repair_result result{version, std::string(m->name), {}, m->checksum, false};
    run([&](const auto& history, migration_report&, bool&) -> std::optional<plan> {
      if (!result.previous_checksum.empty() || result.changed) return std::nullopt;
      auto it = std::find_if(history.begin(), history.end(),
                             [&](const auto& h) { return h.version == version; });
      if (it == history.end()) {
        throw migration_error("cannot repair migration " + std::to_string(version) + " '" +
                                  std::string(m->name) + "': it is not applied",
                              {}, version, std::string(m->name));
      }
      result.previous_checksum = it->checksum;
      const detail::history_row want = history_row_of(*m, it->duration_ms, it->kind);
      result.changed = it->checksum != want.checksum || it->name != want.name ||
                       it->down_checksum != want.down_checksum || it->down_sql != want.down_sql;
      if (!result.changed) return std::nullopt;
      db_->prepare("UPDATE sqlproof_migrations SET name = ?, checksum = ?, down_checksum = ?, "
                   "down_sql = ?, flags = ? WHERE version = ?")
          .exec(want.name, want.checksum, want.down_checksum, want.down_sql, want.flags, version);
      detail::insert_event(*db_, version, m->name, "repaired",
                           "checksum " + it->checksum + " -> " + want.checksum);
      return plan{};  // commit
    });
    return result;
  }

  /// Applies every pending migration in one transaction, reports them with their timing,
  /// then rolls everything back: the database is left exactly as it was. An
  /// `outside_transaction` migration is listed but not run (`executed == false`).
  migration_report dry_run() {
    ensure_no_transaction("dry_run");
    const auto started = clock::now();
    migration_report r;
    r.dry_run = true;
    detail::busy_timeout_scope timeout(*db_, options_.busy_timeout);
    const bool fk_off = std::any_of(program_.begin(), program_.end(), [](const auto& m) {
      return has_flag(m.flags, migration_flags::foreign_keys_off);
    });
    detail::foreign_keys_scope fk(*db_, fk_off);
    auto tx = db_->begin(tx_mode::immediate);
    r.from_version = detail::user_version(*db_);
    detail::ensure_history(*db_);
    const auto history = detail::read_history(*db_);
    check_history(history, r, false);
    for (const auto& m : program_) {
      if (applied(history, m.version)) continue;
      if (has_flag(m.flags, migration_flags::outside_transaction)) {
        r.steps.push_back({m.version, std::string(m.name), migration_direction::up, {}, false});
        r.warnings.push_back("migration " + std::to_string(m.version) + " '" +
                             std::string(m.name) + "' runs outside a transaction: not run");
        continue;
      }
      const auto t0 = clock::now();
      apply_body(m, true);
      r.steps.push_back({m.version, std::string(m.name), migration_direction::up, clock::now() - t0});
    }
    r.to_version = detail::user_version(*db_);
    tx.rollback();
    r.total = clock::now() - started;
    return r;
  }

 private:
  using clock = std::chrono::steady_clock;

  // What to do next, chosen with the write lock held. An empty `up` and `down` means
  // "commit what the planner wrote and stop".
  struct plan {
    const migration_info* up = nullptr;
    std::optional<detail::history_row> down;
    [[nodiscard]] migration_flags flags() const noexcept {
      return up != nullptr ? up->flags
             : down       ? static_cast<migration_flags>(down->flags)
                          : migration_flags::none;
    }
  };

  [[nodiscard]] std::int64_t latest() const noexcept {
    return program_.empty() ? 0 : program_.back().version;
  }

  // Binary searches: both kinds of list are checked to be in strictly increasing version
  // order, and the history is read ORDER BY version (a run of 1,000 migrations would
  // otherwise spend most of its time in linear scans).
  [[nodiscard]] const migration_info* find(std::int64_t version) const noexcept {
    const auto it = std::lower_bound(program_.begin(), program_.end(), version,
                                     [](const migration_info& m, std::int64_t v) { return m.version < v; });
    return it != program_.end() && it->version == version ? &*it : nullptr;
  }

  static auto history_position(const std::vector<detail::history_row>& history,
                               std::int64_t version) {
    return std::lower_bound(history.begin(), history.end(), version,
                            [](const detail::history_row& h, std::int64_t v) { return h.version < v; });
  }

  static bool applied(const std::vector<detail::history_row>& history, std::int64_t version) {
    const auto it = history_position(history, version);
    return it != history.end() && it->version == version;
  }

  void ensure_no_transaction(const char* what) const {
    if (db_->in_transaction()) {
      throw misuse_error(std::string("migrator::") + what +
                             " cannot run inside a transaction: each migration takes the write "
                             "lock with BEGIN IMMEDIATE and commits on its own",
                         {});
    }
  }

  static std::string describe(const migration_info& m) {
    return "migration " + std::to_string(m.version) + " '" + std::string(m.name) + "'";
  }

  [[nodiscard]] detail::history_row history_row_of(const migration_info& m, double duration_ms,
                                                    std::string kind) const {
    detail::history_row row;
    row.version = m.version;
    row.name = std::string(m.name);
    row.checksum = m.checksum;
    row.down_checksum = m.down_checksum;
    if (m.reversible) {
      std::string sql;
      for (const auto s : m.down) {
        if (!sql.empty()) sql += "\n;\n";  // on its own line: a trailing -- comment stays closed
        sql += s;
      }
      row.down_sql = std::move(sql);
    }
    row.duration_ms = duration_ms;
    row.flags = static_cast<std::int64_t>(m.flags);
    row.kind = std::move(kind);
    return row;
  }

  // Refuses a history the program cannot safely build on; adds a warning per changed down.
  void check_history(const std::vector<detail::history_row>& history, migration_report& r,
                     bool allow_newer) const {
    for (const auto& h : history) {
      const migration_info* m = find(h.version);
      // Spelled only for a message: this loop runs over every history row.
      auto who = [&] { return "migration " + std::to_string(h.version) + " '" + h.name + "'"; };
      if (m == nullptr) {
        if (h.version > latest()) {
          if (allow_newer || options_.allow_newer_database) continue;
          throw future_version_error(
              "the database is ahead of this program: " + who() +
                  " is applied but this program defines migrations only up to version " +
                  std::to_string(latest()) +
                  "; run a newer program, or revert it with rollback (which uses the down SQL "
                  "stored in sqlproof_migrations)",
              {}, h.version, h.name);
        }
        throw migration_error(who() + " is applied but not defined in this program; restore it "
                                    "in the migration list",
                              {}, h.version, h.name);
      }
      if (h.checksum != m->checksum) {
        throw checksum_mismatch_error(
            describe(*m) + " was changed after it was applied: stored checksum " + h.checksum +
                ", computed checksum " + m->checksum +
                ". Restore its original up text and put the change in a new migration; or, if "
                "the edit is intended and changes nothing in the schema, accept it with "
                "migrator::repair(" + std::to_string(m->version) + ") (command: repair " +
                std::to_string(m->version) + ")",
            m->version, std::string(m->name), h.checksum, m->checksum);
      }
      if (h.down_checksum != m->down_checksum) {
        const std::string w = describe(*m) + ": its down text changed since it was applied "
                              "(stored " + h.down_checksum.value_or("none") + ", computed " +
                              m->down_checksum.value_or("none") + ")";
        if (std::find(r.warnings.begin(), r.warnings.end(), w) == r.warnings.end()) {
          r.warnings.push_back(w);
        }
      }
    }
  }

  std::optional<plan> revert_plan(const detail::history_row& h) const {
    const migration_info* m = find(h.version);
    if ((m != nullptr && !m->reversible && !h.down_sql) || (m == nullptr && !h.down_sql)) {
      throw missing_down_error("cannot revert migration " + std::to_string(h.version) + " '" +
                                   h.name + "': it is irreversible (no down text)",
                               {}, h.version, h.name);
    }
    return plan{nullptr, h};
  }

  // Towards `target`: revert what is newer, then apply what is pending, one step per call.
  // `checked`: this history (as read, plus what the run's own steps did) was already checked
  // against the program. Checking it again at every step, every row, would make a run of n
  // migrations cost n² comparisons of checksums.
  std::optional<plan> plan_to(std::int64_t target, const std::vector<detail::history_row>& history,
                              migration_report& r, bool explicit_target, bool& checked) const {
    if (!history.empty() && history.back().version > target &&
        (explicit_target || find(history.back().version) != nullptr)) {
      return revert_plan(history.back());
    }
    const bool checked_before = checked;
    // Once the history is checked, every migration up to the newest applied one is known to
    // be applied (a step applies the oldest pending or reverts the newest, which keeps it
    // so): later steps start after the newest instead of walking the list again.
    auto start = program_.begin();
    if (!checked) {
      check_history(history, r, false);
      checked = true;
    }
    const std::int64_t newest = history.empty() ? 0 : history.back().version;
    if (checked_before) {
      start = std::lower_bound(program_.begin(), program_.end(), newest + 1,
                               [](const migration_info& m, std::int64_t v) { return m.version < v; });
    }
    for (const auto& m : std::span(start, program_.end())) {
      if (m.version > target) break;
      if (applied(history, m.version)) continue;
      if (m.version < newest) {
        throw migration_error(describe(m) + " is pending but the newer migration " +
                                  std::to_string(newest) +
                                  " is already applied; give it a version above " +
                                  std::to_string(newest),
                              {}, m.version, std::string(m.name));
      }
      return plan{&m, std::nullopt};
    }
    return std::nullopt;
  }

  // Runs the up statements (and the foreign key check) of `m` in the open transaction, then
  // writes its history row and user_version. Throws migration_error naming the statement.
  void apply_body(const migration_info& m, bool run_sql, double duration_ms = 0) {
    if (run_sql) run_statements(m, m.up, "apply", true);
    if (has_flag(m.flags, migration_flags::foreign_keys_off)) check_foreign_keys(m.version, m.name);
    ensure_still_in_transaction(m.version, m.name, "apply");
    detail::insert_history(*db_, history_row_of(m, duration_ms, "applied"));
    detail::set_user_version(*db_, std::max(m.version, detail::user_version(*db_)));
  }

  // What run_statements checks around each statement of a step that runs inside the
  // runner's transaction (see detail/migration_sql.hpp for why).
  struct statement_review {
    const migrator* runner;
    const migration_info* m;
    const char* verb;
    std::size_t index;  // of the string in m's up or down list
    std::size_t count;

    // Before it runs: no statement that begins or ends a transaction.
    static void before(void* context, std::string_view statement) {
      const auto& r = *static_cast<const statement_review*>(context);
      const std::string_view tx_verb = detail::transaction_verb(statement);
      if (tx_verb.empty()) return;
      r.refuse(statement, "runs " + std::string(tx_verb) +
                              ", which would end the transaction that holds the migration "
                              "together with its history row and user_version; remove it "
                              "(the runner commits each migration itself; SAVEPOINT, RELEASE "
                              "and ROLLBACK TO may be used)");
    }
    // After it ran: the transaction is still open.
    static void after(void* context, std::string_view statement) {
      const auto& r = *static_cast<const statement_review*>(context);
      if (r.runner->db_->in_transaction()) return;
      r.refuse(statement, "ended the transaction the migration runs in; nothing of the "
                          "migration was recorded");
    }
    [[noreturn]] void refuse(std::string_view statement, const std::string& why) const {
      throw migration_error("cannot " + std::string(verb) + " " + describe(*m) + ": statement " +
                                std::to_string(index + 1) + " of " + std::to_string(count) +
                                " " + why,
                            {0, {}, detail::statement_text(statement), {}}, m->version,
                            std::string(m->name));
    }
  };

  // Runs `sql` for step `m`. Inside the runner's transaction (`in_transaction`), a statement
  // that would begin or end a transaction is refused before it runs, and each statement must
  // leave that transaction open. An outside_transaction step may group its statements in
  // transactions of its own, but one it leaves open (or opened before a statement failed) is
  // rolled back and the step fails: the runner's history row would otherwise join it.
  void run_statements(const migration_info& m, const std::vector<std::string_view>& sql,
                      const char* verb, bool in_transaction) {
    statement_review review{this, &m, verb, 0, sql.size()};
    const detail::script_review checks{&statement_review::before, &statement_review::after,
                                       &review};
    for (std::size_t i = 0; i != sql.size(); ++i) {
      review.index = i;
      try {
        const detail::connection_use use(db_->cache());
        detail::exec_script(db_->native_handle(), sql[i], in_transaction ? &checks : nullptr);
      } catch (const migration_error&) {
        throw;
      } catch (const error& e) {
        if (!in_transaction) roll_back_open_transaction();
        throw migration_error("cannot " + std::string(verb) + " " + describe(m) +
                                  ": statement " + std::to_string(i + 1) + " of " +
                                  std::to_string(sql.size()) + " failed",
                              {e.extended_code(), std::string(e.sqlite_message()),
                               std::string(e.sql().empty() ? sql[i] : e.sql()), {}},
                              m.version, std::string(m.name));
      }
    }
    if (!in_transaction && db_->in_transaction()) {
      roll_back_open_transaction();
      throw migration_error("cannot " + std::string(verb) + " " + describe(m) +
                                ": its statements left a transaction open (it was rolled "
                                "back); an outside_transaction migration must end every "
                                "transaction it begins",
                            {}, m.version, std::string(m.name));
    }
  }

  // Rolls back a transaction an outside_transaction step began and did not end.
  void roll_back_open_transaction() noexcept {
    if (!db_->in_transaction()) return;
    try {
      db_->exec_script("ROLLBACK");
    } catch (...) {  // the step's own failure is what the caller needs to see
    }
  }

  // Before a history row is written: the runner's transaction must still be open, or the row
  // would commit on its own, apart from what it records.
  void ensure_still_in_transaction(std::int64_t version, std::string_view name,
                                   const char* verb) const {
    if (db_->in_transaction()) return;
    throw migration_error("cannot " + std::string(verb) + " migration " +
                              std::to_string(version) + " '" + std::string(name) +
                              "': its transaction ended before the history row was written",
                          {}, version, std::string(name));
  }

  void check_foreign_keys(std::int64_t version, std::string_view name) {
    const auto violations = detail::foreign_key_violations(*db_);
    if (violations.empty()) return;
    std::string list;
    for (std::size_t i = 0; i != violations.size() && i != 5; ++i) list += "; " + violations[i];
    throw migration_error("migration " + std::to_string(version) + " '" + std::string(name) +
                              "' leaves " + std::to_string(violations.size()) +
                              " foreign key violation(s) (PRAGMA foreign_key_check)" + list,
                          {}, version, std::string(name));
  }

  void record_failure(std::int64_t version, std::string_view name, const std::exception& e) noexcept {
    if (!options_.record_failures) return;
    try {
      auto tx = db_->begin(tx_mode::immediate);
      detail::ensure_history(*db_);
      detail::insert_event(*db_, version, name, "failed", e.what());
      tx.commit();
    } catch (...) {  // the failure itself is what the caller needs to see
    }
  }

  // The driver: one transaction per step. `planner(history, report, checked)` runs with the write
  // lock held and returns the next step, or nothing when done.
  template <class Planner>
  migration_report run(Planner&& planner) {
    ensure_no_transaction("run");
    const auto started = clock::now();
    // Before the first read: in rollback-journal mode even reading user_version waits for
    // another process's write lock, with the connection's own (maybe zero) timeout otherwise.
    detail::busy_timeout_scope timeout(*db_, options_.busy_timeout);
    migration_report r;
    bool fk_off = false;
    // The history as of our last step. Each step still decides with the write lock held, but
    // reads the table again only when another connection committed since that step
    // (PRAGMA data_version, https://sqlite.org/pragma.html#pragma_data_version): reading it
    // whole for every step made a run of n migrations read n²/2 rows.
    std::vector<detail::history_row> history;
    std::int64_t seen_data_version = -1;  // none yet: SQLite's data_version is never negative
    bool history_checked = false;
    for (;;) {
      detail::foreign_keys_scope fk(*db_, fk_off);  // outside the transaction, on purpose
      auto tx = db_->begin(tx_mode::immediate);
      const std::int64_t data_version = detail::data_version(*db_);
      if (seen_data_version != data_version) {
        detail::ensure_history(*db_);
        history = detail::read_history(*db_);
        seen_data_version = data_version;
        history_checked = false;
      }
      if (r.steps.empty()) r.from_version = detail::user_version(*db_);
      const std::optional<plan> next = planner(history, r, history_checked);
      if (!next || (next->up == nullptr && !next->down)) {
        tx.commit();
        break;
      }
      const bool wants_fk_off = has_flag(next->flags(), migration_flags::foreign_keys_off);
      if (wants_fk_off != fk_off) {  // switch the pragma outside the transaction and re-plan
        fk_off = wants_fk_off;
        tx.rollback();  // may undo ensure_history: read again
        seen_data_version = -1;
        continue;
      }
      const auto t0 = clock::now();
      if (next->up != nullptr) {
        const migration_info& m = *next->up;
        try {
          if (has_flag(m.flags, migration_flags::outside_transaction)) {
            tx.commit();
            run_statements(m, m.up, "apply", false);
            auto tx2 = db_->begin(tx_mode::immediate);
            history = detail::read_history(*db_);
            history_checked = false;
            if (!applied(history, m.version)) {
              apply_body(m, false, ms(clock::now() - t0));
              remember_applied(history, m);
            }
            tx2.commit();
          } else {
            run_statements(m, m.up, "apply", true);
            apply_body(m, false, ms(clock::now() - t0));
            tx.commit();
            remember_applied(history, m);
          }
        } catch (const std::exception& e) {
          if (tx.active()) tx.rollback();
          record_failure(m.version, m.name, e);
          throw;
        }
        r.steps.push_back({m.version, std::string(m.name), migration_direction::up, clock::now() - t0});
      } else {
        revert(*next->down, tx);
        const auto it = history_position(history, next->down->version);
        if (it != history.end() && it->version == next->down->version) history.erase(it);
        r.steps.push_back({next->down->version, next->down->name, migration_direction::down,
                           clock::now() - t0});
      }
    }
    r.to_version = detail::user_version(*db_);
    r.total = clock::now() - started;
    return r;
  }

  // Keeps run()'s copy of the history in step with the row apply_body wrote. Only the
  // planner reads it, and not applied_at.
  void remember_applied(std::vector<detail::history_row>& history, const migration_info& m) const {
    const auto it = history_position(history, m.version);
    if (it != history.end() && it->version == m.version) return;
    history.insert(it, history_row_of(m, 0, "applied"));
  }

  void revert(const detail::history_row& h, sqlproof::transaction& tx) {
    const migration_info* m = find(h.version);
    migration_info stored;  // a version the program lacks: its stored down SQL
    if (m == nullptr || !m->reversible) {
      stored.version = h.version;
      stored.name = h.name;
      stored.down.push_back(*h.down_sql);
      stored.flags = static_cast<migration_flags>(h.flags);
      m = &stored;
    }
    const bool outside = has_flag(m->flags, migration_flags::outside_transaction);
    if (outside) tx.commit();
    run_statements(*m, m->down, "revert", !outside);
    if (outside) {
      auto tx2 = db_->begin(tx_mode::immediate);
      finish_revert(h);
      tx2.commit();
      return;
    }
    if (has_flag(m->flags, migration_flags::foreign_keys_off)) check_foreign_keys(h.version, h.name);
    finish_revert(h);
    tx.commit();
  }

  void finish_revert(const detail::history_row& h) {
    ensure_still_in_transaction(h.version, h.name, "revert");
    detail::delete_history(*db_, h.version);
    detail::set_user_version(*db_, detail::newest_version(*db_));
    detail::insert_event(*db_, h.version, h.name, "rolled_back", "");
  }

  static double ms(clock::duration d) noexcept {
    return std::chrono::duration<double, std::milli>(d).count();
  }

  database* db_;
  migrator_options options_;
  // Both kinds of list end up here: a compile-time list's infos are owned (shared, so a copy
  // of the migrator views the same vector); a run-time list's are the list's own.
  std::shared_ptr<const std::vector<migration_info>> owned_;
  std::span<const migration_info> program_;
};

}  // namespace sqlproof

#include "detail/migration_text.hpp"
