// With field names reflected (Boost >= 1.84), a mapped struct without a column list is
// checked against its field names: a misspelt column is caught as with listed names.
// requires: reflected field names
// expect: sqlproof: unknown column: the query names a column that its mapped table does not have
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

namespace app {
struct article {
  std::int64_t id;
  std::string title;
};
}  // namespace app

template <>
struct sqlproof::table_traits<app::article> {
  static constexpr sqlproof::fixed_string name = "articles";
};

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the corrected query compiles
using q = sqlproof::query<"SELECT id, title FROM articles WHERE id = ?", app::article(std::int64_t)>;
static_assert(sqlproof::checked<q>);
int main() {}
#else
using q = sqlproof::query<"SELECT id, titel FROM articles WHERE id = ?", app::article(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::int64_t{1});
}
#endif
