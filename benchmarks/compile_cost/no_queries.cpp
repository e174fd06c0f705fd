// The part of the W1-W4 file that runs no query: open a database, run a script, commit a
// transaction (scripts/compile_cost.sh). What it costs to compile is what every file that uses a
// database pays before its first query: the headers and the library's own code (opening and
// configuring a connection, errors, scripts, transactions), compiled again in each such file.
#include <sqlproof/database.hpp>

int main() {
  sqlproof::database db(":memory:");
  db.exec_script(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, "
      "age INTEGER NOT NULL, score REAL NOT NULL)");
  db.transaction([&] { db.exec_script("DELETE FROM users"); });
}
