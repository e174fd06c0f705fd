// A misspelt column in the second branch of a UNION.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: nme
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE age > 60 UNION SELECT name FROM users WHERE age < 18", std::string()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users WHERE age > 60 UNION SELECT nme FROM users WHERE age < 18", std::string()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
