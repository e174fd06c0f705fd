// The pool's throughput, a timed program rather than a Google Benchmark one: its workloads
// are threads running side by side for a fixed time, and what it reports is ratios.
//
//   reads   point selects by primary key for a fixed time: 2 threads on a 2-reader pool
//           against 1 thread on a 1-reader pool, with one select in each `pool.read` (a read
//           transaction each) and with 16 (one snapshot for 16 selects). Beside each, the
//           same reads written against SQLite's C API, each thread on a connection of its
//           own opened like the pool's readers: what SQLite itself gives a second thread on
//           this machine. On 2 free cores the pool's ratio should reach 1.8 or more.
//           The reads run twice: with SQLite's process-wide memory statistics on (its
//           default), then, after sqlite3_shutdown(), off (sqlproof::set_memory_statistics).
//   ceiling the same ratio for threads that only compute (no SQLite, no memory traffic),
//           measured beside each read ratio: what the machine gives a second thread at
//           that time. A virtual machine whose two vCPUs share a physical core, or whose
//           host is busy, shows a ceiling well below 2, and then no read ratio can reach
//           the target; the read ratio is also printed as a share of the ceiling.
//   writes  one INSERT per transaction: `pool.write`, and `submit_write` (queued, committed
//           in batches), against one connection running the same INSERT in its own
//           IMMEDIATE transaction (`db.transaction(fn, tx_mode::immediate)`). Target: 0.95
//           or more.
//
// Every connection is opened with options::production() (WAL, synchronous=NORMAL), the C
// API's with the same pragmas. Each measurement runs BENCH_REPETITIONS times (default 5) in
// turn with the others, so that a change in the machine's load spreads over all of them;
// the median and the best ratio are printed. Run through scripts/bench_pool.sh.
//
// Environment:
//   SQLPROOF_BENCH_DIR   where the database files go (default: the temp directory)
//   BENCH_REPETITIONS    repetitions of each measurement (default 5)
//   BENCH_SECONDS        length of each read measurement (default 1)
//   BENCH_WRITES         transactions in each write measurement (default 20000)

#include <sqlproof/pool.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sp = sqlproof;

namespace {

using clock_type = std::chrono::steady_clock;

using add_item = sp::query<"INSERT INTO items (id, v) VALUES (?, ?)", void(std::int64_t, std::int64_t)>;
using item_value = sp::query<"SELECT v FROM items WHERE id = ?", std::int64_t(std::int64_t)>;
using append = sp::query<"INSERT INTO log (v) VALUES (?)", void(std::int64_t)>;

constexpr std::int64_t items = 10'000;

long env_number(const char* name, long fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtol(text, nullptr, 10) : fallback;
}

std::filesystem::path bench_dir() {
  const char* dir = std::getenv("SQLPROOF_BENCH_DIR");
  return dir != nullptr && *dir != '\0' ? std::filesystem::path(dir)
                                        : std::filesystem::temp_directory_path();
}

// A fresh database file with `items` rows and an empty log table.
std::string fresh_database(const std::string& name) {
  const std::string path = (bench_dir() / name).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  sp::database db{path, sp::options::production()};
  db.exec_script(
      "CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER NOT NULL);"
      "CREATE TABLE log (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
  db.transaction([&] {
    for (std::int64_t id = 0; id < items; ++id) db.exec<add_item>(id, id * 3);
  });
  return path;
}

// xorshift64: a different id for each read, cheap next to the read itself.
std::int64_t next_id(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return static_cast<std::int64_t>(state % static_cast<std::uint64_t>(items));
}

// Runs `threads` threads side by side for `length` and returns the operations per second
// they did in all. Each thread first calls make(t), its setup (before the clock starts),
// which returns the operation it then repeats; an operation returns how many it did.
template <class Make>
double threads_rate(int threads, std::chrono::duration<double> length, Make make) {
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(threads), 0);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto operation = make(t);
      std::uint64_t done = 0;
      ++started;
      while (started < threads) std::this_thread::yield();
      while (!stop.load(std::memory_order_relaxed)) done += operation();
      counts[static_cast<std::size_t>(t)] = done;
    });
  }
  while (started < threads) std::this_thread::yield();
  const clock_type::time_point start = clock_type::now();
  std::this_thread::sleep_for(length);
  stop = true;
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  std::uint64_t total = 0;
  for (const std::uint64_t c : counts) total += c;
  return static_cast<double>(total) / seconds;
}

