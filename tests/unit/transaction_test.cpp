// Tests for include/sqlproof/transaction.hpp and database::transaction / database::begin:
// commit and rollback, savepoints, RAII use, lock modes and retrying on busy.

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <future>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <sqlproof/sqlproof.hpp>

#include "../catch.hpp"
#include "support/scratch_dir.hpp"

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

struct scratch_dir : sqlproof_test::scratch_dir {
  scratch_dir() : sqlproof_test::scratch_dir("transaction") {}
};


using add_item = sp::query<"INSERT INTO items (id, v) VALUES (?, ?)",
                           void(std::int64_t, std::int64_t)>;
using item_ids = sp::query<"SELECT id FROM items ORDER BY id", std::int64_t()>;
using item_count = sp::query<"SELECT count(*) FROM items", std::int64_t()>;
using value_by_id = sp::query<"SELECT v FROM items WHERE id = ?", std::int64_t(std::int64_t)>;

sp::options wal_options(std::chrono::milliseconds busy_timeout = 5000ms) {
  sp::options o;
  o.journal = sp::journal_mode::wal;
  o.busy_timeout = busy_timeout;
  return o;
}

void create_items(sp::database& db) {
  db.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
}

sp::busy_error synthetic_busy() {
  return sp::busy_error("synthetic busy", {SQLITE_BUSY, "database is locked", {}, {}});
}

// Counts the BEGIN statements a connection starts, including those that fail with busy:
// SQLITE_TRACE_STMT fires when a statement starts running, before it asks for a lock. When
// the count reaches `notify_at`, `on_count` is fulfilled.
struct begin_counter {
  int begins = 0;
  int notify_at = 0;
  std::promise<void>* on_count = nullptr;
};

int count_begins(unsigned type, void* context, void* p, void*) {
  if (type == SQLITE_TRACE_STMT) {
    const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(p));
    if (sql != nullptr && std::string_view(sql).starts_with("BEGIN")) {
      auto& counter = *static_cast<begin_counter*>(context);
      if (++counter.begins == counter.notify_at && counter.on_count != nullptr) {
        counter.on_count->set_value();
      }
    }
  }
  return 0;
}

}  // namespace

TEST_CASE("transaction: commits when the callable returns") {
  const scratch_dir dir;
  const std::string path = dir.file("commit.db");
  sp::database db{path, wal_options()};
  create_items(db);
  sp::database other{path, wal_options()};

  db.transaction([&] {
    db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    CHECK(db.in_transaction());
    CHECK(other.one<item_count>() == std::optional<std::int64_t>{0});  // not yet visible
  });

  CHECK_FALSE(db.in_transaction());
  CHECK(other.one<value_by_id>(std::int64_t{1}) == std::optional<std::int64_t>{10});
  CHECK(other.one<item_count>() == std::optional<std::int64_t>{1});
}

TEST_CASE("transaction: rolls back and rethrows when the callable throws") {
  const scratch_dir dir;
  const std::string path = dir.file("rollback.db");
  sp::database db{path, wal_options()};
  create_items(db);
  db.exec<add_item>(std::int64_t{1}, std::int64_t{10});

  CHECK_THROWS_WITH(db.transaction([&] {
    db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
    CHECK(db.one<item_count>() == std::optional<std::int64_t>{2});
    throw std::runtime_error("give up");
  }),
                    "give up");

  CHECK_FALSE(db.in_transaction());
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});
  sp::database other{path, wal_options()};
  CHECK(other.one<value_by_id>(std::int64_t{2}) == std::nullopt);

  SECTION("a failing statement rolls back the statements before it") {
    CHECK_THROWS_AS(db.transaction([&] {
      db.exec<add_item>(std::int64_t{3}, std::int64_t{30});
      db.exec<add_item>(std::int64_t{1}, std::int64_t{11});  // duplicate primary key
    }),
                    sp::constraint_error);
    CHECK_FALSE(db.in_transaction());
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});
  }
}

