// iter() reads rows, so it does not take a query whose row type is void.
// expect: sqlproof: one(), all() and iter() read rows but this query's row type is void
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

using delete_user = sqlproof::query<"DELETE FROM users WHERE id = ?", void(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.iter<delete_user>(std::int64_t{1});
}
