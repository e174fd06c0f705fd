// The keyword table of the schema analysis: what each keyword may also be is written out in
// the table (see detail/sql_schema_check.hpp); here it is checked against the word lists it
// was taken from (parse.y's %fallback ID), so that an edit to either shows.
#include <sqlproof/detail/sql_schema_check.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "../catch.hpp"

namespace {

using sqlproof::detail::iequals;
using sqlproof::detail::sqlite_keywords;

// Keywords SQLite lets name a column after which an expression may end (an alias may follow).
constexpr std::string_view column_may_end[] = {
    "ABORT", "ACTION", "AFTER", "ALWAYS", "ANALYZE", "ASC", "ATTACH", "BEFORE", "BEGIN",
    "CASCADE", "COLUMN", "CONFLICT", "CURRENT", "CURRENT_DATE", "CURRENT_TIME",
    "CURRENT_TIMESTAMP", "DATABASE", "DEFERRED", "DESC", "DETACH", "DO", "EACH", "END",
    "EXCLUDE", "EXCLUSIVE", "EXPLAIN", "FAIL", "FILTER", "FIRST", "FOLLOWING", "FOR",
    "GENERATED", "GROUPS", "IF", "IGNORE", "IMMEDIATE", "INITIALLY", "INSTEAD", "KEY",
    "LAST", "MATERIALIZED", "NO", "NULLS", "OF", "OTHERS", "OVER", "PARTITION", "PLAN",
    "PRAGMA", "PRECEDING", "QUERY", "RAISE", "RANGE", "RECURSIVE", "REINDEX", "RELEASE",
    "RENAME", "REPLACE", "RESTRICT", "ROW", "ROWS", "SAVEPOINT", "TEMP", "TIES", "TRIGGER",
    "UNBOUNDED", "VACUUM", "VIEW", "VIRTUAL", "WINDOW", "WITH", "WITHOUT"};

// Keywords that may name a column but that an operand follows.
constexpr std::string_view column_operand_follows[] = {"BY",     "MATCH",  "LIKE", "GLOB",
                                                       "REGEXP", "OFFSET", "CAST"};

template <std::size_t N>
constexpr bool listed(const std::string_view (&words)[N], std::string_view w) {
  for (const std::string_view k : words) {
    if (iequals(k, w)) return true;
  }
  return false;
}

constexpr unsigned char expected_flags(std::string_view w) {
  using namespace sqlproof::detail;
  if (listed(column_may_end, w)) return col_end;
  if (listed(column_operand_follows, w)) return col;
  return 0;
}

// The index of the first entry whose flags differ from the lists, or the table's size.
constexpr std::size_t first_disagreement() {
  std::size_t i = 0;
  for (const auto& entry : sqlite_keywords<>) {
    if (entry.flags != expected_flags(entry.text)) return i;
    ++i;
  }
  return i;
}

template <std::size_t N>
constexpr bool all_in_table(const std::string_view (&words)[N]) {
  for (const std::string_view w : words) {
    bool found = false;
    for (const auto& entry : sqlite_keywords<>) found = found || entry.text == w;
    if (!found) return false;
  }
  return true;
}

constexpr std::size_t table_size = sizeof(sqlite_keywords<>) / sizeof(sqlite_keywords<>[0]);

static_assert(first_disagreement() == table_size);
static_assert(all_in_table(column_may_end) && all_in_table(column_operand_follows));

}  // namespace

TEST_CASE("every keyword's column flags agree with SQLite's fallback lists", "[schema]") {
  for (const auto& entry : sqlite_keywords<>) {
    INFO(std::string(entry.text));
    CHECK(static_cast<int>(entry.flags) == static_cast<int>(expected_flags(entry.text)));
  }
  CHECK(all_in_table(column_may_end));
  CHECK(all_in_table(column_operand_follows));
}

TEST_CASE("keyword lookup is case-insensitive and gives the entry's flags", "[schema]") {
  using namespace sqlproof::detail;
  CHECK(keyword_lookup("select").id == kw::select_);
  CHECK(keyword_lookup("SeLeCt").flags == 0);
  CHECK(keyword_lookup("key").id == kw::other);
  CHECK(keyword_lookup("key").flags == col_end);
  CHECK(keyword_lookup("Offset").id == kw::offset_);
  CHECK(keyword_lookup("Offset").flags == col);
  CHECK(keyword_lookup("users").id == kw::none);
  CHECK(keyword_lookup("x").id == kw::none);
  CHECK(keyword_lookup("CURRENT_TIMESTAMPS").id == kw::none);
}

namespace {

// Whether keyword_lookup finds every entry of the table, spelled as in the table and in lower
// case, as that entry (its id and flags), and reads a word one letter off as no keyword.
constexpr bool every_entry_found() {
  using namespace sqlproof::detail;
  for (const auto& entry : sqlite_keywords<>) {
    char lower[32]{};
    char changed[32]{};
    for (std::size_t i = 0; i < entry.text.size(); ++i) {
      lower[i] = ascii_lower(entry.text[i]);
      changed[i] = lower[i];
    }
    changed[entry.text.size() - 1] = '~';  // no keyword has this character
    const std::string_view spellings[] = {entry.text, {lower, entry.text.size()}};
    for (const std::string_view w : spellings) {
      const keyword_match m = keyword_lookup(w);
      if (m.id != entry.id || m.flags != entry.flags) return false;
    }
    if (keyword_lookup({changed, entry.text.size()}).id != kw::none) return false;
  }
  return true;
}
static_assert(every_entry_found());

}  // namespace

TEST_CASE("keyword lookup finds every entry of the table as itself", "[schema]") {
  using namespace sqlproof::detail;
  CHECK(every_entry_found());
  for (const auto& entry : sqlite_keywords<>) {
    INFO(std::string(entry.text));
    CHECK(keyword_lookup(entry.text).id == entry.id);
  }
  CHECK(keyword_lookup("_select").id == kw::none);  // not a letter first: no keyword
  CHECK(keyword_lookup("9select").id == kw::none);
}
