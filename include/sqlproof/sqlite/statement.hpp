#pragma once
/// @file
/// Running prepared statements: binding parameters, stepping, reading rows into row types.
/// `row_range` is what `database::iter` returns; `statement` is the handle for dynamic SQL
/// from `database::prepare_cached` / `database::prepare`.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../detail/affinity.hpp"
#include "../detail/chrono.hpp"
#include "../detail/connection_use.hpp"
#include "../detail/iterator.hpp"
#include "../detail/reflect.hpp"
#include "../detail/row_iterator.hpp"
#include "../detail/statement_context.hpp"
#include "../error.hpp"
#include "../query.hpp"
#include "../table.hpp"
#include "../value.hpp"
#include "detail/api.hpp"
#include "detail/codec.hpp"
#include "detail/connection.hpp"
#include "statement_cache.hpp"

namespace sqlproof {

/// What running a statement without a result changed.
struct exec_result {
  std::int64_t changes = 0;            ///< Rows inserted, updated or deleted (`sqlite3_changes64`).
  std::int64_t last_insert_rowid = 0;  ///< Rowid of the most recent insert on the connection.
};

namespace detail {

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_step_error(sqlite_stmt* stmt, int rc,
                                                               const statement_context& ctx)
#if SQLPROOF_DEFINITIONS
{
  const char* sql = sql_of(stmt);
  throw_db_error(db_of(stmt), rc, "statement failed", ctx.sql.empty() && sql ? sql : ctx.sql,
                 ctx.name);
}
#else
    ;
#endif

template <class Row, std::size_t... I>
Row read_fields(sqlite_stmt* s, std::index_sequence<I...>) {
  // Braced initialisation evaluates left to right, so columns are read in order.
  if constexpr (is_tuple<Row>::value) {
    return Row{read_value<std::tuple_element_t<I, Row>>(column_ref(s, static_cast<int>(I)))...};
  } else {
    return Row{read_value<field_type<I, Row>>(column_ref(s, static_cast<int>(I)))...};
  }
}

// Reads the current result row of `s` as `Row`.
template <class Row>
Row read_row(sqlite_stmt* s) {
  constexpr row_shape shape = shape_of_row<Row>();
  const row_lock lock(s);  // column_ref reads sqlite3_value objects: see row_lock
  if constexpr (shape == row_shape::scalar) {
    return read_value<Row>(column_ref(s, 0));
  } else {
    return read_fields<Row>(s, std::make_index_sequence<row_width<Row>()>{});
  }
}

template <class Row>
Row read_row_catching(sqlite_stmt* s, const statement_context& ctx) {
  try {
    return read_row<Row>(s);
  } catch (const type_error& e) {
    rethrow_with_context(e, ctx);
  }
}

// Reading T runs the library's code only: a built-in type, an enum, a std::chrono duration or
// system_clock time point (whose traits are the library's), or an optional of one. A user's
// value_traits<T>::from_storage may call anything, which flattening would inline with it.
template <class T>
struct library_read : std::bool_constant<builtin_readable<T> || std::is_enum_v<T>> {};
template <class Rep, class Period>
struct library_read<std::chrono::duration<Rep, Period>> : std::true_type {};
template <class Duration>
struct library_read<std::chrono::time_point<std::chrono::system_clock, Duration>>
    : std::true_type {};
template <class T>
struct library_read<std::optional<T>> : library_read<T> {};

template <class Row>
consteval bool library_row() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return (library_read<result_field_t<Row, I>>::value && ...);
  }(std::make_index_sequence<row_width<Row>()>{});
}

// The row reader with everything it calls inlined into it (the column reads, the string
// constructors) but the cold error paths: whether the compiler inlined the string
// constructors otherwise depended on the rest of the file (docs/performance.md).
template <class Row>
SQLPROOF_FLATTEN Row read_row_flattened(sqlite_stmt* s, const statement_context& ctx) {
  return read_row_catching<Row>(s, ctx);
}

// Reads the current row as Row, a type_error given the statement's context; flattened when
// only the library's code reads its fields.
template <class Row>
SQLPROOF_ALWAYS_INLINE Row read_row_checked(sqlite_stmt* s, const statement_context& ctx) {
  if constexpr (library_row<Row>()) {
    return read_row_flattened<Row>(s, ctx);
  } else {
    return read_row_catching<Row>(s, ctx);
  }
}

