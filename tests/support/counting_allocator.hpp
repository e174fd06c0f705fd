#pragma once
// Counting heap allocations in tests.
//
// counting_allocator.cpp, linked into every test program, replaces the global operator
// new and operator delete (every form: plain, array, nothrow, sized and aligned) with
// versions that call malloc/free and count each allocation made by the calling thread.
// AddressSanitizer allows this replacement and still checks the memory.
//
// Only allocations through operator new are counted; memory SQLite obtains with
// sqlite3_malloc (its page cache, prepared statements) is not. An optimising compiler may
// remove a new/delete pair whose pointer never escapes (allowed since C++14; Clang does so
// at -O2), so measure the code under test, and keep Catch2's CHECK, which may allocate,
// outside the measured span.
//
//   sqlproof_test::allocation_counter allocations;
//   auto user = db.one<find_user>(42);
//   const std::size_t count = allocations.count();
//   CHECK(count == 1);  // the name string only

#include <cstddef>

namespace sqlproof_test {

/// Allocations through operator new made by the calling thread since it started.
[[nodiscard]] std::size_t allocations_on_this_thread() noexcept;

/// Bytes requested through operator new by the calling thread since it started.
[[nodiscard]] std::size_t allocated_bytes_on_this_thread() noexcept;

/// Counts the allocations the calling thread makes through operator new from construction
/// on. Allocations by other threads are not counted.
class allocation_counter {
 public:
  allocation_counter() noexcept
      : start_count_{allocations_on_this_thread()},
        start_bytes_{allocated_bytes_on_this_thread()} {}

  allocation_counter(const allocation_counter&) = delete;
  allocation_counter& operator=(const allocation_counter&) = delete;

  /// How many allocations happened since construction (or the last reset()).
  [[nodiscard]] std::size_t count() const noexcept {
    return allocations_on_this_thread() - start_count_;
  }

  /// How many bytes those allocations requested.
  [[nodiscard]] std::size_t bytes() const noexcept {
    return allocated_bytes_on_this_thread() - start_bytes_;
  }

  /// Starts counting again from zero.
  void reset() noexcept {
    start_count_ = allocations_on_this_thread();
    start_bytes_ = allocated_bytes_on_this_thread();
  }

 private:
  std::size_t start_count_;
  std::size_t start_bytes_;
};

}  // namespace sqlproof_test
