#pragma once
/// @file
/// sqlproof on PostgreSQL: `sqlproof::pg::database` and everything it needs, the query types
/// shared with SQLite (query.hpp, table.hpp, schema.hpp) included, the migrations
/// (`pg::migrator`, `cli::run`) as <sqlproof/sqlproof.hpp> has them for SQLite, and
/// `sqlproof::pg::pool` for threads. Link `sqlproof::postgres` (libpq); nothing of SQLite is
/// needed.
///
/// @code
/// #include <sqlproof/postgres.hpp>
/// sqlproof::pg::database db{"host=/run/postgresql dbname=app"};
/// @endcode

#include "dialect.hpp"
#include "error.hpp"
#include "query.hpp"
#include "schema.hpp"
#include "table.hpp"
#include "value.hpp"
#include "migration_list.hpp"
#include "postgres/cli.hpp"
#include "postgres/database.hpp"
#include "postgres/migration.hpp"
#include "postgres/pool.hpp"
#include "postgres/types.hpp"
