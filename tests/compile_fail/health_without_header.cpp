// database::health() is compiled only where health.hpp is included; without it, calling it
// says which header to add.
// expect: sqlproof: database::health() needs #include <sqlproof/health.hpp>
#include <sqlproof/database.hpp>
#include <sqlproof/maintenance.hpp>
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
#include <sqlproof/health.hpp>
#endif

int main() {
  sqlproof::database db{":memory:"};
  static_cast<void>(db.health());
}
