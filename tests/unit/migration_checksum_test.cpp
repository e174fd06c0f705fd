// Migration checksums stay what they were before migrations learnt PostgreSQL: the values
// below were computed by sqlproof before per-dialect text existed, for migrations of every
// shape (several statements, outside_transaction, foreign_keys_off, irreversible, CRLF and a
// byte-order mark, the highest version, a run-time list). Adding a PostgreSQL text or
// `portable` to a migration leaves its SQLite checksum alone; the PostgreSQL text's checksum
// adds "postgres" after "up" and is pinned too.

#include <sqlproof/migration.hpp>

#include <string>

#include "../catch.hpp"

namespace sp = sqlproof;

namespace {

constexpr auto pinned = sp::migrations(
    sp::migration<1, "create users">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        sp::down("DROP TABLE users")),
    sp::migration<2, "seed">(sp::up("INSERT INTO users (name) VALUES ('ann')",
                                    "INSERT INTO users (name) VALUES ('bo')"),
                             sp::down("DELETE FROM users")),
    sp::migration<3, "wal">(sp::up("PRAGMA journal_mode = WAL"),
                            sp::down("PRAGMA journal_mode = DELETE"), sp::outside_transaction),
    sp::migration<4, "rebuild">(sp::up("CREATE TABLE u2 (x)", "DROP TABLE users"),
                                sp::irreversible(), sp::foreign_keys_off),
    sp::migration<2147483647, "crlf \xC3\xA9">(sp::up("\xEF\xBB\xBFSELECT 1;\r\nSELECT 2;\r\n"),
                                               sp::down("")));

struct expected_sums {
  const char* up;
  const char* down;  // nullptr: irreversible
};
constexpr expected_sums before_postgres[] = {
    {"sha256:b34069cd805c41f814c74adb095f8e59c1bacf1f585eedeeb054bfc2897a5d35",
     "sha256:28ee0d6fddea6ddafcfab38f27eea356c030ccc99ab579672b407a6e39834f54"},
    {"sha256:cac5a90620245cf0dfa45d119f32e3a233711145d05f2cadd5c475cbbe9bdc31",
     "sha256:dbcc8b275eefc521177a150583568a6c0cb691a295ac1825e16f26a8b79c2821"},
    {"sha256:2fe6338f8cefb79bf02ddcc2dd6997656306dd7858654ca0f04b6216b55de125",
     "sha256:f7946d6f47c963ab1c9f3df2bed5fc1a3be6ba19a86e3437ef2271641089b35f"},
    {"sha256:3125aaa5677055f2fa6ff432f67454648ead86b2df3930974eedfbe5f9836e53", nullptr},
    {"sha256:6003e0cf8c60c55502d5132406c987fa03bfa71696aa14de2f7e9df1e053a2ed",
     "sha256:74fd5913ff30f5f001feead0a3813e5220b12efe0941acfdb9e6285185eb7cb2"},
};

static_assert(std::get<0>(pinned.items).checksum() == before_postgres[0].up);
static_assert(std::get<1>(pinned.items).checksum() == before_postgres[1].up);
static_assert(std::get<2>(pinned.items).checksum() == before_postgres[2].up);
static_assert(std::get<3>(pinned.items).checksum() == before_postgres[3].up);
static_assert(std::get<4>(pinned.items).checksum() == before_postgres[4].up);
static_assert(*std::get<0>(pinned.items).down_checksum() == before_postgres[0].down);
static_assert(!std::get<3>(pinned.items).down_checksum());

// The same migration with a PostgreSQL text, or marked portable: its SQLite checksums stay.
constexpr auto with_postgres = sp::migration<1, "create users">(
    sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
    sp::down("DROP TABLE users"),
    sp::up_for<sp::dialect::postgres>(
        "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)"),
    sp::down_for<sp::dialect::postgres>("DROP TABLE users"));
constexpr auto marked_portable = sp::migration<1, "create users">(
    sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
    sp::down("DROP TABLE users"), sp::portable);
