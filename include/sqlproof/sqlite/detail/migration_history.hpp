#pragma once
// SQLite's migration history: the `sqlproof_migrations` table (one row per applied
// migration), the `sqlproof_migration_events` audit log (failures, repairs, baselines,
// rollbacks, resets) and `PRAGMA user_version`, plus the connection settings the runner
// changes for the duration of a run (busy timeout, foreign_keys). Used by
// sqlite/migration_store.hpp; each function takes the SQLite database as `Db` so this internal
// header needs nothing above it.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "../../config.hpp"
#include "../../detail/chrono.hpp"
#include "../../detail/migration_history.hpp"

namespace sqlproof::detail {

inline constexpr std::string_view history_table = "sqlproof_migrations";
inline constexpr std::string_view events_table = "sqlproof_migration_events";

// `flags` keeps the step options a migration was applied with, so a program that does not
// contain the migration can still revert it the same way (foreign_keys off, no transaction).
// `kind` is 'applied' or 'baseline'.
inline constexpr std::string_view history_schema =
    "CREATE TABLE IF NOT EXISTS sqlproof_migrations (\n"
    "  version       INTEGER PRIMARY KEY,\n"
    "  name          TEXT    NOT NULL,\n"
    "  checksum      TEXT    NOT NULL,\n"
    "  down_checksum TEXT,\n"
    "  down_sql      TEXT,\n"
    "  applied_at    TEXT    NOT NULL,\n"
    "  duration_ms   REAL    NOT NULL,\n"
    "  flags         INTEGER NOT NULL DEFAULT 0,\n"
    "  kind          TEXT    NOT NULL DEFAULT 'applied'\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS sqlproof_migration_events (\n"
    "  id      INTEGER PRIMARY KEY,\n"
    "  version INTEGER NOT NULL,\n"
    "  name    TEXT    NOT NULL,\n"
    "  event   TEXT    NOT NULL,\n"
    "  detail  TEXT    NOT NULL DEFAULT '',\n"
    "  at      TEXT    NOT NULL\n"
    ");";

// ISO 8601 in UTC with milliseconds, as SQLite spells it.
inline constexpr std::string_view now_sql = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

template <class Db>
inline bool history_exists(Db& db) {
  auto st = db.prepare_cached(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'sqlproof_migrations'");
  return st.template one<std::int64_t>().value_or(0) > 0;
}

template <class Db>
inline void ensure_history(Db& db) { db.exec_script(history_schema); }

// Every applied migration, lowest version first.
template <class Db>
inline std::vector<history_row> read_history(Db& db) {
  using row = std::tuple<std::int64_t, std::string, std::string, std::optional<std::string>,
                         std::optional<std::string>, std::string, double, std::int64_t,
                         std::string>;
  auto st = db.prepare_cached(
      "SELECT version, name, checksum, down_checksum, down_sql, applied_at, duration_ms, flags, "
      "kind FROM sqlproof_migrations ORDER BY version");
  std::vector<history_row> out;
  for (auto& r : st.template all<row>()) {
    auto& [version, name, checksum, down_checksum, down_sql, applied_at, duration, flags, kind] = r;
    out.push_back({version, std::move(name), std::move(checksum), std::move(down_checksum),
                   std::move(down_sql), std::move(applied_at), duration, flags, std::move(kind)});
  }
  return out;
}

// The most recent event of each version.
template <class Db>
inline std::vector<history_event> read_latest_events(Db& db) {
  auto st = db.prepare_cached(
      "SELECT version, event, detail, at FROM sqlproof_migration_events WHERE id IN "
      "(SELECT max(id) FROM sqlproof_migration_events GROUP BY version) ORDER BY version");
  std::vector<history_event> out;
  for (auto& [v, e, d, at] : st.template all<std::tuple<std::int64_t, std::string, std::string, std::string>>()) {
    out.push_back({v, std::move(e), std::move(d), std::move(at)});
  }
  return out;
}

template <class Db>
inline void insert_history(Db& db, const history_row& r) {
  auto st = db.prepare_cached(
      "INSERT INTO sqlproof_migrations (version, name, checksum, down_checksum, down_sql, "
      "applied_at, duration_ms, flags, kind) VALUES (?, ?, ?, ?, ?, "
      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?)");
  st.exec(r.version, r.name, r.checksum, r.down_checksum, r.down_sql, r.duration_ms, r.flags,
          r.kind);
}

// The newest applied version, 0 when none.
template <class Db>
inline std::int64_t newest_version(Db& db) {
  return db.prepare_cached("SELECT coalesce(max(version), 0) FROM sqlproof_migrations")
      .template one<std::int64_t>()
      .value_or(0);
}

// Changes whenever another connection commits to the database; our own commits leave it
// alone (https://sqlite.org/pragma.html#pragma_data_version).
template <class Db>
inline std::int64_t data_version(Db& db) {
  return db.prepare_cached("PRAGMA data_version").template one<std::int64_t>().value_or(0);
}

template <class Db>
inline void delete_history(Db& db, std::int64_t version) {
  db.prepare_cached("DELETE FROM sqlproof_migrations WHERE version = ?").exec(version);
}

template <class Db>
inline void insert_event(Db& db, std::int64_t version, std::string_view name,
                         std::string_view event, std::string_view detail) {
  auto st = db.prepare_cached(
      "INSERT INTO sqlproof_migration_events (version, name, event, detail, at) VALUES "
      "(?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
  st.exec(version, name, event, detail);
}

template <class Db>
inline std::int64_t user_version(Db& db) {
  return db.prepare_cached("PRAGMA user_version").template one<std::int64_t>().value_or(0);
}

template <class Db>
inline void set_user_version(Db& db, std::int64_t v) {
  // PRAGMA takes no parameters; v is an integer, so formatting it is safe.
  db.exec_script("PRAGMA user_version = " + std::to_string(v));
}

// `PRAGMA foreign_key_check` rows, spelled for an error message.
template <class Db>
inline std::vector<std::string> foreign_key_violations(Db& db) {
  auto st = db.prepare("PRAGMA foreign_key_check");
  std::vector<std::string> out;
  for (auto& [table, rowid, parent, fkid] :
       st.template all<std::tuple<std::string, std::optional<std::int64_t>, std::string, std::int64_t>>()) {
    out.push_back(table + " row " + (rowid ? std::to_string(*rowid) : std::string("?")) +
                  " refers to a missing row of " + parent + " (constraint " +
                  std::to_string(fkid) + ")");
  }
  return out;
}

// Sets `PRAGMA foreign_keys` for the scope and restores the previous value on every path.
// The pragma is a no-op inside a transaction (https://sqlite.org/foreignkeys.html#fk_enable),
// so the guard must be created before BEGIN and destroyed after COMMIT or ROLLBACK.
template <class Db>
class foreign_keys_scope {
 public:
  foreign_keys_scope(Db& db, bool off) : db_(&db) {
    if (!off) return;
    restore_ = db.prepare_cached("PRAGMA foreign_keys").template one<std::int64_t>().value_or(0) != 0;
    if (restore_) db.exec_script("PRAGMA foreign_keys = OFF");
  }
  foreign_keys_scope(const foreign_keys_scope&) = delete;
  foreign_keys_scope& operator=(const foreign_keys_scope&) = delete;
  ~foreign_keys_scope() {
    if (restore_) {
      try {
        db_->exec_script("PRAGMA foreign_keys = ON");
      } catch (...) {  // the connection reports a broken state on its next use
      }
    }
  }

 private:
  Db* db_;
  bool restore_ = false;  // foreign keys were on: turn them on again
};

// Raises the busy timeout for a run (another process may hold the write lock while it
// migrates) and restores the connection's own value afterwards.
template <class Db>
class busy_timeout_scope {
 public:
  busy_timeout_scope(Db& db, std::chrono::milliseconds timeout) : db_(&db) {
    previous_ = db.prepare_cached("PRAGMA busy_timeout").template one<std::int64_t>().value_or(0);
    if (timeout.count() > previous_) {
      db.exec_script("PRAGMA busy_timeout = " + std::to_string(timeout.count()));
    }
  }
  busy_timeout_scope(const busy_timeout_scope&) = delete;
  busy_timeout_scope& operator=(const busy_timeout_scope&) = delete;
  ~busy_timeout_scope() {
    try {
      db_->exec_script("PRAGMA busy_timeout = " + std::to_string(previous_));
    } catch (...) {
    }
  }

 private:
  Db* db_;
  std::int64_t previous_ = 0;
};

// "name" with embedded quotes doubled (https://sqlite.org/lang_keywords.html).
SQLPROOF_DECL std::string quote_identifier(std::string_view name)
#if SQLPROOF_DEFINITIONS
{
  std::string out = "\"";
  for (const char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}
#else
    ;
#endif

SQLPROOF_DECL std::string quote_literal(std::string_view text)
#if SQLPROOF_DEFINITIONS
{
  std::string out = "'";
  for (const char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += '\'';
  return out;
}
#else
    ;
#endif

// Drops every view, trigger and table (indexes go with their tables), history included.
template <class Db>
inline void drop_everything(Db& db) {
  using row = std::tuple<std::string, std::string>;
  const auto objects = db.prepare(
      "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "AND type IN ('view', 'trigger', 'table') "
      "ORDER BY CASE type WHEN 'view' THEN 0 WHEN 'trigger' THEN 1 ELSE 2 END").template all<row>();
  for (const auto& [type, name] : objects) {
    db.exec_script("DROP " + std::string(type == "view" ? "VIEW" : type == "trigger" ? "TRIGGER" : "TABLE") +
                   " IF EXISTS " + quote_identifier(name));
  }
}

// The proleptic Gregorian date of a count of days since 1970-01-01 (the civil-from-days
// algorithm, https://howardhinnant.github.io/date_algorithms.html), which spares the header
// <chrono>'s calendar types and, with them, iostreams.
struct civil_date {
  long long year;
  unsigned month;
  unsigned day;
};

constexpr civil_date civil_from_days(long long z) noexcept {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                      // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;    // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                       // [0, 11]
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;                             // [1, 31]
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;                              // [1, 12]
  return {static_cast<long long>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// A file name suffix such as "20240501T101500.123Z" for backups.
SQLPROOF_DECL std::string backup_timestamp()
#if SQLPROOF_DEFINITIONS
{
  using namespace std::chrono;
  const long long ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  constexpr long long ms_per_day = 86400000;
  const long long days = ms >= 0 ? ms / ms_per_day : (ms - (ms_per_day - 1)) / ms_per_day;
  const long long of_day = ms - days * ms_per_day;
  const civil_date date = civil_from_days(days);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld%02u%02uT%02lld%02lld%02lld.%03lldZ", date.year,
                date.month, date.day, of_day / 3600000, of_day / 60000 % 60, of_day / 1000 % 60,
                of_day % 1000);
  return buffer;
}
#else
    ;
#endif

}  // namespace sqlproof::detail
