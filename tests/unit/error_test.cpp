// Tests for include/sqlproof/error.hpp: each failure SQLite reports arrives as the matching
// class of the hierarchy, carrying SQLite's extended code and message, the SQL and the query.

#include <sqlproof/database.hpp>
#include <sqlproof/error.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../catch.hpp"
#include "support/scratch_dir.hpp"

namespace {

struct scratch_directory : sqlproof_test::scratch_dir {
  scratch_directory() : sqlproof_test::scratch_dir("error") {}
};


namespace sp = sqlproof;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

constexpr const char* schema =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE);"
    "CREATE TABLE posts (id INTEGER PRIMARY KEY,"
    "                    user_id INTEGER NOT NULL REFERENCES users(id), title TEXT);";

struct add_user : sp::query<"INSERT INTO users (name, email) VALUES (?, ?)",
                            void(std::optional<std::string_view>, std::optional<std::string_view>)> {};
using add_post = sp::query<"INSERT INTO posts (user_id, title) VALUES (?, ?)",
                           void(std::int64_t, std::string_view)>;
using count_users = sp::query<"SELECT count(*) FROM users", std::int64_t()>;
using all_names = sp::query<"SELECT name FROM users ORDER BY id", std::string()>;

}  // namespace

TEST_CASE("error: every class derives from sqlproof::error and std::runtime_error", "[error]") {
  STATIC_REQUIRE(std::is_base_of_v<std::runtime_error, sp::error>);
  STATIC_REQUIRE(std::is_base_of_v<sp::error, sp::open_error>);
  STATIC_REQUIRE(std::is_base_of_v<sp::error, sp::constraint_error>);
  STATIC_REQUIRE(std::is_base_of_v<sp::error, sp::busy_error>);
  STATIC_REQUIRE(std::is_base_of_v<sp::error, sp::type_error>);
  STATIC_REQUIRE(std::is_base_of_v<sp::error, sp::schema_error>);
  STATIC_REQUIRE(std::is_base_of_v<sp::error, sp::misuse_error>);

  const sp::error e("summary", {2067, "UNIQUE constraint failed: t.x", "INSERT INTO t VALUES (1)",
                                "add_t"});
  CHECK(e.summary() == "summary");
  CHECK(e.extended_code() == 2067);
  CHECK(e.primary_code() == 19);
  CHECK(e.sqlite_message() == "UNIQUE constraint failed: t.x");
  CHECK(e.sql() == "INSERT INTO t VALUES (1)");
  CHECK(e.query_name() == "add_t");
  CHECK(std::string(e.what()) ==
        "summary: UNIQUE constraint failed: t.x [SQLite code 2067] in query add_t: "
        "INSERT INTO t VALUES (1)");

  const sp::error bare("only a summary", {});
  CHECK(std::string(bare.what()) == "only a summary");
  CHECK(bare.extended_code() == 0);
  CHECK(bare.primary_code() == 0);
  const sp::error dynamic("failed", {1, "oops", "SELECT 1", {}});
  CHECK(std::string(dynamic.what()) == "failed: oops [SQLite code 1] in SQL: SELECT 1");

  const sp::type_error te("bad value", {}, 3, "price");
  CHECK(te.column() == 3);
  CHECK(te.column_name() == "price");
}

TEST_CASE("error: a UNIQUE violation is a constraint_error with code 2067", "[error]") {
  sp::database db{":memory:"};
  db.exec_script(schema);
  (void)db.exec<add_user>("Ann", "ann@example.org");
  try {
    (void)db.exec<add_user>("Other Ann", "ann@example.org");
    FAIL("duplicate email was inserted");
  } catch (const sp::constraint_error& e) {
    CHECK(e.extended_code() == 2067);  // SQLITE_CONSTRAINT_UNIQUE
    CHECK(e.primary_code() == 19);     // SQLITE_CONSTRAINT
    CHECK(contains(e.sqlite_message(), "UNIQUE"));
    CHECK(contains(e.sqlite_message(), "users.email"));
    CHECK(e.sql() == add_user::sql);
    CHECK(contains(e.query_name(), "add_user"));
    CHECK(contains(e.what(), "UNIQUE"));
    CHECK(contains(e.what(), "2067"));
    CHECK(contains(e.what(), "INSERT INTO users (name, email) VALUES (?, ?)"));
  }
  CHECK(db.one<count_users>() == std::optional<std::int64_t>(1));
  // The connection and the cached statement are fine afterwards.
  CHECK(db.exec<add_user>("Bo", "bo@example.org").changes == 1);
  CHECK(db.one<count_users>() == std::optional<std::int64_t>(2));
}

TEST_CASE("error: a NOT NULL violation is a constraint_error with code 1299", "[error]") {
  sp::database db{":memory:"};
  db.exec_script(schema);
  try {
    (void)db.exec<add_user>(std::nullopt, "x@example.org");
    FAIL("NULL name was inserted");
  } catch (const sp::constraint_error& e) {
    CHECK(e.extended_code() == 1299);  // SQLITE_CONSTRAINT_NOTNULL
    CHECK(e.primary_code() == 19);
    CHECK(contains(e.sqlite_message(), "NOT NULL"));
    CHECK(contains(e.sqlite_message(), "users.name"));
    CHECK(e.sql() == add_user::sql);
  }
  CHECK(db.one<count_users>() == std::optional<std::int64_t>(0));
}

