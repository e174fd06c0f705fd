#pragma once
/// @file
/// `callback<R(Args...)>`: an owning, copyable holder of any callable, used for the hooks a
/// connection keeps (trace, slow query) and the progress callbacks it calls (backup).
///
/// It does what `std::function` does for these uses, without `<functional>`: that header
/// alone adds about 30,000 lines to every translation unit that includes `database.hpp`
/// (g++ 12, libstdc++), which costs compile time in every file of a program that runs a
/// query (docs/performance.md). A `std::function` converts to a `callback` like any callable.

#include <cstddef>
#include <type_traits>
#include <utility>

namespace sqlproof {

template <class Signature>
class callback;

/// Holds a copy of a callable with signature `R(Args...)`, or nothing.
/// @code
/// sqlproof::trace_hook hook = [](const sqlproof::trace_event& e) { log(e.sql); };
/// @endcode
template <class R, class... Args>
class callback<R(Args...)> {
 public:
  callback() noexcept = default;
  callback(std::nullptr_t) noexcept {}  // NOLINT: implicit, like std::function

  /// Stores a copy of `f` (moved when it is an rvalue).
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, callback> &&
             std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
  callback(F&& f)  // NOLINT: implicit, like std::function
      : target_(new holder<std::decay_t<F>>(std::forward<F>(f))) {}

  callback(const callback& other) : target_(other.target_ ? other.target_->clone() : nullptr) {}
  callback(callback&& other) noexcept : target_(std::exchange(other.target_, nullptr)) {}
  callback& operator=(callback other) noexcept {
    std::swap(target_, other.target_);
    return *this;
  }
  ~callback() { delete target_; }

  /// True when a callable is held.
  explicit operator bool() const noexcept { return target_ != nullptr; }

  /// Calls the held callable. Precondition: one is held.
  R operator()(Args... args) const { return target_->call(std::forward<Args>(args)...); }

 private:
  struct base {
    base() = default;
    base(const base&) = delete;
    base& operator=(const base&) = delete;
    virtual ~base() = default;
    virtual R call(Args&&... args) = 0;
    [[nodiscard]] virtual base* clone() const = 0;
  };

  template <class F>
  struct holder final : base {
    template <class G>
    explicit holder(G&& g) : fn(std::forward<G>(g)) {}
    R call(Args&&... args) override {
      if constexpr (std::is_void_v<R>) {
        fn(std::forward<Args>(args)...);
      } else {
        return fn(std::forward<Args>(args)...);
      }
    }
    [[nodiscard]] base* clone() const override { return new holder(fn); }
    F fn;
  };

  base* target_ = nullptr;
};

}  // namespace sqlproof
