#pragma once
/// @file
/// PostgreSQL's migration store, what `sqlproof::pg::migrator` (`basic_migrator<pg::database>`)
/// runs on:
/// - the history tables in `migrator_options::history_schema` (else `current_schema()`), with
///   PostgreSQL's types;
/// - the lock: each migration's transaction begins with `SET LOCAL lock_timeout` and
///   `SELECT pg_advisory_xact_lock(key)`, the key derived from the database and the history
///   schema (`pg::migration_lock_key`), waiting up to the busy timeout in slices shorter than
///   the server's deadlock_timeout; or a row of `sqlproof_migration_lock` taken `FOR UPDATE`
///   (`migration_lock::lock_row`), or nothing (`migration_lock::none`);
/// - no `user_version`: the schema version is the newest applied version;
/// - `outside_transaction` steps under a session `pg_advisory_lock`; `pg_sequential_ddl` with
///   Citus; `foreign_keys_off` refused; `reset()` as DROP SCHEMA ... CASCADE, only when allowed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "../basic_migrator.hpp"
#include "../detail/algorithm.hpp"
#include "../detail/chrono.hpp"
#include "../detail/migration_history.hpp"
#include "../detail/migration_sql.hpp"
#include "../error.hpp"
#include "../migration_list.hpp"
#include "database.hpp"
#include "detail/migration_history.hpp"

namespace sqlproof {

/// PostgreSQL's history and lock for `basic_migrator` (see the file comment). Not used
/// directly.
template <>
class migration_store<pg::postgres_backend> {
 public:
  static constexpr dialect sql_dialect = dialect::postgres;
  static constexpr migration_flags unsupported_flags = migration_flags::foreign_keys_off;
  static constexpr bool stores_schema_version = false;
  static constexpr std::string_view lock_summary =
      "the migration lock in a transaction of its own (pg_advisory_xact_lock)";

  migration_store(pg::database& db, const migrator_options& options)
      : db_(&db),
        busy_timeout_(options.busy_timeout),
        schema_(options.history_schema),
        lock_(options.lock),
        allow_reset_(options.allow_reset_without_backup),
        allow_public_reset_(options.allow_public_schema_reset) {}

  // For one call of the migrator: finds the history schema and the lock key the first time,
  // and refuses an advisory lock on CockroachDB.
  struct session_scope {};
  [[nodiscard]] session_scope session() {
    resolve();
    return {};
  }
  // foreign_keys_off never gets here: the migrator refused it.
  struct flag_scope_type {};
  [[nodiscard]] flag_scope_type flag_scope(bool) { return {}; }

  // One migration's transaction, holding the migration lock from its first statement: one
  // round trip for BEGIN, and one for the lock timeout and the lock. Waiting longer than
  // busy_timeout fails with busy_error (SQLSTATE 55P03).
  //
  // The wait is cut into slices shorter than the server's deadlock_timeout, each in a
  // transaction of its own: CREATE INDEX CONCURRENTLY in another process's
  // outside_transaction step waits for every transaction with an older snapshot, which a
  // migrator blocked in pg_advisory_xact_lock would have, while that migrator waits for the
  // step's session lock. Left blocked, the deadlock detector would cancel one of the two,
  // possibly the index build; a slice ends before it looks.
  [[nodiscard]] pg::transaction begin_step() {
    const auto deadline = std::chrono::steady_clock::now() + busy_timeout_;
    const long long full = busy_timeout_.count() > 0 ? busy_timeout_.count() : 1;
    for (;;) {
      const long long left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      const long long slice = std::max(1LL, std::min(left, lock_slice_ms_));
      auto tx = db_->begin();
      std::string sql = "SET LOCAL lock_timeout = '" + std::to_string(slice) + "ms'";
      switch (lock_) {
        case migration_lock::advisory:
          sql += "; SELECT pg_advisory_xact_lock(" + std::to_string(key_) + ")";
          break;
        case migration_lock::lock_row:
          sql += "; SELECT id FROM " + lock_table_ + " WHERE id = 1 FOR UPDATE";
          break;
        case migration_lock::none: break;
      }
      sql += "; SET LOCAL lock_timeout = '" + std::to_string(full) + "ms'";
      try {
        db_->exec_script(sql);
      } catch (const busy_error& e) {
        if (e.sqlstate() != "55P03" || std::chrono::steady_clock::now() >= deadline) throw;
        continue;  // the next slice, in a new transaction (this one rolls back)
      }
      return tx;
    }
  }
  // One snapshot for status().
  [[nodiscard]] pg::transaction begin_snapshot() {
    return db_->begin(pg::tx_options{pg::isolation::repeatable_read, true, false});
  }
  // Always "changed": the history is read again for every step (there is no cheap way to
  // know whether another session committed to it).
  [[nodiscard]] std::int64_t history_token() noexcept { return ++reads_; }

