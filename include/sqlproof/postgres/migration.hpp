#pragma once
/// @file
/// Embedded migrations on PostgreSQL: `pg::migrator` (`basic_migrator<pg::database>`), the
/// same runner, DSL, checksums, states, reports and CLI as SQLite's `migrator`, with
/// PostgreSQL's history store and lock (postgres/migration_store.hpp).
///
/// @code
/// constexpr auto schema = sqlproof::migrations(
///   sqlproof::migration<1, "create users">(
///     sqlproof::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
///     sqlproof::down("DROP TABLE users"),
///     sqlproof::up_for<sqlproof::dialect::postgres>(
///         "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)"),
///     sqlproof::down_for<sqlproof::dialect::postgres>("DROP TABLE users")),
///   sqlproof::migration<2, "index users by name">(
///     sqlproof::up("CREATE INDEX users_name ON users(name)"),
///     sqlproof::down("DROP INDEX users_name"), sqlproof::portable));
///
/// sqlproof::pg::database db{"host=/run/postgresql dbname=app"};
/// sqlproof::pg::migrator{db, schema}.migrate();
/// @endcode
///
/// Each migration runs in one transaction with its history row, under
/// `pg_advisory_xact_lock(pg::migration_lock_key(database, schema))`. See docs/migrations.md,
/// "PostgreSQL".

#include <cstdint>
#include <string_view>

#include "../basic_migrator.hpp"
#include "../detail/migrator_members.hpp"
#include "../migration_list.hpp"
#include "../migration_report.hpp"
#include "database.hpp"
#include "detail/migration_history.hpp"
#include "migration_store.hpp"

namespace sqlproof::pg {

/// The migration runner on PostgreSQL: `basic_migrator<pg::database>` (see
/// basic_migrator.hpp). `sqlproof::basic_migrator m{pgdb, schema}` deduces it too.
using migrator = basic_migrator<database>;

/// The key of the advisory lock a migrator takes for the history in `schema` of database
/// `database_name`: the first 8 bytes of SHA-256("sqlproof_migrations" NUL database NUL
/// schema), big-endian, as a signed 64-bit integer. For an operator who wants to keep
/// migrations out for a while: `SELECT pg_advisory_lock(<key>)`.
constexpr std::int64_t migration_lock_key(std::string_view database_name,
                                          std::string_view schema) noexcept {
  return detail::lock_key(database_name, schema);
}

}  // namespace sqlproof::pg
