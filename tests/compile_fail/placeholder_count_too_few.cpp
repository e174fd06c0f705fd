// A query whose signature declares more parameters than its SQL has placeholders.
// expect: sqlproof: the query's SQL has a different number of placeholders than its signature declares parameters
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <string_view>

using add_user =
    sqlproof::query<"INSERT INTO users (name) VALUES (?)", void(std::string_view, int)>;

int main() {
  sqlproof::database db{":memory:"};
  db.exec<add_user>("Ann", 31);
}
