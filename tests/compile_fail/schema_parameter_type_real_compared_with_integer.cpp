// A double parameter compared with an INTEGER column: the same rule as storing it (30.5 is
// not an integer), so reads, writes and comparisons agree.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE age > ?", std::string(int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users WHERE age > ?", std::string(double)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(30.5);
}
#endif
