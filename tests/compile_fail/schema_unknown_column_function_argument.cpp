// A misspelt column inside a function call: the call's value is not checked, its arguments' names are.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: nam
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT count(*) FROM users WHERE lower(name) = ?", std::int64_t(std::string)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT count(*) FROM users WHERE lower(nam) = ?", std::int64_t(std::string)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::string("ann"));
}
#endif
