// A misspelt column in ORDER BY.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: agge
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users ORDER BY age", std::string()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users ORDER BY agge", std::string()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
