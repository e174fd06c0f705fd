// The program from the README: a users table created by a migration, typed queries, a
// transaction with a nested savepoint that rolls back, and streamed iteration. Run it in a
// scratch directory: it creates quickstart.db there (and removes any previous one first).

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sp = sqlproof;

// [row]
struct User {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
};

template <>
struct sp::table_traits<User> {
  static constexpr sp::fixed_string name = "users";
  static constexpr auto columns = sp::column_names("id", "name", "email", "age");
  static constexpr std::string_view primary_key = "id";
};
// [row]

// [queries]
using find_user = sp::query<"SELECT id, name, email, age FROM users WHERE id = ?", User(std::int64_t)>;
using add_user = sp::query<"INSERT INTO users (name, email, age) VALUES (?, ?, ?)",
                           void(std::string_view, std::optional<std::string_view>, int)>;
using older_than = sp::query<"SELECT * FROM users WHERE age > :age ORDER BY age", User(int)>;
using count_users = sp::query<"SELECT count(*) FROM users", std::int64_t()>;
// [queries]

// [migrations]
constexpr auto schema = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
               "                    email TEXT UNIQUE, age INTEGER NOT NULL)",
               "CREATE INDEX users_age ON users(age)"),
        sp::down("DROP TABLE users")));
// [migrations]

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "quickstart: check failed: %s\n", what);
    ++failures;
  }
}

void print_table(const std::vector<User>& users) {
  std::printf("%-4s %-8s %-14s %s\n", "id", "name", "email", "age");
  for (const User& u : users) {
    std::printf("%-4lld %-8s %-14s %d\n", static_cast<long long>(u.id), u.name.c_str(),
                u.email ? u.email->c_str() : "NULL", u.age);
  }
}

}  // namespace

int main() {
  for (const char* f : {"quickstart.db", "quickstart.db-wal", "quickstart.db-shm"}) {
    std::filesystem::remove(f);
  }

  // [open]
  sp::database db{"quickstart.db", sp::options::production()};
  sp::migrator{db, schema}.migrate();  // applies what is pending; a second run applies nothing
  // [open]
  check(sp::migrator{db, schema}.status().user_version == 1, "migrated to version 1");

  // [use]
  auto r = db.exec<add_user>("Ann", std::nullopt, 31);  // r.changes, r.last_insert_rowid
  db.exec<add_user>("Cy", "cy@example.org", 27);
  std::optional<User> ann = db.one<find_user>(r.last_insert_rowid);
  std::vector<User> over_30 = db.all<older_than>(30);
  std::int64_t n = db.one<count_users>().value_or(0);
  // [use]
  check(r.changes == 1, "one row inserted");
  check(ann.has_value() && ann->name == "Ann" && !ann->email && ann->age == 31, "find Ann");
  check(over_30.size() == 1 && over_30[0].name == "Ann", "older_than(30) finds Ann only");
  check(n == 2, "two users");
  check(!db.one<find_user>(std::int64_t{999}).has_value(), "no user 999");

  // [transaction]
  db.transaction([&] {
    db.exec<add_user>("Bo", "bo@example.org", 40);
    try {
      db.transaction([&] {  // nested: a SAVEPOINT
        db.exec<add_user>("Di", "di@example.org", 52);
        throw std::runtime_error("changed my mind");
      });
    } catch (const std::runtime_error&) {
      // Only the savepoint rolled back: Di is gone, Bo is still part of the outer transaction.
    }
  });  // commits Bo
  // [transaction]
  check(db.one<count_users>() == std::int64_t{3}, "Bo committed, Di rolled back");
  check(!db.in_transaction(), "no transaction left open");

  // [iter]
  std::vector<User> listed;
  for (const User& u : db.iter<older_than>(0)) {  // rows are read one at a time
    listed.push_back(u);
  }
  print_table(listed);
  // [iter]
  check(listed.size() == 3, "three users listed");
  check(listed.size() == 3 && listed[0].name == "Cy" && listed[1].name == "Ann" &&
            listed[2].name == "Bo",
        "ordered by age");

  if (failures != 0) return 1;
  std::puts("quickstart: ok");
  return 0;
}
