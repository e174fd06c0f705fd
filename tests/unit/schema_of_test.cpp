// schema_of<migrations>: the tables the compiler derives from the migrations' DDL, queries
// checked against them that run on a database the same migrations built, the derived schema
// compared with what SQLite reports, and mappings checked against it.
#include <sqlproof/schema_of.hpp>
#include <sqlproof/sqlproof.hpp>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../catch.hpp"

namespace sp = sqlproof;
using sp::detail::column_info;
using sp::detail::table_info;
using sp::value_family;

namespace {

// Every DDL form the replay follows, applied by the migrator in the tests below.
constexpr auto migrations = sp::migrations(
    sp::migration<1, "create tables">(
        sp::up("CREATE TABLE users (\n"
               "  id INTEGER PRIMARY KEY,\n"
               "  name TEXT NOT NULL,\n"
               "  email VARCHAR(80) UNIQUE COLLATE NOCASE,\n"
               "  score DOUBLE PRECISION DEFAULT (0.0) CHECK (score >= 0),\n"
               "  active BOOLEAN NOT NULL DEFAULT 1,\n"
               "  born DATE,\n"
               "  price DECIMAL(10, 2),\n"
               "  photo BLOB,\n"
               "  misc,\n"
               "  upper_name TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL,\n"
               "  CONSTRAINT named_check CHECK (length(name) > 0)\n"
               ")",
               "CREATE TABLE IF NOT EXISTS \"Post Items\" (\n"
               "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
               "  slug TEXT,\n"
               "  body CLOB,\n"
               "  weight FLOAT NOT NULL DEFAULT 1,\n"
               "  PRIMARY KEY (user_id, slug),\n"
               "  UNIQUE (slug),\n"
               "  FOREIGN KEY (user_id) REFERENCES users(id)\n"
               ");\n"
               "CREATE TABLE IF NOT EXISTS users (other_column TEXT); -- exists: does nothing\n"
               "CREATE TABLE [tags] (name TEXT PRIMARY KEY, uses INT) WITHOUT ROWID;\n"
               "CREATE TABLE counters (k TEXT NOT NULL, n INTEGER, PRIMARY KEY (n DESC)) STRICT;\n"
               "CREATE TEMP TABLE scratch (x INTEGER);"),
        sp::down("DROP TABLE counters; DROP TABLE tags; DROP TABLE \"Post Items\"; "
                 "DROP TABLE users")),
    sp::migration<2, "indexes, triggers, data">(
        sp::up("CREATE INDEX users_name ON users(name)",
               "CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN\n"
               "  UPDATE counters SET k = 'touched; still in the trigger' WHERE n = 1;\n"
               "END;\n"
               "INSERT INTO counters (k, n) VALUES ('users', 1);\n"
               "PRAGMA user_version"),
        sp::down("DELETE FROM counters; DROP TRIGGER users_touch; DROP INDEX users_name")),
    sp::migration<3, "reshape users">(
        sp::up("ALTER TABLE users ADD COLUMN nick TEXT NOT NULL DEFAULT ''",
               "ALTER TABLE users ADD age INT",
               "ALTER TABLE users RENAME COLUMN misc TO extra",
               "ALTER TABLE users RENAME born TO birthday",
               "ALTER TABLE users DROP COLUMN price",
               "ALTER TABLE tags RENAME TO labels",
               "DROP TABLE IF EXISTS scratch; DROP TABLE IF EXISTS never_created"),
        sp::irreversible()),
    sp::migration<4, "views">(
        sp::up("CREATE VIEW user_posts AS SELECT u.id, u.name AS author, p.slug, p.weight w,\n"
               "  count(*) FROM users u LEFT JOIN \"Post Items\" AS p ON p.user_id = u.id\n"
               "  GROUP BY u.id, p.slug",
               "CREATE VIEW label_uses (label, twice) AS SELECT name, uses * 2 FROM labels",
               "CREATE VIEW all_labels AS SELECT * FROM labels",
               "CREATE VIEW IF NOT EXISTS user_labels AS SELECT l.*, u.nick FROM labels AS l, users u",
               "CREATE VIEW dropped_view AS SELECT 1 AS one",
               "DROP VIEW IF EXISTS dropped_view",
               "CREATE TABLE users_copy AS SELECT id, name FROM users"),
        sp::down("DROP TABLE users_copy; DROP VIEW user_labels; DROP VIEW all_labels; "
                 "DROP VIEW label_uses; DROP VIEW user_posts")));

using derived = sp::detail::derived_schema<migrations>;

const table_info* table_named(std::string_view name) {
  for (std::size_t t = 0; t < derived::table_count; ++t) {
    if (derived::tables[t].name == name) return &derived::tables[t];
  }
  return nullptr;
}

std::vector<std::string> table_names() {
  std::vector<std::string> out;
  for (std::size_t t = 0; t < derived::table_count; ++t) {
    out.emplace_back(derived::tables[t].name);
  }
  return out;
}

struct expected_column {
  std::string_view name;
  std::optional<value_family> family;  // empty: not known
  bool nullable;
};

void check_columns(std::string_view table, const std::vector<expected_column>& expected) {
  INFO("table " << table);
  const table_info* t = table_named(table);
  REQUIRE(t != nullptr);
  CHECK(t->columns_known);
  REQUIRE(t->column_count == expected.size());
  for (std::size_t c = 0; c < expected.size(); ++c) {
    const column_info& col = t->columns[c];
    INFO("column " << c << ": " << col.name);
    CHECK(col.name == expected[c].name);
    CHECK(col.family_known == expected[c].family.has_value());
    if (expected[c].family) CHECK(col.family == *expected[c].family);
    CHECK(col.nullable == expected[c].nullable);
  }
}

constexpr auto integer = value_family::integer;
constexpr auto real = value_family::real;
constexpr auto text = value_family::text;
constexpr auto blob = value_family::blob;
constexpr auto boolean = value_family::boolean;
constexpr std::optional<value_family> unknown{};

}  // namespace

