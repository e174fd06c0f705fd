#pragma once
/// @file
/// The per-connection statement cache. Typed queries each own a slot found by array index
/// (assigned once per query type per process), so a cache hit costs an index and a flag test:
/// no hashing, no string compare, no allocation. Dynamic SQL (`database::prepare_cached`) uses
/// a bounded LRU keyed by the SQL text: a small array searched by the text's hash, which for
/// the few dozen entries a cache holds is as fast as a hash map and costs far less code.
///
/// The cache is generic over the backend's statement handle: `basic_statement_cache<Policy>`
/// where `Policy` names the handle type and how a returned statement is reset and released
/// (SQLite: sqlite3_reset and sqlite3_finalize; PostgreSQL: a server statement whose
/// DEALLOCATE is queued). Each backend names its own instance `statement_cache`.
///
/// A statement is checked out while it runs and returned reset. Using a query again while it
/// is checked out (running `one<q>` inside a loop over `iter<q>`) prepares a second statement
/// for the inner use, which is finalized when returned.

#if !defined(__GNUC__) && !defined(__clang__)
#include <atomic>
#endif
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "error.hpp"

namespace sqlproof {

/// Counters of a connection's statement cache.
struct statement_cache_stats {
  std::uint64_t hits = 0;       ///< Checkouts served by an idle cached statement.
  std::uint64_t misses = 0;     ///< Checkouts that had to prepare.
  std::uint64_t prepares = 0;   ///< Statements prepared (equals misses).
  std::uint64_t evictions = 0;  ///< Dynamic statements finalized to respect the capacity.
  std::size_t typed = 0;        ///< Typed-query statements currently cached.
  std::size_t dynamic = 0;      ///< Dynamic-SQL statements currently cached.
  std::size_t capacity = 0;     ///< Bound on cached dynamic-SQL statements.
  std::size_t in_use = 0;       ///< Statements checked out right now.
  /// PostgreSQL: `iter` ranges whose remaining rows were read into memory because another
  /// statement ran on the connection while they streamed (0 on SQLite, which needs none).
  std::uint64_t drained_streams = 0;
};

template <class Policy>
class basic_statement_cache;

namespace detail {

class connection_use;

// Slots are numbered per process, on first use of each query type; the number is the index
// into every connection's slot vector.
// (GCC and Clang get the atomic increment from a builtin rather than <atomic>, which
// would add 20,000 lines to every translation unit that runs a query.)
inline std::size_t next_query_slot() noexcept {
#if defined(__GNUC__) || defined(__clang__)
  static std::size_t counter = 0;
  return __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
#else
  static std::atomic<std::size_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed);
#endif
}

// A query type's slot, kept as slot + 1 in a cell of its own (0 until first used), so that
// run-time code shared by many query types finds a query's slot through a pointer to a
// constant: one load where it is known.
template <class Q>
inline std::size_t query_slot_cell = 0;

// Gives the cell its slot on first use; when two threads race, both use the first stored.
SQLPROOF_NOINLINE SQLPROOF_DECL std::size_t assign_query_slot(std::size_t* cell) noexcept
#if SQLPROOF_DEFINITIONS
{
  std::size_t expected = 0;
  const std::size_t mine = next_query_slot() + 1;
#if defined(__GNUC__) || defined(__clang__)
  const bool stored = __atomic_compare_exchange_n(cell, &expected, mine, false,
                                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED);
#else
  const bool stored = std::atomic_ref<std::size_t>(*cell).compare_exchange_strong(
      expected, mine, std::memory_order_relaxed);
#endif
  return (stored ? mine : expected) - 1;
}
#else
    ;
#endif

SQLPROOF_ALWAYS_INLINE std::size_t slot_in(std::size_t* cell) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  const std::size_t value = __atomic_load_n(cell, __ATOMIC_RELAXED);
#else
  const std::size_t value = std::atomic_ref<std::size_t>(*cell).load(std::memory_order_relaxed);
#endif
  return value != 0 ? value - 1 : assign_query_slot(cell);
}

template <class Q>
std::size_t query_slot() noexcept {
  return slot_in(&query_slot_cell<Q>);
}

template <class Handle>
struct typed_slot {
  Handle stmt = nullptr;
  bool in_use = false;
};