TEST_CASE("error: a FOREIGN KEY violation is a constraint_error with code 787", "[error]") {
  sp::database db{":memory:"};  // foreign_keys is ON by default
  db.exec_script(schema);
  (void)db.exec<add_user>("Ann", std::nullopt);
  CHECK(db.exec<add_post>(std::int64_t{1}, "hello").changes == 1);
  try {
    (void)db.exec<add_post>(std::int64_t{42}, "orphan");
    FAIL("a post referring to a missing user was inserted");
  } catch (const sp::constraint_error& e) {
    CHECK(e.extended_code() == 787);  // SQLITE_CONSTRAINT_FOREIGNKEY
    CHECK(e.primary_code() == 19);
    CHECK(contains(e.sqlite_message(), "FOREIGN KEY"));
    CHECK(e.sql() == add_post::sql);
    CHECK_FALSE(e.query_name().empty());
  }

  SECTION("with foreign_keys off the same insert succeeds") {
    sp::options o;
    o.foreign_keys = false;
    sp::database lax{":memory:", o};
    lax.exec_script(schema);
    CHECK(lax.exec<add_post>(std::int64_t{42}, "orphan").changes == 1);
  }
}

TEST_CASE("error: a path in a missing directory is an open_error naming the path", "[error]") {
  const scratch_directory dir;
  const std::string path = dir.file("no_such_directory/app.db");
  try {
    sp::database db{path};
    FAIL("a database was opened in a missing directory");
  } catch (const sp::open_error& e) {
    CHECK(contains(e.what(), path));
    CHECK_FALSE(e.sqlite_message().empty());
    CHECK(contains(e.what(), e.sqlite_message()));
    CHECK(contains(e.sqlite_message(), "unable to open"));
    CHECK(e.primary_code() == 14);  // SQLITE_CANTOPEN
  }

  SECTION("a file that is not a database") {
    const std::string junk = dir.file("junk.db");
    {
      std::FILE* f = std::fopen(junk.c_str(), "wb");
      REQUIRE(f != nullptr);
      const std::string text(4096, 'x');
      std::fwrite(text.data(), 1, text.size(), f);
      std::fclose(f);
    }
    try {
      sp::database db{junk};
      (void)db.one<count_users>();
      FAIL("a text file was used as a database");
    } catch (const sp::error& e) {
      CHECK(e.primary_code() == 26);  // SQLITE_NOTADB
      CHECK(contains(e.sqlite_message(), "not a database"));
    }
  }
  SECTION("read_only together with create is refused before opening") {
    sp::options o;
    o.read_only = true;
    CHECK_THROWS_AS(sp::database(dir.file("ro.db"), o), sp::open_error);
    CHECK_FALSE(std::filesystem::exists(dir.file("ro.db")));
  }
}

TEST_CASE("error: a syntax error in prepare_cached names the SQL", "[error]") {
  sp::database db{":memory:"};
  const std::string sql = "SELEC name FROM nowhere";
  try {
    (void)db.prepare_cached(sql);
    FAIL("invalid SQL was prepared");
  } catch (const sp::error& e) {
    CHECK(e.primary_code() == 1);  // SQLITE_ERROR
    CHECK(contains(e.sqlite_message(), "syntax error"));
    CHECK(e.sql() == sql);
    CHECK(contains(e.what(), sql));
    CHECK(e.query_name().empty());
  }
  try {
    (void)db.prepare("SELECT * FROM missing_table");
    FAIL("a missing table was prepared");
  } catch (const sp::error& e) {
    CHECK(contains(e.sqlite_message(), "no such table: missing_table"));
    CHECK(contains(e.what(), "SELECT * FROM missing_table"));
  }
  // Nothing was cached or left checked out by the failures.
  CHECK(db.cache().stats().dynamic == 0);
  CHECK(db.cache().in_use() == 0);
  // Several statements are refused by prepare: exec_script is for that.
  CHECK_THROWS_AS(db.prepare_cached("SELECT 1; SELECT 2"), sp::misuse_error);
  CHECK(db.cache().in_use() == 0);
}