// One thread's reads through SQLite's C API: a connection of its own, opened with the
// pragmas options::production() sets, its three statements prepared once; BEGIN, `per_read`
// point selects, COMMIT.
class c_api_reader {
 public:
  explicit c_api_reader(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      fail("open");
    }
    if (sqlite3_exec(db_,
                     "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; "
                     "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
                     "PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456; "
                     "PRAGMA temp_store = MEMORY; PRAGMA query_only = ON",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      fail("pragmas");
    }
    select_ = prepare("SELECT v FROM items WHERE id = ?");
    begin_ = prepare("BEGIN");
    commit_ = prepare("COMMIT");
  }
  c_api_reader(const c_api_reader&) = delete;
  c_api_reader& operator=(const c_api_reader&) = delete;
  ~c_api_reader() {
    for (sqlite3_stmt* s : {select_, begin_, commit_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }

  std::int64_t read(std::uint64_t& state, int per_read) {
    run(begin_);
    std::int64_t sum = 0;
    for (int i = 0; i < per_read; ++i) {
      sqlite3_bind_int64(select_, 1, next_id(state));
      if (sqlite3_step(select_) != SQLITE_ROW) fail("select");
      sum += sqlite3_column_int64(select_, 0);
      sqlite3_reset(select_);
    }
    run(commit_);
    return sum;
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("C API reader: ") + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
      fail(sql);
    }
    return s;
  }
  void run(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) fail(sqlite3_sql(s));
    sqlite3_reset(s);
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
};

enum class reader_kind { pool, c_api };

// Point selects per second, `per_read` of them in each read transaction: `threads` threads
// on a pool of `threads` readers, or each thread on a C API connection of its own.
double read_rate(const std::string& path, reader_kind kind, int per_read, int threads,
                 std::chrono::duration<double> length) {
  sp::pool pool{path, sp::options::production(), static_cast<std::size_t>(threads)};
  return threads_rate(threads, length, [&](int t) {
    std::uint64_t state = 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(t);
    std::shared_ptr<c_api_reader> own;
    if (kind == reader_kind::c_api) own = std::make_shared<c_api_reader>(path);
    return [&pool, own, state, per_read]() mutable -> std::uint64_t {
      std::int64_t sum = 0;
      if (own) {
        sum = own->read(state, per_read);
      } else {
        sum = pool.read([&](sp::database& db) {
          std::int64_t s = 0;
          for (int i = 0; i < per_read; ++i) s += *db.one<item_value>(next_id(state));
          return s;
        });
      }
      // (sum is never -1: the reads are used)
      return static_cast<std::uint64_t>(per_read) + (sum == -1 ? 1 : 0);
    };
  });
}

// Rounds of pure arithmetic per second: `threads` threads for `length`. The same for one
// thread and for two is the machine's ceiling for any ratio of 2 threads to 1.
double spin_rate(int threads, std::chrono::duration<double> length) {
  return threads_rate(threads, length, [](int t) {
    return [state = 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(t)]() mutable
           -> std::uint64_t {
      for (int i = 0; i < 1000; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      }
      return state == 0 ? 2 : 1;  // (the rounds are used)
    };
  });
}

template <class Body>
double rate_of(long n, Body&& body) {
  const clock_type::time_point start = clock_type::now();
  body();
  return static_cast<double>(n) / std::chrono::duration<double>(clock_type::now() - start).count();
}

// Transactions per second, one INSERT each, on one connection.
double single_connection_write_rate(const std::string& path, long n) {
  sp::database db{path, sp::options::production()};
  return rate_of(n, [&] {
    for (long i = 0; i < n; ++i) {
      db.transaction([&] { db.exec<append>(i); }, sp::tx_mode::immediate);
    }
  });
}

double pool_write_rate(const std::string& path, long n) {
  sp::pool pool{path, sp::options::production(), 2};
  return rate_of(n, [&] {
    for (long i = 0; i < n; ++i) pool.write([i](sp::database& db) { db.exec<append>(i); });
  });
}

double submit_write_rate(const std::string& path, long n) {
  sp::pool pool{path, sp::options::production(), 2};
  std::vector<std::future<void>> done;
  done.reserve(static_cast<std::size_t>(n));
  return rate_of(n, [&] {
    for (long i = 0; i < n; ++i) {
      done.push_back(pool.submit_write([i](sp::database& db) { db.exec<append>(i); }));
    }
    for (auto& f : done) f.get();
  });
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<double> ratios_of(const std::vector<double>& rates, const std::vector<double>& base) {
  std::vector<double> ratios;
  for (std::size_t i = 0; i < rates.size(); ++i) ratios.push_back(rates[i] / base[i]);
  return ratios;
}

void report(const char* what, const std::vector<double>& rates, const std::vector<double>& base,
            double target) {
  const std::vector<double> ratios = ratios_of(rates, base);
  const double mid = median(ratios);
  const double best = *std::max_element(ratios.begin(), ratios.end());
  std::printf("%-34s %12.0f/s  ratio median %.2f  best %.2f  (target >= %.2f: %s)\n", what,
              median(rates), mid, best, target, mid >= target ? "met" : "not met");
}

// The read ratio of each repetition divided by the machine's ceiling measured beside it.
void report_share(const char* what, const std::vector<double>& rates,
                  const std::vector<double>& base, const std::vector<double>& ceiling) {
  const std::vector<double> ratios = ratios_of(rates, base);
  std::vector<double> shares;
  for (std::size_t i = 0; i < ratios.size(); ++i) shares.push_back(ratios[i] / ceiling[i]);
  std::printf("%-34s share of the ceiling: median %.2f  best %.2f\n", what, median(shares),
              *std::max_element(shares.begin(), shares.end()));
}

// One pair of rates (1 thread, 2 threads) per repetition.
struct scaling {
  std::vector<double> one;
  std::vector<double> two;
};

// Runs `measure(threads)` for 1 and 2 threads, the order reversed on odd repetitions so
// that a drift in the machine's load does not favour whichever runs first.
template <class Measure>
void measure_pair(scaling& s, bool reverse, Measure measure) {
  if (reverse) s.two.push_back(measure(2));
  s.one.push_back(measure(1));
  if (!reverse) s.two.push_back(measure(2));
}

// The read workloads and the ceiling, `reps` times in turn, then their ratios.
void measure_reads(const std::string& path, long reps, std::chrono::duration<double> length,
                   const char* title) {
  scaling spin;
  scaling pool_1;
  scaling c_api_1;
  scaling pool_16;
  scaling c_api_16;
  for (long r = 0; r < reps; ++r) {
    const bool reverse = r % 2 == 1;
    const auto reads = [&](reader_kind kind, int per_read) {
      return [&path, &length, kind, per_read](int n) {
        return read_rate(path, kind, per_read, n, length);
      };
    };
    measure_pair(pool_1, reverse, reads(reader_kind::pool, 1));
    measure_pair(c_api_1, reverse, reads(reader_kind::c_api, 1));
    measure_pair(pool_16, reverse, reads(reader_kind::pool, 16));
    measure_pair(c_api_16, reverse, reads(reader_kind::c_api, 16));
    measure_pair(spin, reverse, [&](int n) { return spin_rate(n, length); });
  }
  std::printf("reads, %s\n", title);
  const std::vector<double> ceiling = ratios_of(spin.two, spin.one);
  report("CPU only, 2 threads (ceiling)", spin.two, spin.one, 1.8);
  if (median(ceiling) < 1.8) {
    std::printf("  the machine gives a second thread %.2f of a core (median): the read target\n"
                "  of 1.8 cannot be shown here; see the shares of the ceiling below\n",
                median(ceiling) - 1.0);
  }
  const auto series = [&](const char* what, const scaling& pool_reads, const scaling& c_reads) {
    std::printf("%s\n", what);
    std::printf("  %-32s %12.0f/s\n", "pool, 1 thread, 1 reader", median(pool_reads.one));
    report("  pool, 2 threads, 2 readers", pool_reads.two, pool_reads.one, 1.8);
    report_share("", pool_reads.two, pool_reads.one, ceiling);
    std::printf("  %-32s %12.0f/s\n", "C API, 1 thread", median(c_reads.one));
    report("  C API, 2 threads", c_reads.two, c_reads.one, 1.8);
    report_share("", c_reads.two, c_reads.one, ceiling);
    std::printf("  %-32s median %.2f (1 thread)  %.2f (2 threads)\n", "pool's speed / C API's",
                median(ratios_of(pool_reads.one, c_reads.one)),
                median(ratios_of(pool_reads.two, c_reads.two)));
  };
  series("point selects, 1 per read transaction", pool_1, c_api_1);
  series("point selects, 16 per read transaction", pool_16, c_api_16);
  std::printf("\n");
}

}  // namespace

int main() {
  const long reps = std::max(1L, env_number("BENCH_REPETITIONS", 5));
  const std::chrono::duration<double> length{static_cast<double>(env_number("BENCH_SECONDS", 1))};
  const long writes = std::max(1L, env_number("BENCH_WRITES", 20'000));
  std::printf("pool benchmark: %ld repetitions, reads %.0f s each, %ld writes each, %u cores\n\n",
              reps, length.count(), writes, std::thread::hardware_concurrency());

  const std::string read_path = fresh_database("sqlproof-bench-pool-read.db");
  read_rate(read_path, reader_kind::pool, 1, 1, std::chrono::milliseconds{200});  // warm up
  measure_reads(read_path, reps, length, "memory statistics on (SQLite's default)");
  std::vector<double> single;
  std::vector<double> pooled;
  std::vector<double> queued;
  for (long r = 0; r < reps; ++r) {
    const bool reverse = r % 2 == 1;
    if (reverse) {
      queued.push_back(submit_write_rate(fresh_database("sqlproof-bench-pool-w3.db"), writes));
      pooled.push_back(pool_write_rate(fresh_database("sqlproof-bench-pool-w2.db"), writes));
    }
    single.push_back(single_connection_write_rate(fresh_database("sqlproof-bench-pool-w1.db"), writes));
    if (!reverse) {
      pooled.push_back(pool_write_rate(fresh_database("sqlproof-bench-pool-w2.db"), writes));
      queued.push_back(submit_write_rate(fresh_database("sqlproof-bench-pool-w3.db"), writes));
    }
  }
  std::printf("%-34s %12.0f/s\n", "write, one connection, IMMEDIATE", median(single));
  report("write, pool.write", pooled, single, 0.95);
  report("write, pool.submit_write", queued, single, 0.95);
  std::printf("\n");

  // Every connection is closed: SQLite takes process-wide settings again.
  if (sqlite3_shutdown() != SQLITE_OK) {
    std::fprintf(stderr, "sqlite3_shutdown failed\n");
    return 1;
  }
  sp::set_memory_statistics(false);
  measure_reads(read_path, reps, length, "memory statistics off (set_memory_statistics(false))");

  for (const char* name : {"sqlproof-bench-pool-read.db", "sqlproof-bench-pool-w1.db",
                           "sqlproof-bench-pool-w2.db", "sqlproof-bench-pool-w3.db"}) {
    const std::string path = (bench_dir() / name).string();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  return 0;
}
