// W1-W4 of sqlproof_workloads.cpp with the umbrella header that the README tells users to
// include, for scripts/compile_cost.sh: what everything else in the umbrella (migrations, the
// CLI, maintenance, health, reports) costs a file that does not use it.
#include <sqlproof/sqlproof.hpp>

#include "sqlproof_workloads.cpp"
