// A misspelt column in the second of several named windows: window names are not columns,
// what the windows partition and order by are.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: agge
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<
    "SELECT name, count(*) OVER (w2 ORDER BY id) AS n FROM users "
    "WINDOW w1 AS (ORDER BY id), w2 AS (PARTITION BY age) ORDER BY id",
    std::tuple<std::string, std::int64_t>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<
    "SELECT name, count(*) OVER (w2 ORDER BY id) AS n FROM users "
    "WINDOW w1 AS (ORDER BY id), w2 AS (PARTITION BY agge) ORDER BY id",
    std::tuple<std::string, std::int64_t>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
