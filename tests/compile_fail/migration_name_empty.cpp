// expect: sqlproof: a migration's name must not be empty
// expect: migration_name_not_empty<4, true>
// Every migration says what it does.
#include <sqlproof/migration.hpp>

namespace sp = sqlproof;

constexpr auto schema = sp::migrations(
    sp::migration<4, "">(sp::up("CREATE TABLE a (x)"), sp::down("DROP TABLE a")));

int main() { return static_cast<int>(schema.size); }
