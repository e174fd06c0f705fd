// A misspelt column in DELETE ... WHERE.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: titel
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"DELETE FROM posts WHERE title = ?", void(std::string)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"DELETE FROM posts WHERE titel = ?", void(std::string)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::string("x"));
}
#endif