// One cached dynamic-SQL statement; an entry whose stmt is null is free for reuse.
template <class Handle>
struct dynamic_entry {
  std::string sql;
  std::size_t hash = 0;
  Handle stmt = nullptr;
  std::uint64_t last_used = 0;  // the cache's use counter at the last checkout: LRU order
  bool in_use = false;
  bool stale = false;  // cleared while checked out: finalized when returned
};

// What a lease returns its statement to.
enum class lease_kind : unsigned char { typed, dynamic, owned };

// A checked-out statement; returns it to the cache (reset) when destroyed. `index` is the
// typed slot or the dynamic entry it came from; an owned statement is finalized instead.
template <class Policy>
class statement_lease {
 public:
  using handle = typename Policy::handle;

  statement_lease() noexcept = default;
  statement_lease(basic_statement_cache<Policy>* cache, handle stmt, lease_kind kind,
                  std::size_t index) noexcept
      : cache_(cache), stmt_(stmt), index_(index), kind_(kind) {}
  statement_lease(statement_lease&& o) noexcept
      : cache_(o.cache_), stmt_(o.stmt_), index_(o.index_), kind_(o.kind_) {
    o.stmt_ = nullptr;
  }
  statement_lease& operator=(statement_lease&& o) noexcept {
    if (this != &o) {
      release();
      cache_ = o.cache_;
      stmt_ = o.stmt_;
      index_ = o.index_;
      kind_ = o.kind_;
      o.stmt_ = nullptr;
    }
    return *this;
  }
  statement_lease(const statement_lease&) = delete;
  statement_lease& operator=(const statement_lease&) = delete;
  SQLPROOF_ALWAYS_INLINE ~statement_lease() { release(); }

  [[nodiscard]] handle get() const noexcept { return stmt_; }
  [[nodiscard]] basic_statement_cache<Policy>* cache() const noexcept { return cache_; }
  explicit operator bool() const noexcept { return stmt_ != nullptr; }
  SQLPROOF_ALWAYS_INLINE void release() noexcept;

 private:
  basic_statement_cache<Policy>* cache_ = nullptr;
  handle stmt_ = nullptr;
  std::size_t index_ = 0;
  lease_kind kind_ = lease_kind::owned;
};

}  // namespace detail

/// A connection's prepared statements, owned and finalized by it. Obtained from
/// `database::cache()`; not copyable. Not thread-safe, like the connection it belongs to.
///
/// `Policy` is the backend's statement policy: `handle` (a pointer type), `reset(handle)`
/// (after every use), `clear_bindings(handle)` (before a dynamic statement is shared again)
/// and `finalize(handle)` (when the cache lets go of it).
template <class Policy>
class basic_statement_cache {
  using handle = typename Policy::handle;
  using lease = detail::statement_lease<Policy>;

 public:
  /// Default bound on cached dynamic-SQL statements.
  static constexpr std::size_t default_capacity = 64;

  explicit basic_statement_cache(std::size_t capacity = default_capacity) noexcept
      : capacity_(capacity) {}
  basic_statement_cache(const basic_statement_cache&) = delete;
  basic_statement_cache& operator=(const basic_statement_cache&) = delete;
  ~basic_statement_cache() { finalize_idle(); }

  /// Current counters.
  [[nodiscard]] statement_cache_stats stats() const noexcept {
    statement_cache_stats s = stats_;
    s.typed = 0;
    for (const auto& slot : slots_) s.typed += slot.stmt != nullptr ? 1 : 0;
    s.dynamic = dynamic_count_;
    s.capacity = capacity_;
    s.in_use = in_use_;
    return s;
  }

  /// Finalizes every idle statement. Statements checked out now are finalized when returned.
  void clear() noexcept {
    for (auto& slot : slots_) {
      if (slot.stmt != nullptr && !slot.in_use) Policy::finalize(slot.stmt);
      slot = {};  // an in-use statement no longer matches its slot, so release finalizes it
    }
    for (auto& e : dynamic_) {
      if (e.stmt == nullptr) continue;
      if (e.in_use) {
        e.stale = true;  // the lease still points at this entry
      } else {
        free_entry(e);
      }
    }
  }

  /// The bound on cached dynamic-SQL statements.
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

