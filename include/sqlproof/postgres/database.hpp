#pragma once
/// @file
/// `sqlproof::pg::database`: one PostgreSQL connection through libpq
/// (`basic_database<postgres_backend>`, basic_database.hpp), running the same query types,
/// rows and `value_traits` as SQLite's `database`. Values travel in binary both ways, with
/// parameter types from the C++ types; each typed query is a server-side prepared statement
/// per connection, checked once against the declared types when it is prepared.
///
/// @code
/// sqlproof::pg::database db{"host=/run/postgresql dbname=app"};
/// db.exec<add_user>("Ann", std::nullopt, 31);
/// for (const User& u : db.iter<older_than>(30)) print(u);
/// @endcode

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../basic_database.hpp"
#include "../basic_transaction.hpp"
#include "../config.hpp"
#include "../detail/call_checks.hpp"
#include "../detail/chrono.hpp"
#include "../detail/connection_use.hpp"
#include "../detail/row_iterator.hpp"
#include "../detail/statement_context.hpp"
#include "../dialect.hpp"
#include "../error.hpp"
#include "../query.hpp"
#include "../table.hpp"
#include "detail/api.hpp"
#include "detail/codec.hpp"
#include "detail/connection.hpp"
#include "detail/errors.hpp"
#include "detail/nullability.hpp"
#include "types.hpp"

