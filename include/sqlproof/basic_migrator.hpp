#pragma once
/// @file
/// `basic_migrator<Db>`: the migration runner, which applies, reverts, verifies and reports an
/// ordered, checksummed list of schema changes that is part of the program, on a database of
/// any backend. What differs between backends (the history tables, the lock, the schema
/// version, reset, the flags a backend honours) is the backend's `migration_store`:
/// - `sqlproof::migrator` = `basic_migrator<database>` (<sqlproof/migration.hpp>, SQLite:
///   `BEGIN IMMEDIATE`, `PRAGMA user_version`);
/// - `sqlproof::pg::migrator` = `basic_migrator<pg::database>` (<sqlproof/postgres/migration.hpp>:
///   `pg_advisory_xact_lock`, history in the schema's own tables).
///
/// @code
/// sqlproof::pg::database db{"host=/run/postgresql dbname=app"};
/// sqlproof::basic_migrator m{db, schema};  // deduces basic_migrator<pg::database>
/// m.migrate();
/// @endcode
///
/// The lists, the DSL and the errors are in migration_list.hpp; the reports in
/// migration_report.hpp. See docs/migrations.md.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "config.hpp"
#include "detail/algorithm.hpp"
#include "detail/chrono.hpp"
#include "detail/migration_history.hpp"
#include "detail/migration_sql.hpp"
#include "dialect.hpp"
#include "error.hpp"
#include "migration_list.hpp"
#include "migration_report.hpp"

namespace sqlproof {

/// How a PostgreSQL migrator keeps two processes from migrating at once
/// (`migrator_options::lock`). SQLite always takes its write lock (`BEGIN IMMEDIATE`).
enum class migration_lock {
  /// `pg_advisory_xact_lock` in each migration's transaction (the default).
  advisory,
  /// A row of `sqlproof_migration_lock` locked `FOR UPDATE` in each migration's transaction:
  /// for CockroachDB and YugabyteDB, which lack (or stub) advisory locks.
  lock_row,
  /// No lock: only one process may migrate at a time, which the deployment guarantees.
  none,
};

/// Settings of a `migrator`.
struct migrator_options {
  /// How long to wait for another connection's lock. SQLite: replaces a lower connection
  /// timeout for each call of the migrator, from before its first read, and is restored
  /// after it. PostgreSQL: the longest wait for the migration lock, and each migration's
  /// `SET LOCAL lock_timeout`.
  std::chrono::milliseconds busy_timeout{60000};
  /// Let `migrate()` proceed when the database has versions newer than the program defines.
  bool allow_newer_database = false;
  /// Write a `failed` event to `sqlproof_migration_events` when a migration fails.
  bool record_failures = true;

  // PostgreSQL only; SQLite's migrator does not read them.

