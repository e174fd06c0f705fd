// std::optional inserted into a NOT NULL column.
// expect: sqlproof: a std::optional parameter is inserted into or assigned to a NOT NULL column
// token: ?
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?)", void(std::string, int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO users (name, age) VALUES (?, ?)", void(std::optional<std::string>, int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::optional<std::string>("Ann"), 31);
}
#endif
