// Queries checked against mapped tables (schema.hpp): tricky SQL that must compile and run,
// and verify_schema against live databases.
#include <sqlproof/schema.hpp>
#include <sqlproof/sqlproof.hpp>
#include <sqlproof/verify_schema.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "../catch.hpp"
#include "support/mapped_tables.hpp"

namespace sp = sqlproof;

namespace {

using sqlproof_test::post;
using sqlproof_test::user;

struct order_line {  // a table whose name and a column are SQL keywords
  std::int64_t id;
  std::string group;
  std::int64_t quantity;
};

struct mark {  // a column whose name holds quotes: "cb", written """cb""" in SQL
  std::int64_t id;
  std::string cb;
};

}  // namespace

template <>
struct sqlproof::table_traits<mark> {
  static constexpr sqlproof::fixed_string name = "marks";
  static constexpr auto columns = sqlproof::column_names("id", "\"cb\"");
};

template <>
struct sqlproof::table_traits<order_line> {
  static constexpr sqlproof::fixed_string name = "order";
  static constexpr auto columns = sqlproof::column_names("id", "group", "quantity");
  static constexpr std::string_view primary_key = "id";
};

namespace {

using app_schema = sp::schema<user, post, order_line>;
template <sp::fixed_string Sql, class Signature>
using app_query = sp::query<Sql, Signature, app_schema>;

constexpr std::string_view create_tables =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, "
    "age INTEGER NOT NULL);"
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES users(id), "
    "title TEXT NOT NULL, body TEXT, score REAL NOT NULL, published INTEGER NOT NULL);"
    "CREATE TABLE \"order\" (id INTEGER PRIMARY KEY, \"group\" TEXT NOT NULL, "
    "quantity INTEGER NOT NULL);";

sp::database seeded() {
  sp::database db{":memory:"};
  db.exec_script(create_tables);
  db.exec_script(
      "INSERT INTO users VALUES (1, 'Ann', 'ann@x.org', 31), (2, 'Bo', NULL, 40), "
      "(3, 'O''Hara', NULL, 25);"
      "INSERT INTO posts VALUES (10, 1, 'Hello?', 'first -- post', 4.5, 1), "
      "(11, 1, 'Draft', NULL, 1.0, 0), (12, 2, 'What /* is */ this', 'x', 3.0, 1);"
      "INSERT INTO \"order\" VALUES (1, 'a', 3), (2, 'b', 5);");
  return db;
}

struct author_title {
  std::string name;
  std::optional<std::string> title;  // from the right side of a LEFT JOIN
};

// --- 1..10: SELECT forms ---
using q_by_id = app_query<"SELECT id, name, email, age FROM users WHERE id = ?", user(std::int64_t)>;
using q_star = app_query<"SELECT * FROM users WHERE age > :age ORDER BY age", user(int)>;
using q_alias_star = app_query<"SELECT u.* FROM users AS u WHERE u.name LIKE ? ESCAPE '\\'",
                               user(std::string)>;
using q_distinct = app_query<"SELECT DISTINCT age FROM users WHERE age BETWEEN ? AND ?",
                             int(int, int)>;
using q_in = app_query<"SELECT name FROM users WHERE id IN (?, ?, ?) ORDER BY name",
                       std::string(std::int64_t, std::int64_t, std::int64_t)>;
using q_limit = app_query<"SELECT id FROM users ORDER BY id LIMIT ? OFFSET ?",
                          std::int64_t(int, int)>;
using q_left_join = app_query<
    "SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.author_id = u.id AND "
    "p.published = ? ORDER BY u.id, p.id",
    author_title(bool)>;
using q_join_alias = app_query<
    "SELECT p.title AS title, u.name AS author FROM posts AS p INNER JOIN users AS u "
    "ON u.id = p.author_id WHERE p.score >= ? AND u.age < ?",
    std::tuple<std::string, std::string>(double, int)>;
using q_literals = app_query<
    "SELECT name FROM users -- a comment with ? and 'quotes'\n"
    "WHERE name <> 'it''s ? not a placeholder' /* nor ? this */ AND id = ?",
    std::string(std::int64_t)>;
using q_quoted_idents = app_query<
    "SELECT \"id\", [group], `quantity` FROM \"order\" WHERE \"group\" = ?",
    std::tuple<std::int64_t, std::string, std::int64_t>(std::string)>;

// --- 11..20: what the analysis leaves to SQLite ---
using q_cte = app_query<
    "WITH old AS (SELECT id, name FROM users WHERE age > ?) SELECT name FROM old ORDER BY id",
    std::string(int)>;
using q_subquery = app_query<
    "SELECT name FROM users WHERE id IN (SELECT author_id FROM posts WHERE score > ?) "
    "ORDER BY name",
    std::string(double)>;
using q_window = app_query<
    "SELECT name, row_number() OVER (ORDER BY age DESC) AS rank FROM users ORDER BY rank",
    std::tuple<std::string, std::int64_t>()>;
using q_case = app_query<
    "SELECT name, CASE WHEN age >= ? THEN 'senior' ELSE 'junior' END AS band FROM users "
    "ORDER BY id",
    std::tuple<std::string, std::string>(int)>;
using q_function = app_query<
    "SELECT count(*), max(age), coalesce(email, 'none') FROM users WHERE lower(name) = ?",
    std::tuple<std::int64_t, int, std::string>(std::string)>;
using q_json_list = app_query<
    "SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
    std::string(std::vector<std::int64_t>)>;
using q_exists = app_query<
    "SELECT name FROM users u WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.author_id = u.id) "
    "AND u.age > ?",
    std::string(int)>;
using q_union = app_query<
    "SELECT name FROM users WHERE id = ? UNION ALL SELECT title FROM posts WHERE id = ?",
    std::string(std::int64_t, std::int64_t)>;
using q_group = app_query<
    "SELECT author_id, count(*) AS n FROM posts GROUP BY author_id HAVING count(*) >= ? "
    "ORDER BY author_id",
    std::tuple<std::int64_t, std::int64_t>(int)>;
using q_unmapped = app_query<"SELECT name FROM sqlite_master WHERE type = ? AND name = ?",
                             std::string(std::string, std::string)>;

// --- 21..30: writes ---
using q_insert = app_query<"INSERT INTO users (name, email, age) VALUES (?, ?, ?)",
                           void(std::string_view, std::optional<std::string_view>, int)>;
using q_insert_all = app_query<"INSERT INTO users VALUES (?, ?, ?, ?)",
                               void(std::int64_t, std::string, std::optional<std::string>, int)>;
using q_upsert = app_query<
    "INSERT INTO users (id, name, age) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET "
    "name = excluded.name, age = ?3",
    void(std::int64_t, std::string, int)>;
using q_update = app_query<"UPDATE users SET name = ?, email = ? WHERE id = ?",
                           void(std::string, std::optional<std::string>, std::int64_t)>;
using q_update_expr = app_query<"UPDATE posts SET score = score + ?, published = ? WHERE id = ?",
                                void(double, bool, std::int64_t)>;
using q_delete = app_query<"DELETE FROM posts WHERE author_id = ? AND published = ?",
                           void(std::int64_t, bool)>;
using q_returning = app_query<
    "INSERT INTO posts (author_id, title, body, score, published) VALUES (?, ?, ?, ?, ?) "
    "RETURNING id, title",
    std::tuple<std::int64_t, std::string>(std::int64_t, std::string, std::optional<std::string>,
                                          double, bool)>;
using q_delete_returning = app_query<"DELETE FROM users WHERE id = :id RETURNING *",
                                     user(std::int64_t)>;
using q_named = app_query<"UPDATE users SET age = :age WHERE name = :name OR age = :age",
                          void(int, std::string)>;
using q_keyword_table = app_query<"INSERT INTO \"order\" (\"group\", quantity) VALUES (?, ?)",
                                  void(std::string, std::int64_t)>;

// --- 31..: more tricky text ---
using q_keywords_in_strings = app_query<
    "SELECT name FROM users WHERE name != 'SELECT * FROM nowhere WHERE x = ?' AND age > ?",
    std::string(int)>;
using q_cast = app_query<"SELECT CAST(age AS TEXT) AS age_text FROM users WHERE id = ?",
                         std::string(std::int64_t)>;
using q_collate = app_query<"SELECT id FROM users WHERE name = ? COLLATE NOCASE",
                            std::int64_t(std::string)>;
using q_rowid = app_query<"SELECT rowid, name FROM users WHERE rowid = ?",
                          std::tuple<std::int64_t, std::string>(std::int64_t)>;
using q_reverse_compare = app_query<"SELECT name FROM users WHERE ? < age ORDER BY age",
                                    std::string(int)>;
using q_dollar = app_query<"SELECT name FROM users WHERE age > $1 AND id <> $2",
                           std::string(int, std::int64_t)>;
using q_implicit_alias = app_query<"SELECT u.name n FROM users u WHERE n = ?",
                                   std::string(std::string)>;
using q_blob_literal = app_query<"SELECT x'00ff' = x'00ff', name FROM users WHERE id = ?",
                                 std::tuple<bool, std::string>(std::int64_t)>;
// USING lists the shared column once in `*`: 4 + 6 - 1 columns.
using q_using_star = app_query<
    "SELECT * FROM users JOIN posts USING (id) WHERE id = ?",
    std::tuple<std::int64_t, std::string, std::optional<std::string>, int, std::int64_t,
               std::string, std::optional<std::string>, double, bool>(std::int64_t)>;
using q_named_window = app_query<
    "SELECT name, sum(age) OVER w AS running FROM users WINDOW w AS (ORDER BY id) ORDER BY id",
    std::tuple<std::string, std::int64_t>()>;

// --- names that are not columns ---
// An alias without AS after an expression that ends in a keyword.
using q_case_alias = app_query<
    "SELECT name, CASE WHEN age >= ? THEN 'senior' ELSE 'junior' END band FROM users "
    "ORDER BY band, id",
    std::tuple<std::string, std::string>(int)>;
using q_keyword_end_aliases = app_query<
    "SELECT NULL n, CURRENT_TIMESTAMP now, email IS NULL missing, email NOTNULL has_email, "
    "CURRENT_DATE today FROM users WHERE id = ? AND missing = 0",
    std::tuple<std::optional<std::string>, std::string, bool, bool, std::string>(std::int64_t)>;
// Several named windows, one built on another, and a base window inside OVER (...).
using q_windows = app_query<
    "SELECT name, sum(age) OVER w1 AS running, count(*) OVER (w2 ORDER BY id) AS n, "
    "sum(age) OVER w3 AS pair FROM users "
    "WINDOW w1 AS (ORDER BY id), w2 AS (PARTITION BY age > ?), "
    "w3 AS (w1 ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) ORDER BY id",
    std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>(int)>;
// FROM after DISTINCT belongs to the operator; a `window` before no `name AS` is a name.
using q_distinct_from = app_query<
    "SELECT email IS NOT DISTINCT FROM ? AS same, name window FROM users WHERE id = ?",
    std::tuple<bool, std::string>(std::optional<std::string>, std::int64_t)>;
// `x IN table` names a table.
using q_in_table = app_query<
    "SELECT name FROM users WHERE id NOT IN banned AND id IN main.banned_once AND age > ?",
    std::string(int)>;
// A quoted name with an escaped quote names the column it spells.
using mark_schema = sp::schema<user, mark>;
using q_insert_quoted = sp::query<"INSERT INTO marks (id, \"\"\"cb\"\"\") VALUES (?, ?)",
                                  void(std::int64_t, std::string), mark_schema>;
using q_update_quoted = sp::query<"UPDATE marks SET \"\"\"CB\"\"\" = ? || `\"cb\"` WHERE id = ?",
                                  void(std::string, std::int64_t), mark_schema>;
using q_select_quoted = sp::query<"SELECT \"\"\"cb\"\"\", [\"cb\"] FROM marks WHERE id = ?",
                                  std::tuple<std::string, std::string>(std::int64_t), mark_schema>;

// --- SQL the analysis follows into: scopes, compounds, subqueries, INSERT ... SELECT ---
struct name_score {
  std::string name;
  std::optional<double> best;  // max() of a LEFT JOIN's column
};
using f_recursive_cte = app_query<
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) "
    "SELECT count(*) FROM n",
    std::int64_t(int)>;
