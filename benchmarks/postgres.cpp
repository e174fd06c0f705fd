// sqlproof's PostgreSQL backend against hand-written libpq code, in one binary, against one
// server: the same connection string, the same table, the same row struct.
//
// The server is the one SQLPROOF_PG_CONNINFO names (scripts/bench_postgres.sh starts a
// throwaway one through scripts/pg.sh: Unix socket only). The program creates a schema of its
// own, sqlproof_bench_<pid>, sets search_path to it on every connection, and drops it at the
// end, so it can run against a shared server.
//
// "raw" is careful hand-written libpq code: each statement prepared once with PQprepare and
// its parameter OIDs, run with PQexecPrepared with binary parameters and binary results, the
// status checked, every column decoded from its binary form into the same `User`.
//
//   PG_point_select  one row by primary key: db.one<find_user>(id)  |  PQexecPrepared, decode
//   PG_insert        one autocommit insert:  db.exec<add_user>(...)  |  PQexecPrepared
//   PG_scan_vector   10k rows into a vector: db.all<all_users>()     |  whole result, decode
//   PG_scan_iter     10k rows streamed:      db.iter<all_users>()    |  single-row mode
//
// Each operation is a [[gnu::noinline]] function (pgbench::..._raw, ..._sqlproof) so that
// scripts/bench_postgres.sh can count the client's instructions per operation with callgrind
// (--toggle-collect): callgrind sees only this process, so the count is the client-side cost,
// libpq included, without the server and the round trip.
//
// Environment:
//   SQLPROOF_PG_CONNINFO       the server (required)
//   SQLPROOF_BENCH_ITERATIONS  a fixed iteration count for every benchmark (for callgrind)

#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <sqlproof/postgres.hpp>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "support/counting_allocator.hpp"

namespace sp = sqlproof;

struct User {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
  double score;
  friend bool operator==(const User&, const User&) = default;
};

template <>
struct sqlproof::table_traits<User> {
  static constexpr sp::fixed_string name = "users";
  static constexpr auto columns = sp::column_names("id", "name", "email", "age", "score");
  static constexpr std::string_view primary_key = "id";
};

