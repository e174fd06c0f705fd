// A RETURNING clause with more columns than the row type has fields.
// expect: sqlproof: the query's SELECT list (or RETURNING clause) has a different number of columns than its row type has fields
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string_view>

using add_user = sqlproof::query<"INSERT INTO users (name) VALUES (?) RETURNING id, name",
                                 std::int64_t(std::string_view)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<add_user>("Ann");
}
