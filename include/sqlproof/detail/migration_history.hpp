#pragma once
// A migration history as the runner reads it, whatever stores it: one row per applied
// migration (`sqlproof_migrations`) and the latest event of each version
// (`sqlproof_migration_events`). Each backend keeps the tables and the SQL that reads and
// writes them in its own migration store (sqlite/migration_store.hpp,
// postgres/migration_store.hpp).

#include <cstdint>
#include <optional>
#include <string>

namespace sqlproof::detail {

struct history_row {
  std::int64_t version = 0;
  std::string name;
  std::string checksum;
  std::optional<std::string> down_checksum;
  std::optional<std::string> down_sql;
  std::string applied_at;  // ISO 8601 in UTC with milliseconds: 2024-05-01T10:15:00.123Z
  double duration_ms = 0;
  std::int64_t flags = 0;
  std::string kind;  // 'applied' or 'baseline'
};

struct history_event {
  std::int64_t version = 0;
  std::string event;
  std::string detail;
  std::string at;
};

}  // namespace sqlproof::detail
