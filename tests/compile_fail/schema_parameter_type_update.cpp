// A text parameter assigned to a real column.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"UPDATE posts SET score = ? WHERE id = ?", void(double, std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"UPDATE posts SET score = ? WHERE id = ?", void(std::string, std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::string("1.5"), std::int64_t{1});
}
#endif