  void ensure_history() {
    if (!history_exists()) db_->exec_script(pg::detail::history_ddl(quoted_schema_));
  }
  [[nodiscard]] bool history_exists() { return table_exists("sqlproof_migrations"); }

  [[nodiscard]] std::vector<detail::history_row> read_history() {
    using row = std::tuple<std::int64_t, std::string, std::string, std::optional<std::string>,
                           std::optional<std::string>, std::string, double, std::int64_t,
                           std::string>;
    auto st = db_->prepare_cached(
        "SELECT version, name, checksum, down_checksum, down_sql, to_char(applied_at AT TIME "
        "ZONE 'UTC', " + std::string(pg::detail::iso_utc_format) + "), duration_ms, flags, "
        "kind FROM " + history_table_ + " ORDER BY version");
    std::vector<detail::history_row> out;
    for (auto& r : st.all<row>()) {
      auto& [version, name, checksum, down_checksum, down_sql, applied_at, duration, flags, kind] = r;
      out.push_back({version, std::move(name), std::move(checksum), std::move(down_checksum),
                     std::move(down_sql), std::move(applied_at), duration, flags, std::move(kind)});
    }
    return out;
  }
  // The most recent event of each version.
  [[nodiscard]] std::vector<detail::history_event> read_latest_events() {
    using row = std::tuple<std::int64_t, std::string, std::string, std::string>;
    auto st = db_->prepare_cached(
        "SELECT version, event, detail, to_char(at AT TIME ZONE 'UTC', " +
        std::string(pg::detail::iso_utc_format) + ") FROM " + events_table_ +
        " WHERE id IN (SELECT max(id) FROM " + events_table_ + " GROUP BY version) ORDER BY version");
    std::vector<detail::history_event> out;
    for (auto& [v, e, d, at] : st.all<row>()) {
      out.push_back({v, std::move(e), std::move(d), std::move(at)});
    }
    return out;
  }
  void insert_history(const detail::history_row& r) {
    db_->prepare_cached("INSERT INTO " + history_table_ +
                        " (version, name, checksum, down_checksum, down_sql, duration_ms, flags, "
                        "kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .exec(r.version, r.name, r.checksum, r.down_checksum, r.down_sql, r.duration_ms, r.flags,
              r.kind);
  }
  void update_history(const detail::history_row& r) {
    db_->prepare("UPDATE " + history_table_ +
                 " SET name = $1, checksum = $2, down_checksum = $3, down_sql = $4, flags = $5 "
                 "WHERE version = $6")
        .exec(r.name, r.checksum, r.down_checksum, r.down_sql, r.flags, r.version);
  }
  void delete_history(std::int64_t version) {
    db_->prepare_cached("DELETE FROM " + history_table_ + " WHERE version = $1").exec(version);
  }
  void insert_event(std::int64_t version, std::string_view name, std::string_view event,
                    std::string_view detail) {
    db_->prepare_cached("INSERT INTO " + events_table_ +
                        " (version, name, event, detail) VALUES ($1, $2, $3, $4)")
        .exec(version, name, event, detail);
  }

