// A mapped table's row type must be a plain aggregate.
// expect: sqlproof: a mapped table's row type must be a plain aggregate struct
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

class user {
 public:
  user(std::int64_t id, std::string name) : id_(id), name_(std::move(name)) {}

 private:
  std::int64_t id_;
  std::string name_;
};

template <>
struct sqlproof::table_traits<user> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "name");
};

int main() { return static_cast<int>(sqlproof::table_columns<user>().size()); }
