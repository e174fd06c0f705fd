// Many threads, one database file: a pool with one writer and four readers. Three threads
// check the bank's books while a fourth moves money between accounts; every read sees a
// consistent snapshot, so the total never moves. Audit entries go through the write queue
// (submit_write) and are committed in batches. Creates pool.db in the current directory.

#include <sqlproof/pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string_view>
#include <thread>
#include <vector>

namespace sp = sqlproof;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "pool: check failed: %s\n", what);
    ++failures;
  }
}

using open_account = sp::query<"INSERT INTO accounts (id, balance) VALUES (?, ?)",
                               void(std::int64_t, std::int64_t)>;
using deposit = sp::query<"UPDATE accounts SET balance = balance + ? WHERE id = ?",
                          void(std::int64_t, std::int64_t)>;
using total = sp::query<"SELECT sum(balance) FROM accounts", std::int64_t()>;
using audit = sp::query<"INSERT INTO audit (note) VALUES (?)", void(std::string_view)>;
using audit_count = sp::query<"SELECT count(*) FROM audit", std::int64_t()>;

constexpr std::int64_t accounts = 10;
constexpr std::int64_t opening_balance = 1000;

}  // namespace

int main() {
  // [memory statistics]
  // First thing in main, before any connection opens: SQLite's process-wide memory
  // statistics put every allocation behind one mutex that the reader threads would share.
  sp::set_memory_statistics(false);
  // [memory statistics]

  std::filesystem::remove("pool.db");
  std::filesystem::remove("pool.db-wal");
  std::filesystem::remove("pool.db-shm");

  // [open]
  // One writer and 4 query_only readers on one WAL file, configured for a server.
  sp::pool pool{"pool.db", sp::options::production(), 4};
  // [open]

  pool.write([](sp::database& db) {
    db.exec_script(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);"
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT NOT NULL)");
    for (std::int64_t id = 0; id < accounts; ++id) db.exec<open_account>(id, opening_balance);
  });

  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> inconsistent{0};

  // [read]
  // Readers: each call gets a reader of its own and one snapshot for all its statements;
  // they never wait for the writer.
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        const std::int64_t sum = pool.read([](sp::database& db) { return *db.one<total>(); });
        if (sum != accounts * opening_balance) ++inconsistent;
        ++reads;
      }
    });
  }
  // [read]

  // [write]
  // The writer: each transfer is one IMMEDIATE transaction; writers queue first come,
  // first served. The audit note is queued and committed with others in one transaction.
  std::vector<std::future<void>> notes;
  std::thread writer([&] {
    for (std::int64_t i = 0; i < 500; ++i) {
      const std::int64_t from = i % accounts;
      const std::int64_t to = (i * 7 + 3) % accounts;
      pool.write([&](sp::database& db) {
        db.exec<deposit>(-25, from);
        db.exec<deposit>(25, to);
      });
      notes.push_back(pool.submit_write([](sp::database& db) { db.exec<audit>("transfer"); }));
    }
    for (auto& n : notes) n.get();  // each future is ready once its batch committed
  });
  // [write]

  writer.join();
  done = true;
  for (auto& t : readers) t.join();

  const auto [sum, audited] = pool.read([](sp::database& db) {
    return std::pair{*db.one<total>(), *db.one<audit_count>()};
  });
  check(sum == accounts * opening_balance, "the books balance");
  check(audited == 500, "every audit note committed");
  check(inconsistent == 0, "no read saw money in flight");
  check(reads > 0, "the readers read while the writer wrote");

  // [stats]
  const sp::pool_stats s = pool.stats();
  std::printf("%d reads (%llu waited for a reader), %llu writes, %llu queued writes in %llu "
              "transactions\n",
              reads.load(), static_cast<unsigned long long>(s.read_waits),
              static_cast<unsigned long long>(s.writes),
              static_cast<unsigned long long>(s.queued_writes),
              static_cast<unsigned long long>(s.batches));
  std::printf("writer busy %.1f ms, longest writer queue %zu, WAL %llu bytes\n",
              std::chrono::duration<double, std::milli>(s.writer_busy_time).count(),
              s.max_writer_queue, static_cast<unsigned long long>(s.wal_size));
  // [stats]
  check(s.writes == 501, "the schema and 500 transfers");
  check(s.queued_writes == 500, "500 queued writes");
  check(s.batches >= 1 && s.batches <= 500, "queued writes share transactions");

  std::printf("total balance %lld across %lld accounts: %s\n", static_cast<long long>(sum),
              static_cast<long long>(accounts), failures == 0 ? "consistent" : "WRONG");
  return failures == 0 ? 0 : 1;
}
