// A query written in PostgreSQL's dialect, run on a SQLite database.
// expect: sqlproof: this query is written in PostgreSQL's dialect; run it on a sqlproof::pg::database
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // a portable query
using tagged = sqlproof::query<"SELECT count(*) FROM docs WHERE tag = ?", std::int64_t(std::string)>;
#else
using tagged = sqlproof::pg::query<"SELECT count(*) FROM docs WHERE tags ? $1", std::int64_t(std::string)>;
#endif

int main() {
  sqlproof::database db{":memory:"};
  (void)db.one<tagged>(std::string("a"));
}
