#pragma once
/// @file
/// SQLite's migration store, what `sqlproof::migrator` (`basic_migrator<database>`) runs on:
/// the history tables in the database file, `PRAGMA user_version`, the write lock taken with
/// `BEGIN IMMEDIATE` under the migrator's busy timeout, `PRAGMA foreign_keys` switched off
/// around a `foreign_keys_off` migration, and `reset()` with a `VACUUM INTO` copy first.

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../basic_migrator.hpp"
#include "../detail/algorithm.hpp"
#include "../detail/chrono.hpp"
#include "../detail/connection_use.hpp"
#include "../detail/migration_history.hpp"
#include "../detail/migration_sql.hpp"
#include "../migration_list.hpp"
#include "database.hpp"
#include "detail/connection.hpp"
#include "detail/migration_history.hpp"

namespace sqlproof {

/// SQLite's history and lock for `basic_migrator` (see the file comment). Not used directly.
/// A template (over the one backend it accepts) so that including the header instantiates
/// none of its members: a program that never migrates does not compile them.
template <class Backend>
  requires std::is_same_v<Backend, sqlite_backend>
class migration_store<Backend> {
  using database = basic_database<Backend>;
  using transaction = basic_transaction<Backend>;

 public:
  static constexpr dialect sql_dialect = dialect::sqlite;
  static constexpr migration_flags unsupported_flags = migration_flags::none;
  static constexpr bool stores_schema_version = true;
  static constexpr std::string_view lock_summary = "the write lock with BEGIN IMMEDIATE";

  migration_store(database& db, const migrator_options& options)
      : db_(&db), busy_timeout_(options.busy_timeout) {}

  // For one call of the migrator: raises the busy timeout (another process may hold the
  // write lock while it migrates) and restores the connection's own afterwards.
  [[nodiscard]] detail::busy_timeout_scope<database> session() {
    return detail::busy_timeout_scope<database>(*db_, busy_timeout_);
  }
  // Made before BEGIN: PRAGMA foreign_keys does nothing inside a transaction.
  [[nodiscard]] detail::foreign_keys_scope<database> flag_scope(bool foreign_keys_off) {
    return detail::foreign_keys_scope<database>(*db_, foreign_keys_off);
  }
  // One migration's transaction, holding the write lock from its first statement.
  [[nodiscard]] transaction begin_step() { return db_->begin(tx_mode::immediate); }
  // One snapshot for status().
  [[nodiscard]] transaction begin_snapshot() { return db_->begin(tx_mode::deferred); }
  // Changes when another connection committed since it was last read.
  [[nodiscard]] std::int64_t history_token() { return detail::data_version(*db_); }

  void ensure_history() { detail::ensure_history(*db_); }
  [[nodiscard]] bool history_exists() { return detail::history_exists(*db_); }
  [[nodiscard]] std::vector<detail::history_row> read_history() { return detail::read_history(*db_); }
  [[nodiscard]] std::vector<detail::history_event> read_latest_events() {
    return detail::read_latest_events(*db_);
  }
  void insert_history(const detail::history_row& r) { detail::insert_history(*db_, r); }
  void update_history(const detail::history_row& r) {
    db_->prepare("UPDATE sqlproof_migrations SET name = ?, checksum = ?, down_checksum = ?, "
                 "down_sql = ?, flags = ? WHERE version = ?")
        .exec(r.name, r.checksum, r.down_checksum, r.down_sql, r.flags, r.version);
  }
  void delete_history(std::int64_t version) { detail::delete_history(*db_, version); }
  void insert_event(std::int64_t version, std::string_view name, std::string_view event,
                    std::string_view detail) {
    detail::insert_event(*db_, version, name, event, detail);
  }

  // PRAGMA user_version, kept equal to the newest applied version.
  [[nodiscard]] std::int64_t schema_version(bool /*history_exists*/) {
    return detail::user_version(*db_);
  }
  void set_schema_version(std::int64_t version) { detail::set_user_version(*db_, version); }
  void applied(std::int64_t version) {
    detail::set_user_version(*db_, std::max(version, detail::user_version(*db_)));
  }
  void reverted() { detail::set_user_version(*db_, detail::newest_version(*db_)); }

  void before_statements(migration_flags) {}
  // PRAGMA foreign_key_check before COMMIT of a migration run with foreign keys off.
  void after_statements(std::int64_t version, std::string_view name, migration_flags flags) {
    if (!has_flag(flags, migration_flags::foreign_keys_off)) return;
    const auto violations = detail::foreign_key_violations(*db_);
    if (violations.empty()) return;
    std::string list;
    for (std::size_t i = 0; i != violations.size() && i != 5; ++i) list += "; " + violations[i];
    throw migration_error("migration " + std::to_string(version) + " '" + std::string(name) +
                              "' leaves " + std::to_string(violations.size()) +
                              " foreign key violation(s) (PRAGMA foreign_key_check)" + list,
                          {}, version, std::string(name));
  }

  // SQLite runs its own dialect: nothing to warn about.
  [[nodiscard]] static std::vector<std::string> text_warnings(const migration_info&) { return {}; }

  // Nothing is held across an outside_transaction step: its statements run unlocked, and the
  // history row is written in a locked transaction of its own if nobody wrote it meanwhile.
  struct outside_hold {};
  [[nodiscard]] outside_hold hold_outside(migration_flags) { return {}; }

  // Runs `sql` statement by statement, as SQLite splits it, with `checks` around each.
  void run_script(std::string_view sql, const detail::statement_checks* checks) {
    const detail::connection_use use(db_->cache());
    if (checks == nullptr) {
      detail::exec_script(db_->native_handle(), sql, nullptr);
      return;
    }
    const detail::script_review review{checks->before, checks->after, checks->context};
    detail::exec_script(db_->native_handle(), sql, &review);
  }

  // Copies the database to `<path>.bak-<UTC timestamp>` (VACUUM INTO; not for an in-memory
  // database), drops every table, view and trigger and records the reset. Returns the
  // copy's path, or empty.
  std::string reset() {
    std::string backup;
    const std::string& path = db_->path();
    if (!path.empty() && path != ":memory:" && !path.starts_with("file:")) {
      backup = path + ".bak-" + detail::backup_timestamp();
      db_->exec_script("VACUUM INTO " + detail::quote_literal(backup));
    }
    detail::foreign_keys_scope<database> fk(*db_, true);
    auto tx = db_->begin(tx_mode::immediate);
    detail::drop_everything(*db_);
    detail::ensure_history(*db_);
    detail::insert_event(*db_, 0, "", "reset", backup.empty() ? "no backup" : "backup " + backup);
    detail::set_user_version(*db_, 0);
    tx.commit();
    return backup;
  }

 private:
  database* db_;
  std::chrono::milliseconds busy_timeout_;
};

}  // namespace sqlproof
