#pragma once
/// @file
/// `schema_of<migrations>`: the schema the migrations build, derived by the compiler from
/// their SQL, for queries to be checked against.
///
/// @code
/// constexpr auto migrations = sqlproof::migrations(
///     sqlproof::migration<1, "create users">(
///         sqlproof::up("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
///         sqlproof::down("DROP TABLE users")),
///     sqlproof::migration<2, "add email">(
///         sqlproof::up("ALTER TABLE users ADD COLUMN email TEXT"),
///         sqlproof::down("ALTER TABLE users DROP COLUMN email")));
///
/// using app_schema = sqlproof::schema_of<migrations>;
/// template <sqlproof::fixed_string Sql, class Signature>
/// using app_query = sqlproof::query<Sql, Signature, app_schema>;
///
/// using find_email = app_query<"SELECT email FROM users WHERE id = ?",
///                              std::optional<std::string>(std::int64_t)>;
/// @endcode
///
/// The compiler replays each migration's up SQL in order (CREATE TABLE, CREATE VIEW, ALTER
/// TABLE ADD / RENAME / DROP COLUMN and RENAME TO, DROP TABLE and DROP VIEW) and checks a
/// query against the tables as the migrations leave them, as it checks one against mapped
/// tables (schema.hpp): column names, parameter types, NOT NULL, result columns. The schema is
/// complete, so a table the migrations never create is an error too. A column's family
/// follows SQLite's type affinity (INTEGER, REAL, TEXT, BLOB; BOOL/BOOLEAN is bool; NUMERIC
/// types such as DATE or DECIMAL and columns without a type are not checked); a column is
/// nullable unless it is NOT NULL, `INTEGER PRIMARY KEY`, or in the primary key of a
/// WITHOUT ROWID table. A table built by DDL the replay does not follow (CREATE TABLE ... AS
/// SELECT, virtual tables) is known to exist but its columns are not checked: valid SQL is
/// never rejected. docs/compile-time-checks.md lists the forms followed.
///
/// A query's mapped row type, and any type passed to `check_mapping` or `fits_schema`, is
/// checked against the derived table: every mapped column must exist, each field's type must
/// fit its column's family (a `bool` field fits an INTEGER column) and a field is
/// `std::optional` exactly when its column is nullable (a `std::optional` field may map the
/// `INTEGER PRIMARY KEY`, which assigns itself when NULL is inserted).
///
/// Run-time migration lists are not derived; `verify_schema<Tables...>(db)` still compares
/// mappings with a live database.

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "detail/ddl_replay.hpp"
#include "detail/schema_diagnostics.hpp"
#include "migration_list.hpp"
#include "table.hpp"

namespace sqlproof {

template <const auto& Migrations>
struct schema_of;

namespace detail {

// Every up statement of a compile-time migration list, in order.
template <class List>
struct migration_texts {
  static constexpr bool is_list = false;
};
template <class... Ms>
struct migration_texts<migration_list<Ms...>> {
  static constexpr bool is_list = true;
  static constexpr std::size_t count = (std::size_t{0} + ... + std::tuple_size_v<decltype(Ms::up_statements)>);
  static constexpr std::array<std::string_view, count == 0 ? 1 : count> of(
      const migration_list<Ms...>& list) noexcept {
    std::array<std::string_view, count == 0 ? 1 : count> out{};
    std::size_t k = 0;
    std::apply([&](const auto&... m) { ((copy_texts(m.up_statements, out, k)), ...); }, list.items);
    return out;
  }
  template <class From, class To>
  static constexpr void copy_texts(const From& from, To& to, std::size_t& k) noexcept {
    for (const std::string_view s : from) to[k++] = s;
  }
};

// The replay's result in arrays of at most T tables and C columns.
template <std::size_t T, std::size_t C>
struct replayed_schema {
  std::array<table_info, T> tables{};
  std::array<column_info, C> columns{};
  std::array<std::size_t, T> rowid_alias{};
  std::size_t table_count = 0;
  std::size_t column_count = 0;
  bool names_plain = true;
  bool fits = false;  // the arrays hold the whole result
};

template <std::size_t T, std::size_t C>
constexpr replayed_schema<T, C> replay_into(const std::string_view* texts, std::size_t count) {
  const ddl_replay replay{texts, count};
  replayed_schema<T, C> out{};
  out.table_count = replay.table_count();
  out.column_count = replay.column_count();
  out.names_plain = replay.names_plain();
  out.fits = out.table_count <= T && out.column_count <= C;
  if (out.fits) replay.write(out.tables.data(), out.columns.data(), out.rowid_alias.data());
  return out;
}

// The tables the migrations leave, as static arrays the analysis reads. The replay is the
// cost (a constant evaluation over every token of the migrations' SQL), so it runs once, into
// arrays sized from the length of the SQL (a table's DDL is rarely under 24 characters, a
// column's under 8); only a schema that does not fit them is replayed again into arrays of
// its exact size.
template <const auto& Migrations>
struct derived_schema {
  using texts_of = migration_texts<std::remove_cvref_t<decltype(Migrations)>>;
  static constexpr auto texts = texts_of::of(Migrations);
  static constexpr std::size_t sql_size = [] {
    std::size_t n = 0;
    for (std::size_t k = 0; k < texts_of::count; ++k) n += texts[k].size();
    return n;
  }();