using f_cte_columns = app_query<
    "WITH adults AS (SELECT id, name AS who FROM users WHERE age >= ?) "
    "SELECT a.who, p.title FROM adults a JOIN posts p ON p.author_id = a.id ORDER BY p.id",
    std::tuple<std::string, std::string>(int)>;
using f_derived = app_query<
    "SELECT d.name, d.n FROM (SELECT u.name, count(p.id) AS n FROM users u "
    "LEFT JOIN posts p ON p.author_id = u.id GROUP BY u.id) AS d WHERE d.n >= ? ORDER BY d.name",
    std::tuple<std::string, std::int64_t>(int)>;
using f_scalar_subquery = app_query<
    "SELECT name, (SELECT count(*) FROM posts p WHERE p.author_id = u.id) FROM users u "
    "WHERE id = ?",
    std::tuple<std::string, std::int64_t>(std::int64_t)>;
using f_correlated_exists = app_query<
    "SELECT u.name FROM users u WHERE EXISTS (SELECT 1 FROM posts WHERE author_id = u.id AND "
    "score > ?) ORDER BY u.id",
    std::string(double)>;
using f_compound_order = app_query<
    "SELECT name AS label FROM users WHERE age > ? UNION SELECT title FROM posts "
    "WHERE published ORDER BY label LIMIT ?",
    std::string(int, int)>;
