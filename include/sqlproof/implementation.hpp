#pragma once
/// @file
/// The library's fixed code, compiled once: include this header in exactly one `.cpp` file of
/// a program whose files are all compiled with `SQLPROOF_SEPARATE_COMPILATION` defined
/// (docs/separate-compilation.md). The other files then only declare that code: opening and
/// configuring a connection, errors, scripts, transactions and the statement cache.
///
/// @code
/// // sqlproof.cpp, the program's one implementation file
/// #include <sqlproof/implementation.hpp>
/// @endcode

#if !defined(SQLPROOF_SEPARATE_COMPILATION)
#error "sqlproof: <sqlproof/implementation.hpp> is for separate compilation: define SQLPROOF_SEPARATE_COMPILATION for every file of the program (e.g. target_compile_definitions(app PRIVATE SQLPROOF_SEPARATE_COMPILATION)), or leave this file out to use sqlproof header-only"
#endif
#if defined(SQLPROOF_VERSION)
#error "sqlproof: <sqlproof/implementation.hpp> must be the first sqlproof header in its file: a header included before it has compiled only the declarations; move this include above the others (the file needs no other sqlproof include)"
#endif

#define SQLPROOF_IMPLEMENTATION_FILE
#include "sqlproof.hpp"
