// A misspelt column in the SELECT list.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: nme
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE id = ?", std::string(std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT nme FROM users WHERE id = ?", std::string(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::int64_t{1});
}
#endif