  /// The schema that holds the history tables (and whose name goes into the lock key);
  /// empty: `current_schema()`.
  std::string history_schema{};
  /// How migrating processes exclude each other (see `migration_lock`).
  migration_lock lock = migration_lock::advisory;
  /// `reset()` drops the history schema with everything in it and makes no copy first:
  /// it must be allowed here.
  bool allow_reset_without_backup = false;
  /// `reset()` of the `public` schema, too.
  bool allow_public_schema_reset = false;
};

/// A backend's migration history and lock, which `basic_migrator` runs on: specialised by
/// each backend's header (sqlite/migration_store.hpp, postgres/migration_store.hpp).
template <class Backend>
class migration_store;

namespace detail {

// Each check is a named value the failed static_assert asserts, so the compiler prints the
// version of the migration: a list given to a migrator whose backend cannot run it.
template <int Version>
inline constexpr bool migration_has_text_for_postgres = false;
template <int Version>
inline constexpr bool migration_flags_supported_by_postgres = false;

template <int Version>
consteval bool postgres_text_check() {
  static_assert(migration_has_text_for_postgres<Version>,
                "sqlproof: this migration has only SQLite's text; give it PostgreSQL's with "
                "up_for<dialect::postgres>(...) and down_for<dialect::postgres>(...), or mark "
                "it sqlproof::portable when the text runs on both "
                "(see migration_has_text_for_postgres<version>)");
  return false;
}
template <int Version>
consteval bool postgres_flags_check() {
  static_assert(migration_flags_supported_by_postgres<Version>,
                "sqlproof: foreign_keys_off is SQLite-only (PostgreSQL has no per-session "
                "switch for foreign keys); drop the flag and order the statements, or defer "
                "the constraints (see migration_flags_supported_by_postgres<version>)");
  return false;
}

// A compile-time list for a runner of dialect `D` that honours every flag but `Unsupported`:
// the first migration it cannot run gives one static_assert.
template <dialect D, migration_flags Unsupported, class... Ms>
consteval bool check_list_for() {
  if constexpr (D == dialect::sqlite) {
    return true;
  } else {
    constexpr std::array<bool, sizeof...(Ms) + 1> text{Ms::has_postgres_text..., true};
    constexpr std::array<bool, sizeof...(Ms) + 1> flags{
        !has_flag(Ms::static_flags, Unsupported)..., true};
    constexpr std::array<std::int64_t, sizeof...(Ms) + 1> versions{Ms::version..., 0};
    constexpr std::size_t bad = [&] {
      for (std::size_t i = 0; i != sizeof...(Ms); ++i) {
        if (!text[i] || !flags[i]) return i;
      }
      return sizeof...(Ms);
    }();
    if constexpr (bad == sizeof...(Ms)) {
      return true;
    } else if constexpr (!text[bad]) {
      return postgres_text_check<static_cast<int>(versions[bad])>();
    } else {
      return postgres_flags_check<static_cast<int>(versions[bad])>();
    }
  }
}

}  // namespace detail

/// Applies, reverts, checks and reports the program's migrations on one database `Db`
/// (`sqlproof::database`, `sqlproof::pg::database`).
///
/// Each migration runs as one transaction with its history row, under the backend's lock
/// (SQLite: `BEGIN IMMEDIATE`, with `PRAGMA user_version`; PostgreSQL:
/// `pg_advisory_xact_lock`), waiting up to `migrator_options::busy_timeout` for another
/// process that is migrating, and reading the history only once the lock is held: several
/// processes may call `migrate()` on one database at once, and each migration is applied
/// exactly once. A crash leaves every migration either applied with its history row or not
/// at all.
///
/// The migrator runs each migration's text for its backend's dialect: a PostgreSQL migrator
/// refuses a migration that has neither PostgreSQL text nor `portable` (at compile time for
/// a compile-time list, with `migration_error` for a run-time one), and one with a flag the
/// backend cannot honour (`foreign_keys_off`).
///
/// The database must outlive the migrator. A compile-time list may be a temporary (the
/// migrator keeps views of the SQL literals, not of the list); a `runtime_migration_list`
/// must outlive it (the migrator views its text). Must not be called inside a
/// transaction. Throws `checksum_mismatch_error`, `future_version_error`, `migration_error`
/// (a statement failed: version, name, statement, SQLite's message), `busy_error` (the lock
/// was not obtained in time).
/// @code
/// sqlproof::migrator m{db, schema};
/// for (const auto& step : m.migrate().steps) log(step.version, step.duration.count());
/// @endcode
template <class Db>
class basic_migrator {
  using store_type = migration_store<typename Db::backend_type>;
  using transaction_type = typename Db::transaction_type;

 public:
  /// The database type it migrates.
  using database_type = Db;

  template <class... Ms>
  basic_migrator(Db& db, const migration_list<Ms...>& list, migrator_options options = {})
      : db_(&db), options_(std::move(options)), store_(db, options_) {
    if constexpr (detail::check_list_for<store_type::sql_dialect, store_type::unsupported_flags,
                                         Ms...>()) {
      std::vector<migration_info> owned;
      owned.reserve(sizeof...(Ms));
      // One non-template function for all: a list of 50 migrations instantiates nothing per
      // migration here (see scripts/measure_migration_compile.sh).
      std::apply([&](const auto&... m) {
        (owned.push_back(detail::make_migration_info(
             m.version, m.name, m.text_for(store_type::sql_dialect), m.reversible, m.flags)),
         ...);
      }, list.items);
      owned_ = std::move(owned);
      program_ = owned_;
      check_flags();
    }
  }

  basic_migrator(const basic_migrator& other)
      : db_(other.db_),
        options_(other.options_),
        store_(other.store_),
        owned_(other.owned_),
        program_(other.owned_.empty() ? other.program_ : std::span<const migration_info>(owned_)) {}
  basic_migrator(basic_migrator&&) noexcept = default;
  basic_migrator& operator=(const basic_migrator& other) {
    if (this != &other) *this = basic_migrator(other);
    return *this;
  }
  basic_migrator& operator=(basic_migrator&&) noexcept = default;
  ~basic_migrator() = default;

