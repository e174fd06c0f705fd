// <sqlproof/implementation.hpp> compiles the library's fixed code for a program built with
// separate compilation; included without SQLPROOF_SEPARATE_COMPILATION it would define the
// functions every header-only file defines too, so it says what to do instead.
// expect: sqlproof: <sqlproof/implementation.hpp> is for separate compilation: define SQLPROOF_SEPARATE_COMPILATION
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
#define SQLPROOF_SEPARATE_COMPILATION
#endif
#include <sqlproof/implementation.hpp>
