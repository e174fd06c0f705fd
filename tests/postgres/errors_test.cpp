// PostgreSQL's errors as sqlproof's error classes, against a real server: the SQLSTATE picks
// the class and the server's fields travel with it (constraint, table, DETAIL, HINT,
// position); serialization failures and lock timeouts are busy_errors that retry_policy
// retries; a failed transaction, savepoints, and what a connection error shows.

#include <sqlproof/postgres.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/pg_test_server.hpp"

namespace sp = sqlproof;
namespace pg = sqlproof::pg;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view schema_sql =
    "CREATE TABLE accounts (id int8 PRIMARY KEY, email text CONSTRAINT accounts_email_key UNIQUE, "
    "                       balance int8 NOT NULL CHECK (balance >= 0))";

using add_account = pg::query<"INSERT INTO accounts (id, email, balance) VALUES ($1, $2, $3)",
                              void(std::int64_t, std::optional<std::string>, std::int64_t)>;
using balance_of = pg::query<"SELECT balance FROM accounts WHERE id = $1", std::int64_t(std::int64_t)>;
using add_to_balance = pg::query<"UPDATE accounts SET balance = balance + $2 WHERE id = $1",
                                 void(std::int64_t, std::int64_t)>;
using count_accounts = pg::query<"SELECT count(*) FROM accounts", std::int64_t()>;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

constexpr pg::tx_options serializable{.level = pg::isolation::serializable};

}  // namespace

TEST_CASE("pg errors: a unique violation is a constraint_error with the server's fields") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  db.exec_script(schema_sql);
  db.exec<add_account>(1, std::string("ann@example.org"), 10);
  try {
    db.exec<add_account>(2, std::string("ann@example.org"), 20);
    FAIL("a duplicate email was accepted");
  } catch (const sp::constraint_error& e) {
    CHECK(e.sqlstate() == "23505");
    CHECK(e.constraint_name() == "accounts_email_key");
    CHECK(e.table_name() == "accounts");
    CHECK(e.detail() == "Key (email)=(ann@example.org) already exists.");
    CHECK(contains(e.what(), "[SQLSTATE 23505]"));
    CHECK(contains(e.database_message(), "duplicate key value violates unique constraint"));
    CHECK(contains(e.sql(), "INSERT INTO accounts"));
    CHECK(e.extended_code() == 0);
  }
  // A CHECK constraint and NOT NULL are constraint_errors too.
  try {
    db.exec<add_account>(3, std::nullopt, -1);
    FAIL("a negative balance was accepted");
  } catch (const sp::constraint_error& e) {
    CHECK(e.sqlstate() == "23514");
    CHECK(e.constraint_name() == "accounts_balance_check");
  }
  CHECK(db.one<count_accounts>() == 1);
}

TEST_CASE("pg errors: a serialization failure is a busy_error, and on_busy retries it") {
  sqlproof_test::pg_test_schema schema;
  pg::database a{schema.conninfo()};
  pg::database b{schema.conninfo()};
  a.exec_script(schema_sql);
  a.exec<add_account>(1, std::nullopt, 100);

  // Interleaved in one thread: b reads (taking its snapshot), a updates the row and commits,
  // then b updates the same row: SQLSTATE 40001.
  const auto conflict = [&] {
    CHECK(b.one<balance_of>(1).has_value());
    {
      auto tx = a.begin(serializable);
      a.exec<add_to_balance>(1, 1);
      tx.commit();
    }
    b.exec<add_to_balance>(1, 10);
  };

  SECTION("without retry the error reaches the caller and the transaction is rolled back") {
    try {
      b.transaction(conflict, serializable);
      FAIL("the concurrent update was not detected");
    } catch (const sp::busy_error& e) {
      CHECK(e.sqlstate() == "40001");
      CHECK(contains(e.what(), "could not serialize access"));
    }
    CHECK(!b.in_transaction());
    CHECK(b.one<balance_of>(1) == 101);
  }

  SECTION("retry_policy::on_busy runs the transaction again until it commits") {
    int attempts = 0;
    b.transaction(
        [&] {
          ++attempts;
          if (attempts == 1) {
            conflict();
          } else {
            b.exec<add_to_balance>(1, 10);
          }
        },
        serializable, sp::retry_policy::on_busy(5));
    CHECK(attempts == 2);
    CHECK(b.one<balance_of>(1) == 111);
    CHECK(!b.in_transaction());
  }

  SECTION("a conflict on every attempt gives up after max_attempts") {
    int attempts = 0;
    CHECK_THROWS_AS(b.transaction(
                        [&] {
                          ++attempts;
                          conflict();
                        },
                        serializable, sp::retry_policy::on_busy(3)),
                    sp::busy_error);
    CHECK(attempts == 3);
    CHECK(a.one<balance_of>(1) == 103);
  }
}

