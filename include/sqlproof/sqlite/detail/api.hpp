#pragma once
// The only place that includes <sqlite3.h>. Everything SQLite-specific that the rest of the
// library needs goes through the small wrappers here, so that another backend is an addition
// (DESIGN §7). All wrappers are inline one-liners: the optimiser sees straight through them.

#include <sqlite3.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "../../config.hpp"
#include "../../error.hpp"

namespace sqlproof::detail {

using sqlite_db = ::sqlite3;
using sqlite_stmt = ::sqlite3_stmt;

inline constexpr int sqlite_ok = SQLITE_OK;
inline constexpr int sqlite_row = SQLITE_ROW;
inline constexpr int sqlite_done = SQLITE_DONE;

// Storage classes as sqlite3_column_type reports them (https://sqlite.org/datatype3.html).
enum class storage : int {
  integer = SQLITE_INTEGER,
  real = SQLITE_FLOAT,
  text = SQLITE_TEXT,
  blob = SQLITE_BLOB,
  null = SQLITE_NULL,
};

inline std::string_view storage_name(storage s) noexcept {
  switch (s) {
    case storage::integer: return "INTEGER";
    case storage::real: return "REAL";
    case storage::text: return "TEXT";
    case storage::blob: return "BLOB";
    case storage::null: return "NULL";
  }
  return "unknown";
}

// Builds the error for a failed call. The class follows SQLite's primary code so callers can
// catch what they can handle (https://sqlite.org/rescode.html).
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_sqlite_error(int extended_code,
                                                                 std::string_view summary,
                                                                 std::string_view sqlite_message,
                                                                 std::string_view sql,
                                                                 std::string_view query_name)
#if SQLPROOF_DEFINITIONS
{
  error_kind kind = error_kind::error;
  switch (extended_code & 0xff) {
    case SQLITE_CONSTRAINT: kind = error_kind::constraint; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: kind = error_kind::busy; break;
    case SQLITE_MISUSE: kind = error_kind::misuse; break;
    case SQLITE_MISMATCH: kind = error_kind::type; break;
    case SQLITE_SCHEMA: kind = error_kind::schema; break;
    case SQLITE_INTERRUPT: kind = error_kind::interrupted; break;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB: kind = error_kind::open; break;
    default: break;
  }
  throw_error(kind, summary, {extended_code, sqlite_message, sql, query_name});
}
#else
    ;
#endif

// Reads the connection's current error. sqlite3_extended_errcode is used rather than `rc`
// because a step's return code alone is the primary code unless extended codes are on.
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_db_error(sqlite_db* db, int rc,
                                                             std::string_view summary,
                                                             std::string_view sql = {},
                                                             std::string_view query_name = {})
#if SQLPROOF_DEFINITIONS
{
  const int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw_sqlite_error(code != 0 ? code : rc, summary, msg != nullptr ? msg : "", sql, query_name);
}
#else
    ;
#endif

// ---- connection ---------------------------------------------------------------------------

inline int open_v2(const char* path, sqlite_db** out, int flags) noexcept {
  return sqlite3_open_v2(path, out, flags | SQLITE_OPEN_EXRESCODE, nullptr);
}
inline int close(sqlite_db* db) noexcept { return sqlite3_close(db); }
inline int close_v2(sqlite_db* db) noexcept { return sqlite3_close_v2(db); }
inline int busy_timeout(sqlite_db* db, int ms) noexcept { return sqlite3_busy_timeout(db, ms); }
inline int busy_handler(sqlite_db* db, int (*handler)(void*, int), void* context) noexcept {
  return sqlite3_busy_handler(db, handler, context);
}
// Calls `handler` every `instructions` virtual-machine instructions of a running statement; a
// non-zero return stops the statement with SQLITE_INTERRUPT
// (https://sqlite.org/c3ref/progress_handler.html). A null handler removes it.
inline void progress_handler(sqlite_db* db, int instructions, int (*handler)(void*),
                             void* context) noexcept {
  sqlite3_progress_handler(db, instructions, handler, context);
}
// Safe to call from any thread while the connection is open
// (https://sqlite.org/c3ref/interrupt.html).
inline void interrupt(sqlite_db* db) noexcept { sqlite3_interrupt(db); }
inline constexpr int sqlite_interrupt = SQLITE_INTERRUPT;
// Sleeps through SQLite's VFS rather than std::this_thread: <thread> alone costs a consumer's
// every translation unit a few tenths of a second of compile time (g++ 12, libstdc++).
inline void sleep_ms(int ms) noexcept { sqlite3_sleep(ms); }
// Process-wide settings (https://sqlite.org/c3ref/config.html): SQLITE_MISUSE once SQLite
// has initialized (the first open does that).
inline constexpr int sqlite_misuse = SQLITE_MISUSE;
inline int config_memory_statistics(bool on) noexcept {
  return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on ? 1 : 0);
}
inline std::int64_t changes(sqlite_db* db) noexcept { return sqlite3_changes64(db); }
inline std::int64_t total_changes(sqlite_db* db) noexcept { return sqlite3_total_changes64(db); }
inline std::int64_t last_insert_rowid(sqlite_db* db) noexcept { return sqlite3_last_insert_rowid(db); }
inline bool autocommit(sqlite_db* db) noexcept { return sqlite3_get_autocommit(db) != 0; }
// Called whenever a transaction rolls back, by ROLLBACK or by SQLite on its own after an
// error (https://sqlite.org/c3ref/commit_hook.html).
inline void rollback_hook(sqlite_db* db, void (*hook)(void*), void* context) noexcept {
  sqlite3_rollback_hook(db, hook, context);
}
inline constexpr int sqlite_abort_rollback = SQLITE_ABORT_ROLLBACK;
inline const char* errstr(int code) noexcept { return sqlite3_errstr(code); }
inline const char* errmsg(sqlite_db* db) noexcept { return sqlite3_errmsg(db); }
inline int extended_errcode(sqlite_db* db) noexcept { return sqlite3_extended_errcode(db); }