using f_intersect = app_query<
    "SELECT id FROM users INTERSECT SELECT author_id FROM posts EXCEPT SELECT ?",
    std::int64_t(std::int64_t)>;
using f_insert_select = app_query<
    "INSERT INTO posts (author_id, title, score, published) "
    "SELECT id, name || ' note', 0.0, false FROM users WHERE age > ?",
    void(int)>;
using f_update_from = app_query<
    "UPDATE posts SET score = score + 1 FROM users u WHERE u.id = posts.author_id AND u.age > ?",
    void(int)>;
using f_arithmetic = app_query<"SELECT name FROM users WHERE age = ? + 1 OR id * 2 = ?",
                               std::string(int, std::int64_t)>;
using f_aggregates = app_query<
    "SELECT u.name, max(p.score) FROM users u LEFT JOIN posts p ON p.author_id = u.id "
    "GROUP BY u.id ORDER BY u.id",
    name_score()>;
using f_coalesce = app_query<
    "SELECT coalesce(max(email), 'none'), total(age), count(email), avg(age) FROM users",
    std::tuple<std::string, double, std::int64_t, std::optional<double>>()>;
using f_using = app_query<
    "SELECT id, name FROM users JOIN (SELECT author_id AS id FROM posts) USING (id) "
    "WHERE id = ?",
    std::tuple<std::int64_t, std::string>(std::int64_t)>;
