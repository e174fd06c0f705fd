#pragma once
// Text and JSON renderings of migration results (migration_report, migration_status,
// verification). Included at the end of migration.hpp; hand-written JSON because the
// library takes no JSON dependency, and the shapes are small and fixed.

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include "../migration.hpp"
#include "../value.hpp"

namespace sqlproof::detail {

// append_json_string comes from value.hpp (lists bound as JSON).

inline std::string format_ms(double ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
  return buffer;
}

inline std::string json_number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", v);
  return buffer;
}

// Pads by characters, counting a UTF-8 sequence as one.
inline std::string pad(std::string_view s, std::size_t width) {
  std::size_t chars = 0;
  for (const char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  std::string out(s);
  if (chars < width) out.append(width - chars, ' ');
  return out;
}

inline std::string_view state_mark(migration_state s) noexcept {
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

}  // namespace sqlproof::detail

namespace sqlproof {

inline std::string migration_report::text() const {
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

inline std::string migration_report::json() const {
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

inline std::string migration_status::text() const {
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

inline std::string migration_status::json() const {
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

inline std::string verification::text() const {
  std::string out;
  for (const auto& e : errors) out += "error: " + e + '\n';
  for (const auto& w : warnings) out += "warning: " + w + '\n';
  out += ok() ? "\u2713 verified: " : "\u2717 verification failed: ";
  out += std::to_string(applied) + " applied, " + std::to_string(pending) + " pending";
  if (!ok()) out += ", " + std::to_string(errors.size()) + " problem(s)";
  out += '\n';
  return out;
}

inline std::string verification::json() const {
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

}  // namespace sqlproof
