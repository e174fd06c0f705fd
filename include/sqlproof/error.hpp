#pragma once
/// @file
/// The runtime error hierarchy. Every error sqlproof throws derives from `sqlproof::error`
/// and carries what a person needs to act on it: SQLite's extended result code and message,
/// the SQL text, and the name of the typed query where there is one.

#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "config.hpp"

namespace sqlproof {

namespace detail {

// A number written out for a message, without a std::string of its own.
class number_text {
 public:
  template <class Int>
    requires std::is_integral_v<Int>
  explicit number_text(Int v) noexcept {
    if constexpr (std::is_signed_v<Int>) {
      // The magnitude is taken in unsigned arithmetic, so the most negative value works too.
      size_ = v < 0 ? write(buffer_, true, 0ULL - static_cast<unsigned long long>(v))
                    : write(buffer_, false, static_cast<unsigned long long>(v));
    } else {
      size_ = write(buffer_, false, v);
    }
  }
  operator std::string_view() const noexcept { return {buffer_, size_}; }  // NOLINT: implicit

 private:
  SQLPROOF_COLD_DECLARATION static std::size_t write(char* out, bool negative,
                                                     unsigned long long magnitude) noexcept;
  char buffer_[24];
  std::size_t size_ = 0;
};

// Joins the pieces of a message in one allocation. Error paths build their text with this
// rather than chains of std::string operator+, which cost a temporary (and its clean-up code)
// per piece at every call site.
SQLPROOF_COLD SQLPROOF_DECL std::string concat(std::initializer_list<std::string_view> parts)
#if SQLPROOF_DEFINITIONS
{
  std::size_t total = 0;
  for (const std::string_view p : parts) total += p.size();
  std::string out;
  out.reserve(total);
  for (const std::string_view p : parts) out.append(p);
  return out;
}
#else
    ;
#endif

}  // namespace detail

/// Where an error came from: filled in as far as it is known at the point of failure. The
/// views need only live until the error is constructed, which copies them.
struct error_context {
  int extended_code = 0;             ///< SQLite's extended result code, 0 when not from SQLite.
  std::string_view sqlite_message;   ///< The database's own message (`sqlite3_errmsg`,
                                     ///< PostgreSQL's primary message), may be empty.
  std::string_view sql;              ///< The SQL text involved, may be empty.
  std::string_view query_name;       ///< The typed query's name, empty for dynamic SQL.
};

/// What a database server says about an error beyond its message (PostgreSQL's error
/// fields). Empty for SQLite.
struct error_diagnostics {
  std::string_view sqlstate;         ///< SQLSTATE, 5 characters (e.g. "23505").
  std::string_view constraint_name;  ///< The constraint that failed, if any.
  std::string_view table_name;       ///< The table involved, if any.
  std::string_view detail;           ///< The DETAIL line, if any.
  std::string_view hint;             ///< The HINT line (or sqlproof's own), if any.
  int position = 0;                  ///< 1-based character position in the SQL, or 0.
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
  error(std::string_view summary, const error_context& context)
      : error(summary, context, error_diagnostics{}, std::string_view{}) {}
  /// With the server's diagnostics (PostgreSQL).
  SQLPROOF_COLD error(std::string_view summary, const error_context& context,
                      const error_diagnostics& diagnostics)
      : error(summary, context, diagnostics, std::string_view{}) {}

