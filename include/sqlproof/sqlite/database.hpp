#pragma once
/// @file
/// `database`: one SQLite connection (`basic_database<sqlite_backend>`, basic_database.hpp)
/// with its options, statement cache and transactions, and the typed-query entry points
/// `exec`, `one`, `all` and `iter`.

#include "../detail/chrono.hpp"
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../basic_database.hpp"
#include "../basic_transaction.hpp"
#include "../callback.hpp"
#include "../config.hpp"
#include "../detail/call_checks.hpp"
#include "../detail/connection_use.hpp"
#include "../detail/sql_dialect.hpp"
#include "../dialect.hpp"
#include "../error.hpp"
#include "../query.hpp"
#include "detail/api.hpp"
#include "detail/connection.hpp"
#include "statement.hpp"
#include "statement_cache.hpp"

namespace sqlproof {

/// `PRAGMA journal_mode` values (https://sqlite.org/pragma.html#pragma_journal_mode).
enum class journal_mode { unchanged, delete_, truncate, persist, memory, wal, off };
/// `PRAGMA synchronous` values.
enum class synchronous_mode { unchanged, off, normal, full, extra };
/// `PRAGMA temp_store` values.
enum class temp_store_mode { unchanged, default_, file, memory };
/// `PRAGMA auto_vacuum` values; applied only to a new, empty database file.
enum class auto_vacuum_mode { unchanged, none, full, incremental };

/// How a connection is opened and configured. Fields left at `unchanged` / `std::nullopt`
/// keep SQLite's defaults.
///
/// @code
/// sqlproof::database db{"app.db", sqlproof::options::production()};
/// @endcode
struct options {
  journal_mode journal = journal_mode::unchanged;
  synchronous_mode synchronous = synchronous_mode::unchanged;
  /// How long a statement waits for another connection's lock before failing with busy.
  std::chrono::milliseconds busy_timeout{5000};
  /// `PRAGMA foreign_keys`: ON by default (SQLite's own default is OFF).
  bool foreign_keys = true;
  /// `PRAGMA cache_size`: pages when positive, KiB when negative.
  std::optional<std::int64_t> cache_size;
  /// `PRAGMA mmap_size` in bytes.
  std::optional<std::int64_t> mmap_size;
  temp_store_mode temp_store = temp_store_mode::unchanged;
  /// `PRAGMA wal_autocheckpoint` in pages.
  std::optional<int> wal_autocheckpoint;
  /// `PRAGMA journal_size_limit` in bytes.
  std::optional<std::int64_t> journal_size_limit;
  auto_vacuum_mode auto_vacuum = auto_vacuum_mode::unchanged;
  /// `PRAGMA page_size` in bytes (a power of two, 512 to 65536). Like `auto_vacuum`, it is
  /// applied only to a new, empty file, before `journal` (a WAL database keeps its page
  /// size); an existing database keeps its own values, so opening it never needs the write
  /// lock. `pragma_mismatches(o, db.pragmas())` lists a difference.
  std::optional<int> page_size;
  /// Open read-only; requires `create == false`.
  bool read_only = false;
  /// `PRAGMA query_only`: the connection refuses every change to the database (a `error`
  /// with SQLITE_READONLY) while it can still read and checkpoint a WAL database; how a
  /// `pool`'s readers are opened.
  bool query_only = false;
  /// Create the file when it does not exist.
  bool create = true;
  /// Interpret the path as a `file:` URI.
  bool uri = false;
  /// Open with SQLITE_OPEN_NOMUTEX (the default): a connection is used by one thread at a
  /// time, which measured about 8% faster than SQLite's serialized mode. Set to false for
  /// SQLITE_OPEN_FULLMUTEX.
  bool no_mutex = true;
  /// Bound on cached dynamic-SQL statements (`prepare_cached`).
  std::size_t statement_cache_capacity = statement_cache::default_capacity;
  /// Stop any statement that runs longer than this (`deadline_exceeded_error`); 0 = never.
  /// Each `exec`/`one`/`all`/`iter` call, dynamic statement run and script gets its own
  /// deadline, checked every few microseconds of the statement's work
  /// (`database::set_statement_timeout` changes it).
  std::chrono::milliseconds statement_timeout{0};
  /// Count calls, rows, errors and time per typed query and per dynamic SQL text, read with
  /// `database::query_stats()`. Off by default; costs two clock reads per call when on.
  bool collect_query_stats = false;

  /// The checklist for a server application: WAL, synchronous=NORMAL, 5 s busy timeout,
  /// foreign keys, 64 MiB page cache, 256 MiB mmap, temp tables in memory, checkpoint every
  /// 1000 pages, WAL kept under 64 MiB, incremental auto-vacuum.
  static options production() {
    options o;
    o.journal = journal_mode::wal;
    o.synchronous = synchronous_mode::normal;
    o.busy_timeout = std::chrono::milliseconds{5000};
    o.foreign_keys = true;
    o.cache_size = -65536;
    o.mmap_size = std::int64_t{256} * 1024 * 1024;
    o.temp_store = temp_store_mode::memory;
    o.wal_autocheckpoint = 1000;
    o.journal_size_limit = std::int64_t{64} * 1024 * 1024;
    o.auto_vacuum = auto_vacuum_mode::incremental;
    return o;
  }

