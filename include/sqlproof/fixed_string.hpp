#pragma once
/// @file
/// `fixed_string`: a string usable as a template argument, so SQL text and names can be
/// part of a type (`query<"SELECT ...", Row(Params...)>`, `migration<1, "create users">`).

#include <cstddef>
#include <string_view>

namespace sqlproof {

/// A string literal held by value, usable as a non-type template argument.
///
/// Built implicitly from a string literal; the terminating NUL is kept so `c_str()` is free.
/// @code
/// static constexpr sqlproof::fixed_string name = "users";
/// constexpr std::string_view text = name.view();  // "users", usable in constant expressions
/// @endcode
template <std::size_t N>
struct fixed_string {
  char data[N]{};  // NOLINT: public so the type is structural (required for template arguments)

  constexpr fixed_string(const char (&text)[N]) noexcept {  // NOLINT: implicit by design
    for (std::size_t i = 0; i < N; ++i) data[i] = text[i];
  }

  /// The characters without the terminating NUL.
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {data, N - 1}; }
  /// A NUL-terminated pointer to the characters.
  [[nodiscard]] constexpr const char* c_str() const noexcept { return data; }
  /// The number of characters, not counting the terminating NUL.
  [[nodiscard]] static constexpr std::size_t size() noexcept { return N - 1; }
  /// True when the string has no characters.
  [[nodiscard]] static constexpr bool empty() noexcept { return N <= 1; }

  constexpr operator std::string_view() const noexcept { return view(); }  // NOLINT: implicit by design

  template <std::size_t M>
  friend constexpr bool operator==(const fixed_string& a, const fixed_string<M>& b) noexcept {
    return a.view() == b.view();
  }
};

}  // namespace sqlproof
