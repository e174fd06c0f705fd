// schema_of given something other than a migration list.
// expect: sqlproof: schema_of<M> takes a constexpr migration list made by sqlproof::migrations(...)
#include "schema_of_migrations.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED
using wrong_schema = sqlproof::schema_of<migrations>;
#else
constexpr auto statements = sqlproof::up("CREATE TABLE users (id INTEGER PRIMARY KEY)");
using wrong_schema = sqlproof::schema_of<statements>;
#endif

using count_users = sqlproof::query<"SELECT count(*) FROM users", std::int64_t(), wrong_schema>;
static_assert(sqlproof::checked<count_users>);
int main() {}
