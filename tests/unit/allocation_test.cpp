// Heap allocations on the hot paths: once a typed query's statement is cached, running it
// allocates nothing beyond the strings of the rows it returns (DESIGN §1, principle 4).
//
// Counted with tests/support/counting_allocator, which sees operator new on this thread only;
// SQLite's own memory (sqlite3_malloc) is not counted. CHECKs stay outside measured spans.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include <sqlproof/sqlproof.hpp>

#include "../catch.hpp"
#include "support/counting_allocator.hpp"

namespace sp = sqlproof;

namespace {

struct scored {
  std::int64_t id;
  double score;
};

struct named {
  std::int64_t id;
  std::string name;
};

using score_tuple_by_id = sp::query<"SELECT id, score FROM t WHERE id = ?",
                                    std::tuple<std::int64_t, double>(std::int64_t)>;
using score_by_id = sp::query<"SELECT id, score FROM t WHERE id = ?", scored(std::int64_t)>;
using score_only = sp::query<"SELECT score FROM t WHERE id = :id", double(std::int64_t)>;
using scores_from = sp::query<"SELECT id, score FROM t WHERE id >= ? ORDER BY id",
                              scored(std::int64_t)>;
using add_event = sp::query<"INSERT INTO events (kind, at) VALUES (?, ?)",
                            void(int, std::int64_t)>;
using add_label = sp::query<"INSERT INTO labels (text) VALUES (?)", void(std::string_view)>;
using name_by_id = sp::query<"SELECT id, name FROM names WHERE id = ?", named(std::int64_t)>;
using names_from = sp::query<"SELECT id, name FROM names WHERE id >= ? ORDER BY id",
                             named(std::int64_t)>;

constexpr int executions = 1000;

std::int64_t* volatile escaped = nullptr;

// t holds ids 1..100 with score id / 4.0.
sp::database scores_database() {
  sp::database db{":memory:", sp::options::in_memory()};
  db.exec_script(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, score REAL NOT NULL);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
      "INSERT INTO t (id, score) SELECT i, i / 4.0 FROM n;"
      "CREATE TABLE events (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, at INTEGER NOT NULL);"
      "CREATE TABLE labels (id INTEGER PRIMARY KEY, text TEXT NOT NULL);");
  return db;
}

}  // namespace

TEST_CASE("allocation: the counter sees an allocation on this thread") {
  sqlproof_test::allocation_counter allocations;
  escaped = new std::int64_t(7);  // stored through a volatile: the optimiser must keep it
  const std::size_t counted = allocations.count();
  delete escaped;
  escaped = nullptr;
  CHECK(counted == 1);
}

TEST_CASE("allocation: a cached typed query with a tuple row allocates nothing") {
  sp::database db = scores_database();
  REQUIRE(db.one<score_tuple_by_id>(std::int64_t{1}) ==
          std::optional<std::tuple<std::int64_t, double>>{{1, 0.25}});  // warm-up: prepares

  double sum = 0;
  std::int64_t found = 0;
  sqlproof_test::allocation_counter allocations;
  for (int i = 0; i < executions; ++i) {
    const auto row = db.one<score_tuple_by_id>(std::int64_t{i % 100 + 1});
    if (row) {
      ++found;
      sum += std::get<1>(*row);
    }
  }
  const std::size_t counted = allocations.count();

  CHECK(counted == 0);
  CHECK(found == executions);
  CHECK(sum == 10 * (5050 / 4.0));  // every id ten times; exact in binary floating point
  CHECK(db.cache().stats().prepares == 1);
}

TEST_CASE("allocation: a cached typed query with a struct row allocates nothing") {
  sp::database db = scores_database();
  REQUIRE(db.one<score_by_id>(std::int64_t{2}).has_value());  // warm-up
  REQUIRE(db.one<score_only>(std::int64_t{2}) == std::optional<double>{0.5});

  std::int64_t id_sum = 0;
  double score_sum = 0;
  int missing = 0;
  sqlproof_test::allocation_counter allocations;
  for (int i = 0; i < executions; ++i) {
    const std::int64_t id = i % 100 + 1;
    if (const std::optional<scored> row = db.one<score_by_id>(id)) {
      id_sum += row->id;
      score_sum += row->score;
    }
    if (const std::optional<double> score = db.one<score_only>(id)) score_sum += *score;
    if (!db.one<score_by_id>(std::int64_t{1000 + i})) ++missing;  // no row
  }
  const std::size_t counted = allocations.count();

  CHECK(counted == 0);
  CHECK(id_sum == 10 * 5050);
  CHECK(score_sum == 2 * 10 * (5050 / 4.0));
  CHECK(missing == executions);
}

