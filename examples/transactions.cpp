// Transactions: commit on return, roll back on exception, nested savepoints, the RAII form,
// retrying the whole transaction when another connection holds the write lock, and what
// happens after SQLite rolls a transaction back on its own.
// Creates transactions.db in the current directory.

#include <sqlproof/sqlproof.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace sp = sqlproof;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "transactions: check failed: %s\n", what);
    ++failures;
  }
}

using deposit = sp::query<"UPDATE accounts SET balance = balance + ? WHERE name = ?",
                          void(std::int64_t, std::string_view)>;
using balance = sp::query<"SELECT balance FROM accounts WHERE name = ?", std::int64_t(std::string_view)>;
using total = sp::query<"SELECT sum(balance) FROM accounts", std::int64_t()>;
using append = sp::query<"INSERT INTO log (entry) VALUES (zeroblob(?))", void(std::int64_t)>;
using log_entries = sp::query<"SELECT count(*) FROM log", std::int64_t()>;

// [transfer]
void transfer(sp::database& db, std::string_view from, std::string_view to, std::int64_t amount) {
  db.transaction(
      [&] {
        db.exec<deposit>(-amount, from);
        if (db.one<balance>(from).value_or(0) < 0) throw std::runtime_error("insufficient funds");
        db.exec<deposit>(amount, to);
      },
      sp::tx_mode::immediate);  // take the write lock at BEGIN: read-modify-write
}
// [transfer]

}  // namespace

int main() {
  for (const char* f : {"transactions.db", "transactions.db-wal", "transactions.db-shm",
                        "transactions.db-journal"}) {
    std::filesystem::remove(f);
  }
  sp::database db{"transactions.db"};
  db.exec_script(
      "CREATE TABLE accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL);"
      "INSERT INTO accounts VALUES ('ann', 100), ('bo', 0);");

  // [rollback-on-exception]
  transfer(db, "ann", "bo", 30);  // commits
  try {
    transfer(db, "ann", "bo", 500);  // throws: the debit is rolled back
  } catch (const std::runtime_error&) {
  }
  // [rollback-on-exception]
  check(db.one<balance>("ann") == std::int64_t{70} && db.one<balance>("bo") == std::int64_t{30},
        "failed transfer rolled back");

  // [savepoints]
  db.transaction([&](sp::transaction& outer) {  // BEGIN
    db.exec<deposit>(1, "ann");
    db.transaction([&](sp::transaction& inner) {  // SAVEPOINT sqlproof_savepoint
      db.exec<deposit>(1000, "ann");
      inner.rollback();  // ROLLBACK TO + RELEASE: only the 1000 is undone
    });
    try {
      db.transaction([&] {  // another SAVEPOINT sqlproof_savepoint
        db.exec<deposit>(2000, "ann");
        throw std::runtime_error("undo this part");
      });
    } catch (const std::runtime_error&) {
    }
    (void)outer.depth();  // 1; inner.depth() was 2
  });  // COMMIT: ann gained 1
  // [savepoints]
  check(db.one<balance>("ann") == std::int64_t{71}, "only the savepoints rolled back");

  // [raii]
  {
    sp::transaction tx = db.begin();
    db.exec<deposit>(5, "bo");
    tx.commit();
  }
  {
    sp::transaction tx = db.begin();
    db.exec<deposit>(1000, "bo");
  }  // not committed: the destructor rolls back
  // [raii]
  check(db.one<balance>("bo") == std::int64_t{35}, "RAII commit and rollback");
  check(db.one<total>() == std::int64_t{106}, "money is conserved");

  // [busy-retry]
  // Another connection holds the write lock until our callable has started a second time.
  // Without a busy timeout the UPDATE fails with busy_error at once; the retry policy rolls
  // back and runs the whole callable again, with a growing pause in between.
  std::atomic<int> attempts{0};
  std::atomic<bool> locked{false};
  std::thread other([&] {
    sp::database writer{"transactions.db"};
    sp::transaction tx = writer.begin(sp::tx_mode::immediate);
    locked = true;
    while (attempts < 2) std::this_thread::sleep_for(std::chrono::milliseconds{1});
    tx.commit();
  });
  while (!locked) std::this_thread::yield();

  sp::options no_wait;
  no_wait.busy_timeout = std::chrono::milliseconds{0};
  sp::database impatient{"transactions.db", no_wait};
  impatient.transaction(
      [&] {
        ++attempts;
        impatient.exec<deposit>(1, "bo");
      },
      sp::tx_mode::deferred,
      sp::retry_policy{50, std::chrono::milliseconds{5}, std::chrono::milliseconds{20}});
  other.join();
  // [busy-retry]
  check(attempts >= 2, "the callable ran again after busy");
  check(impatient.one<balance>("bo") == std::int64_t{36}, "the retried transaction committed");

  sp::database small{":memory:"};
  small.exec_script("CREATE TABLE log (entry BLOB); PRAGMA max_page_count = 16");
  bool refused = false;
  // [rolled-back-by-sqlite]
  try {
    small.transaction([&] {
      small.exec<append>(100);
      try {
        small.transaction([&] { small.exec<append>(1'000'000); });  // SQLITE_FULL
      } catch (const sp::error&) {
        // SQLite rolled back the outer transaction as well: carrying on is refused
      }
      small.exec<append>(100);  // throws transaction_aborted_error, runs nothing
    });
  } catch (const sp::transaction_aborted_error&) {
    refused = true;  // nothing of the transaction is in the database
  }
  // [rolled-back-by-sqlite]
  check(refused, "statements after SQLite's own rollback are refused");
  check(small.one<log_entries>() == std::int64_t{0}, "nothing of the transaction was committed");

  if (failures != 0) return 1;
  std::puts("transactions: ok");
  return 0;
}
