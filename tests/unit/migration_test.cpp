// Tests for include/sqlproof/migration.hpp: checksums (pinned at compile time, canonical
// encoding, CRLF/BOM), the runner (migrate, migrate_to, rollback, redo, status, verify,
// reset, baseline, repair, dry_run), atomicity of a failing migration and of one whose SQL
// tries to end the runner's transaction, table rebuilds with foreign_keys off, and databases
// ahead of the program.

#include <sqlproof/migration.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../catch.hpp"

namespace sp = sqlproof;

namespace {

// ---- checksums, pinned at compile time -------------------------------------------------

constexpr auto create_users =
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        sp::down("DROP TABLE users"));

// The checksum is a constant expression: a change to the encoding, the name or the text of
// this migration changes the value and fails the build.
static_assert(create_users.checksum() ==
              "sha256:b34069cd805c41f814c74adb095f8e59c1bacf1f585eedeeb054bfc2897a5d35");

// Line endings and a byte-order mark do not change a checksum; the text does.
static_assert(sp::migration<7, "m">(sp::up("CREATE TABLE t (x);\r\nCREATE TABLE u (y);\r\n"),
                                    sp::irreversible())
                  .checksum() ==
              sp::migration<7, "m">(sp::up("\xEF\xBB\xBF" "CREATE TABLE t (x);\nCREATE TABLE u (y);\n"),
                                    sp::irreversible())
                  .checksum());
static_assert(!(sp::migration<7, "m">(sp::up("CREATE TABLE t (x)"), sp::irreversible()).checksum() ==
                sp::migration<7, "m">(sp::up("CREATE TABLE t (y)"), sp::irreversible()).checksum().view()));
// Version and name are part of what is hashed.
static_assert(!(sp::migration<7, "m">(sp::up("X"), sp::irreversible()).checksum() ==
                sp::migration<8, "m">(sp::up("X"), sp::irreversible()).checksum().view()));
static_assert(!(sp::migration<7, "m">(sp::up("X"), sp::irreversible()).checksum() ==
                sp::migration<7, "n">(sp::up("X"), sp::irreversible()).checksum().view()));
static_assert(!sp::migration<7, "m">(sp::up("X"), sp::irreversible()).down_checksum());