  /// For `":memory:"` databases and tests: no journal on disk, no fsync, temp in memory.
  static options in_memory() {
    options o;
    o.journal = journal_mode::memory;
    o.synchronous = synchronous_mode::off;
    o.temp_store = temp_store_mode::memory;
    return o;
  }
};

/// Turns SQLite's process-wide memory statistics (SQLITE_CONFIG_MEMSTATUS) on or off. They
/// are on unless SQLite was built with SQLITE_DEFAULT_MEMSTATUS=0, and while they are on
/// every allocation SQLite makes takes one process-wide mutex: threads reading side by side,
/// each on a connection of its own or a `pool`'s reader, queue on it. Measured with read
/// transactions of 16 point selects, 2 threads read 1.3 to 1.7 times what 1 thread reads
/// with the statistics on and 2.0 to 2.35 times with them off (docs/concurrency.md). Off,
/// `sqlite3_memory_used()`, `sqlite3_memory_highwater()`, `sqlite3_status64()`'s memory
/// figures and the heap limits stop working; nothing in sqlproof uses them.
///
/// SQLite takes process-wide settings only before it initializes, which the first
/// connection opened in the process does: call this at the start of `main`, before any
/// connection opens and before other threads use SQLite. Later it throws `misuse_error`
/// and changes nothing.
///
/// @code
/// int main() {
///   sqlproof::set_memory_statistics(false);
///   sqlproof::pool pool{"app.db", sqlproof::options::production(), 4};
///   ...
/// }
/// @endcode
inline void set_memory_statistics(bool enabled) {
  const int rc = detail::config_memory_statistics(enabled);
  if (rc == detail::sqlite_ok) return;
  detail::throw_error(
      detail::error_kind::misuse,
      rc == detail::sqlite_misuse
          ? "sqlproof::set_memory_statistics: SQLite is already initialized (a connection was "
            "opened in this process, or sqlite3_initialize() was called); call it at the start "
            "of main, before the first connection opens"
          : "sqlproof::set_memory_statistics: SQLite refused the setting (sqlite3_config "
            "failed)",
      error_context{
          .extended_code = rc, .sqlite_message = detail::errstr(rc), .sql = {}, .query_name = {}});
}

namespace detail {

inline std::string_view pragma_value(journal_mode m) noexcept {
  switch (m) {
    case journal_mode::delete_: return "DELETE";
    case journal_mode::truncate: return "TRUNCATE";
    case journal_mode::persist: return "PERSIST";
    case journal_mode::memory: return "MEMORY";
    case journal_mode::wal: return "WAL";
    case journal_mode::off: return "OFF";
    case journal_mode::unchanged: break;
  }
  return {};
}
inline std::string_view pragma_value(synchronous_mode m) noexcept {
  switch (m) {
    case synchronous_mode::off: return "OFF";
    case synchronous_mode::normal: return "NORMAL";
    case synchronous_mode::full: return "FULL";
    case synchronous_mode::extra: return "EXTRA";
    case synchronous_mode::unchanged: break;
  }
  return {};
}
inline std::string_view pragma_value(temp_store_mode m) noexcept {
  switch (m) {
    case temp_store_mode::default_: return "DEFAULT";
    case temp_store_mode::file: return "FILE";
    case temp_store_mode::memory: return "MEMORY";
    case temp_store_mode::unchanged: break;
  }
  return {};
}
inline std::string_view pragma_value(auto_vacuum_mode m) noexcept {
  switch (m) {
    case auto_vacuum_mode::none: return "NONE";
    case auto_vacuum_mode::full: return "FULL";
    case auto_vacuum_mode::incremental: return "INCREMENTAL";
    case auto_vacuum_mode::unchanged: break;
  }
  return {};
}

// True when `path` names an in-memory database: ":memory:", or with `uri` a `file::memory:`
// name or a `mode=memory` query parameter (https://sqlite.org/inmemorydb.html).
SQLPROOF_DECL bool is_memory_database(std::string_view path, bool uri) noexcept
#if SQLPROOF_DEFINITIONS
{
  if (path == ":memory:") return true;
  if (!uri || !path.starts_with("file:")) return false;
  if (path.starts_with("file::memory:")) return true;
  const std::size_t query = path.find('?');
  if (query == std::string_view::npos) return false;
  const std::string_view params = path.substr(query);
  return params.find("?mode=memory") != std::string_view::npos ||
         params.find("&mode=memory") != std::string_view::npos;
}
#else
    ;
#endif

// A failed step of a typed query: counted, then thrown naming the query (an interrupt that a
// deadline caused as deadline_exceeded_error).
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void fail_step(connection_state& c, sqlite_stmt* stmt,
                                                        int rc, const statement_context& ctx)
#if SQLPROOF_DEFINITIONS
{
  count_failure(c.watch, rc);
  if (stopped_by_deadline(c.watch, rc)) {
    throw_deadline_exceeded(c.watch, extended_errcode(c.db), errmsg(c.db), ctx.sql, ctx.name);
  }
  throw_step_error(stmt, rc, ctx);
}
#else
    ;
#endif

// Checks out the statement of a typed query, preparing and checking it on a cache miss.
SQLPROOF_ALWAYS_INLINE sqlite_lease checkout_query(connection_state& c, const query_site& s) {
  ensure_transaction_usable(c, s.context.sql, s.context.name);
  return c.cache.checkout_typed(slot_in(s.slot_cell), [&] { return prepare_query(c.db, s); });
}

// What the calls that return rows do with them: the only part of `one` and `all` that
// depends on the row type, one function per row type, reached through a pointer from the
// code shared by every query with the same parameter types (param_runner).
using read_into_fn = void (*)(sqlite_stmt*, const statement_context&, void* out);
using collect_fn = int (*)(sqlite_stmt*, const statement_context&, void* out,
                           std::size_t& rows);

// Reads the current row into an empty std::optional<Row> (`out`).
template <class Row>
void read_one_into(sqlite_stmt* stmt, const statement_context& ctx, void* out) {
  static_cast<std::optional<Row>*>(out)->emplace(row_reader<Row>{stmt, &ctx});
}

// Steps through the rows, appending each to a std::vector<Row> (`out`); returns the result of
// the last step, and in `rows` how many the vector holds.
template <class Row>
int collect_rows(sqlite_stmt* stmt, const statement_context& ctx, void* out, std::size_t& rows) {
  auto& v = *static_cast<std::vector<Row>*>(out);
  int rc = step(stmt);
  while (rc == sqlite_row) {
    v.emplace_back(row_reader<Row>{stmt, &ctx});
    rc = step(stmt);
  }
  rows = v.size();
  return rc;
}

// Runs a typed query, given its constants (query_site); the parameters arrive already
// converted to the declared types, and live until the call returns, so text and blobs can be
// bound without a copy. One instantiation serves every query with the same parameter types:
// what differs between them is the site, and the row type's reading function.
template <class... Params>
struct param_runner {
  // Statistics and deadlines (watch.hpp): one byte tested when the call starts.
  static exec_result exec(connection_state& c, const query_site& s, const Params&... params) {
    const connection_use use(c.cache);
    watch_guard watch(c.watch, s.slot_cell, s.context.name, s.context.sql);
    sqlite_lease lease = checkout_query(c, s);
    sqlite_stmt* stmt = lease.get();
    bind_query(stmt, bind_lifetime::borrowed, s, params...);
    int rc = step(stmt);
    while (rc == sqlite_row) rc = step(stmt);
    if (rc != sqlite_done) [[unlikely]] fail_step(c, stmt, rc, s.context);
    const std::int64_t changed = changes(c.db);
    watch.rows(static_cast<std::uint64_t>(changed));
    return {changed, last_insert_rowid(c.db)};
  }

