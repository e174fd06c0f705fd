// database's maintenance members (backup, checkpoint, stats, trace, explain ...) are compiled
// only where maintenance.hpp is included; without it, using one says which header to add.
// expect: sqlproof: database's backup, restore, checkpoint, vacuum, integrity check, stats, trace and explain members need #include <sqlproof/maintenance.hpp>
#include <sqlproof/database.hpp>

int main() {
  sqlproof::database db{":memory:"};
  db.optimize();
}
