// A misspelt column in RETURNING.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: idd
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?) RETURNING id", std::int64_t(std::string, int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?) RETURNING idd", std::int64_t(std::string, int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::string("Ann"), 31);
}
#endif
