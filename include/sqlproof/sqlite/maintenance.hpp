#pragma once
/// @file
/// Operating a database: the settings in effect (`database::pragmas`), online backup and
/// restore, `VACUUM INTO`, WAL checkpoints, incremental vacuum, `PRAGMA optimize`, integrity
/// checks, statistics (`database::stats`), statement tracing with a slow-query filter, and
/// query plans (`database::explain`) with the helpers tests use to assert on them.
///
/// The `database` members documented here are declared in database.hpp, which includes this
/// header at its end; either header may be included first.
///
/// @code
/// sqlproof::database db{"app.db", sqlproof::options::production()};
/// db.on_slow_query(std::chrono::milliseconds{50}, [](const sqlproof::trace_event& e) {
///   log("slow query", e.sql, e.duration);
/// });
/// db.backup_to("app-backup.db");
/// auto problems = db.integrity_check();  // empty when healthy
/// @endcode

#include "database.hpp"

#include "../detail/chrono.hpp"
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/stat.h>

#include "detail/connection.hpp"
#include "detail/api.hpp"
#include "../error.hpp"
#include "../query_stats.hpp"
#include "statement.hpp"
#include "statement_cache.hpp"

namespace sqlproof {

// ---- settings in effect ----------------------------------------------------------------

/// The settings in effect on a connection, read back from SQLite by `database::pragmas()`.
/// Unlike `options`, every field holds a value: none is ever `unchanged`.
struct pragma_values {
  journal_mode journal = journal_mode::delete_;             ///< `PRAGMA journal_mode`
  synchronous_mode synchronous = synchronous_mode::full;    ///< `PRAGMA synchronous`
  std::chrono::milliseconds busy_timeout{0};                ///< `PRAGMA busy_timeout`
  bool foreign_keys = false;                                ///< `PRAGMA foreign_keys`
  std::int64_t cache_size = 0;          ///< `PRAGMA cache_size`: pages, or KiB when negative
  std::int64_t mmap_size = 0;           ///< `PRAGMA mmap_size` in bytes
  temp_store_mode temp_store = temp_store_mode::default_;   ///< `PRAGMA temp_store`
  int wal_autocheckpoint = 0;           ///< `PRAGMA wal_autocheckpoint` in pages
  std::int64_t journal_size_limit = 0;  ///< `PRAGMA journal_size_limit` in bytes, -1: none
  auto_vacuum_mode auto_vacuum = auto_vacuum_mode::none;    ///< `PRAGMA auto_vacuum`
  int page_size = 0;                    ///< `PRAGMA page_size` in bytes
  bool read_only = false;               ///< The connection cannot write (`sqlite3_db_readonly`)
};

/// Compares what `o` asks for with what is in effect, one line per setting that differs
/// ("journal_mode: wanted WAL, in effect MEMORY"); empty when every requested setting took
/// effect. Fields of `o` left `unchanged` / `std::nullopt` are not compared.
///
/// A difference is not always a mistake, but it is worth a log line: `auto_vacuum` and
/// `page_size` do not change on a database that already has tables, an in-memory database
/// keeps journal_mode MEMORY, and SQLite caps `mmap_size` at its compile-time maximum.
/// @code
/// const auto o = sqlproof::options::production();
/// sqlproof::database db{"app.db", o};
/// for (const std::string& d : sqlproof::pragma_mismatches(o, db.pragmas())) log(d);
/// @endcode
[[nodiscard]] std::vector<std::string> pragma_mismatches(const options& o,
                                                         const pragma_values& in_effect);

// ---- backup and checkpoints --------------------------------------------------------------

/// How far a backup or restore has got; passed to the progress callback after every step.
struct backup_progress {
  int pages_done = 0;   ///< Pages copied so far.
  int pages_total = 0;  ///< Pages in the source database (may grow while it is written to).

  /// True on the last report: every page has been copied.
  [[nodiscard]] bool done() const noexcept { return pages_done == pages_total; }
  /// `pages_done / pages_total`, 1 for an empty database.
  [[nodiscard]] double fraction() const noexcept {
    return pages_total > 0 ? static_cast<double>(pages_done) / pages_total : 1.0;
  }
};

/// What `backup_to` checks on the copy once it is written.
enum class backup_verify {
  none,             ///< Nothing: the pages are copied as they are, sound or not.
  quick_check,      ///< `PRAGMA quick_check` on the copy: page structure, not index contents.
  integrity_check,  ///< `PRAGMA integrity_check` on the copy: also that indexes match tables.
};

/// How `database::backup_to` runs.
/// @code
/// sqlproof::backup_options o;
/// o.verify = sqlproof::backup_verify::integrity_check;
/// db.backup_to("nightly.db", o);  // throws if the copy is not sound
/// @endcode
struct backup_options {
  /// Called after each step with how far the copy has got; must not use this database.
  backup_callback progress;
  /// Pages copied per step (all at once when <= 0).
  int pages_per_step = 256;
  /// Check the copy once written; a problem found is an `error` naming both files.
  backup_verify verify = backup_verify::none;
};

/// `sqlite3_wal_checkpoint_v2` modes (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
enum class checkpoint_mode : int {
  passive,   ///< Copy what it can without waiting for readers or writers.
  full,      ///< Wait for writers, then copy every frame; waits for readers to finish too.
  restart,   ///< Like full, then waits until the next writer can start the WAL from its start.
  truncate,  ///< Like restart, then truncates the WAL file to zero bytes.
};

/// What a checkpoint did. For a database not in WAL mode both counts are -1.
struct checkpoint_result {
  int log_frames = 0;           ///< Frames in the WAL.
  int checkpointed_frames = 0;  ///< Frames copied back into the database file.
  bool busy = false;  ///< A full/restart/truncate checkpoint could not finish (SQLITE_BUSY).