struct open_flag_bits {
  static constexpr int read_only = SQLITE_OPEN_READONLY;
  static constexpr int read_write = SQLITE_OPEN_READWRITE;
  static constexpr int create = SQLITE_OPEN_CREATE;
  static constexpr int uri = SQLITE_OPEN_URI;
  static constexpr int no_mutex = SQLITE_OPEN_NOMUTEX;
  static constexpr int full_mutex = SQLITE_OPEN_FULLMUTEX;
  static constexpr int memory = SQLITE_OPEN_MEMORY;
};

// ---- statements ---------------------------------------------------------------------------

// The longest SQL text sqlite3_prepare_v3 can be given: it takes the length as an int.
inline constexpr std::size_t max_sql_bytes = static_cast<std::size_t>(INT_MAX);

// The error carries neither the text (gigabytes of it) nor a piece of it: the check runs
// before anything reads the text, so a caller's oversized view is never dereferenced.
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_sql_too_long(std::size_t size)
#if SQLPROOF_DEFINITIONS
{
  throw_sqlite_error(SQLITE_TOOBIG,
                     concat({"the SQL text is ", number_text(size),
                             " bytes, more than SQLite accepts (",
                             number_text(max_sql_bytes), ")"}),
                     sqlite3_errstr(SQLITE_TOOBIG), {}, {});
}
#else
    ;
#endif

// Refuses text sqlite3_prepare_v3 cannot take, rather than passing a length cut to 32 bits
// (4 GiB + 13 bytes would prepare the first 13). Called before the text is hashed or read.
inline void check_sql_length(std::string_view sql) {
  if (sql.size() > max_sql_bytes) [[unlikely]] throw_sql_too_long(sql.size());
}

// SQLITE_PREPARE_PERSISTENT tells SQLite the statement will be kept and reused, so it is
// allocated outside the lookaside pool (https://sqlite.org/c3ref/c_prepare_normalize.html).
// Throws for text longer than max_sql_bytes, before SQLite sees it.
inline int prepare(sqlite_db* db, std::string_view sql, bool persistent, sqlite_stmt** out,
                   const char** tail) {
  check_sql_length(sql);
  return sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                            persistent ? SQLITE_PREPARE_PERSISTENT : 0u, out, tail);
}
inline int finalize(sqlite_stmt* s) noexcept { return sqlite3_finalize(s); }
inline int step(sqlite_stmt* s) noexcept { return sqlite3_step(s); }
inline int reset(sqlite_stmt* s) noexcept { return sqlite3_reset(s); }
inline int clear_bindings(sqlite_stmt* s) noexcept { return sqlite3_clear_bindings(s); }
inline int bind_parameter_count(sqlite_stmt* s) noexcept { return sqlite3_bind_parameter_count(s); }
inline int bind_parameter_index(sqlite_stmt* s, const char* name) noexcept {
  return sqlite3_bind_parameter_index(s, name);
}
inline const char* bind_parameter_name(sqlite_stmt* s, int i) noexcept {
  return sqlite3_bind_parameter_name(s, i);
}
inline int column_count(sqlite_stmt* s) noexcept { return sqlite3_column_count(s); }
inline const char* column_name(sqlite_stmt* s, int i) noexcept { return sqlite3_column_name(s, i); }
inline const char* column_decltype(sqlite_stmt* s, int i) noexcept {
  return sqlite3_column_decltype(s, i);
}
inline const char* sql_of(sqlite_stmt* s) noexcept { return sqlite3_sql(s); }
inline sqlite_db* db_of(sqlite_stmt* s) noexcept { return sqlite3_db_handle(s); }
inline bool read_only(sqlite_stmt* s) noexcept { return sqlite3_stmt_readonly(s) != 0; }
inline bool busy(sqlite_stmt* s) noexcept { return sqlite3_stmt_busy(s) != 0; }

