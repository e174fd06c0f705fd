// main() for Catch2 v2. Catch2 v3 ships its main in Catch2::Catch2WithMain, which
// tests/CMakeLists.txt links instead (and then does not compile this file); should it be
// compiled against v3 anyway, it defines nothing.

#if defined(SQLPROOF_TEST_CATCH2_MAJOR)
#define SQLPROOF_TEST_CATCH2_V3 (SQLPROOF_TEST_CATCH2_MAJOR >= 3)
#elif __has_include(<catch2/catch_all.hpp>)
#define SQLPROOF_TEST_CATCH2_V3 1
#else
#define SQLPROOF_TEST_CATCH2_V3 0
#endif

#if !SQLPROOF_TEST_CATCH2_V3
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