  /// True when every frame in the WAL is now in the database file.
  [[nodiscard]] bool complete() const noexcept {
    return !busy && log_frames == checkpointed_frames;
  }
};

// ---- statistics --------------------------------------------------------------------------

/// A snapshot of a connection's storage and memory use, from `database::stats()`.
struct database_stats {
  std::int64_t page_size = 0;       ///< Bytes per page.
  std::int64_t page_count = 0;      ///< Pages in the database, free ones included.
  std::int64_t freelist_count = 0;  ///< Unused pages (what `incremental_vacuum` returns).
  std::uintmax_t file_size = 0;     ///< Bytes of the database file; 0 when in memory.
  std::uintmax_t wal_size = 0;      ///< Bytes of the `-wal` file; 0 when there is none.
  std::int64_t cache_hits = 0;      ///< Page-cache hits since the connection opened.
  std::int64_t cache_misses = 0;    ///< Page-cache misses since the connection opened.
  std::int64_t cache_writes = 0;    ///< Dirty pages written out since the connection opened.
  std::int64_t cache_memory = 0;    ///< Bytes held by the page cache.
  std::int64_t schema_memory = 0;   ///< Bytes held by the parsed schema.
  std::int64_t statement_memory = 0;  ///< Bytes held by prepared statements.
  statement_cache_stats statements;   ///< The connection's statement cache.
};

// ---- tracing -----------------------------------------------------------------------------

/// One finished statement, as the trace hook sees it. The views are valid only during the
/// call: copy what you keep.
struct trace_event {
  /// The SQL as written, with `?` / `:name` placeholders: bound values are not in it.
  std::string_view sql;
  /// The SQL with the bound values written in; empty unless `trace_options::expand_parameters`.
  std::string_view expanded_sql;
  /// How long the statement ran. SQLite measures in whole milliseconds on most platforms.
  std::chrono::nanoseconds duration{0};
};

/// How the trace hook is called.
struct trace_options {
  /// Also fill `trace_event::expanded_sql`. Off by default: bound values (passwords, personal
  /// data) would end up in whatever the hook writes to.
  bool expand_parameters = false;
};

// ---- query plans -------------------------------------------------------------------------

/// One row of `EXPLAIN QUERY PLAN` (https://sqlite.org/eqp.html).
struct plan_row {
  int id = 0;          ///< This step's id.
  int parent = 0;      ///< The id of the step it belongs to, 0 at the top level.
  std::string detail;  ///< "SCAN users", "SEARCH users USING INDEX users_by_age (age>?)", ...
};

/// True when a step of `plan` reads through index `index` ("USING INDEX x" or "USING COVERING
/// INDEX x"); names compare case-insensitively, as SQL identifiers do.
/// @code
/// CHECK(sqlproof::plan_uses_index(db.explain<users_older_than>(), "users_by_age"));
/// @endcode
[[nodiscard]] bool plan_uses_index(const std::vector<plan_row>& plan, std::string_view index);

/// True when a step of `plan` is a full pass over table `table` ("SCAN t"), through the
/// table itself or through one of its indexes: the check that a query stays off full scans.
/// @code
/// CHECK_FALSE(sqlproof::plan_scans_table(db.explain<users_older_than>(), "users"));
/// @endcode
[[nodiscard]] bool plan_scans_table(const std::vector<plan_row>& plan, std::string_view table);

/// The plan as the sqlite3 shell prints it, one step a line, indented under its parent: for
/// failure messages and logs.
[[nodiscard]] std::string plan_text(const std::vector<plan_row>& plan);

namespace detail {

// ---- running maintenance statements ------------------------------------------------------

// Finalizes a statement prepared here (not cached: maintenance SQL runs rarely).
struct maintenance_statement {
  sqlite_stmt* stmt;
  explicit maintenance_statement(sqlite_stmt* s) noexcept : stmt(s) {}
  maintenance_statement(const maintenance_statement&) = delete;
  maintenance_statement& operator=(const maintenance_statement&) = delete;
  ~maintenance_statement() { finalize(stmt); }
};

// Runs `sql`, calling `on_row(stmt)` for each result row with the row's values protected.
template <class OnRow>
void for_each_maintenance_row(sqlite_db* db, std::string_view sql, OnRow&& on_row,
                              std::string_view bound_text = {}) {
  const maintenance_statement s(prepare_one(db, sql, false, {sql, {}}));
  if (!bound_text.empty()) {
    const binder b(s.stmt, bind_lifetime::borrowed);
    const int rc = b.text(1, bound_text);
    if (rc != sqlite_ok) throw_db_error(db, rc, "cannot bind parameter", sql);
  }
  int rc = step(s.stmt);
  while (rc == sqlite_row) {
    const row_lock lock(s.stmt);
    on_row(s.stmt);
    rc = step(s.stmt);
  }
  if (rc != sqlite_done) throw_step_error(s.stmt, rc, {sql, {}});
}

SQLPROOF_DECL std::int64_t pragma_int(sqlite_db* db, std::string_view name)
#if SQLPROOF_DEFINITIONS
{
  std::int64_t value = 0;
  for_each_maintenance_row(db, "PRAGMA " + std::string(name),
                           [&](sqlite_stmt* s) { value = column_ref(s, 0).int64(); });
  return value;
}
#else
    ;
#endif

SQLPROOF_DECL std::string pragma_text(sqlite_db* db, std::string_view name)
#if SQLPROOF_DEFINITIONS
{
  std::string value;
  for_each_maintenance_row(db, "PRAGMA " + std::string(name),
                           [&](sqlite_stmt* s) { value = std::string(column_ref(s, 0).text()); });
  return value;
}
#else
    ;
#endif

SQLPROOF_DECL journal_mode journal_mode_from(std::string_view text) noexcept
#if SQLPROOF_DEFINITIONS
{
  if (iequals(text, "wal")) return journal_mode::wal;
  if (iequals(text, "memory")) return journal_mode::memory;
  if (iequals(text, "truncate")) return journal_mode::truncate;
  if (iequals(text, "persist")) return journal_mode::persist;
  if (iequals(text, "off")) return journal_mode::off;
  return journal_mode::delete_;
}
#else
    ;
#endif

SQLPROOF_DECL pragma_values read_pragmas(sqlite_db* db)
#if SQLPROOF_DEFINITIONS
{
  pragma_values v;
  v.journal = journal_mode_from(pragma_text(db, "journal_mode"));
  // https://sqlite.org/pragma.html: synchronous 0..3, temp_store 0..2, auto_vacuum 0..2.
  switch (pragma_int(db, "synchronous")) {
    case 0: v.synchronous = synchronous_mode::off; break;
    case 1: v.synchronous = synchronous_mode::normal; break;
    case 3: v.synchronous = synchronous_mode::extra; break;
    default: v.synchronous = synchronous_mode::full; break;
  }
  v.busy_timeout = std::chrono::milliseconds{pragma_int(db, "busy_timeout")};
  v.foreign_keys = pragma_int(db, "foreign_keys") != 0;
  v.cache_size = pragma_int(db, "cache_size");
  v.mmap_size = pragma_int(db, "mmap_size");
  switch (pragma_int(db, "temp_store")) {
    case 1: v.temp_store = temp_store_mode::file; break;
    case 2: v.temp_store = temp_store_mode::memory; break;
    default: v.temp_store = temp_store_mode::default_; break;
  }
  v.wal_autocheckpoint = static_cast<int>(pragma_int(db, "wal_autocheckpoint"));
  v.journal_size_limit = pragma_int(db, "journal_size_limit");
  switch (pragma_int(db, "auto_vacuum")) {
    case 1: v.auto_vacuum = auto_vacuum_mode::full; break;
    case 2: v.auto_vacuum = auto_vacuum_mode::incremental; break;
    default: v.auto_vacuum = auto_vacuum_mode::none; break;
  }
  v.page_size = static_cast<int>(pragma_int(db, "page_size"));
  v.read_only = db_read_only(db);
  return v;
}
#else
    ;
#endif

SQLPROOF_DECL void add_mismatch(std::vector<std::string>& out, std::string_view name,
                                std::string_view wanted, std::string_view in_effect)
#if SQLPROOF_DEFINITIONS
{
  if (wanted == in_effect) return;
  std::string line(name);
  line += ": wanted ";
  line += wanted;
  line += ", in effect ";
  line += in_effect;
  out.push_back(std::move(line));
}
#else
    ;
#endif

// Runs `PRAGMA integrity_check(N)` or `quick_check(N)`: one row "ok", or one row a problem.
SQLPROOF_DECL std::vector<std::string> check_problems(sqlite_db* db, std::string_view pragma,
                                                      int max_problems)
#if SQLPROOF_DEFINITIONS
{
  std::vector<std::string> rows;
  const std::string sql = "PRAGMA " + std::string(pragma) + "(" +
                          std::to_string(max_problems > 0 ? max_problems : 100) + ")";
  for_each_maintenance_row(
      db, sql, [&](sqlite_stmt* s) { rows.emplace_back(column_ref(s, 0).text()); });
  if (rows.size() == 1 && rows.front() == "ok") rows.clear();
  return rows;
}
#else
    ;
#endif

// ---- backup ------------------------------------------------------------------------------

// Copies `source` into `dest` with the online-backup API, `pages_per_step` pages per
// sqlite3_backup_step (all at once when <= 0), reporting progress after each step
// (https://sqlite.org/backup.html). BUSY/LOCKED from a step is retried for up to
// `busy_wait`, as the docs allow; anything else stops the backup.
SQLPROOF_DECL void run_backup(sqlite_db* dest, sqlite_db* source, const backup_callback& progress,
                              int pages_per_step, std::chrono::milliseconds busy_wait,
                              const std::string& what)
#if SQLPROOF_DEFINITIONS
{
  sqlite_backup* b = backup_init(dest, source);
  if (b == nullptr) throw_db_error(dest, extended_errcode(dest), "cannot start " + what);
  const int pages = pages_per_step > 0 ? pages_per_step : -1;
  auto waited = std::chrono::milliseconds{0};
  int rc = sqlite_ok;
  try {
    while (true) {
      rc = backup_step(b, pages);
      if (rc == sqlite_ok || rc == sqlite_done) {
        waited = std::chrono::milliseconds{0};
        if (progress) {
          const int total = backup_pagecount(b);
          progress(backup_progress{total - backup_remaining(b), total});
        }
        if (rc == sqlite_done) break;
      } else if ((rc == sqlite_busy || rc == sqlite_locked) && waited < busy_wait) {
        detail::sleep_ms(5);
        waited += std::chrono::milliseconds{5};
      } else {
        break;
      }
    }
  } catch (...) {
    backup_finish(b);  // the progress callback threw: abandon the backup
    throw;
  }
  // sqlite3_backup_finish returns the step's error and leaves it on the destination handle.
  const int finish_rc = backup_finish(b);
  if (rc != sqlite_done || finish_rc != sqlite_ok) {
    throw_db_error(dest, finish_rc != sqlite_ok ? finish_rc : rc, what + " failed");
  }
}
#else
    ;
#endif

// ---- tracing -----------------------------------------------------------------------------

// The sqlite3_trace_v2 callback. Exceptions cannot cross SQLite's C frames, so one thrown by
// the hook is dropped here.
SQLPROOF_DECL int profile_trampoline(unsigned event, void* context, void* p, void* x) noexcept
#if SQLPROOF_DEFINITIONS
{
  if (event != trace_profile || context == nullptr || p == nullptr || x == nullptr) return 0;
  auto* c = static_cast<connection_state*>(context);
  if (!c->on_profile) return 0;
  try {
    c->on_profile(static_cast<sqlite_stmt*>(p), *static_cast<const std::int64_t*>(x));
  } catch (...) {
  }
  return 0;
}
#else
    ;
#endif

SQLPROOF_DECL void install_trace(connection_state& c, trace_hook hook, bool expand,
                                 std::chrono::nanoseconds threshold)
#if SQLPROOF_DEFINITIONS
{
  if (!hook) {
    clear_trace(c);
    return;
  }
  c.on_profile = [hook = std::move(hook), expand, threshold](sqlite_stmt* s, std::int64_t ns) {
    trace_event e;
    e.duration = std::chrono::nanoseconds{ns};
    if (e.duration < threshold) return;
    const char* sql = sql_of(s);
    e.sql = sql != nullptr ? std::string_view{sql} : std::string_view{};
    std::string expanded;
    if (expand) {
      expanded = expanded_sql(s);
      e.expanded_sql = expanded;
    }
    hook(e);
  };
  const int rc = trace_v2(c.db, trace_profile, &profile_trampoline, &c);
  if (rc != sqlite_ok) {
    c.on_profile = nullptr;
    throw_db_error(c.db, rc, "cannot install the trace hook");
  }
}
#else
    ;
#endif

// ---- query plans -------------------------------------------------------------------------

SQLPROOF_DECL std::vector<plan_row> explain_rows(sqlite_db* db, std::string_view sql,
                                                 std::string_view name)
#if SQLPROOF_DEFINITIONS
{
  const std::string text = "EXPLAIN QUERY PLAN " + std::string(sql);
  const maintenance_statement s(prepare_one(db, text, false, {text, name}));
  std::vector<plan_row> rows;
  int rc = step(s.stmt);
  while (rc == sqlite_row) {
    const row_lock lock(s.stmt);
    // Columns: id, parent, notused, detail.
    rows.push_back({static_cast<int>(column_ref(s.stmt, 0).int64()),
                    static_cast<int>(column_ref(s.stmt, 1).int64()),
                    std::string(column_ref(s.stmt, 3).text())});
    rc = step(s.stmt);
  }
  if (rc != sqlite_done) throw_step_error(s.stmt, rc, {text, name});
  return rows;
}
#else
    ;
#endif

// The word at `pos` in `s` (up to a space or '('), or empty.
SQLPROOF_DECL std::string_view plan_word(std::string_view s, std::size_t pos) noexcept
#if SQLPROOF_DEFINITIONS
{
  if (pos >= s.size()) return {};
  std::size_t end = pos;
  while (end < s.size() && s[end] != ' ' && s[end] != '(') ++end;
  return s.substr(pos, end - pos);
}
#else
    ;
#endif

SQLPROOF_DECL bool starts_with_word(std::string_view s, std::string_view word) noexcept
#if SQLPROOF_DEFINITIONS
{
  return s.size() >= word.size() && iequals(s.substr(0, word.size()), word) &&
         (s.size() == word.size() || s[word.size()] == ' ');
}
#else
    ;
#endif

// The size of a regular file, 0 when there is none (or it cannot be read). stat() rather
// than std::filesystem::file_size: <filesystem> alone cost 0.2 s of compile time and 20 MB
// in every translation unit that includes database.hpp (docs/performance.md).
SQLPROOF_DECL std::uintmax_t regular_file_size(const std::string& path) noexcept
#if SQLPROOF_DEFINITIONS
{
#if defined(_WIN32)
  struct _stat64 st {};
  if (_stat64(path.c_str(), &st) != 0 || (st.st_mode & _S_IFMT) != _S_IFREG) return 0;
#else
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
#endif
  return static_cast<std::uintmax_t>(st.st_size);
}
#else
    ;
#endif

}  // namespace detail

// ---- free functions ----------------------------------------------------------------------

SQLPROOF_DECL std::vector<std::string> pragma_mismatches(const options& o, const pragma_values& v)
#if SQLPROOF_DEFINITIONS
{
  using detail::pragma_value;
  std::vector<std::string> out;
  if (o.journal != journal_mode::unchanged) {
    detail::add_mismatch(out, "journal_mode", pragma_value(o.journal), pragma_value(v.journal));
  }
  if (o.synchronous != synchronous_mode::unchanged) {
    detail::add_mismatch(out, "synchronous", pragma_value(o.synchronous),
                         pragma_value(v.synchronous));
  }
  detail::add_mismatch(out, "busy_timeout", std::to_string(o.busy_timeout.count()),
                       std::to_string(v.busy_timeout.count()));
  detail::add_mismatch(out, "foreign_keys", o.foreign_keys ? "ON" : "OFF",
                       v.foreign_keys ? "ON" : "OFF");
  if (o.cache_size) {
    detail::add_mismatch(out, "cache_size", std::to_string(*o.cache_size),
                         std::to_string(v.cache_size));
  }
  if (o.mmap_size) {
    detail::add_mismatch(out, "mmap_size", std::to_string(*o.mmap_size),
                         std::to_string(v.mmap_size));
  }
  if (o.temp_store != temp_store_mode::unchanged) {
    detail::add_mismatch(out, "temp_store", pragma_value(o.temp_store),
                         pragma_value(v.temp_store));
  }
  if (o.wal_autocheckpoint) {
    detail::add_mismatch(out, "wal_autocheckpoint", std::to_string(*o.wal_autocheckpoint),
                         std::to_string(v.wal_autocheckpoint));
  }
  if (o.journal_size_limit) {
    detail::add_mismatch(out, "journal_size_limit", std::to_string(*o.journal_size_limit),
                         std::to_string(v.journal_size_limit));
  }
  if (o.auto_vacuum != auto_vacuum_mode::unchanged) {
    detail::add_mismatch(out, "auto_vacuum", pragma_value(o.auto_vacuum),
                         pragma_value(v.auto_vacuum));
  }
  if (o.page_size) {
    detail::add_mismatch(out, "page_size", std::to_string(*o.page_size),
                         std::to_string(v.page_size));
  }
  detail::add_mismatch(out, "read_only", o.read_only ? "yes" : "no", v.read_only ? "yes" : "no");
  return out;
}
#else
    ;
#endif

SQLPROOF_DECL bool plan_uses_index(const std::vector<plan_row>& plan, std::string_view index)
#if SQLPROOF_DEFINITIONS
{
  for (const plan_row& row : plan) {
    const std::string_view d = row.detail;
    for (const std::string_view marker : {std::string_view{"USING INDEX "},
                                          std::string_view{"USING COVERING INDEX "}}) {
      for (std::size_t at = d.find(marker); at != std::string_view::npos;
           at = d.find(marker, at + 1)) {
        if (detail::iequals(detail::plan_word(d, at + marker.size()), index)) return true;
      }
    }
  }
  return false;
}
#else
    ;
#endif

SQLPROOF_DECL bool plan_scans_table(const std::vector<plan_row>& plan, std::string_view table)
#if SQLPROOF_DEFINITIONS
{
  for (const plan_row& row : plan) {
    std::string_view d = row.detail;
    if (!detail::starts_with_word(d, "SCAN")) continue;
    d.remove_prefix(5);
    // SQLite before 3.36 wrote "SCAN TABLE t"; a table named "table" needs no special case,
    // as a keyword it would have to be quoted.
    if (detail::starts_with_word(d, "TABLE")) d.remove_prefix(6);
    if (detail::iequals(detail::plan_word(d, 0), table)) return true;
  }
  return false;
}
#else
    ;
#endif

SQLPROOF_DECL std::string plan_text(const std::vector<plan_row>& plan)
#if SQLPROOF_DEFINITIONS
{
  std::vector<std::pair<int, int>> depth_of;  // step id -> nesting depth (a plan is short)
  std::string out;
  for (const plan_row& row : plan) {
    int depth = 0;
    for (const auto& [id, d] : depth_of) {
      if (id == row.parent) depth = d + 1;
    }
    depth_of.emplace_back(row.id, depth);
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += row.detail;
    out += '\n';
  }
  return out;
}
#else
    ;
#endif

// ---- database members --------------------------------------------------------------------
//
// The bodies of `database`'s maintenance and observability members. database.hpp declares
// those members as templates that forward here, so a program compiles them only where it
// includes this header.

namespace detail {

struct maintenance {
  /// The settings in effect now, read back from SQLite: compare with `pragma_mismatches`.
  /// Throws `misuse_error` when closed.
  static pragma_values pragmas(const database& db) { return detail::read_pragmas(detail::connection_access::live(db)->db); }