  // Reads the first row, if there is one, with `read` into `out`.
  static void one(connection_state& c, const query_site& s, read_into_fn read, void* out,
                  const Params&... params) {
    const connection_use use(c.cache);
    watch_guard watch(c.watch, s.slot_cell, s.context.name, s.context.sql);
    sqlite_lease lease = checkout_query(c, s);
    sqlite_stmt* stmt = lease.get();
    bind_query(stmt, bind_lifetime::borrowed, s, params...);
    const int rc = step(stmt);
    if (rc == sqlite_row) [[likely]] {
      watch.rows(1);
      read(stmt, s.context, out);
      return;
    }
    if (rc != sqlite_done) [[unlikely]] fail_step(c, stmt, rc, s.context);
  }

  // Reads every row with `collect` into `out`, a std::vector of the row type.
  static void all(connection_state& c, const query_site& s, collect_fn collect, void* out,
                  const Params&... params) {
    const connection_use use(c.cache);
    watch_guard watch(c.watch, s.slot_cell, s.context.name, s.context.sql);
    sqlite_lease lease = checkout_query(c, s);
    sqlite_stmt* stmt = lease.get();
    bind_query(stmt, bind_lifetime::borrowed, s, params...);
    std::size_t rows = 0;
    const int rc = collect(stmt, s.context, out, rows);
    if (rc != sqlite_done) [[unlikely]] fail_step(c, stmt, rc, s.context);
    watch.rows(rows);
  }

  // Checks out the statement with the parameters bound, for a row_range. Counts the call; the
  // rows are read, and the time spent, in the caller's loop.
  static sqlite_lease bound(connection_state& c, const query_site& s, const Params&... params) {
    const connection_use use(c.cache);
    watch_guard watch(c.watch, s.slot_cell, s.context.name, s.context.sql);
    sqlite_lease lease = checkout_query(c, s);
    // The range outlives this call (and the caller's temporaries): SQLite copies text/blobs.
    bind_query(lease.get(), bind_lifetime::copied, s, params...);
    return lease;
  }
};

// The calls that return rows, for one row type: the shared code of the parameter types and
// the row type's reading function.
template <class Row, class... Params>
struct shared_runner {
  static std::optional<Row> one(connection_state& c, const query_site& s,
                                const Params&... params) {
    std::optional<Row> out;
    param_runner<Params...>::one(c, s, &read_one_into<Row>, &out, params...);
    return out;
  }

  static std::vector<Row> all(connection_state& c, const query_site& s, const Params&... params) {
    std::vector<Row> out;
    param_runner<Params...>::all(c, s, &collect_rows<Row>, &out, params...);
    return out;
  }

  static row_range<Row> iter(connection_state& c, const query_site& s, const Params&... params) {
    return row_range<Row>(param_runner<Params...>::bound(c, s, params...), s.context);
  }
};

// What basic_database calls for typed query Q: the shared runner of Q's types, given Q's site.
template <class Q, class Params = typename Q::parameter_types>
struct query_runner;

template <class Q, class... Params>
struct query_runner<Q, std::tuple<Params...>> {
  using shared = shared_runner<typename Q::row_type, Params...>;

