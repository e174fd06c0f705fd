// The implementation file of sqlproof_unit_tests_separate: the unit tests of the code that
// SQLPROOF_SEPARATE_COMPILATION moves out of the headers, built in that mode
// (tests/CMakeLists.txt).
#include <sqlproof/implementation.hpp>