// The hash itself: FIPS 180-2 examples.
static_assert(sp::detail::to_hex(sp::detail::sha256_digest("abc")).view() ==
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
static_assert(sp::detail::to_hex(sp::detail::sha256_digest(
                  "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).view() ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

std::string scratch_file(std::string_view stem) {
  std::string path = "migration_test_" + std::string(stem) + ".db";
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  return path;
}

std::int64_t scalar(sp::database& db, std::string_view sql) {
  return db.prepare(sql).one<std::int64_t>().value_or(-1);
}

using schema_rows = std::vector<std::tuple<std::string, std::string, std::optional<std::string>>>;
schema_rows schema_of(sp::database& db) {
  return db.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
      .all<std::tuple<std::string, std::string, std::optional<std::string>>>();
}

using history_rows = std::vector<std::tuple<std::int64_t, std::string, std::string>>;
history_rows history_of(sp::database& db) {
  return db.prepare("SELECT version, name, checksum FROM sqlproof_migrations ORDER BY version")
      .all<std::tuple<std::int64_t, std::string, std::string>>();
}

constexpr auto base = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        sp::down("DROP TABLE users")),
    sp::migration<2, "seed users">(
        sp::up("INSERT INTO users (name) VALUES ('ann')", "INSERT INTO users (name) VALUES ('bo')"),
        sp::down("DELETE FROM users WHERE name IN ('ann', 'bo')")),
    sp::migration<5, "index users by name">(sp::up("CREATE INDEX users_name ON users(name)"),
                                            sp::down("DROP INDEX users_name")));

}  // namespace

TEST_CASE("the runner checksum equals the compile-time one and the documented encoding",
          "[migration]") {
  sp::database db{":memory:"};
  sp::migrator m{db, sp::migrations(create_users)};
  CHECK(m.migrations()[0].checksum == std::string(create_users.checksum().view()));
  // docs/migrations.md: "up" NUL version NUL name NUL { statement NUL }
  using namespace std::string_literals;
  const std::string encoding = "up\0"s "1\0"s "create users\0"s
                               "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)\0"s;
  CHECK(m.migrations()[0].checksum ==
        "sha256:" + std::string(sp::detail::to_hex(sp::detail::sha256_digest(encoding)).view()));
  CHECK(m.migrations()[0].down_checksum.value_or("").starts_with("sha256:"));
}

TEST_CASE("migrate applies each migration once, with history and user_version", "[migration]") {
  sp::database db{":memory:"};
  sp::migrator m{db, base};
  const sp::migration_report r = m.migrate();
  REQUIRE(r.steps.size() == 3);
  CHECK(r.steps[0].version == 1);
  CHECK(r.steps[2].version == 5);
  CHECK(r.steps[2].name == "index users by name");
  CHECK(r.steps[0].duration.count() >= 0);
  CHECK(r.from_version == 0);
  CHECK(r.to_version == 5);
  CHECK(scalar(db, "PRAGMA user_version") == 5);
  CHECK(scalar(db, "SELECT count(*) FROM users") == 2);
  const auto h = history_of(db);
  REQUIRE(h.size() == 3);
  CHECK(std::get<2>(h[0]) == m.migrations()[0].checksum);
  CHECK(scalar(db, "SELECT count(*) FROM sqlproof_migrations WHERE down_sql IS NOT NULL AND "
                   "applied_at LIKE '____-__-__T__:__:__.___Z' AND duration_ms >= 0") == 3);

  const sp::migration_report again = m.migrate();
  CHECK(again.steps.empty());
  CHECK(scalar(db, "SELECT count(*) FROM users") == 2);
  CHECK(m.verify().ok());
  CHECK(r.text().find("\u2713 1 create users (") != std::string::npos);
  CHECK(r.json().find("\"version\":5,\"name\":\"index users by name\",\"direction\":\"up\"") !=
        std::string::npos);
}

TEST_CASE("a migration failing at its third statement changes nothing", "[migration]") {
  sp::database db{scratch_file("atomic")};
  sp::migrator{db, base}.migrate();
  db.exec_script("INSERT INTO users (name) VALUES ('cy')");
  const auto schema_before = schema_of(db);
  const auto history_before = history_of(db);
  const auto users_before =
      db.prepare("SELECT id, name FROM users ORDER BY id").all<std::tuple<std::int64_t, std::string>>();

  const auto broken = sp::migrations(
      std::get<0>(base.items), std::get<1>(base.items), std::get<2>(base.items),
      sp::migration<6, "three statements">(
          sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER)",
                 "INSERT INTO users (name) VALUES ('dee')",
                 "INSERT INTO no_such_table VALUES (1)"),
          sp::down("DROP TABLE posts")));
  sp::migrator m{db, broken};
  try {
    m.migrate();
    FAIL("migrate() should have thrown");
  } catch (const sp::migration_error& e) {
    CHECK(e.version() == 6);
    CHECK(e.name() == "three statements");
    CHECK(std::string(e.what()).find("statement 3 of 3") != std::string::npos);
    CHECK(std::string(e.sqlite_message()).find("no such table") != std::string::npos);
    CHECK(e.sql() == "INSERT INTO no_such_table VALUES (1)");
  }
  CHECK(schema_of(db) == schema_before);
  CHECK(history_of(db) == history_before);
  CHECK(db.prepare("SELECT id, name FROM users ORDER BY id").all<std::tuple<std::int64_t, std::string>>() ==
        users_before);
  CHECK(scalar(db, "PRAGMA user_version") == 5);
  CHECK_FALSE(db.in_transaction());

  const sp::migration_status s = m.status();
  REQUIRE(s.entries.size() == 4);
  CHECK(s.entries[3].state == sp::migration_state::failed);
  CHECK(s.entries[3].detail.find("no such table") != std::string::npos);
  CHECK(s.text().find("failed") != std::string::npos);
}

