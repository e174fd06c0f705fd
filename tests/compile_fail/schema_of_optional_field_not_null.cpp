// A std::optional field for a NOT NULL column.
// expect: sqlproof: a mapped field is std::optional but the migrations declare its column NOT NULL
#include "schema_of_migrations.hpp"

struct user {
  std::optional<std::int64_t> id;  // fine: INTEGER PRIMARY KEY assigns itself on NULL
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
  std::string name;
#else
  std::optional<std::string> name;
#endif
};
template <>
struct sqlproof::table_traits<user> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "name");
};

static_assert(sqlproof::fits_schema<user, app_schema>);
int main() {}