// Reads the current row straight into the storage of an optional, a vector element or a
// row_range: `::new (p) Row(reader)` runs the conversion function, whose result initialises
// the object in place (GCC and Clang elide the move, CWG 2327). Saves moving every string of
// every row, 5% of a streamed scan (docs/performance.md).
template <class Row>
struct row_reader {
  sqlite_stmt* stmt;
  const statement_context* ctx;
  operator Row() const { return read_row_checked<Row>(stmt, *ctx); }  // NOLINT: implicit
};

// Verifies, once per prepare, what the SQL text could not show at compile time.
inline void check_prepared_shape(sqlite_stmt* stmt, int expected_params, int expected_columns,
                                 const statement_context& ctx) {
  const int params = bind_parameter_count(stmt);
  if (expected_params >= 0 && params != expected_params) {
    throw_shape_mismatch("has ", params, " parameters but ", expected_params, " are declared",
                         ctx);
  }
  const int columns = column_count(stmt);
  if (expected_columns >= 0 && columns != expected_columns) {
    throw_shape_mismatch("returns ", columns, " columns but the row type has ",
                         expected_columns, " fields", ctx);
  }
}

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_declared_type_mismatch(
    sqlite_stmt* stmt, int i, const char* declared, std::string_view field_type,
    std::string_view row_type, const statement_context& ctx)
#if SQLPROOF_DEFINITIONS
{
  const char* name = column_name(stmt, i);
  const number_text n(i);
  throw_schema_error(concat({"result column ", n, " ('", name != nullptr ? name : "",
                             "') is declared ", declared,
                             " in its table, which cannot be read into field ", n, " (",
                             field_type, ") of ", row_type}),
                     ctx);
}
#else
    ;
#endif

// What preparing a typed query checks about its row type, as constants (one set per row
// type), so that the code that prepares and checks is one function for every query.
struct declared_field {
  value_family family;
  std::string_view type;
};

struct row_site {
  int columns;                           // the row's fields; -1 for a query without rows
  const declared_field* fields;          // one per column
  const std::string_view* mapped_names;  // a table_traits row's column names, else null
  std::string_view row_type;
};

template <class Row>
inline constexpr auto declared_fields_of = []<std::size_t... I>(std::index_sequence<I...>) {
  return std::array<declared_field, sizeof...(I)>{declared_field{
      family_of<std::remove_cvref_t<result_field_t<Row, I>>>(),
      type_name<std::remove_cvref_t<result_field_t<Row, I>>>}...};
}(std::make_index_sequence<row_width<Row>()>{});

template <class Row>
inline constexpr auto mapped_names_of = table_columns<Row>();

template <class Row>
consteval row_site make_row_site() {
  if constexpr (std::is_void_v<Row>) {
    return {-1, nullptr, nullptr, {}};
  } else {
    const std::string_view* names = nullptr;
    if constexpr (shape_of_row<Row>() == row_shape::aggregate && mapped_table<Row>) {
      names = mapped_names_of<Row>.data();
    }
    return {static_cast<int>(row_width<Row>()), declared_fields_of<Row>.data(), names,
            type_name<Row>};
  }
}

template <class Row>
inline constexpr row_site row_site_of = make_row_site<Row>();

// For a row type mapped with table_traits, result column i must carry the mapped name of
// field i (compare case-insensitively, as SQLite does): catches a SELECT list or `*` whose
// order differs from the struct's. Then each result column that comes straight from a table
// column (sqlite3_column_decltype is its declared type; NULL for expressions) is checked
// against the row field it is read into. Runs once, when the statement is prepared.
inline void check_row(sqlite_stmt* stmt, const row_site& row, const statement_context& ctx) {
  for (int i = 0; i < row.columns; ++i) {
    const auto at = static_cast<std::size_t>(i);
    if (row.mapped_names != nullptr) {
      const char* got = column_name(stmt, i);
      const std::string_view g = got != nullptr ? got : "";
      if (!iequals(g, row.mapped_names[at])) {
        throw_mapped_name_mismatch(at, g, row.row_type, row.mapped_names[at], ctx);
      }
    }
    const char* declared = column_decltype(stmt, i);
    if (declared == nullptr) continue;
    if (affinity_readable_as(affinity_of(declared), row.fields[at].family)) continue;
    throw_declared_type_mismatch(stmt, i, declared, row.fields[at].type, row.row_type, ctx);
  }
}

// Prepares one statement; `sql` must hold exactly one. Anything after it other than white
// space, comments and semicolons is a second statement (SQLite prepares the rest to tell).
SQLPROOF_NOINLINE SQLPROOF_DECL sqlite_stmt* prepare_one(sqlite_db* db, std::string_view sql,
                                                         bool persistent,
                                                         const statement_context& ctx)
