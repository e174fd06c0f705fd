// A std::int64_t passed for an int parameter may not fit.
// expect: sqlproof: an argument cannot be converted to the query's declared parameter type without narrowing
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

using older_than = sqlproof::query<"SELECT count(*) FROM users WHERE age > ?", std::int64_t(int)>;

int main() {
  sqlproof::database db{":memory:"};
  const std::int64_t age = 30;
  (void)db.one<older_than>(age);
}
