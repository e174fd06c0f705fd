// The schema the migrations build: queries checked at compile time against the tables as the
// migrations leave them, with no table written twice (once in SQL, once in C++).

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace sp = sqlproof;

// [migrations]
constexpr auto migrations = sp::migrations(
    sp::migration<1, "create users and posts">(
        sp::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT)",
               "CREATE TABLE posts (id INTEGER PRIMARY KEY,"
               " author_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL)"),
        sp::down("DROP TABLE posts", "DROP TABLE users")),
    sp::migration<2, "rename email, add score">(
        sp::up("ALTER TABLE users RENAME COLUMN email TO mail",
               "ALTER TABLE posts ADD COLUMN score REAL NOT NULL DEFAULT 0"),
        sp::down("ALTER TABLE posts DROP COLUMN score",
                 "ALTER TABLE users RENAME COLUMN mail TO email")),
    sp::migration<3, "posts with authors">(
        sp::up("CREATE VIEW post_titles AS SELECT p.id, p.title, u.name AS author"
               " FROM posts p JOIN users u ON u.id = p.author_id"),
        sp::down("DROP VIEW post_titles")));

using app_schema = sp::schema_of<migrations>;
template <sp::fixed_string Sql, class Signature>
using app_query = sp::query<Sql, Signature, app_schema>;
// [migrations]

// [queries]
using add_user = app_query<"INSERT INTO users (name, mail) VALUES (?, ?) RETURNING id",
                           std::int64_t(std::string, std::optional<std::string>)>;
using add_post = app_query<"INSERT INTO posts (author_id, title, score) VALUES (?, ?, ?)",
                           void(std::int64_t, std::string, double)>;
using best_posts = app_query<"SELECT title, score FROM posts WHERE score >= ? ORDER BY score DESC",
                             std::tuple<std::string, double>(double)>;
using titles = app_query<"SELECT title, author FROM post_titles ORDER BY id",
                         std::tuple<std::string, std::string>()>;
// "SELECT email FROM users" would not compile: migration 2 renamed the column to mail.
// [queries]

// [mapping]
// A mapped row type is checked against its derived table: every column exists, each field's
// type fits its column, and a field is std::optional exactly where the column is nullable.
struct user {
  std::int64_t id;
  std::string name;
  std::optional<std::string> mail;
};
template <>
struct sp::table_traits<user> {
  static constexpr sp::fixed_string name = "users";
  static constexpr auto columns = sp::column_names("id", "name", "mail");
};
static_assert(sp::fits_schema<user, app_schema>);

using user_by_id = app_query<"SELECT id, name, mail FROM users WHERE id = ?", user(std::int64_t)>;
// [mapping]

int main() {
  sp::database db{":memory:"};
  sp::migrator{db, migrations}.migrate();

  const auto ann = db.one<add_user>(std::string("Ann"), std::string("ann@example.org"));
  const auto bo = db.one<add_user>(std::string("Bo"), std::nullopt);
  if (!ann || !bo) return 1;
  db.exec<add_post>(*ann, std::string("Schemas from migrations"), 4.5);
  db.exec<add_post>(*bo, std::string("Notes"), 1.0);

  const auto best = db.all<best_posts>(2.0);
  if (best.size() != 1 || std::get<0>(best[0]) != "Schemas from migrations") return 1;
  for (const auto& [title, author] : db.all<titles>()) std::cout << title << " by " << author << '\n';

  const std::optional<user> u = db.one<user_by_id>(*bo);
  if (!u || u->name != "Bo" || u->mail.has_value()) return 1;
  std::cout << app_schema::size << " tables and views derived from " << migrations.size
            << " migrations\n";  // 3 tables and views derived from 3 migrations
  return 0;
}
