// A misspelt column after an alias written without AS after `CASE ... END`: the alias is a
// name of the result, the misspelt column is still reported.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: agge
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<
    "SELECT CASE WHEN age > 30 THEN 'senior' ELSE 'junior' END band, NULL n FROM users "
    "WHERE age > 0 ORDER BY band",
    std::tuple<std::string, std::optional<int>>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<
    "SELECT CASE WHEN age > 30 THEN 'senior' ELSE 'junior' END band, NULL n FROM users "
    "WHERE agge > 0 ORDER BY band",
    std::tuple<std::string, std::optional<int>>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
