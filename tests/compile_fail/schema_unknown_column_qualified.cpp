// A column qualified by a table alias that its table does not have.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: emial
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT u.name FROM users AS u WHERE u.email = ?", std::string(std::string)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT u.name FROM users AS u WHERE u.emial = ?", std::string(std::string)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(std::string("a@x"));
}
#endif