TEST_CASE("transaction: returns what the callable returns") {
  sp::database db{":memory:"};
  create_items(db);

  const int answer = db.transaction([] { return 42; });
  CHECK(answer == 42);

  const std::string text = db.transaction([] { return std::string(40, 'x'); });
  CHECK(text == std::string(40, 'x'));

  const std::optional<std::int64_t> inserted = db.transaction([&] {
    db.exec<add_item>(std::int64_t{7}, std::int64_t{70});
    return db.one<value_by_id>(std::int64_t{7});
  });
  CHECK(inserted == std::optional<std::int64_t>{70});

  const std::int64_t depth_seen =
      db.transaction([&](sp::transaction& tx) -> std::int64_t { return tx.depth(); });
  CHECK(depth_seen == 1);
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("transaction: a callable taking transaction& may end it itself") {
  sp::database db{":memory:"};
  create_items(db);

  SECTION("left open: committed on return") {
    db.transaction([&](sp::transaction& tx) {
      CHECK(tx.active());
      CHECK(tx.depth() == 1);
      db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    });
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});
  }
  SECTION("committed inside: not committed twice") {
    db.transaction([&](sp::transaction& tx) {
      db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
      tx.commit();
      CHECK_FALSE(tx.active());
      CHECK_FALSE(db.in_transaction());
    });
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});
  }
  SECTION("rolled back inside: nothing kept, nothing thrown") {
    db.transaction([&](sp::transaction& tx) {
      db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
      tx.rollback();
      CHECK_FALSE(tx.active());
    });
    CHECK(db.one<item_count>() == std::optional<std::int64_t>{0});
  }
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("transaction: a nested transaction is a savepoint") {
  sp::database db{":memory:"};
  create_items(db);

  db.transaction([&] {
    db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    try {
      db.transaction([&](sp::transaction& inner) {
        CHECK(inner.depth() == 2);
        db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
        CHECK(db.one<item_count>() == std::optional<std::int64_t>{2});
        throw std::runtime_error("inner fails");
      });
      FAIL("the inner transaction should have thrown");
    } catch (const std::runtime_error& e) {
      CHECK(std::string_view(e.what()) == "inner fails");
    }
    CHECK(db.in_transaction());  // the outer transaction is still open
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});
    db.exec<add_item>(std::int64_t{3}, std::int64_t{30});
  });

  CHECK_FALSE(db.in_transaction());
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1, 3});

  SECTION("an inner failure not caught undoes the outer work too") {
    CHECK_THROWS_WITH(db.transaction([&] {
      db.exec<add_item>(std::int64_t{4}, std::int64_t{40});
      db.transaction([&] {
        db.exec<add_item>(std::int64_t{5}, std::int64_t{50});
        throw std::runtime_error("all fails");
      });
    }),
                      "all fails");
    CHECK_FALSE(db.in_transaction());
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1, 3});
  }
}

TEST_CASE("transaction: three levels of nesting") {
  sp::database db{":memory:"};
  create_items(db);
  std::vector<int> depths;

  db.transaction([&](sp::transaction& t1) {
    depths.push_back(t1.depth());
    db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    db.transaction([&](sp::transaction& t2) {
      depths.push_back(t2.depth());
      db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
      try {
        db.transaction([&](sp::transaction& t3) {
          depths.push_back(t3.depth());
          db.exec<add_item>(std::int64_t{3}, std::int64_t{30});
          throw std::runtime_error("third level fails");
        });
      } catch (const std::runtime_error&) {
      }
      CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1, 2});
      db.transaction([&](sp::transaction& t3) {  // a second savepoint at the same level
        depths.push_back(t3.depth());
        db.exec<add_item>(std::int64_t{4}, std::int64_t{40});
      });
      db.exec<add_item>(std::int64_t{5}, std::int64_t{50});
    });
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1, 2, 4, 5});
  });

  CHECK(depths == std::vector<int>{1, 2, 3, 3});
  CHECK_FALSE(db.in_transaction());
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1, 2, 4, 5});
  CHECK(db.one<value_by_id>(std::int64_t{4}) == std::optional<std::int64_t>{40});
}

// A table that can take a few small rows but not a 1 MB blob: inserting the blob fails with
// SQLITE_FULL, after which SQLite rolls back the whole transaction on its own
// (https://sqlite.org/lang_transaction.html#response_to_errors_within_a_transaction).
using add_blob = sp::query<"INSERT INTO blobs (b) VALUES (zeroblob(?))", void(std::int64_t)>;

