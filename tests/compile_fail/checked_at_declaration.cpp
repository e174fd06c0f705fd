// A wrong query that no code uses compiles; `static_assert(sqlproof::checked<Q>)` makes its
// checks fire at the declaration, with the check's own message and no second error.
// expect: sqlproof: the query's SELECT list (or RETURNING clause) has a different number of columns than its row type has fields
#include <sqlproof/query.hpp>

#include <cstdint>
#include <string>

struct user {
  std::int64_t id;
  std::string name;
  int age;
};

using find_user = sqlproof::query<"SELECT id, name FROM users WHERE id = ?", user(std::int64_t)>;
static_assert(sqlproof::checked<find_user>);

int main() {}
