// A dollar-quoted string that is never closed, in a pg::query.
// expect: sqlproof: the query's PostgreSQL SQL has an unterminated string literal
#include <sqlproof/query.hpp>

#include <string>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // closed with the same tag
using greeting = sqlproof::pg::query<"SELECT $q$it's ? here$q$ || $1", std::string(std::string)>;
#else
using greeting = sqlproof::pg::query<"SELECT $q$it's ? here$ || $1", std::string(std::string)>;
#endif
static_assert(sqlproof::checked<greeting>);

int main() {}
