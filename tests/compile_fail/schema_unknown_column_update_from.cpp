// A misspelt column in the WHERE clause of UPDATE ... FROM.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: autor_id
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"UPDATE posts SET score = score + 1 FROM users WHERE users.id = posts.author_id AND users.age > 30", void()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"UPDATE posts SET score = score + 1 FROM users WHERE users.id = posts.autor_id AND users.age > 30", void()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>();
}
#endif
