// Tests for include/sqlproof/pool.hpp: opening (WAL forced, refused configurations,
// query_only readers), read snapshots and results, writes and nesting, the writer's FIFO
// queue and its deadline, the reader wait, queued writes in batches (a failing job, a failing
// COMMIT), errors leaving the pool usable, the statistics, readers reading through a held
// write, a mixed stress run whose every read checks an invariant, and the checkpoint policy
// against overlapping readers.
//
// Catch2's assertions are not thread-safe: worker threads count into atomics, and the test's
// own thread checks the counts.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include <sqlproof/pool.hpp>

#include "catch.hpp"
#include "support/scratch_dir.hpp"

namespace sp = sqlproof;
using namespace std::chrono_literals;

// 8 threads × this many operations in the stress test: the full count in the ThreadSanitizer
// build (tests/CMakeLists.txt, SQLPROOF_TSAN_TESTS), fewer in the everyday sanitizer build.
#ifndef SQLPROOF_TEST_POOL_STRESS_OPS
#define SQLPROOF_TEST_POOL_STRESS_OPS 2000
#endif

namespace {

struct scratch_dir : sqlproof_test::scratch_dir {
  scratch_dir() : sqlproof_test::scratch_dir("pool") {}
};

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The message of the `E` that `call` throws; empty when it throws nothing.
template <class E, class F>
std::string error_text(F&& call) {
  try {
    call();
  } catch (const E& e) {
    return e.what();
  }
  return {};
}

using add_v = sp::query<"INSERT INTO t (v) VALUES (?)", void(std::int64_t)>;
using count_t = sp::query<"SELECT count(*) FROM t", std::int64_t()>;
using count_and_sum = sp::query<"SELECT count(*), coalesce(sum(v), 0) FROM t",
                                std::tuple<std::int64_t, std::int64_t>()>;
using values_in_order = sp::query<"SELECT v FROM t ORDER BY id", std::int64_t()>;
using has_v = sp::query<"SELECT count(*) FROM t WHERE v = ?", std::int64_t(std::int64_t)>;

constexpr std::string_view schema = "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)";

// A pool on a new file with table t (created beforehand, so the pool has counted nothing).
sp::pool make_pool(const scratch_dir& dir, std::size_t readers = 4, sp::pool_options p = {}) {
  sp::database(dir.file("pool.db"), sp::options::production()).exec_script(schema);
  return sp::pool{dir.file("pool.db"), sp::options::production(), readers, p};
}

std::int64_t row_count(sp::pool& pool) {
  return pool.read([](sp::database& db) { return *db.one<count_t>(); });
}

// Waits until the pool's writer thread has let go of every job queued so far (it runs the
// next job only after it destroyed the previous batch). Before reading an exception from a
// queued write's future: the exception object is shared with that thread through a
// reference count inside the C++ runtime, which ThreadSanitizer does not see, so a batch
// destroyed while the test reads the message would be reported as a race.
void drain(sp::pool& pool) {
  pool.submit_write([](sp::database&) {}).get();
}

// Spins (with short sleeps) until `done` holds, for at most 10 s.
template <class Done>
bool wait_for(Done&& done) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

TEST_CASE("a pool opens one WAL file: a writer and query_only readers", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 3);
  CHECK(pool.readers() == 3);
  CHECK(pool.path() == dir.file("pool.db"));

  SECTION("every connection is in WAL mode with the production settings") {
    pool.write([](sp::database& db) {
      const sp::pragma_values v = db.pragmas();
      CHECK(v.journal == sp::journal_mode::wal);
      CHECK(v.synchronous == sp::synchronous_mode::normal);
      CHECK(v.foreign_keys);
    });
    pool.read([](sp::database& db) {
      const sp::pragma_values v = db.pragmas();
      CHECK(v.journal == sp::journal_mode::wal);
      CHECK(v.busy_timeout == 5000ms);
    });
  }

