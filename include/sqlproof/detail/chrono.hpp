#pragma once
// std::chrono durations, clocks and time points, as the rest of sqlproof needs them.
//
// With libstdc++ (g++, and clang++ on Linux), <chrono> brings <sstream> and with it the whole
// of iostreams and locales for chrono's formatting and parsing, which sqlproof does not use:
// about a tenth of a second of compile time in every translation unit that includes
// database.hpp (docs/performance.md). libstdc++ 11 and later keep duration, time_point, the
// clocks and the sys_time aliases in <bits/chrono.h>, which <chrono> itself includes; that is
// taken instead. Every other standard library gets <chrono>. A program that includes <chrono>
// itself sees no difference.

#include <version>  // defines __GLIBCXX__ and _GLIBCXX_RELEASE under libstdc++

#if defined(__GLIBCXX__) && defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE >= 11 && \
    __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif
