// A row type that is neither a value type, a tuple nor an aggregate (it has a constructor).
// expect: sqlproof: the query's row type must be void, a value type with value_traits, a std::tuple of them, or a plain aggregate struct
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

class user {
 public:
  user(std::int64_t id, std::string name) : id_(id), name_(std::move(name)) {}

 private:
  std::int64_t id_;
  std::string name_;
};

using users = sqlproof::query<"SELECT id, name FROM users", user()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<users>();
}
