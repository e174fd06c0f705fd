// A misspelt column assigned in UPDATE ... SET.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: nmae
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"UPDATE users SET name = ? WHERE id = ?", void(std::string, std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"UPDATE users SET nmae = ? WHERE id = ?", void(std::string, std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::string("Ann"), std::int64_t{1});
}
#endif
