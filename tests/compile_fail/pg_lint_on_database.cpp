// requires: libpq
// A portable query that uses json_each, run on pg::database: the lint reports it where the
// query is used, within the first lines of the compiler's output.
// expect: sqlproof: the query, written in SQLite's dialect, uses SQL that PostgreSQL does not accept or reads differently
#include <sqlproof/postgres.hpp>

#include <string>
#include <vector>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // PostgreSQL's own text for it
using names_in = sqlproof::query<
    sqlproof::either<"SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))",
                     "SELECT name FROM users WHERE id = ANY($1)">,
    std::string(std::vector<std::int64_t>)>;
#else
using names_in =
    sqlproof::query<"SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))",
                    std::string(std::vector<std::int64_t>)>;
#endif

std::vector<std::string> names(sqlproof::pg::database& db) {
  return db.all<names_in>(std::vector<std::int64_t>{1, 2});
}

int main() {}
