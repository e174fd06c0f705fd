// sqlproof against hand-written sqlite3_* code (and SQLiteCpp where installed), one binary so
// that every ratio compares code built with the same compiler, flags and SQLite.
//
// Every workload opens its connections with the same flags and pragmas for every library:
//   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
//   busy_timeout 5000 ms, PRAGMA foreign_keys = ON (sqlproof's `options{}`),
// plus, for the WAL file of W3, journal_mode = WAL and synchronous = NORMAL.
//
// Run through scripts/bench.sh, which prints the table of docs/performance.md. The work of
// each operation lives in a [[gnu::noinline]] function named wN_<library>..., so that
// scripts/callgrind.sh can count its instructions with --toggle-collect.
//
// Environment:
//   SQLPROOF_BENCH_DIR         where W3 creates its WAL file (default: the temp directory)
//   SQLPROOF_BENCH_ITERATIONS  a fixed iteration count for every benchmark (for callgrind)

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <sqlproof/sqlproof.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#if defined(SQLPROOF_BENCH_HAVE_SQLITECPP)
#include <SQLiteCpp/SQLiteCpp.h>
#endif

#include "support/counting_allocator.hpp"

namespace sp = sqlproof;

// ---- the schema and the row ----------------------------------------------------------------

struct User {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
  double score;
};

template <>
struct sqlproof::table_traits<User> {
  static constexpr sp::fixed_string name = "users";
  static constexpr auto columns = sp::column_names("id", "name", "email", "age", "score");
  static constexpr std::string_view primary_key = "id";
};

namespace workloads {

constexpr const char* schema_sql =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, "
    "age INTEGER NOT NULL, score REAL NOT NULL)";
constexpr const char* select_by_id_sql =
    "SELECT id, name, email, age, score FROM users WHERE id = ?";
constexpr const char* select_all_sql = "SELECT id, name, email, age, score FROM users";
constexpr const char* insert_sql =
    "INSERT INTO users (id, name, email, age, score) VALUES (?, ?, ?, ?, ?)";

using find_user = sp::query<"SELECT id, name, email, age, score FROM users WHERE id = ?",
                            User(std::int64_t)>;
using all_users = sp::query<"SELECT id, name, email, age, score FROM users", User()>;
using add_user = sp::query<"INSERT INTO users (id, name, email, age, score) VALUES (?, ?, ?, ?, ?)",
                           void(std::int64_t, std::string_view, std::optional<std::string_view>,
                                int, double)>;

constexpr std::int64_t table_rows = 100'000;

// Names fit the small-string buffer (no allocation); 9 in 10 users have an e-mail address of
// 20+ characters, which allocates: the row's own string, the same for every library.
std::vector<User> make_rows() {
  std::vector<User> rows;
  rows.reserve(table_rows);
  for (std::int64_t id = 1; id <= table_rows; ++id) {
    std::optional<std::string> email;
    if (id % 10 != 0) email = "user" + std::to_string(id) + "@example.com";
    rows.push_back(User{id, "user" + std::to_string(id), std::move(email),
                        static_cast<int>(18 + id % 60), static_cast<double>(id) * 0.5});
  }
  return rows;
}

const std::vector<User>& rows() {
  static const std::vector<User> r = make_rows();
  return r;
}

// A fixed pseudo-random sequence of primary keys, shared by every point-select benchmark.
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

[[noreturn]] void fail(sqlite3* db, const char* what) {
  throw std::runtime_error(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "?"));
}

void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) fail(db, what);
}

void exec_raw(sqlite3* db, const char* sql) {
  check(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), sql);
}

// ---- connections: the same flags and pragmas for every library -----------------------------

constexpr int open_flags =
    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

enum class storage { memory, wal_file };

sp::options sqlproof_options(storage s) {
  sp::options o;  // busy_timeout 5000, foreign_keys ON, NOMUTEX
  if (s == storage::wal_file) {
    o.journal = sp::journal_mode::wal;
    o.synchronous = sp::synchronous_mode::normal;
  }
  return o;
}

// The pragmas sqlproof's `configure` runs for `sqlproof_options(s)`, in the same order.
void configure_raw(sqlite3* db, storage s) {
  sqlite3_busy_timeout(db, 5000);
  if (s == storage::wal_file) {
    exec_raw(db, "PRAGMA journal_mode = WAL");
    exec_raw(db, "PRAGMA synchronous = NORMAL");
  }
  exec_raw(db, "PRAGMA foreign_keys = ON");
}

