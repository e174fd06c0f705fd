#pragma once
// PostgreSQL errors as sqlproof's error classes: the SQLSTATE picks the class, so that
// `catch (constraint_error&)` and `retry_policy::on_busy` work as they do on SQLite; the
// server's fields (constraint, table, DETAIL, HINT, position) travel with the error.
// SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html

#include <string_view>

#include "../../config.hpp"
#include "../../error.hpp"
#include "api.hpp"

namespace sqlproof::pg::detail {

// The class of error for a SQLSTATE.
//  - 23xxx integrity constraint violations -> constraint_error;
//  - 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available,
//    57014 query_canceled (statement_timeout) -> busy_error: the outermost transaction can
//    run again, which CockroachDB and YugabyteDB require for 40001;
//  - 08xxx connection exceptions, 57P01-57P03 (server shutting down) -> open_error;
//  - 42xxx syntax errors and undefined objects -> schema_error;
//  - 22xxx data exceptions (out of range, bad binary format) -> type_error;
//  - 25P02 in_failed_sql_transaction -> misuse_error, with a hint.
constexpr error_kind kind_of_sqlstate(std::string_view state) noexcept {
  if (state.size() != 5) return error_kind::error;
  const std::string_view cls = state.substr(0, 2);
  if (cls == "23") return error_kind::constraint;
  if (state == "40001" || state == "40P01" || state == "55P03" || state == "57014") {
    return error_kind::busy;
  }
  if (cls == "08" || state == "57P01" || state == "57P02" || state == "57P03") {
    return error_kind::open;
  }
  if (cls == "42") return error_kind::schema;
  if (cls == "22") return error_kind::type;
  if (state == "25P02") return error_kind::misuse;
  return error_kind::error;
}

inline constexpr std::string_view failed_transaction_hint =
    "the transaction already failed on an earlier statement and PostgreSQL ignores everything "
    "until it ends; roll it back (a nested db.transaction would have used a savepoint)";

inline constexpr std::string_view changed_plan_hint =
    "a table changed under a cached statement inside a transaction; run the transaction again, "
    "and prefer explicit column lists to SELECT *";

[[noreturn]] SQLPROOF_COLD inline void throw_with(error_kind kind, std::string_view summary,
                                                  const error_context& c,
                                                  const error_diagnostics& d) {
  switch (kind) {
    case error_kind::open: throw open_error(summary, c, d);
    case error_kind::constraint: throw constraint_error(summary, c, d);
    case error_kind::busy: throw busy_error(summary, c, d);
    case error_kind::type: throw type_error(summary, c, d, -1, {});
    case error_kind::schema: throw schema_error(summary, c, d);
    case error_kind::misuse: throw misuse_error(summary, c, d);
    case error_kind::interrupted: throw interrupted_error(summary, c, d);
    case error_kind::deadline: throw deadline_exceeded_error(summary, c, d);
    case error_kind::error: break;
  }
  throw error(summary, c, d);
}

// Throws for a failed result (or, with `r` null, for the connection's last error): the class
// from the SQLSTATE, the server's message and fields, the SQL and the query's name.
[[noreturn]] SQLPROOF_COLD inline void throw_result_error(const pg_conn* conn, const pg_result* r,
                                                          std::string_view summary,
                                                          std::string_view sql,
                                                          std::string_view query_name) {
  const std::string_view state = error_field(r, PG_DIAG_SQLSTATE);
  std::string_view message = error_field(r, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = connection_message(conn);
  error_kind kind = kind_of_sqlstate(state);
  // No SQLSTATE and a broken connection: the server went away (libpq's own message).
  if (state.empty() && conn != nullptr && PQstatus(conn) != CONNECTION_OK) kind = error_kind::open;
  error_diagnostics d{state, error_field(r, PG_DIAG_CONSTRAINT_NAME), error_field(r, PG_DIAG_TABLE_NAME),
                      error_field(r, PG_DIAG_MESSAGE_DETAIL), error_field(r, PG_DIAG_MESSAGE_HINT), 0};
  if (state == "25P02") d.hint = failed_transaction_hint;
  if (state == "0A000" && sql.size() > 0 && conn != nullptr && in_transaction(conn)) {
    d.hint = changed_plan_hint;
    kind = error_kind::schema;
  }
  const std::string_view position = error_field(r, PG_DIAG_STATEMENT_POSITION);
  for (const char ch : position) d.position = d.position * 10 + (ch - '0');
  throw_with(kind, summary, {0, message, sql, query_name}, d);
}

}  // namespace sqlproof::pg::detail
