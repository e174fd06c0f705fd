// pg::database against a real server: the quickstart's query types, rows and a user
// value_traits type give the same results on SQLite and PostgreSQL; one, all, iter and exec
// with every placeholder style; transactions; and the statement cache.

#include <sqlproof/postgres.hpp>
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "catch.hpp"
#include "support/pg_test_server.hpp"

namespace sp = sqlproof;

namespace {

struct User {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
  friend bool operator==(const User&, const User&) = default;
};

struct money {
  std::int64_t cents;
  friend bool operator==(const money&, const money&) = default;
};

}  // namespace

template <>
struct sp::table_traits<User> {
  static constexpr sp::fixed_string name = "users";
  static constexpr auto columns = sp::column_names("id", "name", "email", "age");
};

template <>
struct sp::value_traits<money> {
  using storage_type = std::int64_t;
  static std::int64_t to_storage(const money& m) { return m.cents; }
  static money from_storage(std::int64_t c) { return money{c}; }
};

namespace {

// The quickstart's queries, unchanged: portable SQL in SQLite's dialect.
using find_user = sp::query<"SELECT id, name, email, age FROM users WHERE id = ?", User(std::int64_t)>;
using add_user = sp::query<"INSERT INTO users (name, email, age) VALUES (?, ?, ?)",
                           void(std::string_view, std::optional<std::string_view>, int)>;
using older_than = sp::query<"SELECT * FROM users WHERE age > :age ORDER BY age", User(int)>;
using count_users = sp::query<"SELECT count(*) FROM users", std::int64_t()>;
using id_of = sp::query<"SELECT id FROM users WHERE name = @name", std::int64_t(std::string)>;

// The same statement in each placeholder style.
using by_range_question = sp::query<"SELECT name FROM users WHERE age >= ? AND age < ? ORDER BY age",
                                    std::string(int, int)>;
using by_range_numbered = sp::query<"SELECT name FROM users WHERE age >= ?1 AND age < ?2 ORDER BY age",
                                    std::string(int, int)>;
using by_range_colon = sp::query<"SELECT name FROM users WHERE age >= :lo AND age < :hi ORDER BY age",
                                 std::string(int, int)>;
using by_range_at = sp::query<"SELECT name FROM users WHERE age >= @lo AND age < @hi ORDER BY age",
                              std::string(int, int)>;
using by_range_dollar_name = sp::query<"SELECT name FROM users WHERE age >= $lo AND age < $hi ORDER BY age",
                                       std::string(int, int)>;
using by_range_dollar_number = sp::query<"SELECT name FROM users WHERE age >= $1 AND age < $2 ORDER BY age",
                                         std::string(int, int)>;

using add_payment = sp::query<"INSERT INTO payments (user_id, amount) VALUES (?, ?)",
                              void(std::int64_t, money)>;
using total_paid = sp::query<"SELECT max(amount) FROM payments WHERE user_id = ?",
                             std::optional<std::int64_t>(std::int64_t)>;
using payments_of = sp::query<"SELECT amount FROM payments WHERE user_id = ? ORDER BY amount",
                              money(std::int64_t)>;
using set_age = sp::query<"UPDATE users SET age = age + ? WHERE age >= ?", void(int, int)>;

constexpr std::string_view sqlite_schema =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, "
    "                    age INTEGER NOT NULL);"
    "CREATE TABLE payments (user_id INTEGER NOT NULL, amount INTEGER NOT NULL);";
constexpr std::string_view postgres_schema =
    "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, "
    "                    email text UNIQUE, age integer NOT NULL);"
    "CREATE TABLE payments (user_id bigint NOT NULL, amount bigint NOT NULL);";

// What the quickstart does, on any backend; returns what it read.
struct observed {
  std::vector<std::int64_t> changes;
  std::optional<User> ann;
  std::vector<User> over_30;
  std::int64_t count = 0;
  std::vector<std::vector<std::string>> ranges;
  std::vector<User> streamed;
  std::optional<std::int64_t> total;
  std::vector<money> payments;
  std::optional<User> missing;
  friend bool operator==(const observed&, const observed&) = default;
};

template <class Db>
observed run_quickstart(Db& db) {
  observed o;
  o.changes.push_back(db.template exec<add_user>("Ann", std::nullopt, 31).changes);
  o.changes.push_back(db.template exec<add_user>("Cy", "cy@example.org", 27).changes);
  const std::int64_t ann_id = db.template one<id_of>(std::string("Ann")).value();
  o.ann = db.template one<find_user>(ann_id);
  o.over_30 = db.template all<older_than>(30);
  o.count = db.template one<count_users>().value_or(-1);
  db.transaction([&] {
    db.template exec<add_user>("Bo", "bo@example.org", 40);
    try {
      db.transaction([&] {
        db.template exec<add_user>("Di", "di@example.org", 52);
        throw std::runtime_error("changed my mind");
      });
    } catch (const std::runtime_error&) {
    }
  });
  o.ranges.push_back(db.template all<by_range_question>(27, 41));
  o.ranges.push_back(db.template all<by_range_numbered>(27, 41));
  o.ranges.push_back(db.template all<by_range_colon>(27, 41));
  o.ranges.push_back(db.template all<by_range_at>(27, 41));
  o.ranges.push_back(db.template all<by_range_dollar_name>(27, 41));
  o.ranges.push_back(db.template all<by_range_dollar_number>(27, 41));
  for (const User& u : db.template iter<older_than>(0)) o.streamed.push_back(u);
  db.template exec<add_payment>(ann_id, money{250});
  db.template exec<add_payment>(ann_id, money{-75});
  o.total = db.template one<total_paid>(ann_id).value();
  o.payments = db.template all<payments_of>(ann_id);
  o.changes.push_back(db.template exec<set_age>(1, 30).changes);
  o.missing = db.template one<find_user>(std::int64_t{999});
  return o;
}

}  // namespace