TEST_CASE("a parent table rebuilt with foreign_keys off keeps its cascading children",
          "[migration]") {
  sp::database db{":memory:"};  // options{} turns foreign_keys ON
  const auto schema = sp::migrations(
      sp::migration<1, "authors and books">(
          sp::up("CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT)",
                 "CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL "
                 "REFERENCES authors(id) ON DELETE CASCADE, title TEXT)",
                 "INSERT INTO authors VALUES (1, 'le guin'), (2, 'lem')",
                 "INSERT INTO books VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c')"),
          sp::down("DROP TABLE books", "DROP TABLE authors")),
      sp::migration<2, "rebuild authors with NOT NULL name">(
          sp::up("CREATE TABLE authors_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                 "INSERT INTO authors_new SELECT id, name FROM authors",
                 "DROP TABLE authors",
                 "ALTER TABLE authors_new RENAME TO authors"),
          sp::irreversible(), sp::foreign_keys_off));
  sp::migrator m{db, schema};
  m.migrate();
  CHECK(scalar(db, "SELECT count(*) FROM books") == 3);
  CHECK(scalar(db, "PRAGMA foreign_keys") == 1);  // restored
  CHECK(scalar(db, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
  CHECK(scalar(db, "SELECT instr(sql, 'NOT NULL') > 0 FROM sqlite_schema WHERE name = 'authors'") == 1);

  SECTION("without the flag the cascade deletes the children, which is why it exists") {
    sp::database plain{":memory:"};
    const auto no_flag = sp::migrations(
        std::get<0>(schema.items),
        sp::migration<2, "rebuild authors">(
            sp::up("CREATE TABLE authors_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                   "INSERT INTO authors_new SELECT id, name FROM authors", "DROP TABLE authors",
                   "ALTER TABLE authors_new RENAME TO authors"),
            sp::irreversible()));
    sp::migrator{plain, no_flag}.migrate();
    CHECK(scalar(plain, "SELECT count(*) FROM books") == 0);
  }

  SECTION("a rebuild that breaks a reference is refused by foreign_key_check") {
    const auto breaking = sp::migrations(
        std::get<0>(schema.items), std::get<1>(schema.items),
        sp::migration<3, "drop an author">(sp::up("DELETE FROM authors WHERE id = 2"),
                                           sp::irreversible(), sp::foreign_keys_off));
    sp::migrator b{db, breaking};
    try {
      b.migrate();
      FAIL("expected a foreign key violation");
    } catch (const sp::migration_error& e) {
      CHECK(e.version() == 3);
      CHECK(std::string(e.what()).find("foreign key violation") != std::string::npos);
    }
    CHECK(scalar(db, "SELECT count(*) FROM authors") == 2);
    CHECK(scalar(db, "PRAGMA user_version") == 2);
    CHECK(scalar(db, "PRAGMA foreign_keys") == 1);  // restored on the failure path too
  }
}

TEST_CASE("an edited up text is refused with both checksums; repair accepts it",
          "[migration]") {
  sp::database db{":memory:"};
  sp::migrator{db, base}.migrate();

  // The same migration saved with CRLF line endings is not an edit.
  const auto crlf = sp::migrations(
      sp::migration<1, "create users">(
          sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
          sp::down("DROP TABLE users")),
      sp::migration<2, "seed users">(sp::up("INSERT INTO users (name) VALUES ('ann')",
                                            "INSERT INTO users (name) VALUES ('bo')"),
                                     sp::down("DELETE FROM users WHERE name IN ('ann', 'bo')")),
      sp::migration<5, "index users by name">(sp::up("CREATE INDEX users_name\r\nON users(name)"),
                                              sp::down("DROP INDEX users_name")));
  const auto lf = sp::migrations(
      std::get<0>(crlf.items), std::get<1>(crlf.items),
      sp::migration<5, "index users by name">(sp::up("CREATE INDEX users_name\nON users(name)"),
                                              sp::down("DROP INDEX users_name")));
  CHECK(sp::migrator{db, crlf}.migrations()[2].checksum == sp::migrator{db, lf}.migrations()[2].checksum);

  const auto edited = sp::migrations(
      std::get<0>(base.items),
      sp::migration<2, "seed users">(sp::up("INSERT INTO users (name) VALUES ('ann')",
                                            "INSERT INTO users (name) VALUES ('bob')"),
                                     sp::down("DELETE FROM users WHERE name IN ('ann', 'bob')")),
      std::get<2>(base.items),
      sp::migration<6, "more">(sp::up("CREATE TABLE more (x)"), sp::down("DROP TABLE more")));
  sp::migrator m{db, edited};
  const std::string stored = std::get<2>(history_of(db)[1]);
  const std::string computed = m.migrations()[1].checksum;
  REQUIRE(stored != computed);
  try {
    m.migrate();
    FAIL("expected checksum_mismatch_error");
  } catch (const sp::checksum_mismatch_error& e) {
    const std::string what = e.what();
    CHECK(e.version() == 2);
    CHECK(e.name() == "seed users");
    CHECK(e.stored() == stored);
    CHECK(e.computed() == computed);
    CHECK(what.find("migration 2 'seed users'") != std::string::npos);
    CHECK(what.find(stored) != std::string::npos);
    CHECK(what.find(computed) != std::string::npos);
    CHECK(what.find("repair(2)") != std::string::npos);
  }
  CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'more'") == 0);
  CHECK(m.status().entries[1].state == sp::migration_state::modified);
  CHECK_FALSE(m.verify().ok());

  const sp::repair_result fixed = m.repair(2);
  CHECK(fixed.changed);
  CHECK(fixed.previous_checksum == stored);
  CHECK(fixed.checksum == computed);
  CHECK(scalar(db, "SELECT count(*) FROM sqlproof_migration_events WHERE event = 'repaired' AND "
                   "version = 2 AND instr(detail, '" + stored + "') > 0") == 1);
  CHECK_FALSE(m.repair(2).changed);
  const auto r = m.migrate();
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].version == 6);
  CHECK(m.verify().ok());
}

