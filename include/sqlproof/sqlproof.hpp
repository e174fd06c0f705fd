#pragma once
/// @file
/// The umbrella header: everything sqlproof offers. Includes only.

#include "callback.hpp"
#include "cli.hpp"
#include "config.hpp"
#include "database.hpp"
#include "dialect.hpp"
#include "error.hpp"
#include "fixed_string.hpp"
#include "maintenance.hpp"
#include "migration.hpp"
#include "migration_list.hpp"
#include "query.hpp"
#include "schema.hpp"
#include "schema_of.hpp"
#include "statement.hpp"
#include "statement_cache.hpp"
#include "table.hpp"
#include "transaction.hpp"
#include "value.hpp"
#include "verify_schema.hpp"