TEST_CASE("schema_of derives the tables and views the migrations leave", "[schema_of]") {
  STATIC_REQUIRE(sp::schema_of<migrations>::size == 9);
  CHECK(table_names() == std::vector<std::string>{"users", "Post Items", "labels", "counters",
                                                  "user_posts", "label_uses", "all_labels",
                                                  "user_labels", "users_copy"});
  check_columns("users", {{"id", integer, false},
                          {"name", text, false},
                          {"email", text, true},
                          {"score", real, true},
                          {"active", boolean, false},
                          {"birthday", unknown, true},
                          {"photo", blob, true},
                          {"extra", unknown, true},
                          {"upper_name", text, true},
                          {"nick", text, false},
                          {"age", integer, true}});
  // An ordinary table's PRIMARY KEY (a, b) columns allow NULL; only NOT NULL forbids it.
  check_columns("Post Items", {{"user_id", integer, false},
                               {"slug", text, true},
                               {"body", text, true},
                               {"weight", real, false}});
  // WITHOUT ROWID: the primary key is NOT NULL.
  check_columns("labels", {{"name", text, false}, {"uses", integer, true}});
  // PRIMARY KEY (n DESC) as a table constraint on an INTEGER column is the rowid.
  check_columns("counters", {{"k", text, false}, {"n", integer, false}});
  // A view: plain columns keep their table's family, LEFT JOIN makes the right side
  // nullable, an expression is named by its text and has no known family.
  check_columns("user_posts", {{"id", integer, false},
                               {"author", text, false},
                               {"slug", text, true},
                               {"w", real, true},
                               {"count(*)", unknown, false}});
  check_columns("label_uses", {{"label", text, false}, {"twice", unknown, false}});
  check_columns("all_labels", {{"name", text, false}, {"uses", integer, true}});
  check_columns("user_labels", {{"name", text, false}, {"uses", integer, true},
                                {"nick", text, false}});
  // CREATE TABLE ... AS SELECT: the table exists, its columns are not followed.
  const table_info* copy = table_named("users_copy");
  REQUIRE(copy != nullptr);
  CHECK_FALSE(copy->columns_known);
  CHECK(copy->column_count == 0);
  // The rowid alias is recorded for the mapping check.
  CHECK(derived::raw.rowid_alias[0] == 0);
  CHECK(derived::raw.rowid_alias[1] == sp::detail::no_column);
  CHECK(derived::raw.rowid_alias[3] == 1);
}

