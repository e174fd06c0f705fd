// A column the CTE does not define, read from the CTE.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: titel
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"WITH recent AS (SELECT id, title FROM posts WHERE published) SELECT title FROM recent", std::string()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"WITH recent AS (SELECT id, title FROM posts WHERE published) SELECT titel FROM recent", std::string()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
