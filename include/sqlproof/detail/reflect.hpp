#pragma once
// The only place that includes Boost.PFR: field count and field types of plain aggregates, and
// field names where the Boost in use can reflect them (Boost.PFR gained
// names_as_array in Boost 1.84; Debian 12 ships 1.81, Ubuntu 24.04 ships 1.83).

#include <boost/pfr/core.hpp>
#include <boost/pfr/tuple_size.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#if __has_include(<boost/pfr/core_name.hpp>)
#include <boost/pfr/core_name.hpp>
#endif

#include "field_bindings.hpp"

namespace sqlproof::detail {

// Counting a row type's fields is the first thing every row type costs the compiler. Boost.PFR
// counts by a binary search whose first probe initialises the type from sizeof(T) * CHAR_BIT / 2
// values (321 for the 80-byte, five-field row of the benchmarks): about 22 M compiler
// instructions a type with g++ 12 and Boost 1.81. Rows have few fields, so counting up from
// none, a probe per field, costs a fifth of that, and the structured bindings of
// field_bindings.hpp give the field types (docs/performance.md, change 10). Boost.PFR still
// serves the types this cannot: a field that `{}` cannot initialise (a reference, a type without
// a default constructor), an empty base class, more than bindable_field_limit fields, a
// non-aggregate (whose error Boost.PFR reports).

// What the probes below would convert, were they ever called: they are only named in
// unevaluated operands. Declared only; defined bodies that use it are needed because a field
// type in an anonymous namespace makes a declared-only conversion an error (clang++).
void* no_object() noexcept;

// Converts to any field type. One type for every row type, so that what a conversion to
// std::optional<std::string> or a std::chrono duration instantiates is instantiated once, not
// once a row type (that cost 5 times the count itself). As a prvalue, it also initialises
// fields that cannot be copied.
struct field_probe {
  template <class F>
  operator F() const noexcept {  // NOLINT: implicit by design
    return static_cast<F&&>(*static_cast<F*>(no_object()));
  }
};

// The same but for a base class of T, tried for the first value: where T{field_probe{}, ...}
// is valid and T{first_field_probe<T>{}, ...} is not, the first value initialises an empty
// base, and Boost.PFR reports that it does not reflect derived types. (A base with fields is
// entered by brace elision instead; structured bindings then reject the type, naming it.)
template <class T>
struct first_field_probe {
  template <class F>
  requires(!std::is_base_of_v<F, T>) operator F() const noexcept {  // NOLINT: implicit by design
    return static_cast<F&&>(*static_cast<F*>(no_object()));
  }
};

template <class Probe, std::size_t>
using probe_at = Probe;

// Whether T{first, probe, probe, ...} with as many probes as the sequence is valid.
template <class T, class First, class Seq>
inline constexpr bool initialisable_by = false;
template <class T, class First, std::size_t... I>
inline constexpr bool initialisable_by<T, First, std::index_sequence<I...>> = requires {
  T{First{}, probe_at<field_probe, I>{}...};
};

// The largest number of values that initialise T, counting up from none; past the limit,
// bindable_field_limit + 1, which sends the type to Boost.PFR.
template <class T, std::size_t N = 0>
consteval std::size_t count_initialisers() {
  if constexpr (N > bindable_field_limit) {
    return N;
  } else if constexpr (initialisable_by<T, field_probe, std::make_index_sequence<N>>) {
    return count_initialisers<T, N + 1>();
  } else {
    return N;
  }
}

inline constexpr std::size_t not_counted = static_cast<std::size_t>(-1);

// T's field count, or not_counted where Boost.PFR has to count.
template <class T>
consteval std::size_t quick_field_count() {
  if constexpr (!std::is_aggregate_v<T> || std::is_array_v<T> || std::is_polymorphic_v<T> ||
                !requires { T{}; }) {
    return not_counted;
  } else {
    constexpr std::size_t n = count_initialisers<T>();
    if constexpr (n == 0 || n > bindable_field_limit) {
      return n == 0 ? 0 : not_counted;
    } else if constexpr (!initialisable_by<T, first_field_probe<T>,
                                           std::make_index_sequence<n - 1>>) {
      return not_counted;  // the first value initialises an empty base class
    } else {
      return n;
    }
  }
}

template <class T>
consteval std::size_t count_fields() {
  if constexpr (quick_field_count<T>() != not_counted) {
    return quick_field_count<T>();
  } else {
    return boost::pfr::tuple_size_v<T>;
  }
}

template <class T>
inline constexpr std::size_t field_count = count_fields<T>();

// The field types, indexed: field_at<I>(fields) selects the I-th by overload resolution, with
// no recursion over the list.
template <std::size_t I, class F>
struct indexed_field {
  using type = F;
};
template <class Seq, class... F>
struct indexed_fields;
template <std::size_t... I, class... F>
struct indexed_fields<std::index_sequence<I...>, F...> : indexed_field<I, F>... {};

template <std::size_t I, class F>
indexed_field<I, F> field_at(const indexed_field<I, F>&);  // declared only

struct list_field_types {
  template <class... F>
  indexed_fields<std::index_sequence_for<F...>, F...> operator()(F&...) const {
    return {};
  }
};

template <class T>
using field_types_of =
    decltype(with_fields(std::declval<T&>(), list_field_types{}, fields_tag<field_count<T>>{}));

// Field I's type, as a trait.
template <std::size_t I, class T, bool Quick = quick_field_count<T>() != not_counted>
struct field_type_of {
  using type = boost::pfr::tuple_element_t<I, T>;
};
template <std::size_t I, class T>
struct field_type_of<I, T, true> {
  using type = typename decltype(field_at<I>(std::declval<field_types_of<T>>()))::type;
};

template <std::size_t I, class T>
using field_type = typename field_type_of<I, T>::type;

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