  /// Runs the migrations of a run-time list, which must outlive the migrator and not change
  /// while it is used (the migrator views its text and checksums, copying nothing). Throws
  /// `migration_error` naming a migration the backend cannot run (no text for its dialect, or
  /// a flag it does not honour).
  basic_migrator(Db& db, const runtime_migration_list& list, migrator_options options = {})
      : db_(&db),
        options_(std::move(options)),
        store_(db, options_),
        program_(list.migrations(store_type::sql_dialect)) {
    if (const migration_info* m = list.first_without_text(store_type::sql_dialect)) {
      throw migration_error("sqlproof: " + describe(*m) + " has only SQLite's text; give it "
                                "PostgreSQL's (runtime_migration::postgres_up and postgres_down, "
                                "or up_for<dialect::postgres>(...)), or mark it portable when "
                                "the text runs on both",
                            {}, m->version, std::string(m->name));
    }
    check_flags();
  }
  /// Refused: the migrator would view a list destroyed at the end of the statement.
  basic_migrator(Db& db, runtime_migration_list&& list, migrator_options options = {}) = delete;

  /// The program's migrations with their checksums, oldest first.
  [[nodiscard]] std::span<const migration_info> migrations() const noexcept { return program_; }

  /// Applies every pending migration, oldest first. Refuses (before changing anything) when
  /// an applied migration was modified, is missing from the program, or is newer than the
  /// program; a changed down text only adds a warning.
  migration_report migrate();

  /// Applies pending migrations up to and including `version`, or reverts applied ones
  /// newer than it. `version` 0 reverts everything. Throws `unknown_version_error` when the
  /// program does not define `version`.
  migration_report migrate_to(std::int64_t version);

  /// Reverts the `n` newest applied migrations, newest first, with the program's down text
  /// or, for a version the program does not define, the down SQL stored when it was applied.
  /// Throws `missing_down_error` for an irreversible one (nothing after it is reverted).
  migration_report rollback(std::size_t n = 1);

  /// Reverts the newest applied migration and applies it again.
  migration_report redo();

  /// Compares the program with the history table, without changing anything.
  migration_status status();

  /// Checks that every applied migration is the program's (same checksum), that none is
  /// missing from it or newer than it, that no pending migration is older than an applied
  /// one, and (SQLite) that `user_version` equals the newest applied version. Changes nothing.
  /// On PostgreSQL, warns about SQLite habits in the text it runs (`REAL`, `BLOB`,
  /// `AUTOINCREMENT`, `strftime`).
  verification verify();

  /// Drops the schema and applies every migration from scratch. SQLite: copies the database
  /// to `<path>.bak-<UTC timestamp>` first (`VACUUM INTO`; no copy for an in-memory
  /// database), then drops every table, view and trigger; the copy's path is in
  /// `backup_path`. PostgreSQL: makes no copy, so it requires
  /// `migrator_options::allow_reset_without_backup` (and `allow_public_schema_reset` for the
  /// `public` schema), then runs `DROP SCHEMA <history schema> CASCADE` and `CREATE SCHEMA`.
  migration_report reset();

  /// Records migrations 1..`version` as applied without running them, for a database whose
  /// schema was created before it used migrations. Requires an empty history.
  migration_report baseline(std::int64_t version);

  /// Accepts the program's current text of applied migration `version`: stores its checksum,
  /// down checksum, down SQL and name, and leaves a `repaired` event with both checksums in
  /// `sqlproof_migration_events`. For an intended edit (a comment, formatting) that would
  /// otherwise be refused.
  repair_result repair(std::int64_t version);

  /// Applies every pending migration in one transaction, reports them with their timing,
  /// then rolls everything back: the database is left exactly as it was. An
  /// `outside_transaction` migration is listed but not run (`executed == false`).
  migration_report dry_run();

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

  void ensure_no_transaction(const char* what) const;

  // A migration with a flag the backend cannot honour (foreign_keys_off on PostgreSQL), in
  // a run-time list or given as a plain migration_flags value.
  void check_flags() const;

  static std::string describe(const migration_info& m);

