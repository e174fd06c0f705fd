// W1-W4 written with sqlproof, for scripts/compile_cost.sh (compile time, memory, size).
#include <sqlproof/database.hpp>  // what W1-W4 use: the umbrella also brings migrations and the CLI

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp = sqlproof;

struct User {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
  double score;
};

using find_user = sp::query<"SELECT id, name, email, age, score FROM users WHERE id = ?",
                            User(std::int64_t)>;
using all_users = sp::query<"SELECT id, name, email, age, score FROM users", User()>;
using add_user = sp::query<"INSERT INTO users (id, name, email, age, score) VALUES (?, ?, ?, ?, ?)",
                           void(std::int64_t, std::string_view, std::optional<std::string_view>,
                                int, double)>;

int main() {
  sp::database db(":memory:");
  db.exec_script(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, "
      "age INTEGER NOT NULL, score REAL NOT NULL)");
  db.transaction([&] {  // W3
    for (std::int64_t id = 1; id <= 1000; ++id) {
      const std::string name = "user" + std::to_string(id);
      std::optional<std::string> email;
      if (id % 10 != 0) email = name + "@example.com";
      db.exec<add_user>(id, name, email, static_cast<int>(18 + id % 60), id * 0.5);
    }
  });
  std::int64_t sum = 0;
  for (std::int64_t id = 1; id <= 1000; ++id) {  // W1
    if (std::optional<User> u = db.one<find_user>(id)) sum += u->age;
  }
  std::vector<User> all = db.all<all_users>();  // W4
  for (const User& u : db.iter<all_users>()) sum += static_cast<std::int64_t>(u.name.size());
  std::printf("%lld %zu\n", static_cast<long long>(sum), all.size());
}
