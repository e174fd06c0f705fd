// Tests for include/sqlproof/statement_cache.hpp: typed-query slots, re-entrant checkouts,
// the LRU for dynamic SQL, clear(), capacity and closing with cached statements.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <vector>

#include <sqlproof/sqlproof.hpp>

#include "../catch.hpp"
#include "support/scratch_dir.hpp"

namespace sp = sqlproof;

namespace {

struct scratch_dir : sqlproof_test::scratch_dir {
  scratch_dir() : sqlproof_test::scratch_dir("statement-cache") {}
};


using value_by_id = sp::query<"SELECT v FROM items WHERE id = ?", std::int64_t(std::int64_t)>;
using item_count = sp::query<"SELECT count(*) FROM items", std::int64_t()>;
using items_from = sp::query<"SELECT id, v FROM items WHERE id >= ? ORDER BY id",
                             std::tuple<std::int64_t, std::int64_t>(std::int64_t)>;
using add_item = sp::query<"INSERT INTO items (id, v) VALUES (?, ?)",
                           void(std::int64_t, std::int64_t)>;

// A database with items (1, 10), (2, 20), (3, 30).
sp::database items_database(const sp::options& o = sp::options{}) {
  sp::database db{":memory:", o};
  db.exec_script(
      "CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL);"
      "INSERT INTO items (id, v) VALUES (1, 10), (2, 20), (3, 30);");
  return db;
}

// Prepared statements that exist on the connection right now, cached or not.
int live_statements(const sp::database& db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.native_handle(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(db.native_handle(), s)) {
    ++n;
  }
  return n;
}

// Runs a cached single-value SELECT and returns its value.
std::int64_t run_cached(sp::database& db, std::string_view sql) {
  return db.prepare_cached(sql).one<std::int64_t>().value();
}

}  // namespace

TEST_CASE("statement_cache: a typed query is prepared once for 1,000 executions") {
  sp::database db = items_database();
  const sp::statement_cache_stats before = db.cache().stats();
  REQUIRE(before.prepares == 0);
  REQUIRE(before.hits == 0);
  REQUIRE(before.misses == 0);

  std::int64_t sum = 0;
  for (std::int64_t i = 0; i < 1000; ++i) sum += db.one<value_by_id>(i % 3 + 1).value();
  // 334 × 10 + 333 × 20 + 333 × 30
  CHECK(sum == 3340 + 6660 + 9990);

  const sp::statement_cache_stats s = db.cache().stats();
  CHECK(s.prepares == 1);
  CHECK(s.misses == 1);
  CHECK(s.hits == 999);
  CHECK(s.typed == 1);
  CHECK(s.dynamic == 0);
  CHECK(s.in_use == 0);
  CHECK(s.evictions == 0);
  CHECK(live_statements(db) == 1);
}

TEST_CASE("statement_cache: different query types get different slots") {
  sp::database db = items_database();

  CHECK(db.one<value_by_id>(std::int64_t{2}) == std::optional<std::int64_t>{20});
  CHECK(db.one<item_count>() == std::optional<std::int64_t>{3});
  db.exec<add_item>(std::int64_t{4}, std::int64_t{40});

  sp::statement_cache_stats s = db.cache().stats();
  CHECK(s.typed == 3);
  CHECK(s.prepares == 3);
  CHECK(s.misses == 3);
  CHECK(s.hits == 0);

  // Each query finds its own statement again: no slot serves another query's SQL.
  CHECK(db.one<item_count>() == std::optional<std::int64_t>{4});
  CHECK(db.one<value_by_id>(std::int64_t{4}) == std::optional<std::int64_t>{40});
  db.exec<add_item>(std::int64_t{5}, std::int64_t{50});
  CHECK(db.one<item_count>() == std::optional<std::int64_t>{5});

  s = db.cache().stats();
  CHECK(s.typed == 3);
  CHECK(s.prepares == 3);
  CHECK(s.hits == 4);
  CHECK(live_statements(db) == 3);
}

