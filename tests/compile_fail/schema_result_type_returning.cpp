// A RETURNING column read into a field of another type.
// expect: sqlproof: a result column's type does not fit the row field it is read into
// token: score
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"UPDATE posts SET score = score + 1 WHERE id = ? RETURNING score", double(std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"UPDATE posts SET score = score + 1 WHERE id = ? RETURNING score", std::string(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::int64_t{1});
}
#endif
