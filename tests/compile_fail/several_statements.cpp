// A query holds one statement; a script belongs in database::exec_script.
// expect: sqlproof: a query holds exactly one SQL statement
#include <sqlproof/sqlproof.hpp>

using reset_users = sqlproof::query<"DELETE FROM users; DELETE FROM groups", void()>;

int main() {
  sqlproof::database db{":memory:"};
  db.exec<reset_users>();
}