TEST_CASE("statement_cache: the same query runs again while it is being iterated") {
  sp::database db = items_database();

  std::vector<std::int64_t> outer_ids;
  std::vector<std::int64_t> in_use_inside;
  for (const auto& [id, v] : db.iter<items_from>(std::int64_t{1})) {
    outer_ids.push_back(id);
    CHECK(v == id * 10);

    // one<q> of the query being iterated: the first row at or after `id` is this row.
    const auto first = db.one<items_from>(id);
    REQUIRE(first.has_value());
    CHECK(std::get<0>(*first) == id);
    CHECK(std::get<1>(*first) == id * 10);

    // iter<q> of the same query, nested: the rows from `id` to the end.
    std::vector<std::int64_t> inner;
    for (const auto& [inner_id, inner_v] : db.iter<items_from>(id)) {
      inner.push_back(inner_id);
      CHECK(inner_v == inner_id * 10);
      in_use_inside.push_back(static_cast<std::int64_t>(db.cache().in_use()));
    }
    std::vector<std::int64_t> expected;
    for (std::int64_t k = id; k <= 3; ++k) expected.push_back(k);
    CHECK(inner == expected);
    CHECK(db.cache().in_use() == 1);  // only the outer range holds a statement now
  }
  CHECK(outer_ids == std::vector<std::int64_t>{1, 2, 3});
  CHECK(in_use_inside == std::vector<std::int64_t>{2, 2, 2, 2, 2, 2});

  sp::statement_cache_stats s = db.cache().stats();
  // One prepare for the outer range, and one extra statement for each inner one<q> and
  // iter<q> (three of each).
  CHECK(s.prepares == 7);
  CHECK(s.misses == 7);
  CHECK(s.hits == 0);
  CHECK(s.typed == 1);
  CHECK(s.in_use == 0);
  // The extras were finalized when returned; only the cached statement remains.
  CHECK(live_statements(db) == 1);

  // The cached statement was returned reset and is reused.
  CHECK(db.all<items_from>(std::int64_t{2}) ==
        std::vector<std::tuple<std::int64_t, std::int64_t>>{{2, 20}, {3, 30}});
  s = db.cache().stats();
  CHECK(s.hits == 1);
  CHECK(s.prepares == 7);
}

TEST_CASE("statement_cache: prepare_cached keeps the most recently used SQL within capacity") {
  sp::options o;
  o.statement_cache_capacity = 3;
  sp::database db{":memory:", o};
  REQUIRE(db.cache().capacity() == 3);

  const std::string a = "SELECT 1";
  const std::string b = "SELECT 2";
  const std::string c = "SELECT 3";
  const std::string d = "SELECT 4";

  CHECK(run_cached(db, a) == 1);
  CHECK(run_cached(db, b) == 2);
  CHECK(run_cached(db, c) == 3);
  CHECK(db.cache().dynamic_sql() == std::vector<std::string>{c, b, a});

  CHECK(run_cached(db, a) == 1);
  CHECK(db.cache().dynamic_sql() == std::vector<std::string>{a, c, b});
  sp::statement_cache_stats s = db.cache().stats();
  CHECK(s.hits == 1);
  CHECK(s.misses == 3);
  CHECK(s.evictions == 0);

  CHECK(run_cached(db, d) == 4);  // B is the least recently used
  CHECK(db.cache().dynamic_sql() == std::vector<std::string>{d, a, c});
  s = db.cache().stats();
  CHECK(s.evictions == 1);
  CHECK(s.dynamic == 3);
  CHECK(s.misses == 4);
  CHECK(live_statements(db) == 3);

  CHECK(run_cached(db, b) == 2);  // evicted, so prepared again; C goes
  s = db.cache().stats();
  CHECK(s.misses == 5);
  CHECK(s.prepares == 5);
  CHECK(s.hits == 1);
  CHECK(s.evictions == 2);
  CHECK(db.cache().dynamic_sql() == std::vector<std::string>{b, d, a});

  CHECK(run_cached(db, a) == 1);  // still cached
  CHECK(db.cache().stats().hits == 2);
  CHECK(db.cache().dynamic_sql() == std::vector<std::string>{a, b, d});
}

TEST_CASE("statement_cache: capacity 0 caches no dynamic SQL") {
  sp::options o;
  o.statement_cache_capacity = 0;
  sp::database db{":memory:", o};

  CHECK(run_cached(db, "SELECT 7") == 7);
  CHECK(run_cached(db, "SELECT 7") == 7);

  const sp::statement_cache_stats s = db.cache().stats();
  CHECK(s.capacity == 0);
  CHECK(s.dynamic == 0);
  CHECK(s.hits == 0);
  CHECK(s.misses == 2);
  CHECK(s.prepares == 2);
  CHECK(s.evictions == 0);
  CHECK(s.in_use == 0);
  CHECK(db.cache().dynamic_sql().empty());
  CHECK(live_statements(db) == 0);
}

