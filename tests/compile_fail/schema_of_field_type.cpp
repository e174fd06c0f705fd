// A field whose type does not fit its column's family: a REAL column read into an integer.
// expect: sqlproof: a mapped field's type does not fit the column the migrations declare
#include "schema_of_migrations.hpp"

struct user {
  std::int64_t id;
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
  double score;
#else
  std::int64_t score;
#endif
};
template <>
struct sqlproof::table_traits<user> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "score");
};

static_assert(app_schema::check_mapping<user>());
int main() {}
