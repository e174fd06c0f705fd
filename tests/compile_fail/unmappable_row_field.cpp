// A row field whose type has no value_traits.
// expect: sqlproof: a field of the query's row type has no value_traits
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

struct postal_address {
  std::string street;
  std::string city;
};

struct customer {
  std::int64_t id;
  postal_address address;
};

using customers = sqlproof::query<"SELECT id, address FROM customers", customer()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<customers>();
}