namespace sqlproof::pg {

/// How a PostgreSQL connection is opened and how it runs statements.
struct options {
  /// How typed queries use the server's prepared statements (see `statement_mode`).
  statement_mode statements = statement_mode::named;
  /// Bound on cached dynamic-SQL statements (`prepare_cached`); each is a server-side
  /// prepared statement, DEALLOCATEd when evicted.
  std::size_t statement_cache_capacity = 64;
  /// `lock_timeout` for the session: how long a statement waits for a lock held by another
  /// transaction before failing with `busy_error` (SQLSTATE 55P03). Zero leaves the server's
  /// setting.
  std::chrono::milliseconds lock_timeout{0};
  /// `statement_timeout` for the session (a statement running longer fails with
  /// `busy_error`, SQLSTATE 57014). Zero leaves the server's setting.
  std::chrono::milliseconds statement_timeout{0};
  /// When a typed query is prepared, check that every result column taken from a table
  /// column that allows NULL is read into a `std::optional` field (one catalog query per
  /// prepared statement, only when such a column exists). A mistake is a `schema_error` at
  /// the first use, not a `type_error` at the first NULL row.
  bool check_nullability = true;
};

/// Transaction isolation levels (https://www.postgresql.org/docs/current/transaction-iso.html).
enum class isolation : unsigned char {
  server_default,   ///< Plain BEGIN: the session's default_transaction_isolation.
  read_committed,   ///< Each statement sees what was committed before it began.
  repeatable_read,  ///< The whole transaction sees one snapshot.
  serializable,     ///< As if transactions ran one after another; conflicts fail with
                    ///< `busy_error` (SQLSTATE 40001), which `retry_policy` retries.
};

/// How the outermost transaction begins on PostgreSQL (`db.transaction(fn, options)`).
/// Savepoints of nested transactions inherit the outer one's settings.
struct tx_options {
  isolation level = isolation::server_default;
  bool read_only = false;   ///< READ ONLY: writes fail with SQLSTATE 25006.
  bool deferrable = false;  ///< DEFERRABLE (with serializable and read_only): waits for a
                            ///< snapshot that cannot fail, then runs without overhead.
};

namespace detail {

template <class T>
inline constexpr bool always_false = false;

// Stands where SQLite's exec_result has last_insert_rowid, so that code ported from SQLite
// gets a message saying what to do instead of "has no member named ...".
struct no_last_insert_rowid {
  template <class T>
  operator T() const {  // NOLINT: implicit, so that any use of the member reports
    static_assert(always_false<T>,
                  "sqlproof: PostgreSQL has no last_insert_rowid; add RETURNING id to the INSERT "
                  "and read it with one() (query<\"INSERT ... RETURNING id\", "
                  "std::int64_t(...)>)");
    return T{};
  }
};

}  // namespace detail

/// What `exec` reports on PostgreSQL. There is no `last_insert_rowid` (reading it is a
/// compile-time error that says so): add `RETURNING id` to the INSERT and read it with `one`.
struct exec_result {
  std::int64_t changes = 0;  ///< Rows inserted, updated or deleted (`PQcmdTuples`).
  /// Not on PostgreSQL: see above.
  [[no_unique_address]] detail::no_last_insert_rowid last_insert_rowid{};
};

template <class Row>
class row_range;
class statement;

namespace detail {

using sqlproof::detail::connection_use;
using sqlproof::detail::context_of;
using sqlproof::detail::query_display_name;
using sqlproof::detail::query_slot;
using sqlproof::detail::statement_context;

// ---- one round trip, with its error --------------------------------------------------------

// Sends what the cache queued (DEALLOCATE of evicted statements) and reads the rest of a
// streaming `iter` range into memory: libpq runs one statement at a time per connection.
// Called before every statement.
SQLPROOF_NOINLINE inline void settle(connection_state& c) {
  if (c.streaming.range != nullptr) {
    const stream s = c.streaming;
    s.drain(s.range);  // clears c.streaming
    c.cache.count_drained_stream();
  }
  if (!c.to_deallocate.empty() && !in_transaction(c.conn)) {
    std::string sql;
    for (const std::string& name : c.to_deallocate) sql += concat({"DEALLOCATE ", name, ";"});
    const result r(PQexec(c.conn, sql.c_str()));
    // The server stops a batch at its first error, so after a failure each name is sent
    // alone: one name that does not exist must not keep the others on the server. A
    // failure changes nothing the application sees, so it is not reported.
    if (!r.ok()) {
      for (const std::string& name : c.to_deallocate) {
        const result one(PQexec(c.conn, concat({"DEALLOCATE ", name}).c_str()));
      }
    }
    c.to_deallocate.clear();
  }
}

SQLPROOF_ALWAYS_INLINE void before_statement(connection_state& c) {
  if (c.streaming.range != nullptr || !c.to_deallocate.empty()) [[unlikely]] settle(c);
}

// Runs one statement without parameters or rows (transaction verbs, SET, DEALLOCATE).
SQLPROOF_NOINLINE inline void exec_simple(connection_state& c, const char* sql) {
  before_statement(c);
  const result r(PQexec(c.conn, sql));
  if (!r.ok()) throw_result_error(c.conn, r.get(), "statement failed", sql, {});
}

// ---- prepare-time checks -------------------------------------------------------------------

[[noreturn]] SQLPROOF_COLD inline void throw_shape(const char* what, int got, const char* middle,
                                                   int want, const char* end,
                                                   const statement_context& ctx) {
  sqlproof::detail::throw_shape_mismatch(what, got, middle, want, end, ctx);
}

// For a row type mapped with table_traits, result column i must carry the mapped name of
// field i (PostgreSQL folds unquoted names to lower case; compared case-insensitively).
template <class Row>
void check_mapped_names(const pg_result* r, const statement_context& ctx) {
  if constexpr (sqlproof::detail::shape_of_row<Row>() == sqlproof::detail::row_shape::aggregate &&
                mapped_table<Row>) {
    constexpr auto names = table_columns<Row>();
    for (std::size_t i = 0; i < names.size(); ++i) {
      const char* got = PQfname(r, static_cast<int>(i));
      const std::string_view g = got != nullptr ? got : "";
      if (!sqlproof::detail::iequals(g, names[i])) {
        sqlproof::detail::throw_mapped_name_mismatch(i, g, type_name<Row>, names[i], ctx);
      }
    }
  }
}

// What the prepare-time check compares: the parameter count (a description only) and the
// result columns: their count, mapped names and types against the row type's fields.
// After the server re-planned a statement (0A000, see recover) a row type mapped with
// table_traits may find more columns than fields: ADD COLUMN appends to a `SELECT *`. The
// mapped names are checked on the columns it reads, and the rest are not read, as SQLite
// does when it re-prepares a statement on its own.
template <class Q>
void check_result(const pg_result* r, bool described, bool replanned = false) {
  using row = typename Q::row_type;
  const statement_context& ctx = context_of<Q>;
  if (described) {
    const int params = PQnparams(r);
    if (params != static_cast<int>(Q::parameter_count)) {
      throw_shape("has ", params, " parameters but ", static_cast<int>(Q::parameter_count),
                  " are declared", ctx);
    }
  }
  if constexpr (!std::is_void_v<row>) {
    const int columns = PQnfields(r);
    constexpr bool mapped =
        sqlproof::detail::shape_of_row<row>() == sqlproof::detail::row_shape::aggregate &&
        mapped_table<row>;
    const bool appended =
        replanned && mapped && columns > static_cast<int>(sqlproof::detail::row_width<row>());
    if (columns != static_cast<int>(sqlproof::detail::row_width<row>()) && !appended) {
      throw_shape("returns ", columns, " columns but the row type has ",
                  static_cast<int>(sqlproof::detail::row_width<row>()), " fields", ctx);
    }
    check_mapped_names<row>(r, ctx);
    check_result_types<row>(
        columns,
        [r](int i) {
          const char* name = PQfname(r, i);
          return column_description{PQftype(r, i), name != nullptr ? name : ""};
        },
        ctx.sql, ctx.name);
  }
}

// The NULL check (detail/nullability.hpp), on a description or a whole result: it runs a
// catalog query, so never while rows stream.
template <class Q>
void check_result_nullability(connection_state& c, const pg_result* r) {
  if constexpr (!std::is_void_v<typename Q::row_type>) {
    if (c.check_nullability) check_nullability<typename Q::row_type>(c.conn, r, context_of<Q>);
  }
}

// The SQL a typed query runs on PostgreSQL: its own text for a PostgreSQL-dialect query, the
// portable text with placeholders rendered as $n otherwise (dialect.hpp).
template <class Q>
inline constexpr std::string_view sql_of = sqlproof::detail::sql_text<Q, dialect::postgres>;

template <class Q>
inline constexpr statement_context pg_context{sql_of<Q>, query_display_name<Q>};

// A string literal or char array passed to a dynamic statement decays to char*, which is
// bound as const char* (text).
template <class T>
using param_codec = codec<std::conditional_t<std::is_same_v<std::decay_t<T>, char*>, const char*,
                                             std::decay_t<T>>>;

template <class Params>
struct parameter_oids;
template <class... Params>
struct parameter_oids<std::tuple<Params...>> {
  static constexpr std::array<oid, sizeof...(Params) == 0 ? 1 : sizeof...(Params)> value{
      param_codec<Params>::type...};
};

// Prepares typed query Q as a named server-side statement and checks its description against
// the declared types (one more round trip, on a cache miss only). In unnamed mode nothing is
// prepared: the first result is checked instead.
template <class Q>
SQLPROOF_NOINLINE prepared* prepare_typed(connection_state& c) {
  auto* p = new prepared{{}, &c, false, {}, {}, {}};
  if (c.mode == statement_mode::unnamed) return p;
  try {
    // The name is the statement's only once the server has it, so that a failed prepare
    // queues no DEALLOCATE of a statement that does not exist.
    std::string name = c.new_name();
    const std::string text(sql_of<Q>);
    const result made(PQprepare(c.conn, name.c_str(), text.c_str(),
                                static_cast<int>(Q::parameter_count),
                                parameter_oids<typename Q::parameter_types>::value.data()));
    if (!made.ok()) {
      throw_result_error(c.conn, made.get(), "cannot prepare statement", sql_of<Q>,
                         query_display_name<Q>);
    }
    p->name = std::move(name);
    const result described(PQdescribePrepared(c.conn, p->name.c_str()));
    if (!described.ok()) {
      throw_result_error(c.conn, described.get(), "cannot describe statement", sql_of<Q>,
                         query_display_name<Q>);
    }
    check_result<Q>(described.get(), true);
    check_result_nullability<Q>(c, described.get());
    p->checked = true;
  } catch (...) {
    statement_policy::finalize(p);  // DEALLOCATEs it if it was prepared
    throw;
  }
  return p;
}

// Encodes the parameters into the connection's buffer (no allocation once warm).
template <class Q, class... Params>
SQLPROOF_ALWAYS_INLINE void encode(param_list& list, const Params&... params) {
  list.clear();
  try {
    (param_codec<Params>::encode(list, params), ...);
  } catch (const type_error& e) {
    sqlproof::detail::rethrow_with_context(e, pg_context<Q>);
  }
  list.finish();
}

// Sends the statement and waits for its whole result (exec, one, all).
SQLPROOF_ALWAYS_INLINE pg_result* run(connection_state& c, const prepared& p, const char* sql,
                                      const oid* types) {
  const param_list& l = c.params;
  return p.name.empty()
             ? PQexecParams(c.conn, sql, l.size(), types, l.values(), l.lengths(), l.formats(), 1)
             : PQexecPrepared(c.conn, p.name.c_str(), l.size(), l.values(), l.lengths(),
                              l.formats(), 1);
}

inline bool is_changed_plan(const pg_result* r) noexcept {
  return error_field(r, PG_DIAG_SQLSTATE) == "0A000" &&
         error_field(r, PG_DIAG_SOURCE_FUNCTION) == "RevalidateCachedQuery";
}

// A statement the server no longer has (SQLSTATE 26000): DEALLOCATE ALL or DISCARD ALL ran
// on the session, as connection poolers do between clients.
inline bool is_missing_statement(const pg_result* r) noexcept {
  return error_field(r, PG_DIAG_SQLSTATE) == "26000";
}

// Prepares typed query Q again under its name and checks the new description, after the
// server invalidated its plan (SQLSTATE 0A000, "cached plan must not change result type")
// or lost the statement (26000, nothing to DEALLOCATE then).
template <class Q>
SQLPROOF_NOINLINE void replan(connection_state& c, prepared& p, const pg_result* failed) {
  const std::string sql(sql_of<Q>);
  // Until the new description passes the checks, every run checks its result (a
  // statement whose shape no longer fits keeps failing, never reads the wrong columns).
  p.checked = false;
  if (!is_missing_statement(failed)) exec_simple(c, concat({"DEALLOCATE ", p.name}).c_str());
  const result made(PQprepare(c.conn, p.name.c_str(), sql.c_str(),
                              static_cast<int>(Q::parameter_count),
                              parameter_oids<typename Q::parameter_types>::value.data()));
  if (!made.ok()) {
    throw_result_error(c.conn, made.get(), "cannot prepare statement", sql_of<Q>,
                       query_display_name<Q>);
  }
  const result described(PQdescribePrepared(c.conn, p.name.c_str()));
  if (!described.ok()) {
    throw_result_error(c.conn, described.get(), "cannot describe statement", sql_of<Q>,
                       query_display_name<Q>);
  }
  check_result<Q>(described.get(), true, true);
  check_result_nullability<Q>(c, described.get());
  p.checked = true;
}

// Whether a failed run can be recovered by replan: outside an explicit transaction only
// (inside one the failure has already aborted it).
inline bool can_replan(const connection_state& c, const prepared& p, const pg_result* failed) {
  return (is_changed_plan(failed) || is_missing_statement(failed)) && !in_transaction(c.conn) &&
         !p.name.empty();
}

// A failed run: a statement whose plan the server invalidated after a table changed, or
// that the server no longer has, is prepared and checked again and run once more. Anything
// else throws.
template <class Q>
SQLPROOF_NOINLINE result recover(connection_state& c, prepared& p, result failed) {
  if (can_replan(c, p, failed.get())) {
    replan<Q>(c, p, failed.get());
    result again(run(c, p, sql_of<Q>.data(), parameter_oids<typename Q::parameter_types>::value.data()));
    if (again.ok()) return again;
    failed = std::move(again);
  }
  throw_result_error(c.conn, failed.get(), "statement failed", sql_of<Q>, query_display_name<Q>);
}

template <class Q>
SQLPROOF_ALWAYS_INLINE result execute(connection_state& c, prepared& p) {
  result r(run(c, p, sql_of<Q>.data(), parameter_oids<typename Q::parameter_types>::value.data()));
  if (!r.ok()) [[unlikely]] return recover<Q>(c, p, std::move(r));
  if (!p.checked) [[unlikely]] {  // unnamed mode: the first result on this connection
    check_result<Q>(r.get(), false, !p.name.empty());
    check_result_nullability<Q>(c, r.get());
    p.checked = true;
  }
  return r;
}

// One result value as the codecs read it. The column's name and the statement serve only
// error messages; without them (Described false) a field costs no PQfname and strlen. A value
// of non-zero length is not NULL (libpq gives a NULL length 0), so PQgetisnull is asked only
// about empty values.
template <bool Described>
SQLPROOF_ALWAYS_INLINE field field_at(const pg_result* r, int row, int column,
                                      const statement_context& ctx) {
  if constexpr (Described) {
    return field{PQgetvalue(r, row, column),
                 PQgetlength(r, row, column),
                 PQftype(r, column),
                 PQgetisnull(r, row, column) != 0,
                 column,
                 PQfname(r, column),
                 ctx.sql,
                 ctx.name};
  } else {
    const int length = PQgetlength(r, row, column);
    return field{PQgetvalue(r, row, column), length, PQftype(r, column),
                 length == 0 && PQgetisnull(r, row, column) != 0, column, {}, {}, {}};
  }
}

// Reads the row again with the column names and the statement: the codec that refused a value
// throws again, with them in its message.
template <class Row>
SQLPROOF_COLD Row read_described_row(const pg_result* r, int row,
                                    const statement_context& ctx) {
  return read_row<Row>([&](int column) { return field_at<true>(r, row, column, ctx); });
}

template <class Row>
SQLPROOF_ALWAYS_INLINE Row read_result_row(const pg_result* r, int row,
                                           const statement_context& ctx) {
  try {
    return read_row<Row>([&](int column) { return field_at<false>(r, row, column, ctx); });
  } catch (const type_error&) {
    return read_described_row<Row>(r, row, ctx);
  }
}

// Reads a row straight into the storage of an optional or a vector element (see
// sqlite/statement.hpp's row_reader: the conversion's result initialises the object).
template <class Row>
struct result_row_reader {
  const pg_result* r;
  int row;
  const statement_context* ctx;
  operator Row() const { return read_result_row<Row>(r, row, *ctx); }  // NOLINT: implicit
};

// Runs typed query Q; the parameters arrive already converted to the declared types.
template <class Q, class Params = typename Q::parameter_types>
struct query_runner;

template <class Q, class... Params>
struct query_runner<Q, std::tuple<Params...>> {
  using row = typename Q::row_type;

