// An unqualified column that both joined tables have.
// expect: sqlproof: ambiguous column: two tables of the FROM clause have a column of this name
// token: id
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT users.id, title FROM users JOIN posts ON posts.author_id = users.id", std::tuple<std::int64_t, std::string>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT id, title FROM users JOIN posts ON posts.author_id = users.id", std::tuple<std::int64_t, std::string>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
