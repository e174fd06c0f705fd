// A string literal that is never closed.
// expect: sqlproof: the query's SQL has an unterminated string literal
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

using count_named = sqlproof::query<"SELECT count(*) FROM users WHERE name = 'Ann", std::int64_t()>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<count_named>();
}
