// A type listed in schema<...> without a table_traits specialisation.
// expect: sqlproof: every type listed in sqlproof::schema<...> must be a mapped table
#include "schema_tables.hpp"

struct audit_entry {
  std::int64_t id;
  std::string what;
};

#ifdef SQLPROOF_COMPILE_FAIL_FIXED
template <>
struct sqlproof::table_traits<audit_entry> {
  static constexpr sqlproof::fixed_string name = "audit";
  static constexpr auto columns = sqlproof::column_names("id", "what");
};
#endif

using q = sqlproof::query<"SELECT what FROM audit WHERE id = ?", std::string(std::int64_t),
                          sqlproof::schema<user, audit_entry>>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<q>(std::int64_t{1});
}