TEST_CASE("a changed down text is a warning, not an error", "[migration]") {
  sp::database db{":memory:"};
  sp::migrator{db, base}.migrate();
  const auto changed_down = sp::migrations(
      std::get<0>(base.items), std::get<1>(base.items),
      sp::migration<5, "index users by name">(sp::up("CREATE INDEX users_name ON users(name)"),
                                              sp::down("DROP INDEX IF EXISTS users_name")));
  sp::migrator m{db, changed_down};
  const auto r = m.migrate();
  CHECK(r.steps.empty());
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].find("migration 5 'index users by name': its down text changed") !=
        std::string::npos);
  const auto v = m.verify();
  CHECK(v.ok());
  CHECK(v.warnings.size() == 1);
  CHECK(m.status().entries[2].down_modified);
}

TEST_CASE("a database ahead of the program is refused; rollback reverts it from stored SQL",
          "[migration]") {
  sp::database db{":memory:"};
  sp::migrator{db, base}.migrate();
  const auto older = sp::migrations(std::get<0>(base.items), std::get<1>(base.items));
  sp::migrator m{db, older};
  CHECK_THROWS_AS(m.migrate(), sp::future_version_error);
  const auto s = m.status();
  REQUIRE(s.entries.size() == 3);
  CHECK(s.entries[2].state == sp::migration_state::future);
  CHECK(s.json().find("\"state\":\"future\"") != std::string::npos);
  CHECK_FALSE(m.verify().ok());

  const auto r = m.rollback(1);  // uses the DROP INDEX stored when version 5 was applied
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].version == 5);
  CHECK(r.steps[0].direction == sp::migration_direction::down);
  CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'users_name'") == 0);
  CHECK(scalar(db, "PRAGMA user_version") == 2);
  CHECK(m.verify().ok());

  sp::migrator allowing{db, sp::migrations(std::get<0>(base.items)), {.allow_newer_database = true}};
  CHECK_NOTHROW(allowing.migrate());
}

TEST_CASE("migrate_to, rollback and redo move in both directions", "[migration]") {
  sp::database db{":memory:"};
  sp::migrator m{db, base};
  CHECK(m.migrate_to(2).steps.size() == 2);
  CHECK(scalar(db, "PRAGMA user_version") == 2);
  CHECK(m.status().entries[2].state == sp::migration_state::pending);
  CHECK_THROWS_AS(m.migrate_to(3), sp::unknown_version_error);

  m.migrate();
  const auto back = m.migrate_to(1);
  REQUIRE(back.steps.size() == 2);
  CHECK(back.steps[0].version == 5);
  CHECK(back.steps[1].version == 2);
  CHECK(scalar(db, "SELECT count(*) FROM users") == 0);
  CHECK(scalar(db, "PRAGMA user_version") == 1);

  const auto redo = m.redo();
  REQUIRE(redo.steps.size() == 2);
  CHECK(redo.steps[0].direction == sp::migration_direction::down);
  CHECK(redo.steps[1].direction == sp::migration_direction::up);
  CHECK(redo.steps[1].version == 1);

  m.migrate();
  CHECK(m.rollback(10).steps.size() == 3);
  CHECK(scalar(db, "PRAGMA user_version") == 0);
  CHECK(scalar(db, "SELECT count(*) FROM sqlproof_migrations") == 0);
  CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'users'") == 0);
}

