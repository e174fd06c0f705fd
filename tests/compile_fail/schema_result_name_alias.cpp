// An alias that is not the field's column name.
// expect: sqlproof: a result column's name differs from the mapped column name of the row field at its position
// token: username
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT id, name AS name, email, age FROM users WHERE id = ?", user(std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT id, name AS username, email, age FROM users WHERE id = ?", user(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::int64_t{1});
}
#endif
