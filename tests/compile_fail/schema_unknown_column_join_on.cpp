// A misspelt column in a JOIN's ON condition.
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
// token: autor_id
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT p.title FROM users u JOIN posts p ON p.author_id = u.id WHERE u.id = ?", std::string(std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT p.title FROM users u JOIN posts p ON p.autor_id = u.id WHERE u.id = ?", std::string(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(std::int64_t{1});
}
#endif