TEST_CASE("an irreversible migration cannot be rolled back", "[migration]") {
  sp::database db{":memory:"};
  const auto schema = sp::migrations(
      sp::migration<1, "t">(sp::up("CREATE TABLE t (x)"), sp::down("DROP TABLE t")),
      sp::migration<2, "drop data">(sp::up("DELETE FROM t"), sp::irreversible()));
  sp::migrator m{db, schema};
  m.migrate();
  CHECK_THROWS_AS(m.rollback(2), sp::missing_down_error);
  CHECK(scalar(db, "PRAGMA user_version") == 2);
}

TEST_CASE("dry_run applies, reports and rolls back", "[migration]") {
  sp::database db{":memory:"};
  sp::migrator{db, sp::migrations(std::get<0>(base.items))}.migrate();
  const auto before = schema_of(db);
  sp::migrator m{db, base};
  const auto r = m.dry_run();
  CHECK(r.dry_run);
  REQUIRE(r.steps.size() == 2);
  CHECK(r.steps[0].version == 2);
  CHECK(r.to_version == 5);
  CHECK(schema_of(db) == before);
  CHECK(scalar(db, "PRAGMA user_version") == 1);
  CHECK(scalar(db, "SELECT count(*) FROM users") == 0);
  CHECK(r.text().find("dry run") != std::string::npos);
}

TEST_CASE("baseline records without running; out-of-order versions are refused",
          "[migration]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  sp::migrator m{db, base};
  const auto r = m.baseline(2);
  REQUIRE(r.steps.size() == 2);
  CHECK_FALSE(r.steps[0].executed);
  CHECK(scalar(db, "SELECT count(*) FROM users") == 0);  // the seed did not run
  CHECK(scalar(db, "PRAGMA user_version") == 2);
  CHECK(m.status().entries[0].baseline);
  CHECK_THROWS_AS(m.baseline(2), sp::migration_error);
  CHECK(m.migrate().steps.size() == 1);

  const auto inserted = sp::migrations(
      std::get<0>(base.items), std::get<1>(base.items),
      sp::migration<3, "late">(sp::up("CREATE TABLE late (x)"), sp::down("DROP TABLE late")),
      std::get<2>(base.items));
  sp::migrator late{db, inserted};
  CHECK_THROWS_AS(late.migrate(), sp::migration_error);
  CHECK_FALSE(late.verify().ok());
}

TEST_CASE("reset backs up, drops everything and migrates again", "[migration]") {
  const std::string path = scratch_file("reset");
  sp::database db{path};
  sp::migrator m{db, base};
  m.migrate();
  db.exec_script("INSERT INTO users (name) VALUES ('extra'); CREATE TABLE stray (x)");
  const auto r = m.reset();
  REQUIRE_FALSE(r.backup_path.empty());
  CHECK(r.backup_path.starts_with(path + ".bak-"));
  CHECK(r.steps.size() == 3);
  CHECK(scalar(db, "SELECT count(*) FROM users") == 2);
  CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'stray'") == 0);
  CHECK(m.verify().ok());
  {
    sp::database backup{r.backup_path};
    CHECK(scalar(backup, "SELECT count(*) FROM users") == 3);
    CHECK(scalar(backup, "SELECT count(*) FROM sqlite_schema WHERE name = 'stray'") == 1);
  }
  std::filesystem::remove(r.backup_path);
}

TEST_CASE("backup file names carry the UTC date and time", "[migration]") {
  using sp::detail::civil_from_days;
  const auto date = [](long long days) {
    const auto d = civil_from_days(days);
    return std::tuple{d.year, d.month, d.day};
  };
  CHECK(date(0) == std::tuple{1970LL, 1U, 1U});
  CHECK(date(-1) == std::tuple{1969LL, 12U, 31U});
  CHECK(date(11016) == std::tuple{2000LL, 2U, 29U});
  CHECK(date(11017) == std::tuple{2000LL, 3U, 1U});
  CHECK(date(19844) == std::tuple{2024LL, 5U, 1U});
  CHECK(date(-719468) == std::tuple{0LL, 3U, 1U});
  // "20240501T101500.123Z": the date, T, the time of day, milliseconds, Z.
  const std::string stamp = sp::detail::backup_timestamp();
  REQUIRE(stamp.size() == 20);
  CHECK(stamp[8] == 'T');
  CHECK(stamp[15] == '.');
  CHECK(stamp[19] == 'Z');
  CHECK(std::all_of(stamp.begin(), stamp.begin() + 8, [](char c) { return c >= '0' && c <= '9'; }));
  CHECK(stamp.substr(0, 2) == "20");
}