  static constexpr auto first = replay_into<sql_size / 24 + 4, sql_size / 8 + 8>(
      texts.data(), texts_of::count);
  template <class = void>
  static constexpr auto exact =
      replay_into<first.table_count == 0 ? 1 : first.table_count,
                  first.column_count == 0 ? 1 : first.column_count>(texts.data(), texts_of::count);
  static constexpr const auto& replayed() {
    if constexpr (first.fits) {
      return first;
    } else {
      return exact<>;
    }
  }
  static constexpr const auto& raw = replayed();

  static constexpr std::size_t table_count = raw.table_count;
  static constexpr std::size_t table_slots = table_count == 0 ? 1 : table_count;
  static constexpr std::array<table_info, table_slots> tables = [] {
    std::array<table_info, table_slots> out{};
    std::size_t first_column = 0;
    for (std::size_t t = 0; t < table_count; ++t) {
      out[t] = raw.tables[t];
      out[t].columns = raw.columns.data() + first_column;
      first_column += out[t].column_count;
    }
    return out;
  }();
  static constexpr std::array<const table_info*, table_slots> table_pointers = [] {
    std::array<const table_info*, table_slots> out{};
    for (std::size_t i = 0; i < table_count; ++i) out[i] = &tables[i];
    return out;
  }();
};

// ---- mapping errors: one function template per kind, as in schema_diagnostics.hpp -------

template <class... Particulars>
inline constexpr bool mapping_reported = false;

template <class Table, class MappedType>
consteval bool mapped_table_not_created_by_migrations() {
  static_assert(mapping_reported<Table, MappedType>,
                "sqlproof: a mapped table is not among the tables the migrations create (or "
                "a migration drops or renames it); fix table_traits<T>::name or add a migration "
                "that creates it (see mapped_table_not_created_by_migrations<table<name>, "
                "mapped type>)");
  return false;
}

template <class Table, class Column, std::size_t Field, class MappedType>
consteval bool mapped_column_not_in_table() {
  static_assert(mapping_reported<Table, Column, MappedType>,
                "sqlproof: a mapped column is not a column of its table as the migrations leave "
                "it; fix the name in table_traits<T>::columns or add the column in a migration "
                "(see mapped_column_not_in_table<table<name>, column<name>, field position from "
                "0, mapped type>)");
  return false;
}

template <class Table, class Column, std::size_t Field, class FieldType, value_family ColumnFamily>
consteval bool mapped_field_does_not_fit_column() {
  static_assert(mapping_reported<Table, Column, FieldType>,
                "sqlproof: a mapped field's type does not fit the column the migrations "
                "declare (a field must read and write its column without loss); change the "
                "field's type or the column's (see mapped_field_does_not_fit_column<table<name>, "
                "column<name>, field position from 0, field type, column's family>)");
  return false;
}

template <class Table, class Column, std::size_t Field, class FieldType>
consteval bool optional_field_for_not_null_column() {
  static_assert(mapping_reported<Table, Column, FieldType>,
                "sqlproof: a mapped field is std::optional but the migrations declare its "
                "column NOT NULL; declare the field without std::optional, or drop NOT NULL "
                "(see optional_field_for_not_null_column<table<name>, column<name>, field "
                "position from 0, field type>)");
  return false;
}

template <class Table, class Column, std::size_t Field, class FieldType>
consteval bool nullable_column_for_required_field() {
  static_assert(mapping_reported<Table, Column, FieldType>,
                "sqlproof: the migrations declare a mapped column nullable but its field is not "
                "std::optional; declare the field std::optional<T>, or the column NOT NULL "
                "(see nullable_column_for_required_field<table<name>, column<name>, field "
                "position from 0, field type>)");
  return false;
}

template <const auto& Migrations>
consteval bool schema_of_takes_migrations() {
  static_assert(migration_texts<std::remove_cvref_t<decltype(Migrations)>>::is_list,
                "sqlproof: schema_of<M> takes a constexpr migration list made by "
                "sqlproof::migrations(...), e.g. constexpr auto migrations = "
                "sqlproof::migrations(...); using app_schema = sqlproof::schema_of<migrations>;");
  return false;
}

template <class T, const auto& Migrations>
consteval mapping_issue mapping_issue_of() {
  using derived = derived_schema<Migrations>;
  return check_mapping_fit(derived::table_pointers.data(), derived::raw.rowid_alias.data(),
                           derived::table_count, table_name<T>, column_infos_of<T>.data(),
                           column_infos_of<T>.size());
}

// True when mapped type T fits the derived schema; otherwise one of the errors above.
template <class T, const auto& Migrations>
consteval bool check_mapping_against_migrations() {
  if constexpr (!migration_texts<std::remove_cvref_t<decltype(Migrations)>>::is_list) {
    return schema_of_takes_migrations<Migrations>();
  } else if constexpr (!usable_mapping<T>()) {
    return check_table_mapping<T>();
  } else {
    constexpr mapping_issue issue = mapping_issue_of<T, Migrations>();
    using table_t = spelled<table, make_text<issue.table.size()>(issue.table)>;
    using column_t = spelled<column, make_text<issue.column.size()>(issue.column)>;
    if constexpr (issue.kind == mapping_issue_kind::none) {
      return true;
    } else if constexpr (issue.kind == mapping_issue_kind::missing_table) {
      return mapped_table_not_created_by_migrations<table_t, T>();
    } else if constexpr (issue.kind == mapping_issue_kind::missing_column) {
      return mapped_column_not_in_table<table_t, column_t, issue.field, T>();
    } else if constexpr (issue.kind == mapping_issue_kind::family) {
      return mapped_field_does_not_fit_column<table_t, column_t, issue.field,
                                              field_type<issue.field, T>, issue.family>();
    } else if constexpr (issue.kind == mapping_issue_kind::optional_field) {
      return optional_field_for_not_null_column<table_t, column_t, issue.field,
                                                field_type<issue.field, T>>();
    } else {
      return nullable_column_for_required_field<table_t, column_t, issue.field,
                                                field_type<issue.field, T>>();
    }
  }
}

// A query checked against schema_of<M>: its tables are the derived ones, and a mapped row
// type is checked against them first. When that check fails its error has been given, and
// no table is handed to the analysis, so one mistake gives one message.
template <const auto& Migrations, class Row>
struct tables_of<schema_of<Migrations>, Row> {
  using derived = derived_schema<Migrations>;
  static constexpr bool row_fits = [] {
    if constexpr (usable_mapping<Row>()) {
      return check_mapping_against_migrations<Row, Migrations>();
    } else {
      return true;
    }
  }();
  static constexpr std::size_t size = row_fits ? derived::table_count : 0;
  // A name holding a quote character cannot be matched, so such a schema claims no more than
  // the tables it lists.
  static constexpr bool complete = derived::raw.names_plain;
  static constexpr const auto& value = derived::table_pointers;
};

template <const auto& Migrations>
struct schema_parts<schema_of<Migrations>> {
  static constexpr bool is_schema = true;
  static constexpr bool all_mapped = migration_texts<std::remove_cvref_t<decltype(Migrations)>>::is_list;
  static constexpr bool all_usable = true;
  static consteval bool report_unmapped() { return schema_of_takes_migrations<Migrations>(); }
  static consteval bool report_mapping() { return true; }
};

}  // namespace detail

/// The schema a compile-time migration list builds, for use as the third argument of
/// `query<>`: queries are checked against the tables and views as the migrations' up SQL
/// leaves them. `Migrations` is a `constexpr` variable holding `sqlproof::migrations(...)`.
/// See the file comment for what is checked.
/// @code
/// using app_schema = sqlproof::schema_of<migrations>;
/// using all_users = sqlproof::query<"SELECT id, name FROM users",
///                                   std::tuple<std::int64_t, std::string>(), app_schema>;
/// @endcode
template <const auto& Migrations>
struct schema_of {
  /// Number of tables and views the migrations leave.
  static constexpr std::size_t size = detail::derived_schema<Migrations>::table_count;

  /// Checks mapped type `T` against its table as the migrations leave it; true when it fits,
  /// otherwise a compile error naming the table, the column and the field.
  /// @code
  /// static_assert(app_schema::check_mapping<User>());
  /// @endcode
  template <mapped_table T>
  static consteval bool check_mapping() {
    // A failed check stops compilation with its own message; true wherever it goes on, so
    // the static_assert around the call adds no second error.
    static_cast<void>(detail::check_mapping_against_migrations<T, Migrations>());
    return true;
  }
};

/// Checks that mapped type `T` fits its table in `Schema` (a `schema_of<migrations>`): a
/// mismatch is a compile error naming the table, the column and the field, and nothing more,
/// so the value is true wherever compilation goes on.
/// @code
/// static_assert(sqlproof::fits_schema<User, app_schema>);
/// @endcode
template <mapped_table T, class Schema>
inline constexpr bool fits_schema = Schema::template check_mapping<T>();

}  // namespace sqlproof
