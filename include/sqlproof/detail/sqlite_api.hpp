#pragma once
// The only place that includes <sqlite3.h>. Everything SQLite-specific that the rest of the
// library needs goes through the small wrappers here, so that another backend is an addition
// (DESIGN §7). All wrappers are inline one-liners: the optimiser sees straight through them.

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "../error.hpp"

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
[[noreturn]] inline void throw_sqlite_error(int extended_code, std::string summary,
                                            std::string sqlite_message, std::string_view sql,
                                            std::string_view query_name) {
  error_context ctx{extended_code, std::move(sqlite_message), std::string(sql),
                    std::string(query_name)};
  switch (extended_code & 0xff) {
    case SQLITE_CONSTRAINT: throw constraint_error(std::move(summary), std::move(ctx));
    case SQLITE_BUSY:
    case SQLITE_LOCKED: throw busy_error(std::move(summary), std::move(ctx));
    case SQLITE_MISUSE: throw misuse_error(std::move(summary), std::move(ctx));
    case SQLITE_MISMATCH: throw type_error(std::move(summary), std::move(ctx), -1, {});
    case SQLITE_SCHEMA: throw schema_error(std::move(summary), std::move(ctx));
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB: throw open_error(std::move(summary), std::move(ctx));
    default: throw error(std::move(summary), std::move(ctx));
  }
}

// Reads the connection's current error. sqlite3_extended_errcode is used rather than `rc`
// because a step's return code alone is the primary code unless extended codes are on.
[[noreturn]] inline void throw_db_error(sqlite_db* db, int rc, std::string summary,
                                        std::string_view sql = {},
                                        std::string_view query_name = {}) {
  const int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw_sqlite_error(code != 0 ? code : rc, std::move(summary), std::move(msg), sql, query_name);
}

// ---- connection ---------------------------------------------------------------------------

inline int open_v2(const char* path, sqlite_db** out, int flags) noexcept {
  return sqlite3_open_v2(path, out, flags | SQLITE_OPEN_EXRESCODE, nullptr);
}
inline int close(sqlite_db* db) noexcept { return sqlite3_close(db); }
inline int close_v2(sqlite_db* db) noexcept { return sqlite3_close_v2(db); }
inline int busy_timeout(sqlite_db* db, int ms) noexcept { return sqlite3_busy_timeout(db, ms); }
inline std::int64_t changes(sqlite_db* db) noexcept { return sqlite3_changes64(db); }
inline std::int64_t total_changes(sqlite_db* db) noexcept { return sqlite3_total_changes64(db); }
inline std::int64_t last_insert_rowid(sqlite_db* db) noexcept { return sqlite3_last_insert_rowid(db); }
inline bool autocommit(sqlite_db* db) noexcept { return sqlite3_get_autocommit(db) != 0; }
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

// SQLITE_PREPARE_PERSISTENT tells SQLite the statement will be kept and reused, so it is
// allocated outside the lookaside pool (https://sqlite.org/c3ref/c_prepare_normalize.html).
inline int prepare(sqlite_db* db, std::string_view sql, bool persistent, sqlite_stmt** out,
                   const char** tail) noexcept {
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

// One column of the current result row.
class column_ref {
 public:
  column_ref(sqlite_stmt* stmt, int index) noexcept : stmt_(stmt), index_(index) {}

  [[nodiscard]] storage type() const noexcept {
    return static_cast<storage>(sqlite3_column_type(stmt_, index_));
  }
  [[nodiscard]] bool is_null() const noexcept { return type() == storage::null; }
  [[nodiscard]] std::int64_t int64() const noexcept { return sqlite3_column_int64(stmt_, index_); }
  [[nodiscard]] double real() const noexcept { return sqlite3_column_double(stmt_, index_); }
  // sqlite3_column_text before sqlite3_column_bytes: the documented safe order
  // (https://sqlite.org/c3ref/column_blob.html).
  [[nodiscard]] std::string_view text() const noexcept {
    const auto* p = sqlite3_column_text(stmt_, index_);
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index_));
    return p == nullptr ? std::string_view{} : std::string_view{reinterpret_cast<const char*>(p), n};
  }
  [[nodiscard]] std::span<const std::byte> blob() const noexcept {
    const void* p = sqlite3_column_blob(stmt_, index_);
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index_));
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
  int index_;
};

}  // namespace sqlproof::detail
