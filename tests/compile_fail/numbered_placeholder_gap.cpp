// ?1 and ?3 without ?2: the second declared parameter would bind nowhere.
// expect: sqlproof: numbered placeholders skip a number
#include <sqlproof/sqlproof.hpp>

#include <cstdint>

using count_band = sqlproof::query<"SELECT count(*) FROM users WHERE age > ?1 AND age < ?3",
                                   std::int64_t(int, int, int)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<count_band>(20, 0, 40);
}
