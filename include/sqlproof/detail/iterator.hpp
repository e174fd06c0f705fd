#pragma once
// The iterator vocabulary that row ranges need: std::input_iterator_tag and
// std::default_sentinel_t.
//
// With libstdc++, <iterator> also brings the stream iterators and with them <streambuf>,
// <ios_base> and locales, which sqlproof does not use. libstdc++ 11 and later declare the
// tags in <bits/stl_iterator_base_types.h> and default_sentinel_t in
// <bits/iterator_concepts.h> (both of which <string> includes too); those are taken instead.
// Every other standard library gets <iterator>. A program that includes <iterator> itself
// sees no difference.
#include <version>  // defines __GLIBCXX__ and _GLIBCXX_RELEASE under libstdc++
#if defined(__GLIBCXX__) && defined(_GLIBCXX_RELEASE) && _GLIBCXX_RELEASE >= 11 && \
    __has_include(<bits/iterator_concepts.h>) && __has_include(<bits/stl_iterator_base_types.h>)
#include <bits/stl_iterator_base_types.h>
#include <bits/iterator_concepts.h>
#else
#include <iterator>
#endif