using f_alias_order = app_query<
    "SELECT u.id AS id, p.title FROM users u JOIN posts p ON p.author_id = u.id ORDER BY id",
    std::tuple<std::int64_t, std::string>()>;
// The forms the issue names: aliases after keywords, IS NOT DISTINCT FROM, `x IN table`.
using f_exact_forms = app_query<
    "SELECT CASE WHEN age > ? THEN 1 ELSE 0 END band, NULL n, CURRENT_TIMESTAMP now, "
    "email IS NULL missing, name IS NOT DISTINCT FROM ?, id FROM users WHERE id IN users_ids",
    std::tuple<int, std::optional<int>, std::string, bool, bool, std::int64_t>(int, std::string)>;
using f_windows = app_query<
    "SELECT id, sum(age) OVER w1, max(age) OVER (w2 ORDER BY id) FROM users "
    "WINDOW w1 AS (ORDER BY id), w2 AS (PARTITION BY age > 30) ORDER BY id",
    std::tuple<std::int64_t, std::int64_t, std::int64_t>()>;
// A bool column reads into an integer field and compares with a bool parameter.
using f_bool_widens = app_query<"SELECT published FROM posts WHERE published = ? AND id = ?",
                                std::int64_t(bool, std::int64_t)>;

}  // namespace

