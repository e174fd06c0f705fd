// Tests for runtime_migration_list (include/sqlproof/migration_list.hpp): validation when a
// migration is added, checksums equal to those of the same compile-time migrations, the
// runner (migrate, rollback, status, verify) and cli::run over a run-time list, and a list
// long enough that a compile-time one is out of reach.

#include <sqlproof/cli.hpp>
#include <sqlproof/migration.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../catch.hpp"

namespace sp = sqlproof;

namespace {

constexpr auto compiled = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        sp::down("DROP TABLE users")),
    sp::migration<2, "seed users">(
        sp::up("INSERT INTO users (name) VALUES ('ann')", "INSERT INTO users (name) VALUES ('bo')"),
        sp::down("DELETE FROM users WHERE name IN ('ann', 'bo')")),
    sp::migration<5, "index users by name">(sp::up("CREATE INDEX users_name ON users(name)"),
                                            sp::irreversible(), sp::foreign_keys_off));

// The same three migrations, built at run time in both spellings.
sp::runtime_migration_list same_at_run_time() {
  sp::runtime_migration_list list;
  list.add({1, "create users", {"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
            {"DROP TABLE users"}});
  list.add(2, "seed users",
           sp::up("INSERT INTO users (name) VALUES ('ann')", "INSERT INTO users (name) VALUES ('bo')"),
           sp::down("DELETE FROM users WHERE name IN ('ann', 'bo')"));
  list.add(5, "index users by name", sp::up("CREATE INDEX users_name ON users(name)"),
           sp::irreversible(), sp::foreign_keys_off);
  return list;
}

std::int64_t scalar(sp::database& db, std::string_view sql) {
  return db.prepare(sql).one<std::int64_t>().value_or(-1);
}

// The message of the migration_error that adding `m` to `list` throws; empty if none.
std::string add_error(sp::runtime_migration_list& list, sp::runtime_migration m) {
  const std::size_t before = list.size();
  try {
    list.add(std::move(m));
  } catch (const sp::migration_error& e) {
    CHECK(list.size() == before);  // unchanged on a throw
    return e.what();
  }
  return {};
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

TEST_CASE("a run-time list refuses what migrations(...) refuses at compile time",
          "[migration_list]") {
  sp::runtime_migration_list list;
  list.add({3, "create users", {"CREATE TABLE users (id INTEGER PRIMARY KEY)"}, {"DROP TABLE users"}});

  const std::string same = add_error(list, {3, "create posts", {"CREATE TABLE posts (x)"}, {}});
  CHECK(contains(same, "two migrations have version 3"));
  CHECK(contains(same, "migration 3 'create users'"));
  CHECK(contains(same, "migration 3 'create posts'"));

  const std::string order = add_error(list, {2, "create posts", {"CREATE TABLE posts (x)"}, {}});
  CHECK(contains(order, "strictly increasing"));
  CHECK(contains(order, "migration 2 'create posts' comes after migration 3 'create users'"));
  CHECK(contains(order, "versions 3 then 2"));

  CHECK(contains(add_error(list, {4, "", {"CREATE TABLE posts (x)"}, {}}),
                 "migration 4 has an empty name"));
  CHECK(contains(add_error(list, {0, "zero", {"SELECT 1"}, {}}), "between 1 and 2147483647"));
  CHECK(contains(add_error(list, {2147483648LL, "too big", {"SELECT 1"}, {}}),
                 "between 1 and 2147483647"));
  CHECK(contains(add_error(list, {4, "nothing", {}, {}}), "migration 4 'nothing' has no up statement"));
  CHECK(contains(add_error(list, {4, "odd", {"SELECT 1"}, {"SELECT 2"}, false}),
                 "is irreversible but has down statements"));

  try {
    list.add({1, "early", {"SELECT 1"}, {}});
    FAIL("a lower version was accepted");
  } catch (const sp::migration_error& e) {
    CHECK(e.version() == 1);
    CHECK(e.name() == "early");
  }

  CHECK(add_error(list, {4, "create posts", {"CREATE TABLE posts (x)"}, {}}).empty());
  CHECK(list.size() == 2);

  CHECK_THROWS_AS((sp::runtime_migration_list{{2, "b", {"SELECT 1"}, {}}, {1, "a", {"SELECT 1"}, {}}}),
                  sp::migration_error);
}

TEST_CASE("a run-time migration has the checksums of the same compile-time migration",
          "[migration_list]") {
  sp::database db{":memory:"};
  const sp::migrator from_types{db, compiled};
  const sp::runtime_migration_list list = same_at_run_time();
  const auto a = from_types.migrations();
  const auto b = list.migrations();
  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 3);
  for (std::size_t i = 0; i != 3; ++i) {
    CHECK(a[i].version == b[i].version);
    CHECK(a[i].name == b[i].name);
    CHECK(a[i].checksum == b[i].checksum);
    CHECK(a[i].down_checksum == b[i].down_checksum);
    CHECK(a[i].reversible == b[i].reversible);
    CHECK(a[i].flags == b[i].flags);
  }
  CHECK(b[0].checksum == std::string(std::get<0>(compiled.items).checksum().view()));
  CHECK(!b[2].down_checksum);

  // CRLF and a byte-order mark are removed the same way as for literals.
  sp::runtime_migration_list crlf;
  crlf.add({1, "create users",
            {"\xEF\xBB\xBF" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"},
            {"DROP TABLE users"}});
  CHECK(crlf.migrations()[0].checksum == b[0].checksum);

  // Copies view their own text: the original can go.
  sp::runtime_migration_list copy;
  {
    const sp::runtime_migration_list original = same_at_run_time();
    copy = original;
  }
  CHECK(copy.migrations()[1].checksum == a[1].checksum);
  CHECK(copy.migrations()[1].up[1] == "INSERT INTO users (name) VALUES ('bo')");
}

TEST_CASE("a database migrated by a compile-time list is verified by the run-time one",
          "[migration_list]") {
  sp::database db{":memory:"};
  sp::migrator{db, compiled}.migrate();
  const sp::runtime_migration_list list = same_at_run_time();
  sp::migrator m{db, list};
  CHECK(m.verify().ok());
  CHECK(m.migrate().steps.empty());
  CHECK(m.status().count(sp::migration_state::applied) == 3);
}

TEST_CASE("migrate, rollback, status and verify through a run-time list", "[migration_list]") {
  sp::database db{":memory:"};
  const sp::runtime_migration_list list = same_at_run_time();
  sp::migrator m{db, list};

  const sp::migration_report r = m.migrate();
  REQUIRE(r.steps.size() == 3);
  CHECK(r.steps[2].version == 5);
  CHECK(r.to_version == 5);
  CHECK(scalar(db, "PRAGMA user_version") == 5);
  CHECK(scalar(db, "SELECT count(*) FROM users") == 2);
  CHECK(scalar(db, "SELECT count(*) FROM sqlproof_migrations") == 3);
  CHECK(m.verify().ok());

  CHECK_THROWS_AS(m.rollback(1), sp::missing_down_error);  // 5 is irreversible
  CHECK(scalar(db, "PRAGMA user_version") == 5);

  const sp::migration_status s = m.status();
  REQUIRE(s.entries.size() == 3);
  CHECK(s.entries[1].name == "seed users");
  CHECK(s.entries[1].state == sp::migration_state::applied);

  // An edited migration in a longer list: refused with both checksums, as for literals.
  sp::runtime_migration_list edited;
  edited.add({1, "create users", {"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)"},
              {"DROP TABLE users"}});
  sp::migrator changed{db, edited};
  CHECK_THROWS_AS(changed.migrate(), sp::checksum_mismatch_error);
  CHECK(changed.status().count(sp::migration_state::modified) == 1);

  // Reversible migrations go back down with their own down text.
  sp::database db2{":memory:"};
  sp::runtime_migration_list two;
  two.add({1, "create a", {"CREATE TABLE a (x)"}, {"DROP TABLE a"}});
  two.add({2, "create b", {"CREATE TABLE b (x)"}, {"DROP TABLE b"}});
  sp::migrator m2{db2, two};
  m2.migrate();
  const sp::migration_report back = m2.rollback(2);
  REQUIRE(back.steps.size() == 2);
  CHECK(back.steps[0].version == 2);
  CHECK(back.steps[0].direction == sp::migration_direction::down);
  CHECK(scalar(db2, "SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'b')") == 0);
  CHECK(scalar(db2, "PRAGMA user_version") == 0);
}

TEST_CASE("a run-time list of 1,000 migrations applies and reverts", "[migration_list]") {
  sp::runtime_migration_list list;
  for (std::int64_t v = 1; v <= 1000; ++v) {
    const std::string table = "t_" + std::to_string(v);
    list.add({v, "create " + table, {"CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, v TEXT)"},
              {"DROP TABLE " + table}});
  }
  sp::database db{":memory:"};
  sp::migrator m{db, list};
  CHECK(m.migrate().steps.size() == 1000);
  CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 't\\_%' ESCAPE '\\'") == 1000);
  CHECK(scalar(db, "PRAGMA user_version") == 1000);
  CHECK(m.migrate_to(990).steps.size() == 10);
  CHECK(scalar(db, "PRAGMA user_version") == 990);
  CHECK(m.verify().ok());
}

TEST_CASE("cli::run over a run-time list", "[migration_list]") {
  sp::database db{":memory:"};
  const sp::runtime_migration_list list = same_at_run_time();
  auto run = [&](std::vector<const char*> args) {
    args.insert(args.begin(), "app");
    std::ostringstream out;
    std::ostringstream err;
    const int code = sp::cli::run(static_cast<int>(args.size()), args.data(), db, list, out, err);
    return std::pair{code, out.str() + err.str()};
  };
  const auto [up_code, up_text] = run({"up"});
  CHECK(up_code == sp::cli::success);
  CHECK(contains(up_text, "\u2713 2 seed users ("));
  CHECK(contains(up_text, "ran 3 migrations"));
  const auto [status_code, status_text] = run({"status", "--json"});
  CHECK(status_code == sp::cli::success);
  CHECK(contains(status_text, "\"version\":5,\"name\":\"index users by name\",\"state\":\"applied\""));
  const auto [down_code, down_text] = run({"down"});
  CHECK(down_code == sp::cli::failure);  // irreversible
  CHECK(contains(down_text, "irreversible"));
  CHECK(run({"verify"}).first == sp::cli::success);
}
