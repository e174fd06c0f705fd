// requires: libpq
// Code ported from SQLite reads exec_result::last_insert_rowid, which PostgreSQL does not
// have: the message says to use RETURNING id with one().
// expect: sqlproof: PostgreSQL has no last_insert_rowid; add RETURNING id to the INSERT and read it with one()
#include <sqlproof/postgres.hpp>

#include <cstdint>
#include <string_view>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED
using add_user = sqlproof::query<"INSERT INTO users (name) VALUES (?) RETURNING id",
                                 std::int64_t(std::string_view)>;
std::int64_t add(sqlproof::pg::database& db) { return db.one<add_user>("Ann").value(); }
#else
using add_user = sqlproof::query<"INSERT INTO users (name) VALUES (?)", void(std::string_view)>;
std::int64_t add(sqlproof::pg::database& db) {
  const auto r = db.exec<add_user>("Ann");
  return r.last_insert_rowid;
}
#endif

int main() {}
