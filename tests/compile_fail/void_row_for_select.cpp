// A SELECT declared with row type void.
// expect: sqlproof: the query's SQL returns rows (SELECT, VALUES or RETURNING) but its row type is void
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

using find_name = sqlproof::query<"SELECT name FROM users WHERE id = ?", void(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  db.exec<find_name>(std::int64_t{1});
}
