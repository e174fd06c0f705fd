// std::optional assigned to a NOT NULL column.
// expect: sqlproof: a std::optional parameter is inserted into or assigned to a NOT NULL column
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"UPDATE posts SET title = ? WHERE id = ?", void(std::string, std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"UPDATE posts SET title = ? WHERE id = ?", void(std::optional<std::string>, std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::optional<std::string>("t"), std::int64_t{1});
}
#endif
