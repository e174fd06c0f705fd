// An integer parameter compared with a bool column: the same rule as storing it (5 is not a
// bool), so reads, writes and comparisons agree.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT title FROM posts WHERE published = ?", std::string(bool)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT title FROM posts WHERE published = ?", std::string(int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(1);
}
#endif
