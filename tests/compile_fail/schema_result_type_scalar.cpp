// A text column read into an int.
// expect: sqlproof: a result column's type does not fit the row field it is read into
// token: name
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT name FROM users WHERE id = ?", std::string(std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT name FROM users WHERE id = ?", int(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::int64_t{1});
}
#endif