  static exec_result exec(connection_state& c, const Params&... params) {
    return param_runner<Params...>::exec(c, site_of<Q>, params...);
  }
  static auto one(connection_state& c, const Params&... params) {
    return shared::one(c, site_of<Q>, params...);
  }
  static auto all(connection_state& c, const Params&... params) {
    return shared::all(c, site_of<Q>, params...);
  }
  static auto iter(connection_state& c, const Params&... params) {
    return shared::iter(c, site_of<Q>, params...);
  }
};

}  // namespace detail

// Defined in maintenance.hpp.
struct backup_progress;
struct backup_options;
struct trace_event;
struct trace_options;
enum class checkpoint_mode : int;
/// Receives backup or restore progress (see maintenance.hpp).
using backup_callback = callback<void(const backup_progress&)>;
/// Receives each traced statement (see maintenance.hpp).
using trace_hook = callback<void(const trace_event&)>;

namespace detail {

// Defined in maintenance.hpp: the bodies of database's maintenance members.
struct maintenance;

template <class M>
consteval bool maintenance_included() {
  constexpr bool complete = requires { sizeof(M); };
  static_assert(complete,
                "sqlproof: database's backup, restore, checkpoint, vacuum, integrity check, "
                "stats, trace and explain members need #include <sqlproof/maintenance.hpp> "
                "(or <sqlproof/sqlproof.hpp>)");
  return complete;
}

// Defined in health.hpp: the body of database::health().
struct health_checks;

template <class H>
consteval bool health_included() {
  constexpr bool complete = requires { sizeof(H); };
  static_assert(complete,
                "sqlproof: database::health() needs #include <sqlproof/health.hpp> (or "
                "<sqlproof/sqlproof.hpp>)");
  return complete;
}

}  // namespace detail

struct health_options;

/// How the outermost transaction takes its locks (https://sqlite.org/lang_transaction.html).
enum class tx_mode {
  deferred,   ///< Locks on first read/write. Read-then-write may fail with busy in WAL mode.
  immediate,  ///< Takes the write lock at BEGIN (waiting up to busy_timeout): the safe
              ///< choice for read-modify-write transactions.
  exclusive,  ///< Like immediate; in rollback-journal mode also keeps readers out.
};

template <class Db>
class sqlite_extension;

namespace detail {

template <class Row, std::size_t... I>
consteval bool any_list_field(std::index_sequence<I...>) {
  if constexpr (is_tuple<Row>::value) {
    return (is_list_value<std::tuple_element_t<I, Row>>() || ...);
  } else {
    return (is_list_value<field_type<I, Row>>() || ...);
  }
}

// A list (std::vector of values) is an array on PostgreSQL; SQLite has no such value to read.
template <class Row>
consteval bool reads_no_list() {
  constexpr row_shape shape = shape_of_row<Row>();
  constexpr bool list = [] {
    if constexpr (shape == row_shape::scalar) {
      return is_list_value<Row>();
    } else if constexpr (shape == row_shape::tuple || shape == row_shape::aggregate) {
      return any_list_field<Row>(std::make_index_sequence<row_width<Row>()>{});
    } else {
      return false;
    }
  }();
  static_assert(!list,
                "sqlproof: SQLite has no list values to read into a std::vector field (lists "
                "only bind there, as JSON); read the list as JSON text into std::string (e.g. "
                "from json_group_array), or run the query on PostgreSQL, where it is an array");
  return !list;
}

}  // namespace detail

/// The SQLite backend of `basic_database`: the connection state, how statements run, the
/// transaction verbs, and the members only a SQLite database has (`sqlite_extension`).
/// Users name its database `sqlproof::database`.
struct sqlite_backend {
  using connection = detail::connection_state;
  using options = sqlproof::options;
  using exec_result = sqlproof::exec_result;
  using transaction_options = tx_mode;
  using statement = sqlproof::statement;
  using statement_cache = sqlproof::statement_cache;
  template <class Row>
  using row_range = sqlproof::row_range<Row>;
  template <class Q>
  using runner = detail::query_runner<Q>;
  template <class Db>
  using extension = sqlite_extension<Db>;

  // Every query written in SQLite's dialect (or with an either<> text for it) runs here; a
  // pg::query is refused with a message (detail/sql_dialect.hpp).
  template <class Q>
  static consteval bool accepts() {
    if constexpr (Q::written_in != dialect::sqlite) {
      // Called directly (not through check_dialect), so that the message stays within the
      // first lines of the compiler's output.
      return detail::check_not_postgres_text<Q::sql_source.text>();
    } else {
      return detail::reads_no_list<typename Q::row_type>();
    }
  }

  // Opens `path` (creating it unless `o.create` is false) and applies `o`. Throws
  // `open_error` naming the path and SQLite's message, or `busy_error` when another
  // connection's lock outlasts `o.busy_timeout`.
  static connection* open(std::string path, const options& o);

  static bool is_open(const connection& c) noexcept { return c.db != nullptr; }

  static void close(connection& c);

  // Closes and frees the state: the destructor's work, kept out of line.
  static void destroy(connection* c) noexcept;

  // Text longer than `INT_MAX` bytes is refused (an `error` with SQLITE_TOOBIG) before it is read.
  static void exec_script(connection& c, std::string_view sql);

  // Text longer than `INT_MAX` bytes is refused (an `error` with SQLITE_TOOBIG) before it is read.
  static statement prepare_cached(connection& c, std::string_view sql);

  static statement prepare(connection& c, std::string_view sql);

  static bool in_transaction(const connection& c) noexcept { return !detail::autocommit(c.db); }
  static void note_busy_retry(connection& c) noexcept { ++c.watch.events.busy_retries; }
  static detail::sqlite_db* native_handle(const connection& c) noexcept { return c.db; }
  // sqlite3_sleep rather than <thread>, which would add to every translation unit.
  static void sleep_for(std::chrono::milliseconds d) {
    detail::sleep_ms(static_cast<int>(d.count()));
  }

  // ---- transaction verbs (basic_transaction.hpp) ----

  static void begin(connection& c, tx_mode mode);
  static void savepoint(connection& c) { detail::exec_control<"SAVEPOINT sqlproof_savepoint">(c); }
  static void release_savepoint(connection& c) {
    detail::exec_control<"RELEASE sqlproof_savepoint">(c);
  }
  static void rollback_to_savepoint(connection& c) {
    detail::exec_control<"ROLLBACK TO sqlproof_savepoint">(c);
  }
  static void commit(connection& c) { detail::exec_control<"COMMIT">(c); }
  static void rollback(connection& c) { detail::exec_control<"ROLLBACK">(c); }
  [[noreturn]] static void throw_transaction_aborted(const char* action);

 private:
  // Opens the connection and applies `o`; on failure closes it again and throws open_error
  // naming the path. Out of line: it runs once per connection.
  static void open(connection& c, const options& o);

  // Closes the half-opened connection and throws for `e`, naming the path. Another
  // connection's lock held past the busy timeout is a busy_error, which callers retry on;
  // anything else is an open_error.
  [[noreturn]] SQLPROOF_COLD_DECLARATION static void fail_open(connection& c, const error& e,
                                                               std::string_view what);

