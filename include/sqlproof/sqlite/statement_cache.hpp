#pragma once
/// @file
/// `sqlproof::statement_cache`: the statement cache of a SQLite connection
/// (`database::cache()`), the generic cache of basic_statement_cache.hpp holding
/// `sqlite3_stmt` handles.

#include "../basic_statement_cache.hpp"
#include "detail/api.hpp"

namespace sqlproof {
namespace detail {

// How the statement cache handles SQLite statements: reset after each use (which ends the
// read transaction a finished SELECT may hold), bindings cleared before a dynamic statement
// is shared again, finalized when let go.
struct sqlite_statement_policy {
  using handle = sqlite_stmt*;
  static void reset(handle s) noexcept { detail::reset(s); }
  static void clear_bindings(handle s) noexcept { detail::clear_bindings(s); }
  static void finalize(handle s) noexcept { detail::finalize(s); }
};

using sqlite_lease = statement_lease<sqlite_statement_policy>;

}  // namespace detail

/// A SQLite connection's statement cache (the generic one of basic_statement_cache.hpp).
using statement_cache = basic_statement_cache<detail::sqlite_statement_policy>;

}  // namespace sqlproof