TEST_CASE("pg::database: the quickstart's queries give the same results on SQLite and PostgreSQL") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::database pg{schema.conninfo()};
  pg.exec_script(postgres_schema);
  sp::database lite{":memory:", sp::options::in_memory()};
  lite.exec_script(sqlite_schema);

  const observed on_pg = run_quickstart(pg);
  const observed on_sqlite = run_quickstart(lite);

  CHECK(on_pg == on_sqlite);
  // And what both saw is what the quickstart expects.
  REQUIRE(on_pg.ann.has_value());
  CHECK(on_pg.ann->name == "Ann");
  CHECK(!on_pg.ann->email.has_value());
  CHECK(on_pg.ann->age == 31);
  CHECK(on_pg.over_30.size() == 1);
  CHECK(on_pg.count == 2);
  for (const auto& names : on_pg.ranges) {
    CHECK(names == std::vector<std::string>{"Cy", "Ann", "Bo"});
  }
  REQUIRE(on_pg.streamed.size() == 3);
  CHECK(on_pg.streamed[0].name == "Cy");
  CHECK(on_pg.streamed[2].name == "Bo");
  CHECK(on_pg.total == std::optional<std::int64_t>(250));
  CHECK(on_pg.payments == std::vector<money>{money{-75}, money{250}});
  CHECK(on_pg.changes == std::vector<std::int64_t>{1, 1, 2});
  CHECK(!on_pg.missing.has_value());
  CHECK(!pg.in_transaction());
}

namespace {

struct Aged {
  std::int64_t id;
  int age;
};

using null_age = sp::pg::query<"SELECT 7::int8 AS id, NULL::int4 AS age", Aged()>;
using ok_age = sp::pg::query<"SELECT 7::int8 AS id, 30 AS age", Aged()>;
using big_age = sp::pg::query<"SELECT i::int8 AS id, i * 1000000000::int8 AS age "
                              "FROM generate_series(1, 3) AS i",
                              Aged()>;

// The message of the type_error `read` throws.
template <class Read>
std::string read_error(Read&& read) {
  try {
    read();
  } catch (const sp::type_error& e) {
    CHECK(e.column() == 1);
    CHECK(e.column_name() == "age");
    return e.what();
  }
  FAIL("no type_error");
  return {};
}

}  // namespace