sqlite3* open_raw(const std::string& path, storage s) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, open_flags, nullptr) != SQLITE_OK) fail(db, "open");
  configure_raw(db, s);
  return db;
}

sqlite3_stmt* prepare_raw(sqlite3* db, const char* sql, unsigned flags = SQLITE_PREPARE_PERSISTENT) {
  sqlite3_stmt* stmt = nullptr;
  check(db, sqlite3_prepare_v3(db, sql, -1, flags, &stmt, nullptr), sql);
  return stmt;
}

void w3_raw(sqlite3* db);

// Fills `users` on any connection, with the C API: the schema, then W3's hand-written insert
// loop (setup, never timed).
void populate(sqlite3* db) {
  exec_raw(db, schema_sql);
  w3_raw(db);
}

std::string wal_path(const char* who) {
  const char* dir = std::getenv("SQLPROOF_BENCH_DIR");
  std::filesystem::path p = dir != nullptr ? std::filesystem::path(dir)
                                           : std::filesystem::temp_directory_path();
  std::filesystem::create_directories(p);
  return (p / (std::string("sqlproof_bench_w3_") + who + ".db")).string();
}

void remove_db_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    std::filesystem::remove(path + suffix, ec);
  }
}

// Shared read-only databases (W1, W2, W4, W5): one per library, built once.
sqlite3* raw_read_db() {
  static sqlite3* db = [] {
    sqlite3* d = open_raw(":memory:", storage::memory);
    populate(d);
    return d;
  }();
  return db;
}

sp::database& sqlproof_read_db() {
  static sp::database db = [] {
    sp::database d(":memory:", sqlproof_options(storage::memory));
    populate(d.native_handle());
    return d;
  }();
  return db;
}

// ---- reading a row by hand, as careful C code does ----------------------------------------

inline User read_user_raw(sqlite3_stmt* s) {
  User u;
  u.id = sqlite3_column_int64(s, 0);
  const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
  u.name.assign(name != nullptr ? name : "", static_cast<std::size_t>(sqlite3_column_bytes(s, 1)));
  if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
    const auto* email = reinterpret_cast<const char*>(sqlite3_column_text(s, 2));
    u.email.emplace(email, static_cast<std::size_t>(sqlite3_column_bytes(s, 2)));
  }
  u.age = sqlite3_column_int(s, 3);
  u.score = sqlite3_column_double(s, 4);
  return u;
}

// ---- the operations (noinline: callgrind counts each by name) ------------------------------

// W1 / W2: point select by primary key.
[[gnu::noinline]] std::optional<User> w1_raw(sqlite3_stmt* s, std::int64_t id) {
  sqlite3_bind_int64(s, 1, id);
  std::optional<User> out;
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    out = read_user_raw(s);
  } else if (rc != SQLITE_DONE) {
    sqlite3_reset(s);
    fail(sqlite3_db_handle(s), "step");
  }
  sqlite3_reset(s);
  return out;
}

[[gnu::noinline]] std::optional<User> w1_sqlproof(sp::database& db, std::int64_t id) {
  return db.one<find_user>(id);
}

// The same call on a connection collecting per-query statistics (two clock reads a call).
[[gnu::noinline]] std::optional<User> w1_sqlproof_stats(sp::database& db, std::int64_t id) {
  return db.one<find_user>(id);
}

[[gnu::noinline]] std::optional<User> w2_raw_prepare_per_call(sqlite3* db, std::int64_t id) {
  sqlite3_stmt* s = nullptr;
  check(db, sqlite3_prepare_v2(db, select_by_id_sql, -1, &s, nullptr), "prepare");
  sqlite3_bind_int64(s, 1, id);
  std::optional<User> out;
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) out = read_user_raw(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(db, "step");
  return out;
}

// W5: dynamic SQL through the LRU (the SQL text is the key).
[[gnu::noinline]] std::optional<User> w5_sqlproof_prepare_cached(sp::database& db,
                                                                  std::int64_t id) {
  return db.prepare_cached(select_by_id_sql).one<User>(id);
}

