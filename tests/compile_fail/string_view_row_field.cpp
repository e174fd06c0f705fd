// A row field of type std::string_view would dangle once the next row is read.
// expect: sqlproof: a row field cannot be std::string_view or const char*
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string_view>

struct user_name {
  std::int64_t id;
  std::string_view name;
};

using names = sqlproof::query<"SELECT id, name FROM users", user_name()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<names>();
}
