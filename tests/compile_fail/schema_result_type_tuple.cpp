// A real column read into an integer tuple element.
// expect: sqlproof: a result column's type does not fit the row field it is read into
// token: score
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT id, score FROM posts", std::tuple<std::int64_t, double>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT id, score FROM posts", std::tuple<std::int64_t, int>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