  /// SQLite's extended result code (e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE), or 0.
  [[nodiscard]] int extended_code() const noexcept { return code_; }
  /// The primary result code (the low byte of the extended code), or 0.
  [[nodiscard]] int primary_code() const noexcept { return code_ & 0xff; }
  /// The database's own message (SQLite's `sqlite3_errmsg`, PostgreSQL's primary message),
  /// or empty.
  [[nodiscard]] std::string_view sqlite_message() const noexcept { return part(1); }
  /// The same as `sqlite_message()`, under a name that suits every backend.
  [[nodiscard]] std::string_view database_message() const noexcept { return part(1); }
  /// PostgreSQL's SQLSTATE (e.g. "23505" for a unique violation), or empty (SQLite).
  [[nodiscard]] std::string_view sqlstate() const noexcept {
    return {sqlstate_, sqlstate_[0] != '\0' ? 5U : 0U};
  }
  /// PostgreSQL: the name of the constraint that failed, or empty.
  [[nodiscard]] std::string_view constraint_name() const noexcept { return part(4); }
  /// PostgreSQL: the table the error is about, or empty.
  [[nodiscard]] std::string_view table_name() const noexcept { return part(5); }
  /// PostgreSQL: the DETAIL line (e.g. "Key (id)=(1) already exists."), or empty.
  [[nodiscard]] std::string_view detail() const noexcept { return part(6); }
  /// A hint on what to do: PostgreSQL's HINT line, or sqlproof's own; may be empty.
  [[nodiscard]] std::string_view hint() const noexcept { return part(7); }
  /// PostgreSQL: the 1-based character position in the SQL the error points at, or 0.
  [[nodiscard]] int position() const noexcept { return position_; }
  /// The SQL text involved, or empty.
  [[nodiscard]] std::string_view sql() const noexcept { return part(2); }
  /// The typed query's name, or empty for dynamic SQL.
  [[nodiscard]] std::string_view query_name() const noexcept { return part(3); }
  /// What went wrong, without the context parts.
  [[nodiscard]] std::string_view summary() const noexcept { return part(0); }

 protected:
  // `extra` is kept after the other parts for a derived class (part(extra_part)).
  SQLPROOF_COLD_DECLARATION error(std::string_view summary, const error_context& c,
                                  const error_diagnostics& d, std::string_view extra);

  static constexpr std::size_t extra_part = 8;

  [[nodiscard]] std::string_view part(std::size_t i) const noexcept {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    const std::size_t end = i < extra_part ? ends_[i] : parts_.size();
    return std::string_view(parts_).substr(begin, end - begin);
  }

 private:
  // "summary: message [SQLite code N] in query name: sql", leaving out what is not known;
  // on PostgreSQL "[SQLSTATE 23505]", then its DETAIL and HINT lines.
  SQLPROOF_COLD_DECLARATION static std::string compose(std::string_view summary,
                                                       const error_context& c,
                                                       const error_diagnostics& d);

  // The summary, the database's message, the SQL, the query's name, PostgreSQL's constraint,
  // table, detail and hint, and a derived class's extra part, one after another in one
  // allocation; ends_ marks where each of the first eight ends.
  std::string parts_;
  unsigned ends_[8]{};
  int code_ = 0;
  int position_ = 0;
  char sqlstate_[6]{};
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
  type_error(std::string_view summary, const error_context& context, int column,
             std::string_view column_name)
      : error(summary, context, error_diagnostics{}, column_name), column_(column) {}
  /// With the server's diagnostics (PostgreSQL).
  type_error(std::string_view summary, const error_context& context,
             const error_diagnostics& diagnostics, int column, std::string_view column_name)
      : error(summary, context, diagnostics, column_name), column_(column) {}

  /// The zero-based result column, or -1 when the error is about a parameter.
  [[nodiscard]] int column() const noexcept { return column_; }
  /// The result column's name as the database reports it.
  [[nodiscard]] std::string_view column_name() const noexcept { return part(extra_part); }

