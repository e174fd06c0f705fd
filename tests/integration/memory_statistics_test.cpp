// sqlproof::set_memory_statistics, in a process of its own: SQLite takes process-wide
// settings only before it initializes, so the order of what this file does matters and no
// other test may run before it.
//
// With the statistics off from the start, SQLite counts none of its memory
// (sqlite3_memory_used() stays 0 while a connection works); once SQLite is initialized the
// setting is refused with misuse_error and nothing changes; after sqlite3_shutdown() (every
// connection closed) it is taken again, and with the statistics on the count is no longer 0.

#include <sqlproof/database.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "../catch.hpp"

namespace sp = sqlproof;

namespace {

using add_item = sp::query<"INSERT INTO items (name) VALUES (?)", void(std::string)>;
using count_items = sp::query<"SELECT count(*) FROM items", std::int64_t()>;

// Opens an in-memory database, writes and reads 500 rows; returns the count read.
std::int64_t use_a_connection() {
  sp::database db{":memory:", sp::options::in_memory()};
  db.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  db.transaction([&] {
    for (int i = 0; i < 500; ++i) db.exec<add_item>("item " + std::to_string(i));
  });
  return db.one<count_items>().value_or(-1);
}

}  // namespace

TEST_CASE("set_memory_statistics: before SQLite initializes, refused after, taken after shutdown") {
  // Nothing in this process has opened a connection yet.
  sp::set_memory_statistics(false);
  {
    sp::database db{":memory:", sp::options::in_memory()};
    db.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
    for (int i = 0; i < 500; ++i) db.exec<add_item>("item " + std::to_string(i));
    CHECK(db.one<count_items>() == 500);
    CHECK(sqlite3_memory_used() == 0);  // nothing counted: the statistics are off

    // SQLite is initialized now: the setting is refused and stays as it was.
    try {
      sp::set_memory_statistics(true);
      FAIL("set_memory_statistics after the first open did not throw");
    } catch (const sp::misuse_error& e) {
      const std::string what = e.what();
      CHECK(what.find("already initialized") != std::string::npos);
      CHECK(what.find("before the first connection opens") != std::string::npos);
      CHECK(e.extended_code() == SQLITE_MISUSE);
    }
    CHECK(use_a_connection() == 500);
    CHECK(sqlite3_memory_used() == 0);
  }

  // Every connection is closed: after sqlite3_shutdown() SQLite takes settings again.
  REQUIRE(sqlite3_shutdown() == SQLITE_OK);
  sp::set_memory_statistics(true);
  {
    sp::database db{":memory:", sp::options::in_memory()};
    CHECK(sqlite3_memory_used() > 0);  // the connection's own memory is counted
    CHECK(use_a_connection() == 500);
    CHECK(sqlite3_memory_used() > 0);
  }
}
