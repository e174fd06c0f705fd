// Typed queries: the row kinds (aggregate, tuple, scalar, void), the placeholder styles,
// RETURNING, and dynamic SQL through prepare / prepare_cached.

#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace sp = sqlproof;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "queries: check failed: %s\n", what);
    ++failures;
  }
}

// [row-kinds]
// An aggregate read by position: no table_traits needed.
struct name_and_age {
  std::string name;
  int age;
};

using add_person = sp::query<"INSERT INTO people (name, age, city) VALUES (?, ?, ?)",
                             void(std::string_view, int, std::optional<std::string_view>)>;
using by_name = sp::query<"SELECT name, age FROM people WHERE name = ?", name_and_age(std::string_view)>;
using name_city = sp::query<"SELECT name, city FROM people ORDER BY name",
                            std::tuple<std::string, std::optional<std::string>>()>;
using oldest_age = sp::query<"SELECT max(age) FROM people", std::optional<int>()>;
using clear_city = sp::query<"UPDATE people SET city = NULL WHERE age < ?", void(int)>;
// [row-kinds]

// [placeholders]
using numbered = sp::query<"SELECT count(*) FROM people WHERE age >= ?1 AND age < ?1 + ?2",
                           std::int64_t(int, int)>;
using colon = sp::query<"SELECT count(*) FROM people WHERE age >= :lo AND age < :lo + :span",
                        std::int64_t(int, int)>;
using at_sign = sp::query<"SELECT count(*) FROM people WHERE city = @city", std::int64_t(std::string_view)>;
using dollar = sp::query<"SELECT count(*) FROM people WHERE name = $name", std::int64_t(std::string_view)>;
// $1/$2 name their declared parameter, in any order in the text.
using dollar_n = sp::query<"SELECT count(*) FROM people WHERE age < $2 AND age >= $1",
                           std::int64_t(int, int)>;
// [placeholders]

// [returning]
using add_returning = sp::query<"INSERT INTO people (name, age) VALUES (?, ?) RETURNING id",
                                std::int64_t(std::string_view, int)>;
using birthday = sp::query<"UPDATE people SET age = age + 1 WHERE name = ? RETURNING name, age",
                           name_and_age(std::string_view)>;
// [returning]

// A struct derived from a query names it in error messages and traces.
struct count_people : sp::query<"SELECT count(*) FROM people", std::int64_t()> {};

}  // namespace

int main() {
  sp::database db{":memory:", sp::options::in_memory()};
  db.exec_script(
      "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER NOT NULL,"
      "                     city TEXT)");

  // [exec]
  sp::exec_result r = db.exec<add_person>("Ann", 31, "Oslo");
  db.exec<add_person>("Bo", 40, std::nullopt);
  db.exec<add_person>("Cy", 27, "Lima");
  // [exec]
  check(r.changes == 1 && r.last_insert_rowid == 1, "exec_result");

  // [one-all]
  std::optional<name_and_age> ann = db.one<by_name>("Ann");  // std::nullopt when no row
  std::vector<std::tuple<std::string, std::optional<std::string>>> cities = db.all<name_city>();
  std::optional<std::optional<int>> oldest = db.one<oldest_age>();  // a row whose value may be NULL
  // [one-all]
  check(ann && ann->age == 31, "one<by_name>");
  check(!db.one<by_name>("Nobody"), "one returns nullopt without a row");
  check(cities.size() == 3 && std::get<0>(cities[1]) == "Bo" && !std::get<1>(cities[1]), "tuple rows");
  check(oldest && *oldest == 40, "scalar row");

  check(db.one<numbered>(30, 10) == std::int64_t{1}, "?NNN");
  check(db.one<colon>(20, 15) == std::int64_t{2}, ":name");
  check(db.one<at_sign>("Oslo") == std::int64_t{1}, "@name");
  check(db.one<dollar>("Cy") == std::int64_t{1}, "$name");
  check(db.one<dollar_n>(30, 41) == std::int64_t{2}, "$1/$2 bound by number, not position");

  // [returning-use]
  std::optional<std::int64_t> id = db.one<add_returning>("Di", 52);
  std::optional<name_and_age> older = db.one<birthday>("Ann");
  // [returning-use]
  check(id == std::int64_t{4}, "RETURNING id");
  check(older && older->age == 32, "UPDATE ... RETURNING");

  check(db.exec<clear_city>(30).changes == 1, "UPDATE changes");  // Cy is 27
  check(db.one<count_people>() == std::int64_t{4}, "named query type");

  // [dynamic]
  // SQL known only at run time: the argument count is checked when the statement runs.
  sp::statement st = db.prepare_cached("SELECT name FROM people WHERE age > ? ORDER BY age");
  std::vector<std::string> names = st.all<std::string>(30);

  // Step by step, binding by name and reading column by column.
  sp::statement by_city = db.prepare("SELECT name, age FROM people WHERE city IS :city");
  by_city.bind(":city", std::optional<std::string>{});  // IS NULL
  std::vector<std::string> no_city;
  while (by_city.step()) no_city.push_back(by_city.column<std::string>(0));
  // [dynamic]
  check(names.size() == 3 && names[0] == "Ann" && names[2] == "Di", "statement::all");
  check(no_city.size() == 3, "statement::step");  // Bo, Cy (cleared), Di

  // [untrusted]
  // A value from outside (a form field, a request) is bound to a placeholder, never written
  // into the SQL text: whatever it holds, it is compared as a value, not run as SQL.
  const std::string input = "x' OR '1'='1";
  sp::statement named = db.prepare_cached("SELECT count(*) FROM people WHERE name = ?");
  std::optional<std::int64_t> matches = named.one<std::int64_t>(input);  // 0: no such name

  // A part of the SQL that varies (the column to sort by) is picked from the program's own
  // texts by a value the input was parsed into, never copied from the input.
  enum class sort_key { name, age };
  const sort_key key = sort_key::age;
  const char* sorted_sql = key == sort_key::age ? "SELECT name FROM people ORDER BY age, name"
                                                : "SELECT name FROM people ORDER BY name";
  std::vector<std::string> sorted = db.prepare_cached(sorted_sql).all<std::string>();
  // [untrusted]
  check(matches == std::int64_t{0}, "a bound value is not SQL");
  check(sorted.size() == 4 && sorted.front() == "Cy" && sorted.back() == "Di",
        "SQL picked from fixed texts");

  if (failures != 0) return 1;
  std::puts("queries: ok");
  return 0;
}