#if SQLPROOF_DEFINITIONS
{
  sqlite_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = prepare(db, sql, persistent, &stmt, &tail);
  if (rc != sqlite_ok) {
    finalize(stmt);
    throw_db_error(db, rc, "cannot prepare statement", sql, ctx.name);
  }
  if (stmt == nullptr) throw_error(error_kind::misuse, "the SQL holds no statement", {0, {}, sql, {}});
  std::string_view rest =
      tail != nullptr ? sql.substr(static_cast<std::size_t>(tail - sql.data())) : std::string_view{};
  while (!rest.empty() && (is_space(rest.front()) || rest.front() == ';')) rest.remove_prefix(1);
  if (!rest.empty()) {
    sqlite_stmt* next = nullptr;
    const int next_rc = prepare(db, rest, false, &next, nullptr);
    finalize(next);
    if (next_rc != sqlite_ok || next != nullptr) {
      finalize(stmt);
      throw_error(error_kind::misuse,
                  "the SQL holds more than one statement; use database::exec_script",
                  {0, {}, sql, {}});
    }
  }
  return stmt;
}
#else
    ;
#endif

// What the run-time code of a typed query needs to know about it, as constants: its text
// and name, its statement slot, where each declared parameter binds and how many placeholders
// SQLite counts. The code itself is shared by every query with the same row and parameter
// types (query_runner in database.hpp), so a query adds these constants and a call.
struct query_site {
  statement_context context;
  std::size_t* slot_cell;  // query_slot_cell<Q>
  const int* bind_index;   // declared parameter i binds SQLite parameter bind_index[i]
  int expected_params;
  const row_site* row;
};

template <class Q>
inline constexpr query_site site_of{
    context_of<Q>, &query_slot_cell<Q>, Q::bind_index.data(),
    static_cast<int>(Q::shape.numbered_names ? Q::shape.sqlite_parameter_count
                                             : Q::parameter_count),
    &row_site_of<typename Q::row_type>};

// Prepares a typed query and checks its shape against the declared row type (a cache miss:
// out of line, one copy for every query).
SQLPROOF_NOINLINE SQLPROOF_DECL sqlite_stmt* prepare_query(sqlite_db* db, const query_site& site)
#if SQLPROOF_DEFINITIONS
{
  sqlite_stmt* stmt = prepare_one(db, site.context.sql, true, site.context);
  try {
    check_prepared_shape(stmt, site.expected_params, site.row->columns, site.context);
    check_row(stmt, *site.row, site.context);
  } catch (...) {
    finalize(stmt);
    throw;
  }
  return stmt;
}
#else
    ;
#endif

template <class... Params>
SQLPROOF_ALWAYS_INLINE void bind_query(sqlite_stmt* stmt, bind_lifetime lifetime,
                                       const query_site& site, const Params&... params) {
  const binder b(stmt, lifetime);
  try {
    std::size_t i = 0;
    (bind_value(b, site.bind_index[i++], params), ...);
  } catch (const type_error& e) {
    rethrow_with_context(e, site.context);
  }
}

}  // namespace detail

/// The rows of a query, read one at a time as the loop advances: no vector is built.
///
/// Returned by `database::iter`; an input range usable in range-for. It holds the statement
/// checked out until it is destroyed, so it must not outlive its connection. Reading errors
/// are thrown from `begin()` and `++`.
/// @code
/// for (const User& u : db.iter<older_than>(30)) print(u);
/// @endcode
template <class Row>
class row_range {
 public:
  /// An input iterator over the rows; `end()` is `std::default_sentinel`.
  using iterator = detail::row_iterator<row_range, Row>;

  row_range(detail::sqlite_lease lease, detail::statement_context ctx) noexcept
      : lease_(std::move(lease)), ctx_(ctx) {}
  row_range(row_range&&) noexcept = default;
  row_range& operator=(row_range&&) noexcept = default;

