// Binding a list for `IN (...)`: a std::vector or std::span binds as one JSON array, which
// SQLite's json_each expands. One statement serves lists of any length.

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace sp = sqlproof;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "in_list: check failed: %s\n", what);
    ++failures;
  }
}

// [queries]
using names_by_id = sp::query<
    "SELECT name FROM users WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
    std::string(std::vector<std::int64_t>)>;
using count_by_name = sp::query<
    "SELECT count(*) FROM users WHERE name IN (SELECT value FROM json_each(?))",
    std::int64_t(std::span<const std::string>)>;
using echo_list = sp::query<"SELECT ?", std::string(std::vector<std::string>)>;
// [queries]

}  // namespace

int main() {
  sp::database db{":memory:", sp::options::in_memory()};
  db.exec_script(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
      "INSERT INTO users (name) VALUES ('ann'), ('bo'), ('cy'), ('di \"the\" one');");

  // [use]
  std::vector<std::string> names = db.all<names_by_id>(std::vector<std::int64_t>{1, 3, 99});
  const std::vector<std::string> wanted{"bo", "di \"the\" one", "zed"};
  std::optional<std::int64_t> n = db.one<count_by_name>(std::span<const std::string>(wanted));
  std::vector<std::string> none = db.all<names_by_id>(std::vector<std::int64_t>{});  // "[]"
  // [use]
  check(names.size() == 2 && names[0] == "ann" && names[1] == "cy", "ids 1 and 3");
  check(n == std::int64_t{2}, "names matched, with quotes escaped");
  check(none.empty(), "an empty list matches nothing");

  // [encoding]
  std::optional<std::string> json = db.one<echo_list>(std::vector<std::string>{"a\"b", "c\\d"});
  // *json == R"(["a\"b","c\\d"])"
  // [encoding]
  check(json == std::string(R"(["a\"b","c\\d"])"), "JSON text");

  if (failures != 0) return 1;
  std::puts("in_list: ok");
  return 0;
}
