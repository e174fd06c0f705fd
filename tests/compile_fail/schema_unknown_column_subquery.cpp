// A misspelt column inside a subquery of the WHERE clause.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: scor
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE id IN (SELECT author_id FROM posts WHERE score > 1.5)", std::string()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users WHERE id IN (SELECT author_id FROM posts WHERE scor > 1.5)", std::string()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
