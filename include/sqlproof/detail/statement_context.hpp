#pragma once
// What every backend's statement code shares: where a statement runs (for messages), the
// schema errors of the prepare-time checks, and the C++ type each result column is read into.

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../config.hpp"
#include "../error.hpp"
#include "../query.hpp"
#include "../table.hpp"
#include "reflect.hpp"
#include "type_name.hpp"

namespace sqlproof::detail {

// Where a statement runs, for error messages.
struct statement_context {
  std::string_view sql;
  std::string_view name;  // the typed query's display name; empty for dynamic SQL
};

// Adds the query's name and SQL to a type_error raised while reading or binding.
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void rethrow_with_context(const type_error& e,
                                                                   const statement_context& ctx)
#if SQLPROOF_DEFINITIONS
{
  throw type_error(e.summary(), {e.extended_code(), e.sqlite_message(), ctx.sql, ctx.name},
                   e.column(), e.column_name());
}
#else
    ;
#endif

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_schema_error(std::string_view summary,
                                                                 const statement_context& ctx)
#if SQLPROOF_DEFINITIONS
{
  throw_error(error_kind::schema, summary, {0, {}, ctx.sql, ctx.name});
}
#else
    ;
#endif

// "the prepared statement <has> N <parameters but> M <are declared>"
[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_shape_mismatch(const char* verb, int got,
                                                                   const char* middle, int want,
                                                                   const char* end,
                                                                   const statement_context& ctx)
#if SQLPROOF_DEFINITIONS
{
  throw_schema_error(concat({"the prepared statement ", verb, number_text(got), middle,
                             number_text(want), end}),
                     ctx);
}
#else
    ;
#endif

[[noreturn]] SQLPROOF_COLD SQLPROOF_DECL void throw_mapped_name_mismatch(
    std::size_t i, std::string_view got, std::string_view row_type, std::string_view mapped,
    const statement_context& ctx)
#if SQLPROOF_DEFINITIONS
{
  const number_text n(static_cast<long long>(i));
  throw_schema_error(concat({"result column ", n, " is named '", got, "' but field ", n, " of ",
                             row_type, " is mapped to column '", mapped,
                             "'; reorder the SELECT list or alias it"}),
                     ctx);
}
#else
    ;
#endif

// The type that result column I is read into (lazily: only the branch that applies is
// instantiated, so a scalar row never asks Boost.PFR about std::string's fields).
template <class Row, std::size_t I>
auto result_field_tag() {
  if constexpr (shape_of_row<Row>() == row_shape::scalar) {
    return std::type_identity<Row>{};
  } else if constexpr (is_tuple<Row>::value) {
    return std::type_identity<std::tuple_element_t<I, Row>>{};
  } else {
    return std::type_identity<typename field_type_of<I, Row>::type>{};
  }
}

template <class Row, std::size_t I>
using result_field_t = typename decltype(result_field_tag<Row, I>())::type;

template <class Q>
inline constexpr statement_context context_of{Q::sql, query_display_name<Q>};

}  // namespace sqlproof::detail