namespace pgbench {

constexpr std::int64_t table_rows = 10'000;

constexpr const char* select_by_id_sql =
    "SELECT id, name, email, age, score FROM users WHERE id = $1";
constexpr const char* select_all_sql = "SELECT id, name, email, age, score FROM users";
constexpr const char* insert_sql =
    "INSERT INTO users_in (id, name, email, age, score) VALUES ($1, $2, $3, $4, $5)";

using find_user = sp::query<"SELECT id, name, email, age, score FROM users WHERE id = ?",
                            User(std::int64_t)>;
using all_users = sp::query<"SELECT id, name, email, age, score FROM users", User()>;
using add_user = sp::query<"INSERT INTO users_in (id, name, email, age, score) VALUES (?, ?, ?, ?, ?)",
                           void(std::int64_t, std::string_view, std::optional<std::string_view>,
                                int, double)>;

// Type OIDs (pg_type.h, stable since PostgreSQL 7).
constexpr Oid int8_oid = 20;
constexpr Oid int4_oid = 23;
constexpr Oid text_oid = 25;
constexpr Oid float8_oid = 701;

// ---- the server, the schema ----------------------------------------------------------------

const std::string& conninfo() {
  static const std::string c = [] {
    const char* v = std::getenv("SQLPROOF_PG_CONNINFO");
    if (v == nullptr || *v == '\0') {
      std::fprintf(stderr, "SQLPROOF_PG_CONNINFO is not set (scripts/bench_postgres.sh sets it)\n");
      std::exit(2);
    }
    return std::string(v);
  }();
  return c;
}

const std::string& schema() {
  static const std::string s = "sqlproof_bench_" + std::to_string(::getpid());
  return s;
}

std::string search_path_sql() { return "SET search_path TO " + schema(); }

[[noreturn]] void fail(PGconn* c, const char* what) {
  throw std::runtime_error(std::string(what) + ": " + (c != nullptr ? PQerrorMessage(c) : "?"));
}

void exec_raw(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType s = PQresultStatus(r);
  PQclear(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) fail(c, sql.c_str());
}

PGconn* connect_raw() {
  PGconn* c = PQconnectdb(conninfo().c_str());
  if (PQstatus(c) != CONNECTION_OK) fail(c, "connect");
  exec_raw(c, search_path_sql());
  return c;
}

// The same data as benchmarks/workloads.cpp, 10k rows: names fit the small-string buffer, 9 in
// 10 users have an e-mail address of 20+ characters (allocated when read), 1 in 10 NULL.
void create_schema() {
  PGconn* c = PQconnectdb(conninfo().c_str());
  if (PQstatus(c) != CONNECTION_OK) fail(c, "connect");
  exec_raw(c, "SET client_min_messages = warning");
  exec_raw(c, "DROP SCHEMA IF EXISTS " + schema() + " CASCADE");
  exec_raw(c, "CREATE SCHEMA " + schema());
  exec_raw(c, search_path_sql());
  exec_raw(c,
           "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text, "
           "age integer NOT NULL, score double precision NOT NULL)");
  exec_raw(c,
           "CREATE TABLE users_in (id bigint NOT NULL, name text NOT NULL, email text, "
           "age integer NOT NULL, score double precision NOT NULL)");
  exec_raw(c, "INSERT INTO users SELECT i, 'user' || i, "
              "CASE WHEN i % 10 <> 0 THEN 'user' || i || '@example.com' END, "
              "18 + i % 60, i * 0.5 FROM generate_series(1, " +
                  std::to_string(table_rows) + ") AS i");
  exec_raw(c, "VACUUM ANALYZE users");
  PQfinish(c);
}

void drop_schema() {
  PGconn* c = PQconnectdb(conninfo().c_str());
  if (PQstatus(c) == CONNECTION_OK) {
    exec_raw(c, "SET client_min_messages = warning");
    exec_raw(c, "DROP SCHEMA IF EXISTS " + schema() + " CASCADE");
  }
  PQfinish(c);
}

// ---- the hand-written client ---------------------------------------------------------------

struct raw_client {
  PGconn* conn = nullptr;
  raw_client() : conn(connect_raw()) {
    prepare("find_user", select_by_id_sql, {int8_oid});
    prepare("all_users", select_all_sql, {});
    prepare("add_user", insert_sql, {int8_oid, text_oid, text_oid, int4_oid, float8_oid});
  }
  ~raw_client() { PQfinish(conn); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  void prepare(const char* name, const char* sql, std::vector<Oid> types) {
    PGresult* r = PQprepare(conn, name, sql, static_cast<int>(types.size()), types.data());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) fail(conn, name);
  }
};

raw_client& raw() {
  static raw_client c;
  return c;
}

sp::pg::database& sqlproof_db() {
  static sp::pg::database db = [] {
    sp::pg::database d(conninfo());
    d.exec_script(search_path_sql());
    return d;
  }();
  return db;
}

inline std::uint64_t load_be64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
inline std::uint32_t load_be32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline void store_be64(char* p, std::uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}
inline void store_be32(char* p, std::uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}

// Reads row i of a binary result, as careful libpq code does: the column types were fixed
// when the statement was prepared, so only the nullable column is tested.
inline User read_user_raw(const PGresult* r, int i) {
  User u;
  u.id = static_cast<std::int64_t>(load_be64(PQgetvalue(r, i, 0)));
  u.name.assign(PQgetvalue(r, i, 1), static_cast<std::size_t>(PQgetlength(r, i, 1)));
  if (PQgetisnull(r, i, 2) == 0) {
    u.email.emplace(PQgetvalue(r, i, 2), static_cast<std::size_t>(PQgetlength(r, i, 2)));
  }
  u.age = static_cast<std::int32_t>(load_be32(PQgetvalue(r, i, 3)));
  u.score = std::bit_cast<double>(load_be64(PQgetvalue(r, i, 4)));
  return u;
}

// ---- the operations (noinline: callgrind counts each by name) ------------------------------

[[gnu::noinline]] std::optional<User> one_raw(PGconn* c, std::int64_t id) {
  char param[8];
  store_be64(param, static_cast<std::uint64_t>(id));
  const char* values[1] = {param};
  static constexpr int lengths[1] = {8};
  static constexpr int formats[1] = {1};
  PGresult* r = PQexecPrepared(c, "find_user", 1, values, lengths, formats, 1);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    PQclear(r);
    fail(c, "find_user");
  }
  std::optional<User> out;
  if (PQntuples(r) > 0) out = read_user_raw(r, 0);
  PQclear(r);
  return out;
}

[[gnu::noinline]] std::optional<User> one_sqlproof(sp::pg::database& db, std::int64_t id) {
  return db.one<find_user>(id);
}

