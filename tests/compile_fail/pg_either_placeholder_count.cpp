// The PostgreSQL text of either<> is checked against the same signature as the SQLite text:
// here it has two placeholders where the signature declares one parameter.
// expect: sqlproof: the query's SQL has a different number of placeholders than its signature declares parameters
// expect: in_sql<2>
#include <sqlproof/query.hpp>

#include <string>

#ifdef SQLPROOF_COMPILE_FAIL_FIXED  // $1 in both places
using names_in = sqlproof::query<
    sqlproof::either<"SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))",
                     "SELECT name FROM users WHERE id IN "
                     "(SELECT value::int8 FROM jsonb_array_elements_text($1::jsonb))">,
    std::string(std::string)>;
#else
using names_in = sqlproof::query<
    sqlproof::either<"SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?))",
                     "SELECT name FROM users WHERE id IN "
                     "(SELECT value::int8 FROM jsonb_array_elements_text($2::jsonb)) OR $1 = ''">,
    std::string(std::string)>;
#endif
static_assert(sqlproof::checked<names_in>);

int main() {}