  /// Copies the database to the file `path` (replacing what is there) with SQLite's online
  /// backup. The copy is the committed state at the start of the backup, even while other
  /// connections write: the backup holds a read transaction on this connection throughout
  /// (unless one is already open), so in WAL mode writers carry on, and in rollback-journal
  /// mode they wait for it (up to their busy timeout). `progress`, when set, is called after
  /// each step of `pages_per_step` pages (all at once when <= 0), the last time with
  /// `done()` true; it must not use this database. Throws `open_error` when `path` cannot be
  /// opened, `busy_error` or `error` when the copy fails; an exception from `progress`
  /// abandons the backup and propagates.
  /// @code
  /// db.backup_to("nightly.db", [](const sqlproof::backup_progress& p) {
  ///   std::printf("%d/%d pages\n", p.pages_done, p.pages_total);
  /// });
  /// @endcode
  static void backup_to(database& db, const std::string& path, const backup_callback& progress,
                        int pages_per_step) {
    backup_options o;
    o.progress = progress;
    o.pages_per_step = pages_per_step;
    backup_to(db, path, o);
  }

  /// `backup_to` with `backup_options`: progress reports, the step size, and whether to check
  /// the copy. With `o.verify` set, the copy is checked once written (`quick_check` or
  /// `integrity_check`, which reads every page); a problem found throws an `error` whose
  /// extended code is SQLITE_CORRUPT (11), which names both files and whose `sqlite_message()`
  /// is the first problem. The copy is left in place for inspection. The online backup copies
  /// pages as they are, so a copy of a corrupt database is corrupt in the same way.
  static void backup_to(database& db, const std::string& path, const backup_options& o) {
    detail::connection_state& c = *detail::connection_access::live(db);
    const std::string what = "backup of '" + c.path + "' to '" + path + "'";
    database dest{path};
    const bool own_snapshot = detail::autocommit(c.db);
    if (own_snapshot) {
      // A deferred BEGIN takes its snapshot at the first read. Held across the steps, it keeps
      // the source from changing under the backup, which would otherwise restart from page 1
      // whenever another connection commits.
      try {
        detail::exec_script(c.db, "BEGIN; SELECT count(*) FROM sqlite_schema");
      } catch (const error& e) {
        end_snapshot(c);
        detail::throw_sqlite_error(e.extended_code(), what + " failed: cannot read the source",
                                   e.sqlite_message(), {}, {});
      }
    }
    try {
      detail::run_backup(dest.native_handle(), c.db, o.progress, o.pages_per_step,
                         std::chrono::milliseconds{detail::pragma_int(c.db, "busy_timeout")},
                         what);
    } catch (...) {
      if (own_snapshot) end_snapshot(c);
      throw;
    }
    if (own_snapshot) detail::exec_script(c.db, "COMMIT");
    if (o.verify != backup_verify::none) verify_copy(dest, o.verify, what);
    dest.close();
  }