TEST_CASE("SELECT forms over mapped tables compile and run", "[schema]") {
  auto db = seeded();
  CHECK(db.one<q_by_id>(std::int64_t{1})->name == "Ann");
  CHECK(db.all<q_star>(30).size() == 2);
  CHECK(db.all<q_alias_star>(std::string("O%")).at(0).name == "O'Hara");
  CHECK(db.all<q_distinct>(20, 35) == std::vector<int>{31, 25});
  CHECK(db.all<q_in>(std::int64_t{1}, std::int64_t{3}, std::int64_t{9}) ==
        std::vector<std::string>{"Ann", "O'Hara"});
  CHECK(db.all<q_limit>(1, 1) == std::vector<std::int64_t>{2});
  const auto rows = db.all<q_left_join>(true);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].title == "Hello?");
  CHECK(rows[1].title == "What /* is */ this");
  CHECK_FALSE(rows[2].title.has_value());
  CHECK(db.all<q_join_alias>(2.0, 100).size() == 2);
  CHECK(db.one<q_literals>(std::int64_t{2}) == "Bo");
  CHECK(std::get<2>(*db.one<q_quoted_idents>(std::string("b"))) == 5);
}

TEST_CASE("SQL the analysis does not follow still compiles and runs", "[schema]") {
  auto db = seeded();
  CHECK(db.all<q_cte>(30) == std::vector<std::string>{"Ann", "Bo"});
  CHECK(db.all<q_subquery>(2.0) == std::vector<std::string>{"Ann", "Bo"});
  CHECK(std::get<1>(db.all<q_window>().at(0)) == 1);
  CHECK(std::get<1>(db.all<q_case>(30).at(2)) == "junior");
  CHECK(std::get<0>(*db.one<q_function>(std::string("ann"))) == 1);
  CHECK(db.all<q_json_list>(std::vector<std::int64_t>{2, 3}) ==
        std::vector<std::string>{"Bo", "O'Hara"});
  CHECK(db.all<q_exists>(20) == std::vector<std::string>{"O'Hara"});
  CHECK(db.all<q_union>(std::int64_t{1}, std::int64_t{11}) ==
        std::vector<std::string>{"Ann", "Draft"});
  CHECK(db.all<q_group>(2).size() == 1);
  CHECK(db.all<q_unmapped>(std::string("table"), std::string("users")).size() == 1);
}

TEST_CASE("writes against mapped tables compile and run", "[schema]") {
  auto db = seeded();
  const auto r = db.exec<q_insert>("Cy", std::nullopt, 22);
  CHECK(r.changes == 1);
  db.exec<q_insert_all>(std::int64_t{50}, std::string("Di"), std::string("di@x"), 50);
  db.exec<q_upsert>(std::int64_t{50}, std::string("Dee"), 51);
  CHECK(db.one<q_by_id>(std::int64_t{50})->name == "Dee");
  CHECK(db.one<q_by_id>(std::int64_t{50})->age == 51);
  db.exec<q_update>(std::string("Anne"), std::nullopt, std::int64_t{1});
  CHECK_FALSE(db.one<q_by_id>(std::int64_t{1})->email.has_value());
  db.exec<q_update_expr>(0.5, false, std::int64_t{10});
  CHECK(db.exec<q_delete>(std::int64_t{1}, false).changes == 2);
  const auto added = db.one<q_returning>(std::int64_t{2}, std::string("New"), std::nullopt, 2.5, true);
  CHECK(std::get<1>(*added) == "New");
  db.exec<q_named>(77, std::string("Bo"));
  CHECK(db.one<q_by_id>(std::int64_t{2})->age == 77);
  db.exec<q_keyword_table>(std::string("c"), std::int64_t{9});
  db.exec_script("DELETE FROM posts WHERE author_id = 3");
  const auto gone = db.one<q_delete_returning>(std::int64_t{3});
  REQUIRE(gone.has_value());
  CHECK(gone->name == "O'Hara");
}

TEST_CASE("more tricky text compiles and runs", "[schema]") {
  auto db = seeded();
  CHECK(db.all<q_keywords_in_strings>(30).size() == 2);
  CHECK(db.one<q_cast>(std::int64_t{1}) == "31");
  CHECK(db.one<q_collate>(std::string("ANN")) == 1);
  CHECK(std::get<0>(*db.one<q_rowid>(std::int64_t{2})) == 2);
  CHECK(db.all<q_reverse_compare>(30) == std::vector<std::string>{"Ann", "Bo"});
  CHECK(db.all<q_dollar>(20, std::int64_t{1}) == std::vector<std::string>{"Bo", "O'Hara"});
  CHECK(db.one<q_implicit_alias>(std::string("Bo")) == "Bo");
  CHECK(std::get<0>(*db.one<q_blob_literal>(std::int64_t{1})));
  db.exec_script("INSERT INTO posts VALUES (1, 1, 'Same id', NULL, 1.0, 0)");
  const auto joined = db.one<q_using_star>(std::int64_t{1});
  REQUIRE(joined.has_value());
  CHECK(std::get<5>(*joined) == "Same id");
  CHECK(std::get<1>(db.all<q_named_window>().at(1)) == 71);
}

