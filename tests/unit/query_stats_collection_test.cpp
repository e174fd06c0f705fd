// Tests for options::collect_query_stats and database::query_stats(): what a connection
// counts per typed query and per dynamic SQL text (calls, rows, errors, busy, time), and that
// nothing is counted while it is off.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <sqlproof/sqlproof.hpp>

#include "../catch.hpp"
#include "support/scratch_dir.hpp"

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

struct add_item : sp::query<"INSERT INTO items (id, v) VALUES (?, ?)",
                            void(std::int64_t, std::int64_t)> {};
struct item_by_id : sp::query<"SELECT v FROM items WHERE id = ?", std::int64_t(std::int64_t)> {};
struct all_items : sp::query<"SELECT v FROM items ORDER BY id", std::int64_t()> {};

const sp::query_stat* find(const sp::query_stats& s, std::string_view name_or_sql) {
  for (const sp::query_stat& q : s.entries) {
    if (q.name.find(name_or_sql) != std::string::npos || q.sql == name_or_sql) return &q;
  }
  return nullptr;
}

sp::database open_items(const sp::options& o) {
  sp::database db(":memory:", o);
  db.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
  return db;
}

}  // namespace

TEST_CASE("query statistics are off by default and count nothing") {
  sp::database db = open_items(sp::options::in_memory());
  CHECK_FALSE(db.collecting_query_stats());
  db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
  static_cast<void>(db.one<item_by_id>(std::int64_t{1}));
  CHECK(db.query_stats().entries.empty());
}

TEST_CASE("typed queries are counted per query type") {
  sp::options o = sp::options::in_memory();
  o.collect_query_stats = true;
  sp::database db = open_items(o);
  CHECK(db.collecting_query_stats());
  for (std::int64_t i = 1; i <= 5; ++i) db.exec<add_item>(i, i * 10);
  for (std::int64_t i = 1; i <= 7; ++i) static_cast<void>(db.one<item_by_id>(i));  // 5 found
  CHECK(db.all<all_items>().size() == 5);
  CHECK(db.all<all_items>().size() == 5);
  std::int64_t iterated = 0;
  for (std::int64_t v : db.iter<all_items>()) iterated += v;
  CHECK(iterated == 150);
  CHECK_THROWS_AS(db.exec<add_item>(std::int64_t{1}, std::int64_t{0}), sp::constraint_error);

  const sp::query_stats s = db.query_stats();
  const sp::query_stat* add = find(s, "add_item");
  const sp::query_stat* by_id = find(s, "item_by_id");
  const sp::query_stat* scan = find(s, "all_items");
  REQUIRE(add != nullptr);
  REQUIRE(by_id != nullptr);
  REQUIRE(scan != nullptr);
  CHECK(add->sql == "INSERT INTO items (id, v) VALUES (?, ?)");
  CHECK(add->calls == 6);
  CHECK(add->rows == 5);  // rows changed
  CHECK(add->errors == 1);
  CHECK(by_id->calls == 7);
  CHECK(by_id->rows == 5);  // rows found
  CHECK(by_id->errors == 0);
  CHECK(scan->calls == 3);   // two all() and one iter()
  CHECK(scan->rows == 10);   // iter's rows are read in the caller's loop, not counted
  CHECK(add->total_time > 0ns);
  CHECK(add->max_time <= add->total_time);
  CHECK(add->max_time >= add->mean_time());
  // The statements sqlproof runs for itself (the schema script) are not entries.
  CHECK(s.entries.size() == 3);
}