TEST_CASE("allocation: iterating a cached typed query allocates nothing per row") {
  sp::database db = scores_database();
  for (const scored& row : db.iter<scores_from>(std::int64_t{99})) (void)row;  // warm-up

  std::int64_t rows = 0;
  std::int64_t id_sum = 0;
  sqlproof_test::allocation_counter allocations;
  for (int i = 0; i < executions / 10; ++i) {
    for (const scored& row : db.iter<scores_from>(std::int64_t{51})) {
      ++rows;
      id_sum += row.id;
    }
  }
  const std::size_t counted = allocations.count();

  CHECK(counted == 0);
  CHECK(rows == 100 * 50);
  CHECK(id_sum == 100 * (5050 - 1275));
}

TEST_CASE("allocation: inserts with integer parameters inside a transaction allocate nothing") {
  sp::database db = scores_database();
  db.exec<add_event>(0, std::int64_t{0});  // warm-up

  std::int64_t changes = 0;
  std::int64_t last_rowid = 0;
  std::size_t counted = 0;
  {
    sp::transaction tx = db.begin(sp::tx_mode::immediate);
    sqlproof_test::allocation_counter allocations;
    for (int i = 0; i < executions; ++i) {
      const sp::exec_result r = db.exec<add_event>(i % 7, std::int64_t{1'700'000'000} + i);
      changes += r.changes;
      last_rowid = r.last_insert_rowid;
    }
    counted = allocations.count();
    tx.commit();
  }

  CHECK(counted == 0);
  CHECK(changes == executions);
  CHECK(last_rowid == executions + 1);
  CHECK(db.prepare("SELECT count(*) FROM events").one<std::int64_t>() ==
        std::optional<std::int64_t>{executions + 1});
}

TEST_CASE("allocation: a whole transaction around an insert allocates nothing once warm") {
  sp::database db = scores_database();
  db.transaction([&] { db.exec<add_event>(0, std::int64_t{0}); });  // warm-up: BEGIN, COMMIT

  std::int64_t changes = 0;
  sqlproof_test::allocation_counter allocations;
  for (int i = 0; i < executions; ++i) {
    changes += db.transaction([&] { return db.exec<add_event>(1, std::int64_t{i}).changes; });
  }
  const std::size_t counted = allocations.count();

  CHECK(counted == 0);
  CHECK(changes == executions);
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("allocation: text parameters are bound without a copy") {
  sp::database db = scores_database();
  const std::string label(100, 'x');  // longer than any small-string buffer
  db.exec<add_label>(std::string_view(label));  // warm-up

  sqlproof_test::allocation_counter allocations;
  for (int i = 0; i < executions; ++i) {
    db.exec<add_label>(std::string_view(label));
    db.exec<add_label>("short");
  }
  const std::size_t counted = allocations.count();

  CHECK(counted == 0);
  CHECK(db.prepare("SELECT count(*) FROM labels WHERE length(text) = 100").one<std::int64_t>() ==
        std::optional<std::int64_t>{executions + 1});
}

TEST_CASE("allocation: a std::string row field costs at most its own allocation") {
  sp::database db = scores_database();
  const std::string long_name(64, 'n');  // beyond the small-string buffer
  db.exec_script("CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  sp::statement insert = db.prepare("INSERT INTO names (id, name) VALUES (?, ?)");
  insert.exec(std::int64_t{1}, long_name);
  insert.exec(std::int64_t{2}, std::string("Ann"));
  for (std::int64_t id = 3; id <= 12; ++id) insert.exec(id, long_name);
  REQUIRE(db.one<name_by_id>(std::int64_t{1}).has_value());  // warm-up
  for (const named& n : db.iter<names_from>(std::int64_t{12})) (void)n;

  SECTION("one row at a time") {
    std::size_t long_allocations = 0;
    std::size_t short_allocations = 0;
    std::size_t long_length = 0;
    {
      sqlproof_test::allocation_counter allocations;
      for (int i = 0; i < executions; ++i) {
        const std::optional<named> row = db.one<name_by_id>(std::int64_t{1});
        long_length += row ? row->name.size() : 0;
      }
      long_allocations = allocations.count();
      allocations.reset();
      for (int i = 0; i < executions; ++i) {
        const std::optional<named> row = db.one<name_by_id>(std::int64_t{2});
        long_length += row ? 0 : 1;
      }
      short_allocations = allocations.count();
    }
    CHECK(long_allocations <= static_cast<std::size_t>(executions));
    CHECK(short_allocations == 0);  // "Ann" fits the small-string buffer
    CHECK(long_length == 64 * static_cast<std::size_t>(executions));
  }
  SECTION("iterating rows") {
    std::size_t rows = 0;
    std::size_t counted = 0;
    {
      sqlproof_test::allocation_counter allocations;
      for (int i = 0; i < executions / 10; ++i) {
        for (const named& n : db.iter<names_from>(std::int64_t{3})) {
          rows += n.name == long_name ? 1 : 0;
        }
      }
      counted = allocations.count();
    }
    CHECK(rows == 10 * static_cast<std::size_t>(executions / 10));
    CHECK(counted <= rows);
  }
}
