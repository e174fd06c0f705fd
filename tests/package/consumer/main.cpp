// The program every package test builds: it must compile, link and run with nothing but
// what the package gives (include path, C++20, SQLite, Boost headers).

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

struct item {
  std::int64_t id;
  std::string label;
};

using add_item = sqlproof::query<"INSERT INTO items (label) VALUES (?)", void(std::string_view)>;
using get_item = sqlproof::query<"SELECT id, label FROM items WHERE id = ?", item(std::int64_t)>;

int main() {
  sqlproof::database db{":memory:"};
  db.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)");
  auto r = db.exec<add_item>("packaged");
  auto it = db.one<get_item>(r.last_insert_rowid);
  if (!it || it->label != "packaged") return 1;
  std::puts("consumer ok");
}
