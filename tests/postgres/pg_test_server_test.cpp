// Tests for tests/support/pg_test_server.hpp, the plumbing every PostgreSQL test stands on:
// each test case gets a schema of its own (t_<pid>_<n>) that its sessions search first, what
// one test case creates is invisible to another, and the schema is gone once its guard is.

#include <set>
#include <string>
#include <unistd.h>

#include "../catch.hpp"
#include "../support/pg_test_server.hpp"

namespace {

using sqlproof_test::pg_connection;
using sqlproof_test::pg_server_conninfo;
using sqlproof_test::pg_test_error;
using sqlproof_test::pg_test_schema;

// Every schema name handed out in this program, across test cases.
std::set<std::string>& names_seen() {
  static std::set<std::string> names;
  return names;
}

bool schema_exists(const std::string& name) {
  const pg_connection admin{pg_server_conninfo()};
  return admin.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = '" + name + "'") == "1";
}

// The SQLSTATE a statement fails with, or "" when it succeeds.
std::string sqlstate_of(const pg_connection& db, const std::string& sql) {
  try {
    db.exec(sql);
    return "";
  } catch (const pg_test_error& e) {
    return e.sqlstate();
  }
}

}  // namespace

TEST_CASE("a test schema is named t_<pid>_<n> and is its sessions' search_path", "[pg]") {
  const pg_test_schema schema;
  const std::string prefix = "t_" + std::to_string(::getpid()) + "_";
  REQUIRE(schema.name().rfind(prefix, 0) == 0);
  REQUIRE(schema.name().size() > prefix.size());
  CHECK(names_seen().insert(schema.name()).second);
  CHECK(schema_exists(schema.name()));

  const auto db = schema.connect();
  CHECK(db.scalar("SELECT current_schema()") == schema.name());
  CHECK(db.scalar("SHOW search_path") == schema.name());
  db.exec("CREATE TABLE items (id int8 PRIMARY KEY, label text NOT NULL)");
  CHECK(db.scalar("SELECT table_schema FROM information_schema.tables WHERE table_name = 'items'"
                  " AND table_schema = current_schema()") == schema.name());
}

TEST_CASE("two test schemas do not see each other's tables", "[pg]") {
  const pg_test_schema first;
  const pg_test_schema second;
  REQUIRE(first.name() != second.name());
  CHECK(names_seen().insert(first.name()).second);
  CHECK(names_seen().insert(second.name()).second);

  const auto a = first.connect();
  const auto b = second.connect();
  a.exec("CREATE TABLE items (id int8 PRIMARY KEY)");
  a.exec("INSERT INTO items VALUES (1), (2)");

  CHECK(a.scalar("SELECT count(*) FROM items") == "2");
  CHECK(sqlstate_of(b, "SELECT count(*) FROM items") == "42P01");  // undefined_table

  // The same name in the other schema is another table.
  b.exec("CREATE TABLE items (id int8 PRIMARY KEY)");
  CHECK(b.scalar("SELECT count(*) FROM items") == "0");
  CHECK(a.scalar("SELECT count(*) FROM items") == "2");
}

TEST_CASE("a test schema is dropped, with its tables, when its guard goes away", "[pg]") {
  std::string name;
  {
    const pg_test_schema schema;
    name = schema.name();
    CHECK(names_seen().insert(name).second);
    const auto db = schema.connect();
    db.exec("CREATE TABLE items (id int8 PRIMARY KEY)");
    db.exec("CREATE VIEW item_ids AS SELECT id FROM items");
    REQUIRE(schema_exists(name));
  }
  CHECK_FALSE(schema_exists(name));
  const pg_connection admin{pg_server_conninfo()};
  CHECK(admin.scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                     "c.relnamespace WHERE n.nspname = '" + name + "'") == "0");
}

TEST_CASE("the search_path is added to the server's connection string in either form", "[pg]") {
  using sqlproof_test::pg_conninfo_with_search_path;
  const auto from_pairs =
      pg_conninfo_with_search_path("host=/tmp/a dbname=postgres user=postgres", "t_1_2");
  CHECK(from_pairs.find("host='/tmp/a'") != std::string::npos);
  CHECK(from_pairs.find("dbname='postgres'") != std::string::npos);
  CHECK(from_pairs.find("options='-csearch_path=t_1_2'") != std::string::npos);

  const auto from_uri =
      pg_conninfo_with_search_path("postgresql:///postgres?host=/tmp/b&options=-cwork_mem%3D8MB",
                                   "t_3_4");
  CHECK(from_uri.find("host='/tmp/b'") != std::string::npos);
  CHECK(from_uri.find("options='-cwork_mem=8MB -csearch_path=t_3_4'") != std::string::npos);

  CHECK_THROWS_AS(pg_conninfo_with_search_path("host='unterminated", "t_5_6"), pg_test_error);

  // What the tests actually connect with works against the server.
  const pg_test_schema schema;
  CHECK(names_seen().insert(schema.name()).second);
  const pg_connection db{pg_conninfo_with_search_path(pg_server_conninfo(), schema.name())};
  CHECK(db.scalar("SELECT current_schema()") == schema.name());
}
