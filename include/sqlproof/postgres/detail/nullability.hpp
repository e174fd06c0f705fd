#pragma once
// The prepare-time NULL check: a result column taken straight from a table column
// (PQftable/PQftablecol, https://www.postgresql.org/docs/current/libpq-exec.html) that the
// table lets be NULL (pg_attribute.attnotnull false) must be read into a std::optional field.
// Without it, the mistake shows only on the first NULL row. Expressions and outer joins are
// not covered: the server describes no table for an expression, and a column of an outer
// join's nullable side keeps its table's NOT NULL (the compile-time schema check marks those).
// Only tables count (relkind r, p): a view's columns never carry NOT NULL in the catalog.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../config.hpp"
#include "../../detail/statement_context.hpp"
#include "../../error.hpp"
#include "api.hpp"
#include "codec.hpp"
#include "errors.hpp"

namespace sqlproof::pg::detail {

// Which fields of Row are std::optional (read NULL as empty).
template <class Row, std::size_t... I>
constexpr auto optional_fields(std::index_sequence<I...>) noexcept {
  return std::array<bool, sizeof...(I)>{is_optional<std::remove_cvref_t<row_field_t<Row, I>>>::value...};
}

[[noreturn]] SQLPROOF_COLD inline void throw_nullable_column(int i, std::string_view column,
                                                             std::string_view table,
                                                             std::string_view field_type,
                                                             std::string_view row_type,
                                                             bool scalar,
                                                             const sqlproof::detail::statement_context& ctx) {
  const number_text n(i);
  const std::string into =
      scalar ? std::string(field_type) : concat({"field ", n, " (", field_type, ") of ", row_type});
  sqlproof::detail::throw_error(
      error_kind::schema,
      concat({"result column ", n, " ('", column, "') comes from ", table,
              ", which allows NULL, but it is read into ", into,
              "; declare the field std::optional<", field_type,
              ">, or add NOT NULL to the column"}),
      {0, {}, ctx.sql, ctx.name});
}

// Checks the described result `r` against Row's non-optional fields: one catalog query for
// all the table columns among them, run only when there is one.
template <class Row>
void check_nullability(pg_conn* conn, const pg_result* r, const sqlproof::detail::statement_context& ctx) {
  constexpr int width = row_width<Row>();
  static constexpr auto optional = optional_fields<Row>(std::make_index_sequence<width>{});
  std::string pairs;
  for (int i = 0; i < width && i < PQnfields(r); ++i) {
    const oid table = PQftable(r, i);
    const int attribute = PQftablecol(r, i);
    if (optional[static_cast<std::size_t>(i)] || table == InvalidOid || attribute <= 0) continue;
    pairs += concat({pairs.empty() ? "" : ",", "(", number_text(table), ",",
                     number_text(attribute), ",", number_text(i), ")"});
  }
  if (pairs.empty()) return;
  // Numbers only: nothing of the query's text goes into this statement.
  const std::string sql = concat(
      {"SELECT c.i, a.attrelid::regclass::text FROM pg_attribute a JOIN (VALUES ", pairs,
       ") AS c(rel, num, i) ON a.attrelid = c.rel::oid AND a.attnum = c.num "
       "JOIN pg_class k ON k.oid = a.attrelid AND k.relkind IN ('r', 'p') "
       "WHERE NOT a.attnotnull ORDER BY c.i LIMIT 1"});
  const result found(PQexec(conn, sql.c_str()));
  if (!found.ok()) {
    throw_result_error(conn, found.get(), "cannot read the columns' NOT NULL constraints", sql,
                       ctx.name);
  }
  if (found.rows() == 0) return;
  int i = 0;
  for (const char* p = PQgetvalue(found.get(), 0, 0); *p >= '0' && *p <= '9'; ++p) i = i * 10 + (*p - '0');
  const char* column = PQfname(r, i);
  throw_nullable_column(i, column != nullptr ? column : "", PQgetvalue(found.get(), 0, 1),
                        field_type_name<Row>(i), type_name<Row>,
                        kind_of_row<Row>() == row_kind::scalar, ctx);
}

}  // namespace sqlproof::pg::detail
