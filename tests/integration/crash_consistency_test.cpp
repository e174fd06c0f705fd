// Power loss at every I/O call of two workloads (see fault_injection_test.cpp for them): the
// fault VFS holds writes of the database, journal and WAL in memory until their file is
// synced, and at call N drops what was not synced (a torn crash: lets a pseudo-random part of
// it reach the disk) and fails everything after. The file,
// reopened with the real VFS, must pass integrity_check and hold exactly the before or the
// after state (for migrations: after any number of whole migrations). Rollback journal with
// synchronous=FULL and WAL with synchronous=NORMAL. The counts of crash points are printed.

#include <cstdio>
#include <string>

#include "../catch.hpp"
#include "support/fault_scenarios.hpp"

namespace st = sqlproof_test;
using fault = st::fault_vfs::fault;

namespace {

void exercise(const st::scenario& s, st::journal j) {
  st::fault_loop loop{s, j};
  for (const fault f : {fault::crash, fault::torn_crash}) {
    const st::loop_result r = loop.run(f);
    st::print(f == fault::crash ? "crash" : "torn crash", s, j, r);
    for (const auto& problem : r.inconsistent) {
      std::fprintf(stderr, "inconsistent: %s\n", problem.c_str());
      FAIL_CHECK(problem);
    }
    CHECK(r.points == r.total_calls);
    CHECK(r.points > 100);
    CHECK(r.before > 0);
  }
}

}  // namespace

TEST_CASE("a migration run is all or nothing per migration after a crash at every call",
          "[crash]") {
  SECTION("rollback journal") { exercise(st::migration_scenario(), st::journal::rollback); }
  SECTION("WAL") { exercise(st::migration_scenario(), st::journal::wal); }
}

TEST_CASE("a nested transaction is all or nothing after a crash at every call", "[crash]") {
  SECTION("rollback journal") { exercise(st::transaction_scenario(), st::journal::rollback); }
  SECTION("WAL") { exercise(st::transaction_scenario(), st::journal::wal); }
}