  // Order matters: auto_vacuum must precede the first table and journal_mode=WAL
  // (https://sqlite.org/pragma.html#pragma_auto_vacuum). `PRAGMA auto_vacuum = X` starts a
  // write transaction even when it changes nothing, so it and page_size run only on a file
  // with no page yet: opening an existing database never waits for, or fails on, another
  // connection's writer. `no_tables` (schema_version 0) saves reading the page count of a
  // database that has tables.
  static void configure(connection& c, const options& o, bool no_tables);

  // Runs `PRAGMA name = value`; an empty value (an option left `unchanged`) does nothing.
  static void set_pragma(connection& c, const char* name, std::string_view value);

  static void close_noexcept(connection& c) noexcept;
};

#if SQLPROOF_DEFINITIONS
SQLPROOF_NOINLINE SQLPROOF_DECL void sqlite_backend::destroy(connection* c) noexcept {
  if (c == nullptr) return;
  close_noexcept(*c);
  delete c;
}

SQLPROOF_DECL auto sqlite_backend::open(std::string path, const options& o) -> connection* {
  auto* c = new connection(o.statement_cache_capacity);
  try {
    c->path = std::move(path);
    open(*c, o);
  } catch (...) {
    delete c;
    throw;
  }
  return c;
}

SQLPROOF_COLD SQLPROOF_DECL void sqlite_backend::fail_open(connection& c, const error& e,
                                                           std::string_view what) {
  detail::close(c.db);
  c.db = nullptr;
  const bool busy =
      e.primary_code() == detail::sqlite_busy || e.primary_code() == detail::sqlite_locked;
  detail::throw_error(busy ? detail::error_kind::busy : detail::error_kind::open,
                      detail::concat({what, c.path, "': ", e.summary()}),
                      {e.extended_code(), e.sqlite_message(), e.sql(), {}});
}

SQLPROOF_NOINLINE SQLPROOF_DECL void sqlite_backend::set_pragma(connection& c, const char* name,
                                                                std::string_view value) {
  if (!value.empty()) {
    detail::exec_script(c.db, detail::concat({"PRAGMA ", name, " = ", value}));
  }
}

SQLPROOF_NOINLINE SQLPROOF_DECL void sqlite_backend::open(connection& c, const options& o) {
  const std::string& path = c.path;
  if (o.read_only && o.create) {
    detail::throw_error(detail::error_kind::open,
                        detail::concat({"cannot open '", path,
                                        "': options.read_only and options.create cannot both "
                                        "be set (set create = false)"}));
  }
  if (o.journal == journal_mode::wal && detail::is_memory_database(path, o.uri)) {
    detail::throw_error(detail::error_kind::open,
                        detail::concat({"cannot open '", path,
                                        "': an in-memory database cannot use journal_mode WAL "
                                        "(WAL needs a file; use options::in_memory() or a file "
                                        "path)"}));
  }
  int flags = o.read_only ? detail::open_flag_bits::read_only : detail::open_flag_bits::read_write;
  if (o.create) flags |= detail::open_flag_bits::create;
  if (o.uri) flags |= detail::open_flag_bits::uri;
  flags |= o.no_mutex ? detail::open_flag_bits::no_mutex : detail::open_flag_bits::full_mutex;
  detail::sqlite_db* db = nullptr;
  const int rc = detail::open_v2(path.c_str(), &db, flags);
  if (rc != detail::sqlite_ok) {
    const std::string msg = db != nullptr ? detail::errmsg(db) : "out of memory";
    const int code = db != nullptr ? detail::extended_errcode(db) : rc;
    detail::close(db);
    detail::throw_error(detail::error_kind::open,
                        detail::concat({"cannot open database '", path, "'"}), {code, msg, {}, {}});
  }
  c.db = db;
  detail::rollback_hook(db, &detail::note_rollback, &c);
  // The busy timeout comes first so that the read below and the pragmas wait for locks too.
  detail::busy_timeout(db, static_cast<int>(o.busy_timeout.count()));
  c.watch.collect_stats = o.collect_query_stats;
  c.watch.statement_timeout_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(o.statement_timeout).count();
  c.watch.update();
  // One read of the file's header (`PRAGMA schema_version` reads it without parsing the
  // schema): a file that is not a database fails here, named by its path, rather than at
  // the first query. 0 means no table was ever created.
  std::int64_t schema_version = 0;
  try {
    schema_version = detail::read_number(c.db, "PRAGMA schema_version");
  } catch (const error& e) {
    fail_open(c, e, "cannot open database '");
  }
  try {
    configure(c, o, schema_version == 0);
  } catch (const error& e) {
    fail_open(c, e, "cannot configure database '");
  }
  // After configuring: the deadline is for the application's statements.
  detail::update_progress_handler(db, c.watch);
}

SQLPROOF_DECL void sqlite_backend::close(connection& c) {
  const detail::connection_use use(c.cache);
  if (c.cache.in_use() > 0) {
    detail::throw_error(
        detail::error_kind::misuse,
        detail::concat({"cannot close database '", c.path,
                        "': ", detail::number_text(static_cast<long long>(c.cache.in_use())),
                        " statement(s) still in use (a row_range or statement is alive)"}));
  }
  detail::clear_trace(c);
  c.cache.clear();
  const int rc = detail::close(c.db);
  if (rc != detail::sqlite_ok) {
    detail::throw_db_error(c.db, rc, detail::concat({"cannot close database '", c.path, "'"}));
  }
  c.db = nullptr;
}

SQLPROOF_DECL void sqlite_backend::exec_script(connection& c, std::string_view sql) {
  const detail::connection_use use(c.cache);
  detail::ensure_transaction_usable(c, sql);
  // Scripts get the statement deadline; they are not counted in the statistics.
  detail::watch_guard watch(c.watch);
  try {
    detail::exec_script(c.db, sql);
  } catch (const interrupted_error& e) {
    detail::rethrow_interrupt(c.watch, e);
  }
}

SQLPROOF_DECL auto sqlite_backend::prepare_cached(connection& c, std::string_view sql)
    -> statement {
  const detail::connection_use use(c.cache);
  detail::check_sql_length(sql);  // before the cache hashes the text
  detail::ensure_transaction_usable(c, sql);
  return statement(
      c.cache.checkout_dynamic(sql,
                               [&] {
                                 return detail::prepare_one(c.db, sql, true, {sql, {}});
                               }),
      &c);
}

SQLPROOF_DECL auto sqlite_backend::prepare(connection& c, std::string_view sql) -> statement {
  const detail::connection_use use(c.cache);
  detail::ensure_transaction_usable(c, sql);
  // Held as a checked-out "extra" so it counts as in use and is finalized on release.
  return statement(c.cache.checkout_uncached([&] {
    return detail::prepare_one(c.db, sql, false, {sql, {}});
  }),
                   &c);
}

SQLPROOF_DECL void sqlite_backend::begin(connection& c, tx_mode mode) {
  if (mode == tx_mode::immediate) {
    detail::exec_control<"BEGIN IMMEDIATE">(c);
  } else if (mode == tx_mode::exclusive) {
    detail::exec_control<"BEGIN EXCLUSIVE">(c);
  } else {
    detail::exec_control<"BEGIN DEFERRED">(c);
  }
}

SQLPROOF_DECL void sqlite_backend::throw_transaction_aborted(const char* action) {
  detail::throw_transaction_aborted(action);
}

SQLPROOF_DECL void sqlite_backend::configure(connection& c, const options& o, bool no_tables) {
  const bool writable = !o.read_only;
  const bool file_settings = o.page_size || o.auto_vacuum != auto_vacuum_mode::unchanged;
  if (writable && file_settings && no_tables &&
      detail::read_number(c.db, "PRAGMA page_count") == 0) {
    if (o.page_size) set_pragma(c, "page_size", detail::number_text(*o.page_size));
    set_pragma(c, "auto_vacuum", detail::pragma_value(o.auto_vacuum));
  }
  // Changing the journal mode takes an exclusive lock. When another connection is opening
  // the same file at the same moment, SQLite may report SQLITE_BUSY at once instead of
  // calling the busy handler (waiting could deadlock: each holds a shared lock and wants
  // more). The failed statement has released its locks, so it is tried again, until the
  // busy timeout has passed.
  const auto give_up = std::chrono::steady_clock::now() + o.busy_timeout;
  for (int pause_ms = 1;; pause_ms = pause_ms < 32 ? pause_ms * 2 : pause_ms) {
    try {
      set_pragma(c, "journal_mode", detail::pragma_value(o.journal));
      break;
    } catch (const busy_error&) {
      if (std::chrono::steady_clock::now() >= give_up) throw;
    }
    sleep_for(std::chrono::milliseconds{pause_ms});
  }
  set_pragma(c, "synchronous", detail::pragma_value(o.synchronous));
  set_pragma(c, "foreign_keys", o.foreign_keys ? "ON" : "OFF");
  if (o.query_only) set_pragma(c, "query_only", "ON");
  if (o.cache_size) set_pragma(c, "cache_size", detail::number_text(*o.cache_size));
  if (o.mmap_size) set_pragma(c, "mmap_size", detail::number_text(*o.mmap_size));
  set_pragma(c, "temp_store", detail::pragma_value(o.temp_store));
  if (o.wal_autocheckpoint) {
    set_pragma(c, "wal_autocheckpoint", detail::number_text(*o.wal_autocheckpoint));
  }
  if (o.journal_size_limit) {
    set_pragma(c, "journal_size_limit", detail::number_text(*o.journal_size_limit));
  }
}

SQLPROOF_DECL void sqlite_backend::close_noexcept(connection& c) noexcept {
  if (c.db == nullptr) return;
  detail::clear_trace(c);
  c.cache.clear();
  // Statements still checked out belong to objects that outlived the database (a bug in
  // the caller); close_v2 defers the close until they are finalized instead of leaking.
  if (c.cache.in_use() > 0 || detail::close(c.db) != detail::sqlite_ok) {
    detail::close_v2(c.db);
  }
  c.db = nullptr;
}

#endif  // SQLPROOF_DEFINITIONS

/// One connection to an SQLite database.
///
/// Opening applies `options` (pragmas in the order SQLite needs them). Typed queries run
/// through `exec`, `one`, `all` and `iter`; their statements are prepared once and cached.
/// Thread-safety: like a standard container, a `database` is used by one thread at a time;
/// give each thread its own connection. A call made while another thread is inside a call on
/// the same database throws `misuse_error` instead of corrupting it. Movable, not copyable.
/// Closing finalizes every cached statement first, so `close()` never reports SQLITE_BUSY.
/// @code
/// sqlproof::database db{"app.db", sqlproof::options::production()};
/// auto r = db.exec<add_user>("Ann", std::nullopt, 31);
/// std::optional<User> u = db.one<find_user>(r.last_insert_rowid);
/// @endcode
using database = basic_database<sqlite_backend>;

/// An open SQLite transaction or savepoint (`database::begin`); see basic_transaction.hpp.
using transaction = basic_transaction<sqlite_backend>;

/// The members only a SQLite `database` has: its path, change counters, and the maintenance
/// and observability members (documented in maintenance.hpp).
template <class Db>
class sqlite_extension {
 public:
  /// The path the database was opened with.
  [[nodiscard]] const std::string& path() const noexcept {
    static const std::string moved_from;
    const auto* c = state();
    return c != nullptr ? c->path : moved_from;
  }