TEST_CASE("statement_cache: set_capacity evicts the least recently used beyond the new bound") {
  sp::database db{":memory:"};
  db.cache().set_capacity(4);
  for (std::string_view sql : {"SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4"}) {
    run_cached(db, sql);
  }
  REQUIRE(db.cache().stats().dynamic == 4);

  db.cache().set_capacity(2);
  CHECK(db.cache().capacity() == 2);
  CHECK(db.cache().dynamic_sql() == std::vector<std::string>{"SELECT 4", "SELECT 3"});
  sp::statement_cache_stats s = db.cache().stats();
  CHECK(s.capacity == 2);
  CHECK(s.evictions == 2);
  CHECK(live_statements(db) == 2);

  {
    // A statement in use survives a shrink and stays usable.
    sp::statement held = db.prepare_cached("SELECT 3");  // now the most recently used
    CHECK(db.cache().dynamic_sql() == std::vector<std::string>{"SELECT 3", "SELECT 4"});
    db.cache().set_capacity(0);
    CHECK(db.cache().dynamic_sql() == std::vector<std::string>{"SELECT 3"});
    CHECK(db.cache().stats().evictions == 3);
    CHECK(held.one<std::int64_t>() == std::optional<std::int64_t>{3});
  }
  // Returned to a cache of capacity 0: evicted at once.
  s = db.cache().stats();
  CHECK(s.dynamic == 0);
  CHECK(s.evictions == 4);
  CHECK(live_statements(db) == 0);
}

TEST_CASE("statement_cache: clear() finalizes idle statements and queries prepare again") {
  sp::database db = items_database();
  CHECK(db.one<value_by_id>(std::int64_t{1}) == std::optional<std::int64_t>{10});
  CHECK(run_cached(db, "SELECT 5") == 5);
  sp::statement_cache_stats s = db.cache().stats();
  REQUIRE(s.typed == 1);
  REQUIRE(s.dynamic == 1);
  REQUIRE(live_statements(db) == 2);

  db.cache().clear();
  s = db.cache().stats();
  CHECK(s.typed == 0);
  CHECK(s.dynamic == 0);
  CHECK(db.cache().dynamic_sql().empty());
  CHECK(live_statements(db) == 0);

  CHECK(db.one<value_by_id>(std::int64_t{3}) == std::optional<std::int64_t>{30});
  CHECK(run_cached(db, "SELECT 5") == 5);
  s = db.cache().stats();
  CHECK(s.typed == 1);
  CHECK(s.dynamic == 1);
  CHECK(s.misses == 4);  // two before clear(), two after
  CHECK(s.prepares == 4);
  CHECK(s.hits == 0);
  CHECK(live_statements(db) == 2);
}

TEST_CASE("statement_cache: clear() while a row_range is alive lets the range finish") {
  sp::database db = items_database();
  CHECK(db.one<item_count>() == std::optional<std::int64_t>{3});  // another cached statement

  std::vector<std::tuple<std::int64_t, std::int64_t>> rows;
  {
    auto range = db.iter<items_from>(std::int64_t{1});
    auto it = range.begin();
    REQUIRE(it != range.end());
    rows.push_back(*it);

    db.cache().clear();
    const sp::statement_cache_stats s = db.cache().stats();
    CHECK(s.typed == 0);
    CHECK(s.in_use == 1);
    CHECK(live_statements(db) == 1);  // the range's statement only

    for (++it; it != range.end(); ++it) rows.push_back(*it);
    CHECK(db.cache().in_use() == 0);  // returned as soon as the range was exhausted
  }
  CHECK(rows == std::vector<std::tuple<std::int64_t, std::int64_t>>{{1, 10}, {2, 20}, {3, 30}});
  CHECK(db.cache().stats().typed == 0);
  CHECK(live_statements(db) == 0);  // finalized when returned, not put back

  CHECK(db.all<items_from>(std::int64_t{3}) ==
        std::vector<std::tuple<std::int64_t, std::int64_t>>{{3, 30}});
  CHECK(db.cache().stats().typed == 1);
}

