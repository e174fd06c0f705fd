// A text parameter in an IN list over an integer column.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE id IN (?, ?)", std::string(std::int64_t, std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users WHERE id IN (?, ?)", std::string(std::int64_t, std::string)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(std::int64_t{1}, std::string("2"));
}
#endif
