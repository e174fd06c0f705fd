#pragma once
// The only place that includes <libpq-fe.h>. The PostgreSQL backend reaches libpq through the
// small wrappers here; all are inline, so the optimiser sees straight through them.
// libpq reference: https://www.postgresql.org/docs/current/libpq.html

// libpq's include directory comes from the build (the sqlproof::postgres target, pkg-config
// sqlproof-postgres); without it, Debian's and Fedora's layout under /usr/include is tried.
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "../../config.hpp"
#include "../../error.hpp"

namespace sqlproof::pg::detail {

using sqlproof::detail::concat;
using sqlproof::detail::error_kind;
using sqlproof::detail::number_text;
using sqlproof::detail::throw_error;

using pg_conn = ::PGconn;
using pg_result = ::PGresult;
using oid = ::Oid;

// Owns a PGresult (PQclear on destruction).
class result {
 public:
  result() noexcept = default;
  explicit result(pg_result* r) noexcept : r_(r) {}
  result(result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  result& operator=(result&& o) noexcept {
    if (this != &o) {
      reset();
      r_ = std::exchange(o.r_, nullptr);
    }
    return *this;
  }
  result(const result&) = delete;
  result& operator=(const result&) = delete;
  ~result() { reset(); }

  void reset(pg_result* r = nullptr) noexcept {
    if (r_ != nullptr) PQclear(r_);
    r_ = r;
  }
  [[nodiscard]] pg_result* get() const noexcept { return r_; }
  explicit operator bool() const noexcept { return r_ != nullptr; }
  [[nodiscard]] ExecStatusType status() const noexcept {
    return r_ != nullptr ? PQresultStatus(r_) : PGRES_FATAL_ERROR;
  }
  [[nodiscard]] bool ok() const noexcept {
    const ExecStatusType s = status();
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_SINGLE_TUPLE;
  }
  [[nodiscard]] int rows() const noexcept { return PQntuples(r_); }
  [[nodiscard]] int columns() const noexcept { return PQnfields(r_); }

 private:
  pg_result* r_ = nullptr;
};

inline std::string_view error_field(const pg_result* r, int code) noexcept {
  const char* v = r != nullptr ? PQresultErrorField(r, code) : nullptr;
  return v != nullptr ? std::string_view(v) : std::string_view{};
}

// The connection's last error message without its trailing newline.
inline std::string_view connection_message(const pg_conn* c) noexcept {
  const char* m = c != nullptr ? PQerrorMessage(c) : nullptr;
  std::string_view v = m != nullptr ? m : "";
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  return v;
}

// Rows an INSERT, UPDATE or DELETE changed (PQcmdTuples; empty for other statements).
inline std::int64_t changes(const pg_result* r) noexcept {
  const char* t = PQcmdTuples(const_cast<pg_result*>(r));
  std::int64_t n = 0;
  for (; t != nullptr && *t >= '0' && *t <= '9'; ++t) n = n * 10 + (*t - '0');
  return n;
}

inline bool in_transaction(const pg_conn* c) noexcept {
  const PGTransactionStatusType s = PQtransactionStatus(c);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

inline bool transaction_failed(const pg_conn* c) noexcept {
  return PQtransactionStatus(c) == PQTRANS_INERROR;
}

inline bool connection_ok(const pg_conn* c) noexcept {
  return c != nullptr && PQstatus(c) == CONNECTION_OK;
}

}  // namespace sqlproof::pg::detail
