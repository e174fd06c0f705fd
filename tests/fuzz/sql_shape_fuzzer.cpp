// Differential fuzzing of the compile-time SQL analysis (detail::analyse_sql, the same
// constexpr function the compiler runs) against sqlite3_prepare_v2.
//
// Whenever the analysis accepts a text and SQLite prepares it, both must agree on
//   - the statement count: the text holds exactly one statement (what follows it is only
//     semicolons, white space and comments);
//   - the placeholders: sqlite3_bind_parameter_count, and for $1/:1-style names, that every
//     declared parameter 1..N has a name and every name is one of them;
//   - the result columns: sqlite3_column_count equals an explicit SELECT list, VALUES row or
//     RETURNING list, and is 0 for a statement the analysis says returns no rows.
// Texts the analysis refuses on purpose are skipped: mixed placeholder styles, numbering gaps,
// several statements, lexical errors (including an embedded NUL, where SQLite stops reading)
// and unknown first words. Texts SQLite cannot prepare are skipped too: the library reports
// those when it prepares them.
//
// No class of accepted text is excluded from the oracle: a CREATE TRIGGER, whose body holds
// `;`, is one statement for both. Keywords used as names are compared like everything else:
// the clause words that end a select list are reserved in SQLite except WINDOW, which the
// analysis reads as SQLite does.

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <sqlproof/detail/sql_shape.hpp>

#include "fuzz_check.hpp"

namespace {

namespace sd = sqlproof::detail;
using sqlproof_fuzz::check;

sqlite3* schema_db() {
  static sqlite3* db = [] {
    sqlite3* d = nullptr;
    if (sqlite3_open(":memory:", &d) != SQLITE_OK) sqlproof_fuzz::fail("cannot open :memory:");
    // Prepare only, never step: nothing in the input runs. No ATTACH, so no file is named.
    sqlite3_limit(d, SQLITE_LIMIT_ATTACHED, 0);
    const char* schema =
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER UNIQUE, b INTEGER, c INTEGER, "
        "d INTEGER, name TEXT, j TEXT);"
        "CREATE TABLE u (id INTEGER PRIMARY KEY, t INTEGER, c INTEGER, d INTEGER);"
        "CREATE TABLE q (\"?\" INTEGER, [x?] TEXT);"
        "CREATE VIEW v AS SELECT a, b FROM t;";
    if (sqlite3_exec(d, schema, nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlproof_fuzz::fail("cannot create the schema");
    }
    return d;
  }();
  return db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  const sd::sql_shape shape = sd::analyse_sql(sql);  // runs on every input: crashes, UB
  if (shape.problem != sd::sql_problem::none) return 0;
  check(sql.find('\0') == std::string_view::npos, "the analysis accepted an embedded NUL", sql);

  sqlite3* db = schema_db();
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, &tail) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    return 0;
  }
  check(stmt != nullptr, "the analysis found a statement where SQLite found none", sql);

  // Statement count: the rest must hold no statement.
  const std::size_t used = static_cast<std::size_t>(tail - sql.data());
  const std::string_view rest = sql.substr(used);
  sqlite3_stmt* next = nullptr;
  const int next_rc =
      sqlite3_prepare_v2(db, rest.data(), static_cast<int>(rest.size()), &next, nullptr);
  sqlite3_finalize(next);
  check(next_rc == SQLITE_OK && next == nullptr,
        "the analysis sees one statement, SQLite finds more after the first", sql);

  // Placeholders.
  const int params = sqlite3_bind_parameter_count(stmt);
  check(static_cast<std::size_t>(params) == shape.sqlite_parameter_count,
        "sqlite3_bind_parameter_count differs from the analysis", sql);
  if (shape.numbered_names) {
    std::vector<bool> declared(shape.parameter_count + 1, false);
    for (int i = 1; i <= params; ++i) {
      const char* name = sqlite3_bind_parameter_name(stmt, i);
      check(name != nullptr && sd::is_numbered_name(std::string_view(name + 1)),
            "a $N-style query has a parameter that is not $N", sql);
      const std::size_t n = sd::parse_number(std::string_view(name + 1));
      check(n >= 1 && n <= shape.parameter_count, "a $N name is beyond the declared count", sql);
      declared[n] = true;
    }
    for (std::size_t k = 1; k <= shape.parameter_count; ++k) {
      check(declared[k], "a declared $N parameter has no placeholder in SQLite", sql);
    }
  } else {
    check(shape.parameter_count == shape.sqlite_parameter_count,
          "declared and SQLite parameter counts differ for unnumbered names", sql);
  }

  // Result columns.
  const int columns = sqlite3_column_count(stmt);
  if (shape.rows == sd::returns_rows::no) {
    check(columns == 0, "the analysis says no rows, SQLite has result columns", sql);
  } else if (shape.rows == sd::returns_rows::yes && shape.result_columns != sd::unknown_count) {
    check(static_cast<std::size_t>(columns) == shape.result_columns,
          "sqlite3_column_count differs from the analysis", sql);
  }
  sqlite3_finalize(stmt);
  return 0;
}
