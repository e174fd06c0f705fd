// An INSERT without RETURNING declared with a row type.
// expect: sqlproof: the query's SQL returns no rows (no SELECT list or RETURNING clause) but its row type is not void
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string_view>

using add_user =
    sqlproof::query<"INSERT INTO users (name) VALUES (?)", std::int64_t(std::string_view)>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<add_user>("Ann");
}