  /// Changes the bound, evicting least recently used idle statements beyond it.
  void set_capacity(std::size_t capacity) noexcept {
    capacity_ = capacity;
    evict_beyond_capacity();
  }

  /// Number of statements checked out right now (a connection refuses to close while > 0).
  [[nodiscard]] std::size_t in_use() const noexcept { return in_use_; }

  /// Checks out the statement of typed-query slot `slot`, preparing it with `prepare()` (which
  /// returns a new statement handle or throws) on a miss. Typed statements keep their bindings
  /// when returned: every run binds every parameter before its first step, so a value left
  /// from an earlier run is never read, and sqlite3_clear_bindings would cost about 4% of an
  /// insert (docs/performance.md).
  template <class Prepare>
  lease checkout_typed(std::size_t slot, Prepare&& prepare) {
    if (slot < slots_.size()) [[likely]] {
      detail::typed_slot<handle>& s = slots_[slot];
      if (s.stmt != nullptr && !s.in_use) [[likely]] {
        s.in_use = true;
        ++stats_.hits;
        ++in_use_;
        return {this, s.stmt, detail::lease_kind::typed, slot};
      }
    }
    return adopt_typed(slot, prepare());
  }

  /// Checks out a statement for dynamic SQL from the LRU, preparing it with `prepare()` on a
  /// miss.
  template <class Prepare>
  lease checkout_dynamic(std::string_view sql, Prepare&& prepare) {
    const std::size_t hash = std::hash<std::string_view>{}(sql);
    const std::size_t found = find_dynamic(sql, hash);
    if (found != dynamic_.size() && !dynamic_[found].in_use) {
      detail::dynamic_entry<handle>& e = dynamic_[found];
      e.in_use = true;
      e.last_used = ++uses_;
      ++stats_.hits;
      ++in_use_;
      return {this, e.stmt, detail::lease_kind::dynamic, found};
    }
    handle stmt = prepare();
    ++stats_.misses;
    ++stats_.prepares;
    ++in_use_;
    // The same SQL running already (a private statement for this checkout), or no room at all.
    if (found != dynamic_.size() || capacity_ == 0) {
      return {this, stmt, detail::lease_kind::owned, 0};
    }
    std::size_t at = 0;
    while (at < dynamic_.size() && dynamic_[at].stmt != nullptr) ++at;
    if (at == dynamic_.size()) dynamic_.emplace_back();
    detail::dynamic_entry<handle>& e = dynamic_[at];
    e.sql.assign(sql);
    e.hash = hash;
    e.stmt = stmt;
    e.last_used = ++uses_;
    e.in_use = true;
    ++dynamic_count_;
    evict_beyond_capacity();
    return {this, stmt, detail::lease_kind::dynamic, at};
  }

  /// Checks out a statement from `prepare()` that is never cached: it counts as in use and
  /// is finalized when returned (`database::prepare`).
  template <class Prepare>
  lease checkout_uncached(Prepare&& prepare) {
    handle stmt = prepare();
    ++in_use_;
    return {this, stmt, detail::lease_kind::owned, 0};
  }

  /// Counts a streaming range drained into memory (`statement_cache_stats::drained_streams`);
  /// called by a backend whose connection runs one statement at a time.
  void count_drained_stream() noexcept { ++stats_.drained_streams; }

  /// SQL texts of the cached dynamic statements, most recently used first.
  [[nodiscard]] std::vector<std::string> dynamic_sql() const {
    std::vector<const detail::dynamic_entry<handle>*> live;
    for (const auto& e : dynamic_) {
      if (e.stmt != nullptr) live.push_back(&e);
    }
    for (std::size_t i = 1; i < live.size(); ++i) {  // insertion sort: a cache is small
      for (std::size_t j = i; j > 0 && live[j - 1]->last_used < live[j]->last_used; --j) {
        std::swap(live[j - 1], live[j]);
      }
    }
    std::vector<std::string> out;
    out.reserve(live.size());
    for (const auto* e : live) out.push_back(e->sql);
    return out;
  }

 private:
  friend class detail::statement_lease<Policy>;
  friend class detail::connection_use;