TEST_CASE("dynamic SQL is counted per text") {
  sp::database db = open_items(sp::options::in_memory());
  db.collect_query_stats(true);
  auto insert = db.prepare_cached("INSERT INTO items (id, v) VALUES (?, ?)");
  static_cast<void>(insert.exec(std::int64_t{1}, std::int64_t{5}));
  static_cast<void>(insert.exec(std::int64_t{2}, std::int64_t{6}));
  CHECK(db.prepare_cached("SELECT v FROM items").all<std::int64_t>().size() == 2);
  CHECK(db.prepare("SELECT v FROM items WHERE id = ?").one<std::int64_t>(std::int64_t{2}) == 6);
  CHECK_THROWS(db.prepare_cached("SELECT no_such FROM items"));  // fails to prepare: not run

  const sp::query_stats s = db.query_stats();
  const sp::query_stat* ins = find(s, "INSERT INTO items (id, v) VALUES (?, ?)");
  const sp::query_stat* sel = find(s, "SELECT v FROM items");
  const sp::query_stat* one = find(s, "SELECT v FROM items WHERE id = ?");
  REQUIRE(ins != nullptr);
  REQUIRE(sel != nullptr);
  REQUIRE(one != nullptr);
  CHECK(ins->name.empty());
  CHECK(ins->calls == 2);
  CHECK(ins->rows == 2);
  CHECK(sel->calls == 1);
  CHECK(sel->rows == 2);
  CHECK(one->calls == 1);
  CHECK(one->rows == 1);
  CHECK(s.entries.size() == 3);
}

TEST_CASE("turning statistics off keeps what was collected; reset clears it") {
  sp::database db = open_items(sp::options::in_memory());
  db.collect_query_stats(true);
  db.exec<add_item>(std::int64_t{1}, std::int64_t{1});
  db.collect_query_stats(false);
  db.exec<add_item>(std::int64_t{2}, std::int64_t{2});
  const sp::query_stats s = db.query_stats();
  REQUIRE(find(s, "add_item") != nullptr);
  CHECK(find(s, "add_item")->calls == 1);
  db.reset_query_stats();
  CHECK(db.query_stats().entries.empty());
}

TEST_CASE("interrupted and busy calls are counted against their query") {
  sqlproof_test::scratch_dir dir("stats-busy");
  const std::string path = dir.file("s.db");
  sp::options o = sp::options::production();
  o.busy_timeout = 0ms;
  o.collect_query_stats = true;
  sp::database a(path, o);
  sp::database b(path, o);
  a.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
  {
    auto lock = a.begin(sp::tx_mode::immediate);
    CHECK_THROWS_AS(b.exec<add_item>(std::int64_t{1}, std::int64_t{1}), sp::busy_error);
  }
  b.set_statement_timeout(20ms);
  CHECK_THROWS_AS(b.prepare_cached("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                   "FROM c) SELECT count(*) FROM c")
                      .one<std::int64_t>(),
                  sp::deadline_exceeded_error);
  const sp::query_stats s = b.query_stats();
  const sp::query_stat* add = find(s, "add_item");
  REQUIRE(add != nullptr);
  CHECK(add->calls == 1);
  CHECK(add->errors == 1);
  CHECK(add->busy == 1);
  const sp::query_stat* runaway = find(s, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                          "FROM c) SELECT count(*) FROM c");
  REQUIRE(runaway != nullptr);
  CHECK(runaway->interrupts == 1);
  CHECK(runaway->errors == 1);
  CHECK(runaway->max_time >= 15ms);
  CHECK(b.event_counts().busy_errors == 1);
}

TEST_CASE("distinct dynamic texts past the bound are counted together") {
  sp::database db(":memory:", sp::options::in_memory());
  db.collect_query_stats(true);
  for (int i = 0; i < 300; ++i) {
    CHECK(db.prepare("SELECT " + std::to_string(i)).one<std::int64_t>() == i);
  }
  const sp::query_stats s = db.query_stats();
  CHECK(s.entries.size() == 257);
  const sp::query_stat* other = find(s, "(other dynamic SQL)");
  REQUIRE(other != nullptr);
  CHECK(other->calls == 44);
  const sp::query_stat* first = find(s, "SELECT 0");
  REQUIRE(first != nullptr);
  CHECK(first->calls == 1);
}
