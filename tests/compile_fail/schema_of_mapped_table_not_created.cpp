// A mapped table that the migrations never create.
// expect: sqlproof: a mapped table is not among the tables the migrations create
#include "schema_of_migrations.hpp"

struct account {
  std::int64_t id;
  std::string name;
};
template <>
struct sqlproof::table_traits<account> {
#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // the table the migrations create
  static constexpr sqlproof::fixed_string name = "users";
#else
  static constexpr sqlproof::fixed_string name = "accounts";
#endif
  static constexpr auto columns = sqlproof::column_names("id", "name");
};

static_assert(sqlproof::fits_schema<account, app_schema>);
int main() {}
