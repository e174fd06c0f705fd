// A parameter assigned in ON CONFLICT DO UPDATE SET.
// expect: sqlproof: a parameter's declared type does not fit the column it is compared with, inserted into or assigned to
// token: ?3
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"INSERT INTO users (id, name, age) VALUES (?1, ?2, 30) ON CONFLICT (id) DO UPDATE SET age = ?3", void(std::int64_t, std::string, int)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"INSERT INTO users (id, name, age) VALUES (?1, ?2, 30) ON CONFLICT (id) DO UPDATE SET age = ?3", void(std::int64_t, std::string, std::string)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.exec<q>(std::int64_t{1}, std::string("Ann"), std::string("x"));
}
#endif