  /// `backup_to(path)` without progress reports.
  static void backup_to(database& db, const std::string& path) {
    backup_to(db, path, backup_options{});
  }

  // Rolls back the backup's read transaction after a failure, keeping the failure's error.
  static void end_snapshot(detail::connection_state& c) noexcept {
    try {
      if (!detail::autocommit(c.db)) detail::exec_script(c.db, "ROLLBACK");
    } catch (...) {  // the error being reported matters more
    }
  }

  // Runs `check` on the written copy `dest`; throws naming the backup when it finds a
  // problem or cannot read the copy.
  static void verify_copy(database& dest, backup_verify check, const std::string& what) {
    const char* pragma = check == backup_verify::quick_check ? "quick_check" : "integrity_check";
    std::vector<std::string> problems;
    try {
      problems = detail::check_problems(dest.native_handle(), pragma, 100);
    } catch (const error& e) {
      detail::throw_sqlite_error(e.extended_code(),
                                 what + " is not sound: " + pragma + " could not read the copy",
                                 e.sqlite_message(), {}, {});
    }
    if (problems.empty()) return;
    const std::string count = std::to_string(problems.size()) +
                              (problems.size() >= 100 ? " or more" : "");
    detail::throw_sqlite_error(detail::sqlite_corrupt,
                               what + " is not sound: " + pragma + " found " + count +
                                   " problem(s) in the copy",
                               problems.front(), {}, {});
  }