TEST_CASE("an outside_transaction migration runs statements SQLite refuses in a transaction",
          "[migration]") {
  sp::database db{scratch_file("outside")};
  const auto schema = sp::migrations(
      sp::migration<1, "t">(sp::up("CREATE TABLE t (x)"), sp::down("DROP TABLE t")),
      sp::migration<2, "wal and vacuum">(sp::up("PRAGMA journal_mode = WAL", "VACUUM"),
                                         sp::down("PRAGMA journal_mode = DELETE"),
                                         sp::outside_transaction));
  sp::migrator m{db, schema};
  CHECK(m.migrate().steps.size() == 2);
  CHECK(db.prepare("PRAGMA journal_mode").one<std::string>() == "wal");
  CHECK(scalar(db, "PRAGMA user_version") == 2);
  CHECK(m.verify().ok());
  const auto dry = m.rollback(1);
  CHECK(dry.steps.size() == 1);
  CHECK(db.prepare("PRAGMA journal_mode").one<std::string>() == "delete");

  const auto r = m.dry_run();
  REQUIRE(r.steps.size() == 1);
  CHECK_FALSE(r.steps[0].executed);
  CHECK(db.prepare("PRAGMA journal_mode").one<std::string>() == "delete");
}

TEST_CASE("the runner refuses to run inside a transaction", "[migration]") {
  sp::database db{":memory:"};
  sp::migrator m{db, base};
  auto tx = db.begin();
  CHECK_THROWS_AS(m.migrate(), sp::misuse_error);
  tx.rollback();
  CHECK(m.migrate().steps.size() == 3);
}

TEST_CASE("status lists missing migrations and renders a table", "[migration]") {
  sp::database db{":memory:"};
  sp::migrator{db, base}.migrate();
  const auto without_two = sp::migrations(std::get<0>(base.items), std::get<2>(base.items));
  sp::migrator m{db, without_two};
  const auto s = m.status();
  REQUIRE(s.entries.size() == 3);
  CHECK(s.entries[1].state == sp::migration_state::missing);
  CHECK(s.count(sp::migration_state::applied) == 2);
  const std::string text = s.text();
  CHECK(text.find("\u2713        1  create users") != std::string::npos);
  CHECK(text.find("missing") != std::string::npos);
  CHECK(text.find("user_version 5: 2 applied, 0 pending, 1 missing") != std::string::npos);
  CHECK_THROWS_AS(m.migrate(), sp::migration_error);
}

namespace {

// The state a failed migration must leave untouched.
struct database_state {
  schema_rows schema;
  history_rows history;
  std::int64_t user_version = 0;
  std::vector<std::tuple<std::int64_t, std::string>> users;
  bool operator==(const database_state&) const = default;
};

database_state state_of(sp::database& db) {
  return {schema_of(db), history_of(db), scalar(db, "PRAGMA user_version"),
          db.prepare("SELECT id, name FROM users ORDER BY id")
              .all<std::tuple<std::int64_t, std::string>>()};
}

// `base` plus migration 6 with the given up text, and a correct migration 7.
template <class Up>
auto base_and_six(Up up) {
  return sp::migrations(
      std::get<0>(base.items), std::get<1>(base.items), std::get<2>(base.items),
      sp::migration<6, "posts">(up, sp::down("DROP TABLE posts")),
      sp::migration<7, "tags">(sp::up("CREATE TABLE tags (id INTEGER PRIMARY KEY)"),
                               sp::down("DROP TABLE tags")));
}

}  // namespace

