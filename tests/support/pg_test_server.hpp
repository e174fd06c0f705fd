#pragma once
// The PostgreSQL server a test talks to, through raw libpq (nothing of sqlproof's own
// PostgreSQL API, so these helpers can test it).
//
// The server comes from SQLPROOF_PG_CONNINFO (a libpq connection string or URI), which
// `bash scripts/pg.sh -- <command>` and scripts/test.sh set. Without it a test program prints
// why and exits with the skip code, which ctest reports as skipped; under CI=true a missing
// server is a failure instead (exit status 1).
//
// Each test case takes a schema of its own, so test programs can run in parallel against one
// server:
//
//   TEST_CASE("...") {
//     sqlproof_test::pg_test_schema schema;         // CREATE SCHEMA t_<pid>_<n>
//     auto db = schema.connect();                   // search_path = t_<pid>_<n>
//     db.exec("CREATE TABLE items (id int8 PRIMARY KEY)");
//   }                                               // DROP SCHEMA t_<pid>_<n> CASCADE
//
// Declare the schema before the connections that use it: the DROP waits for their locks.

#include <libpq-fe.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>
#include <utility>

// The exit status of a test program that skips; tests/CMakeLists.txt gives ctest the same
// number as SKIP_RETURN_CODE.
#ifndef SQLPROOF_TEST_PG_SKIP_CODE
#define SQLPROOF_TEST_PG_SKIP_CODE 77
#endif

namespace sqlproof_test {

/// A failed libpq call in a test helper: the server's or libpq's message, and the SQLSTATE
/// when the server sent one.
class pg_test_error : public std::runtime_error {
 public:
  pg_test_error(const std::string& message, std::string sqlstate)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// The connection string of the test server, from SQLPROOF_PG_CONNINFO. When it is unset or
/// empty, prints why and ends the program: with the skip code, or with 1 under CI=true.
inline const std::string& pg_server_conninfo() {
  static const std::string conninfo = [] {
    const char* value = std::getenv("SQLPROOF_PG_CONNINFO");
    if (value != nullptr && *value != '\0') return std::string{value};
    const char* ci = std::getenv("CI");
    const bool in_ci = ci != nullptr && std::string_view{ci} == "true";
    std::fprintf(stderr,
                 "SQLPROOF_PG_CONNINFO is not set, so there is no PostgreSQL server to test "
                 "against%s\n(run the tests under `bash scripts/pg.sh -- ctest ...`, which "
                 "starts a throwaway server)\n",
                 in_ci ? "; CI=true, so this is a failure" : ": skipped");
    std::fflush(nullptr);
    std::_Exit(in_ci ? 1 : SQLPROOF_TEST_PG_SKIP_CODE);
  }();
  return conninfo;
}

namespace pg_detail {

struct result_deleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

struct options_deleter {
  void operator()(PQconninfoOption* o) const noexcept { PQconninfoFree(o); }
};

// A conninfo value in single quotes, with ' and \ escaped as libpq's parser expects.
inline std::string quoted(std::string_view value) {
  std::string out = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace pg_detail

/// `conninfo` (key=value or URI form) with `search_path` set to `schema` for every session,
/// through libpq's `options` (added to any options it already had). Throws pg_test_error
/// when libpq cannot parse `conninfo`.
inline std::string pg_conninfo_with_search_path(const std::string& conninfo,
                                                std::string_view schema) {
  char* error = nullptr;
  const std::unique_ptr<PQconninfoOption, pg_detail::options_deleter> parsed{
      PQconninfoParse(conninfo.c_str(), &error)};
  if (!parsed) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    throw pg_test_error("cannot parse the connection string: " + message, "");
  }
  std::string out;
  std::string options;
  for (const PQconninfoOption* o = parsed.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (std::string_view{o->keyword} == "options") {
      options = o->val;
      continue;
    }
    out += o->keyword;
    out += '=';
    out += pg_detail::quoted(o->val);
    out += ' ';
  }
  if (!options.empty()) options += ' ';
  options += "-csearch_path=";
  options += schema;
  out += "options=" + pg_detail::quoted(options);
  return out;
}

/// One libpq connection, closed when the object goes away.
class pg_connection {
 public:
  /// Connects; throws pg_test_error with libpq's message when that fails.
  explicit pg_connection(const std::string& conninfo) : conn_{PQconnectdb(conninfo.c_str())} {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      const std::string message = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      throw pg_test_error("cannot connect to the test server: " + message, "");
    }
  }
  pg_connection(pg_connection&& other) noexcept : conn_{std::exchange(other.conn_, nullptr)} {}
  pg_connection& operator=(pg_connection&& other) noexcept {
    std::swap(conn_, other.conn_);
    return *this;
  }
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;
  ~pg_connection() {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  [[nodiscard]] PGconn* get() const noexcept { return conn_; }

  /// Runs SQL text (one statement or several); throws pg_test_error, with the SQLSTATE,
  /// when the server reports an error.
  void exec(const std::string& sql) const { (void)run(sql); }

  /// The first column of the first row of a query, as text; std::nullopt for NULL or no row.
  [[nodiscard]] std::optional<std::string> scalar(const std::string& sql) const {
    const auto result = run(sql);
    if (PQntuples(result.get()) == 0 || PQnfields(result.get()) == 0 ||
        PQgetisnull(result.get(), 0, 0) != 0) {
      return std::nullopt;
    }
    return std::string{PQgetvalue(result.get(), 0, 0)};
  }

 private:
  [[nodiscard]] pg_detail::result_ptr run(const std::string& sql) const {
    pg_detail::result_ptr result{PQexec(conn_, sql.c_str())};
    const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
      throw pg_test_error(std::string{PQerrorMessage(conn_)} + "(in: " + sql + ")",
                          state != nullptr ? state : "");
    }
    return result;
  }

  PGconn* conn_;
};

/// A schema of its own for one test case: `t_<pid>_<n>`, created by the constructor and
/// dropped with everything in it (CASCADE) by the destructor. conninfo() and connect() give
/// sessions whose search_path is that schema, so unqualified names land in it.
class pg_test_schema {
 public:
  pg_test_schema()
      : admin_{pg_server_conninfo()},
        name_{"t_" + std::to_string(::getpid()) + "_" + std::to_string(next_number())},
        conninfo_{pg_conninfo_with_search_path(pg_server_conninfo(), name_)} {
    admin_.exec("CREATE SCHEMA " + name_);
  }
  pg_test_schema(const pg_test_schema&) = delete;
  pg_test_schema& operator=(const pg_test_schema&) = delete;
  ~pg_test_schema() {
    try {
      admin_.exec("DROP SCHEMA " + name_ + " CASCADE");
    } catch (const pg_test_error& e) {
      std::fprintf(stderr, "pg_test_schema: could not drop %s: %s\n", name_.c_str(), e.what());
    }
  }

  /// The schema's name, `t_<pid>_<n>`.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// The server's connection string with search_path set to this schema.
  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }
  /// A new session in this schema.
  [[nodiscard]] pg_connection connect() const { return pg_connection{conninfo_}; }

 private:
  static unsigned next_number() {
    static std::atomic<unsigned> counter{0};
    return ++counter;
  }

  pg_connection admin_;
  std::string name_;
  std::string conninfo_;
};

}  // namespace sqlproof_test