namespace {

constexpr auto unfollowed = sp::migrations(
    sp::migration<1, "unfollowed forms">(
        sp::up("CREATE VIRTUAL TABLE docs USING fts5(title, body)",
               "CREATE TABLE base (a INTEGER NOT NULL, b TEXT)",
               "CREATE VIEW star_view AS SELECT * FROM base",
               "CREATE VIEW joined AS SELECT * FROM base JOIN base AS c USING (a)",
               "CREATE VIEW from_cte AS WITH x AS (SELECT 1 AS k) SELECT k FROM x",
               "CREATE VIEW twice AS SELECT a, a FROM base",
               "CREATE VIEW compound AS SELECT a FROM base UNION SELECT b FROM base",
               "ALTER TABLE base ADD COLUMN c REAL"),
        sp::irreversible()));

using unfollowed_schema = sp::detail::derived_schema<unfollowed>;

constexpr bool columns_known(std::string_view name) {
  for (std::size_t t = 0; t < unfollowed_schema::table_count; ++t) {
    if (unfollowed_schema::tables[t].name == name) return unfollowed_schema::tables[t].columns_known;
  }
  return false;
}

}  // namespace

TEST_CASE("DDL the replay does not follow leaves its table known but unchecked", "[schema_of]") {
  STATIC_REQUIRE(unfollowed_schema::table_count == 7);
  STATIC_REQUIRE_FALSE(columns_known("docs"));
  STATIC_REQUIRE(columns_known("base"));
  STATIC_REQUIRE(unfollowed_schema::tables[1].column_count == 3);
  // `*` is expanded when a view is queried: a column added to its table later is not known.
  STATIC_REQUIRE_FALSE(columns_known("star_view"));  // base gained a column
  STATIC_REQUIRE_FALSE(columns_known("joined"));     // USING merges columns
  STATIC_REQUIRE_FALSE(columns_known("from_cte"));
  STATIC_REQUIRE_FALSE(columns_known("twice"));      // SQLite renames the second a
  STATIC_REQUIRE(columns_known("compound"));         // names from the first SELECT
  STATIC_REQUIRE_FALSE(unfollowed_schema::tables[6].columns[0].family_known);
}

namespace {

// Views that expand `*` over a wide table hold more columns than their SQL has characters
// for: the replay's first arrays are too small and it runs again into arrays of exact size.
constexpr auto wide = sp::migrations(sp::migration<1, "wide">(
    sp::up("CREATE TABLE w (a, b, c, d, e, f, g, h)", "CREATE VIEW v1 AS SELECT * FROM w",
           "CREATE VIEW v2 AS SELECT * FROM w", "CREATE VIEW v3 AS SELECT * FROM w",
           "CREATE VIEW v4 AS SELECT * FROM w", "CREATE VIEW v5 AS SELECT * FROM w",
           "CREATE VIEW v6 AS SELECT * FROM w", "CREATE VIEW v7 AS SELECT * FROM w",
           "CREATE VIEW v8 AS SELECT * FROM w", "CREATE VIEW v9 AS SELECT * FROM w"),
    sp::irreversible()));
using wide_schema = sp::detail::derived_schema<wide>;

}  // namespace

TEST_CASE("a schema larger than its SQL suggests is replayed into arrays of its size",
          "[schema_of]") {
  STATIC_REQUIRE_FALSE(wide_schema::first.fits);
  STATIC_REQUIRE(wide_schema::raw.fits);
  STATIC_REQUIRE(wide_schema::table_count == 10);
  STATIC_REQUIRE(wide_schema::raw.column_count == 80);
  for (std::size_t t = 0; t < wide_schema::table_count; ++t) {
    REQUIRE(wide_schema::tables[t].column_count == 8);
    CHECK(wide_schema::tables[t].columns[7].name == "h");
  }
  CHECK(wide_schema::tables[9].name == "v9");
}

namespace {

constexpr auto no_migrations = sp::migrations();

constexpr auto odd_forms = sp::migrations(sp::migration<1, "odd forms">(
    sp::up("-- a comment; with a semicolon\n"
           "CREATE TABLE IF NOT EXISTS main.\"T\" (id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
           "  /* a comment */ n UNSIGNED BIG INT NOT NULL, g TEXT AS (n || 'x') STORED,\n"
           "  k INTEGER NOT NULL CHECK (k IS NOT NULL))",
           "CREATE TEMP VIEW tv AS SELECT T.*, n * 2 AS twice, 'lit' label FROM main.T",
           "CREATE TABLE descending (o INTEGER PRIMARY KEY DESC)"),
    sp::irreversible()));
using odd_schema = sp::detail::derived_schema<odd_forms>;

}  // namespace