  SECTION("a reader refuses to change the database") {
    int code = 0;
    const std::string message = error_text<sp::error>([&] {
      pool.read([&](sp::database& db) {
        try {
          db.exec<add_v>(1);
        } catch (const sp::error& e) {
          code = e.primary_code();
          throw;
        }
      });
    });
    CHECK(code == 8);  // SQLITE_READONLY
    CHECK(contains(message, "readonly"));
    CHECK(row_count(pool) == 0);
  }

  SECTION("options without a journal mode get WAL") {
    const scratch_dir other;
    sp::pool plain{other.file("plain.db"), sp::options{}, 1};
    const auto mode = plain.read([](sp::database& db) { return db.pragmas().journal; });
    CHECK(mode == sp::journal_mode::wal);
  }
}

TEST_CASE("a pool refuses what cannot work, saying why", "[pool]") {
  const scratch_dir dir;
  CHECK(contains(error_text<sp::open_error>([] { sp::pool p{":memory:"}; }), "in-memory"));
  sp::options rollback = sp::options::production();
  rollback.journal = sp::journal_mode::delete_;
  const std::string journal =
      error_text<sp::open_error>([&] { sp::pool p{dir.file("a.db"), rollback}; });
  CHECK(contains(journal, "journal_mode DELETE"));
  CHECK(contains(journal, "WAL"));
  const std::string none =
      error_text<sp::misuse_error>([&] { sp::pool p{dir.file("b.db"), sp::options{}, 0}; });
  CHECK(contains(none, "0 readers"));
  sp::options read_only;
  read_only.read_only = true;
  read_only.create = false;
  CHECK(contains(error_text<sp::open_error>([&] { sp::pool p{dir.file("c.db"), read_only}; }),
                 "read_only"));
}

TEST_CASE("read and write return what the callable returns; void is allowed", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir);
  const std::int64_t id = pool.write([](sp::database& db) {
    db.exec<add_v>(5);
    return db.last_insert_rowid();
  });
  CHECK(id == 1);
  pool.write([](sp::database& db) { db.exec<add_v>(-5); });
  const auto [count, sum] = pool.read([](sp::database& db) { return *db.one<count_and_sum>(); });
  CHECK(count == 2);
  CHECK(sum == 0);
  int calls = 0;
  pool.read([&](sp::database&) { ++calls; });
  CHECK(calls == 1);
}

TEST_CASE("a read sees one snapshot across its statements", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 1);
  pool.write([](sp::database& db) { db.exec<add_v>(1); });
  std::atomic<bool> first_read{false};
  std::atomic<bool> written{false};
  std::int64_t before = 0;
  std::int64_t after = 0;
  std::thread reader([&] {
    pool.read([&](sp::database& db) {
      before = *db.one<count_t>();
      first_read = true;
      while (!written) std::this_thread::sleep_for(1ms);
      after = *db.one<count_t>();
    });
  });
  REQUIRE(wait_for([&] { return first_read.load(); }));
  pool.write([](sp::database& db) { db.exec<add_v>(2); });
  written = true;
  reader.join();
  CHECK(before == 1);
  CHECK(after == 1);  // the same snapshot, though a write committed in between
  CHECK(row_count(pool) == 2);
}

