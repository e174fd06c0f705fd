// INSERT with fewer values than listed columns.
// expect: sqlproof: an INSERT supplies a different number of values than its column list names columns
// token: (
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO users (name, email, age) VALUES ('ann', NULL, 31)", void()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO users (name, email, age) VALUES ('ann', 31)", void()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>();
}
#endif