TEST_CASE("error: exec_script names the failing statement; earlier ones stay applied",
          "[error]") {
  sp::database db{":memory:"};
  SECTION("a statement that does not prepare") {
    try {
      db.exec_script(
          "CREATE TABLE a (x INTEGER);\n"
          "INSERT INTO a VALUES (1);\n"
          "INSERT INTO missing VALUES (2);\n"
          "INSERT INTO a VALUES (3);");
      FAIL("the script ran past an invalid statement");
    } catch (const sp::error& e) {
      CHECK(contains(e.sqlite_message(), "no such table: missing"));
      CHECK(contains(e.sql(), "INSERT INTO missing VALUES (2)"));
      CHECK_FALSE(contains(e.sql(), "INSERT INTO a VALUES (1)"));
      CHECK_FALSE(contains(e.sql(), "(3)"));
      CHECK(contains(e.what(), "INSERT INTO missing VALUES (2)"));
    }
    using values = sp::query<"SELECT x FROM a ORDER BY x", int()>;
    CHECK(db.all<values>() == std::vector<int>{1});
  }
  SECTION("a statement that fails when run") {
    try {
      db.exec_script(
          "CREATE TABLE b (x INTEGER UNIQUE);"
          "INSERT INTO b VALUES (1);"
          "INSERT INTO b VALUES (1);"
          "INSERT INTO b VALUES (2);");
      FAIL("the script ran past a failing statement");
    } catch (const sp::constraint_error& e) {
      CHECK(e.extended_code() == 2067);
      CHECK(contains(e.sql(), "INSERT INTO b VALUES (1)"));
      CHECK_FALSE(contains(e.sql(), "CREATE TABLE"));
      CHECK_FALSE(contains(e.sql(), "(2)"));
    }
    using values = sp::query<"SELECT x FROM b ORDER BY x", int()>;
    CHECK(db.all<values>() == std::vector<int>{1});
  }
}

TEST_CASE("error: a write blocked by another connection's write lock is a busy_error",
          "[error]") {
  const scratch_directory dir;
  const std::string path = dir.file("busy.db");
  sp::options impatient;
  impatient.busy_timeout = std::chrono::milliseconds{0};
  sp::database first{path, impatient};
  first.exec_script(schema);
  sp::database second{path, impatient};

  {
    auto tx = first.begin(sp::tx_mode::immediate);
    (void)first.exec<add_user>("held", std::nullopt);
    try {
      (void)second.exec<add_user>("blocked", std::nullopt);
      FAIL("a second writer got in during BEGIN IMMEDIATE");
    } catch (const sp::busy_error& e) {
      CHECK(e.primary_code() == 5);  // SQLITE_BUSY
      CHECK(contains(e.sqlite_message(), "locked"));
      CHECK(e.sql() == add_user::sql);
      CHECK(contains(e.query_name(), "add_user"));
    }
    CHECK_THROWS_AS(second.begin(sp::tx_mode::immediate), sp::busy_error);
    CHECK_FALSE(second.in_transaction());
    tx.commit();
  }
  // With the lock released the second connection writes, and sees the first one's row.
  CHECK(second.exec<add_user>("after", std::nullopt).changes == 1);
  CHECK(second.all<all_names>() == std::vector<std::string>{"held", "after"});
  CHECK(second.cache().in_use() == 0);
}

TEST_CASE("error: using a closed database is a misuse_error", "[error]") {
  sp::database db{":memory:"};
  db.exec_script(schema);
  REQUIRE(db.is_open());
  db.close();
  CHECK_FALSE(db.is_open());
  db.close();  // closing twice does nothing
  CHECK_FALSE(db.is_open());
  CHECK_THROWS_AS(db.one<count_users>(), sp::misuse_error);
  CHECK_THROWS_AS(db.exec<add_user>("x", std::nullopt), sp::misuse_error);
  CHECK_THROWS_AS(db.exec_script("SELECT 1"), sp::misuse_error);
  CHECK_THROWS_AS(db.prepare_cached("SELECT 1"), sp::misuse_error);
  CHECK_THROWS_AS(db.begin(), sp::misuse_error);
  try {
    (void)db.all<all_names>();
    FAIL("a closed database ran a query");
  } catch (const sp::misuse_error& e) {
    CHECK(contains(e.what(), "closed"));
  }

  SECTION("a moved-from database counts as closed") {
    sp::database source{":memory:"};
    sp::database target = std::move(source);
    CHECK(target.is_open());
    CHECK_FALSE(source.is_open());  // NOLINT(bugprone-use-after-move): the point of the test
    CHECK_THROWS_AS(source.exec_script("SELECT 1"), sp::misuse_error);
  }
}

TEST_CASE("error: close() while a row_range is alive is a misuse_error", "[error]") {
  sp::database db{":memory:"};
  db.exec_script(schema);
  (void)db.exec<add_user>("Ann", std::nullopt);
  (void)db.exec<add_user>("Bo", std::nullopt);
  {
    auto rows = db.iter<all_names>();
    auto it = rows.begin();
    REQUIRE(!(it == std::default_sentinel));
    CHECK(*it == "Ann");
    try {
      db.close();
      FAIL("close() succeeded with a statement in use");
    } catch (const sp::misuse_error& e) {
      CHECK(contains(e.what(), "still in use"));
    }
    CHECK(db.is_open());
    // The range still works after the refused close.
    ++it;
    REQUIRE(!(it == std::default_sentinel));
    CHECK(*it == "Bo");
  }
  {
    auto st = db.prepare("SELECT 1");
    CHECK_THROWS_AS(db.close(), sp::misuse_error);
  }
  CHECK(db.cache().in_use() == 0);
  db.close();
  CHECK_FALSE(db.is_open());
}