static_assert(with_postgres.checksum() == before_postgres[0].up);
static_assert(*with_postgres.down_checksum() == before_postgres[0].down);
static_assert(with_postgres.checksum_for<sp::dialect::sqlite>() == before_postgres[0].up);
static_assert(marked_portable.checksum() == before_postgres[0].up);
static_assert(marked_portable.checksum_for<sp::dialect::postgres>() == before_postgres[0].up);
// The PostgreSQL text's own: "up" NUL "postgres" NUL version NUL name NUL { statement NUL }.
constexpr char postgres_encoding[] =
    "up\0postgres\0" "1\0create users\0"
    "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)\0";
static_assert(with_postgres.checksum_for<sp::dialect::postgres>().view().substr(7) ==
              sp::detail::to_hex(sp::detail::sha256_digest(
                                     std::string_view(postgres_encoding, sizeof postgres_encoding - 1)))
                  .view());

}  // namespace

TEST_CASE("the runner stores the checksums sqlproof computed before PostgreSQL", "[migration]") {
  sp::database db{":memory:"};
  sp::migrator m{db, pinned};
  REQUIRE(m.migrations().size() == 5);
  for (std::size_t i = 0; i != 5; ++i) {
    INFO("migration " << m.migrations()[i].version);
    CHECK(m.migrations()[i].checksum == before_postgres[i].up);
    if (before_postgres[i].down == nullptr) {
      CHECK_FALSE(m.migrations()[i].down_checksum);
    } else {
      CHECK(m.migrations()[i].down_checksum.value_or("") == before_postgres[i].down);
    }
  }
  m.migrate_to(2);
  CHECK(db.prepare("SELECT checksum FROM sqlproof_migrations ORDER BY version").all<std::string>() ==
        std::vector<std::string>{before_postgres[0].up, before_postgres[1].up});

  // A database migrated before the change verifies against the program after it.
  sp::migrator again{db, sp::migrations(with_postgres, std::get<1>(pinned.items))};
  CHECK(again.verify().ok());
}

TEST_CASE("a run-time list keeps its checksums, with and without PostgreSQL text",
          "[migration]") {
  sp::runtime_migration_list list;
  list.add({9, "runtime", {"CREATE TABLE r (x)", "CREATE INDEX r_x ON r(x)"}, {"DROP TABLE r"}, true,
            sp::migration_flags::outside_transaction});
  list.add(10, "with postgres", sp::up("CREATE TABLE s (x BLOB)"), sp::down("DROP TABLE s"),
           sp::up_for<sp::dialect::postgres>("CREATE TABLE s (x bytea)"),
           sp::down_for<sp::dialect::postgres>("DROP TABLE s"));
  REQUIRE(list.size() == 2);
  CHECK(list.migrations()[0].checksum ==
        "sha256:1cc595979b84d9a973c363b6e918d67f2e126d7bef163a37c3ef98938f07e26a");
  CHECK(list.migrations()[0].down_checksum.value_or("") ==
        "sha256:24eb7519ba2a4f40ceeff21ca8bbdf4d3ba311c3d8ed63499a37d4c393838f8c");
  // Migration 9 has no PostgreSQL text and is not portable: a PostgreSQL runner refuses it.
  CHECK(list.first_without_text(sp::dialect::postgres) == &list.migrations()[0]);
  CHECK(list.first_without_text(sp::dialect::sqlite) == nullptr);
  // Migration 10's checksums per dialect equal the compile-time ones.
  constexpr auto same = sp::migration<10, "with postgres">(
      sp::up("CREATE TABLE s (x BLOB)"), sp::down("DROP TABLE s"),
      sp::up_for<sp::dialect::postgres>("CREATE TABLE s (x bytea)"),
      sp::down_for<sp::dialect::postgres>("DROP TABLE s"));
  CHECK(list.migrations()[1].checksum == std::string(same.checksum().view()));
  CHECK(list.migrations(sp::dialect::postgres)[1].checksum ==
        std::string(same.checksum_for<sp::dialect::postgres>().view()));
  CHECK(list.migrations(sp::dialect::postgres)[1].up.at(0) == "CREATE TABLE s (x bytea)");
}
