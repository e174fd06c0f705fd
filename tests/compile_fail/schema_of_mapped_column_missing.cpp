// A mapped column that a migration renamed.
// expect: sqlproof: a mapped column is not a column of its table as the migrations leave it
#include "schema_of_migrations.hpp"

struct user {
  std::int64_t id;
  std::optional<std::string> mail;
};
template <>
struct sqlproof::table_traits<user> {
  static constexpr sqlproof::fixed_string name = "users";
#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the name migration 2 gave it
  static constexpr auto columns = sqlproof::column_names("id", "mail");
#else
  static constexpr auto columns = sqlproof::column_names("id", "email");
#endif
};

using by_id = app_query<"SELECT id, mail FROM users WHERE id = ?", user(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<by_id>(std::int64_t{1});
}