void create_items_with_small_limit(sp::database& db) {
  create_items(db);
  db.exec_script("CREATE TABLE blobs (b BLOB); PRAGMA max_page_count = 32");
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

TEST_CASE("transaction: after SQLite rolls back on its own, statements are refused until the outermost transaction ends") {
  sp::database db{":memory:"};
  create_items_with_small_limit(db);
  sp::statement held = db.prepare_cached("INSERT INTO items (id, v) VALUES (?, ?)");

  try {
    db.transaction([&] {
      db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
      try {  // the savepoint pattern: an inner failure is caught and the outer work goes on
        db.transaction([&] {
          db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
          db.exec<add_blob>(std::int64_t{1'000'000});
        });
        FAIL("the blob should not fit");
      } catch (const sp::error& e) {
        CHECK(e.primary_code() == SQLITE_FULL);
      }
      CHECK_FALSE(db.in_transaction());  // SQLite's own rollback ended the outer one too

      try {
        db.exec<add_item>(std::int64_t{3}, std::int64_t{30});
        FAIL("a write after the rollback should be refused");
      } catch (const sp::transaction_aborted_error& e) {
        CHECK(e.extended_code() == SQLITE_ABORT_ROLLBACK);
        CHECK(contains(e.what(), "rolled back"));
        CHECK(contains(e.what(), "INSERT INTO items"));
      }
      CHECK_THROWS_AS(db.one<item_count>(), sp::transaction_aborted_error);
      CHECK_THROWS_AS(db.exec_script("INSERT INTO items (id, v) VALUES (4, 40)"),
                      sp::transaction_aborted_error);
      CHECK_THROWS_AS(held.exec(std::int64_t{5}, std::int64_t{50}), sp::transaction_aborted_error);
      CHECK_THROWS_AS(db.prepare("INSERT INTO items (id, v) VALUES (6, 60)"),
                      sp::transaction_aborted_error);
      CHECK_THROWS_AS(db.transaction([&] { db.exec<add_item>(std::int64_t{7}, std::int64_t{70}); }),
                      sp::transaction_aborted_error);
    });  // returns normally: the commit is refused too
    FAIL("the outer transaction should not commit");
  } catch (const sp::transaction_aborted_error& e) {
    CHECK(contains(e.what(), "commit"));
  }

  // Nothing of the transaction is in the database: neither the rows before the failure
  // (rolled back by SQLite) nor any of the writes attempted after it.
  CHECK_FALSE(db.in_transaction());
  CHECK(db.all<item_ids>().empty());

  // The outermost end cleared the state: the connection works as before.
  db.transaction([&] { db.exec<add_item>(std::int64_t{8}, std::int64_t{80}); });
  held.exec(std::int64_t{9}, std::int64_t{90});
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{8, 9});
}

TEST_CASE("transaction: begin() after SQLite rolled back on its own commits nothing and rolls back cleanly") {
  sp::database db{":memory:"};
  create_items_with_small_limit(db);

  {
    auto outer = db.begin();
    db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    {
      auto inner = db.begin();
      CHECK(inner.depth() == 2);
      CHECK_THROWS_AS(db.exec<add_blob>(std::int64_t{1'000'000}), sp::error);
      CHECK_THROWS_AS(inner.commit(), sp::transaction_aborted_error);
      CHECK(inner.active());
    }  // destroyed: rolls back what is left, ends the savepoint level
    CHECK_THROWS_AS(db.exec<add_item>(std::int64_t{2}, std::int64_t{20}),
                    sp::transaction_aborted_error);
    CHECK_THROWS_AS(outer.commit(), sp::transaction_aborted_error);
    CHECK(outer.active());
    outer.rollback();
    CHECK_FALSE(outer.active());
  }
  CHECK(db.all<item_ids>().empty());

  auto again = db.begin(sp::tx_mode::immediate);
  CHECK(again.depth() == 1);
  db.exec<add_item>(std::int64_t{3}, std::int64_t{30});
  again.commit();
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{3});
}

