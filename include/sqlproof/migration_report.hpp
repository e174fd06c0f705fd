#pragma once
/// @file
/// What the migration runner reports: `migration_report` (the steps a run took, with their
/// timing), `migration_status` (every migration's state), `verification` and
/// `repair_result`, each rendered as text and as JSON. The same for every backend.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detail/algorithm.hpp"
#include "detail/chrono.hpp"
#include "detail/json_text.hpp"
#include "detail/migration_text.hpp"

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
  /// The schema version before: SQLite's `PRAGMA user_version`; on PostgreSQL, which has
  /// none, the newest applied version.
  std::int64_t from_version = 0;
  /// The schema version after (before the ROLLBACK of a dry run), read the same way.
  std::int64_t to_version = 0;
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
  /// SQLite's `PRAGMA user_version`. PostgreSQL has no such setting: there it is derived,
  /// the newest applied version, under the same name (and the same JSON key) for tools.
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
/// unknown to it, and (on SQLite) `user_version` equals the newest applied version.
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

}  // namespace sqlproof

namespace sqlproof::detail {

SQLPROOF_DECL std::string_view state_mark(migration_state s) noexcept
#if SQLPROOF_DEFINITIONS
{
  switch (s) {
    case migration_state::applied: return "\u2713";  // ✓
    case migration_state::pending: return "\u00b7";  // ·
    case migration_state::modified: return "!";
    case migration_state::missing: return "?";
    case migration_state::future: return "\u2191";  // ↑
    case migration_state::failed: return "\u2717";  // ✗
  }
  return " ";
}
#else
    ;
#endif

}  // namespace sqlproof::detail

