#pragma once
/// @file
/// Embedded migrations on SQLite: `migrator`, which applies, reverts, verifies and reports an
/// ordered, checksummed list of schema changes that is part of the program (the lists
/// themselves, the DSL and the errors are in migration_list.hpp; the runner, the same for
/// every backend, in basic_migrator.hpp; PostgreSQL's in postgres/migration.hpp).
///
/// @code
/// constexpr auto schema = sqlproof::migrations(
///   sqlproof::migration<1, "create users">(
///     sqlproof::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
///     sqlproof::down("DROP TABLE users")),
///   sqlproof::migration<2, "index users by name">(
///     sqlproof::up("CREATE INDEX users_name ON users(name)"),
///     sqlproof::down("DROP INDEX users_name")));
///
/// sqlproof::database db{"app.db"};
/// sqlproof::migration_report r = sqlproof::migrator{db, schema}.migrate();
/// @endcode
///
/// Every migration runs as one transaction together with its history row and
/// `PRAGMA user_version`, under the database's write lock (`BEGIN IMMEDIATE`). See
/// docs/migrations.md for the history table, the checksum encoding and the states.

#include "basic_migrator.hpp"
#include "database.hpp"
#include "migration_list.hpp"
#include "migration_report.hpp"
#include "sqlite/migration_store.hpp"
#include "transaction.hpp"

namespace sqlproof {

/// The migration runner on SQLite: `basic_migrator<database>` (see basic_migrator.hpp).
/// A class, not a template: `sqlproof::migrator m{db, schema}` and `sqlproof::migrator&`
/// read as they always did.
using migrator = basic_migrator<database>;

#if defined(SQLPROOF_SEPARATE_COMPILATION)
// SQLite's migrator is compiled with the rest of the fixed code, in the implementation file
// (config.hpp).
#if SQLPROOF_DEFINITIONS
template class basic_migrator<database>;
#else
extern template class basic_migrator<database>;
#endif
#endif

}  // namespace sqlproof