TEST_CASE("pg::database: a value a row field cannot hold is a type_error naming the column") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::database db{schema.conninfo()};
  const std::string null_message = read_error([&] { (void)db.one<null_age>(); });
  CHECK(null_message.find("cannot read column 1 ('age') into int: the value is NULL") !=
        std::string::npos);
  CHECK(null_message.find("SELECT 7::int8") != std::string::npos);
  CHECK(read_error([&] { (void)db.all<null_age>(); }) == null_message);

  const std::string range_message = read_error([&] { (void)db.all<big_age>(); });
  CHECK(range_message.find("cannot read column 1 ('age') into int") != std::string::npos);
  CHECK(range_message.find("out of the type's range") != std::string::npos);
  CHECK(read_error([&] {
          for (const Aged& a : db.iter<big_age>()) (void)a;
        }) == range_message);
  // The connection is usable afterwards.
  CHECK(db.one<ok_age>().value().age == 30);
}

TEST_CASE("pg::database: the statement cache prepares each typed query once per connection") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::database db{schema.conninfo()};
  db.exec_script(postgres_schema);
  for (int i = 0; i < 5; ++i) db.exec<add_user>("U" + std::to_string(i), std::nullopt, 20 + i);
  const auto s = db.cache().stats();
  CHECK(s.misses == 1);
  CHECK(s.hits == 4);
  CHECK(s.prepares == 1);
  CHECK(s.typed == 1);
  CHECK(s.in_use == 0);
}

namespace {

struct contact {
  std::int64_t id;
  std::string email;  // the column allows NULL: this field should be std::optional
};

using contact_of = sp::query<"SELECT id, email FROM users WHERE id = ?", contact(std::int64_t)>;
using email_of = sp::query<"SELECT email FROM users WHERE id = ?", std::string(std::int64_t)>;
using coalesced_email = sp::query<"SELECT coalesce(email, '') FROM users WHERE id = ?",
                                  std::string(std::int64_t)>;

}  // namespace

TEST_CASE("pg::database: a nullable table column read into a non-optional field is refused at prepare") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::database db{schema.conninfo()};
  db.exec_script(postgres_schema);
  db.exec<add_user>("Ann", "ann@example.org", 31);
  const std::int64_t id = db.one<id_of>(std::string("Ann")).value();

  try {
    static_cast<void>(db.one<contact_of>(id));  // Ann has an email: the data would have been fine
    FAIL("a nullable column read into std::string was accepted");
  } catch (const sp::schema_error& e) {
    const std::string what = e.what();
    CHECK(what.find("result column 1 ('email')") != std::string::npos);
    CHECK(what.find("users, which allows NULL") != std::string::npos);
    CHECK(what.find("std::optional<std::string>") != std::string::npos);
  }
  CHECK_THROWS_AS(db.one<email_of>(id), sp::schema_error);  // a scalar row too
  // An expression is not a table column: nothing to check, and coalesce never gives NULL.
  CHECK(db.one<coalesced_email>(id) == std::optional<std::string>("ann@example.org"));
  CHECK(db.cache().stats().in_use == 0);
}

TEST_CASE("pg::database: without the NULL check, a NULL shows as a type_error on its row") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::options o;
  o.check_nullability = false;
  sp::pg::database db{schema.conninfo(), o};
  db.exec_script(postgres_schema);
  db.exec<add_user>("Ann", "ann@example.org", 31);
  db.exec<add_user>("Bo", std::nullopt, 40);
  CHECK(db.one<email_of>(db.one<id_of>(std::string("Ann")).value()) ==
        std::optional<std::string>("ann@example.org"));
  CHECK_THROWS_AS(db.one<email_of>(db.one<id_of>(std::string("Bo")).value()), sp::type_error);
}