TEST_CASE("transaction: an interrupt that rolls SQLite back is refused the same way") {
  sp::database db{":memory:"};
  create_items(db);
  sqlite3* handle = db.native_handle();
  // Once armed, interrupts the running statement: a progress handler is called every 100
  // virtual-machine steps, so a long INSERT ... SELECT is stopped part-way.
  struct context {
    sqlite3* db;
    bool armed;
  } ctx{handle, false};
  sqlite3_progress_handler(
      handle, 100,
      [](void* p) {
        auto* c = static_cast<context*>(p);
        if (c->armed) sqlite3_interrupt(c->db);
        return 0;
      },
      &ctx);

  CHECK_THROWS_AS(db.transaction([&] {
    db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    ctx.armed = true;
    try {
      db.exec_script(
          "INSERT INTO items (id, v) WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 "
          "FROM n WHERE i < 100000) SELECT i, i FROM n");
      FAIL("the insert should have been interrupted");
    } catch (const sp::error& e) {
      CHECK(e.primary_code() == SQLITE_INTERRUPT);
    }
    ctx.armed = false;
    db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
  }),
                  sp::transaction_aborted_error);
  sqlite3_progress_handler(handle, 0, nullptr, nullptr);
  CHECK(db.all<item_ids>().empty());
}

TEST_CASE("transaction: begin() commits on commit() and rolls back when destroyed") {
  sp::database db{":memory:"};
  create_items(db);

  {
    sp::transaction tx = db.begin();
    CHECK(tx.active());
    CHECK(tx.depth() == 1);
    CHECK(db.in_transaction());
    db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
  }  // destroyed without commit()
  CHECK_FALSE(db.in_transaction());
  CHECK(db.one<item_count>() == std::optional<std::int64_t>{0});

  {
    sp::transaction tx = db.begin(sp::tx_mode::immediate);
    db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
    tx.commit();
    CHECK_FALSE(tx.active());
    CHECK_FALSE(db.in_transaction());
  }
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{2});

  {
    sp::transaction outer = db.begin();
    db.exec<add_item>(std::int64_t{3}, std::int64_t{30});
    {
      sp::transaction inner = db.begin();
      CHECK(inner.depth() == 2);
      db.exec<add_item>(std::int64_t{4}, std::int64_t{40});
      CHECK_THROWS_AS(outer.commit(), sp::misuse_error);  // the savepoint is still open
      CHECK(outer.active());
    }  // the savepoint rolls back
    CHECK(db.in_transaction());
    outer.commit();
  }
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{2, 3});

  {
    sp::transaction outer = db.begin();
    sp::transaction moved = std::move(outer);
    CHECK(moved.active());
    CHECK_FALSE(outer.active());  // a moved-from transaction has ended
    db.exec<add_item>(std::int64_t{5}, std::int64_t{50});
    moved.commit();
  }
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{2, 3, 5});
}

TEST_CASE("transaction: rollback() undoes the work and ends the transaction") {
  sp::database db{":memory:"};
  create_items(db);
  db.exec<add_item>(std::int64_t{1}, std::int64_t{10});

  sp::transaction tx = db.begin();
  db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
  CHECK(db.one<item_count>() == std::optional<std::int64_t>{2});
  tx.rollback();
  CHECK_FALSE(tx.active());
  CHECK_FALSE(db.in_transaction());
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});

  CHECK_THROWS_AS(tx.rollback(), sp::misuse_error);
  CHECK_THROWS_AS(tx.commit(), sp::misuse_error);

  SECTION("of a savepoint: only its own work") {
    sp::transaction outer = db.begin();
    db.exec<add_item>(std::int64_t{3}, std::int64_t{30});
    sp::transaction inner = db.begin();
    db.exec<add_item>(std::int64_t{4}, std::int64_t{40});
    inner.rollback();
    CHECK(db.in_transaction());
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1, 3});
    outer.commit();
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1, 3});
  }
}

TEST_CASE("transaction: committing twice is a misuse_error") {
  sp::database db{":memory:"};
  create_items(db);
  sp::transaction tx = db.begin();
  db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
  tx.commit();
  CHECK_THROWS_AS(tx.commit(), sp::misuse_error);
  try {
    tx.commit();
  } catch (const sp::misuse_error& e) {
    CHECK(std::string_view(e.what()).find("already ended") != std::string_view::npos);
  }
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});  // the first commit holds
}