// W3: 100k inserts in one transaction.
[[gnu::noinline]] void w3_raw(sqlite3* db) {
  exec_raw(db, "BEGIN");
  sqlite3_stmt* s = prepare_raw(db, insert_sql);
  for (const User& u : rows()) {
    sqlite3_bind_int64(s, 1, u.id);
    sqlite3_bind_text(s, 2, u.name.data(), static_cast<int>(u.name.size()), SQLITE_STATIC);
    if (u.email) {
      sqlite3_bind_text(s, 3, u.email->data(), static_cast<int>(u.email->size()), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(s, 3);
    }
    sqlite3_bind_int(s, 4, u.age);
    sqlite3_bind_double(s, 5, u.score);
    if (sqlite3_step(s) != SQLITE_DONE) fail(db, "insert");
    sqlite3_reset(s);
  }
  sqlite3_finalize(s);
  exec_raw(db, "COMMIT");
}

[[gnu::noinline]] void w3_sqlproof(sp::database& db) {
  db.transaction([&] {
    for (const User& u : rows()) db.exec<add_user>(u.id, u.name, u.email, u.age, u.score);
  });
}

// W4: full scan into a vector, and streamed without one.
[[gnu::noinline]] std::vector<User> w4_raw_vector(sqlite3_stmt* s) {
  std::vector<User> out;
  int rc = sqlite3_step(s);
  while (rc == SQLITE_ROW) {
    out.push_back(read_user_raw(s));
    rc = sqlite3_step(s);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) fail(sqlite3_db_handle(s), "scan");
  return out;
}

[[gnu::noinline]] std::vector<User> w4_sqlproof_vector(sp::database& db) {
  return db.all<all_users>();
}

[[gnu::noinline]] std::int64_t w4_raw_iter(sqlite3_stmt* s) {
  std::int64_t sum = 0;
  int rc = sqlite3_step(s);
  while (rc == SQLITE_ROW) {
    const User u = read_user_raw(s);
    sum += u.age + static_cast<std::int64_t>(u.name.size());
    rc = sqlite3_step(s);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) fail(sqlite3_db_handle(s), "scan");
  return sum;
}

[[gnu::noinline]] std::int64_t w4_sqlproof_iter(sp::database& db) {
  std::int64_t sum = 0;
  for (const User& u : db.iter<all_users>()) sum += u.age + static_cast<std::int64_t>(u.name.size());
  return sum;
}

// W6: 1,000 small migrations applied to an empty database. Both sides start from the same
// definitions (plain strings, as if read from files) and hash them with the same function
// (sqlproof's canonical SHA-256), inside the timed operation: sqlproof while building its
// run-time list, the C code just before it inserts each history row.
constexpr std::int64_t w6_count = 1000;

struct w6_definition {
  std::int64_t version;
  std::string name;
  std::string up;
  std::string down;
};

const std::vector<w6_definition>& w6_definitions() {
  static const std::vector<w6_definition> defs = [] {
    std::vector<w6_definition> v;
    v.reserve(w6_count);
    for (std::int64_t i = 1; i <= w6_count; ++i) {
      const std::string t = "t_" + std::to_string(i);
      v.push_back({i, "create " + t, "CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, v TEXT)",
                   "DROP TABLE " + t});
    }
    return v;
  }();
  return defs;
}

[[gnu::noinline]] sp::runtime_migration_list w6_sqlproof_list() {
  sp::runtime_migration_list list;
  for (const w6_definition& d : w6_definitions()) list.add({d.version, d.name, {d.up}, {d.down}});
  return list;
}

[[gnu::noinline]] std::size_t w6_sqlproof(sp::database& db) {
  const sp::runtime_migration_list list = w6_sqlproof_list();
  return sp::migrator{db, list}.migrate().steps.size();
}

// What a careful hand-written runner does: a history table with the same information
// (version, name, checksum, down checksum, down SQL, applied_at, duration), then per migration
// BEGIN IMMEDIATE, "is it applied?" asked under the lock, the statements, the history row,
// PRAGMA user_version, COMMIT. Statements are held for the run; errors end the run.
[[gnu::noinline]] std::size_t w6_raw(sqlite3* db) {
  exec_raw(db,
           "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
           "checksum TEXT NOT NULL, down_checksum TEXT, down_sql TEXT, applied_at TEXT NOT NULL, "
           "duration_ms REAL NOT NULL)");
  sqlite3_stmt* is_applied = prepare_raw(db, "SELECT 1 FROM _migrations WHERE version = ?");
  sqlite3_stmt* record = prepare_raw(
      db, "INSERT INTO _migrations (version, name, checksum, down_checksum, down_sql, applied_at, "
          "duration_ms) VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?)");
  std::size_t applied = 0;
  for (const w6_definition& d : w6_definitions()) {
    const std::string_view up[] = {d.up};
    const std::string_view down[] = {d.down};
    const auto checksum = sp::detail::tagged_checksum("up", d.version, d.name, up);
    const auto down_checksum = sp::detail::tagged_checksum("down", d.version, d.name, down);
    const auto t0 = std::chrono::steady_clock::now();
    exec_raw(db, "BEGIN IMMEDIATE");
    sqlite3_bind_int64(is_applied, 1, d.version);
    const int rc = sqlite3_step(is_applied);
    sqlite3_reset(is_applied);
    if (rc == SQLITE_ROW) {
      exec_raw(db, "COMMIT");
      continue;
    }
    check(db, rc, "is applied");
    exec_raw(db, d.up.c_str());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    sqlite3_bind_int64(record, 1, d.version);
    sqlite3_bind_text(record, 2, d.name.data(), static_cast<int>(d.name.size()), SQLITE_STATIC);
    sqlite3_bind_text(record, 3, checksum.data, 71, SQLITE_STATIC);
    sqlite3_bind_text(record, 4, down_checksum.data, 71, SQLITE_STATIC);
    sqlite3_bind_text(record, 5, d.down.data(), static_cast<int>(d.down.size()), SQLITE_STATIC);
    sqlite3_bind_double(record, 6, ms);
    if (sqlite3_step(record) != SQLITE_DONE) fail(db, "history row");
    sqlite3_reset(record);
    char pragma[48];
    std::snprintf(pragma, sizeof pragma, "PRAGMA user_version = %lld",
                  static_cast<long long>(d.version));
    exec_raw(db, pragma);
    exec_raw(db, "COMMIT");
    ++applied;
  }
  sqlite3_finalize(record);
  sqlite3_finalize(is_applied);
  return applied;
}

// ---- benchmark bodies ----------------------------------------------------------------------

// Reports heap allocations (C++ operator new) per operation beside the time.
class alloc_meter {
 public:
  alloc_meter() : start_(bench_alloc::snapshot::now()) {}
  void pause() { paused_at_ = bench_alloc::snapshot::now(); }
  void resume() {
    const auto now = bench_alloc::snapshot::now();
    excluded_count_ += now.count - paused_at_.count;
    excluded_bytes_ += now.bytes - paused_at_.bytes;
  }
  void report(benchmark::State& state, std::int64_t rows_per_op) const {
    const auto now = bench_alloc::snapshot::now();
    const double ops = static_cast<double>(state.iterations());
    state.counters["allocs/op"] =
        static_cast<double>(now.count - start_.count - excluded_count_) / ops;
    state.counters["bytes/op"] =
        static_cast<double>(now.bytes - start_.bytes - excluded_bytes_) / ops;
    state.counters["rows/op"] = static_cast<double>(rows_per_op);
    state.SetItemsProcessed(state.iterations() * rows_per_op);
  }

 private:
  bench_alloc::snapshot start_;
  bench_alloc::snapshot paused_at_{};
  std::uint64_t excluded_count_ = 0;
  std::uint64_t excluded_bytes_ = 0;
};

// The loop of every point-lookup benchmark (W1, W2, W5): one query per iteration over the
// same 4,096 random ids, with allocations counted. `lookup` is inlined (a template argument).
template <class Lookup>
void run_point_lookups(benchmark::State& state, Lookup lookup) {
  const auto& ids = lookup_ids();
  std::size_t k = 0;
  alloc_meter m;
  for (auto _ : state) {
    auto u = lookup(ids[k++ & 4095]);
    benchmark::DoNotOptimize(u);
  }
  m.report(state, 1);
}

void bm_w1_raw(benchmark::State& state) {
  sqlite3_stmt* s = prepare_raw(raw_read_db(), select_by_id_sql);
  run_point_lookups(state, [=](std::int64_t id) { return w1_raw(s, id); });
  sqlite3_finalize(s);
}

void bm_w1_sqlproof(benchmark::State& state) {
  auto& db = sqlproof_read_db();
  (void)db.one<find_user>(1);  // the statement is prepared on first use, as in a program
  run_point_lookups(state, [&](std::int64_t id) { return w1_sqlproof(db, id); });
}

void bm_w1_sqlproof_stats(benchmark::State& state) {
  auto& db = sqlproof_read_db();
  db.collect_query_stats(true);
  (void)db.one<find_user>(1);
  run_point_lookups(state, [&](std::int64_t id) { return w1_sqlproof_stats(db, id); });
  db.collect_query_stats(false);
  db.reset_query_stats();
}

void bm_w2_raw_prepare_per_call(benchmark::State& state) {
  sqlite3* db = raw_read_db();
  run_point_lookups(state, [&](std::int64_t id) { return w2_raw_prepare_per_call(db, id); });
}

void bm_w5_sqlproof_prepare_cached(benchmark::State& state) {
  auto& db = sqlproof_read_db();
  (void)db.prepare_cached(select_by_id_sql).one<User>(1);
  run_point_lookups(state, [&](std::int64_t id) { return w5_sqlproof_prepare_cached(db, id); });
}

template <storage S>
void bm_w3_raw(benchmark::State& state) {
  const std::string path = S == storage::memory ? ":memory:" : wal_path("raw");
  alloc_meter m;
  for (auto _ : state) {
    state.PauseTiming();
    m.pause();
    if (S == storage::wal_file) remove_db_files(path);
    sqlite3* db = open_raw(path, S);
    exec_raw(db, schema_sql);
    m.resume();
    state.ResumeTiming();

    w3_raw(db);

    state.PauseTiming();
    m.pause();
    sqlite3_close(db);
    m.resume();
    state.ResumeTiming();
  }
  m.report(state, table_rows);
  if (S == storage::wal_file) remove_db_files(path);
}

template <storage S>
void bm_w3_sqlproof(benchmark::State& state) {
  const std::string path = S == storage::memory ? ":memory:" : wal_path("sqlproof");
  alloc_meter m;
  for (auto _ : state) {
    state.PauseTiming();
    m.pause();
    if (S == storage::wal_file) remove_db_files(path);
    auto db = std::make_unique<sp::database>(path, sqlproof_options(S));
    db->exec_script(schema_sql);
    m.resume();
    state.ResumeTiming();

    w3_sqlproof(*db);

    state.PauseTiming();
    m.pause();
    db.reset();
    m.resume();
    state.ResumeTiming();
  }
  m.report(state, table_rows);
  if (S == storage::wal_file) remove_db_files(path);
}

void bm_w4_raw_vector(benchmark::State& state) {
  sqlite3_stmt* s = prepare_raw(raw_read_db(), select_all_sql);
  alloc_meter m;
  for (auto _ : state) {
    auto v = w4_raw_vector(s);
    benchmark::DoNotOptimize(v.data());
  }
  m.report(state, table_rows);
  sqlite3_finalize(s);
}

void bm_w4_sqlproof_vector(benchmark::State& state) {
  auto& db = sqlproof_read_db();
  alloc_meter m;
  for (auto _ : state) {
    auto v = w4_sqlproof_vector(db);
    benchmark::DoNotOptimize(v.data());
  }
  m.report(state, table_rows);
}

void bm_w4_raw_iter(benchmark::State& state) {
  sqlite3_stmt* s = prepare_raw(raw_read_db(), select_all_sql);
  alloc_meter m;
  for (auto _ : state) benchmark::DoNotOptimize(w4_raw_iter(s));
  m.report(state, table_rows);
  sqlite3_finalize(s);
}

void bm_w4_sqlproof_iter(benchmark::State& state) {
  auto& db = sqlproof_read_db();
  alloc_meter m;
  for (auto _ : state) benchmark::DoNotOptimize(w4_sqlproof_iter(db));
  m.report(state, table_rows);
}

void bm_w6_raw(benchmark::State& state) {
  (void)w6_definitions();
  alloc_meter m;
  for (auto _ : state) {
    state.PauseTiming();
    m.pause();
    sqlite3* db = open_raw(":memory:", storage::memory);
    m.resume();
    state.ResumeTiming();

    if (w6_raw(db) != w6_count) throw std::runtime_error("W6 raw: not every migration ran");

    state.PauseTiming();
    m.pause();
    sqlite3_close(db);
    m.resume();
    state.ResumeTiming();
  }
  m.report(state, w6_count);
}

void bm_w6_sqlproof(benchmark::State& state) {
  (void)w6_definitions();
  alloc_meter m;
  for (auto _ : state) {
    state.PauseTiming();
    m.pause();
    auto db = std::make_unique<sp::database>(":memory:", sqlproof_options(storage::memory));
    m.resume();
    state.ResumeTiming();

    if (w6_sqlproof(*db) != w6_count) throw std::runtime_error("W6 sqlproof: not every migration ran");

    state.PauseTiming();
    m.pause();
    db.reset();
    m.resume();
    state.ResumeTiming();
  }
  m.report(state, w6_count);
}

// The part of W6/sqlproof spent building the list (copies of the text, both checksums).
void bm_w6_sqlproof_list_only(benchmark::State& state) {
  (void)w6_definitions();
  alloc_meter m;
  for (auto _ : state) {
    auto list = w6_sqlproof_list();
    benchmark::DoNotOptimize(list);
  }
  m.report(state, w6_count);
}

// ---- SQLiteCpp ----------------------------------------------------------------------------

#if defined(SQLPROOF_BENCH_HAVE_SQLITECPP)

SQLite::Database open_sqlitecpp(const std::string& path, storage s) {
  SQLite::Database db(path, open_flags, 5000);
  if (s == storage::wal_file) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
  }
  db.exec("PRAGMA foreign_keys = ON");
  return db;
}

