// exec<> takes a query type, not a row struct or a string.
// expect: sqlproof: the template argument must be a query type
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

struct user {
  std::int64_t id;
};

int main() {
  sqlproof::database db{":memory:"};
  db.exec<user>(std::int64_t{1});
}