TEST_CASE("nested calls on one thread reuse what the thread holds", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 1);  // one reader: a nested read that waited would time out

  SECTION("a read inside a read runs on the same reader") {
    const auto same = pool.read([&](sp::database& outer) {
      return pool.read([&](sp::database& inner) { return &inner == &outer; });
    });
    CHECK(same);
    CHECK(pool.stats().read_waits == 0);
  }

  SECTION("a write inside a write is a savepoint: its failure undoes only its part") {
    pool.write([&](sp::database& db) {
      db.exec<add_v>(1);
      CHECK_THROWS_AS(pool.write([](sp::database& inner) {
                        inner.exec<add_v>(2);
                        throw std::runtime_error("inner");
                      }),
                      std::runtime_error);
      pool.write([](sp::database& inner) { inner.exec<add_v>(3); });
    });
    const auto values = pool.read([](sp::database& db) { return db.all<values_in_order>(); });
    CHECK(values == std::vector<std::int64_t>{1, 3});
  }

  SECTION("a read inside a write runs on the writer and sees the write so far") {
    const std::int64_t seen = pool.write([&](sp::database& db) {
      db.exec<add_v>(7);
      return pool.read([](sp::database& r) { return *r.one<count_t>(); });
    });
    CHECK(seen == 1);
  }

  SECTION("a checkpoint inside a write is refused rather than waiting for its own turn") {
    const std::string message = error_text<sp::misuse_error>([&] {
      pool.write([&](sp::database& db) {
        db.exec<add_v>(1);
        static_cast<void>(pool.checkpoint());
      });
    });
    CHECK(contains(message, "cannot checkpoint inside a write"));
    CHECK(row_count(pool) == 0);
    CHECK(pool.checkpoint().complete());
  }

  SECTION("a write inside a read takes the writer's turn; the read's snapshot stays") {
    const std::int64_t seen = pool.read([&](sp::database& db) {
      const std::int64_t n = *db.one<count_t>();
      pool.write([](sp::database& w) { w.exec<add_v>(4); });
      return *db.one<count_t>() - n;
    });
    CHECK(seen == 0);
    CHECK(row_count(pool) == 1);
  }
}

TEST_CASE("exceptions from read and write propagate and leave the pool usable", "[pool]") {
  const scratch_dir dir;
  sp::pool_options p;
  p.reader_wait = 200ms;
  p.writer_wait = 200ms;
  sp::pool pool = make_pool(dir, 1, p);
  for (int i = 0; i < 5; ++i) {
    CHECK_THROWS_AS(pool.read([](sp::database& db) {
                      static_cast<void>(db.one<count_t>());
                      throw std::runtime_error("read failed");
                    }),
                    std::runtime_error);
    CHECK_THROWS_AS(pool.write([](sp::database& db) {
                      db.exec<add_v>(9);
                      throw std::logic_error("write failed");
                    }),
                    std::logic_error);
  }
  CHECK_THROWS_AS(pool.read([](sp::database& db) { db.exec_script("SELECT * FROM missing"); }),
                  sp::error);
  // The one reader came back each time (else this read would time out), nothing was written.
  CHECK(row_count(pool) == 0);
  pool.write([](sp::database& db) { db.exec<add_v>(1); });
  CHECK(row_count(pool) == 1);
  const sp::pool_stats s = pool.stats();
  CHECK(s.failed_writes == 5);
  CHECK(s.writes == 1);
  CHECK(s.reader_timeouts == 0);
  CHECK(s.writer_timeouts == 0);
}