// Whether bound text/blob must be copied by SQLite. SQLITE_STATIC is only correct when the
// caller's buffer outlives every step until the next reset or rebind
// (https://sqlite.org/c3ref/bind_blob.html).
enum class bind_lifetime : bool { borrowed, copied };

// Binds one parameter. Errors are rare (out-of-range index, too big) and reported by the
// caller with the statement's context; every bind returns SQLite's code.
class binder {
 public:
  binder(sqlite_stmt* stmt, bind_lifetime lifetime) noexcept : stmt_(stmt), lifetime_(lifetime) {}

  int null(int i) const noexcept { return sqlite3_bind_null(stmt_, i); }
  int int64(int i, std::int64_t v) const noexcept { return sqlite3_bind_int64(stmt_, i, v); }
  int real(int i, double v) const noexcept { return sqlite3_bind_double(stmt_, i, v); }
  int text(int i, std::string_view v) const noexcept {
    // A zero-length view may have a null data pointer; SQLite would bind NULL for that.
    const char* p = v.data() != nullptr ? v.data() : "";
    return sqlite3_bind_text64(stmt_, i, p, v.size(), destructor(), SQLITE_UTF8);
  }
  // Text built for this call (a JSON array, a formatted value): always copied.
  int owned_text(int i, std::string_view v) const noexcept {
    const char* p = v.data() != nullptr ? v.data() : "";
    return sqlite3_bind_text64(stmt_, i, p, v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  int blob(int i, std::span<const std::byte> v) const noexcept {
    if (v.empty()) return sqlite3_bind_zeroblob(stmt_, i, 0);  // empty blob, not NULL
    return sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), destructor());
  }
  [[nodiscard]] sqlite_stmt* statement() const noexcept { return stmt_; }

 private:
  [[nodiscard]] sqlite3_destructor_type destructor() const noexcept {
    return lifetime_ == bind_lifetime::borrowed ? SQLITE_STATIC : SQLITE_TRANSIENT;
  }
  sqlite_stmt* stmt_;
  bind_lifetime lifetime_;
};

// Holds the connection's mutex while a row is read, which makes the column values
// "protected" so the sqlite3_value_* accessors below may read them
// (https://sqlite.org/c3ref/value.html). With SQLITE_OPEN_NOMUTEX (sqlproof's default) the
// mutex is NULL and this is two no-op calls per row. The mutex is recursive.
class row_lock {
 public:
  explicit row_lock(sqlite_stmt* s) noexcept : mutex_(sqlite3_db_mutex(sqlite3_db_handle(s))) {
    sqlite3_mutex_enter(mutex_);
  }
  row_lock(const row_lock&) = delete;
  row_lock& operator=(const row_lock&) = delete;
  ~row_lock() { sqlite3_mutex_leave(mutex_); }

 private:
  sqlite3_mutex* mutex_;
};

// One column of the current result row. Each sqlite3_column_* call looks the column up again
// (bounds check, mutex, error bookkeeping: about 50 instructions); checking the storage class
// before reading doubled that per column, which measured 13% of a 100k-row scan. So the column
// is looked up once (sqlite3_column_value) and its type and value read from the sqlite3_value,
// with the row_lock held by the caller; the results are identical to sqlite3_column_*.
class column_ref {
 public:
  column_ref(sqlite_stmt* stmt, int index) noexcept
      : stmt_(stmt), value_(sqlite3_column_value(stmt, index)), index_(index) {}

  [[nodiscard]] storage type() const noexcept {
    return static_cast<storage>(sqlite3_value_type(value_));
  }
  [[nodiscard]] bool is_null() const noexcept { return type() == storage::null; }
  [[nodiscard]] std::int64_t int64() const noexcept { return sqlite3_value_int64(value_); }
  [[nodiscard]] double real() const noexcept { return sqlite3_value_double(value_); }
  // Text (or blob) before bytes: the documented safe order
  // (https://sqlite.org/c3ref/column_blob.html).
  [[nodiscard]] std::string_view text() const noexcept {
    const auto* p = sqlite3_value_text(value_);
    const auto n = static_cast<std::size_t>(sqlite3_value_bytes(value_));
    return p == nullptr ? std::string_view{} : std::string_view{reinterpret_cast<const char*>(p), n};
  }
  [[nodiscard]] std::span<const std::byte> blob() const noexcept {
    const void* p = sqlite3_value_blob(value_);
    const auto n = static_cast<std::size_t>(sqlite3_value_bytes(value_));
    return p == nullptr ? std::span<const std::byte>{}
                        : std::span<const std::byte>{static_cast<const std::byte*>(p), n};
  }
  [[nodiscard]] int index() const noexcept { return index_; }
  [[nodiscard]] std::string_view name() const noexcept {
    const char* n = sqlite3_column_name(stmt_, index_);
    return n != nullptr ? std::string_view{n} : std::string_view{};
  }
  [[nodiscard]] sqlite_stmt* statement() const noexcept { return stmt_; }

