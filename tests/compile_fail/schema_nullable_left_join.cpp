// A column from the right side of a LEFT JOIN is nullable.
// expect: sqlproof: a nullable column (a std::optional field in its mapping, a column from the right side of a LEFT JOIN, or max/min/sum/avg of one) is read into a row field that is not std::optional
// token: title
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.author_id = u.id", std::tuple<std::string, std::optional<std::string>>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.author_id = u.id", std::tuple<std::string, std::string>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