TEST_CASE("readers keep reading while a write transaction is held for 400 ms", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 2);
  pool.write([](sp::database& db) {
    db.exec<add_v>(10);
    db.exec<add_v>(-10);
  });
  std::atomic<bool> holding{false};
  std::atomic<bool> released{false};
  std::atomic<int> reads_during{0};
  std::atomic<int> wrong{0};
  std::thread writer([&] {
    pool.write([&](sp::database& db) {
      db.exec<add_v>(1);  // uncommitted until the write returns
      holding = true;
      std::this_thread::sleep_for(400ms);
      holding = false;
    });
    released = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!released) {
        const bool started_inside = holding;
        const std::int64_t n = pool.read([](sp::database& db) { return *db.one<count_t>(); });
        if (started_inside && holding) {
          ++reads_during;
          if (n != 2) ++wrong;  // the state before the write
        }
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  CHECK(reads_during > 0);
  CHECK(wrong == 0);
  CHECK(row_count(pool) == 3);
  CHECK(pool.stats().read_waits == 0);
}

TEST_CASE("writers take their turn first come, first served", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 1);
  std::atomic<bool> release{false};
  std::atomic<bool> holding{false};
  std::thread holder([&] {
    pool.write([&](sp::database&) {
      holding = true;
      while (!release) std::this_thread::sleep_for(1ms);
    });
  });
  REQUIRE(wait_for([&] { return holding.load(); }));
  constexpr int writers = 6;
  std::vector<std::thread> queued;
  for (int k = 1; k <= writers; ++k) {
    queued.emplace_back([&pool, k] { pool.write([k](sp::database& db) { db.exec<add_v>(k); }); });
    // The next one starts only when this one stands in the queue.
    REQUIRE(wait_for([&] { return pool.stats().writer_queue == static_cast<std::size_t>(k); }));
  }
  CHECK(pool.stats().max_writer_queue == writers);
  release = true;
  holder.join();
  for (auto& t : queued) t.join();
  const auto values = pool.read([](sp::database& db) { return db.all<values_in_order>(); });
  CHECK(values == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
  const sp::pool_stats s = pool.stats();
  CHECK(s.writer_queue == 0);
  CHECK(s.write_waits == writers);
  CHECK(s.write_wait_time > 0ns);
}

TEST_CASE("a write that waits past writer_wait gives up; the ones behind it keep going",
          "[pool]") {
  const scratch_dir dir;
  sp::pool_options p;
  p.writer_wait = 400ms;
  sp::pool pool = make_pool(dir, 1, p);
  std::atomic<bool> holding{false};
  std::thread holder([&] {
    pool.write([&](sp::database& db) {
      holding = true;
      db.exec<add_v>(1);
      std::this_thread::sleep_for(600ms);
    });
  });
  REQUIRE(wait_for([&] { return holding.load(); }));
  // B queues at ~0 ms and gives up at ~400 ms; C queues behind it at ~300 ms and gets the
  // turn when the holder ends at ~600 ms, before its own deadline (~700 ms).
  std::string b_error;
  std::thread b([&] {
    b_error = error_text<sp::busy_error>([&] {
      pool.write([](sp::database& db) { db.exec<add_v>(2); });
    });
  });
  REQUIRE(wait_for([&] { return pool.stats().writer_queue == 1; }));
  std::this_thread::sleep_for(300ms);
  bool c_done = false;
  std::thread c([&] {
    pool.write([](sp::database& db) { db.exec<add_v>(3); });
    c_done = true;
  });
  holder.join();
  b.join();
  c.join();
  CHECK(contains(b_error, "waited 400 ms for its turn at the writer"));
  CHECK(contains(b_error, "other write(s) still queued"));
  CHECK(c_done);
  const auto values = pool.read([](sp::database& db) { return db.all<values_in_order>(); });
  CHECK(values == std::vector<std::int64_t>{1, 3});
  const sp::pool_stats s = pool.stats();
  CHECK(s.writer_timeouts == 1);
  CHECK(s.writer_queue == 0);
  // The queue is still in order afterwards.
  pool.write([](sp::database& db) { db.exec<add_v>(4); });
  CHECK(row_count(pool) == 3);
}

TEST_CASE("a read that finds every reader busy waits up to reader_wait, then gives up",
          "[pool]") {
  const scratch_dir dir;
  sp::pool_options p;
  p.reader_wait = 100ms;
  sp::pool pool = make_pool(dir, 1, p);
  std::atomic<bool> holding{false};
  std::thread holder([&] {
    pool.read([&](sp::database&) {
      holding = true;
      std::this_thread::sleep_for(500ms);
    });
  });
  REQUIRE(wait_for([&] { return holding.load(); }));
  const std::string message = error_text<sp::busy_error>([&] { row_count(pool); });
  holder.join();
  CHECK(contains(message, "waited 100 ms for a free reader"));
  CHECK(contains(message, "all 1 readers were busy"));
  CHECK(row_count(pool) == 0);
  const sp::pool_stats s = pool.stats();
  CHECK(s.reader_timeouts == 1);
  CHECK(s.read_waits == 1);
  CHECK(s.read_wait_time >= 100ms);
  CHECK(s.reads == 2);
}

TEST_CASE("queued writes run in order, many to a transaction, a savepoint each", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 1);
  // The first job holds the writer thread until every other job is queued, so that they
  // are taken as one batch.
  std::atomic<bool> started{false};
  std::atomic<bool> go{false};
  std::future<void> gate = pool.submit_write([&](sp::database&) {
    started = true;
    while (!go) std::this_thread::sleep_for(1ms);
  });
  REQUIRE(wait_for([&] { return started.load(); }));
  std::vector<std::future<std::int64_t>> futures;
  for (std::int64_t k = 1; k <= 10; ++k) {
    futures.push_back(pool.submit_write([k](sp::database& db) {
      db.exec<add_v>(k);
      if (k == 5) throw std::runtime_error("job 5 fails");
      return k * 10;
    }));
  }
  CHECK(pool.stats().pending_jobs == 10);
  go = true;
  gate.get();
  futures.back().wait();  // the batch of ten is done, so the drain is a batch of its own
  drain(pool);
  for (std::int64_t k = 1; k <= 10; ++k) {
    auto& f = futures[static_cast<std::size_t>(k - 1)];
    if (k == 5) {
      CHECK(contains(error_text<std::runtime_error>([&] { f.get(); }), "job 5 fails"));
    } else {
      CHECK(f.get() == k * 10);
    }
  }
  const auto values = pool.read([](sp::database& db) { return db.all<values_in_order>(); });
  CHECK(values == std::vector<std::int64_t>{1, 2, 3, 4, 6, 7, 8, 9, 10});
  const sp::pool_stats s = pool.stats();
  CHECK(s.batches == 3);  // the gate, the ten jobs, the drain
  CHECK(s.queued_writes == 11);  // the gate, nine jobs, the drain
  CHECK(s.failed_queued_writes == 1);
  CHECK(s.pending_jobs == 0);
}