  SQLPROOF_ALWAYS_INLINE static lease checkout(connection_state& c) {
    before_statement(c);
    return c.cache.checkout_typed(query_slot<Q>(), [&] { return prepare_typed<Q>(c); });
  }

  static exec_result exec(connection_state& c, const Params&... params) {
    const connection_use use(c.cache);
    lease l = checkout(c);
    encode<Q>(c.params, params...);
    const result r = execute<Q>(c, *l.get());
    return {changes(r.get()), {}};
  }

  static std::optional<row> one(connection_state& c, const Params&... params) {
    const connection_use use(c.cache);
    lease l = checkout(c);
    encode<Q>(c.params, params...);
    const result r = execute<Q>(c, *l.get());
    if (r.rows() == 0) return std::nullopt;
    return std::optional<row>(std::in_place, result_row_reader<row>{r.get(), 0, &pg_context<Q>});
  }

  static std::vector<row> all(connection_state& c, const Params&... params) {
    const connection_use use(c.cache);
    lease l = checkout(c);
    encode<Q>(c.params, params...);
    const result r = execute<Q>(c, *l.get());
    const int n = r.rows();
    std::vector<row> out;
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) out.emplace_back(result_row_reader<row>{r.get(), i, &pg_context<Q>});
    return out;
  }

