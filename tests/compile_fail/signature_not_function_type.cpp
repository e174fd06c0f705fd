// The second argument of query<> must be a function type Row(Params...).
// expect: sqlproof: the second argument of query<> is a function type Row(Params...)
#include <sqlproof/sqlproof.hpp>

#include <string>

using names = sqlproof::query<"SELECT name FROM users", std::string>;

int main() {
  sqlproof::database db{":memory:"};
  (void)db.all<names>();
}
