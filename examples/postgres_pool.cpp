// Threads sharing a pool of PostgreSQL connections: eight workers move money between
// accounts on four connections, each transfer a serializable transaction retried on
// conflict; on_connect points every new connection at the example's own schema. Then what
// the pool did (stats), and the checks that nothing was lost.
//
// Needs a server: SQLPROOF_PG_CONNINFO (a libpq connection string, e.g.
// "host=/run/postgresql dbname=postgres"). Without it the program says so and exits with 77,
// which ctest reports as skipped (1 under CI=true). It creates the schema
// sqlproof_example_pool_<pid> and drops it at the end.

#include <sqlproof/postgres.hpp>
#include <sqlproof/postgres/pool.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sp = sqlproof;
using namespace std::chrono_literals;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "postgres_pool: check failed: %s\n", what);
    ++failures;
  }
}

using deposit = sp::query<"UPDATE accounts SET balance = balance + ? WHERE id = ?",
                          void(std::int64_t, int)>;
using balance = sp::query<"SELECT balance FROM accounts WHERE id = ?", std::int64_t(int)>;
using total = sp::pg::query<"SELECT sum(balance)::bigint FROM accounts", std::int64_t()>;
using log_transfer = sp::query<"INSERT INTO transfers (from_id, to_id, amount) VALUES (?, ?, ?)",
                               void(int, int, std::int64_t)>;
using transfer_count = sp::query<"SELECT count(*) FROM transfers", std::int64_t()>;

constexpr int accounts = 10;
constexpr int workers = 8;
constexpr int transfers_per_worker = 200;

// [transfer]
void transfer(sp::pg::pool& pool, int from, int to, std::int64_t amount) {
  pool.with([&](sp::pg::database& db) {
    db.transaction(
        [&] {
          db.exec<deposit>(-amount, from);
          db.exec<deposit>(amount, to);
          db.exec<log_transfer>(from, to, amount);
        },
        sp::pg::tx_options{.level = sp::pg::isolation::serializable},
        sp::retry_policy::on_busy(10));  // 40001 serialization failures are busy_error
  });
}
// [transfer]

// The connection string from the environment; without one, exits as skipped.
std::string server() {
  const char* conninfo = std::getenv("SQLPROOF_PG_CONNINFO");
  if (conninfo != nullptr && *conninfo != '\0') return conninfo;
  const char* ci = std::getenv("CI");
  const bool in_ci = ci != nullptr && std::string_view{ci} == "true";
  std::fprintf(stderr, "postgres_pool: SQLPROOF_PG_CONNINFO is not set, so there is no "
                       "PostgreSQL server to run against%s\n",
               in_ci ? "; CI=true, so this is a failure" : ": skipped");
  std::exit(in_ci ? 1 : 77);
}

}  // namespace

int main() {
  const std::string conninfo = server();
  const std::string schema = "sqlproof_example_pool_" + std::to_string(::getpid());

  sp::pg::database admin{conninfo};
  admin.exec_script("CREATE SCHEMA " + schema + "; SET search_path = " + schema + ";" +
                    "CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL);"
                    "CREATE TABLE transfers (from_id integer, to_id integer, amount bigint);"
                    "INSERT INTO accounts SELECT g, 1000 FROM generate_series(0, 9) g;");
  try {
    // [pool]
    sp::pg::pool pool{conninfo,
                      {.size = 4,
                       .acquire_timeout = 10s,
                       .max_lifetime = 30min,
                       .on_connect = [&](sp::pg::database& db) {
                         db.exec_script("SET search_path = " + schema +
                                        "; SET application_name = 'postgres_pool example'");
                       }}};

    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&pool, w] {
        for (int i = 0; i < transfers_per_worker; ++i) {
          const int from = (w + i) % accounts;
          const int to = (w * 3 + i * 7 + 1) % accounts;
          if (from != to) transfer(pool, from, to, 1 + (i % 5));
        }
      });
    }
    for (std::thread& t : threads) t.join();
    // [pool]

    // [lease]
    {
      auto db = pool.acquire();  // an RAII lease: *db and db-> are a pg::database
      check(db->one<total>() == std::optional<std::int64_t>(accounts * 1000),
            "transfers keep the total");
      std::int64_t sum = 0;
      for (int id = 0; id < accounts; ++id) sum += db->one<balance>(id).value_or(0);
      check(sum == accounts * 1000, "balances add up");
      check(db->one<transfer_count>().value_or(0) > 0, "transfers were logged");
    }  // back in the pool
    // [lease]

    // [stats]
    const sp::pg::pool_stats s = pool.stats();
    std::printf("pool: size %zu, open %zu, idle %zu, in use %zu; created %llu, replaced %llu, "
                "waits %llu, timeouts %llu\n",
                s.size, s.open, s.idle, s.in_use, static_cast<unsigned long long>(s.created),
                static_cast<unsigned long long>(s.replaced),
                static_cast<unsigned long long>(s.waits),
                static_cast<unsigned long long>(s.timeouts));
    // [stats]
    check(s.created <= 4, "never more than four connections");
    check(s.in_use == 0, "every lease came back");
    check(s.timeouts == 0, "no acquire timed out");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "postgres_pool: %s\n", e.what());
    ++failures;
  }
  admin.exec_script("SET client_min_messages = warning; DROP SCHEMA " + schema + " CASCADE");
  return failures == 0 ? 0 : 1;
}
