// W1-W4 written with the SQLite C API, for scripts/compile_cost.sh (compile time, memory, size).
#include <sqlite3.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

struct User {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
  double score;
};

static void check(sqlite3* db, int rc) {
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
    std::fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    std::exit(1);
  }
}

static User read_user(sqlite3_stmt* s) {
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

int main() {
  sqlite3* db = nullptr;
  check(db, sqlite3_open_v2(":memory:", &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr));
  sqlite3_busy_timeout(db, 5000);
  check(db, sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr));
  check(db, sqlite3_exec(db,
                         "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, "
                         "age INTEGER NOT NULL, score REAL NOT NULL)",
                         nullptr, nullptr, nullptr));
  // W3
  check(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr));
  sqlite3_stmt* ins = nullptr;
  check(db, sqlite3_prepare_v2(db, "INSERT INTO users (id, name, email, age, score) VALUES (?, ?, ?, ?, ?)",
                               -1, &ins, nullptr));
  for (std::int64_t id = 1; id <= 1000; ++id) {
    const std::string name = "user" + std::to_string(id);
    std::optional<std::string> email;
    if (id % 10 != 0) email = name + "@example.com";
    sqlite3_bind_int64(ins, 1, id);
    sqlite3_bind_text(ins, 2, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
    if (email) {
      sqlite3_bind_text(ins, 3, email->data(), static_cast<int>(email->size()), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(ins, 3);
    }
    sqlite3_bind_int(ins, 4, static_cast<int>(18 + id % 60));
    sqlite3_bind_double(ins, 5, static_cast<double>(id) * 0.5);
    check(db, sqlite3_step(ins));
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr));
  // W1
  std::int64_t sum = 0;
  sqlite3_stmt* one = nullptr;
  check(db, sqlite3_prepare_v2(db, "SELECT id, name, email, age, score FROM users WHERE id = ?", -1,
                               &one, nullptr));
  for (std::int64_t id = 1; id <= 1000; ++id) {
    sqlite3_bind_int64(one, 1, id);
    const int rc = sqlite3_step(one);
    check(db, rc);
    if (rc == SQLITE_ROW) sum += read_user(one).age;
    sqlite3_reset(one);
  }
  sqlite3_finalize(one);
  // W4
  sqlite3_stmt* scan = nullptr;
  check(db, sqlite3_prepare_v2(db, "SELECT id, name, email, age, score FROM users", -1, &scan, nullptr));
  std::vector<User> all;
  int rc = 0;
  while ((rc = sqlite3_step(scan)) == SQLITE_ROW) all.push_back(read_user(scan));
  check(db, rc);
  sqlite3_reset(scan);
  while ((rc = sqlite3_step(scan)) == SQLITE_ROW) {
    sum += static_cast<std::int64_t>(read_user(scan).name.size());
  }
  check(db, rc);
  sqlite3_finalize(scan);
  sqlite3_close(db);
  std::printf("%lld %zu\n", static_cast<long long>(sum), all.size());
}