TEST_CASE("pg errors: a statement after a failed one in a transaction is a misuse_error (25P02)") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  db.exec_script(schema_sql);
  db.exec<add_account>(1, std::nullopt, 10);

  bool reached = false;
  CHECK_THROWS_AS(db.transaction([&] {
                    db.exec<add_account>(2, std::nullopt, 20);
                    CHECK_THROWS_AS(db.exec<add_account>(1, std::nullopt, 30), sp::constraint_error);
                    reached = true;
                    try {
                      (void)db.one<balance_of>(1);
                      FAIL("a statement ran in a failed transaction");
                    } catch (const sp::misuse_error& e) {
                      CHECK(e.sqlstate() == "25P02");
                      CHECK(contains(e.hint(), "roll it back"));
                      CHECK(contains(e.hint(), "savepoint"));
                      CHECK(contains(e.what(), "hint:"));
                      throw;
                    }
                  }),
                  sp::misuse_error);
  CHECK(reached);
  // The whole transaction was rolled back, and the connection works.
  CHECK(!db.in_transaction());
  CHECK(db.one<count_accounts>() == 1);
}

TEST_CASE("pg errors: committing a transaction whose statement failed is an error, not a rollback") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  db.exec_script(schema_sql);
  db.exec<add_account>(1, std::nullopt, 10);

  // The failure is caught inside, so the callable returns normally. PostgreSQL answers
  // COMMIT of a failed transaction with ROLLBACK and no error; sqlproof must not report
  // that as committed.
  try {
    db.transaction([&] {
      db.exec<add_account>(2, std::nullopt, 20);
      try {
        db.exec<add_account>(1, std::nullopt, 30);
      } catch (const sp::constraint_error&) {
      }
    });
    FAIL("the failed transaction was reported as committed");
  } catch (const sp::misuse_error& e) {
    CHECK(e.sqlstate() == "25P02");
    CHECK(contains(e.hint(), "savepoint"));
  }
  CHECK(!db.in_transaction());
  CHECK(db.one<count_accounts>() == 1);

  // The same with begin() and commit().
  {
    auto tx = db.begin();
    db.exec<add_account>(3, std::nullopt, 30);
    CHECK_THROWS_AS(db.exec<add_account>(3, std::nullopt, 30), sp::constraint_error);
    CHECK_THROWS_AS(tx.commit(), sp::misuse_error);
    CHECK(tx.active());  // the destructor rolls it back
  }
  CHECK(!db.in_transaction());
  CHECK(db.one<count_accounts>() == 1);
}

TEST_CASE("pg errors: a failed nested transaction (a savepoint) leaves the outer one usable") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  db.exec_script(schema_sql);
  db.exec<add_account>(1, std::nullopt, 10);

  db.transaction([&] {
    db.exec<add_account>(2, std::nullopt, 20);
    CHECK_THROWS_AS(db.transaction([&] {
                      db.exec<add_account>(3, std::nullopt, 30);
                      db.exec<add_account>(1, std::nullopt, 40);  // duplicate key
                    }),
                    sp::constraint_error);
    CHECK(db.in_transaction());
    // After ROLLBACK TO the savepoint, the outer transaction goes on.
    db.exec<add_account>(4, std::nullopt, 50);
    CHECK(db.one<count_accounts>() == 3);
  });
  CHECK(!db.in_transaction());
  CHECK(db.one<count_accounts>() == 3);
  CHECK(db.one<balance_of>(3) == std::nullopt);
  CHECK(db.one<balance_of>(4) == 50);
}

