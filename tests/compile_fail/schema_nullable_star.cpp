// SELECT * checks each expanded column, here the nullable email.
// expect: sqlproof: a nullable column (a std::optional field in its mapping, a column from the right side of a LEFT JOIN, or max/min/sum/avg of one) is read into a row field that is not std::optional
// token: *
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT * FROM users", std::tuple<std::int64_t, std::string, std::optional<std::string>, int>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT * FROM users", std::tuple<std::int64_t, std::string, std::string, int>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
