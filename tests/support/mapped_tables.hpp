#pragma once
// The two mapped tables the schema tests, the schema compile-fail cases and the schema
// compile-cost measurement query: users and their posts.

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sqlproof_test {

struct user {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  int age;
};

struct post {
  std::int64_t id;
  std::int64_t author_id;
  std::string title;
  std::optional<std::string> body;
  double score;
  bool published;
};

}  // namespace sqlproof_test

template <>
struct sqlproof::table_traits<sqlproof_test::user> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "name", "email", "age");
  static constexpr std::string_view primary_key = "id";
};

template <>
struct sqlproof::table_traits<sqlproof_test::post> {
  static constexpr sqlproof::fixed_string name = "posts";
  static constexpr auto columns =
      sqlproof::column_names("id", "author_id", "title", "body", "score", "published");
  static constexpr std::string_view primary_key = "id";
};