  /// Rows changed by the most recent INSERT, UPDATE or DELETE (0 once closed).
  [[nodiscard]] std::int64_t changes() const noexcept {
    const auto* c = state();
    return c != nullptr && c->db != nullptr ? detail::changes(c->db) : 0;
  }
  /// Rows changed since the connection opened (0 once closed).
  [[nodiscard]] std::int64_t total_changes() const noexcept {
    const auto* c = state();
    return c != nullptr && c->db != nullptr ? detail::total_changes(c->db) : 0;
  }
  /// Rowid of the most recent successful INSERT (0 once closed).
  [[nodiscard]] std::int64_t last_insert_rowid() const noexcept {
    const auto* c = state();
    return c != nullptr && c->db != nullptr ? detail::last_insert_rowid(c->db) : 0;
  }

  // ---- interruption and deadlines --------------------------------------------------------

  /// Stops the statement running on this connection now, from any thread: it fails with
  /// `interrupted_error` (naming the query) within a few microseconds of its work. A write
  /// inside a transaction rolls the whole transaction back. Does nothing when no statement is
  /// running; must not race with `close()` or the database's destruction.
  void interrupt() noexcept {
    const auto* c = state();
    if (c == nullptr || c->db == nullptr) return;
    detail::note_interrupt(const_cast<detail::connection_state*>(c)->watch.events);
    detail::interrupt(c->db);
  }

