// Without Boost.PFR field names (Boost < 1.84), table_traits must list the columns.
// This case only fails with Boost < 1.84; with a newer Boost the names are reflected.
// expect: sqlproof: table_traits<T> must list its columns with sqlproof::column_names(...)
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
};

int main() { return static_cast<int>(sqlproof::table_columns<user>().size()); }
