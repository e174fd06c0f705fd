// A compile-time list with a foreign_keys_off migration, given to a PostgreSQL migrator:
// refused with the version, instead of silently running with foreign keys on.
// requires: libpq
// expect: sqlproof: foreign_keys_off is SQLite-only (PostgreSQL has no per-session switch for foreign keys)
// expect: migration_flags_supported_by_postgres<3>
#include <sqlproof/postgres/migration.hpp>

namespace sp = sqlproof;

constexpr auto schema = sp::migrations(
    sp::migration<1, "create a">(sp::up("CREATE TABLE a (x integer PRIMARY KEY)"),
                                 sp::down("DROP TABLE a"), sp::portable),
    sp::migration<3, "rebuild a">(sp::up("CREATE TABLE a2 (x integer PRIMARY KEY)",
                                         "INSERT INTO a2 SELECT x FROM a", "DROP TABLE a",
                                         "ALTER TABLE a2 RENAME TO a"),
                                  sp::irreversible(), sp::portable
#ifndef SQLPROOF_COMPILE_FAIL_FIXED
                                  , sp::foreign_keys_off
#endif
                                  ));

int main() {
  sp::pg::database db{"dbname=app"};
  sp::basic_migrator m{db, schema};  // deduces pg::migrator
  return static_cast<int>(m.migrations().size());
}