namespace sqlproof {

#if SQLPROOF_DEFINITIONS
SQLPROOF_DECL std::string migration_report::text() const {
  std::string out;
  for (const auto& s : steps) {
    const bool up = s.direction == migration_direction::up;
    out += !s.executed ? "- " : up ? "\u2713 " : "\u21a9 ";  // ✓ applied, ↩ reverted
    out += std::to_string(s.version) + " " + s.name;
    if (!s.executed) {
      out += " (recorded, not run)";
    } else {
      out += " (" + detail::format_ms(s.duration.count()) + " ms)";
      if (!up) out += " reverted";
    }
    out += '\n';
  }
  for (const auto& w : warnings) out += "warning: " + w + '\n';
  if (steps.empty()) {
    out += "nothing to do; database at version " + std::to_string(to_version);
  } else {
    const bool down = std::all_of(steps.begin(), steps.end(), [](const migration_step& s) {
      return s.direction == migration_direction::down;
    });
    const std::string count = std::to_string(steps.size()) + " migration" + (steps.size() == 1 ? "" : "s");
    const std::string took = " in " + detail::format_ms(total.count()) + " ms";
    if (dry_run) {
      out += "dry run: ran " + count + took + ", then rolled back; database left at version " +
             std::to_string(from_version);
    } else {
      out += (down ? "reverted " : "ran ") + count + took + "; database at version " +
             std::to_string(to_version);
    }
  }
  if (!backup_path.empty()) out += "\nbackup: " + backup_path;
  out += '\n';
  return out;
}
#endif

#if SQLPROOF_DEFINITIONS
SQLPROOF_DECL std::string migration_report::json() const {
  std::string out = "{\"dry_run\":";
  out += dry_run ? "true" : "false";
  out += ",\"from_version\":" + std::to_string(from_version);
  out += ",\"to_version\":" + std::to_string(to_version);
  out += ",\"total_ms\":" + detail::json_number(total.count());
  out += ",\"steps\":[";
  for (std::size_t i = 0; i != steps.size(); ++i) {
    const auto& s = steps[i];
    if (i != 0) out += ',';
    out += "{\"version\":" + std::to_string(s.version) + ",\"name\":";
    detail::append_json_string(out, s.name);
    out += ",\"direction\":";
    out += s.direction == migration_direction::up ? "\"up\"" : "\"down\"";
    out += ",\"duration_ms\":" + detail::json_number(s.duration.count());
    out += ",\"executed\":";
    out += s.executed ? "true" : "false";
    out += '}';
  }
  out += "],\"warnings\":[";
  for (std::size_t i = 0; i != warnings.size(); ++i) {
    if (i != 0) out += ',';
    detail::append_json_string(out, warnings[i]);
  }
  out += ']';
  if (!backup_path.empty()) {
    out += ",\"backup_path\":";
    detail::append_json_string(out, backup_path);
  }
  out += '}';
  return out;
}
#endif

#if SQLPROOF_DEFINITIONS
SQLPROOF_DECL std::string migration_status::text() const {
  std::size_t name_width = 4;
  for (const auto& e : entries) name_width = std::max(name_width, e.name.size());
  std::string out = "  " + detail::pad("version", 8) + "  " + detail::pad("name", name_width) +
                    "  " + detail::pad("state", 9) + "  " + detail::pad("applied at", 24) +
                    "  duration\n";
  for (const auto& e : entries) {
    std::string version = std::to_string(e.version);
    std::string line = std::string(detail::state_mark(e.state)) + " " +
                       std::string(8 - std::min<std::size_t>(8, version.size()), ' ') + version +
                       "  " + detail::pad(e.name, name_width) + "  " +
                       detail::pad(to_string(e.state), 9) + "  " +
                       detail::pad(e.applied_at, 24) + "  ";
    if (e.baseline) {
      line += "baseline";
    } else if (e.duration_ms) {
      line += detail::format_ms(*e.duration_ms) + " ms";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
    if (e.state == migration_state::modified) {
      out += "      stored " + e.stored_checksum + "\n      now    " + e.checksum + '\n';
    }
    if (e.state == migration_state::failed) out += "      last attempt: " + e.detail + '\n';
    if (e.down_modified) out += "      warning: down text changed since applied\n";
  }
  out += "user_version " + std::to_string(user_version) + ": " +
         std::to_string(count(migration_state::applied)) + " applied, " +
         std::to_string(count(migration_state::pending) + count(migration_state::failed)) +
         " pending";
  for (const auto s : {migration_state::failed, migration_state::modified,
                       migration_state::missing, migration_state::future}) {
    if (count(s) != 0) out += ", " + std::to_string(count(s)) + " " + std::string(to_string(s));
  }
  out += '\n';
  return out;
}
#endif

#if SQLPROOF_DEFINITIONS
SQLPROOF_DECL std::string migration_status::json() const {
  std::string out = "{\"user_version\":" + std::to_string(user_version) + ",\"migrations\":[";
  for (std::size_t i = 0; i != entries.size(); ++i) {
    const auto& e = entries[i];
    if (i != 0) out += ',';
    out += "{\"version\":" + std::to_string(e.version) + ",\"name\":";
    detail::append_json_string(out, e.name);
    out += ",\"state\":";
    detail::append_json_string(out, to_string(e.state));
    out += ",\"applied_at\":";
    if (e.applied_at.empty()) {
      out += "null";
    } else {
      detail::append_json_string(out, e.applied_at);
    }
    out += ",\"duration_ms\":" + (e.duration_ms ? detail::json_number(*e.duration_ms) : "null");
    out += ",\"checksum\":";
    detail::append_json_string(out, e.checksum);
    out += ",\"stored_checksum\":";
    detail::append_json_string(out, e.stored_checksum);
    out += ",\"down_modified\":";
    out += e.down_modified ? "true" : "false";
    out += ",\"baseline\":";
    out += e.baseline ? "true" : "false";
    if (!e.detail.empty()) {
      out += ",\"detail\":";
      detail::append_json_string(out, e.detail);
    }
    out += '}';
  }
  out += "]}";
  return out;
}
#endif

#if SQLPROOF_DEFINITIONS
SQLPROOF_DECL std::string verification::text() const {
  std::string out;
  for (const auto& e : errors) out += "error: " + e + '\n';
  for (const auto& w : warnings) out += "warning: " + w + '\n';
  out += ok() ? "\u2713 verified: " : "\u2717 verification failed: ";
  out += std::to_string(applied) + " applied, " + std::to_string(pending) + " pending";
  if (!ok()) out += ", " + std::to_string(errors.size()) + " problem(s)";
  out += '\n';
  return out;
}
#endif

#if SQLPROOF_DEFINITIONS
SQLPROOF_DECL std::string verification::json() const {
  std::string out = "{\"ok\":";
  out += ok() ? "true" : "false";
  out += ",\"applied\":" + std::to_string(applied) + ",\"pending\":" + std::to_string(pending);
  out += ",\"errors\":[";
  for (std::size_t i = 0; i != errors.size(); ++i) {
    if (i != 0) out += ',';
    detail::append_json_string(out, errors[i]);
  }
  out += "],\"warnings\":[";
  for (std::size_t i = 0; i != warnings.size(); ++i) {
    if (i != 0) out += ',';
    detail::append_json_string(out, warnings[i]);
  }
  out += "]}";
  return out;
}
#endif

}  // namespace sqlproof