TEST_CASE("a batch whose COMMIT fails gives every future of it that error", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 1);
  pool.write([](sp::database& db) {
    db.exec_script(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) "
        "DEFERRABLE INITIALLY DEFERRED)");
  });
  std::atomic<bool> started{false};
  std::atomic<bool> go{false};
  std::future<void> gate = pool.submit_write([&](sp::database&) {
    started = true;
    while (!go) std::this_thread::sleep_for(1ms);
  });
  REQUIRE(wait_for([&] { return started.load(); }));
  std::vector<std::future<void>> futures;
  futures.push_back(pool.submit_write([](sp::database& db) { db.exec<add_v>(1); }));
  // Checked only at COMMIT: the savepoint is released without complaint.
  futures.push_back(pool.submit_write(
      [](sp::database& db) { db.exec_script("INSERT INTO child (parent_id) VALUES (42)"); }));
  futures.push_back(pool.submit_write([](sp::database& db) { db.exec<add_v>(2); }));
  go = true;
  gate.get();
  futures.back().wait();  // the failed batch is done, so the drain is a batch of its own
  drain(pool);
  for (auto& f : futures) CHECK_THROWS_AS(f.get(), sp::constraint_error);
  CHECK(row_count(pool) == 0);
  CHECK(pool.stats().failed_queued_writes == 3);
  // The writer thread goes on with the next batch.
  pool.submit_write([](sp::database& db) { db.exec<add_v>(3); }).get();
  CHECK(row_count(pool) == 1);
}

TEST_CASE("max_batch bounds the jobs in one transaction", "[pool]") {
  const scratch_dir dir;
  sp::pool_options p;
  p.max_batch = 3;
  sp::pool pool = make_pool(dir, 1, p);
  std::atomic<bool> started{false};
  std::atomic<bool> go{false};
  std::future<void> gate = pool.submit_write([&](sp::database&) {
    started = true;
    while (!go) std::this_thread::sleep_for(1ms);
  });
  REQUIRE(wait_for([&] { return started.load(); }));
  std::vector<std::future<void>> futures;
  for (int k = 0; k < 10; ++k) {
    futures.push_back(pool.submit_write([](sp::database& db) { db.exec<add_v>(1); }));
  }
  go = true;
  for (auto& f : futures) f.get();
  CHECK(pool.stats().batches == 5);  // the gate, then 3 + 3 + 3 + 1
  CHECK(row_count(pool) == 10);
}