[[gnu::noinline]] void insert_raw(PGconn* c, const User& u) {
  char id[8], age[4], score[8];
  store_be64(id, static_cast<std::uint64_t>(u.id));
  store_be32(age, static_cast<std::uint32_t>(u.age));
  store_be64(score, std::bit_cast<std::uint64_t>(u.score));
  const char* values[5] = {id, u.name.data(), u.email ? u.email->data() : nullptr, age, score};
  const int lengths[5] = {8, static_cast<int>(u.name.size()),
                          u.email ? static_cast<int>(u.email->size()) : 0, 4, 8};
  static constexpr int formats[5] = {1, 1, 1, 1, 1};
  PGresult* r = PQexecPrepared(c, "add_user", 5, values, lengths, formats, 1);
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) fail(c, "add_user");
}

[[gnu::noinline]] void insert_sqlproof(sp::pg::database& db, const User& u) {
  db.exec<add_user>(u.id, u.name, u.email, u.age, u.score);
}

[[gnu::noinline]] std::vector<User> scan_raw_vector(PGconn* c) {
  PGresult* r = PQexecPrepared(c, "all_users", 0, nullptr, nullptr, nullptr, 1);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    PQclear(r);
    fail(c, "all_users");
  }
  const int n = PQntuples(r);
  std::vector<User> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(read_user_raw(r, i));
  PQclear(r);
  return out;
}

[[gnu::noinline]] std::vector<User> scan_sqlproof_vector(sp::pg::database& db) {
  return db.all<all_users>();
}

// Streamed in single-row mode, the mode iter uses: one PGresult per row.
[[gnu::noinline]] std::int64_t scan_raw_iter(PGconn* c) {
  if (PQsendQueryPrepared(c, "all_users", 0, nullptr, nullptr, nullptr, 1) == 0 ||
      PQsetSingleRowMode(c) == 0) {
    fail(c, "all_users");
  }
  std::int64_t sum = 0;
  bool ok = true;
  while (PGresult* r = PQgetResult(c)) {
    const ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_SINGLE_TUPLE) {
      const User u = read_user_raw(r, 0);
      sum += u.age + static_cast<std::int64_t>(u.name.size());
    } else if (s != PGRES_TUPLES_OK) {
      ok = false;
    }
    PQclear(r);
  }
  if (!ok) fail(c, "all_users");
  return sum;
}

[[gnu::noinline]] std::int64_t scan_sqlproof_iter(sp::pg::database& db) {
  std::int64_t sum = 0;
  for (const User& u : db.iter<all_users>()) sum += u.age + static_cast<std::int64_t>(u.name.size());
  return sum;
}

// ---- checks: both clients read the same rows ------------------------------------------------

void check_same_results() {
  for (std::int64_t id : {1, 2, 10, 5000, 9999, 10000, 10001}) {
    if (one_raw(raw().conn, id) != one_sqlproof(sqlproof_db(), id)) {
      throw std::runtime_error("point select: raw and sqlproof differ for id " + std::to_string(id));
    }
  }
  const auto a = scan_raw_vector(raw().conn);
  const auto b = scan_sqlproof_vector(sqlproof_db());
  if (a != b || a.size() != static_cast<std::size_t>(table_rows)) {
    throw std::runtime_error("scan: raw and sqlproof differ");
  }
  if (scan_raw_iter(raw().conn) != scan_sqlproof_iter(sqlproof_db())) {
    throw std::runtime_error("iter: raw and sqlproof differ");
  }
}

// ---- benchmark bodies ----------------------------------------------------------------------

// A fixed pseudo-random sequence of primary keys, shared by both point selects.
const std::vector<std::int64_t>& lookup_ids() {
  static const std::vector<std::int64_t> ids = [] {
    std::vector<std::int64_t> v(4096);
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    for (auto& id : v) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      id = static_cast<std::int64_t>(x % table_rows) + 1;
    }
    return v;
  }();
  return ids;
}

void report(benchmark::State& state, bench_alloc::snapshot start, std::int64_t rows_per_op) {
  const auto now = bench_alloc::snapshot::now();
  const double ops = static_cast<double>(state.iterations());
  state.counters["allocs/op"] = static_cast<double>(now.count - start.count) / ops;
  state.counters["rows/op"] = static_cast<double>(rows_per_op);
  state.SetItemsProcessed(state.iterations() * rows_per_op);
}

void bm_one_raw(benchmark::State& state) {
  PGconn* c = raw().conn;
  const auto& ids = lookup_ids();
  std::size_t i = 0;
  const auto start = bench_alloc::snapshot::now();
  for (auto _ : state) benchmark::DoNotOptimize(one_raw(c, ids[i++ & 4095]));
  report(state, start, 1);
}

