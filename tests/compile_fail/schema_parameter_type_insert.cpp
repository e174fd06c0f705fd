// A text parameter inserted into an integer column.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?)", void(std::string, int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?)", void(std::string, std::string)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::string("Ann"), std::string("31"));
}
#endif
