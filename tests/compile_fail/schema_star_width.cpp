// SELECT * over a mapped table into a row with fewer fields.
// expect: sqlproof: SELECT * (or t.*) expands to a different number of mapped columns than the row type has fields
// token: *
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT * FROM users", std::tuple<std::int64_t, std::string, std::optional<std::string>, int>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT * FROM users", std::tuple<std::int64_t, std::string, std::optional<std::string>>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
