#pragma once
// The mapped tables the schema_*.cpp compile-fail cases query.
#include <sqlproof/sqlproof.hpp>

#include "../support/mapped_tables.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

using sqlproof_test::post;
using sqlproof_test::user;

using app_schema = sqlproof::schema<user, post>;
template <sqlproof::fixed_string Sql, class Signature>
using app_query = sqlproof::query<Sql, Signature, app_schema>;
