// max() of a nullable column read into a non-optional field.
// expect: sqlproof: a nullable column (a std::optional field in its mapping, a column from the right side of a LEFT JOIN, or max/min/sum/avg of one) is read into a row field that is not std::optional
// token: max
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT max(email) FROM users", std::optional<std::string>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT max(email) FROM users", std::string()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
