// t.* expands to the mapped columns of t only.
// expect: sqlproof: SELECT * (or t.*) expands to a different number of mapped columns than the row type has fields
// token: *
#include "schema_tables.hpp"

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = app_query<"SELECT u.*, p.title FROM users u JOIN posts p ON p.author_id = u.id", std::tuple<std::int64_t, std::string, std::optional<std::string>, int, std::string>()>;
static_assert(q::checked);
int main() {}
#else
using q = app_query<"SELECT u.*, p.title FROM users u JOIN posts p ON p.author_id = u.id", std::tuple<std::int64_t, std::string, std::optional<std::string>, int>()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<q>();
}
#endif
