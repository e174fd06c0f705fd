// expect: sqlproof: migration versions must be strictly increasing
// expect: versions_strictly_increasing<3, 2>
// Migrations must be listed in increasing version order; the message names both versions.
#include <sqlproof/migration.hpp>

namespace sp = sqlproof;

constexpr auto schema = sp::migrations(
    sp::migration<1, "create a">(sp::up("CREATE TABLE a (x)"), sp::down("DROP TABLE a")),
    sp::migration<3, "create c">(sp::up("CREATE TABLE c (x)"), sp::down("DROP TABLE c")),
    sp::migration<2, "create b">(sp::up("CREATE TABLE b (x)"), sp::down("DROP TABLE b")));

int main() { return static_cast<int>(schema.size); }
