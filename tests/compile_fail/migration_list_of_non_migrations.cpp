// expect: sqlproof: migrations(...) takes values made by sqlproof::migration<Version,
// migrations(...) takes migration definitions, not bare up(...) statements.
#include <sqlproof/migration.hpp>

namespace sp = sqlproof;

constexpr auto schema = sp::migrations(sp::up("CREATE TABLE a (x)"));

int main() { return static_cast<int>(schema.size); }
