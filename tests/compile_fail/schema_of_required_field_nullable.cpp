// A field that is not std::optional for a nullable column, found through a query's row type.
// expect: sqlproof: the migrations declare a mapped column nullable but its field is not std::optional
#include "schema_of_migrations.hpp"

struct user {
  std::int64_t id;
  std::string name;
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
  std::optional<std::string> mail;
#else
  std::string mail;
#endif
};
template <>
struct sqlproof::table_traits<user> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "name", "mail");
};

using all_users = app_query<"SELECT id, name, mail FROM users", user()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<all_users>();
}