TEST_CASE("the destructor runs every queued write before it returns", "[pool]") {
  const scratch_dir dir;
  std::vector<std::future<void>> futures;
  {
    sp::pool pool = make_pool(dir, 1);
    for (int k = 0; k < 200; ++k) {
      futures.push_back(pool.submit_write([k](sp::database& db) { db.exec<add_v>(k); }));
    }
  }
  for (auto& f : futures) f.get();
  sp::database db{dir.file("pool.db")};
  CHECK(*db.one<count_t>() == 200);
}

TEST_CASE("stats count reads, writes, queued writes and busy time", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 2);
  for (int i = 0; i < 7; ++i) row_count(pool);
  for (int i = 0; i < 3; ++i) pool.write([](sp::database& db) { db.exec<add_v>(1); });
  pool.submit_write([](sp::database& db) { db.exec<add_v>(1); }).get();
  pool.read([](sp::database&) { std::this_thread::sleep_for(20ms); });
  pool.write([](sp::database&) { std::this_thread::sleep_for(20ms); });
  const sp::pool_stats s = pool.stats();
  CHECK(s.readers == 2);
  CHECK(s.reads == 8);
  CHECK(s.writes == 4);  // three inserts and the sleep
  CHECK(s.failed_writes == 0);
  CHECK(s.queued_writes == 1);
  CHECK(s.batches == 1);
  CHECK(s.read_waits == 0);
  CHECK(s.write_waits <= 1);  // the writer thread may have queued behind the last write
  CHECK(s.reader_busy_time >= 20ms);
  CHECK(s.writer_busy_time >= 20ms);
  CHECK(s.busy_retries == 0);
  CHECK(s.wal_size > 0);
  const sp::checkpoint_result r = pool.checkpoint(sp::checkpoint_mode::passive);
  CHECK(r.complete());
  const sp::checkpoint_result t = pool.checkpoint();
  CHECK(t.complete());
  const sp::pool_stats after = pool.stats();
  CHECK(after.passive_checkpoints == 1);
  CHECK(after.truncate_checkpoints == 1);
  CHECK(after.wal_size == 0);
}

TEST_CASE("stress: 8 threads of mixed reads and writes never see a torn state", "[pool]") {
  const scratch_dir dir;
  sp::pool pool = make_pool(dir, 4);
  constexpr int threads = 8;
  constexpr int ops = SQLPROOF_TEST_POOL_STRESS_OPS;
  std::atomic<int> torn{0};
  std::atomic<int> failures{0};
  std::atomic<std::int64_t> pairs{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<std::future<void>> queued;
      std::int64_t v = static_cast<std::int64_t>(t) * 1'000'000;
      for (int i = 0; i < ops; ++i) {
        ++v;
        try {
          const int kind = i % 10;
          if (kind < 8) {
            pool.read([&](sp::database& db) {
              const auto [count, sum] = *db.one<count_and_sum>();
              // A second statement sees the same snapshot.
              if (count % 2 != 0 || sum != 0 || *db.one<count_t>() != count) ++torn;
            });
          } else if (kind == 8) {
            pool.write([v](sp::database& db) {
              db.exec<add_v>(v);
              db.exec<add_v>(-v);
            });
            ++pairs;
          } else {
            queued.push_back(pool.submit_write([v](sp::database& db) {
              db.exec<add_v>(v);
              db.exec<add_v>(-v);
            }));
          }
        } catch (const std::exception&) {
          ++failures;
        }
      }
      for (auto& f : queued) {
        try {
          f.get();
          ++pairs;
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  CHECK(torn == 0);
  CHECK(failures == 0);
  CHECK(pairs == threads * ops / 5);
  const auto [count, sum] = pool.read([](sp::database& db) { return *db.one<count_and_sum>(); });
  CHECK(count == 2 * pairs);
  CHECK(sum == 0);
  const sp::pool_stats s = pool.stats();
  CHECK(s.reads == static_cast<std::uint64_t>(threads * ops * 8 / 10 + 1));
  CHECK(s.writes == static_cast<std::uint64_t>(threads * ops / 10));
  CHECK(s.queued_writes == static_cast<std::uint64_t>(threads * ops / 10));
  CHECK(s.reader_timeouts == 0);
  CHECK(s.writer_timeouts == 0);
}

namespace {

using add_blob = sp::query<"INSERT INTO blobs (id, data) VALUES (?, zeroblob(1))",
                           void(std::int64_t)>;
using rewrite_blob = sp::query<"UPDATE blobs SET data = randomblob(?) WHERE id = ?",
                               void(int, std::int64_t)>;
using blob_count = sp::query<"SELECT count(*) FROM blobs", std::int64_t()>;

constexpr std::uintmax_t mib = 1024 * 1024;
constexpr int blob_bytes = 100'000;
constexpr int rewrites = 400;  // 400 transactions of ~100 KB: ~40 MB through the WAL

// Two threads keep a read transaction open ~20 ms at a time, staggered, so that at every
// moment at least one reader holds a snapshot, until `stop`.
template <class Read>
void overlapping_readers(std::atomic<bool>& stop, std::atomic<int>& reads, Read read) {
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      std::this_thread::sleep_for(std::chrono::milliseconds{10 * r});
      while (!stop) {
        read();
        ++reads;
      }
    });
  }
  for (auto& t : readers) t.join();
}

}  // namespace