  static row_range<row> iter(connection_state& c, const Params&... params);
};

template <class Q>
result send_streaming(connection_state& c, const prepared& p);

}  // namespace detail

/// The rows of `db.iter<Q>(...)`, read one at a time (an input range).
///
/// The rows stream from the server in single-row mode, so a large result never sits in
/// memory. libpq runs one statement at a time per connection: when another statement runs on
/// the connection while the range is streaming (a query inside the loop), the range first
/// reads its remaining rows into memory and then serves them from there
/// (`cache().stats().drained_streams` counts it). `db.iter` waits for the first row (or the
/// end), so an error the statement fails with at once is thrown by `db.iter` itself, and
/// the 0A000 of a table changed under the cached statement is recovered from as `one`
/// does; later errors are thrown from `++`.
/// Must not outlive its database.
template <class Row>
class row_range {
 public:
  /// An input iterator over the rows; `end()` is `std::default_sentinel`.
  using iterator = sqlproof::detail::row_iterator<row_range, Row>;

  // `check` is the unnamed mode's check of the result shape, run on the first result;
  // `first` is that result, already read by the runner.
  row_range(detail::lease l, detail::connection_state* c,
            const detail::statement_context* ctx = nullptr,
            void (*check)(const detail::pg_result*) = nullptr,
            detail::result first = detail::result()) noexcept
      : lease_(std::move(l)), conn_(c), ctx_(ctx), first_(std::move(first)), check_(check) {
    if (conn_ != nullptr) conn_->streaming = {&drain_range, this};
  }
  row_range(row_range&& o) noexcept
      : lease_(std::move(o.lease_)),
        conn_(std::exchange(o.conn_, nullptr)),
        ctx_(o.ctx_),
        buffered_(std::move(o.buffered_)),
        next_(o.next_),
        current_(std::move(o.current_)),
        first_(std::move(o.first_)),
        check_(o.check_),
        started_(o.started_) {
    if (conn_ != nullptr && conn_->streaming.range == &o) conn_->streaming.range = this;
  }
  row_range& operator=(row_range&&) = delete;
  row_range(const row_range&) = delete;
  row_range& operator=(const row_range&) = delete;
  ~row_range() { discard(); }

  /// Reads the first row. Call once.
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
  bool streaming() const noexcept {
    return conn_ != nullptr && conn_->streaming.range == this;
  }

  void advance() {
    if (next_ < buffered_.size()) {
      current_.emplace(std::move(buffered_[next_++]));
      return;
    }
    current_.reset();
    if (!streaming()) {
      lease_.release();
      return;
    }
    const detail::connection_use use(conn_->cache);
    detail::result r = next_result();
    if (check_ != nullptr && r.ok()) {
      try {
        check_first(r.get());
      } catch (...) {
        discard();
        lease_.release();
        throw;
      }
    }
    if (r.status() == PGRES_SINGLE_TUPLE) {
      current_.emplace(detail::result_row_reader<Row>{r.get(), 0, ctx_});
      return;
    }
    finish(std::move(r));
  }

  // Ends the stream on its last result (PGRES_TUPLES_OK, or an error): reads to the end of
  // the statement so the connection is free, returns the statement, throws on an error.
  void finish(detail::result last) {
    detail::pg_conn* c = conn_->conn;
    conn_->streaming = {};
    while (detail::result more{PQgetResult(c)}) {
      if (last.ok() && !more.ok()) last = std::move(more);
    }
    lease_.release();
    if (last && !last.ok()) {
      detail::throw_result_error(c, last.get(), "statement failed", ctx_->sql, ctx_->name);
    }
  }