SQLite::Database& sqlitecpp_read_db() {
  static SQLite::Database db = [] {
    SQLite::Database d = open_sqlitecpp(":memory:", storage::memory);
    populate(d.getHandle());
    return d;
  }();
  return db;
}

inline User read_user_sqlitecpp(SQLite::Statement& q) {
  User u;
  u.id = q.getColumn(0).getInt64();
  u.name = q.getColumn(1).getString();
  if (!q.isColumnNull(2)) u.email = q.getColumn(2).getString();
  u.age = q.getColumn(3).getInt();
  u.score = q.getColumn(4).getDouble();
  return u;
}

[[gnu::noinline]] std::optional<User> w1_sqlitecpp(SQLite::Statement& q, std::int64_t id) {
  q.reset();
  q.bind(1, static_cast<int64_t>(id));
  std::optional<User> out;
  if (q.executeStep()) out = read_user_sqlitecpp(q);
  q.reset();
  return out;
}

[[gnu::noinline]] std::optional<User> w2_sqlitecpp_prepare_per_call(SQLite::Database& db,
                                                                     std::int64_t id) {
  SQLite::Statement q(db, select_by_id_sql);
  q.bind(1, static_cast<int64_t>(id));
  std::optional<User> out;
  if (q.executeStep()) out = read_user_sqlitecpp(q);
  return out;
}

