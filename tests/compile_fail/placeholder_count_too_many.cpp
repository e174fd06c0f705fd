// A query whose SQL has more placeholders than its signature declares parameters.
// expect: sqlproof: the query's SQL has a different number of placeholders than its signature declares parameters
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

using find_name =
    sqlproof::query<"SELECT name FROM users WHERE id = ? AND age > ?", std::string(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<find_name>(std::int64_t{1});
}
