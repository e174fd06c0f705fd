// A double inserted into an integer column would lose its fraction.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?)", void(std::string, int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?)", void(std::string, double)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::string("Ann"), 31.5);
}
#endif
