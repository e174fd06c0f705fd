// exec() discards rows, so it only takes queries with row type void.
// expect: sqlproof: exec() runs queries whose row type is void; this query returns rows
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

using find_name = sqlproof::query<"SELECT name FROM users WHERE id = ?", std::string(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  db.exec<find_name>(std::int64_t{1});
}
