// A misspelt column in WHERE.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: agee
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE age > ?", std::string(int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users WHERE agee > ?", std::string(int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(30);
}
#endif
