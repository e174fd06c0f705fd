// A text upper bound in BETWEEN over an integer column.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE age BETWEEN ? AND ?", std::string(int, int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users WHERE age BETWEEN ? AND ?", std::string(int, std::string)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(20, std::string("40"));
}
#endif
