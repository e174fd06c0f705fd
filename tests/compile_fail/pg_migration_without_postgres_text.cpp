// A compile-time list whose second migration has only SQLite's text, given to a PostgreSQL
// migrator: the message names the version and the two ways out.
// requires: libpq
// expect: sqlproof: this migration has only SQLite's text; give it PostgreSQL's with up_for<dialect::postgres>(...) and down_for<dialect::postgres>(...), or mark it sqlproof::portable
// expect: migration_has_text_for_postgres<2>
#include <sqlproof/postgres/migration.hpp>

namespace sp = sqlproof;

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // PostgreSQL's own text
constexpr auto schema = sp::migrations(
    sp::migration<1, "create a">(sp::up("CREATE TABLE a (x integer)"), sp::down("DROP TABLE a"),
                                 sp::portable),
    sp::migration<2, "create b">(sp::up("CREATE TABLE b (x BLOB)"), sp::down("DROP TABLE b"),
                                 sp::up_for<sp::dialect::postgres>("CREATE TABLE b (x bytea)"),
                                 sp::down_for<sp::dialect::postgres>("DROP TABLE b")));
#else
constexpr auto schema = sp::migrations(
    sp::migration<1, "create a">(sp::up("CREATE TABLE a (x integer)"), sp::down("DROP TABLE a"),
                                 sp::portable),
    sp::migration<2, "create b">(sp::up("CREATE TABLE b (x BLOB)"), sp::down("DROP TABLE b")));
#endif

int main() {
  sp::pg::database db{"dbname=app"};
  sp::pg::migrator m{db, schema};
  return static_cast<int>(m.migrations().size());
}
