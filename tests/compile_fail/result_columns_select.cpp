// A SELECT list with fewer columns than the row type has fields.
// expect: sqlproof: the query's SELECT list (or RETURNING clause) has a different number of columns than its row type has fields
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

struct user {
  std::int64_t id;
  std::string name;
  int age;
};

using find_user = sqlproof::query<"SELECT id, name FROM users WHERE id = ?", user(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<find_user>(std::int64_t{1});
}
