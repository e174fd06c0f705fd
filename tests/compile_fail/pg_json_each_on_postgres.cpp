// A portable query (SQLite's dialect) that uses json_each, which PostgreSQL does not have,
// checked for PostgreSQL: the lint names the construct and what PostgreSQL has instead
// (sqlite_only<"json_each(...)">, on_postgres<...> beside the message).
// expect: sqlproof: the query, written in SQLite's dialect, uses SQL that PostgreSQL does not accept or reads differently
#include <sqlproof/query.hpp>

#include <string>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // one text per dialect
using names_in = sqlproof::query<
    sqlproof::either<"SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))",
                     "SELECT name FROM users WHERE id IN "
                     "(SELECT value::int8 FROM jsonb_array_elements_text($1::jsonb))">,
    std::string(std::string)>;
#else
using names_in =
    sqlproof::query<"SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))",
                    std::string(std::string)>;
#endif
static_assert(sqlproof::detail::check_dialect<names_in, sqlproof::dialect::postgres>());

int main() {}
