// An integer parameter stored into a bool column (reading 5 back as bool fails).
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"UPDATE posts SET published = ? WHERE id = ?", void(bool, std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"UPDATE posts SET published = ? WHERE id = ?", void(int, std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(1, std::int64_t{1});
}
#endif
