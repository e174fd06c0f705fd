// Tests for include/sqlproof/cli.hpp: every command, --json, the exit codes scripts rely on,
// and the readable output (✓ per migration with its timing, a total).

#include <sqlproof/cli.hpp>

#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "../catch.hpp"

namespace sp = sqlproof;

namespace {

constexpr auto schema = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        sp::down("DROP TABLE users")),
    sp::migration<2, "create posts">(sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY)"),
                                     sp::down("DROP TABLE posts")),
    sp::migration<3, "index users">(sp::up("CREATE INDEX users_name ON users(name)"),
                                    sp::down("DROP INDEX users_name")));

struct outcome {
  int code;
  std::string out;
  std::string err;
};

template <class List>
outcome run(sp::database& db, const List& list, std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"app"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out;
  std::ostringstream err;
  const int code = sp::cli::run(static_cast<int>(argv.size()), argv.data(), db, list, out, err);
  return {code, out.str(), err.str()};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::int64_t user_version(sp::database& db) {
  return db.prepare("PRAGMA user_version").one<std::int64_t>().value_or(-1);
}

}  // namespace

TEST_CASE("cli: status, up, down, to, redo, verify", "[cli]") {
  sp::database db{":memory:"};

  auto r = run(db, schema, {});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "\u00b7        1  create users"));
  CHECK(contains(r.out, "0 applied, 3 pending"));

  r = run(db, schema, {"up"});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "\u2713 1 create users ("));
  CHECK(contains(r.out, " ms)\n"));
  CHECK(contains(r.out, "ran 3 migrations in "));
  CHECK(contains(r.out, "database at version 3"));
  CHECK(user_version(db) == 3);

  r = run(db, schema, {"status"});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "\u2713        3  index users"));
  CHECK(contains(r.out, "3 applied, 0 pending"));

  r = run(db, schema, {"down", "2"});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "reverted 2 migrations"));
  CHECK(user_version(db) == 1);

  r = run(db, schema, {"to", "2"});
  CHECK(r.code == sp::cli::success);
  CHECK(user_version(db) == 2);

  r = run(db, schema, {"redo"});
  CHECK(r.code == sp::cli::success);
  CHECK(user_version(db) == 2);

  r = run(db, schema, {"verify"});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "verified: 2 applied, 1 pending"));

  r = run(db, schema, {"dry-run"});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "dry run: ran 1 migration"));
  CHECK(user_version(db) == 2);
}

TEST_CASE("cli: --json output parses as the documented shapes", "[cli]") {
  sp::database db{":memory:"};
  auto r = run(db, schema, {"--json", "up"});
  CHECK(r.code == sp::cli::success);
  CHECK(r.out.starts_with("{\"dry_run\":false,\"from_version\":0,\"to_version\":3,"));
  CHECK(contains(r.out, "{\"version\":1,\"name\":\"create users\",\"direction\":\"up\",\"duration_ms\":"));

  r = run(db, schema, {"status", "--json"});
  CHECK(r.code == sp::cli::success);
  CHECK(r.out.starts_with("{\"user_version\":3,\"migrations\":[{\"version\":1,\"name\":\"create users\",\"state\":\"applied\""));

  r = run(db, schema, {"--json", "verify"});
  CHECK(r.out.starts_with("{\"ok\":true,\"applied\":3,\"pending\":0"));

  r = run(db, schema, {"--json", "to", "9"});
  CHECK(r.code == sp::cli::usage);
  CHECK(r.out.starts_with("{\"error\":"));
  CHECK(contains(r.out, "\"kind\":\"unknown_version\",\"exit_code\":2}"));
}

TEST_CASE("cli: exit codes for usage errors, drift and failures", "[cli]") {
  sp::database db{":memory:"};
  CHECK(run(db, schema, {"sideways"}).code == sp::cli::usage);
  CHECK(run(db, schema, {"down", "x"}).code == sp::cli::usage);
  CHECK(run(db, schema, {"to"}).code == sp::cli::usage);
  auto help = run(db, schema, {"help"});
  CHECK(help.code == sp::cli::success);
  CHECK(contains(help.out, "down [n]"));
  auto bad = run(db, schema, {"baseline"});
  CHECK(bad.code == sp::cli::usage);
  CHECK(contains(bad.err, "usage: app"));

  REQUIRE(run(db, schema, {"up"}).code == sp::cli::success);

  const auto edited = sp::migrations(
      std::get<0>(schema.items),
      sp::migration<2, "create posts">(
          sp::up("CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT)"),
          sp::down("DROP TABLE posts")),
      std::get<2>(schema.items));
  auto r = run(db, edited, {"up"});
  CHECK(r.code == sp::cli::mismatch);
  CHECK(contains(r.err, "migration 2 'create posts' was changed after it was applied"));
  CHECK(run(db, edited, {"verify"}).code == sp::cli::mismatch);
  CHECK(run(db, edited, {"status"}).code == sp::cli::mismatch);

  r = run(db, edited, {"repair", "2"});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "repaired 2 create posts: sha256:"));
  CHECK(run(db, edited, {"verify"}).code == sp::cli::success);

  const auto older = sp::migrations(std::get<0>(schema.items));
  r = run(db, older, {"up"});
  CHECK(r.code == sp::cli::mismatch);
  CHECK(contains(r.err, "ahead of this program"));
  CHECK(run(db, older, {"down", "2"}).code == sp::cli::success);  // stored down SQL
  CHECK(user_version(db) == 1);

  const auto failing = sp::migrations(
      std::get<0>(schema.items),
      sp::migration<2, "broken">(sp::up("CREATE TABLE oops (x)", "SELECT * FROM nowhere"),
                                 sp::down("DROP TABLE oops")));
  r = run(db, failing, {"up"});
  CHECK(r.code == sp::cli::failure);
  CHECK(contains(r.err, "statement 2 of 2 failed"));
  CHECK(contains(run(db, failing, {"status"}).out, "failed"));
}

TEST_CASE("cli: baseline and reset", "[cli]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  auto r = run(db, schema, {"baseline", "1"});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "- 1 create users (recorded, not run)"));
  CHECK(run(db, schema, {"up"}).code == sp::cli::success);
  CHECK(user_version(db) == 3);

  r = run(db, schema, {"reset"});
  CHECK(r.code == sp::cli::success);
  CHECK(contains(r.out, "ran 3 migrations"));
  CHECK(user_version(db) == 3);
}