  /// Replaces this database's content with the database in the file `path` (a backup), using
  /// the online-backup API; other connections see the new content at their next transaction.
  /// Idle cached statements are finalized (the schema may differ). Throws `misuse_error` while
  /// a statement is checked out or a transaction is open here, `open_error` when `path` cannot
  /// be opened, `error` when the copy fails (a WAL database whose page size differs from the
  /// backup's cannot be restored into: SQLite reports it read-only).
  static void restore_from(database& db, const std::string& path, const backup_callback& progress,
                           int pages_per_step) {
    detail::connection_state& c = *detail::connection_access::live(db);
    if (c.cache.in_use() > 0 || !detail::autocommit(c.db)) {
      throw misuse_error("cannot restore '" + c.path + "' from '" + path +
                             "': a statement or transaction is still open on the connection",
                         {});
    }
    options source_options;
    source_options.read_only = true;
    source_options.create = false;
    source_options.foreign_keys = false;
    database source{path, source_options};
    c.cache.clear();
    detail::run_backup(c.db, source.native_handle(), progress, pages_per_step,
                       std::chrono::milliseconds{detail::pragma_int(c.db, "busy_timeout")},
                       "restore of '" + c.path + "' from '" + path + "'");
    c.cache.clear();
    source.close();
  }

  /// `restore_from(path)` without progress reports.
  static void restore_from(database& db, const std::string& path) {
    restore_from(db, path, {}, 256);
  }

