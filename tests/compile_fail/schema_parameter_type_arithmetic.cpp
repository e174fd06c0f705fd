// A text parameter in arithmetic compared with an INTEGER column.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE age = ? + 1", std::string(int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users WHERE age = ? + 1", std::string(std::string)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(std::string{"30"});
}
#endif
