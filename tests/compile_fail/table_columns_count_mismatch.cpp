// table_traits<T>::columns names three columns for a struct with four fields.
// expect: sqlproof: table_traits<T>::columns must name exactly one column per field of T
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <optional>
#include <string>

struct user {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
};

template <>
struct sqlproof::table_traits<user> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "name", "age");
};

int main() { return static_cast<int>(sqlproof::table_columns<user>().size()); }
