// The implementation file of a program built with SQLPROOF_SEPARATE_COMPILATION
// (scripts/compile_cost.sh): the library's fixed code, compiled once for the whole program.
#include <sqlproof/implementation.hpp>