  // A typed query's miss: the statement just prepared takes the slot, or is a re-entrant
  // extra when the slot's own statement is checked out.
  SQLPROOF_NOINLINE lease adopt_typed(std::size_t slot,
                                                        handle stmt) {
    ++stats_.misses;
    ++stats_.prepares;
    ++in_use_;
    if (slot >= slots_.size()) slots_.resize(slot + 1);
    detail::typed_slot<handle>& s = slots_[slot];
    if (s.stmt == nullptr) {
      s.stmt = stmt;
      s.in_use = true;
    }
    return {this, stmt, detail::lease_kind::typed, slot};
  }

  SQLPROOF_ALWAYS_INLINE void release(handle stmt, detail::lease_kind kind,
                                      std::size_t index) noexcept {
    if (kind == detail::lease_kind::typed && index < slots_.size() &&
        slots_[index].stmt == stmt) [[likely]] {
      --in_use_;
      Policy::reset(stmt);  // ends the read transaction a finished SELECT may hold
      slots_[index].in_use = false;
      return;
    }
    release_other(stmt, kind, index);
  }

  SQLPROOF_NOINLINE void release_other(handle stmt, detail::lease_kind kind,
                                       std::size_t index) noexcept {
    --in_use_;
    Policy::reset(stmt);
    if (kind == detail::lease_kind::typed) {
      Policy::finalize(stmt);  // a re-entrant extra, or cleared while in use
      return;
    }
    if (kind == detail::lease_kind::dynamic && index < dynamic_.size() &&
        dynamic_[index].stmt == stmt) {
      detail::dynamic_entry<handle>& e = dynamic_[index];
      e.in_use = false;
      if (e.stale) {
        free_entry(e);
      } else {
        Policy::clear_bindings(stmt);  // the next user may bind only some of the parameters
        evict_beyond_capacity();
      }
      return;
    }
    Policy::finalize(stmt);  // a private statement, or prepare() without the cache
  }

  [[nodiscard]] std::size_t find_dynamic(std::string_view sql, std::size_t hash) const noexcept {
    for (std::size_t i = 0; i < dynamic_.size(); ++i) {
      const detail::dynamic_entry<handle>& e = dynamic_[i];
      if (e.hash == hash && e.stmt != nullptr && !e.stale && e.sql == sql) return i;
    }
    return dynamic_.size();
  }

  void free_entry(detail::dynamic_entry<handle>& e) noexcept {
    Policy::finalize(e.stmt);
    e.stmt = nullptr;
    e.in_use = false;
    e.stale = false;
    e.sql.clear();  // keeps its buffer for the next statement cached in this entry
    --dynamic_count_;
  }

  // Finalizes least recently used idle statements until at most `capacity_` remain.
  void evict_beyond_capacity() noexcept {
    while (dynamic_count_ > capacity_) {
      detail::dynamic_entry<handle>* oldest = nullptr;
      for (auto& e : dynamic_) {
        if (e.stmt == nullptr || e.in_use || e.stale) continue;
        if (oldest == nullptr || e.last_used < oldest->last_used) oldest = &e;
      }
      if (oldest == nullptr) return;  // all checked out: evicted as they come back
      free_entry(*oldest);
      ++stats_.evictions;
    }
  }

  void finalize_idle() noexcept {
    for (auto& slot : slots_) {
      if (slot.stmt != nullptr && !slot.in_use) Policy::finalize(slot.stmt);
      slot = {};
    }
    for (auto& e : dynamic_) {
      if (e.stmt != nullptr && !e.in_use) Policy::finalize(e.stmt);
    }
    dynamic_.clear();
    dynamic_count_ = 0;
  }

  std::size_t capacity_;
  std::vector<detail::typed_slot<handle>> slots_;
  std::vector<detail::dynamic_entry<handle>> dynamic_;
  std::size_t dynamic_count_ = 0;  // entries holding a statement, stale ones included
  std::uint64_t uses_ = 0;
  statement_cache_stats stats_{};
  std::size_t in_use_ = 0;
  // The thread inside a call on the connection, if any (detail/connection_use.hpp).
  void* user_thread_ = nullptr;
};

template <class Policy>
SQLPROOF_ALWAYS_INLINE void detail::statement_lease<Policy>::release() noexcept {
  if (stmt_ == nullptr) return;
  cache_->release(stmt_, kind_, index_);
  stmt_ = nullptr;
}

}  // namespace sqlproof