TEST_CASE("an empty list derives no table; comments, schema names and odd forms are read",
          "[schema_of]") {
  STATIC_REQUIRE(sp::schema_of<no_migrations>::size == 0);
  STATIC_REQUIRE(sp::query<"SELECT 1", std::int64_t(), sp::schema_of<no_migrations>>::checked);
  STATIC_REQUIRE(odd_schema::table_count == 3);
  STATIC_REQUIRE(odd_schema::tables[0].name == "T");
  STATIC_REQUIRE(odd_schema::tables[0].column_count == 4);
  STATIC_REQUIRE_FALSE(odd_schema::tables[0].columns[0].nullable);  // AUTOINCREMENT rowid
  STATIC_REQUIRE(odd_schema::tables[0].columns[1].family == integer);
  STATIC_REQUIRE(odd_schema::tables[0].columns[2].nullable);  // generated
  STATIC_REQUIRE_FALSE(odd_schema::tables[0].columns[3].nullable);
  STATIC_REQUIRE(odd_schema::tables[1].column_count == 6);
  STATIC_REQUIRE(odd_schema::tables[1].columns[4].name == "twice");
  STATIC_REQUIRE(odd_schema::tables[1].columns[5].name == "label");
  // INTEGER PRIMARY KEY DESC is not the rowid: like other primary keys it allows NULL.
  STATIC_REQUIRE(odd_schema::tables[2].columns[0].nullable);
  STATIC_REQUIRE(odd_schema::raw.rowid_alias[2] == sp::detail::no_column);
}

TEST_CASE("column families follow SQLite's affinity rules", "[schema_of]") {
  using sp::detail::family_of_declared;
  STATIC_REQUIRE(family_of_declared("BIGINT").family == integer);
  STATIC_REQUIRE(family_of_declared("UNSIGNED BIG INT").family == integer);
  STATIC_REQUIRE(family_of_declared("NATIVE CHARACTER(70)").family == text);
  STATIC_REQUIRE(family_of_declared("DOUBLE").family == real);
  STATIC_REQUIRE(family_of_declared("FLOATING POINT").family == integer);  // "INT" comes first
  STATIC_REQUIRE(family_of_declared("bool").family == boolean);
  STATIC_REQUIRE(family_of_declared("BLOB").family == blob);
  STATIC_REQUIRE_FALSE(family_of_declared("").known);
  STATIC_REQUIRE_FALSE(family_of_declared("DATETIME").known);
  STATIC_REQUIRE_FALSE(family_of_declared("NUMERIC").known);
}

// ---- queries against the derived schema, run on a database the migrations built -----------

namespace {

using app_schema = sp::schema_of<migrations>;
template <sp::fixed_string Sql, class Signature>
using app_query = sp::query<Sql, Signature, app_schema>;

struct user_row {
  std::optional<std::int64_t> id;  // the rowid: NULL on insert assigns it
  std::string name;
  std::optional<std::string> email;
  bool active;
  std::string nick;
};

struct label {
  std::string name;
  std::optional<std::int64_t> uses;
};

}  // namespace

template <>
struct sqlproof::table_traits<user_row> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "name", "email", "active", "nick");
};

template <>
struct sqlproof::table_traits<label> {
  static constexpr sqlproof::fixed_string name = "labels";
  static constexpr auto columns = sqlproof::column_names("name", "uses");
};