TEST_CASE("pg::database: unnamed statements leave nothing on the server and are still checked") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::options o;
  o.statements = sp::pg::statement_mode::unnamed;
  sp::pg::database db{schema.conninfo(), o};
  db.exec_script(postgres_schema);
  db.exec<add_user>("Ann", std::nullopt, 31);
  db.exec<add_user>("Cy", "cy@example.org", 27);
  std::vector<std::string> names;
  for (const User& u : db.iter<older_than>(0)) names.push_back(u.name);
  CHECK(names == std::vector<std::string>{"Cy", "Ann"});
  CHECK(db.one<count_users>() == std::int64_t{2});
  using prepared_count = sp::query<"SELECT count(*) FROM pg_prepared_statements", std::int64_t()>;
  CHECK(db.one<prepared_count>() == std::int64_t{0});
  // A row type that does not fit is refused on the first run, as a named statement would be.
  using wrong_type = sp::query<"SELECT name FROM users ORDER BY age", std::int64_t()>;
  CHECK_THROWS_AS(db.all<wrong_type>(), sp::schema_error);
  CHECK_THROWS_AS(
      [&] {
        for (const std::int64_t v : db.iter<wrong_type>()) static_cast<void>(v);
      }(),
      sp::schema_error);
  CHECK(db.one<count_users>() == std::int64_t{2});  // the connection is usable afterwards
}

namespace {

// One statement per placeholder style, for exec, one, all and iter; each binds its two
// parameters in a different order of appearance to show the numbering.
template <sp::fixed_string Update, sp::fixed_string Select>
struct styled {
  using bump = sp::query<Update, void(int, std::string_view)>;
  using ages = sp::query<Select, int(std::string_view, int)>;
};

using styles = std::tuple<
    styled<"UPDATE users SET age = age + ? WHERE name = ?",
           "SELECT age FROM users WHERE name <> ? AND age > ? ORDER BY age">,
    styled<"UPDATE users SET age = age + ?1 WHERE name = ?2",
           "SELECT age FROM users WHERE name <> ?1 AND age > ?2 ORDER BY age">,
    styled<"UPDATE users SET age = age + :n WHERE name = :who",
           "SELECT age FROM users WHERE name <> :who AND age > :n ORDER BY age">,
    styled<"UPDATE users SET age = age + @n WHERE name = @who",
           "SELECT age FROM users WHERE name <> @who AND age > @n ORDER BY age">,
    styled<"UPDATE users SET age = age + $n WHERE name = $who",
           "SELECT age FROM users WHERE name <> $who AND age > $n ORDER BY age">,
    styled<"UPDATE users SET age = age + $1 WHERE name = $2",
           "SELECT age FROM users WHERE name <> $1 AND age > $2 ORDER BY age">>;

template <class Style, class Db>
std::vector<int> exercise(Db& db) {
  std::vector<int> seen;
  seen.push_back(static_cast<int>(db.template exec<typename Style::bump>(1, "Ann").changes));
  seen.push_back(db.template one<typename Style::ages>("Ann", 0).value_or(-1));
  for (const int a : db.template all<typename Style::ages>("Cy", 0)) seen.push_back(a);
  for (const int a : db.template iter<typename Style::ages>("Bo", 20)) seen.push_back(a);
  return seen;
}

template <class Db>
std::vector<std::vector<int>> exercise_all(Db& db) {
  std::vector<std::vector<int>> out;
  std::apply([&](auto... style) { (out.push_back(exercise<decltype(style)>(db)), ...); }, styles{});
  return out;
}

}  // namespace

TEST_CASE("pg::database: every placeholder style, through exec, one, all and iter, as on SQLite") {
  sqlproof_test::pg_test_schema schema;
  sp::pg::database pg{schema.conninfo()};
  pg.exec_script(postgres_schema);
  sp::database lite{":memory:", sp::options::in_memory()};
  lite.exec_script(sqlite_schema);
  pg.exec<add_user>("Ann", std::nullopt, 30);
  pg.exec<add_user>("Bo", std::nullopt, 40);
  pg.exec<add_user>("Cy", std::nullopt, 20);
  lite.exec<add_user>("Ann", std::nullopt, 30);
  lite.exec<add_user>("Bo", std::nullopt, 40);
  lite.exec<add_user>("Cy", std::nullopt, 20);

  const auto on_pg = exercise_all(pg);
  const auto on_sqlite = exercise_all(lite);
  CHECK(on_pg == on_sqlite);
  REQUIRE(on_pg.size() == 6);
  // The first style: Ann 30 -> 31; one() skips Ann: Cy 20 first; all() skips Cy: 31, 40;
  // iter() skips Bo, ages above 20: 31.
  CHECK(on_pg[0] == std::vector<int>{1, 20, 31, 40, 31});
  CHECK(on_pg[5] == std::vector<int>{1, 20, 36, 40, 36});
}
