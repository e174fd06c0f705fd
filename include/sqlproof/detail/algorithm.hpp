#pragma once
// The standard algorithms sqlproof uses (find_if, any_of, all_of, count_if, lower_bound,
// min, max), without the rest of <algorithm>.
//
// With libstdc++ in C++20 mode, <algorithm> also brings the std::ranges algorithms
// (<bits/ranges_algo.h>) and the parallel-algorithm glue, which sqlproof does not use: about
// a sixth of a billion compiler instructions in every translation unit that includes the
// migration headers (docs/performance.md). libstdc++ 11 and later keep the classic
// algorithms in <bits/stl_algo.h> (min and max in <bits/stl_algobase.h>, which it includes);
// that is taken instead. Every other standard library gets <algorithm>. A program that
// includes <algorithm> itself sees no difference.
#include <version>  // defines __GLIBCXX__ and _GLIBCXX_RELEASE under libstdc++
#if defined(__GLIBCXX__) && defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE >= 11 && \
    __has_include(<bits/stl_algo.h>)
#include <bits/stl_algo.h>
#else
#include <algorithm>
#endif