void bm_one_sqlproof(benchmark::State& state) {
  auto& db = sqlproof_db();
  const auto& ids = lookup_ids();
  std::size_t i = 0;
  const auto start = bench_alloc::snapshot::now();
  for (auto _ : state) benchmark::DoNotOptimize(one_sqlproof(db, ids[i++ & 4095]));
  report(state, start, 1);
}

// The rows inserted: the same values as the table's, ids counting up.
User row_to_insert(std::int64_t id) {
  std::optional<std::string> email;
  if (id % 10 != 0) email = "user" + std::to_string(id) + "@example.com";
  return User{id, "user" + std::to_string(id), std::move(email), static_cast<int>(18 + id % 60),
              static_cast<double>(id) * 0.5};
}

const std::vector<User>& insert_rows() {
  static const std::vector<User> rows = [] {
    std::vector<User> v;
    for (std::int64_t id = 1; id <= 4096; ++id) v.push_back(row_to_insert(id));
    return v;
  }();
  return rows;
}

void bm_insert_raw(benchmark::State& state) {
  PGconn* c = raw().conn;
  exec_raw(c, "TRUNCATE users_in");
  const auto& rows = insert_rows();
  std::size_t i = 0;
  const auto start = bench_alloc::snapshot::now();
  for (auto _ : state) insert_raw(c, rows[i++ & 4095]);
  report(state, start, 1);
}

void bm_insert_sqlproof(benchmark::State& state) {
  auto& db = sqlproof_db();
  exec_raw(raw().conn, "TRUNCATE users_in");
  const auto& rows = insert_rows();
  std::size_t i = 0;
  const auto start = bench_alloc::snapshot::now();
  for (auto _ : state) insert_sqlproof(db, rows[i++ & 4095]);
  report(state, start, 1);
}

void bm_scan_vector_raw(benchmark::State& state) {
  PGconn* c = raw().conn;
  const auto start = bench_alloc::snapshot::now();
  for (auto _ : state) benchmark::DoNotOptimize(scan_raw_vector(c));
  report(state, start, table_rows);
}

void bm_scan_vector_sqlproof(benchmark::State& state) {
  auto& db = sqlproof_db();
  const auto start = bench_alloc::snapshot::now();
  for (auto _ : state) benchmark::DoNotOptimize(scan_sqlproof_vector(db));
  report(state, start, table_rows);
}

void bm_scan_iter_raw(benchmark::State& state) {
  PGconn* c = raw().conn;
  const auto start = bench_alloc::snapshot::now();
  for (auto _ : state) benchmark::DoNotOptimize(scan_raw_iter(c));
  report(state, start, table_rows);
}

void bm_scan_iter_sqlproof(benchmark::State& state) {
  auto& db = sqlproof_db();
  const auto start = bench_alloc::snapshot::now();
  for (auto _ : state) benchmark::DoNotOptimize(scan_sqlproof_iter(db));
  report(state, start, table_rows);
}

// Names are "<workload>/<library>"; scripts/bench_table.py divides each time by the
// "<workload>/raw" entry. Wall time is the measure (UseRealTime): most of an operation is
// the server and the round trip, which the client's CPU time leaves out; the JSON has both.
void register_all() {
  std::vector<benchmark::internal::Benchmark*> all;
  auto add = [&](const char* name, void (*fn)(benchmark::State&)) {
    all.push_back(benchmark::RegisterBenchmark(name, fn)->UseRealTime());
  };
  add("PG_point_select/raw", bm_one_raw);
  add("PG_point_select/sqlproof", bm_one_sqlproof);
  add("PG_insert/raw", bm_insert_raw);
  add("PG_insert/sqlproof", bm_insert_sqlproof);
  add("PG_scan_vector/raw", bm_scan_vector_raw);
  add("PG_scan_vector/sqlproof", bm_scan_vector_sqlproof);
  add("PG_scan_iter/raw", bm_scan_iter_raw);
  add("PG_scan_iter/sqlproof", bm_scan_iter_sqlproof);

  const char* fixed = std::getenv("SQLPROOF_BENCH_ITERATIONS");
  for (auto* b : all) {
    if (fixed != nullptr) b->Iterations(std::strtoll(fixed, nullptr, 10));
  }
}

}  // namespace pgbench

int main(int argc, char** argv) {
  pgbench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  int status = 0;
  try {
    pgbench::create_schema();
    // Connect and prepare both clients, and compare their results, before any timing.
    pgbench::check_same_results();
    (void)pgbench::insert_rows();
    benchmark::RunSpecifiedBenchmarks();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_postgres: %s\n", e.what());
    status = 1;
  }
  benchmark::Shutdown();
  pgbench::drop_schema();
  return status;
}
