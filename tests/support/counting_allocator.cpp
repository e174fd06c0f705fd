// Replacement global operator new/delete that count allocations per thread; see
// counting_allocator.hpp. All forms are replaced, so every allocation is counted and every
// pointer is released by the function that matches how it was obtained (malloc/free).

#include "support/counting_allocator.hpp"

#include <cstdlib>
#include <new>

namespace {

// Plain thread_local integers: constant-initialised, so reading them from operator new
// needs no dynamic TLS initialisation (which could itself allocate).
thread_local std::size_t thread_allocation_count = 0;
thread_local std::size_t thread_allocated_bytes = 0;

void record(std::size_t size) noexcept {
  ++thread_allocation_count;
  thread_allocated_bytes += size;
}

// The replaceable allocation functions' contract ([new.delete.single]): a request of zero
// bytes returns a distinct pointer; on failure call the new-handler until it succeeds, or
// report failure when there is no handler (the handler may throw std::bad_alloc).
void* allocate(std::size_t size) {
  const std::size_t requested = size == 0 ? 1 : size;
  for (;;) {
    if (void* p = std::malloc(requested)) {
      record(size);
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    handler();
  }
}

void* allocate_aligned(std::size_t size, std::align_val_t align) {
  const auto alignment = static_cast<std::size_t>(align);
  // aligned_alloc wants a size that is a multiple of the alignment.
  const std::size_t rounded = ((size == 0 ? 1 : size) + alignment - 1) / alignment * alignment;
  for (;;) {
    if (void* p = std::aligned_alloc(alignment, rounded)) {
      record(size);
      return p;
    }
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) return nullptr;
    handler();
  }
}

void* allocate_or_throw(std::size_t size) {
  if (void* p = allocate(size)) return p;
  throw std::bad_alloc{};
}

void* allocate_aligned_or_throw(std::size_t size, std::align_val_t align) {
  if (void* p = allocate_aligned(size, align)) return p;
  throw std::bad_alloc{};
}

void* allocate_or_null(std::size_t size) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}

void* allocate_aligned_or_null(std::size_t size, std::align_val_t align) noexcept {
  try {
    return allocate_aligned(size, align);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

namespace sqlproof_test {

std::size_t allocations_on_this_thread() noexcept { return thread_allocation_count; }

std::size_t allocated_bytes_on_this_thread() noexcept { return thread_allocated_bytes; }

}  // namespace sqlproof_test

// --- allocation ---------------------------------------------------------------------------

void* operator new(std::size_t size) { return allocate_or_throw(size); }
void* operator new[](std::size_t size) { return allocate_or_throw(size); }

void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_or_null(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return allocate_or_null(size);
}

void* operator new(std::size_t size, std::align_val_t align) {
  return allocate_aligned_or_throw(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return allocate_aligned_or_throw(size, align);
}

void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return allocate_aligned_or_null(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return allocate_aligned_or_null(size, align);
}

// --- deallocation -------------------------------------------------------------------------

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }

void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }

void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