namespace {

static_assert(sp::fits_schema<user_row, app_schema>);
static_assert(app_schema::check_mapping<label>());

using insert_user = app_query<"INSERT INTO users (name, email, active, nick) VALUES (?, ?, ?, ?)",
                              void(std::string, std::optional<std::string>, bool, std::string)>;
using insert_post = app_query<"INSERT INTO \"Post Items\" (user_id, slug, weight) VALUES (?, ?, ?)",
                              void(std::int64_t, std::string, double)>;
using insert_label = app_query<"INSERT INTO labels (name, uses) VALUES (?, ?)",
                               void(std::string, std::int64_t)>;
using rename_user = app_query<"UPDATE users SET nick = ?, age = ? WHERE id = ?",
                              void(std::string, std::optional<int>, std::int64_t)>;
using user_by_id = app_query<"SELECT id, name, email, active, nick FROM users WHERE id = ?",
                             user_row(std::int64_t)>;
using heavy_posts = app_query<"SELECT u.name, p.slug, p.weight FROM users u "
                              "JOIN \"Post Items\" p ON p.user_id = u.id "
                              "WHERE p.weight >= ? ORDER BY p.slug",
                              std::tuple<std::string, std::optional<std::string>, double>(double)>;
using posts_per_user = app_query<"SELECT author, w FROM user_posts WHERE id = ? ORDER BY slug",
                                 std::tuple<std::string, std::optional<double>>(std::int64_t)>;
using labels_twice = app_query<"SELECT label, twice FROM label_uses ORDER BY label",
                               std::tuple<std::string, std::int64_t>()>;
using all_labels = app_query<"SELECT * FROM all_labels ORDER BY name", label()>;
using counter = app_query<"SELECT k FROM counters WHERE n = ?", std::string(std::int64_t)>;
// A table whose columns the replay does not follow (CREATE TABLE ... AS SELECT): any name
// compiles, and SQLite checks it when the statement is prepared.
using copied_names = app_query<"SELECT name FROM users_copy ORDER BY id", std::string()>;
// CTEs, subqueries and the migrator's own table are not unknown tables.
using with_cte = app_query<
    "WITH heavy AS (SELECT user_id, weight FROM \"Post Items\" WHERE weight > ?) "
    "SELECT u.name FROM users u WHERE u.id IN (SELECT user_id FROM heavy) ORDER BY u.id",
    std::string(double)>;
using applied = app_query<"SELECT count(*) FROM sqlproof_migrations", std::int64_t()>;

}  // namespace

TEST_CASE("queries checked against schema_of run on the database the migrations build",
          "[schema_of]") {
  sp::database db{":memory:"};
  sp::migrator{db, migrations}.migrate();
  db.exec<insert_user>(std::string("Ann"), std::string("ann@example.org"), true, std::string("a"));
  db.exec<insert_user>(std::string("Bo"), std::nullopt, false, std::string("b"));
  db.exec<insert_post>(std::int64_t{1}, std::string("first"), 2.5);
  db.exec<insert_post>(std::int64_t{1}, std::string("second"), 0.5);
  db.exec<insert_label>(std::string("red"), std::int64_t{3});
  db.exec<rename_user>(std::string("bee"), 40, std::int64_t{2});

  const auto bo = db.one<user_by_id>(std::int64_t{2});
  REQUIRE(bo.has_value());
  CHECK(bo->id == 2);
  CHECK(bo->name == "Bo");
  CHECK_FALSE(bo->email.has_value());
  CHECK_FALSE(bo->active);
  CHECK(bo->nick == "bee");

  const auto heavy = db.all<heavy_posts>(1.0);
  REQUIRE(heavy.size() == 1);
  CHECK(std::get<1>(heavy[0]) == "first");
  CHECK(std::get<2>(heavy[0]) == 2.5);

  const auto per_user = db.all<posts_per_user>(std::int64_t{1});
  REQUIRE(per_user.size() == 2);
  CHECK(std::get<0>(per_user[0]) == "Ann");
  CHECK(std::get<1>(per_user[1]) == 0.5);
  const auto none = db.all<posts_per_user>(std::int64_t{2});
  REQUIRE(none.size() == 1);
  CHECK_FALSE(std::get<1>(none[0]).has_value());  // the LEFT JOIN found no post

  CHECK(db.all<labels_twice>() == std::vector<std::tuple<std::string, std::int64_t>>{{"red", 6}});
  const auto labels = db.all<all_labels>();
  REQUIRE(labels.size() == 1);
  CHECK(labels[0].uses == 3);
  CHECK(db.one<counter>(std::int64_t{1}) == "touched; still in the trigger");  // users_touch
  CHECK(db.all<copied_names>().empty());
  CHECK(db.all<with_cte>(1.0) == std::vector<std::string>{"Ann"});
  CHECK(db.one<applied>() == static_cast<std::int64_t>(migrations.size));
}

// ---- the derived schema against SQLite's own account ---------------------------------------