  /// Steps to the first row. Call once.
  iterator begin() {
    if (!started_) {
      started_ = true;
      advance();
    }
    return iterator(this);
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  friend iterator;
  void advance() {
    if (!lease_) {
      current_.reset();
      return;
    }
    const detail::connection_use use(*lease_.cache());
    const int rc = detail::step(lease_.get());
    if (rc == detail::sqlite_row) {
      current_.emplace(detail::row_reader<Row>{lease_.get(), &ctx_});
      return;
    }
    current_.reset();
    if (rc != detail::sqlite_done) {
      detail::sqlite_stmt* stmt = lease_.get();
      try {
        detail::throw_step_error(stmt, rc, ctx_);
      } catch (...) {
        lease_.release();
        throw;
      }
    }
    lease_.release();  // finished: return the statement right away
  }

  detail::sqlite_lease lease_;
  detail::statement_context ctx_;
  std::optional<Row> current_;
  bool started_ = false;
};

/// A prepared statement for SQL known only at run time.
///
/// From `database::prepare_cached(sql)` (returned to the connection's LRU cache when
/// destroyed) or `database::prepare(sql)` (finalized when destroyed). Parameters are checked
/// at run time: the number of arguments must match the statement's parameter count.
/// @code
/// auto st = db.prepare_cached("SELECT name FROM users WHERE age > ?");
/// for (const auto& name : st.all<std::string>(30)) ...
/// @endcode
class statement {
 public:
  explicit statement(detail::sqlite_lease lease) noexcept : lease_(std::move(lease)) {}
  /// A statement of connection `c`: it refuses to run (`transaction_aborted_error`) while
  /// SQLite has rolled back a transaction that `c` still has open.
  statement(detail::sqlite_lease lease, detail::connection_state* c) noexcept
      : lease_(std::move(lease)), conn_(c) {}

  /// The statement's SQL text.
  [[nodiscard]] std::string_view sql() const noexcept {
    const char* s = detail::sql_of(lease_.get());
    return s != nullptr ? s : "";
  }
  /// Number of parameters (`sqlite3_bind_parameter_count`).
  [[nodiscard]] int parameter_count() const noexcept {
    return detail::bind_parameter_count(lease_.get());
  }
  /// Number of result columns.
  [[nodiscard]] int column_count() const noexcept { return detail::column_count(lease_.get()); }
  /// Name of result column `i`.
  [[nodiscard]] std::string_view column_name(int i) const noexcept {
    const char* n = detail::column_name(lease_.get(), i);
    return n != nullptr ? n : "";
  }

  /// Runs the statement with `args` bound to its parameters, discarding any rows.
  template <bindable... Args>
  exec_result exec(const Args&... args) {
    const detail::connection_use use(*lease_.cache());
    watch_guard watch(*this);
    run_bind(args...);
    int rc = detail::step(lease_.get());
    while (rc == detail::sqlite_row) rc = detail::step(lease_.get());
    finish(rc);
    auto* db = detail::db_of(lease_.get());
    const std::int64_t changed = detail::changes(db);
    watch.rows(static_cast<std::uint64_t>(changed));
    return {changed, detail::last_insert_rowid(db)};
  }

  /// Runs the statement and reads its first row, or `std::nullopt` when there is none.
  template <class Row, bindable... Args>
  std::optional<Row> one(const Args&... args) {
    check_row<Row>();
    const detail::connection_use use(*lease_.cache());
    watch_guard watch(*this);
    run_bind(args...);
    const int rc = detail::step(lease_.get());
    if (rc == detail::sqlite_row) {
      std::optional<Row> out(read<Row>());
      detail::reset(lease_.get());
      watch.rows(1);
      return out;
    }
    finish(rc);
    return std::nullopt;
  }

  /// Runs the statement and reads every row.
  template <class Row, bindable... Args>
  std::vector<Row> all(const Args&... args) {
    check_row<Row>();
    const detail::connection_use use(*lease_.cache());
    watch_guard watch(*this);
    run_bind(args...);
    std::vector<Row> out;
    int rc = detail::step(lease_.get());
    while (rc == detail::sqlite_row) {
      out.push_back(read<Row>());
      rc = detail::step(lease_.get());
    }
    finish(rc);
    watch.rows(out.size());
    return out;
  }

