// The users of the separate-compilation example: the queries live in users.cpp, and the
// rest of the program sees plain functions.
#pragma once

#include <sqlproof/database.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct User {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
};

void create_users_table(sqlproof::database& db);
std::int64_t add_user(sqlproof::database& db, std::string_view name,
                      std::optional<std::string_view> email);
std::optional<User> find_user(sqlproof::database& db, std::int64_t id);
std::vector<User> all_users(sqlproof::database& db);
