#pragma once
/// @file
/// The runtime error hierarchy. Every error sqlproof throws derives from `sqlproof::error`
/// and carries what a person needs to act on it: SQLite's extended result code and message,
/// the SQL text, and the name of the typed query where there is one.

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sqlproof {

/// Where an error came from: filled in as far as it is known at the point of failure.
struct error_context {
  int extended_code = 0;        ///< SQLite's extended result code, 0 when not from SQLite.
  std::string sqlite_message;   ///< SQLite's own message (`sqlite3_errmsg`), may be empty.
  std::string sql;              ///< The SQL text involved, may be empty.
  std::string query_name;       ///< The typed query's name, empty for dynamic SQL.
};

/// Base of every error sqlproof throws.
///
/// `what()` is a complete sentence: the summary, SQLite's message and code, the query's name
/// and its SQL. The parts are also available one by one.
/// @code
/// try { db.exec<add_user>("Ann", std::nullopt, 31); }
/// catch (const sqlproof::constraint_error& e) { log(e.sqlite_message(), e.extended_code()); }
/// @endcode
class error : public std::runtime_error {
 public:
  error(std::string summary, error_context context)
      : std::runtime_error(compose(summary, context)),
        summary_(std::move(summary)),
        context_(std::move(context)) {}

  /// SQLite's extended result code (e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE), or 0.
  [[nodiscard]] int extended_code() const noexcept { return context_.extended_code; }
  /// The primary result code (the low byte of the extended code), or 0.
  [[nodiscard]] int primary_code() const noexcept { return context_.extended_code & 0xff; }
  /// SQLite's own message, or empty.
  [[nodiscard]] std::string_view sqlite_message() const noexcept { return context_.sqlite_message; }
  /// The SQL text involved, or empty.
  [[nodiscard]] std::string_view sql() const noexcept { return context_.sql; }
  /// The typed query's name, or empty for dynamic SQL.
  [[nodiscard]] std::string_view query_name() const noexcept { return context_.query_name; }
  /// What went wrong, without the context parts.
  [[nodiscard]] std::string_view summary() const noexcept { return summary_; }

 private:
  static std::string compose(const std::string& summary, const error_context& c) {
    std::string text = summary;
    if (!c.sqlite_message.empty()) {
      text += ": ";
      text += c.sqlite_message;
    }
    if (c.extended_code != 0) {
      text += " [SQLite code ";
      text += std::to_string(c.extended_code);
      text += "]";
    }
    if (!c.query_name.empty()) {
      text += " in query ";
      text += c.query_name;
    }
    if (!c.sql.empty()) {
      text += c.query_name.empty() ? " in SQL: " : ": ";
      text += c.sql;
    }
    return text;
  }

  std::string summary_;
  error_context context_;
};

/// A database file could not be opened or configured; the message names the path.
class open_error : public error {
 public:
  using error::error;
};

/// A constraint failed (UNIQUE, NOT NULL, CHECK, FOREIGN KEY, PRIMARY KEY).
class constraint_error : public error {
 public:
  using error::error;
};

/// The database was busy or locked by another connection (SQLITE_BUSY, SQLITE_LOCKED).
/// Transactions can retry on it; see `retry_policy`.
class busy_error : public error {
 public:
  using error::error;
};

/// A value could not be converted between SQLite and C++: NULL read into a non-optional, an
/// integer out of the field's range, or a storage class that does not fit. Names the column.
class type_error : public error {
 public:
  type_error(std::string summary, error_context context, int column, std::string column_name)
      : error(std::move(summary), std::move(context)),
        column_(column),
        column_name_(std::move(column_name)) {}

  /// The zero-based result column, or -1 when the error is about a parameter.
  [[nodiscard]] int column() const noexcept { return column_; }
  /// The result column's name as SQLite reports it.
  [[nodiscard]] std::string_view column_name() const noexcept { return column_name_; }

 private:
  int column_;
  std::string column_name_;
};

/// The prepared statement does not have the shape the query's type declares (parameter or
/// result column count, column names), or the SQL refers to something the schema lacks.
class schema_error : public error {
 public:
  using error::error;
};

/// The library was used in a way it does not allow (closing with statements in use, a
/// transaction ended twice, SQLITE_MISUSE).
class misuse_error : public error {
 public:
  using error::error;
};

}  // namespace sqlproof
