#pragma once
// The state behind a `pg::database`: the libpq connection, its statement cache of server-side
// prepared statements, the transaction depth, the parameter buffer reused by every statement,
// and the `iter` range streaming right now (libpq runs one statement at a time per
// connection). Kept on the heap so a database can move while ranges point at it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../../basic_statement_cache.hpp"
#include "../../config.hpp"
#include "../../error.hpp"
#include "api.hpp"
#include "errors.hpp"
#include "wire.hpp"

namespace sqlproof::pg {

/// How the statement cache uses the server's prepared statements.
enum class statement_mode : unsigned char {
  /// Each cached statement is a named server-side prepared statement (`PQprepare`), checked
  /// once per connection with `PQdescribePrepared`, then run with `PQexecPrepared`: one round
  /// trip per run. The default.
  named,
  /// No named statement is left on the server: every run parses, binds and executes in one
  /// round trip (`PQexecParams`). For PgBouncer's transaction pooling, where consecutive
  /// transactions may reach different server connections. The result shape is checked on
  /// the first run on each connection.
  unnamed,
};

namespace detail {

struct connection_state;

// A statement the cache holds: its server-side name (empty in unnamed mode) and the check
// that runs again when the server re-plans it.
struct prepared {
  std::string name;
  connection_state* owner = nullptr;
  // Set once the result shape was checked (unnamed mode checks the first result).
  bool checked = false;
  // Dynamic SQL only: the text, and the description the server gave (parameter types it
  // inferred or was told, result column names).
  std::string sql;
  std::vector<oid> parameter_types;
  std::vector<std::string> column_names;
};

// How the generic statement cache handles PostgreSQL statements: nothing to reset between
// runs (libpq has no statement-side state), and a statement the cache lets go of is
// DEALLOCATEd on the server with the next statement the connection sends.
struct statement_policy {
  using handle = prepared*;
  static void reset(handle) noexcept {}
  static void clear_bindings(handle) noexcept {}
  static inline void finalize(handle p) noexcept;
};

using lease = sqlproof::detail::statement_lease<statement_policy>;

// A row range in single-row mode, seen from the connection: `drain` reads its remaining rows
// into memory so that another statement can run.
struct stream {
  void (*drain)(void* range) = nullptr;
  void* range = nullptr;
};

struct connection_state {
  pg_conn* conn = nullptr;
  basic_statement_cache<statement_policy> cache;
  int tx_depth = 0;  // open transactions + savepoints started through sqlproof
  // SQLite's flag for a transaction the database rolled back on its own; PostgreSQL instead
  // keeps a failed transaction open and refuses statements (25P02) until it ends.
  bool transaction_rolled_back = false;
  std::string conninfo;
  statement_mode mode = statement_mode::named;
  bool check_nullability = true;  // options::check_nullability
  // Names of statements to DEALLOCATE, sent before the next statement.
  std::vector<std::string> to_deallocate;
  std::uint64_t next_name = 0;
  bool closing = false;  // closing: the server drops every statement with the session
  param_list params;
  stream streaming;

  explicit connection_state(std::size_t cache_capacity) : cache(cache_capacity) {}
  connection_state(const connection_state&) = delete;
  connection_state& operator=(const connection_state&) = delete;
  ~connection_state() { cache.clear(); }

  // A fresh statement name on this connection ("sqlproof_12").
  std::string new_name() {
    return concat({"sqlproof_", number_text(static_cast<unsigned long long>(++next_name))});
  }
};

inline void statement_policy::finalize(handle p) noexcept {
  if (p == nullptr) return;
  connection_state* c = p->owner;
  if (c != nullptr && !c->closing && !p->name.empty()) {
    try {
      c->to_deallocate.push_back(std::move(p->name));
    } catch (...) {  // out of memory: the statement stays on the server until the session ends
    }
  }
  delete p;
}

}  // namespace detail

/// A PostgreSQL connection's statement cache (the generic one of basic_statement_cache.hpp).
using statement_cache = basic_statement_cache<detail::statement_policy>;

}  // namespace sqlproof::pg
