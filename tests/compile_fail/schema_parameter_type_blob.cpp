// A blob parameter compared with a text column.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT id FROM posts WHERE title = ?", std::int64_t(std::string)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT id FROM posts WHERE title = ?", std::int64_t(std::vector<std::byte>)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>(std::vector<std::byte>{});
}
#endif