TEST_CASE("statement_cache: clear() while a cached dynamic statement is in use") {
  sp::database db = items_database();
  std::vector<std::int64_t> ids;
  {
    sp::statement st = db.prepare_cached("SELECT id FROM items ORDER BY id");
    REQUIRE(st.step());
    ids.push_back(st.column<std::int64_t>(0));

    db.cache().clear();
    CHECK(db.cache().in_use() == 1);
    while (st.step()) ids.push_back(st.column<std::int64_t>(0));
  }
  CHECK(ids == std::vector<std::int64_t>{1, 2, 3});
  const sp::statement_cache_stats s = db.cache().stats();
  CHECK(s.dynamic == 0);
  CHECK(s.in_use == 0);
  CHECK(db.cache().dynamic_sql().empty());
  CHECK(live_statements(db) == 0);

  CHECK(run_cached(db, "SELECT id FROM items ORDER BY id") == 1);
  CHECK(db.cache().dynamic_sql() == std::vector<std::string>{"SELECT id FROM items ORDER BY id"});
}

TEST_CASE("statement_cache: close() finalizes cached statements and really closes") {
  const scratch_dir dir;
  const std::string path = dir.file("close.db");
  sp::options o;
  o.journal = sp::journal_mode::wal;  // the last connection to close removes the -wal file
  {
    sp::database db{path, o};
    db.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
    db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    CHECK(db.one<value_by_id>(std::int64_t{1}) == std::optional<std::int64_t>{10});
    CHECK(run_cached(db, "SELECT count(*) FROM items") == 1);
    const sp::statement_cache_stats s = db.cache().stats();
    REQUIRE(s.typed == 2);
    REQUIRE(s.dynamic == 1);
    REQUIRE(std::filesystem::exists(path + "-wal"));

    db.close();
    CHECK_FALSE(db.is_open());
    CHECK(db.native_handle() == nullptr);
    CHECK(db.cache().stats().typed == 0);
    CHECK(db.cache().stats().dynamic == 0);
    // sqlite3_close succeeded: the connection checkpointed and removed its WAL file. A
    // connection left open as a zombie (close_v2) would have kept it.
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));

    db.close();  // closing again does nothing
    CHECK_FALSE(db.is_open());
    CHECK_THROWS_AS(db.one<value_by_id>(std::int64_t{1}), sp::misuse_error);
  }

  sp::database again{path, o};
  again.exec<add_item>(std::int64_t{2}, std::int64_t{20});
  CHECK(again.one<item_count>() == std::optional<std::int64_t>{2});
  CHECK(again.one<value_by_id>(std::int64_t{2}) == std::optional<std::int64_t>{20});
}

TEST_CASE("statement_cache: close() refuses while a statement is checked out") {
  sp::database db = items_database();
  {
    auto range = db.iter<items_from>(std::int64_t{1});
    auto it = range.begin();
    REQUIRE(it != range.end());
    CHECK_THROWS_AS(db.close(), sp::misuse_error);
    CHECK(db.is_open());
    CHECK(std::get<1>(*it) == 10);
  }
  db.close();
  CHECK_FALSE(db.is_open());
}

TEST_CASE("statement_cache: in_use counts the statements checked out right now") {
  sp::database db = items_database();
  CHECK(db.cache().in_use() == 0);
  {
    auto range = db.iter<items_from>(std::int64_t{1});
    auto it = range.begin();
    REQUIRE(it != range.end());
    CHECK(db.cache().in_use() == 1);
    {
      sp::statement cached = db.prepare_cached("SELECT v FROM items WHERE id = ?");
      CHECK(db.cache().in_use() == 2);
      {
        sp::statement uncached = db.prepare("SELECT count(*) FROM items");
        CHECK(db.cache().in_use() == 3);
        CHECK(db.cache().stats().in_use == 3);
        CHECK(uncached.one<std::int64_t>() == std::optional<std::int64_t>{3});
        CHECK(db.cache().in_use() == 3);  // still held until destroyed
      }
      CHECK(db.cache().in_use() == 2);
      CHECK(cached.one<std::int64_t>(std::int64_t{2}) == std::optional<std::int64_t>{20});
    }
    CHECK(db.cache().in_use() == 1);
    // one() and exec() return their statement before they return.
    CHECK(db.one<value_by_id>(std::int64_t{3}) == std::optional<std::int64_t>{30});
    CHECK(db.cache().in_use() == 1);
  }
  CHECK(db.cache().in_use() == 0);
  CHECK(db.cache().stats().in_use == 0);
}
