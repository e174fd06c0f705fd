#pragma once
// The migrations the schema_of_*.cpp compile-fail cases derive their schema from.
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <optional>
#include <string>

constexpr auto migrations = sqlproof::migrations(
    sqlproof::migration<1, "create users">(
        sqlproof::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                     "email TEXT, score REAL NOT NULL DEFAULT 0)"),
        sqlproof::down("DROP TABLE users")),
    sqlproof::migration<2, "rename email">(
        sqlproof::up("ALTER TABLE users RENAME COLUMN email TO mail"),
        sqlproof::down("ALTER TABLE users RENAME COLUMN mail TO email")));

using app_schema = sqlproof::schema_of<migrations>;
template <sqlproof::fixed_string Sql, class Signature>
using app_query = sqlproof::query<Sql, Signature, app_schema>;
