#pragma once
// What the fuzz targets share: a failed oracle prints what disagreed and aborts, so libFuzzer
// records the input as a crash and the run fails.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sqlproof_fuzz {

// Aborts with `what` and the input that produced it (shown with C escapes, up to 2000 bytes).
[[noreturn]] inline void fail(const char* what, std::string_view input = {}) {
  std::fprintf(stderr, "\n*** oracle mismatch: %s\n", what);
  if (!input.empty()) {
    std::fprintf(stderr, "*** input (%zu bytes): \"", input.size());
    std::size_t shown = 0;
    for (const char ch : input) {
      if (++shown > 2000) {
        std::fputs("...", stderr);
        break;
      }
      const auto u = static_cast<unsigned char>(ch);
      if (ch == '"' || ch == '\\') {
        std::fprintf(stderr, "\\%c", ch);
      } else if (u >= 0x20 && u < 0x7f) {
        std::fputc(ch, stderr);
      } else {
        std::fprintf(stderr, "\\x%02x", u);
      }
    }
    std::fputs("\"\n", stderr);
  }
  std::abort();
}

inline void check(bool ok, const char* what, std::string_view input = {}) {
  if (!ok) fail(what, input);
}

}  // namespace sqlproof_fuzz
