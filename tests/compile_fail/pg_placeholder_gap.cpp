// A pg::query that uses $1 and $3 but not $2: the second declared parameter would bind
// nowhere, the same error as for ?1 and ?3 in SQLite's dialect.
// expect: sqlproof: numbered placeholders skip a number
#include <sqlproof/query.hpp>

#include <cstdint>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // numbered from 1 without gaps
using count_band = sqlproof::pg::query<
    "SELECT count(*) FROM users WHERE age::int8 > $1 AND age::int8 < $2", std::int64_t(int, int)>;
#else
using count_band = sqlproof::pg::query<
    "SELECT count(*) FROM users WHERE age::int8 > $1 AND age::int8 < $3",
    std::int64_t(int, int, int)>;
#endif
static_assert(sqlproof::checked<count_band>);

int main() {}
