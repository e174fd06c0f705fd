// Migrations built while the program runs: a runtime_migration_list, for lists that are
// long, generated, or read from files (one type per migration, as `migrations(...)` makes,
// does not scale to a thousand). The same migrator and cli::run accept it, and a migration
// has the same checksum in either kind of list.

#include <sqlproof/cli.hpp>
#include <sqlproof/migration.hpp>

#include <cstdint>
#include <iostream>
#include <string>

namespace sp = sqlproof;

// [definition]
// One migration per tenant table, plus two written out: built in code, checked as they are
// added (versions strictly increasing, names not empty; a mistake throws migration_error).
sp::runtime_migration_list schema(int tenants) {
  sp::runtime_migration_list list;
  list.add(1, "create users",
           sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
           sp::down("DROP TABLE users"));
  for (int t = 1; t <= tenants; ++t) {
    const std::string table = "tenant_" + std::to_string(t);
    list.add({.version = 1 + t,
              .name = "create " + table,
              .up = {"CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, v TEXT)"},
              .down = {"DROP TABLE " + table}});
  }
  list.add(2 + tenants, "index users by name", sp::up("CREATE INDEX users_name ON users(name)"),
           sp::irreversible());
  return list;
}
// [definition]

int main() {
  // The same migration, compile-time and run-time: equal checksums.
  constexpr auto users = sp::migration<1, "create users">(
      sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
      sp::down("DROP TABLE users"));

  // [run]
  const sp::runtime_migration_list list = schema(1000);  // must outlive the migrator
  sp::database db{":memory:"};
  sp::migrator m{db, list};
  const sp::migration_report r = m.migrate();
  std::cout << "applied " << r.steps.size() << " migrations in " << r.total.count()
            << " ms; user_version " << r.to_version << '\n';
  // [run]

  if (list.migrations()[0].checksum != users.checksum().view()) return 1;
  if (r.steps.size() != 1002 || !m.verify().ok()) return 1;

  // The command line works the same over a run-time list.
  const char* down[] = {"migrations_from_code", "down"};
  if (sp::cli::run(2, down, db, list) != sp::cli::failure) return 1;  // 1002 is irreversible
  const char* status[] = {"migrations_from_code", "verify"};
  return sp::cli::run(2, status, db, list);  // "✓ verified: 1002 applied, 0 pending", exit 0
}
