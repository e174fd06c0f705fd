// A double passed for an int parameter would be truncated.
// expect: sqlproof: an argument cannot be converted to the query's declared parameter type without narrowing
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

using older_than = sqlproof::query<"SELECT count(*) FROM users WHERE age > ?", std::int64_t(int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<older_than>(30.5);
}
