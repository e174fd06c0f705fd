// The third argument of query<> lists mapped tables as sqlproof::schema<...>, not a bare
// row type.
// expect: sqlproof: the third argument of query<> is a sqlproof::schema<Tables...>
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

struct user {
  std::int64_t id;
  std::string name;
};

template <>
struct sqlproof::table_traits<user> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "name");
};

using user_name = sqlproof::query<"SELECT name FROM users WHERE id = ?", std::string(std::int64_t), user>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<user_name>(std::int64_t{1});
}
