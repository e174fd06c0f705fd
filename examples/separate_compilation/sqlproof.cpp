// The program's one implementation file: the library's fixed code, compiled once
// (docs/separate-compilation.md). Compiled with SQLPROOF_SEPARATE_COMPILATION like the rest.
#include <sqlproof/implementation.hpp>