[[gnu::noinline]] void w3_sqlitecpp(SQLite::Database& db) {
  SQLite::Transaction tx(db);
  SQLite::Statement q(db, insert_sql);
  for (const User& u : rows()) {
    q.bind(1, static_cast<int64_t>(u.id));
    q.bindNoCopy(2, u.name);
    if (u.email) {
      q.bindNoCopy(3, *u.email);
    } else {
      q.bind(3);
    }
    q.bind(4, u.age);
    q.bind(5, u.score);
    q.exec();
    q.reset();
  }
  tx.commit();
}

[[gnu::noinline]] std::vector<User> w4_sqlitecpp_vector(SQLite::Statement& q) {
  std::vector<User> out;
  while (q.executeStep()) out.push_back(read_user_sqlitecpp(q));
  q.reset();
  return out;
}

[[gnu::noinline]] std::int64_t w4_sqlitecpp_iter(SQLite::Statement& q) {
  std::int64_t sum = 0;
  while (q.executeStep()) {
    const User u = read_user_sqlitecpp(q);
    sum += u.age + static_cast<std::int64_t>(u.name.size());
  }
  q.reset();
  return sum;
}

void bm_w1_sqlitecpp(benchmark::State& state) {
  SQLite::Statement q(sqlitecpp_read_db(), select_by_id_sql);
  run_point_lookups(state, [&](std::int64_t id) { return w1_sqlitecpp(q, id); });
}