  /// Writes a compacted copy of the database to the new file `path` (`VACUUM INTO`): no free
  /// pages, as a snapshot of the committed state. Throws `error` when `path` already exists
  /// and is not empty.
  static void vacuum_into(database& db, const std::string& path) {
    detail::for_each_maintenance_row(
        detail::connection_access::live(db)->db, "VACUUM INTO ?", [](detail::sqlite_stmt*) {}, path);
  }

  /// Checkpoints the WAL (`sqlite3_wal_checkpoint_v2`): copies committed frames back into the
  /// database file. `busy` is set when a full/restart/truncate checkpoint was blocked by
  /// another connection. Throws `error` for any other failure.
  /// @code
  /// auto r = db.checkpoint(sqlproof::checkpoint_mode::truncate);  // WAL file back to 0 bytes
  /// @endcode
  static checkpoint_result checkpoint(database& db, checkpoint_mode mode) {
    detail::connection_state& c = *detail::connection_access::live(db);
    int bits = detail::checkpoint_mode_bits::passive;
    switch (mode) {
      case checkpoint_mode::passive:
        bits = detail::checkpoint_mode_bits::passive;
        break;
      case checkpoint_mode::full:
        bits = detail::checkpoint_mode_bits::full;
        break;
      case checkpoint_mode::restart:
        bits = detail::checkpoint_mode_bits::restart;
        break;
      case checkpoint_mode::truncate:
        bits = detail::checkpoint_mode_bits::truncate;
        break;
    }
    checkpoint_result r;
    const int rc = detail::wal_checkpoint(c.db, bits, &r.log_frames, &r.checkpointed_frames);
    if (rc == detail::sqlite_busy) {
      r.busy = true;
    } else if (rc != detail::sqlite_ok) {
      detail::throw_db_error(c.db, rc, "checkpoint of '" + c.path + "' failed");
    }
    return r;
  }