  [[nodiscard]] detail::history_row history_row_of(const migration_info& m, double duration_ms,
                                                   std::string kind) const;

  // Refuses a history the program cannot safely build on; adds a warning per changed down.
  void check_history(const std::vector<detail::history_row>& history, migration_report& r,
                     bool allow_newer) const;

  std::optional<plan> revert_plan(const detail::history_row& h) const;

  // Towards `target`: revert what is newer, then apply what is pending, one step per call.
  // `checked`: this history (as read, plus what the run's own steps did) was already checked
  // against the program. Checking it again at every step, every row, would make a run of n
  // migrations cost n² comparisons of checksums.
  std::optional<plan> plan_to(std::int64_t target, const std::vector<detail::history_row>& history,
                              migration_report& r, bool explicit_target, bool& checked) const;

  // Runs the up statements (and the foreign key check) of `m` in the open transaction, then
  // writes its history row and user_version. Throws migration_error naming the statement.
  void apply_body(const migration_info& m, bool run_sql, double duration_ms = 0);

  // What run_statements checks around each statement of a step that runs inside the
  // runner's transaction (see detail/migration_sql.hpp for why).
  struct statement_review {
    const basic_migrator* runner;
    const migration_info* m;
    const char* verb;
    std::size_t index;  // of the string in m's up or down list
    std::size_t count;

    // Before it runs: no statement that begins or ends a transaction.
    static void before(void* context, std::string_view statement) {
      const auto& r = *static_cast<const statement_review*>(context);
      const std::string_view tx_verb =
          detail::transaction_verb_in<store_type::sql_dialect>(statement);
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
                            {0, {}, detail::statement_text_in<store_type::sql_dialect>(statement), {}},
                            m->version, std::string(m->name));
    }
  };

  // Runs `sql` for step `m`. Inside the runner's transaction (`in_transaction`), a statement
  // that would begin or end a transaction is refused before it runs, and each statement must
  // leave that transaction open. An outside_transaction step may group its statements in
  // transactions of its own, but one it leaves open (or opened before a statement failed) is
  // rolled back and the step fails: the runner's history row would otherwise join it.
  void run_statements(const migration_info& m, const std::vector<std::string_view>& sql,
                      const char* verb, bool in_transaction);

  // Rolls back a transaction an outside_transaction step began and did not end.
  void roll_back_open_transaction() noexcept;

  // Before a history row is written: the runner's transaction must still be open, or the row
  // would commit on its own, apart from what it records.
  void ensure_still_in_transaction(std::int64_t version, std::string_view name,
                                   const char* verb) const;

  void record_failure(std::int64_t version, std::string_view name,
                      const std::exception& e) noexcept;

  // The driver: one transaction per step. `planner(history, report, checked)` runs with the write
  // lock held and returns the next step, or nothing when done.
  template <class Planner>
  migration_report run(Planner&& planner);

  // Keeps run()'s copy of the history in step with the row apply_body wrote. Only the
  // planner reads it, and not applied_at.
  void remember_applied(std::vector<detail::history_row>& history, const migration_info& m) const;

  void revert(const detail::history_row& h, transaction_type& tx);

  void finish_revert(const detail::history_row& h);

  static double ms(clock::duration d) noexcept {
    return std::chrono::duration<double, std::milli>(d).count();
  }

  Db* db_;
  migrator_options options_;
  store_type store_;
  // Both kinds of list end up here: a compile-time list's infos are owned (a copy of the
  // migrator views its own copy; a move keeps the vector's buffer); a run-time list's are the
  // list's own.
  std::vector<migration_info> owned_;
  std::span<const migration_info> program_;
};

template <class Db, class... Ms>
basic_migrator(Db&, const migration_list<Ms...>&) -> basic_migrator<Db>;
template <class Db, class... Ms>
basic_migrator(Db&, const migration_list<Ms...>&, migrator_options) -> basic_migrator<Db>;
template <class Db>
basic_migrator(Db&, const runtime_migration_list&) -> basic_migrator<Db>;
template <class Db>
basic_migrator(Db&, const runtime_migration_list&, migrator_options) -> basic_migrator<Db>;

}  // namespace sqlproof

// The member functions' definitions: in every file header-only, in the implementation file
// only with SQLPROOF_SEPARATE_COMPILATION.
#if SQLPROOF_DEFINITIONS
#include "detail/migrator_members.hpp"
#endif
