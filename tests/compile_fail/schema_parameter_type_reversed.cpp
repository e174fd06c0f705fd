// The parameter on the left of the comparison.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT id FROM users WHERE ? = name", std::int64_t(std::string)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT id FROM users WHERE ? = name", std::int64_t(int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(5);
}
#endif
