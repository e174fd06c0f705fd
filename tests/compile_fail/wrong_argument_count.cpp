// A call with fewer arguments than the query declares parameters.
// expect: sqlproof: wrong number of arguments for this query
#include <sqlproof/sqlproof.hpp>

#include <optional>
#include <string_view>

using add_user = sqlproof::query<"INSERT INTO users (name, email, age) VALUES (?, ?, ?)",
                                 void(std::string_view, std::optional<std::string_view>, int)>;

int main() {
  sqlproof::database db{":memory:"};
  db.exec<add_user>("Ann", 31);
}
