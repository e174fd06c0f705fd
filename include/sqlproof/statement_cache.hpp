#pragma once
/// @file
/// The per-connection statement cache. Typed queries each own a slot found by array index
/// (assigned once per query type per process), so a cache hit costs an index and a flag test:
/// no hashing, no string compare, no allocation. Dynamic SQL (`database::prepare_cached`) uses
/// a bounded LRU keyed by the SQL text.
///
/// A statement is checked out while it runs and returned reset. Using a query again while it
/// is checked out (running `one<q>` inside a loop over `iter<q>`) prepares a second statement
/// for the inner use, which is finalized when returned.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detail/sqlite_api.hpp"
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
};

class statement_cache;

namespace detail {

// Slots are numbered per process, on first use of each query type; the number is the index
// into every connection's slot vector.
inline std::size_t next_query_slot() noexcept {
  static std::atomic<std::size_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

template <class Q>
std::size_t query_slot() noexcept {
  static const std::size_t slot = next_query_slot();
  return slot;
}

struct typed_slot {
  sqlite_stmt* stmt = nullptr;
  bool in_use = false;
};

struct dynamic_entry {
  std::string sql;
  sqlite_stmt* stmt = nullptr;
  bool in_use = false;
  bool stale = false;
};

inline constexpr std::size_t no_slot = static_cast<std::size_t>(-1);

// A checked-out statement; returns it to the cache (reset) when destroyed.
class statement_lease {
 public:
  statement_lease() noexcept = default;
  statement_lease(statement_cache* cache, sqlite_stmt* stmt, std::size_t slot,
                  dynamic_entry* entry, bool clear_bindings) noexcept
      : cache_(cache), stmt_(stmt), slot_(slot), entry_(entry), clear_bindings_(clear_bindings) {}
  statement_lease(statement_lease&& o) noexcept
      : cache_(o.cache_), stmt_(o.stmt_), slot_(o.slot_), entry_(o.entry_),
        clear_bindings_(o.clear_bindings_) {
    o.stmt_ = nullptr;
  }
  statement_lease& operator=(statement_lease&& o) noexcept {
    if (this != &o) {
      release();
      cache_ = o.cache_;
      stmt_ = o.stmt_;
      slot_ = o.slot_;
      entry_ = o.entry_;
      clear_bindings_ = o.clear_bindings_;
      o.stmt_ = nullptr;
    }
    return *this;
  }
  statement_lease(const statement_lease&) = delete;
  statement_lease& operator=(const statement_lease&) = delete;
  ~statement_lease() { release(); }

  [[nodiscard]] sqlite_stmt* get() const noexcept { return stmt_; }
  explicit operator bool() const noexcept { return stmt_ != nullptr; }
  inline void release() noexcept;

 private:
  statement_cache* cache_ = nullptr;
  sqlite_stmt* stmt_ = nullptr;
  std::size_t slot_ = no_slot;
  dynamic_entry* entry_ = nullptr;
  bool clear_bindings_ = true;
};

}  // namespace detail

/// A connection's prepared statements, owned and finalized by it. Obtained from
/// `database::cache()`; not copyable. Not thread-safe, like the connection it belongs to.
class statement_cache {
 public:
  /// Default bound on cached dynamic-SQL statements.
  static constexpr std::size_t default_capacity = 64;

  explicit statement_cache(std::size_t capacity = default_capacity) noexcept
      : capacity_(capacity) {}
  statement_cache(const statement_cache&) = delete;
  statement_cache& operator=(const statement_cache&) = delete;
  ~statement_cache() { finalize_idle(); }

  /// Current counters.
  [[nodiscard]] statement_cache_stats stats() const noexcept {
    statement_cache_stats s = stats_;
    s.typed = 0;
    for (const auto& slot : slots_) s.typed += slot.stmt != nullptr ? 1 : 0;
    s.dynamic = dynamic_.size();
    s.capacity = capacity_;
    s.in_use = in_use_;
    return s;
  }