  // PostgreSQL has no user_version: the schema version is the newest applied version.
  [[nodiscard]] std::int64_t schema_version(bool history_exists) {
    if (!history_exists) return 0;
    return db_->prepare_cached("SELECT coalesce(max(version), 0) FROM " + history_table_)
        .one<std::int64_t>()
        .value_or(0);
  }
  void set_schema_version(std::int64_t) noexcept {}
  void applied(std::int64_t) noexcept {}
  void reverted() noexcept {}

  // pg_sequential_ddl: Citus runs the migration's multi-shard statements one shard at a time,
  // so DDL on distributed tables may share the transaction with other statements.
  void before_statements(migration_flags flags) {
    if (has_flag(flags, migration_flags::pg_sequential_ddl) && citus_installed()) {
      db_->exec_script("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
    }
  }
  void after_statements(std::int64_t, std::string_view, migration_flags) noexcept {}

  // verify()'s warnings about SQLite habits in the text PostgreSQL runs (REAL, BLOB,
  // AUTOINCREMENT, strftime).
  [[nodiscard]] static std::vector<std::string> text_warnings(const migration_info& m) {
    std::vector<std::string> out;
    for (const auto& trap : pg::detail::traps_in(m.up)) {
      out.push_back("migration " + std::to_string(m.version) + " '" + std::string(m.name) +
                    "': its PostgreSQL text uses " + std::string(trap.word) + ": " +
                    std::string(trap.why));
    }
    return out;
  }

  // What an outside_transaction step holds while its statements run with no transaction:
  // the session-level advisory lock on the same key, taken while the step's transaction
  // still holds the transaction-level one (a session may take a lock it holds again), and
  // released once the history row is committed, or when the session ends.
  class outside_hold {
   public:
    outside_hold(pg::database* db, std::int64_t key, bool locked, bool sequential) noexcept
        : db_(db), key_(key), locked_(locked), sequential_(sequential) {}
    outside_hold(const outside_hold&) = delete;
    outside_hold& operator=(const outside_hold&) = delete;
    ~outside_hold() {
      try {
        if (sequential_) db_->exec_script("RESET citus.multi_shard_modify_mode");
        if (locked_) db_->exec_script("SELECT pg_advisory_unlock(" + std::to_string(key_) + ")");
      } catch (...) {  // the session ending releases the lock too
      }
    }

   private:
    pg::database* db_;
    std::int64_t key_;
    bool locked_;
    bool sequential_;
  };
  [[nodiscard]] outside_hold hold_outside(migration_flags flags) {
    const bool lock = lock_ == migration_lock::advisory;
    const bool sequential =
        has_flag(flags, migration_flags::pg_sequential_ddl) && citus_installed();
    if (lock) db_->exec_script("SELECT pg_advisory_lock(" + std::to_string(key_) + ")");
    if (sequential) db_->exec_script("SET citus.multi_shard_modify_mode TO 'sequential'");
    return outside_hold(db_, key_, lock, sequential);
  }

  // Runs one migration string. In the runner's transaction (`checks`): each statement is
  // checked before anything runs, the string runs in one round trip, and the transaction
  // must still be open after it. Outside one: statement by statement, because PostgreSQL runs
  // a multi-statement string as one implicit transaction, where CREATE INDEX CONCURRENTLY
  // and VACUUM are refused.
  void run_script(std::string_view sql, const detail::statement_checks* checks) {
    const std::vector<std::string_view> statements = pg::detail::split_statements(sql);
    if (statements.empty()) return;
    if (checks == nullptr) {
      for (const std::string_view s : statements) db_->exec_script(s);
      return;
    }
    for (const std::string_view s : statements) checks->before(checks->context, s);
    db_->exec_script(sql);
    checks->after(checks->context, statements.back());
  }

  // DROP SCHEMA <history schema> CASCADE and CREATE SCHEMA, under the lock, when the options
  // allow it: there is no copy to make. Returns no backup path.
  std::string reset() {
    if (!allow_reset_) {
      throw migration_error("sqlproof: reset() on PostgreSQL drops schema " + quoted_schema_ +
                                " with everything in it and keeps no copy; take a backup "
                                "(pg_dump) and set migrator_options::allow_reset_without_backup",
                            {});
    }
    if (schema_ == "public" && !allow_public_reset_) {
      throw migration_error("sqlproof: reset() refuses to drop the public schema; set "
                                "migrator_options::allow_public_schema_reset as well if that is "
                                "what you mean",
                            {});
    }
    auto tx = begin_step();
    db_->exec_script("DROP SCHEMA " + quoted_schema_ + " CASCADE; CREATE SCHEMA " + quoted_schema_);
    if (lock_ == migration_lock::lock_row) db_->exec_script(pg::detail::lock_table_ddl(quoted_schema_));
    ensure_history();
    insert_event(0, "", "reset", "no backup");
    tx.commit();
    return {};
  }

 private:
  void resolve() {
    if (key_set_) return;
    using row = std::tuple<std::string, std::optional<std::string>, std::string>;
    const auto names = db_->prepare("SELECT current_database()::text, current_schema()::text, version()")
                           .one<row>();
    const std::string database = names ? std::get<0>(*names) : std::string();
    if (schema_.empty()) {
      if (!names || !std::get<1>(*names)) {
        throw migration_error("sqlproof: no schema for the migration history: the search_path "
                                  "names no existing schema; create one, or set "
                                  "migrator_options::history_schema",
                              {});
      }
      schema_ = *std::get<1>(*names);
    }
    if (lock_ == migration_lock::advisory && names && pg::detail::is_cockroachdb(std::get<2>(*names))) {
      throw migration_error("sqlproof: CockroachDB does not implement PostgreSQL's advisory "
                                "locks (its functions return without locking), so two processes "
                                "could apply one migration twice; set migrator_options::lock = "
                                "sqlproof::migration_lock::lock_row",
                            {});
    }
    quoted_schema_ = pg::detail::quote_identifier(schema_);
    history_table_ = quoted_schema_ + ".sqlproof_migrations";
    events_table_ = quoted_schema_ + ".sqlproof_migration_events";
    lock_table_ = quoted_schema_ + ".sqlproof_migration_lock";
    key_ = pg::detail::lock_key(database, schema_);
    // Half the deadlock_timeout (in ms): see begin_step.
    const auto deadlock_ms = db_->prepare("SELECT setting::bigint FROM pg_catalog.pg_settings WHERE "
                                          "name = 'deadlock_timeout'")
                                 .one<std::int64_t>();
    lock_slice_ms_ = std::max<long long>(10, deadlock_ms.value_or(1000) / 2);
    if (lock_ == migration_lock::lock_row && !table_exists("sqlproof_migration_lock")) {
      try {
        db_->exec_script(pg::detail::lock_table_ddl(quoted_schema_));
      } catch (const error& e) {
        // Another process created it at the same moment (42P07, or 23505 on the catalog).
        if (e.sqlstate() != "42P07" && e.sqlstate() != "23505") throw;
      }
    }
    key_set_ = true;
  }

  [[nodiscard]] bool table_exists(std::string_view table) {
    return db_->prepare_cached("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = $1 "
                               "AND tablename = $2")
               .one<std::int64_t>(schema_, table)
               .value_or(0) > 0;
  }

  [[nodiscard]] bool citus_installed() {
    if (!citus_) {
      citus_ = db_->prepare_cached("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'citus'")
                   .one<std::int64_t>()
                   .value_or(0) > 0;
    }
    return *citus_;
  }

  pg::database* db_;
  std::chrono::milliseconds busy_timeout_;
  std::string schema_;  // unquoted; from the options or current_schema()
  migration_lock lock_;
  bool allow_reset_;
  bool allow_public_reset_;
  bool key_set_ = false;
  std::int64_t key_ = 0;
  long long lock_slice_ms_ = 500;
  std::int64_t reads_ = 0;
  std::optional<bool> citus_;
  std::string quoted_schema_;
  std::string history_table_;
  std::string events_table_;
  std::string lock_table_;
};

}  // namespace sqlproof