  /// A passive checkpoint: `checkpoint(checkpoint_mode::passive)`.
  static checkpoint_result checkpoint(database& db) {
    return checkpoint(db, checkpoint_mode::passive);
  }

  /// Returns up to `pages` free pages to the file system (`PRAGMA incremental_vacuum`), all of
  /// them when `pages` <= 0, and reports how many were freed. Frees nothing unless the
  /// database was created with `auto_vacuum_mode::incremental` (as `options::production()`
  /// does).
  static std::int64_t incremental_vacuum(database& db, std::int64_t pages) {
    detail::connection_state& c = *detail::connection_access::live(db);
    const std::int64_t before = detail::pragma_int(c.db, "freelist_count");
    detail::exec_script(c.db,
                        "PRAGMA incremental_vacuum(" + std::to_string(pages > 0 ? pages : 0) + ")");
    return before - detail::pragma_int(c.db, "freelist_count");
  }

  /// Runs `PRAGMA optimize`, which refreshes the query planner's statistics where they look
  /// stale; cheap enough to run before closing a long-lived connection or every few hours.
  static void optimize(database& db) { detail::exec_script(detail::connection_access::live(db)->db, "PRAGMA optimize"); }

  /// Runs `PRAGMA integrity_check`: the problems found (at most `max_problems`), empty when
  /// the database is healthy. Reads every page: seconds on a large database.
  static std::vector<std::string> integrity_check(database& db, int max_problems) {
    return detail::check_problems(detail::connection_access::live(db)->db, "integrity_check", max_problems);
  }

  /// Runs `PRAGMA quick_check`: like `integrity_check` without checking that indexes match
  /// their tables, so much faster; empty when no problem was found.
  static std::vector<std::string> quick_check(database& db, int max_problems) {
    return detail::check_problems(detail::connection_access::live(db)->db, "quick_check", max_problems);
  }