TEST_CASE("transaction: in_transaction() follows the connection's state") {
  sp::database db{":memory:"};
  create_items(db);
  CHECK_FALSE(db.in_transaction());

  bool inside = false;
  db.transaction([&] { inside = db.in_transaction(); });
  CHECK(inside);
  CHECK_FALSE(db.in_transaction());

  SECTION("a transaction begun by hand makes transaction() a savepoint") {
    db.exec_script("BEGIN");
    CHECK(db.in_transaction());
    db.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    CHECK_THROWS_AS(db.transaction([&] {
      db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
      throw std::runtime_error("undo the savepoint only");
    }),
                    std::runtime_error);
    CHECK(db.in_transaction());  // the hand-made transaction is left open
    db.exec_script("COMMIT");
    CHECK_FALSE(db.in_transaction());
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});
  }
  SECTION("closed database") {
    db.close();
    CHECK_FALSE(db.in_transaction());
    CHECK_THROWS_AS(db.begin(), sp::misuse_error);
  }
}

TEST_CASE("transaction: immediate and exclusive take the write lock at BEGIN") {
  const scratch_dir dir;
  const std::string path = dir.file("locks.db");
  sp::options rollback_journal;  // the file's default journal mode (DELETE)
  sp::database db{path, rollback_journal};
  create_items(db);
  sp::options no_wait = rollback_journal;
  no_wait.busy_timeout = 0ms;
  sp::database other{path, no_wait};

  SECTION("deferred takes no lock until the first statement") {
    sp::transaction tx = db.begin(sp::tx_mode::deferred);
    other.exec<add_item>(std::int64_t{1}, std::int64_t{10});
    tx.commit();
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{1});
  }
  SECTION("immediate: other writers are busy, readers are not") {
    sp::transaction tx = db.begin(sp::tx_mode::immediate);
    CHECK_THROWS_AS(other.exec<add_item>(std::int64_t{1}, std::int64_t{10}), sp::busy_error);
    CHECK(other.one<item_count>() == std::optional<std::int64_t>{0});
    db.exec<add_item>(std::int64_t{2}, std::int64_t{20});
    tx.commit();
    other.exec<add_item>(std::int64_t{1}, std::int64_t{10});  // free again
    CHECK(other.all<item_ids>() == std::vector<std::int64_t>{1, 2});
  }
  SECTION("exclusive: other writers and, in rollback-journal mode, readers are busy") {
    sp::transaction tx = db.begin(sp::tx_mode::exclusive);
    CHECK_THROWS_AS(other.exec<add_item>(std::int64_t{1}, std::int64_t{10}), sp::busy_error);
    CHECK_THROWS_AS(other.one<item_count>(), sp::busy_error);
    tx.rollback();
    CHECK(other.one<item_count>() == std::optional<std::int64_t>{0});
  }
  SECTION("the busy_error carries SQLite's code") {
    sp::transaction tx = db.begin(sp::tx_mode::immediate);
    try {
      other.exec<add_item>(std::int64_t{1}, std::int64_t{10});
      FAIL("expected busy_error");
    } catch (const sp::busy_error& e) {
      CHECK(e.primary_code() == SQLITE_BUSY);
      CHECK(std::string_view(e.what()).find("INSERT INTO items") != std::string_view::npos);
    }
  }
  SECTION("immediate in WAL mode") {
    db.exec_script("PRAGMA journal_mode = WAL");
    sp::transaction tx = db.begin(sp::tx_mode::immediate);
    CHECK_THROWS_AS(other.exec<add_item>(std::int64_t{1}, std::int64_t{10}), sp::busy_error);
    CHECK(other.one<item_count>() == std::optional<std::int64_t>{0});
    tx.commit();
  }
}

