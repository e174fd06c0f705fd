// A query naming a column that a migration renamed, checked against schema_of<migrations>.
// expect: sqlproof: unknown column
#include "schema_of_migrations.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED
using q = app_query<"SELECT mail FROM users WHERE id = ?", std::optional<std::string>(std::int64_t)>;
#else
using q = app_query<"SELECT email FROM users WHERE id = ?", std::optional<std::string>(std::int64_t)>;
#endif
static_assert(sqlproof::checked<q>);
int main() {}