  /// A snapshot of page counts, file and WAL sizes, page-cache counters and memory
  /// (`sqlite3_db_status`), and the statement cache's counters. Throws `misuse_error` when
  /// closed.
  static database_stats stats(const database& db) {
    const detail::connection_state& c = *detail::connection_access::live(db);
    database_stats s;
    s.page_size = detail::pragma_int(c.db, "page_size");
    s.page_count = detail::pragma_int(c.db, "page_count");
    s.freelist_count = detail::pragma_int(c.db, "freelist_count");
    if (const std::string file = detail::db_filename(c.db); !file.empty()) {
      s.file_size = detail::regular_file_size(file);
    }
    if (const std::string wal = detail::wal_filename(c.db); !wal.empty()) {
      s.wal_size = detail::regular_file_size(wal);
    }
    using ops = detail::db_status_ops;
    s.cache_hits = detail::db_status(c.db, ops::cache_hit);
    s.cache_misses = detail::db_status(c.db, ops::cache_miss);
    s.cache_writes = detail::db_status(c.db, ops::cache_write);
    s.cache_memory = detail::db_status(c.db, ops::cache_used);
    s.schema_memory = detail::db_status(c.db, ops::schema_used);
    s.statement_memory = detail::db_status(c.db, ops::stmt_used);
    s.statements = c.cache.stats();
    return s;
  }

  /// The per-query statistics collected so far, typed queries and dynamic SQL texts.
  static sqlproof::query_stats query_stats(const database& db) {
    const detail::watch_state& w = detail::connection_access::live(db)->watch;
    sqlproof::query_stats out;
    const auto add = [&out](const detail::query_counter& q) {
      if (q.calls == 0) return;
      out.entries.push_back({std::string(q.name), std::string(q.sql), q.calls, q.rows, q.errors,
                             q.busy, q.interrupts, std::chrono::nanoseconds{q.total_ns},
                             std::chrono::nanoseconds{q.max_ns}});
    };
    for (const detail::query_counter& q : w.stats.typed) add(q);
    for (const detail::dynamic_query_counter& d : w.stats.dynamic) add(d.counter);
    add(w.stats.other);
    return out;
  }

  /// The connection's event counters.
  static sqlproof::event_counts event_counts(const database& db) {
    const detail::event_counters& e = detail::connection_access::live(db)->watch.events;
    return {e.busy_errors, e.busy_retries, detail::interrupts_of(e), e.deadlines};
  }

  /// Calls `hook` after every statement this connection runs (`sqlite3_trace_v2`,
  /// SQLITE_TRACE_PROFILE) with its SQL and run time; replaces any previous hook, an empty
  /// `hook` removes it. Bound values appear only with `o.expand_parameters`. The hook runs
  /// inside SQLite on this connection's thread: it must not use this database, and an
  /// exception it throws is dropped. Costs a clock read per statement while installed.
  static void set_trace(database& db, trace_hook hook, const trace_options& o) {
    detail::install_trace(*detail::connection_access::live(db), std::move(hook), o.expand_parameters,
                          std::chrono::nanoseconds{0});
  }

  /// `set_trace(hook, trace_options{})`: SQL without bound values.
  static void set_trace(database& db, trace_hook hook) {
    set_trace(db, std::move(hook), trace_options{});
  }

  /// Like `set_trace`, but calls `hook` only for statements that ran for `threshold` or longer
  /// (the expanded SQL, when asked for, is built only for those).
  /// @code
  /// db.on_slow_query(std::chrono::milliseconds{100}, [&](const sqlproof::trace_event& e) {
  ///   slow_log.push_back(std::string(e.sql));
  /// });
  /// @endcode
  static void on_slow_query(database& db, std::chrono::nanoseconds threshold, trace_hook hook,
                            const trace_options& o) {
    detail::install_trace(*detail::connection_access::live(db), std::move(hook), o.expand_parameters, threshold);
  }

  /// `on_slow_query(threshold, hook, trace_options{})`.
  static void on_slow_query(database& db, std::chrono::nanoseconds threshold, trace_hook hook) {
    on_slow_query(db, threshold, std::move(hook), trace_options{});
  }

  /// The `EXPLAIN QUERY PLAN` rows of typed query `Q`, as SQLite would run it now (parameters
  /// unbound). With `plan_uses_index` / `plan_scans_table` a test can pin a query to its index.
  /// @code
  /// const auto plan = db.explain<users_older_than>();
  /// CHECK(sqlproof::plan_uses_index(plan, "users_by_age"));
  /// @endcode
  template <class Q>
  static std::vector<plan_row> explain(database& db) {  // Q checked by database::explain
    return detail::explain_rows(detail::connection_access::live(db)->db, Q::sql, detail::query_display_name<Q>);
  }

  /// The `EXPLAIN QUERY PLAN` rows of one statement of dynamic SQL.
  static std::vector<plan_row> explain(database& db, std::string_view sql) {
    return detail::explain_rows(detail::connection_access::live(db)->db, sql, {});
  }
};

}  // namespace detail

}  // namespace sqlproof