  /// Every statement this connection runs from now on is stopped with
  /// `deadline_exceeded_error` once it has run for `timeout` (0 turns the timeout off). Only
  /// that statement stops; other connections are not affected.
  void set_statement_timeout(std::chrono::milliseconds timeout) {
    detail::connection_state& c = *live();
    c.watch.statement_timeout_ns =
        timeout.count() > 0 ? std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count()
                            : 0;
    c.watch.update();
    detail::update_progress_handler(c.db, c.watch);
  }
  /// The per-statement timeout (`options::statement_timeout`), 0 when none.
  [[nodiscard]] std::chrono::milliseconds statement_timeout() const noexcept {
    const auto* c = state();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::nanoseconds{c != nullptr ? c->watch.statement_timeout_ns : 0});
  }

  /// Runs `fn()` with a deadline `budget` from now on every statement it runs on this
  /// connection: the first one still running then is stopped with `deadline_exceeded_error`
  /// (which `fn` sees, and which leaves `with_deadline` unless `fn` catches it). Nested calls
  /// keep the earlier deadline; a statement timeout shorter than what is left still applies.
  /// @code
  /// auto rows = db.with_deadline(50ms, [&] { return db.all<report>(since); });
  /// @endcode
  template <class F>
  decltype(auto) with_deadline(std::chrono::milliseconds budget, F&& fn) {
    detail::connection_state& c = *live();
    detail::deadline_scope scope(c.db, c.watch, budget);
    return std::forward<F>(fn)();
  }

  // ---- statistics ----------------------------------------------------------------------------

  /// Turns per-query statistics on or off (`options::collect_query_stats`); what was
  /// collected is kept (`reset_query_stats` clears it).
  void collect_query_stats(bool on) {
    detail::connection_state& c = *live();
    c.watch.collect_stats = on;
    c.watch.update();
  }
  /// True while per-query statistics are collected.
  [[nodiscard]] bool collecting_query_stats() const noexcept {
    const auto* c = state();
    return c != nullptr && c->watch.collect_stats;
  }
  /// Forgets the statistics collected so far.
  void reset_query_stats() { live()->watch.stats.clear(); }

  // ---- maintenance and observability ---------------------------------------------------
  //
  // Documented and implemented in maintenance.hpp (included by sqlproof.hpp). They are
  // templates that forward there, so that a translation unit that only runs queries does
  // not compile them; using one without including maintenance.hpp is a compile-time error
  // that says so.