TEST_CASE("transaction: retry_policy re-runs the whole callable on busy_error") {
  sp::database db{":memory:"};
  create_items(db);

  SECTION("succeeds on the third attempt; earlier attempts are rolled back") {
    int attempts = 0;
    const std::int64_t result = db.transaction(
        [&] {
          ++attempts;
          db.exec<add_item>(std::int64_t{attempts}, std::int64_t{attempts * 10});
          if (attempts < 3) throw synthetic_busy();
          return std::int64_t{attempts};
        },
        sp::tx_mode::immediate, sp::retry_policy::on_busy(5));
    CHECK(result == 3);
    CHECK(attempts == 3);
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{3});
  }
  SECTION("gives up after max_attempts") {
    int attempts = 0;
    CHECK_THROWS_AS(db.transaction([&] {
      ++attempts;
      throw synthetic_busy();
    },
                                   sp::tx_mode::deferred, sp::retry_policy::on_busy(4)),
                    sp::busy_error);
    CHECK(attempts == 4);
    CHECK_FALSE(db.in_transaction());
  }
  SECTION("without a policy there is one attempt") {
    int attempts = 0;
    CHECK_THROWS_AS(db.transaction([&] {
      ++attempts;
      throw synthetic_busy();
    }),
                    sp::busy_error);
    CHECK(attempts == 1);
  }
  SECTION("other errors are not retried") {
    int attempts = 0;
    CHECK_THROWS_AS(db.transaction([&] {
      ++attempts;
      throw std::runtime_error("not busy");
    },
                                   sp::tx_mode::deferred, sp::retry_policy::on_busy(5)),
                    std::runtime_error);
    CHECK(attempts == 1);
  }
  SECTION("a savepoint does not retry; the outermost transaction re-runs it") {
    int outer_attempts = 0;
    int inner_attempts = 0;
    db.transaction(
        [&] {
          ++outer_attempts;
          db.exec<add_item>(std::int64_t{10 + outer_attempts}, std::int64_t{0});
          db.transaction(
              [&] {
                ++inner_attempts;
                if (inner_attempts == 1) throw synthetic_busy();
              },
              sp::tx_mode::deferred, sp::retry_policy::on_busy(5));
        },
        sp::tx_mode::deferred, sp::retry_policy::on_busy(3));
    CHECK(outer_attempts == 2);
    CHECK(inner_attempts == 2);
    CHECK(db.all<item_ids>() == std::vector<std::int64_t>{12});
  }
}

TEST_CASE("transaction: retry_policy waits out another connection's write lock") {
  const scratch_dir dir;
  const std::string path = dir.file("retry.db");
  sp::database db{path, wal_options(0ms)};  // connection B: fails at once when busy
  create_items(db);

  std::promise<void> locked;
  std::future<void> lock_held = locked.get_future();
  std::promise<void> release_now;
  std::shared_future<void> may_release = release_now.get_future().share();
  std::promise<void> finished;
  std::future<void> writer_done = finished.get_future();

  // Thread A, on its own connection: holds BEGIN IMMEDIATE until B has been refused at least
  // once (or 5 s have passed), then about 100 ms more, then commits.
  std::jthread writer([&path, &locked, may_release, &finished] {
    try {
      sp::database a{path, wal_options()};
      sp::transaction tx = a.begin(sp::tx_mode::immediate);
      a.exec<add_item>(std::int64_t{100}, std::int64_t{1000});
      locked.set_value();
      may_release.wait_for(5s);
      std::this_thread::sleep_for(100ms);
      tx.commit();
      finished.set_value();
    } catch (...) {
      try {
        locked.set_exception(std::current_exception());
      } catch (const std::future_error&) {  // already set
      }
      finished.set_exception(std::current_exception());
    }
  });
  lock_held.get();

  begin_counter counter;
  sqlite3_trace_v2(db.native_handle(), SQLITE_TRACE_STMT, &count_begins, &counter);
  int calls = 0;
  auto write = [&] {
    ++calls;
    db.exec<add_item>(std::int64_t{200}, std::int64_t{2000});
  };

  // Without a retry policy the BEGIN IMMEDIATE fails at once, before the callable runs.
  CHECK_THROWS_AS(db.transaction(write, sp::tx_mode::immediate), sp::busy_error);
  CHECK(calls == 0);
  CHECK(counter.begins == 1);
  CHECK_FALSE(db.in_transaction());

  // With one: the second BEGIN starts only after the first was refused; that lets A go.
  counter = begin_counter{0, 2, &release_now};
  const auto start = std::chrono::steady_clock::now();
  db.transaction(write, sp::tx_mode::immediate, sp::retry_policy::on_busy(50));
  const auto waited = std::chrono::steady_clock::now() - start;
  writer.join();
  writer_done.get();
  sqlite3_trace_v2(db.native_handle(), 0, nullptr, nullptr);

  CHECK(counter.begins > 2);  // refused at least twice: A held on for ~100 ms after the first
  CHECK(calls == 1);          // the callable ran once, when the lock was held
  CHECK(waited >= 50ms);
  CHECK_FALSE(db.in_transaction());
  CHECK(db.all<item_ids>() == std::vector<std::int64_t>{100, 200});
  sp::database check{path, wal_options()};
  CHECK(check.one<value_by_id>(std::int64_t{200}) == std::optional<std::int64_t>{2000});
}