 private:
  int column_;
};

/// The prepared statement does not have the shape the query's type declares (parameter or
/// result column count, column names), or the SQL refers to something the schema lacks.
class schema_error : public error {
 public:
  using error::error;
};

/// SQLite rolled back the open transaction on its own after an error (SQLITE_FULL, an I/O
/// error, an interrupt: https://sqlite.org/lang_transaction.html#response_to_errors_within_a_transaction)
/// and the caller carried on inside `database::transaction` or a `transaction` object, for
/// instance after catching the failure of a nested one. Every statement, nested transaction
/// and commit is refused with this error until the outermost transaction ends, so nothing
/// after the rollback runs in autocommit; none of the transaction's work is in the database.
/// Its extended code is SQLITE_ABORT_ROLLBACK (516). Let it propagate (or roll back) to the
/// outermost transaction, then run the work again.
class transaction_aborted_error : public error {
 public:
  using error::error;
};

/// A statement was stopped before it finished: by `database::interrupt()` from another
/// thread (SQLITE_INTERRUPT, extended code 9), or by a deadline (`deadline_exceeded_error`).
/// Names the query that was stopped. A write statement stopped inside a transaction rolls the
/// whole transaction back (SQLite's rule), so the transaction then ends with
/// `transaction_aborted_error`; nothing it wrote stays.
class interrupted_error : public error {
 public:
  using error::error;
};

/// A statement ran past its deadline (`options::statement_timeout`,
/// `database::set_statement_timeout`, `database::with_deadline`) and was stopped; only the
/// statement on that connection stops. Derives from `interrupted_error`.
class deadline_exceeded_error : public interrupted_error {
 public:
  using interrupted_error::interrupted_error;
};

/// The library was used in a way it does not allow (closing with statements in use, a
/// transaction ended twice, SQLITE_MISUSE).
class misuse_error : public error {
 public:
  using error::error;
};

namespace detail {

enum class error_kind : unsigned char {
  error, open, constraint, busy, type, schema, misuse, interrupted, deadline
};

// The one place the library's own errors are thrown from (SQLite's go through
// throw_sqlite_error, which picks the kind from the result code).
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_error(error_kind kind, std::string_view summary,
                                                          const error_context& c = {})
#if SQLPROOF_DEFINITIONS
{
  switch (kind) {
    case error_kind::open: throw open_error(summary, c);
    case error_kind::constraint: throw constraint_error(summary, c);
    case error_kind::busy: throw busy_error(summary, c);
    case error_kind::type: throw type_error(summary, c, -1, {});
    case error_kind::schema: throw schema_error(summary, c);
    case error_kind::misuse: throw misuse_error(summary, c);
    case error_kind::interrupted: throw interrupted_error(summary, c);
    case error_kind::deadline: throw deadline_exceeded_error(summary, c);
    case error_kind::error: break;
  }
  throw error(summary, c);
}
#else
    ;
#endif

}  // namespace detail

}  // namespace sqlproof

#if SQLPROOF_DEFINITIONS
namespace sqlproof {

SQLPROOF_COLD SQLPROOF_DECL std::size_t detail::number_text::write(
    char* out, bool negative, unsigned long long magnitude) noexcept {
  char digits[20];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  std::size_t size = 0;
  if (negative) out[size++] = '-';
  while (n > 0) out[size++] = digits[--n];
  return size;
}

SQLPROOF_COLD SQLPROOF_DECL error::error(std::string_view summary, const error_context& c,
                                         const error_diagnostics& d, std::string_view extra)
    : std::runtime_error(compose(summary, c, d)),
      parts_(detail::concat({summary, c.sqlite_message, c.sql, c.query_name, d.constraint_name,
                             d.table_name, d.detail, d.hint, extra})),
      code_(c.extended_code),
      position_(d.position) {
  const std::string_view parts[] = {summary,           c.sqlite_message, c.sql,    c.query_name,
                                    d.constraint_name, d.table_name,     d.detail, d.hint};
  unsigned end = 0;
  for (std::size_t i = 0; i < sizeof ends_ / sizeof ends_[0]; ++i) {
    end += static_cast<unsigned>(parts[i].size());
    ends_[i] = end;
  }
  if (d.sqlstate.size() == 5) {
    for (std::size_t i = 0; i < 5; ++i) sqlstate_[i] = d.sqlstate[i];
  }
}

SQLPROOF_COLD SQLPROOF_DECL std::string error::compose(std::string_view summary,
                                                       const error_context& c,
                                                       const error_diagnostics& d) {
  const bool message = !c.sqlite_message.empty();
  const bool state = !d.sqlstate.empty();
  const bool code = !state && c.extended_code != 0;
  const bool name = !c.query_name.empty();
  const bool sql = !c.sql.empty();
  const bool detail = !d.detail.empty();
  const bool hint = !d.hint.empty();
  const detail::number_text code_text(c.extended_code);
  return detail::concat({summary, message ? ": " : "", c.sqlite_message,
                         code ? " [SQLite code " : "", code ? code_text : std::string_view{},
                         code ? "]" : "", state ? " [SQLSTATE " : "", d.sqlstate, state ? "]" : "",
                         detail ? " (" : "", d.detail, detail ? ")" : "", name ? " in query " : "",
                         c.query_name, sql ? (name ? ": " : " in SQL: ") : "", c.sql,
                         hint ? "; hint: " : "", d.hint});
}

}  // namespace sqlproof
#endif  // SQLPROOF_DEFINITIONS
