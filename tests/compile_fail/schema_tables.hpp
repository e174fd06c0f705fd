#pragma once
// The mapped tables the schema_*.cpp compile-fail cases query.
#include <sqlproof/sqlproof.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

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

template <>
struct sqlproof::table_traits<user> {
  static constexpr sqlproof::fixed_string name = "users";
  static constexpr auto columns = sqlproof::column_names("id", "name", "email", "age");
  static constexpr std::string_view primary_key = "id";
};

template <>
struct sqlproof::table_traits<post> {
  static constexpr sqlproof::fixed_string name = "posts";
  static constexpr auto columns =
      sqlproof::column_names("id", "author_id", "title", "body", "score", "published");
  static constexpr std::string_view primary_key = "id";
};

using app_schema = sqlproof::schema<user, post>;
template <sqlproof::fixed_string Sql, class Signature>
using app_query = sqlproof::query<Sql, Signature, app_schema>;
