#pragma once
// Detects two threads using one connection at the same time. A `database` is meant for one
// thread at a time (it is opened with SQLITE_OPEN_NOMUTEX, so SQLite does not serialise
// calls either, https://sqlite.org/threadsafe.html), and two threads inside it at once
// corrupt its state and crash. Each call that reaches SQLite holds a `connection_use` for its
// duration: it marks the connection with the calling thread, and a call from another thread
// while the mark is set throws misuse_error before touching anything. A call from the same
// thread (a query inside a trace hook or any other callback) nests. Handing a connection from
// one thread to another between calls stays allowed.
//
// Cost: one compare-and-swap on entry and one store on exit, measured on W1 in
// docs/performance.md. Atomic builtins under GCC and Clang rather than <atomic>, which would
// add some 20,000 lines to every translation unit that runs a query.

#if !defined(__GNUC__) && !defined(__clang__)
#include <atomic>
#endif

#include "../config.hpp"
#include "../error.hpp"
#include "../basic_statement_cache.hpp"

namespace sqlproof::detail {

// The calling thread, as an address no other live thread shares: that of a thread_local.
inline void* this_thread_token() noexcept {
  static thread_local char token = 0;
  return &token;
}

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_used_concurrently()
#if SQLPROOF_DEFINITIONS
{
  throw_error(error_kind::misuse,
              "the database is in use by another thread: a connection must be used by one "
              "thread at a time (give each thread its own database, or hand it over between "
              "calls)");
}
#else
    ;
#endif

class connection_use {
 public:
  template <class Cache>
  SQLPROOF_ALWAYS_INLINE explicit connection_use(Cache& c) : user_(&c.user_thread_) {
    void* const me = this_thread_token();
    void* expected = nullptr;
#if defined(__GNUC__) || defined(__clang__)
    const bool entered = __atomic_compare_exchange_n(user_, &expected, me, false,
                                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
#else
    const bool entered = std::atomic_ref<void*>(*user_).compare_exchange_strong(
        expected, me, std::memory_order_acquire, std::memory_order_relaxed);
#endif
    if (!entered) [[unlikely]] {
      if (expected != me) throw_used_concurrently();
      user_ = nullptr;  // nested in a call of this thread, which clears the mark
    }
  }
  connection_use(const connection_use&) = delete;
  connection_use& operator=(const connection_use&) = delete;
  SQLPROOF_ALWAYS_INLINE ~connection_use() {
    if (user_ == nullptr) return;
#if defined(__GNUC__) || defined(__clang__)
    __atomic_store_n(user_, nullptr, __ATOMIC_RELEASE);
#else
    std::atomic_ref<void*>(*user_).store(nullptr, std::memory_order_release);
#endif
  }

 private:
  void** user_;
};

}  // namespace sqlproof::detail
