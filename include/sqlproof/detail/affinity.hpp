#pragma once
// Column affinity from a declared column type, by SQLite's rules
// (https://sqlite.org/datatype3.html#determination_of_column_affinity), and which affinities a
// value family can be read from.

#include <cstddef>
#include <string_view>

#include "../value.hpp"
#include "sql_lexer.hpp"

namespace sqlproof::detail {

enum class affinity { integer, text, blob, real, numeric };

constexpr bool contains_nocase(std::string_view hay, std::string_view needle) noexcept {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// SQLite's rules in its order: the first declared-type substring that matches decides.
constexpr affinity affinity_of(std::string_view declared) noexcept {
  struct rule {
    std::string_view needle;
    affinity result;
  };
  constexpr rule rules[] = {{"INT", affinity::integer}, {"CHAR", affinity::text},
                            {"CLOB", affinity::text},   {"TEXT", affinity::text},
                            {"BLOB", affinity::blob},   {"REAL", affinity::real},
                            {"FLOA", affinity::real},   {"DOUB", affinity::real}};
  if (declared.empty()) return affinity::blob;
  for (const rule& r : rules) {
    if (contains_nocase(declared, r.needle)) return r.result;
  }
  return affinity::numeric;
}

// Whether a column of this affinity can hold values that a field of this family reads without
// a type_error. Only combinations that can never work are refused: an INTEGER or REAL column
// turns numeric text into numbers and a TEXT column turns numbers into text, so reading across
// those families fails on every row that is not NULL. BLOB (no affinity) and NUMERIC columns
// keep what they are given, so every family may read them.
constexpr bool affinity_readable_as(affinity a, value_family f) noexcept {
  if (a == affinity::blob || a == affinity::numeric) return true;
  switch (f) {
    case value_family::integer:
    case value_family::boolean: return a == affinity::integer;
    case value_family::real: return a == affinity::integer || a == affinity::real;
    case value_family::text: return a == affinity::text;
    case value_family::blob: return false;
    case value_family::json_list: return true;
  }
  return true;
}

}  // namespace sqlproof::detail
