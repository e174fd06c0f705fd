// expect: sqlproof: a migration version must be between 1 and 2147483647
// expect: migration_version_in_range<0>
// Version 0 is what PRAGMA user_version holds before any migration ran.
#include <sqlproof/migration.hpp>

namespace sp = sqlproof;

constexpr auto schema = sp::migrations(
    sp::migration<0, "create a">(sp::up("CREATE TABLE a (x)"), sp::down("DROP TABLE a")));

int main() { return static_cast<int>(schema.size); }
