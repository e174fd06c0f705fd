// A sqlproof header included before <sqlproof/implementation.hpp> has compiled only the
// declarations of the fixed code (#pragma once keeps it from being read again), so the
// implementation file would define nothing of it: refused, with the fix.
// expect: sqlproof: <sqlproof/implementation.hpp> must be the first sqlproof header in its file
#define SQLPROOF_SEPARATE_COMPILATION
#ifdef SQLPROOF_COMPILE_FAIL_FIXED
#include <sqlproof/implementation.hpp>
#include <sqlproof/database.hpp>
#else
#include <sqlproof/database.hpp>
#include <sqlproof/implementation.hpp>
#endif
