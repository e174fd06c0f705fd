// A typo in the statement's first word is caught at compile time instead of at prepare time.
// expect: sqlproof: the query's SQL does not start with an SQL statement keyword
#include <sqlproof/sqlproof.hpp>

#include <string>

using misspelt = sqlproof::query<"SELEC name FROM users", std::string()>;

int main() {
  sqlproof::database db{":memory:"};
  return db.one<misspelt>().has_value() ? 0 : 1;
}
