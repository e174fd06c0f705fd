// The queries of the separate-compilation example. This file is compiled with
// SQLPROOF_SEPARATE_COMPILATION like the others: it compiles its own queries, and calls the
// library's fixed code (opening, errors, transactions) in sqlproof.cpp.
#include "users.hpp"

namespace sp = sqlproof;

namespace {

using insert_user = sp::query<"INSERT INTO users (name, email) VALUES (?, ?)",
                              void(std::string_view, std::optional<std::string_view>)>;
using user_by_id = sp::query<"SELECT id, name, email FROM users WHERE id = ?",
                             User(std::int64_t)>;
using every_user = sp::query<"SELECT id, name, email FROM users ORDER BY id", User()>;

}  // namespace

void create_users_table(sp::database& db) {
  db.exec_script(
      "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "email TEXT)");
}

std::int64_t add_user(sp::database& db, std::string_view name,
                      std::optional<std::string_view> email) {
  return db.exec<insert_user>(name, email).last_insert_rowid;
}

std::optional<User> find_user(sp::database& db, std::int64_t id) {
  return db.one<user_by_id>(id);
}

std::vector<User> all_users(sp::database& db) { return db.all<every_user>(); }
