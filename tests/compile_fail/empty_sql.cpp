// SQL that holds only white space and a comment.
// expect: sqlproof: the query's SQL is empty
#include <sqlproof/sqlproof.hpp>

using nothing = sqlproof::query<"  -- to do\n", void()>;

int main() {
  sqlproof::database db{":memory:"};
  db.exec<nothing>();
}
