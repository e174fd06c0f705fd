#pragma once
/// @file
/// `verify_schema<Tables...>(db)`: compares mapped tables with a live database, so a test can
/// check the migrations and the mappings against each other.
/// @code
/// sqlproof::database db{":memory:"};
/// sqlproof::migrator{db, migrations}.migrate();
/// const auto report = sqlproof::verify_schema<User, Post>(db);
/// REQUIRE(report.ok());  // report.to_string() lists every difference
/// @endcode

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "database.hpp"
#include "../detail/affinity.hpp"
#include "../detail/reflect.hpp"
#include "../detail/sql_lexer.hpp"
#include "../schema.hpp"
#include "../table.hpp"
#include "../value.hpp"

namespace sqlproof {

/// One way a mapped table differs from the database's table.
struct schema_difference {
  enum class kind {
    missing_table,   ///< the database has no table of the mapped name
    missing_column,  ///< a mapped column the table lacks
    extra_column,    ///< a table column no field maps
    column_order,    ///< the column exists at another position (`SELECT *` reads by position)
    declared_type,   ///< the declared type's affinity does not fit the field's type
    not_null,        ///< NOT NULL differs from the field's optionality
    primary_key,     ///< the primary key differs from `table_traits<T>::primary_key`
  };
  kind what;
  std::string table;
  std::string column;   ///< empty for table-level differences
  std::string message;  ///< one line a person can act on
};

/// What `verify_schema` found: every difference, in table and column order.
struct schema_report {
  std::vector<schema_difference> differences;

  /// True when the database matches every mapping.
  [[nodiscard]] bool ok() const noexcept { return differences.empty(); }
  /// One line per difference (empty when ok).
  [[nodiscard]] std::string to_string() const {
    std::string out;
    for (const auto& d : differences) {
      out += d.message;
      out += '\n';
    }
    return out;
  }
};

namespace detail {

SQLPROOF_DECL bool affinity_fits(value_family f, affinity a) noexcept
#if SQLPROOF_DEFINITIONS
{
  switch (f) {
    case value_family::integer:
    case value_family::boolean: return a == affinity::integer || a == affinity::numeric;
    case value_family::real: return a == affinity::real || a == affinity::numeric;
    case value_family::text: return a == affinity::text;
    case value_family::blob: return a == affinity::blob;
    case value_family::json_list: return a == affinity::text;
  }
  return true;
}
#else
    ;
#endif

SQLPROOF_DECL std::string_view family_name(value_family f) noexcept
#if SQLPROOF_DEFINITIONS
{
  switch (f) {
    case value_family::integer: return "integer";
    case value_family::real: return "real";
    case value_family::text: return "text";
    case value_family::blob: return "blob";
    case value_family::boolean: return "bool";
    case value_family::json_list: return "list";
  }
  return "?";
}
#else
    ;
#endif

struct live_column {
  std::string name;
  std::string type;
  bool not_null = false;
  int pk = 0;  // position in the primary key from 1, 0 when not part of it
};

template <class T>
void verify_table(database& db, schema_report& report) {
  const std::string table(table_name<T>);
  auto st = db.prepare(
      "SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo(?) WHERE hidden IN (0, 2, 3) "
      "ORDER BY cid");
  std::vector<live_column> live;
  for (auto& [name, type, not_null, pk] :
       st.all<std::tuple<std::string, std::string, int, int>>(table)) {
    live.push_back({std::move(name), std::move(type), not_null != 0, pk});
  }
  auto add = [&](schema_difference::kind k, std::string column, std::string message) {
    std::string line = "table '" + table + "'";
    if (!column.empty()) line += ", column '" + column + "'";
    line += ": " + message;
    report.differences.push_back({k, table, std::move(column), std::move(line)});
  };
  if (live.empty()) {
    add(schema_difference::kind::missing_table, {},
        "does not exist in the database (mapped by " + std::string(type_name<T>) + ")");
    return;
  }
  int pk_columns = 0;
  for (const auto& c : live) pk_columns += c.pk > 0 ? 1 : 0;

  constexpr auto names = table_columns<T>();
  constexpr auto& infos = column_infos_of<T>;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string column(names[i]);
    std::size_t at = live.size();
    for (std::size_t k = 0; k < live.size(); ++k) {
      if (iequals(live[k].name, names[i])) at = k;
    }
    if (at == live.size()) {
      add(schema_difference::kind::missing_column, column,
          "is mapped (field " + std::to_string(i) + ") but the table has no such column");
      continue;
    }
    const live_column& c = live[at];
    if (at != i) {
      add(schema_difference::kind::column_order, column,
          "is field " + std::to_string(i) + " of the mapping but column " + std::to_string(at) +
              " of the table; SELECT * would read it into the wrong field");
    }
    if (infos[i].family_known && !affinity_fits(infos[i].family, affinity_of(c.type))) {
      add(schema_difference::kind::declared_type, column,
          "declared type '" + c.type + "' does not fit the field's " +
              std::string(family_name(infos[i].family)) + " type");
    }
    // An INTEGER PRIMARY KEY is the rowid: never NULL, with or without NOT NULL.
    const bool rowid_alias = c.pk == 1 && pk_columns == 1 && iequals(c.type, "INTEGER");
    const bool not_null = c.not_null || rowid_alias;
    if (not_null && infos[i].nullable) {
      add(schema_difference::kind::not_null, column,
          "is NOT NULL but its field is std::optional; drop std::optional from the field or "
          "NOT NULL from the column");
    } else if (!not_null && !infos[i].nullable) {
      add(schema_difference::kind::not_null, column,
          "may hold NULL but its field is not std::optional; declare the field std::optional "
          "or the column NOT NULL");
    }
  }
  for (std::size_t k = 0; k < live.size(); ++k) {
    bool mapped = false;
    for (const auto n : names) mapped = mapped || iequals(live[k].name, n);
    if (!mapped) {
      add(schema_difference::kind::extra_column, live[k].name,
          "exists in the table but no field of " + std::string(type_name<T>) + " maps it");
    }
  }
  const std::string_view declared_pk = table_primary_key<T>();
  if (!declared_pk.empty()) {
    std::string live_pk;
    for (const auto& c : live) {
      if (c.pk > 0) live_pk += (live_pk.empty() ? "" : ", ") + c.name;
    }
    if (!iequals(live_pk, declared_pk)) {
      add(schema_difference::kind::primary_key, {},
          "primary key is (" + live_pk + ") but table_traits declares '" +
              std::string(declared_pk) + "'");
    }
  }
}

}  // namespace detail

/// Compares each mapped table with the database's table of the same name, using
/// `PRAGMA table_xinfo`: the table exists; each mapped column exists at its field's
/// position; its declared type's affinity fits the field's type (integer and bool: INTEGER or
/// NUMERIC; real: REAL or NUMERIC; text: TEXT; blob: BLOB); NOT NULL matches the field's
/// optionality (an INTEGER PRIMARY KEY counts as NOT NULL); no column is left unmapped; and
/// the primary key is the one `table_traits<T>::primary_key` declares, where it declares one.
/// Returns every difference rather than stopping at the first. Throws `error` when the
/// database cannot be read.
template <mapped_table... Tables>
schema_report verify_schema(database& db) {
  schema_report report;
  (detail::verify_table<Tables>(db, report), ...);
  return report;
}

/// The same for the tables of a `schema<...>`: `verify_schema(db, app_schema{})`.
template <mapped_table... Tables>
schema_report verify_schema(database& db, schema<Tables...>) {
  return verify_schema<Tables...>(db);
}

}  // namespace sqlproof