TEST_CASE("the checkpoint policy keeps the WAL bounded under overlapping readers", "[pool]") {
  const scratch_dir dir;
  std::uintmax_t largest_wal = 0;

  SECTION("through the pool: a truncate checkpoint past 1 MiB") {
    sp::pool_options p;
    p.checkpoint_restart_bytes = mib;
    sp::pool pool = make_pool(dir, 2, p);
    pool.write([](sp::database& db) {
      db.exec_script("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
      for (std::int64_t id = 0; id < 8; ++id) db.exec<add_blob>(id);
    });
    std::atomic<bool> stop{false};
    std::atomic<int> reads{0};
    std::thread readers([&] {
      overlapping_readers(stop, reads, [&] {
        pool.read([](sp::database& db) {
          static_cast<void>(db.one<blob_count>());
          std::this_thread::sleep_for(20ms);
        });
      });
    });
    REQUIRE(wait_for([&] { return reads >= 2; }));
    for (int i = 0; i < rewrites; ++i) {
      pool.write([i](sp::database& db) { db.exec<rewrite_blob>(blob_bytes, i % 8); });
      largest_wal = std::max(largest_wal, pool.stats().wal_size);
    }
    stop = true;
    readers.join();
    const sp::pool_stats s = pool.stats();
    CHECK(s.truncate_checkpoints > 0);
    CHECK(s.checkpoint_errors == 0);
    CHECK(reads > 20);
    // The threshold plus one transaction's frames, or half the threshold more for each
    // checkpoint that could not finish in time (none usually; room for two).
    CHECK(largest_wal <= 2 * mib + s.checkpoints_busy * mib / 2);
    CHECK(s.checkpoints_busy <= 2);
    CHECK(s.wal_size <= largest_wal);
  }

  SECTION("plain connections with SQLite's auto-checkpoint alone: the WAL keeps growing") {
    const sp::options o = sp::options::production();
    sp::database writer{dir.file("plain.db"), o};
    writer.exec_script("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    for (std::int64_t id = 0; id < 8; ++id) writer.exec<add_blob>(id);
    std::atomic<bool> stop{false};
    std::atomic<int> reads{0};
    std::thread readers([&] {
      overlapping_readers(stop, reads, [&] {
        thread_local sp::database db{dir.file("plain.db"), o};
        db.transaction([&] {
          static_cast<void>(db.one<blob_count>());
          std::this_thread::sleep_for(20ms);
        });
      });
    });
    REQUIRE(wait_for([&] { return reads >= 2; }));
    for (int i = 0; i < rewrites; ++i) {
      writer.transaction([&] { writer.exec<rewrite_blob>(blob_bytes, i % 8); },
                         sp::tx_mode::immediate);
      largest_wal = std::max(largest_wal, writer.stats().wal_size);
    }
    stop = true;
    readers.join();
    CHECK(reads > 20);
    // Starved: far past what the pool allowed.
    CHECK(largest_wal > 8 * mib);
  }
}
