// Named parameters are declared in order of first appearance: :age first.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: :age
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"UPDATE users SET age = :age WHERE name = :name", void(int, std::string)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"UPDATE users SET age = :age WHERE name = :name", void(std::string, int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::string("Ann"), 31);
}
#endif
