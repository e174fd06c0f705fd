#pragma once
// Counts every global operator new in the program that includes this header (include it in
// exactly one translation unit: it defines the replaceable allocation functions).
//
// Only C++ allocations are counted. SQLite allocates through malloc (sqlite3_malloc), which is
// the same for sqlproof and hand-written C code, so the difference between two counts is what
// the C++ layer adds.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace bench_alloc {

// Single-threaded benchmarks: relaxed load+store, not an atomic read-modify-write, so the
// counter costs the same (about one cycle) on every allocation of every library measured.
inline std::atomic<std::uint64_t> count{0};
inline std::atomic<std::uint64_t> bytes{0};

inline void note(std::size_t n) noexcept {
  count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  bytes.store(bytes.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

struct snapshot {
  std::uint64_t count;
  std::uint64_t bytes;
  static snapshot now() noexcept {
    return {bench_alloc::count.load(std::memory_order_relaxed),
            bench_alloc::bytes.load(std::memory_order_relaxed)};
  }
};

inline void* allocate(std::size_t n) {
  note(n);
  if (void* p = std::malloc(n != 0 ? n : 1)) return p;
  throw std::bad_alloc();
}

inline void* allocate_aligned(std::size_t n, std::align_val_t al) {
  note(n);
  const auto a = static_cast<std::size_t>(al);
  const std::size_t rounded = (n + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded != 0 ? rounded : a)) return p;
  throw std::bad_alloc();
}

}  // namespace bench_alloc

void* operator new(std::size_t n) { return bench_alloc::allocate(n); }
void* operator new[](std::size_t n) { return bench_alloc::allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  bench_alloc::note(n);
  return std::malloc(n != 0 ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  bench_alloc::note(n);
  return std::malloc(n != 0 ? n : 1);
}
void* operator new(std::size_t n, std::align_val_t al) { return bench_alloc::allocate_aligned(n, al); }
void* operator new[](std::size_t n, std::align_val_t al) {
  return bench_alloc::allocate_aligned(n, al);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
