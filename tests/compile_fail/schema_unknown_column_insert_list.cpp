// A misspelt column in an INSERT column list.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: agee
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?)", void(std::string, int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO users (name, agee) VALUES (?, ?)", void(std::string, int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::string("Ann"), 31);
}
#endif
