// Conan test package: opens an in-memory database and runs typed queries through the packaged
// headers, SQLite and Boost.PFR. Exits non-zero when a result is not what was inserted.

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace sp = sqlproof;

struct tool {
  std::int64_t id;
  std::string name;
};

using add_tool = sp::query<"INSERT INTO tools (name) VALUES (?)", void(std::string_view)>;
using find_tool = sp::query<"SELECT id, name FROM tools WHERE id = ?", tool(std::int64_t)>;
using count_tools = sp::query<"SELECT count(*) FROM tools", std::int64_t()>;

int main() {
  sp::database db{":memory:", sp::options::in_memory()};
  db.exec_script("CREATE TABLE tools (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  const auto r = db.exec<add_tool>("conan");
  const auto found = db.one<find_tool>(r.last_insert_rowid);
  if (!found || found->name != "conan" || db.one<count_tools>().value_or(0) != 1) {
    std::puts("sqlproof test_package: unexpected result");
    return 1;
  }
  std::printf("sqlproof %d.%d.%d test_package ok\n", sp::version.major, sp::version.minor,
              sp::version.patch);
  return 0;
}
