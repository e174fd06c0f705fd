// PostgreSQL's `::` cast inside a portable query (SQLite's dialect), checked for PostgreSQL.
// expect: sqlproof: the query's SQL uses PostgreSQL syntax
// expect: sqlproof::pg::query
#include <sqlproof/query.hpp>

#include <cstdint>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the cast both dialects read
using total_age = sqlproof::query<"SELECT CAST(sum(age) AS BIGINT) FROM users WHERE id > ?",
                                  std::int64_t(std::int64_t)>;
#else
using total_age = sqlproof::query<"SELECT sum(age)::int8 FROM users WHERE id > ?",
                                  std::int64_t(std::int64_t)>;
#endif
static_assert(sqlproof::detail::check_dialect<total_age, sqlproof::dialect::postgres>());

int main() {}
