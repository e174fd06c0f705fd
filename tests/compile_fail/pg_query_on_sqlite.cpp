// A query written in PostgreSQL's dialect, checked for SQLite.
// expect: sqlproof: this query is written in PostgreSQL's dialect; run it on a sqlproof::pg::database
#include <sqlproof/query.hpp>

#include <cstdint>
#include <string>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // a portable query
using tagged = sqlproof::query<"SELECT count(*) FROM docs WHERE tag = ?", std::int64_t(std::string)>;
#else
using tagged = sqlproof::pg::query<"SELECT count(*) FROM docs WHERE tags ? $1", std::int64_t(std::string)>;
#endif
static_assert(sqlproof::detail::check_dialect<tagged, sqlproof::dialect::sqlite>());

int main() {}
