// INSERT ... SELECT whose SELECT is narrower than the column list.
// expect: sqlproof: an INSERT supplies a different number of values than its column list names columns
// token: SELECT
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO posts (author_id, title, score, published) SELECT id, name, 0.0, 0 FROM users", void()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO posts (author_id, title, score, published) SELECT id, name, 0.0 FROM users", void()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>();
}
#endif