void bm_w2_sqlitecpp_prepare_per_call(benchmark::State& state) {
  auto& db = sqlitecpp_read_db();
  run_point_lookups(state, [&](std::int64_t id) { return w2_sqlitecpp_prepare_per_call(db, id); });
}

template <storage S>
void bm_w3_sqlitecpp(benchmark::State& state) {
  const std::string path = S == storage::memory ? ":memory:" : wal_path("sqlitecpp");
  alloc_meter m;
  for (auto _ : state) {
    state.PauseTiming();
    m.pause();
    if (S == storage::wal_file) remove_db_files(path);
    auto db = std::make_unique<SQLite::Database>(open_sqlitecpp(path, S));
    db->exec(schema_sql);
    m.resume();
    state.ResumeTiming();

    w3_sqlitecpp(*db);

    state.PauseTiming();
    m.pause();
    db.reset();
    m.resume();
    state.ResumeTiming();
  }
  m.report(state, table_rows);
  if (S == storage::wal_file) remove_db_files(path);
}

void bm_w4_sqlitecpp_vector(benchmark::State& state) {
  SQLite::Statement q(sqlitecpp_read_db(), select_all_sql);
  alloc_meter m;
  for (auto _ : state) {
    auto v = w4_sqlitecpp_vector(q);
    benchmark::DoNotOptimize(v.data());
  }
  m.report(state, table_rows);
}

