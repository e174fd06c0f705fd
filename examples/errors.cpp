// What each runtime error carries. Every error derives from sqlproof::error; catch the
// specific kinds you can handle. Prints each error's what() text.

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace sp = sqlproof;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "errors: check failed: %s\n", what);
    ++failures;
  }
}

void show(const char* kind, const sp::error& e) { std::printf("%s: %s\n\n", kind, e.what()); }

struct add_user : sp::query<"INSERT INTO users (name, email) VALUES (?, ?)",
                            void(std::string_view, std::optional<std::string_view>)> {};
using emails = sp::query<"SELECT email FROM users ORDER BY id", std::string()>;
using small = sp::query<"SELECT 300", std::uint8_t()>;

struct two_fields {
  std::int64_t id;
  std::string name;
};
using everything = sp::query<"SELECT * FROM users", two_fields()>;  // users has 3 columns
using missing_table = sp::query<"SELECT name FROM people", std::string()>;
using all_ids = sp::query<"SELECT id FROM users", std::int64_t()>;

}  // namespace

int main() {
  sp::database db{":memory:", sp::options::in_memory()};
  db.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE)");
  db.exec<add_user>("Ann", "ann@example.org");
  db.exec<add_user>("Bo", std::nullopt);

  // [constraint]
  try {
    db.exec<add_user>("Ann again", "ann@example.org");
  } catch (const sp::constraint_error& e) {
    // e.extended_code() == 2067 (SQLITE_CONSTRAINT_UNIQUE), e.primary_code() == 19
    // e.sqlite_message() == "UNIQUE constraint failed: users.email"
    // e.query_name() names add_user, e.sql() is its SQL
    show("constraint_error", e);
    check(e.extended_code() == 2067 && e.primary_code() == 19, "constraint codes");
    check(e.sqlite_message() == "UNIQUE constraint failed: users.email", "constraint message");
    check(e.query_name().find("add_user") != std::string_view::npos, "query name");
    check(e.sql() == add_user::sql, "constraint sql");
  }
  // [constraint]

  // [type]
  try {
    (void)db.all<emails>();  // Bo's email is NULL, the row type is std::string
  } catch (const sp::type_error& e) {
    // e.column() == 0, e.column_name() == "email"; the message suggests std::optional
    show("type_error", e);
    check(e.column() == 0 && e.column_name() == "email", "type_error column");
  }
  try {
    (void)db.one<small>();  // 300 does not fit std::uint8_t: an error, never truncation
  } catch (const sp::type_error& e) {
    show("type_error", e);
    check(e.column() == 0, "range error column");
  }
  // [type]

  // [schema]
  try {
    (void)db.all<everything>();  // checked once, when the statement is prepared
  } catch (const sp::schema_error& e) {
    show("schema_error", e);
    check(e.sql() == everything::sql, "schema_error sql");
  }
  try {
    (void)db.all<missing_table>();  // SQLite refuses to prepare: SQLITE_ERROR
  } catch (const sp::error& e) {
    show("error", e);
    check(e.primary_code() == 1 && e.sqlite_message() == "no such table: people", "prepare error");
  }
  // [schema]

  // [open]
  try {
    sp::database missing{"/nonexistent-directory/app.db"};
  } catch (const sp::open_error& e) {
    show("open_error", e);
    check(e.primary_code() == 14, "SQLITE_CANTOPEN");
  }
  // [open]

  // [misuse]
  {
    sp::database other{":memory:"};
    other.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (1)");
    auto rows = other.iter<all_ids>();
    try {
      other.close();  // a row_range still holds a statement
    } catch (const sp::misuse_error& e) {
      show("misuse_error", e);
      check(other.is_open(), "still open after the refused close");
    }
  }
  // [misuse]

  if (failures != 0) return 1;
  std::puts("errors: ok");
  return 0;
}