  // Another statement is about to run: read the remaining rows into memory.
  static void drain_range(void* self) {
    auto& range = *static_cast<row_range*>(self);
    detail::pg_conn* c = range.conn_->conn;
    range.conn_->streaming = {};
    std::vector<Row> rows;
    detail::result failed;
    std::exception_ptr mismatch;
    while (detail::result r = range.next_result()) {
      if (range.check_ != nullptr && r.ok() && !mismatch) {
        try {
          range.check_first(r.get());
        } catch (...) {
          mismatch = std::current_exception();
        }
      }
      if (mismatch) continue;  // read to the end, then report it
      if (r.status() == PGRES_SINGLE_TUPLE && !failed) {
        rows.emplace_back(detail::result_row_reader<Row>{r.get(), 0, range.ctx_});
      } else if (!r.ok() && !failed) {
        failed = std::move(r);
      }
    }
    // The lease is kept: the range holds its statement until it has served every row, as
    // on SQLite (a query run again inside the loop gets a statement of its own), so the
    // cache's counters and in_use do not depend on the backend.
    if (mismatch) {
      range.lease_.release();
      std::rethrow_exception(mismatch);
    }
    if (failed) {
      range.lease_.release();
      detail::throw_result_error(c, failed.get(), "statement failed", range.ctx_->sql,
                                 range.ctx_->name);
    }
    // Rows not yet served stay in order after those already buffered.
    range.buffered_.erase(range.buffered_.begin(),
                          range.buffered_.begin() + static_cast<std::ptrdiff_t>(range.next_));
    range.next_ = 0;
    for (Row& row : rows) range.buffered_.push_back(std::move(row));
  }

  // The result the runner read first, then the connection's next one.
  detail::result next_result() {
    if (first_) return std::move(first_);
    return detail::result(PQgetResult(conn_->conn));
  }

  // Unnamed mode: the first result carries the column description, checked once per
  // connection like a described statement.
  void check_first(const detail::pg_result* r) {
    check_(r);
    check_ = nullptr;
    if (lease_) lease_.get()->checked = true;
  }

  // Destroyed before the end: the rest of the result is read and dropped, so the connection
  // can run the next statement.
  void discard() noexcept {
    if (streaming()) {
      detail::pg_conn* c = conn_->conn;
      conn_->streaming = {};
      first_.reset();
      while (detail::result r{PQgetResult(c)}) {
      }
    }
  }

  detail::lease lease_;
  detail::connection_state* conn_ = nullptr;
  const detail::statement_context* ctx_ = nullptr;
  std::vector<Row> buffered_;
  std::size_t next_ = 0;
  std::optional<Row> current_;
  detail::result first_;
  void (*check_)(const detail::pg_result*) = nullptr;
  bool started_ = false;
};

// Sends typed query Q with the parameters in the connection's list, in single-row mode,
// and returns its first result.
template <class Q>
detail::result detail::send_streaming(connection_state& c, const prepared& p) {
  const param_list& list = c.params;
  const int sent =
      p.name.empty()
          ? PQsendQueryParams(c.conn, sql_of<Q>.data(), list.size(),
                              parameter_oids<typename Q::parameter_types>::value.data(),
                              list.values(), list.lengths(), list.formats(), 1)
          : PQsendQueryPrepared(c.conn, p.name.c_str(), list.size(), list.values(),
                                list.lengths(), list.formats(), 1);
  if (sent == 0 || PQsetSingleRowMode(c.conn) == 0) {
    throw_result_error(c.conn, nullptr, "cannot send statement", sql_of<Q>, query_display_name<Q>);
  }
  return result(PQgetResult(c.conn));
}

template <class Q, class... Params>
row_range<typename Q::row_type> detail::query_runner<Q, std::tuple<Params...>>::iter(
    connection_state& c, const Params&... params) {
  const connection_use use(c.cache);
  lease l = checkout(c);
  encode<Q>(c.params, params...);
  prepared& p = *l.get();
  // The first result is read here: when it is a 0A000 (the table changed under the cached
  // statement) the statement is prepared again and sent once more, as exec, one and all do.
  // (The statement is read to its end before the transaction status is asked: until then
  // it is PQTRANS_ACTIVE.)
  result first = send_streaming<Q>(c, p);
  if (!first.ok()) {
    while (result more{PQgetResult(c.conn)}) {
    }
    if (can_replan(c, p, first.get())) {
      replan<Q>(c, p, first.get());
      first = send_streaming<Q>(c, p);
    }
  }
  if (!first.ok()) {
    while (result more{PQgetResult(c.conn)}) {
    }
    throw_result_error(c.conn, first.get(), "statement failed", sql_of<Q>, query_display_name<Q>);
  }
  // Unnamed mode (or a statement whose new shape failed its check): the range checks the
  // first result, which carries the column description.
  void (*check)(const pg_result*) = nullptr;
  if (!p.checked) {
    check = p.name.empty() ? [](const pg_result* r) { check_result<Q>(r, false); }
                           : [](const pg_result* r) { check_result<Q>(r, false, true); };
  }
  return row_range<row>(std::move(l), &c, &pg_context<Q>, check, std::move(first));
}

template <class Db>
class postgres_extension;

/// The PostgreSQL backend of `basic_database`: a libpq connection, statements prepared on the
/// server and cached per connection, values in binary, PostgreSQL's transaction verbs.
/// Users name its database `sqlproof::pg::database`.
struct postgres_backend {
  using connection = detail::connection_state;
  using options = pg::options;
  using exec_result = pg::exec_result;
  using transaction_options = tx_options;
  using statement = pg::statement;
  using statement_cache = pg::statement_cache;
  template <class Row>
  using row_range = pg::row_range<Row>;
  template <class Q>
  using runner = detail::query_runner<Q>;
  template <class Db>
  using extension = postgres_extension<Db>;

