// A misspelt column in an ON CONFLICT target.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: idd
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO users (id, name, age) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING", void(std::int64_t, std::string, int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO users (id, name, age) VALUES (?, ?, ?) ON CONFLICT (idd) DO NOTHING", void(std::int64_t, std::string, int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::int64_t{1}, std::string("Ann"), 31);
}
#endif
