#pragma once
// Catch2 for sqlproof's tests, whichever major version is installed: v3 where found, else
// v2 (Debian 12 ships 2.13). Test files include "catch.hpp" and use the macros common to
// both (TEST_CASE, SECTION, REQUIRE, CHECK, REQUIRE_THROWS_AS, ...).
//
// tests/CMakeLists.txt defines SQLPROOF_TEST_CATCH2_MAJOR for the version it linked; the
// header check is the fallback for a test compiled some other way.

#if defined(SQLPROOF_TEST_CATCH2_MAJOR)
#if SQLPROOF_TEST_CATCH2_MAJOR >= 3
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
#elif __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