  // A query runs on PostgreSQL when it is written in PostgreSQL's dialect, or in the portable
  // subset of SQLite's (the dialect lint says which construct is not).
  template <class Q>
  static consteval bool accepts() {
    // The lint is called directly (not through check_dialect), so that its message stays
    // within the first lines of the compiler's output.
    if constexpr (Q::written_in == dialect::sqlite && !Q::sql_source.is_either()) {
      return sqlproof::detail::check_portable<Q::sql_source.text>();
    } else {
      return true;
    }
  }

  // Connects with libpq's connection string (`host=/run/postgresql dbname=app`, or a
  // postgresql:// URI). Throws open_error with libpq's message.
  SQLPROOF_NOINLINE static connection* open(std::string conninfo, const options& o) {
    auto* c = new connection(o.statement_cache_capacity);
    try {
      c->conninfo = std::move(conninfo);
      c->mode = o.statements;
      c->check_nullability = o.check_nullability;
      c->conn = PQconnectdb(c->conninfo.c_str());
      if (c->conn == nullptr || PQstatus(c->conn) != CONNECTION_OK) {
        const std::string message(c->conn != nullptr ? detail::connection_message(c->conn)
                                                     : "out of memory");
        sqlproof::detail::throw_error(
            sqlproof::detail::error_kind::open,
            detail::concat({"cannot connect to PostgreSQL (", redact(c->conninfo), ")"}),
            {0, message, {}, {}});
      }
      // libpq's default notice processor writes every NOTICE and WARNING the server sends
      // (DROP ... CASCADE, a RAISE NOTICE in a function) to stderr: a library must not print
      // on its own. They are dropped; PQsetNoticeReceiver on native_handle() routes them.
      PQsetNoticeProcessor(c->conn, &ignore_notice, nullptr);
      if (o.lock_timeout.count() > 0) set(*c, "lock_timeout", o.lock_timeout);
      if (o.statement_timeout.count() > 0) set(*c, "statement_timeout", o.statement_timeout);
    } catch (...) {
      destroy(c);
      throw;
    }
    return c;
  }

  static bool is_open(const connection& c) noexcept { return c.conn != nullptr; }

  static void close(connection& c) {
    const sqlproof::detail::connection_use use(c.cache);
    if (c.cache.in_use() > 0) {
      sqlproof::detail::throw_error(
          sqlproof::detail::error_kind::misuse,
          detail::concat({"cannot close the PostgreSQL connection: ",
                          detail::number_text(static_cast<long long>(c.cache.in_use())),
                          " statement(s) still in use (a row_range or statement is alive)"}));
    }
    finish(c);
  }

  SQLPROOF_NOINLINE static void destroy(connection* c) noexcept {
    if (c == nullptr) return;
    finish(*c);
    delete c;
  }

  // The whole script in one simple-query round trip; PostgreSQL runs a multi-statement
  // string as one implicit transaction unless it holds its own BEGIN/COMMIT.
  static void exec_script(connection& c, std::string_view sql) {
    const sqlproof::detail::connection_use use(c.cache);
    detail::before_statement(c);
    const std::string text(sql);
    detail::result r(PQexec(c.conn, text.c_str()));
    if (!r.ok()) detail::throw_result_error(c.conn, r.get(), "script failed", sql, {});
  }

  static inline statement prepare_cached(connection& c, std::string_view sql);
  static inline statement prepare(connection& c, std::string_view sql);

