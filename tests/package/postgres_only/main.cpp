// A program that uses sqlproof on PostgreSQL only: typed queries, a mapped row, a transaction.
// It must build without SQLite. With SQLPROOF_PG_CONNINFO set it also runs against that
// server (in a schema of its own); without, building is the test.
#include <sqlproof/postgres.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

struct item {
  std::int64_t id;
  std::string name;
};

template <>
struct sqlproof::table_traits<item> {
  static constexpr sqlproof::fixed_string name = "items";
  static constexpr auto columns = sqlproof::column_names("id", "name");
};

using add_item = sqlproof::query<"INSERT INTO items (name) VALUES (?) RETURNING id",
                                 std::int64_t(std::string_view)>;
using find_item = sqlproof::query<"SELECT id, name FROM items WHERE id = ?", item(std::int64_t)>;
using ids_in = sqlproof::pg::query<"SELECT count(*) FROM items WHERE id = ANY($1)",
                                   std::int64_t(std::vector<std::int64_t>)>;

int main() {
  const char* conninfo = std::getenv("SQLPROOF_PG_CONNINFO");
  if (conninfo == nullptr || *conninfo == '\0') {
    std::puts("postgres_only consumer ok: built (no SQLPROOF_PG_CONNINFO, nothing to run against)");
    return 0;
  }
  sqlproof::pg::database db{conninfo};
  db.exec_script("DROP SCHEMA IF EXISTS sqlproof_package CASCADE; CREATE SCHEMA sqlproof_package;"
                 "SET search_path TO sqlproof_package;"
                 "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                 "                    name text NOT NULL)");
  const std::int64_t id = db.transaction([&] { return db.one<add_item>("bolt").value(); });
  const std::optional<item> found = db.one<find_item>(id);
  const std::int64_t n = db.one<ids_in>(std::vector<std::int64_t>{id, id + 100}).value_or(0);
  db.exec_script("DROP SCHEMA sqlproof_package CASCADE");
  if (!found || found->name != "bolt" || n != 1) {
    std::puts("postgres_only consumer: wrong results");
    return 1;
  }
  std::puts("postgres_only consumer ok");
  return 0;
}
