#pragma once
/// @file
/// Version of the sqlproof headers. The only macros sqlproof defines live here; none is
/// needed in user code.

#define SQLPROOF_VERSION_MAJOR 0
#define SQLPROOF_VERSION_MINOR 1
#define SQLPROOF_VERSION_PATCH 0

/// The version as one integer, `major * 10000 + minor * 100 + patch`.
#define SQLPROOF_VERSION (SQLPROOF_VERSION_MAJOR * 10000 + SQLPROOF_VERSION_MINOR * 100 + SQLPROOF_VERSION_PATCH)

// Marks a function that builds and throws an error: compiled once, out of line and away from
// the hot code, instead of being inlined into every query's and field type's read and bind
// paths (most of the compile time and binary size of a typed query, docs/performance.md).
#if defined(__GNUC__) || defined(__clang__)
#define SQLPROOF_COLD [[gnu::cold, gnu::noinline]]
#elif defined(_MSC_VER)
#define SQLPROOF_COLD __declspec(noinline)
#else
#define SQLPROOF_COLD
#endif

// Marks a function that runs rarely (opening a connection, a statement-cache miss) and is
// kept as one out-of-line copy rather than inlined into every caller.
#if defined(__GNUC__) || defined(__clang__)
#define SQLPROOF_NOINLINE [[gnu::noinline]]
#elif defined(_MSC_VER)
#define SQLPROOF_NOINLINE __declspec(noinline)
#else
#define SQLPROOF_NOINLINE
#endif

// Marks a small function on every query's path (binding the parameters, returning a cached
// statement) that must be inlined into the query runner: measured, a call there costs about
// 25 instructions per insert, a tenth of what sqlproof adds to the C API (docs/performance.md).
#if defined(__GNUC__) || defined(__clang__)
#define SQLPROOF_ALWAYS_INLINE [[gnu::always_inline]] inline
#elif defined(_MSC_VER)
#define SQLPROOF_ALWAYS_INLINE __forceinline
#else
#define SQLPROOF_ALWAYS_INLINE inline
#endif

// Marks a row type's reader, which reads every field of a row: everything it calls is
// inlined into it (the column reads, the std::string constructors), except the cold error
// paths. Left to the compiler, whether the string constructors were inlined changed with the
// rest of the translation unit; inlined, a 100k-row scan into a vector runs 3.4% fewer
// instructions and a point select 0.7% (docs/performance.md). Used only for rows whose fields
// the library's own code reads (no user value_traits).
#if defined(__GNUC__) || defined(__clang__)
#define SQLPROOF_FLATTEN [[gnu::flatten]]
#else
#define SQLPROOF_FLATTEN
#endif

// Separate compilation (docs/separate-compilation.md). By default every file that includes a
// header compiles the library's fixed code too: opening and configuring a connection, errors,
// scripts, transactions. With SQLPROOF_SEPARATE_COMPILATION defined for every file of a
// program, the headers only declare that code, and the one file that includes
// <sqlproof/implementation.hpp> compiles it. SQLPROOF_DECL marks such a function (inline when
// header-only); SQLPROOF_DEFINITIONS says whether this file compiles its definition. A member
// function's definition follows its class; SQLPROOF_COLD_DECLARATION marks the declaration in
// the class of one defined SQLPROOF_COLD (GCC refuses noinline on a declaration before the
// inline definition), so that callers still treat a call to it as unlikely.
#if defined(SQLPROOF_SEPARATE_COMPILATION)
#define SQLPROOF_DECL
#if defined(SQLPROOF_IMPLEMENTATION_FILE)
#define SQLPROOF_DEFINITIONS 1
#else
#define SQLPROOF_DEFINITIONS 0
#endif
#else
#define SQLPROOF_DECL inline
#define SQLPROOF_DEFINITIONS 1
#endif
#if defined(__GNUC__) || defined(__clang__)
#define SQLPROOF_COLD_DECLARATION [[gnu::cold]]
#else
#define SQLPROOF_COLD_DECLARATION
#endif

namespace sqlproof {

/// The version of the headers in use, as `{major, minor, patch}`.
struct version_info {
  int major;
  int minor;
  int patch;
};

/// The version of the sqlproof headers this translation unit was compiled with.
inline constexpr version_info version{SQLPROOF_VERSION_MAJOR, SQLPROOF_VERSION_MINOR,
                                      SQLPROOF_VERSION_PATCH};

}  // namespace sqlproof