  /// Finalizes every idle statement. Statements checked out now are finalized when returned.
  void clear() noexcept {
    for (auto& slot : slots_) {
      if (slot.stmt != nullptr && !slot.in_use) detail::finalize(slot.stmt);
      slot = {};  // an in-use statement no longer matches its slot, so release finalizes it
    }
    for (auto it = dynamic_.begin(); it != dynamic_.end();) {
      if (it->in_use) {
        it->stale = true;  // finalized when returned: the lease still points at this entry
        ++it;
        continue;
      }
      detail::finalize(it->stmt);
      index_.erase(it->sql);
      it = dynamic_.erase(it);
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
  /// returns a new `sqlite_stmt*` or throws) on a miss. Typed statements keep their bindings
  /// when returned: every run binds every parameter before its first step, so a value left
  /// from an earlier run is never read, and sqlite3_clear_bindings would cost about 4% of an
  /// insert (docs/performance.md).
  template <class Prepare>
  detail::statement_lease checkout_typed(std::size_t slot, Prepare&& prepare) {
    if (slot < slots_.size()) [[likely]] {
      detail::typed_slot& s = slots_[slot];
      if (s.stmt != nullptr && !s.in_use) [[likely]] {
        s.in_use = true;
        ++stats_.hits;
        ++in_use_;
        return {this, s.stmt, slot, nullptr, false};
      }
    }
    detail::sqlite_stmt* stmt = prepare();
    ++stats_.misses;
    ++stats_.prepares;
    ++in_use_;
    if (slot >= slots_.size()) slots_.resize(slot + 1);
    detail::typed_slot& s = slots_[slot];
    if (s.stmt == nullptr) {
      s.stmt = stmt;
      s.in_use = true;
    }
    return {this, stmt, slot, nullptr, false};
  }

  /// Checks out a statement for dynamic SQL from the LRU, preparing it with `prepare()` on a
  /// miss.
  template <class Prepare>
  detail::statement_lease checkout_dynamic(std::string_view sql, Prepare&& prepare) {
    if (auto found = index_.find(sql); found != index_.end()) {
      auto it = found->second;
      if (!it->in_use) {
        it->in_use = true;
        dynamic_.splice(dynamic_.begin(), dynamic_, it);  // most recently used first
        ++stats_.hits;
        ++in_use_;
        return {this, it->stmt, detail::no_slot, &*it, true};
      }
      // The same SQL is running already: use a private statement for this checkout.
      detail::sqlite_stmt* stmt = prepare();
      ++stats_.misses;
      ++stats_.prepares;
      ++in_use_;
      return {this, stmt, detail::no_slot, nullptr, true};
    }
    detail::sqlite_stmt* stmt = prepare();
    ++stats_.misses;
    ++stats_.prepares;
    ++in_use_;
    if (capacity_ == 0) return {this, stmt, detail::no_slot, nullptr, true};
    dynamic_.push_front(detail::dynamic_entry{std::string(sql), stmt, true, false});
    index_.emplace(dynamic_.front().sql, dynamic_.begin());
    evict_beyond_capacity();
    return {this, stmt, detail::no_slot, &dynamic_.front(), true};
  }

  /// Checks out a statement from `prepare()` that is never cached: it counts as in use and
  /// is finalized when returned (`database::prepare`).
  template <class Prepare>
  detail::statement_lease checkout_uncached(Prepare&& prepare) {
    detail::sqlite_stmt* stmt = prepare();
    ++in_use_;
    return {this, stmt, detail::no_slot, nullptr, true};
  }

  /// SQL texts of the cached dynamic statements, most recently used first.
  [[nodiscard]] std::vector<std::string> dynamic_sql() const {
    std::vector<std::string> out;
    out.reserve(dynamic_.size());
    for (const auto& e : dynamic_) out.push_back(e.sql);
    return out;
  }

 private:
  friend class detail::statement_lease;

  void release(detail::sqlite_stmt* stmt, std::size_t slot, detail::dynamic_entry* entry,
               bool clear_bindings) noexcept {
    --in_use_;
    detail::reset(stmt);  // ends the read transaction a finished SELECT may hold
    if (clear_bindings) detail::clear_bindings(stmt);
    if (slot != detail::no_slot) {
      if (slot < slots_.size() && slots_[slot].stmt == stmt) {
        slots_[slot].in_use = false;
      } else {
        detail::finalize(stmt);  // a re-entrant extra, or cleared while in use
      }
      return;
    }
    if (entry != nullptr && entry->stmt == stmt) {
      entry->in_use = false;
      if (entry->stale) {  // cleared while checked out
        auto it = index_.find(entry->sql);
        auto node = it->second;
        index_.erase(it);
        dynamic_.erase(node);
        detail::finalize(stmt);
      } else {
        evict_beyond_capacity();
      }
      return;
    }
    detail::finalize(stmt);  // a private statement for a re-entrant checkout
  }

  void evict_beyond_capacity() noexcept {
    auto it = dynamic_.end();
    while (dynamic_.size() > capacity_ && it != dynamic_.begin()) {
      --it;
      if (it->in_use || it->stale) continue;
      detail::finalize(it->stmt);
      index_.erase(it->sql);
      it = dynamic_.erase(it);
      ++stats_.evictions;
    }
  }

  void finalize_idle() noexcept {
    for (auto& slot : slots_) {
      if (slot.stmt != nullptr && !slot.in_use) detail::finalize(slot.stmt);
      slot = {};
    }
    for (auto& e : dynamic_) {
      if (!e.in_use) detail::finalize(e.stmt);
    }
    index_.clear();
    dynamic_.clear();
  }

  std::size_t capacity_;
  std::vector<detail::typed_slot> slots_;
  std::list<detail::dynamic_entry> dynamic_;
  std::unordered_map<std::string_view, std::list<detail::dynamic_entry>::iterator> index_;
  statement_cache_stats stats_{};
  std::size_t in_use_ = 0;
};

inline void detail::statement_lease::release() noexcept {
  if (stmt_ == nullptr) return;
  cache_->release(stmt_, slot_, entry_, clear_bindings_);
  stmt_ = nullptr;
}

}  // namespace sqlproof