  /// Binds one value to parameter `index` (1-based), for step-by-step use with `step()`.
  template <bindable T>
  statement& bind(int index, const T& value) {
    const detail::connection_use use(*lease_.cache());
    detail::bind_value(detail::binder(lease_.get(), detail::bind_lifetime::copied), index, value);
    return *this;
  }
  /// Binds one value to the named parameter (`:name`, `@name`, `$name` or `#name`, prefix
  /// included).
  template <bindable T>
  statement& bind(std::string_view name, const T& value) {
    const std::string n(name);
    const int index = detail::bind_parameter_index(lease_.get(), n.c_str());
    if (index == 0) {
      detail::throw_error(detail::error_kind::misuse,
                          detail::concat({"the statement has no parameter named ", n}), {0, {}, sql(), {}});
    }
    return bind(index, value);
  }
  /// Steps once: true when a row is available (read it with `column<T>(i)` or `row<Row>()`),
  /// false when the statement is done (it is then reset, keeping its bindings).
  bool step() {
    const detail::connection_use use(*lease_.cache());
    ensure_usable();
    const int rc = detail::step(lease_.get());
    if (rc == detail::sqlite_row) return true;
    finish(rc);
    return false;
  }
  /// Reads column `i` of the current row.
  template <readable T>
  T column(int i) const {
    const detail::connection_use use(*lease_.cache());
    const detail::row_lock lock(lease_.get());
    return detail::read_value<T>(detail::column_ref(lease_.get(), i));
  }
  /// Reads the current row as `Row`.
  template <class Row>
  Row row() const {
    const detail::connection_use use(*lease_.cache());
    return read<Row>();
  }
  /// Resets the statement and clears its bindings.
  void reset() noexcept {
    detail::reset(lease_.get());
    detail::clear_bindings(lease_.get());
  }

 private:
  template <class Row>
  void check_row() const {
    const int want = static_cast<int>(detail::row_width<Row>());
    if (column_count() != want) {
      detail::throw_error(detail::error_kind::schema,
                          detail::concat({"the statement returns ",
                                          detail::number_text(column_count()),
                                          " columns but the row type ", detail::type_name<Row>,
                                          " has ", detail::number_text(want), " fields"}),
                          {0, {}, sql(), {}});
    }
  }

  // The one place a row type is checked (one, all and row all read through here), and the
  // read is skipped when the check fails so that the sqlproof: message is the only error.
  template <class Row>
  Row read() const {
    static_assert(detail::row_is_readable<Row>() && !std::is_void_v<Row>,
                  "sqlproof: the row type must be a value type with value_traits, a std::tuple "
                  "of them, or a plain aggregate struct whose fields have value_traits");
    if constexpr (detail::row_is_readable<Row>() && !std::is_void_v<Row>) {
      return detail::read_row_checked<Row>(lease_.get(), {sql(), {}});
    } else {
      detail::throw_error(detail::error_kind::misuse, "unreadable row type");  // not reached
    }
  }

  void ensure_usable() const {
    if (conn_ != nullptr && conn_->transaction_rolled_back) [[unlikely]] {
      detail::throw_transaction_aborted("statement refused", sql());
    }
  }

  template <class... Args>
  void run_bind(const Args&... args) {
    ensure_usable();
    detail::reset(lease_.get());
    if (static_cast<int>(sizeof...(Args)) != parameter_count()) {
      detail::throw_error(detail::error_kind::misuse,
                          detail::concat({"the statement has ",
                                          detail::number_text(parameter_count()),
                                          " parameters but ",
                                          detail::number_text(sizeof...(Args)),
                                          " arguments were given"}),
                          {0, {}, sql(), {}});
    }
    const detail::binder b(lease_.get(), detail::bind_lifetime::copied);
    int i = 0;
    (detail::bind_value(b, ++i, args), ...);
  }

  void finish(int rc) {
    if (rc == detail::sqlite_done) {
      detail::reset(lease_.get());
      return;
    }
    detail::sqlite_stmt* stmt = lease_.get();
    detail::reset(stmt);
    if (conn_ != nullptr) {
      detail::count_failure(conn_->watch, rc);
      if (detail::stopped_by_deadline(conn_->watch, rc)) {
        detail::throw_deadline_exceeded(conn_->watch, detail::extended_errcode(conn_->db),
                                        detail::errmsg(conn_->db), sql(), {});
      }
    }
    detail::throw_db_error(detail::db_of(stmt), rc, "statement failed", sql());
  }

  // The connection's watch (statistics, deadlines: watch.hpp) around one run; a statement
  // made without a connection is not watched.
  // The connection's watch (statistics, deadlines: watch.hpp) around one run; a statement
  // made without a connection is not watched.
  class watch_guard {
   public:
    explicit watch_guard(statement& s)
        : guard_(s.conn_ != nullptr ? &s.conn_->watch : nullptr, s.lease_.get()) {}
    void rows(std::uint64_t n) noexcept { guard_.rows(n); }

   private:
    detail::watch_guard guard_;
  };

  detail::sqlite_lease lease_;
  detail::connection_state* conn_ = nullptr;
};

}  // namespace sqlproof