TEST_CASE("pg errors: lock_timeout and statement_timeout are busy_errors") {
  sqlproof_test::pg_test_schema schema;
  pg::database holder{schema.conninfo()};
  holder.exec_script(schema_sql);
  holder.exec<add_account>(1, std::nullopt, 10);

  SECTION("lock_timeout: 55P03") {
    pg::database waiter{schema.conninfo(), pg::options{.lock_timeout = 100ms}};
    auto tx = holder.begin();
    holder.exec<add_to_balance>(1, 1);  // holds the row lock
    const auto started = std::chrono::steady_clock::now();
    try {
      waiter.exec<add_to_balance>(1, 2);
      FAIL("the row lock was not waited for");
    } catch (const sp::busy_error& e) {
      CHECK(e.sqlstate() == "55P03");
      CHECK(contains(e.what(), "lock timeout"));
    }
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    tx.rollback();
    // Once the lock is free the same statement runs.
    CHECK(waiter.exec<add_to_balance>(1, 2).changes == 1);
    CHECK(waiter.one<balance_of>(1) == 12);
  }

  SECTION("statement_timeout: 57014") {
    pg::database slow{schema.conninfo(), pg::options{.statement_timeout = 50ms}};
    using sleep = pg::query<"SELECT pg_sleep($1)::text", std::string(double)>;
    try {
      (void)slow.one<sleep>(5.0);
      FAIL("the statement was not cancelled");
    } catch (const sp::busy_error& e) {
      CHECK(e.sqlstate() == "57014");
    }
    CHECK(slow.one<sleep>(0.0) == "");
  }
}

TEST_CASE("pg errors: an error at prepare is a schema_error with the position") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  db.exec_script(schema_sql);

  SECTION("a syntax error in a typed query") {
    using bad = pg::query<"SELECT id FROM accounts WHERE id = $1 LIMT 1", std::int64_t(std::int64_t)>;
    try {
      (void)db.one<bad>(1);
      FAIL("the syntax error was not reported");
    } catch (const sp::schema_error& e) {
      CHECK(e.sqlstate() == "42601");
      CHECK(e.position() == 39);  // LIMT
      CHECK(e.sql().substr(static_cast<std::size_t>(e.position() - 1), 4) == "LIMT");
      CHECK(contains(e.query_name(), "query<"));
      CHECK(contains(e.sql(), "LIMT"));
    }
    CHECK(db.cache().stats().typed == 0);
  }

  SECTION("an unknown column") {
    using unknown = pg::query<"SELECT nosuch FROM accounts", std::int64_t()>;
    try {
      (void)db.one<unknown>();
      FAIL("the unknown column was not reported");
    } catch (const sp::schema_error& e) {
      CHECK(e.sqlstate() == "42703");
      CHECK(e.position() == 8);
    }
  }

  SECTION("dynamic SQL") {
    try {
      (void)db.prepare("SELEC 1");
      FAIL("the syntax error was not reported");
    } catch (const sp::schema_error& e) {
      CHECK(e.sqlstate() == "42601");
      CHECK(e.position() == 1);
    }
  }
  // Whatever failed was not left behind: the connection runs the next statement.
  CHECK(db.one<count_accounts>() == 0);
}

TEST_CASE("pg errors: a connection that fails is an open_error that does not show the password") {
  const std::string server = sqlproof_test::pg_server_conninfo();
  const std::vector<std::string> conninfos{
      server + " dbname=sqlproof_no_such_db password=s3cretpw",
      server + " dbname=sqlproof_no_such_db password = 's3cret pw'",
      "postgresql://postgres:s3cretpw@localhost:1/sqlproof_no_such_db",
      "host=/nonexistent/dir port=1 password=s3cretpw connect_timeout=2",
  };
  for (const std::string& conninfo : conninfos) {
    CAPTURE(conninfo);
    try {
      pg::database db{conninfo};
      FAIL("the connection succeeded");
    } catch (const sp::open_error& e) {
      CHECK(!contains(e.what(), "s3cret"));
      CHECK(!contains(e.what(), " pw"));
      CHECK(contains(e.what(), "cannot connect to PostgreSQL"));
      CHECK(!e.database_message().empty());
    }
  }
}

TEST_CASE("pg errors: notices from the server are not printed to stderr") {
  sqlproof_test::pg_test_schema schema;
  pg::database db{schema.conninfo()};
  // stderr goes to a file while the server sends a NOTICE (DROP ... CASCADE) and a WARNING.
  char path[] = "/tmp/sqlproof_pg_notices_XXXXXX";
  const int file = ::mkstemp(path);
  REQUIRE(file >= 0);
  std::fflush(stderr);
  const int saved = ::dup(2);
  ::dup2(file, 2);
  db.exec_script(
      "CREATE TABLE t (id int); CREATE VIEW v AS SELECT * FROM t; DROP TABLE t CASCADE; "
      "DO $$ BEGIN RAISE WARNING 'a warning'; END $$");
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  const off_t written = ::lseek(file, 0, SEEK_END);
  ::close(file);
  ::unlink(path);
  CHECK(written == 0);
}
