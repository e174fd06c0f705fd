// Without a schema, the mapped row type's table is still checked.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: nme
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = sqlproof::query<"SELECT id, name, email, age FROM users WHERE id = ?", user(std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = sqlproof::query<"SELECT id, nme, email, age FROM users WHERE id = ?", user(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::int64_t{1});
}
#endif
