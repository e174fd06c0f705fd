// The per-connection statement cache: typed queries prepare once, dynamic SQL goes through a
// bounded LRU, and a query used again while it is running gets a second statement.

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace sp = sqlproof;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "statement_cache: check failed: %s\n", what);
    ++failures;
  }
}

using add_item = sp::query<"INSERT INTO items (label) VALUES (?)", void(std::string_view)>;
using item_ids = sp::query<"SELECT id FROM items ORDER BY id", std::int64_t()>;
using label_of = sp::query<"SELECT label FROM items WHERE id = ?", std::string(std::int64_t)>;

}  // namespace

int main() {
  // [capacity]
  sp::options o = sp::options::in_memory();
  o.statement_cache_capacity = 2;  // dynamic-SQL statements kept; typed queries are not counted
  sp::database db{":memory:", o};
  // [capacity]
  db.exec_script("CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)");

  // [typed]
  for (const char* label : {"a", "b", "c"}) db.exec<add_item>(label);
  sp::statement_cache_stats s = db.cache().stats();
  // s.misses == 1 (the first exec prepared), s.hits == 2, s.typed == 1
  // [typed]
  check(s.misses == 1 && s.hits == 2 && s.prepares == 1 && s.typed == 1, "typed: one prepare");

  // [reentrant]
  // label_of runs inside a loop over item_ids; each query has its own cached statement.
  // Running item_ids itself inside the loop would prepare a second, private statement.
  std::string labels;
  for (std::int64_t id : db.iter<item_ids>()) {
    labels += db.one<label_of>(id).value_or("?");
    for (std::int64_t inner : db.iter<item_ids>()) (void)inner;  // re-entrant: works
  }
  // [reentrant]
  check(labels == "abc", "iteration with a nested query");
  check(db.cache().stats().in_use == 0, "every statement returned");

  // [dynamic]
  const auto before = db.cache().stats();
  (void)db.prepare_cached("SELECT 1").one<int>();
  (void)db.prepare_cached("SELECT 2").one<int>();
  (void)db.prepare_cached("SELECT 1").one<int>();  // hit
  (void)db.prepare_cached("SELECT 3").one<int>();  // evicts "SELECT 2", the least recently used
  std::vector<std::string> kept = db.cache().dynamic_sql();  // {"SELECT 3", "SELECT 1"}
  const auto after = db.cache().stats();
  // [dynamic]
  check(kept.size() == 2 && kept[0] == "SELECT 3" && kept[1] == "SELECT 1", "LRU order");
  check(after.evictions - before.evictions == 1, "one eviction");
  check(after.hits - before.hits == 1, "one dynamic hit");

  // [uncached]
  (void)db.prepare("SELECT 4").one<int>();  // prepared, run, finalized: never cached
  // [uncached]
  check(db.cache().dynamic_sql().size() == 2, "prepare() does not cache");

  // [clear]
  db.cache().clear();  // finalizes every idle statement; the next use prepares again
  // [clear]
  const auto cleared = db.cache().stats();
  check(cleared.typed == 0 && cleared.dynamic == 0, "cleared");

  if (failures != 0) return 1;
  std::puts("statement_cache: ok");
  return 0;
}