void bm_w4_sqlitecpp_iter(benchmark::State& state) {
  SQLite::Statement q(sqlitecpp_read_db(), select_all_sql);
  alloc_meter m;
  for (auto _ : state) benchmark::DoNotOptimize(w4_sqlitecpp_iter(q));
  m.report(state, table_rows);
}

#endif  // SQLPROOF_BENCH_HAVE_SQLITECPP

// ---- registration --------------------------------------------------------------------------

// Names are "<workload>/<library>[_variant]"; scripts/bench.sh divides each time by the
// "<workload>/raw" entry of its workload (W2 and W5 by W1/raw: the held statement).
void register_all() {
  std::vector<benchmark::internal::Benchmark*> all;
  auto add = [&](const char* name, void (*fn)(benchmark::State&)) {
    all.push_back(benchmark::RegisterBenchmark(name, fn));
  };
  add("W1_point_select/raw", bm_w1_raw);
  add("W1_point_select/sqlproof", bm_w1_sqlproof);
  add("W1_point_select/sqlproof_query_stats", bm_w1_sqlproof_stats);
  add("W2_as_documented/raw_prepare_per_call", bm_w2_raw_prepare_per_call);
  add("W2_as_documented/sqlproof_typed_query", bm_w1_sqlproof);
  add("W3_insert_memory/raw", bm_w3_raw<storage::memory>);
  add("W3_insert_memory/sqlproof", bm_w3_sqlproof<storage::memory>);
  add("W3_insert_wal/raw", bm_w3_raw<storage::wal_file>);
  add("W3_insert_wal/sqlproof", bm_w3_sqlproof<storage::wal_file>);
  add("W4_scan_vector/raw", bm_w4_raw_vector);
  add("W4_scan_vector/sqlproof", bm_w4_sqlproof_vector);
  add("W4_scan_iter/raw", bm_w4_raw_iter);
  add("W4_scan_iter/sqlproof", bm_w4_sqlproof_iter);
  add("W5_dynamic_sql/sqlproof_prepare_cached", bm_w5_sqlproof_prepare_cached);
  add("W6_migrations/raw", bm_w6_raw);
  add("W6_migrations/sqlproof", bm_w6_sqlproof);
  add("W6_migrations/sqlproof_list_only", bm_w6_sqlproof_list_only);
#if defined(SQLPROOF_BENCH_HAVE_SQLITECPP)
  add("W1_point_select/sqlitecpp", bm_w1_sqlitecpp);
  add("W2_as_documented/sqlitecpp_prepare_per_call", bm_w2_sqlitecpp_prepare_per_call);
  add("W3_insert_memory/sqlitecpp", bm_w3_sqlitecpp<storage::memory>);
  add("W3_insert_wal/sqlitecpp", bm_w3_sqlitecpp<storage::wal_file>);
  add("W4_scan_vector/sqlitecpp", bm_w4_sqlitecpp_vector);
  add("W4_scan_iter/sqlitecpp", bm_w4_sqlitecpp_iter);
#endif

  const char* fixed = std::getenv("SQLPROOF_BENCH_ITERATIONS");
  for (auto* b : all) {
    if (fixed != nullptr) b->Iterations(std::strtoll(fixed, nullptr, 10));
  }
}

}  // namespace workloads

int main(int argc, char** argv) {
  workloads::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Build the shared tables before any timing starts.
  (void)workloads::rows();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
