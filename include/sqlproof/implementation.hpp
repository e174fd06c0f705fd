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
///
/// Without `SQLPROOF_SEPARATE_COMPILATION` the program is header-only and this file adds
/// nothing: it includes the headers like any other file.

#if defined(SQLPROOF_SEPARATE_COMPILATION)
#if defined(SQLPROOF_VERSION)
#error \
    "sqlproof: <sqlproof/implementation.hpp> must be the first sqlproof header in its file: a header included before it has compiled only the declarations; move this include above the others (the file needs no other sqlproof include)"
#endif
#define SQLPROOF_IMPLEMENTATION_FILE
#endif

#include "sqlproof.hpp"
