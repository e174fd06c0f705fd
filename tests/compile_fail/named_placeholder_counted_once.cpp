// A named placeholder used twice is one parameter, as SQLite numbers it: declaring two
// parameters for `:age ... :age` is a mismatch.
// expect: sqlproof: the query's SQL has a different number of placeholders than its signature declares parameters
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

using in_band = sqlproof::query<"SELECT count(*) FROM users WHERE age >= :age AND age < :age + 10",
                                std::int64_t(int, int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<in_band>(30, 30);
}
