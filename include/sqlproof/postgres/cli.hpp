#pragma once
/// @file
/// `cli::run` (migration_cli.hpp) with PostgreSQL's migrator: the migration commands for any
/// program on a PostgreSQL database. Exit code 4 (`cli::busy`) when another process held the
/// migration lock for longer than the busy timeout.
///
/// @code
/// int main(int argc, char** argv) {
///   sqlproof::pg::database db{"host=/run/postgresql dbname=app"};
///   return sqlproof::cli::run(argc, argv, db, schema);  // app status | up | down 2 | ...
/// }
/// @endcode

#include "../migration_cli.hpp"
#include "database.hpp"
#include "migration.hpp"
