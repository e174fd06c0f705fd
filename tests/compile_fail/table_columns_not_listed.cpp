// Without Boost.PFR field names (Boost < 1.84, or BOOST_PFR_CORE_NAME_ENABLED=0),
// table_traits must list the columns. Reflection is switched off here so that the case is
// checked with every Boost; with names reflected, the same mapping is valid (see
// tests/unit/table_test.cpp).
// expect: sqlproof: table_traits<T> must list its columns with sqlproof::column_names(...)
#define BOOST_PFR_CORE_NAME_ENABLED 0
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