  static bool in_transaction(const connection& c) noexcept {
    return detail::in_transaction(c.conn);
  }
  static detail::pg_conn* native_handle(const connection& c) noexcept { return c.conn; }
  static void sleep_for(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

  // ---- transaction verbs (basic_transaction.hpp) ----

  static void begin(connection& c, const tx_options& o) {
    static constexpr const char* levels[] = {"", " ISOLATION LEVEL READ COMMITTED",
                                             " ISOLATION LEVEL REPEATABLE READ",
                                             " ISOLATION LEVEL SERIALIZABLE"};
    const std::string sql = detail::concat({"BEGIN", levels[static_cast<int>(o.level)],
                                            o.read_only ? " READ ONLY" : "",
                                            o.deferrable ? " DEFERRABLE" : ""});
    detail::exec_simple(c, sql.c_str());
  }
  static void savepoint(connection& c) { detail::exec_simple(c, "SAVEPOINT sqlproof_savepoint"); }
  static void release_savepoint(connection& c) {
    detail::exec_simple(c, "RELEASE sqlproof_savepoint");
  }
  static void rollback_to_savepoint(connection& c) {
    detail::exec_simple(c, "ROLLBACK TO sqlproof_savepoint");
  }
  static void commit(connection& c) {
    // PostgreSQL answers COMMIT of a transaction in which a statement failed with ROLLBACK
    // and no error (only the command tag says so): refuse, rather than let the caller
    // believe the work is committed. The transaction stays open; its owner rolls it back.
    detail::before_statement(c);
    if (detail::transaction_failed(c.conn)) [[unlikely]] {
      detail::throw_with(sqlproof::detail::error_kind::misuse,
                         "cannot commit: a statement in the transaction failed, so PostgreSQL "
                         "would roll it back",
                         {0, {}, "COMMIT", {}},
                         {"25P02", {}, {}, {}, detail::failed_transaction_hint, 0});
    }
    detail::exec_simple(c, "COMMIT");
  }
  static void rollback(connection& c) { detail::exec_simple(c, "ROLLBACK"); }
  [[noreturn]] static void throw_transaction_aborted(const char* action) {
    sqlproof::detail::throw_error(sqlproof::detail::error_kind::misuse,
                                  detail::concat({action, ": the transaction was rolled back"}));
  }

 private:
  static void finish(connection& c) noexcept {
    if (c.conn == nullptr) return;
    c.closing = true;  // the server drops the session's statements itself
    c.cache.clear();
    c.to_deallocate.clear();
    PQfinish(c.conn);
    c.conn = nullptr;
  }

  static void ignore_notice(void*, const char*) noexcept {}

  static void set(connection& c, const char* name, std::chrono::milliseconds value) {
    const std::string sql = detail::concat(
        {"SET ", name, " = ", detail::number_text(static_cast<long long>(value.count()))});
    detail::exec_simple(c, sql.c_str());
  }

  // The connection string for messages, as libpq parsed it (keyword=value, from a URI as
  // well), with the value of every secret option (PQconninfoOption::dispchar "*": password,
  // sslpassword) hidden. Searching the text for "password=" missed a URI's user:password@
  // and a quoted password with spaces. Text libpq cannot parse is not shown at all.
  static std::string redact(const std::string& conninfo) {
    char* parse_error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
    if (parse_error != nullptr) PQfreemem(parse_error);
    if (parsed == nullptr) return "a connection string libpq cannot parse";
    std::string out;
    for (const PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
      if (o->val == nullptr) continue;  // only what the string gave: no defaults
      const bool secret = o->dispchar != nullptr && o->dispchar[0] == '*';
      const std::string_view value = secret ? std::string_view("***") : std::string_view(o->val);
      const bool quote = value.empty() || value.find(' ') != std::string_view::npos;
      if (!out.empty()) out += ' ';
      out += detail::concat({o->keyword, "=", quote ? "'" : "", value, quote ? "'" : ""});
    }
    PQconninfoFree(parsed);
    return out;
  }
};

/// One connection to a PostgreSQL server (libpq): the same typed queries, rows and
/// `value_traits` as `sqlproof::database`.
///
/// Typed queries run through `exec`, `one`, `all` and `iter` and are prepared once per
/// connection as server-side statements, checked against the declared types when prepared.
/// Portable queries (SQLite's dialect) are rendered with `$n` placeholders at compile time;
/// `pg::query` holds PostgreSQL-only SQL. Transactions take `pg::tx_options`; a failed
/// statement aborts the transaction, as PostgreSQL does (a nested `db.transaction` is a
/// savepoint and limits the damage to itself). One thread at a time, like every connection;
/// see `pg::pool` for threads. Notices from the server (NOTICE, WARNING) are not printed,
/// unlike libpq's default; to see them, install a receiver with `PQsetNoticeReceiver` on
/// `native_handle()`.
/// @code
/// sqlproof::pg::database db{"host=/run/postgresql dbname=app"};
/// auto id = db.one<insert_user_returning_id>("Ann", 31);
/// @endcode
using database = basic_database<postgres_backend>;

/// An open PostgreSQL transaction or savepoint (`database::begin`); see basic_transaction.hpp.
using transaction = basic_transaction<postgres_backend>;

/// The members only a PostgreSQL database has.
template <class Db>
class postgres_extension {
 public:
  /// The connection string the database was opened with.
  [[nodiscard]] const std::string& conninfo() const noexcept {
    static const std::string moved_from;
    const auto* c = state();
    return c != nullptr ? c->conninfo : moved_from;
  }

  /// The server's version as an integer (150004 for 15.4), or 0 once closed.
  [[nodiscard]] int server_version() const noexcept {
    const auto* c = state();
    return c != nullptr && c->conn != nullptr ? PQserverVersion(c->conn) : 0;
  }

  /// False once the connection to the server broke (the server restarted, the backend was
  /// terminated); a pool replaces such a connection.
  [[nodiscard]] bool connection_ok() const noexcept {
    const auto* c = state();
    return c != nullptr && detail::connection_ok(c->conn);
  }

 private:
  [[nodiscard]] const Db& db() const noexcept { return static_cast<const Db&>(*this); }
  [[nodiscard]] detail::connection_state* state() const noexcept {
    return sqlproof::detail::connection_access::state(db());
  }
};

}  // namespace sqlproof::pg

namespace sqlproof::pg {

namespace detail {

// Prepares dynamic SQL as a named statement (untyped: the server infers the parameter
// types) and keeps its description. A run whose argument types differ from what the server
// inferred prepares it again with the arguments' types: binary values must be sent as the
// type the server expects (SQLSTATE 22P03 otherwise).
SQLPROOF_NOINLINE inline prepared* prepare_dynamic(connection_state& c, std::string_view sql,
                                                   const oid* types, int count) {
  // Unnamed mode leaves nothing on the server: the SQL is described through the unnamed
  // statement (replaced by the next statement) and every run parses it again.
  // The name is set once the server has the statement (see prepare_typed).
  auto* p = new prepared{{}, &c, true, std::string(sql), {}, {}};
  try {
    std::string name = c.mode == statement_mode::unnamed ? std::string() : c.new_name();
    const result made(PQprepare(c.conn, name.c_str(), p->sql.c_str(), count, types));
    if (!made.ok()) throw_result_error(c.conn, made.get(), "cannot prepare statement", sql, {});
    p->name = std::move(name);
    const result d(PQdescribePrepared(c.conn, p->name.c_str()));
    if (!d.ok()) throw_result_error(c.conn, d.get(), "cannot describe statement", sql, {});
    for (int i = 0; i < PQnparams(d.get()); ++i) p->parameter_types.push_back(PQparamtype(d.get(), i));
    for (int i = 0; i < PQnfields(d.get()); ++i) p->column_names.emplace_back(PQfname(d.get(), i));
  } catch (...) {
    statement_policy::finalize(p);
    throw;
  }
  return p;
}

}  // namespace detail

/// A statement for dynamic SQL on PostgreSQL (`db.prepare(sql)`, `db.prepare_cached(sql)`): a
/// named server-side statement, run with arguments in binary. Placeholders are `$1`, `$2`...
/// Returns its statement to the cache (or DEALLOCATEs it) when destroyed. Must not outlive
/// its database.
/// @code
/// auto s = db.prepare_cached("SELECT name FROM users WHERE age > $1");
/// for (auto& name : s.all<std::string>(30)) print(name);
/// @endcode
class statement {
 public:
  statement(detail::lease l, detail::connection_state* c) noexcept
      : lease_(std::move(l)), conn_(c) {}