TEST_CASE("names that are not columns compile and run", "[schema]") {
  auto db = seeded();
  CHECK(db.all<q_case_alias>(30) ==
        std::vector<std::tuple<std::string, std::string>>{
            {"O'Hara", "junior"}, {"Ann", "senior"}, {"Bo", "senior"}});
  const auto aliases = db.one<q_keyword_end_aliases>(std::int64_t{1});
  REQUIRE(aliases.has_value());
  CHECK_FALSE(std::get<0>(*aliases).has_value());
  CHECK(std::get<1>(*aliases).size() == 19);  // YYYY-MM-DD HH:MM:SS
  CHECK_FALSE(std::get<2>(*aliases));
  CHECK(std::get<3>(*aliases));
  CHECK(std::get<4>(*aliases).size() == 10);
  CHECK_FALSE(db.one<q_keyword_end_aliases>(std::int64_t{2}).has_value());  // email is NULL
  CHECK(db.all<q_windows>(30) ==
        std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>>{
            {"Ann", 31, 1, 31}, {"Bo", 71, 2, 71}, {"O'Hara", 96, 1, 65}});
  db.exec_script(
      "CREATE TABLE banned (user_id INTEGER); INSERT INTO banned VALUES (2);"
      "CREATE TABLE banned_once (user_id INTEGER); INSERT INTO banned_once VALUES (1), (2);");
  CHECK(db.all<q_in_table>(20) == std::vector<std::string>{"Ann"});
  CHECK(db.one<q_distinct_from>(std::nullopt, std::int64_t{2}) ==
        std::optional<std::tuple<bool, std::string>>({true, "Bo"}));
  CHECK(db.one<q_distinct_from>(std::string("x"), std::int64_t{2}) ==
        std::optional<std::tuple<bool, std::string>>({false, "Bo"}));

  db.exec_script("CREATE TABLE marks (id INTEGER PRIMARY KEY, \"\"\"cb\"\"\" TEXT NOT NULL)");
  db.exec<q_insert_quoted>(std::int64_t{1}, std::string("x"));
  db.exec<q_update_quoted>(std::string("y"), std::int64_t{1});
  CHECK(db.one<q_select_quoted>(std::int64_t{1}) ==
        std::optional<std::tuple<std::string, std::string>>({"yx", "yx"}));
}

namespace {

bool has(const sp::schema_report& r, sp::schema_difference::kind k, std::string_view column) {
  for (const auto& d : r.differences) {
    if (d.what == k && d.column == column) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("verify_schema accepts matching tables", "[schema][verify_schema]") {
  sp::database db{":memory:"};
  db.exec_script(create_tables);
  const auto report = sp::verify_schema<user, post, order_line>(db);
  INFO(report.to_string());
  CHECK(report.ok());
  CHECK(sp::verify_schema(db, app_schema{}).ok());
}

TEST_CASE("verify_schema reports a missing table", "[schema][verify_schema]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "email TEXT, age INTEGER NOT NULL)");
  const auto report = sp::verify_schema<user, post>(db);
  REQUIRE(report.differences.size() == 1);
  CHECK(report.differences[0].what == sp::schema_difference::kind::missing_table);
  CHECK(report.differences[0].table == "posts");
  CHECK(report.to_string().find("table 'posts': does not exist") != std::string::npos);
}

TEST_CASE("verify_schema reports missing and extra columns", "[schema][verify_schema]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "age INTEGER NOT NULL, nickname TEXT)");
  const auto report = sp::verify_schema<user>(db);
  INFO(report.to_string());
  CHECK(has(report, sp::schema_difference::kind::missing_column, "email"));
  CHECK(has(report, sp::schema_difference::kind::extra_column, "nickname"));
  CHECK(has(report, sp::schema_difference::kind::column_order, "age"));
  CHECK(report.differences.size() == 3);
}

TEST_CASE("verify_schema reports NOT NULL differences both ways", "[schema][verify_schema]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, "
                 "email TEXT NOT NULL, age INTEGER NOT NULL)");
  const auto report = sp::verify_schema<user>(db);
  INFO(report.to_string());
  REQUIRE(report.differences.size() == 2);
  CHECK(has(report, sp::schema_difference::kind::not_null, "name"));
  CHECK(has(report, sp::schema_difference::kind::not_null, "email"));
  CHECK(report.to_string().find("column 'name': may hold NULL") != std::string::npos);
}