TEST_CASE("a migration whose SQL ends the runner's transaction is refused and changes nothing",
          "[migration]") {
  struct example {
    const char* label;
    sp::up_sql<2> up;
    std::string_view verb;
    std::string_view statement;  // as the error names it
    std::size_t position;        // of the string holding it
  };
  const example examples[] = {
      {"COMMIT", sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY); COMMIT;",
                        "INSERT INTO users (name) VALUES ('dee')"),
       "COMMIT", "COMMIT;", 1},
      {"END", sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY)",
                     "INSERT INTO users (name) VALUES ('dee');\n-- done\nEND TRANSACTION"),
       "END", "-- done\nEND TRANSACTION", 2},
      {"ROLLBACK", sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY); rollback",
                          "INSERT INTO users (name) VALUES ('dee')"),
       "ROLLBACK", "rollback", 1},
      {"COMMIT then a failing statement",
       sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY); INSERT INTO users (name) VALUES "
              "('dee'); COMMIT",
              "INSERT INTO no_such_table VALUES (1)"),
       "COMMIT", "COMMIT", 1},
      {"BEGIN", sp::up("BEGIN IMMEDIATE; CREATE TABLE posts (id INTEGER PRIMARY KEY)",
                       "INSERT INTO users (name) VALUES ('dee')"),
       "BEGIN", "BEGIN IMMEDIATE;", 1},
  };
  for (const example& x : examples) {
    DYNAMIC_SECTION(x.label) {
      sp::database db{scratch_file("tx_control")};
      sp::migrator{db, base}.migrate();
      const database_state before = state_of(db);

      sp::migrator m{db, base_and_six(x.up)};
      CHECK_THROWS_AS(m.dry_run(), sp::migration_error);
      CHECK(state_of(db) == before);
      try {
        m.migrate();
        FAIL("migrate() should have thrown");
      } catch (const sp::migration_error& e) {
        CHECK(e.version() == 6);
        CHECK(e.name() == "posts");
        const std::string what = e.what();
        CHECK(what.find("cannot apply migration 6 'posts': statement " +
                        std::to_string(x.position) + " of 2 runs " + std::string(x.verb) +
                        ", which would end the transaction") != std::string::npos);
        CHECK(std::string(e.sql()) == std::string(sp::detail::statement_text(x.statement)));
      }
      CHECK(state_of(db) == before);
      CHECK_FALSE(db.in_transaction());
      CHECK(m.verify().ok());
      CHECK(m.status().entries.at(3).state == sp::migration_state::failed);

      // The same program with the statement removed migrates.
      sp::migrator fixed{db, base_and_six(sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY)",
                                                 "INSERT INTO users (name) VALUES ('dee')"))};
      CHECK(fixed.migrate().steps.size() == 2);
      CHECK(scalar(db, "PRAGMA user_version") == 7);
      CHECK(scalar(db, "SELECT count(*) FROM posts") == 0);
      CHECK(scalar(db, "SELECT count(*) FROM users WHERE name = 'dee'") == 1);
      CHECK(fixed.verify().ok());
    }
  }
}

TEST_CASE("savepoints of a migration's own nest inside the runner's transaction",
          "[migration]") {
  sp::database db{":memory:"};
  sp::migrator{db, base}.migrate();
  sp::migrator m{db, base_and_six(sp::up(
      "SAVEPOINT a; CREATE TABLE posts (id INTEGER PRIMARY KEY); INSERT INTO users (name) "
      "VALUES ('dee'); ROLLBACK TRANSACTION TO SAVEPOINT a; RELEASE a",
      "SAVEPOINT b; CREATE TABLE posts (id INTEGER PRIMARY KEY); RELEASE SAVEPOINT b"))};
  CHECK(m.migrate().steps.size() == 2);
  CHECK(scalar(db, "SELECT count(*) FROM users WHERE name = 'dee'") == 0);
  CHECK(scalar(db, "SELECT count(*) FROM posts") == 0);
  CHECK(m.verify().ok());
}

TEST_CASE("a down step that ends the runner's transaction is refused and reverts nothing",
          "[migration]") {
  sp::database db{scratch_file("tx_control_down")};
  const auto schema = sp::migrations(
      std::get<0>(base.items), std::get<1>(base.items),
      sp::migration<3, "posts">(sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY)"),
                                sp::down("DROP TABLE posts; COMMIT", "DROP TABLE users")));
  sp::migrator m{db, schema};
  m.migrate();
  const database_state before = state_of(db);
  try {
    m.rollback(1);
    FAIL("rollback() should have thrown");
  } catch (const sp::migration_error& e) {
    CHECK(e.version() == 3);
    CHECK(std::string(e.what()).find("cannot revert migration 3 'posts': statement 1 of 2 runs "
                                     "COMMIT") != std::string::npos);
    CHECK(e.sql() == "COMMIT");
  }
  CHECK(state_of(db) == before);
  CHECK(scalar(db, "SELECT count(*) FROM posts") == 0);
  CHECK_FALSE(db.in_transaction());
  CHECK(m.verify().ok());
}

