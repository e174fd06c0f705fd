// A program that carries its own schema and migrates its database from the command line:
//
//   migrate_cli                  # status (the default command)
//   migrate_cli up               # apply pending migrations, with timing
//   migrate_cli --json status    # the same table as JSON
//   migrate_cli down 2 | to 1 | redo | verify | reset | baseline 2 | repair 3 | dry-run
//
// The exit code tells a deploy script what happened (sqlproof::cli::exit_code).

#include <sqlproof/cli.hpp>
#include <sqlproof/migration.hpp>

#include <cstdlib>
#include <string>

namespace sp = sqlproof;

constexpr auto schema = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (\n"
               "  id    INTEGER PRIMARY KEY,\n"
               "  name  TEXT NOT NULL,\n"
               "  email TEXT UNIQUE\n"
               ")"),
        sp::down("DROP TABLE users")),
    sp::migration<2, "create posts">(
        sp::up("CREATE TABLE posts (\n"
               "  id      INTEGER PRIMARY KEY,\n"
               "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
               "  title   TEXT NOT NULL\n"
               ")",
               "CREATE INDEX posts_user ON posts(user_id)"),
        sp::down("DROP TABLE posts")),
    // A table rebuild (https://sqlite.org/lang_altertable.html#otheralter): foreign keys are
    // turned off before the transaction so that dropping `users` does not cascade to posts.
    sp::migration<3, "require user emails">(
        sp::up("CREATE TABLE users_new (\n"
               "  id    INTEGER PRIMARY KEY,\n"
               "  name  TEXT NOT NULL,\n"
               "  email TEXT NOT NULL UNIQUE\n"
               ")",
               "INSERT INTO users_new SELECT id, name, coalesce(email, name || '@example.org') "
               "FROM users",
               "DROP TABLE users",
               "ALTER TABLE users_new RENAME TO users"),
        sp::irreversible(), sp::foreign_keys_off),
    // journal_mode cannot change inside a transaction.
    sp::migration<4, "switch to WAL">(sp::up("PRAGMA journal_mode = WAL"),
                                      sp::down("PRAGMA journal_mode = DELETE"),
                                      sp::outside_transaction));

int main(int argc, char** argv) {
  const char* path = std::getenv("MIGRATE_CLI_DB");
  sp::database db{path != nullptr ? path : "migrate_cli.db"};
  return sp::cli::run(argc, argv, db, schema);
}