  /// The settings in effect now, read back from SQLite (`pragma_values`).
  template <class M = detail::maintenance>
  [[nodiscard]] auto pragmas() const {
    if constexpr (detail::maintenance_included<M>()) return M::pragmas(db());
  }
  /// Online backup of this database to the file `path`.
  template <class M = detail::maintenance>
  void backup_to(const std::string& path) {
    if constexpr (detail::maintenance_included<M>()) M::backup_to(db(), path);
  }
  /// Online backup with a progress callback, `pages_per_step` pages at a time.
  template <class M = detail::maintenance>
  void backup_to(const std::string& path, const backup_callback& progress,
                 int pages_per_step = 256) {
    if constexpr (detail::maintenance_included<M>()) {
      M::backup_to(db(), path, progress, pages_per_step);
    }
  }
  /// Online backup with `backup_options` (progress, step size, verifying the copy).
  template <class M = detail::maintenance>
  void backup_to(const std::string& path, const backup_options& o) {
    if constexpr (detail::maintenance_included<M>()) M::backup_to(db(), path, o);
  }
  /// Replaces this database's content with the backup in the file `path`.
  template <class M = detail::maintenance>
  void restore_from(const std::string& path) {
    if constexpr (detail::maintenance_included<M>()) M::restore_from(db(), path);
  }
  /// `restore_from` with a progress callback.
  template <class M = detail::maintenance>
  void restore_from(const std::string& path, const backup_callback& progress,
                    int pages_per_step = 256) {
    if constexpr (detail::maintenance_included<M>()) {
      M::restore_from(db(), path, progress, pages_per_step);
    }
  }
  /// Writes a compacted copy to the new file `path` (`VACUUM INTO`).
  template <class M = detail::maintenance>
  void vacuum_into(const std::string& path) {
    if constexpr (detail::maintenance_included<M>()) M::vacuum_into(db(), path);
  }
  /// Passive WAL checkpoint (`checkpoint_result`).
  template <class M = detail::maintenance>
  auto checkpoint() {
    if constexpr (detail::maintenance_included<M>()) return M::checkpoint(db());
  }
  /// WAL checkpoint in the given `checkpoint_mode`.
  template <class M = detail::maintenance>
  auto checkpoint(checkpoint_mode mode) {
    if constexpr (detail::maintenance_included<M>()) return M::checkpoint(db(), mode);
  }
  /// Frees up to `pages` free pages (all when <= 0); returns how many were freed.
  template <class M = detail::maintenance>
  std::int64_t incremental_vacuum(std::int64_t pages = 0) {
    if constexpr (detail::maintenance_included<M>()) return M::incremental_vacuum(db(), pages);
    return 0;
  }
  /// `PRAGMA optimize`.
  template <class M = detail::maintenance>
  void optimize() {
    if constexpr (detail::maintenance_included<M>()) M::optimize(db());
  }
  /// `PRAGMA integrity_check`: the problems found, empty when healthy.
  template <class M = detail::maintenance>
  [[nodiscard]] std::vector<std::string> integrity_check(int max_problems = 100) {
    if constexpr (detail::maintenance_included<M>()) return M::integrity_check(db(), max_problems);
    return {};
  }
  /// `PRAGMA quick_check`: the problems found, empty when healthy.
  template <class M = detail::maintenance>
  [[nodiscard]] std::vector<std::string> quick_check(int max_problems = 100) {
    if constexpr (detail::maintenance_included<M>()) return M::quick_check(db(), max_problems);
    return {};
  }
  /// Page counts, file sizes, cache counters and memory (`database_stats`).
  template <class M = detail::maintenance>
  [[nodiscard]] auto stats() const {
    if constexpr (detail::maintenance_included<M>()) return M::stats(db());
  }
  /// Calls `hook` after every statement with its SQL and run time.
  template <class M = detail::maintenance>
  void set_trace(trace_hook hook) {
    if constexpr (detail::maintenance_included<M>()) M::set_trace(db(), std::move(hook));
  }
  /// `set_trace` with `trace_options`.
  template <class M = detail::maintenance>
  void set_trace(trace_hook hook, const trace_options& o) {
    if constexpr (detail::maintenance_included<M>()) M::set_trace(db(), std::move(hook), o);
  }
  /// Calls `hook` for statements that ran for `threshold` or longer.
  template <class M = detail::maintenance>
  void on_slow_query(std::chrono::nanoseconds threshold, trace_hook hook) {
    if constexpr (detail::maintenance_included<M>()) {
      M::on_slow_query(db(), threshold, std::move(hook));
    }
  }
  /// `on_slow_query` with `trace_options`.
  template <class M = detail::maintenance>
  void on_slow_query(std::chrono::nanoseconds threshold, trace_hook hook,
                     const trace_options& o) {
    if constexpr (detail::maintenance_included<M>()) {
      M::on_slow_query(db(), threshold, std::move(hook), o);
    }
  }
  /// Removes the trace hook, if any (also done by `close()`).
  void clear_trace() noexcept {
    if (auto* c = state()) detail::clear_trace(*c);
  }
  /// Per-query statistics (`query_stats`: entries, sorted views, table and JSON), empty
  /// unless `options::collect_query_stats` is on.
  template <class M = detail::maintenance>
  [[nodiscard]] auto query_stats() const {
    if constexpr (detail::maintenance_included<M>()) return M::query_stats(db());
  }
  /// Busy errors, busy retries, interrupts and deadlines since the connection opened
  /// (`event_counts`), always counted.
  template <class M = detail::maintenance>
  [[nodiscard]] auto event_counts() const {
    if constexpr (detail::maintenance_included<M>()) return M::event_counts(db());
  }
  /// A health report (`health_report`, health.hpp): WAL size, free pages, page-cache hit
  /// ratio, slow queries, busy errors, interrupts and optionally `quick_check`, each finding
  /// with a recommendation; `text()` and `json()`.
  template <class H = detail::health_checks>
  [[nodiscard]] auto health() {
    if constexpr (detail::health_included<H>()) return H::health(db());
  }
  /// `health()` with `health_options` (thresholds, `quick_check`).
  template <class H = detail::health_checks, class O = health_options>
  [[nodiscard]] auto health(const O& o) {
    if constexpr (detail::health_included<H>()) return H::health(db(), o);
  }
  /// The `EXPLAIN QUERY PLAN` rows of typed query `Q` (`std::vector<plan_row>`).
  template <class Q, class M = detail::maintenance>
  [[nodiscard]] auto explain() {
    static_assert(detail::query_like<Q>,
                  "sqlproof: explain<Q>() needs a query type: sqlproof::query<\"SQL\", "
                  "Row(Params...)> or a struct derived from one");
    if constexpr (detail::query_like<Q> && detail::maintenance_included<M>()) {
      return M::template explain<Q>(db());
    }
  }
  /// The `EXPLAIN QUERY PLAN` rows of one statement of dynamic SQL.
  template <class M = detail::maintenance>
  [[nodiscard]] auto explain(std::string_view sql) {
    if constexpr (detail::maintenance_included<M>()) return M::explain(db(), sql);
  }

 private:
  [[nodiscard]] Db& db() noexcept { return static_cast<Db&>(*this); }
  [[nodiscard]] const Db& db() const noexcept { return static_cast<const Db&>(*this); }
  [[nodiscard]] detail::connection_state* state() const noexcept {
    return detail::connection_access::state(db());
  }
  [[nodiscard]] detail::connection_state* live() const {
    return detail::connection_access::live(db());
  }
};

#if defined(SQLPROOF_SEPARATE_COMPILATION)
// SQLite's transaction and statement cache are compiled with the rest of the fixed code, in
// the implementation file (config.hpp).
#if SQLPROOF_DEFINITIONS
template class basic_transaction<sqlite_backend>;
template class basic_statement_cache<detail::sqlite_statement_policy>;
#else
extern template class basic_transaction<sqlite_backend>;
extern template class basic_statement_cache<detail::sqlite_statement_policy>;
#endif
#endif

}  // namespace sqlproof