TEST_CASE("an outside_transaction migration must end the transactions it begins",
          "[migration]") {
  sp::database db{scratch_file("tx_control_outside")};
  sp::migrator{db, base}.migrate();
  const auto grouped = sp::migrations(
      std::get<0>(base.items), std::get<1>(base.items), std::get<2>(base.items),
      sp::migration<6, "grouped">(sp::up("BEGIN; CREATE TABLE posts (id INTEGER PRIMARY KEY)",
                                         "INSERT INTO posts VALUES (1); COMMIT"),
                                  sp::down("DROP TABLE posts"), sp::outside_transaction));
  CHECK(sp::migrator{db, grouped}.migrate().steps.size() == 1);
  CHECK(scalar(db, "SELECT count(*) FROM posts") == 1);
  CHECK(scalar(db, "PRAGMA user_version") == 6);

  const auto left_open = sp::migrations(
      std::get<0>(base.items), std::get<1>(base.items), std::get<2>(base.items),
      std::get<3>(grouped.items),
      sp::migration<7, "left open">(sp::up("BEGIN; CREATE TABLE tags (id INTEGER PRIMARY KEY)"),
                                    sp::down("DROP TABLE tags"), sp::outside_transaction));
  sp::migrator m{db, left_open};
  try {
    m.migrate();
    FAIL("migrate() should have thrown");
  } catch (const sp::migration_error& e) {
    CHECK(e.version() == 7);
    CHECK(std::string(e.what()).find("left a transaction open") != std::string::npos);
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'tags'") == 0);
  CHECK(scalar(db, "PRAGMA user_version") == 6);
  CHECK(scalar(db, "SELECT count(*) FROM sqlproof_migrations WHERE version = 7") == 0);

  const auto failing = sp::migrations(
      std::get<0>(base.items), std::get<1>(base.items), std::get<2>(base.items),
      std::get<3>(grouped.items),
      sp::migration<7, "fails">(sp::up("BEGIN; CREATE TABLE tags (id INTEGER PRIMARY KEY)",
                                       "INSERT INTO no_such_table VALUES (1); COMMIT"),
                                sp::down("DROP TABLE tags"), sp::outside_transaction));
  CHECK_THROWS_AS(sp::migrator(db, failing).migrate(), sp::migration_error);
  CHECK_FALSE(db.in_transaction());
  CHECK(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'tags'") == 0);
  CHECK(scalar(db, "PRAGMA user_version") == 6);
}

TEST_CASE("transaction_verb finds the statements that begin or end a transaction",
          "[migration]") {
  using sp::detail::transaction_verb;
  STATIC_REQUIRE(transaction_verb("COMMIT") == "COMMIT");
  STATIC_REQUIRE(transaction_verb("  /* x */ -- y\n commit transaction;") == "COMMIT");
  STATIC_REQUIRE(transaction_verb("END") == "END");
  STATIC_REQUIRE(transaction_verb("Begin Exclusive Transaction") == "BEGIN");
  STATIC_REQUIRE(transaction_verb("ROLLBACK") == "ROLLBACK");
  STATIC_REQUIRE(transaction_verb("ROLLBACK TRANSACTION t") == "ROLLBACK");
  STATIC_REQUIRE(transaction_verb("ROLLBACK TRANSACTION \"to\"") == "ROLLBACK");
  STATIC_REQUIRE(transaction_verb("ROLLBACK TO a").empty());
  STATIC_REQUIRE(transaction_verb("rollback transaction t to savepoint a").empty());
  STATIC_REQUIRE(transaction_verb("SAVEPOINT a").empty());
  STATIC_REQUIRE(transaction_verb("RELEASE a").empty());
  STATIC_REQUIRE(transaction_verb("EXPLAIN COMMIT").empty());
  STATIC_REQUIRE(transaction_verb("CREATE TRIGGER t AFTER INSERT ON u BEGIN SELECT 1; END").empty());
  STATIC_REQUIRE(transaction_verb("INSERT INTO \"commit\" VALUES (1)").empty());
}
