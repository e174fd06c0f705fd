// A reversible migration with PostgreSQL's up text but not its down text: the PostgreSQL
// migrator could not revert it with the right SQL.
// expect: sqlproof: a reversible migration with up_for<dialect::postgres>(...) needs down_for<dialect::postgres>(...) too
// expect: postgres_down_matches_sqlite_down<4>
#include <sqlproof/migration.hpp>

namespace sp = sqlproof;

constexpr auto schema = sp::migrations(sp::migration<4, "create b">(
    sp::up("CREATE TABLE b (x BLOB)"), sp::down("DROP TABLE b"),
    sp::up_for<sp::dialect::postgres>("CREATE TABLE b (x bytea)")
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
        , sp::down_for<sp::dialect::postgres>("DROP TABLE b")
#endif
        ));

int main() { return static_cast<int>(schema.size); }
