// The quickstart's queries, rows and a user value_traits type, run unchanged on SQLite and on
// PostgreSQL: the same query types, the same migration list, the same code, the same output.
// Only one migration's DDL differs (INTEGER PRIMARY KEY vs an identity column).
//
// The PostgreSQL server comes from SQLPROOF_PG_CONNINFO, a libpq connection string; without
// it the program says so and exits with status 77 (skipped). `bash scripts/pg.sh -- <cmd>`
// runs a command with a throwaway server and the variable set.

#include <sqlproof/postgres.hpp>
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sp = sqlproof;

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

// A user type: an amount in cents, stored as a 64-bit integer on both backends.
struct money {
  std::int64_t cents;
};

template <>
struct sp::value_traits<money> {
  using storage_type = std::int64_t;
  static std::int64_t to_storage(const money& m) { return m.cents; }
  static money from_storage(std::int64_t c) { return money{c}; }
};

// [portable]
// Written once, in SQLite's dialect; on PostgreSQL the placeholders become $1, $2 ... at
// compile time.
using add_user = sp::query<"INSERT INTO users (name, email, age) VALUES (?, ?, ?)",
                           void(std::string_view, std::optional<std::string_view>, int)>;
using id_of = sp::query<"SELECT id FROM users WHERE name = :name", std::int64_t(std::string_view)>;
using find_user = sp::query<"SELECT id, name, email, age FROM users WHERE id = ?", User(std::int64_t)>;
using older_than = sp::query<"SELECT * FROM users WHERE age > :age ORDER BY age", User(int)>;
using count_users = sp::query<"SELECT count(*) FROM users", std::int64_t()>;
using pay = sp::query<"INSERT INTO payments (user_id, amount) VALUES (?, ?)", void(std::int64_t, money)>;
using largest_payment = sp::query<"SELECT max(amount) FROM payments WHERE user_id = ?",
                                  std::optional<money>(std::int64_t)>;
// [portable]

namespace {

// [migrations]
// One list for both backends: SQLite's text, PostgreSQL's where the DDL differs (an identity
// column instead of INTEGER PRIMARY KEY), and `portable` where one text serves both.
constexpr auto schema = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE,"
               "                    age INTEGER NOT NULL)"),
        sp::down("DROP TABLE users"),
        sp::up_for<sp::dialect::postgres>(
            "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            "                    name text NOT NULL, email text UNIQUE, age integer NOT NULL)"),
        sp::down_for<sp::dialect::postgres>("DROP TABLE users")),
    sp::migration<2, "create payments">(
        sp::up("CREATE TABLE payments (user_id bigint NOT NULL REFERENCES users(id),"
               "                       amount bigint NOT NULL)"),
        sp::down("DROP TABLE payments"),
        sp::portable));
// [migrations]

// [both]
// The application code, for either backend.
template <class Db>
std::string run(Db& db) {
  std::string out;
  const auto line = [&](const std::string& s) { out += s + "\n"; };

  db.template exec<add_user>("Ann", std::nullopt, 31);
  db.template exec<add_user>("Cy", "cy@example.org", 27);
  db.transaction([&] {
    db.template exec<add_user>("Bo", "bo@example.org", 40);
    try {
      db.transaction([&] {  // nested: a savepoint
        db.template exec<add_user>("Di", "di@example.org", 52);
        throw std::runtime_error("changed my mind");
      });
    } catch (const std::runtime_error&) {
    }
  });
  const std::int64_t ann = db.template one<id_of>("Ann").value();
  db.template exec<pay>(ann, money{1250});
  db.template exec<pay>(ann, money{399});

  const std::optional<User> u = db.template one<find_user>(ann);
  line("find_user: " + u->name + ", " + std::to_string(u->age) + ", " +
       (u->email ? *u->email : "no email"));
  line("count_users: " + std::to_string(db.template one<count_users>().value_or(0)));
  for (const User& o : db.template iter<older_than>(30)) {
    line("older_than(30): " + o.name + " " + std::to_string(o.age));
  }
  const std::optional<money> top = db.template one<largest_payment>(ann).value();
  line("largest_payment: " + std::to_string(top ? top->cents : 0) + " cents");
  return out;
}
// [both]

}  // namespace

int main() {
  const char* conninfo = std::getenv("SQLPROOF_PG_CONNINFO");
  if (conninfo == nullptr || *conninfo == '\0') {
    const char* ci = std::getenv("CI");
    const bool in_ci = ci != nullptr && std::string_view(ci) == "true";
    std::printf("postgres_quickstart: SQLPROOF_PG_CONNINFO is not set; %s "
                "(run it under `bash scripts/pg.sh -- ...`)\n",
                in_ci ? "failed: CI needs the server" : "skipped");
    return in_ci ? 1 : 77;
  }

  // [open]
  sp::database lite{":memory:", sp::options::in_memory()};
  sp::migrator{lite, schema}.migrate();

  sp::pg::database pg{conninfo};
  // A schema of its own, dropped at the end, so the example leaves the server as it found it.
  pg.exec_script("DROP SCHEMA IF EXISTS sqlproof_example CASCADE; CREATE SCHEMA sqlproof_example;"
                 "SET search_path TO sqlproof_example");
  sp::pg::migrator{pg, schema}.migrate();
  // [open]

  const std::string on_sqlite = run(lite);
  const std::string on_postgres = run(pg);
  pg.exec_script("DROP SCHEMA sqlproof_example CASCADE");

  std::printf("SQLite:\n%s\nPostgreSQL (server %d):\n%s\n", on_sqlite.c_str(), pg.server_version(),
              on_postgres.c_str());
  if (on_sqlite != on_postgres) {
    std::puts("postgres_quickstart: the two backends disagree");
    return 1;
  }
  std::puts("postgres_quickstart: same results on both backends");
  return 0;
}
