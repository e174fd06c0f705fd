// Anonymous and named placeholders in one query.
// expect: sqlproof: the query mixes placeholder styles
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

using count_band = sqlproof::query<"SELECT count(*) FROM users WHERE age > ? AND age < :max",
                                   std::int64_t(int, int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<count_band>(20, 40);
}