  /// The statement's SQL text.
  [[nodiscard]] std::string_view sql() const noexcept { return lease_.get()->sql; }
  /// Number of parameters, as the server counted them.
  [[nodiscard]] int parameter_count() const noexcept {
    return static_cast<int>(lease_.get()->parameter_types.size());
  }
  /// Number of result columns.
  [[nodiscard]] int column_count() const noexcept {
    return static_cast<int>(lease_.get()->column_names.size());
  }
  /// Name of result column `i`.
  [[nodiscard]] std::string_view column_name(int i) const noexcept {
    const auto& names = lease_.get()->column_names;
    return i >= 0 && static_cast<std::size_t>(i) < names.size()
               ? std::string_view(names[static_cast<std::size_t>(i)])
               : std::string_view{};
  }

  /// Runs the statement with `args` bound to `$1`, `$2`..., discarding any rows.
  template <class... Args>
  exec_result exec(const Args&... args) {
    const detail::connection_use use(conn_->cache);
    const detail::result r = run(args...);
    return {detail::changes(r.get()), {}};
  }

  /// Runs the statement and reads its first row, or `std::nullopt` when there is none.
  template <class Row, class... Args>
  std::optional<Row> one(const Args&... args) {
    const detail::connection_use use(conn_->cache);
    const detail::result r = run(args...);
    check_width<Row>(r);
    if (r.rows() == 0) return std::nullopt;
    return detail::read_result_row<Row>(r.get(), 0, context());
  }

  /// Runs the statement and reads every row.
  template <class Row, class... Args>
  std::vector<Row> all(const Args&... args) {
    const detail::connection_use use(conn_->cache);
    const detail::result r = run(args...);
    check_width<Row>(r);
    std::vector<Row> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    const detail::statement_context ctx = context();
    for (int i = 0; i < r.rows(); ++i) out.push_back(detail::read_result_row<Row>(r.get(), i, ctx));
    return out;
  }

 private:
  [[nodiscard]] detail::statement_context context() const noexcept { return {sql(), {}}; }

  template <class Row>
  void check_width(const detail::result& r) const {
    constexpr int width = static_cast<int>(sqlproof::detail::row_width<Row>());
    if (r.columns() != width) {
      detail::throw_shape("returns ", r.columns(), " columns but the row type has ", width,
                          " fields", context());
    }
  }

  template <class... Args>
  detail::result run(const Args&... args) {
    detail::before_statement(*conn_);
    detail::prepared& p = *lease_.get();
    if (static_cast<int>(sizeof...(Args)) != parameter_count()) {
      detail::throw_shape("has ", parameter_count(), " parameters but ",
                          static_cast<int>(sizeof...(Args)), " arguments were given", context());
    }
    static constexpr std::array<detail::oid, sizeof...(Args) == 0 ? 1 : sizeof...(Args)> types{
        detail::param_codec<Args>::type...};
    for (std::size_t i = 0; i < sizeof...(Args); ++i) {
      if (p.parameter_types[i] != types[i]) {
        reprepare(types.data(), static_cast<int>(sizeof...(Args)), true);
        break;
      }
    }
    detail::param_list& list = conn_->params;
    list.clear();
    try {
      (detail::param_codec<Args>::encode(list, args), ...);
    } catch (const type_error& e) {
      sqlproof::detail::rethrow_with_context(e, context());
    }
    list.finish();
    detail::result r = send();
    if (!r.ok() && detail::can_replan(*conn_, p, r.get())) {
      // The table changed under the statement (0A000) or the server lost it (26000): as for
      // typed queries, it is prepared again (under a new name, with the new description)
      // and run once more, outside a transaction.
      reprepare(types.data(), static_cast<int>(sizeof...(Args)),
                !detail::is_missing_statement(r.get()));
      r = send();
    }
    if (!r.ok()) detail::throw_result_error(conn_->conn, r.get(), "statement failed", sql(), {});
    return r;
  }

  detail::result send() {
    const detail::prepared& p = *lease_.get();
    const detail::param_list& list = conn_->params;
    return detail::result(
        p.name.empty()
            ? PQexecParams(conn_->conn, p.sql.c_str(), list.size(), p.parameter_types.data(),
                           list.values(), list.lengths(), list.formats(), 1)
            : PQexecPrepared(conn_->conn, p.name.c_str(), list.size(), list.values(),
                             list.lengths(), list.formats(), 1));
  }

  // Prepares the statement again with the arguments' types, under a new name; the old one
  // is DEALLOCATEd unless the server no longer has it.
  SQLPROOF_NOINLINE void reprepare(const detail::oid* types, int count, bool deallocate) {
    detail::prepared& p = *lease_.get();
    detail::prepared* fresh = detail::prepare_dynamic(*conn_, p.sql, types, count);
    if (!p.name.empty() && deallocate) conn_->to_deallocate.push_back(std::move(p.name));
    p.name = std::move(fresh->name);
    p.parameter_types = std::move(fresh->parameter_types);
    p.column_names = std::move(fresh->column_names);
    fresh->name.clear();  // now p's
    detail::statement_policy::finalize(fresh);
  }

  detail::lease lease_;
  detail::connection_state* conn_;
};

inline statement postgres_backend::prepare_cached(connection& c, std::string_view sql) {
  const sqlproof::detail::connection_use use(c.cache);
  detail::before_statement(c);
  return statement(c.cache.checkout_dynamic(
                       sql, [&] { return detail::prepare_dynamic(c, sql, nullptr, 0); }),
                   &c);
}

inline statement postgres_backend::prepare(connection& c, std::string_view sql) {
  const sqlproof::detail::connection_use use(c.cache);
  detail::before_statement(c);
  return statement(c.cache.checkout_uncached([&] { return detail::prepare_dynamic(c, sql, nullptr, 0); }),
                   &c);
}

}  // namespace sqlproof::pg
