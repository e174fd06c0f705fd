#pragma once
/// @file
/// `cli::run` (migration_cli.hpp) with SQLite's migrator: the migration commands for any
/// program on a SQLite database.
///
/// @code
/// int main(int argc, char** argv) {
///   sqlproof::database db{"app.db"};
///   return sqlproof::cli::run(argc, argv, db, schema);  // app status | up | down 2 | ...
/// }
/// @endcode

#include "database.hpp"
#include "migration.hpp"
#include "migration_cli.hpp"