 private:
  sqlite_stmt* stmt_;
  sqlite3_value* value_;
  int index_;
};

// ---- maintenance and observability (maintenance.hpp) --------------------------------------

inline constexpr int sqlite_busy = SQLITE_BUSY;
inline constexpr int sqlite_locked = SQLITE_LOCKED;
inline constexpr int sqlite_corrupt = SQLITE_CORRUPT;

inline bool db_read_only(sqlite_db* db) noexcept { return sqlite3_db_readonly(db, "main") == 1; }
// The main database's file name: empty for ":memory:" and temporary databases.
inline std::string db_filename(sqlite_db* db) {
  const char* f = sqlite3_db_filename(db, "main");
  return f != nullptr ? std::string(f) : std::string();
}
// The name of the main database's WAL file, whether or not it exists now.
inline std::string wal_filename(sqlite_db* db) {
  const char* f = sqlite3_db_filename(db, "main");
  if (f == nullptr || *f == '\0') return {};
  const char* w = sqlite3_filename_wal(f);
  return w != nullptr ? std::string(w) : std::string();
}

// Online backup (https://sqlite.org/backup.html).
using sqlite_backup = ::sqlite3_backup;
inline sqlite_backup* backup_init(sqlite_db* dest, sqlite_db* source) noexcept {
  return sqlite3_backup_init(dest, "main", source, "main");
}
inline int backup_step(sqlite_backup* b, int pages) noexcept { return sqlite3_backup_step(b, pages); }
inline int backup_finish(sqlite_backup* b) noexcept { return sqlite3_backup_finish(b); }
inline int backup_remaining(sqlite_backup* b) noexcept { return sqlite3_backup_remaining(b); }
inline int backup_pagecount(sqlite_backup* b) noexcept { return sqlite3_backup_pagecount(b); }

// Checkpoints every attached database's WAL (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
struct checkpoint_mode_bits {
  static constexpr int passive = SQLITE_CHECKPOINT_PASSIVE;
  static constexpr int full = SQLITE_CHECKPOINT_FULL;
  static constexpr int restart = SQLITE_CHECKPOINT_RESTART;
  static constexpr int truncate = SQLITE_CHECKPOINT_TRUNCATE;
};
inline int wal_checkpoint(sqlite_db* db, int mode, int* log_frames, int* checkpointed) noexcept {
  return sqlite3_wal_checkpoint_v2(db, nullptr, mode, log_frames, checkpointed);
}

// Per-connection counters (https://sqlite.org/c3ref/c_dbstatus_options.html).
struct db_status_ops {
  static constexpr int cache_used = SQLITE_DBSTATUS_CACHE_USED;
  static constexpr int cache_hit = SQLITE_DBSTATUS_CACHE_HIT;
  static constexpr int cache_miss = SQLITE_DBSTATUS_CACHE_MISS;
  static constexpr int cache_write = SQLITE_DBSTATUS_CACHE_WRITE;
  static constexpr int schema_used = SQLITE_DBSTATUS_SCHEMA_USED;
  static constexpr int stmt_used = SQLITE_DBSTATUS_STMT_USED;
  static constexpr int lookaside_used = SQLITE_DBSTATUS_LOOKASIDE_USED;
};
// The current value of counter `op`, or -1 when SQLite does not know it.
inline std::int64_t db_status(sqlite_db* db, int op) noexcept {
  int current = 0;
  int highwater = 0;
  return sqlite3_db_status(db, op, &current, &highwater, 0) == SQLITE_OK ? current : -1;
}

// Statement tracing (https://sqlite.org/c3ref/trace_v2.html). For SQLITE_TRACE_PROFILE, `p`
// is the statement and `x` points at its run time in nanoseconds.
using trace_callback = int (*)(unsigned event, void* context, void* p, void* x);
inline constexpr unsigned trace_profile = SQLITE_TRACE_PROFILE;
inline int trace_v2(sqlite_db* db, unsigned mask, trace_callback cb, void* context) noexcept {
  return sqlite3_trace_v2(db, mask, cb, context);
}
// The statement's SQL with its bound parameters written in as literals. Values end up in the
// text, so this is only called when the caller asked for it.
inline std::string expanded_sql(sqlite_stmt* s) {
  char* text = sqlite3_expanded_sql(s);
  if (text == nullptr) return {};
  std::string out(text);
  sqlite3_free(text);
  return out;
}

}  // namespace sqlproof::detail
