// A parameter type with no value_traits.
// expect: sqlproof: a parameter type in the query's signature has no value_traits
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

struct user_id {
  std::int64_t value;
};

using delete_user = sqlproof::query<"DELETE FROM users WHERE id = ?", void(user_id)>;

int main() {
  sqlproof::database db{":memory:"};
  db.exec<delete_user>(user_id{1});
}
