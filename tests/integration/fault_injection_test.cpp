// Every I/O call of two workloads fails in turn, through a VFS that wraps the default one
// (tests/support/fault_vfs.hpp): (a) a run of three migrations, the last a table rebuild with
// foreign_keys off, and (b) a transaction with nested savepoints. After each failure the
// database, reopened with the real VFS, must pass integrity_check and hold exactly the before
// or the after state (for migrations: the state after any number of whole migrations, with a
// history that verifies and a migrate() that then completes). Rollback journal and WAL.
// The counts of failure points are printed.

#include <cstdio>
#include <string>

#include "../catch.hpp"
#include "support/fault_scenarios.hpp"

namespace st = sqlproof_test;
using fault = st::fault_vfs::fault;
using call = st::fault_vfs::call;

namespace {

void exercise(const st::scenario& s, st::journal j) {
  st::fault_loop loop{s, j};
  const st::loop_result io = loop.run(fault::io_error);
  st::print("I/O error", s, j, io);
  for (const auto& problem : io.inconsistent) {
    std::fprintf(stderr, "inconsistent: %s\n", problem.c_str());
    FAIL_CHECK(problem);
  }
  CHECK(io.points == io.total_calls);
  CHECK(io.points > 100);
  CHECK(io.before > 0);

  // SQLITE_FULL at every write.
  const st::loop_result full = loop.run(fault::disk_full, st::fault_vfs::bit(call::write));
  st::print("disk full", s, j, full);
  for (const auto& problem : full.inconsistent) {
    std::fprintf(stderr, "inconsistent: %s\n", problem.c_str());
    FAIL_CHECK(problem);
  }
  CHECK(full.points == full.total_calls);
  CHECK(full.points > 10);
}

}  // namespace

TEST_CASE("a migration run survives an I/O failure at every call", "[fault]") {
  SECTION("rollback journal") { exercise(st::migration_scenario(), st::journal::rollback); }
  SECTION("WAL") { exercise(st::migration_scenario(), st::journal::wal); }
}

TEST_CASE("a nested transaction survives an I/O failure at every call", "[fault]") {
  SECTION("rollback journal") { exercise(st::transaction_scenario(), st::journal::rollback); }
  SECTION("WAL") { exercise(st::transaction_scenario(), st::journal::wal); }
}
