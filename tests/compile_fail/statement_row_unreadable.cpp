// statement::row<Row> after step(), with a row field that has no value_traits.
// expect: sqlproof: the row type must be a value type with value_traits, a std::tuple of them, or a plain aggregate struct whose fields have value_traits
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

int main() {
  sqlproof::database db{":memory:"};
  auto st = db.prepare("SELECT id, address FROM customers");
  while (st.step()) (void)st.row<customer>();
}