TEST_CASE("verify_schema reports declared types that do not fit", "[schema][verify_schema]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id TEXT NOT NULL, "
                 "title VARCHAR(80) NOT NULL, body CLOB, score INTEGER NOT NULL, "
                 "published BOOLEAN NOT NULL)");
  const auto report = sp::verify_schema<post>(db);
  INFO(report.to_string());
  REQUIRE(report.differences.size() == 2);
  CHECK(has(report, sp::schema_difference::kind::declared_type, "author_id"));
  CHECK(has(report, sp::schema_difference::kind::declared_type, "score"));
}

TEST_CASE("verify_schema reports a different primary key", "[schema][verify_schema]") {
  sp::database db{":memory:"};
  db.exec_script("CREATE TABLE users (id INTEGER NOT NULL, name TEXT NOT NULL, "
                 "email TEXT, age INTEGER NOT NULL, PRIMARY KEY (name))");
  const auto report = sp::verify_schema<user>(db);
  INFO(report.to_string());
  REQUIRE(report.differences.size() == 1);
  CHECK(report.differences[0].what == sp::schema_difference::kind::primary_key);
  CHECK(report.differences[0].message.find("primary key is (name)") != std::string::npos);
}

TEST_CASE("SQL with scopes, compounds and subqueries is checked and runs", "[schema]") {
  auto db = seeded();
  db.exec_script("CREATE TABLE users_ids (id INTEGER); INSERT INTO users_ids VALUES (1), (3);");
  CHECK(db.one<f_recursive_cte>(5) == 5);
  CHECK(db.all<f_cte_columns>(40).size() == 1);
  CHECK(db.all<f_derived>(1) ==
        std::vector<std::tuple<std::string, std::int64_t>>{{"Ann", 2}, {"Bo", 1}});
  CHECK(std::get<1>(*db.one<f_scalar_subquery>(std::int64_t{1})) == 2);
  CHECK(db.all<f_correlated_exists>(4.0) == std::vector<std::string>{"Ann"});
  CHECK(db.all<f_compound_order>(35, 2) == std::vector<std::string>{"Bo", "Hello?"});
  CHECK(db.all<f_intersect>(std::int64_t{2}) == std::vector<std::int64_t>{1});
  CHECK(db.exec<f_insert_select>(30).changes == 2);
  CHECK(db.exec<f_update_from>(35).changes == 2);  // Bo: post 12 and the one just inserted
  CHECK(db.all<f_arithmetic>(30, std::int64_t{6}) == std::vector<std::string>{"Ann", "O'Hara"});
  const auto best = db.all<f_aggregates>();
  REQUIRE(best.size() == 3);
  CHECK(best[0].best == 4.5);
  CHECK_FALSE(best[2].best.has_value());
  const auto agg = *db.one<f_coalesce>();
  CHECK(std::get<0>(agg) == "ann@x.org");
  CHECK(std::get<1>(agg) == 96.0);
  CHECK(std::get<2>(agg) == 1);
  CHECK(db.one<f_using>(std::int64_t{2}).has_value());
  CHECK(db.all<f_alias_order>().size() == 5);
  const auto exact = db.all<f_exact_forms>(30, std::string("Ann"));
  REQUIRE(exact.size() == 2);
  CHECK(std::get<0>(exact[0]) == 1);
  CHECK(std::get<4>(exact[0]));
  CHECK(std::get<5>(exact[1]) == 3);
  CHECK(std::get<1>(db.all<f_windows>().at(1)) == 71);
  CHECK(db.one<f_bool_widens>(true, std::int64_t{10}) == 1);
}
