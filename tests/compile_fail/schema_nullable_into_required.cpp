// A nullable column read into a non-optional value.
// expect: sqlproof: a nullable column (a std::optional field in its mapping, a column from the right side of a LEFT JOIN, or max/min/sum/avg of one) is read into a row field that is not std::optional
// token: email
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT email FROM users WHERE id = ?", std::optional<std::string>(std::int64_t)>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT email FROM users WHERE id = ?", std::string(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::int64_t{1});
}
#endif
