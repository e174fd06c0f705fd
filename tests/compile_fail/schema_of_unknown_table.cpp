// A misspelt table, against the schema the migrations build: it knows every table, so a name
// it lacks is a mistake (the error names the closest table).
// expect: sqlproof: unknown table: the query names a table that the schema derived from the migrations does not have
// token: user
#include "schema_of_migrations.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED
using q = app_query<"SELECT name FROM users WHERE id = ?", std::string(std::int64_t)>;
#else
using q = app_query<"SELECT name FROM user WHERE id = ?", std::string(std::int64_t)>;
#endif
static_assert(sqlproof::checked<q>);
int main() {}
