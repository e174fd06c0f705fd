#pragma once
// The checks every backend's `exec`, `one`, `all` and `iter` run where they are called: the
// query is a query type, the call suits its row type, and the arguments match the declared
// parameters without narrowing. Each its own template, so the compiler shows the values that
// disagree.

#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../query.hpp"
#include "../value.hpp"

namespace sqlproof::detail {

template <class T>
struct is_optional_row : std::false_type {};

// Call-site checks: each its own template so the compiler shows the disagreeing values.
template <std::size_t Passed, std::size_t Declared>
consteval bool argument_count_matches() {
  static_assert(Passed == Declared,
                "sqlproof: wrong number of arguments for this query (see "
                "argument_count_matches<passed, declared>)");
  return Passed == Declared;
}

template <class Arg, class Param>
consteval bool converts_without_narrowing() {
  using A = std::remove_cvref_t<Arg>;
  if constexpr (!std::is_convertible_v<Arg, const Param&>) {
    return false;
  } else if constexpr (is_optional<Param>::value && !is_optional<A>::value &&
                       !std::is_same_v<A, std::nullopt_t>) {
    return converts_without_narrowing<Arg, typename Param::value_type>();
  } else if constexpr (std::is_arithmetic_v<Param> || std::is_enum_v<Param>) {
    return requires(Arg&& a) { Param{std::forward<Arg>(a)}; };
  } else {
    return true;
  }
}

template <std::size_t Position, class Arg, class Param>
consteval bool argument_converts() {
  static_assert(converts_without_narrowing<Arg, Param>(),
                "sqlproof: an argument cannot be converted to the query's declared parameter "
                "type without narrowing; pass the declared type or change the signature (see "
                "argument_converts<position from 0, argument type, parameter type>)");
  return converts_without_narrowing<Arg, Param>();
}

enum class call_kind { exec, rows };

template <class Q, call_kind Kind, class... Args>
consteval bool check_call() {
  if constexpr (!query_like<Q>) {
    static_assert(query_like<Q>,
                  "sqlproof: the template argument must be a query type: "
                  "sqlproof::query<\"SQL\", Row(Params...)> or a struct derived from one");
    return false;
  } else if constexpr (!Q::checked) {
    return false;  // the query's own static_assert has said why
  } else if constexpr (Kind == call_kind::exec && !std::is_void_v<typename Q::row_type>) {
    static_assert(std::is_void_v<typename Q::row_type>,
                  "sqlproof: exec() runs queries whose row type is void; this query returns rows: "
                  "use one(), all() or iter()");
    return false;
  } else if constexpr (Kind == call_kind::rows && std::is_void_v<typename Q::row_type>) {
    static_assert(!std::is_void_v<typename Q::row_type>,
                  "sqlproof: one(), all() and iter() read rows but this query's row type is "
                  "void: use exec()");
    return false;
  } else if constexpr (sizeof...(Args) != Q::parameter_count) {
    return argument_count_matches<sizeof...(Args), Q::parameter_count>();
  } else {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (argument_converts<I, Args, std::tuple_element_t<I, typename Q::parameter_types>>() &&
              ...);
    }(std::make_index_sequence<sizeof...(Args)>{});
  }
}

template <class Q>
using row_or_int_t =
    std::conditional_t<std::is_void_v<typename Q::row_type>, int, typename Q::row_type>;
template <class Q>
using optional_row_t = std::optional<row_or_int_t<Q>>;
template <class Q>
using row_vector_t = std::vector<row_or_int_t<Q>>;

}  // namespace sqlproof::detail
