#pragma once
// The only place that includes Boost.PFR: field count, field types and field access for plain
// aggregates, and field names where the Boost in use can reflect them (Boost.PFR gained
// names_as_array in Boost 1.84; Debian 12 ships 1.81, Ubuntu 24.04 ships 1.83).

#include <boost/pfr/core.hpp>
#include <boost/pfr/tuple_size.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#if __has_include(<boost/pfr/core_name.hpp>)
#include <boost/pfr/core_name.hpp>
#endif

namespace sqlproof::detail {

template <class T>
inline constexpr std::size_t field_count = boost::pfr::tuple_size_v<T>;

template <std::size_t I, class T>
using field_type = boost::pfr::tuple_element_t<I, T>;

// The same as a lazily evaluated trait, for use inside std::conditional_t.
template <std::size_t I, class T>
struct field_type_of {
  using type = boost::pfr::tuple_element_t<I, T>;
};

template <std::size_t I, class T>
constexpr decltype(auto) field(T&& value) noexcept {
  return boost::pfr::get<I>(std::forward<T>(value));
}

#if defined(BOOST_PFR_CORE_NAME_ENABLED) && BOOST_PFR_CORE_NAME_ENABLED
inline constexpr bool can_reflect_names = true;
template <class T>
constexpr std::array<std::string_view, field_count<T>> reflected_names() noexcept {
  return boost::pfr::names_as_array<T>();
}
#else
inline constexpr bool can_reflect_names = false;
template <class T>
constexpr std::array<std::string_view, field_count<T>> reflected_names() noexcept {
  return {};
}
#endif

}  // namespace sqlproof::detail
