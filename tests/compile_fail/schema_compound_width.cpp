// A UNION whose branches differ in width.
// expect: sqlproof: the SELECTs of a UNION, INTERSECT or EXCEPT return different numbers of columns
// token: SELECT
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name, age FROM users UNION ALL SELECT title, author_id FROM posts", std::tuple<std::string, std::int64_t>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name, age FROM users UNION ALL SELECT title FROM posts", std::tuple<std::string, std::int64_t>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
