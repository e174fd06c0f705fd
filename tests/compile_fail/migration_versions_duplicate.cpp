// expect: sqlproof: two migrations have the same version
// expect: versions_unique<2, 2>
// Two migrations with one version: the message names the version.
#include <sqlproof/migration.hpp>

namespace sp = sqlproof;

constexpr auto schema = sp::migrations(
    sp::migration<1, "create a">(sp::up("CREATE TABLE a (x)"), sp::down("DROP TABLE a")),
    sp::migration<2, "create b">(sp::up("CREATE TABLE b (x)"), sp::down("DROP TABLE b")),
    sp::migration<2, "create c">(sp::up("CREATE TABLE c (x)"), sp::down("DROP TABLE c")));

int main() { return static_cast<int>(schema.size); }