namespace {

using xinfo_row = std::tuple<std::string, std::string, bool, int>;  // name, type, notnull, hidden
using table_xinfo = sp::query<"SELECT name, type, \"notnull\", hidden FROM pragma_table_xinfo(?)",
                              xinfo_row(std::string)>;
using schema_tables = sp::query<"SELECT name, type = 'view' FROM sqlite_schema "
                                "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite!_%' "
                                "ESCAPE '!' AND name NOT LIKE 'sqlproof!_%' ESCAPE '!' ORDER BY rowid",
                                std::tuple<std::string, bool>()>;

}  // namespace

TEST_CASE("the derived schema is what SQLite reports for the forms followed", "[schema_of]") {
  sp::database db{":memory:"};
  sp::migrator{db, migrations}.migrate();
  const auto live = db.all<schema_tables>();
  std::vector<std::string> live_names;
  for (const auto& t : live) live_names.push_back(std::get<0>(t));
  std::vector<std::string> derived_names = table_names();
  std::sort(live_names.begin(), live_names.end());
  std::sort(derived_names.begin(), derived_names.end());
  CHECK(live_names == derived_names);

  std::size_t compared = 0;
  for (const auto& [name, is_view] : live) {
    const table_info* t = table_named(name);
    REQUIRE(t != nullptr);
    if (!t->columns_known) continue;
    INFO("table " << name);
    const auto columns = db.all<table_xinfo>(name);
    REQUIRE(columns.size() == t->column_count);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto& [column, type, not_null, hidden] = columns[c];
      INFO("column " << column << " " << type);
      CHECK(sp::detail::same_name(column, t->columns[c].name));
      const auto family = sp::detail::family_of_declared(type);
      CHECK(family.known == t->columns[c].family_known);
      if (family.known) CHECK(family.family == t->columns[c].family);
      // SQLite's notnull flag: NOT NULL, and a WITHOUT ROWID table's key. The rowid alias is
      // never NULL although its flag is 0; a view's flag is always 0.
      const bool rowid = (name == "users" && column == "id") || (name == "counters" && column == "n");
      if (!is_view && !rowid) CHECK(not_null == !t->columns[c].nullable);
      if (rowid) CHECK_FALSE(t->columns[c].nullable);
      ++compared;
    }
  }
  CHECK(compared == 31);
}

// ---- mappings against the derived schema ----------------------------------------------------

namespace {

constexpr sp::detail::mapping_issue_kind fit(std::string_view table,
                                             std::initializer_list<column_info> fields) {
  return sp::detail::check_mapping_fit(derived::table_pointers.data(),
                                       derived::raw.rowid_alias.data(), derived::table_count,
                                       table, fields.begin(), fields.size())
      .kind;
}

}  // namespace

TEST_CASE("a mapping fits its derived table when each field reads and writes its column",
          "[schema_of]") {
  using kind = sp::detail::mapping_issue_kind;
  STATIC_REQUIRE(fit("users", {{"id", integer, true, false}, {"name", text, true, false}}) ==
                 kind::none);
  STATIC_REQUIRE(fit("USERS", {{"ID", integer, true, true}}) == kind::none);  // rowid alias
  STATIC_REQUIRE(fit("users", {{"active", boolean, true, false}}) == kind::none);
  STATIC_REQUIRE(fit("users", {{"extra", real, true, true}}) == kind::none);  // no type
  STATIC_REQUIRE(fit("users_copy", {{"anything", real, true, false}}) == kind::none);
  STATIC_REQUIRE(fit("counters", {{"n", boolean, true, false}}) == kind::none);
  STATIC_REQUIRE(fit("posts", {{"id", integer, true, false}}) == kind::missing_table);
  STATIC_REQUIRE(fit("scratch", {{"x", integer, true, true}}) == kind::missing_table);
  STATIC_REQUIRE(fit("users", {{"price", real, true, true}}) == kind::missing_column);
  STATIC_REQUIRE(fit("users", {{"score", integer, true, true}}) == kind::family);
  STATIC_REQUIRE(fit("users", {{"age", real, true, true}}) == kind::family);
  STATIC_REQUIRE(fit("users", {{"active", integer, true, false}}) == kind::family);
  STATIC_REQUIRE(fit("users", {{"name", text, true, true}}) == kind::optional_field);
  STATIC_REQUIRE(fit("users", {{"email", text, true, false}}) == kind::required_field);
}
