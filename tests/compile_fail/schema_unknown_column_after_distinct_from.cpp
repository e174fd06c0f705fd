// A misspelt column in a SELECT whose list holds `IS NOT DISTINCT FROM`: that FROM belongs to
// the operator, the statement's FROM clause comes after it and the query is checked.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: agge
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT email IS NOT DISTINCT FROM name AS same, id FROM users WHERE age > 0",
                    std::tuple<bool, std::int64_t>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT email IS NOT DISTINCT FROM name AS same, id FROM users WHERE agge > 0",
                    std::tuple<bool, std::int64_t>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
