#pragma once
// Formatting for the text and JSON renderings of migration results (migration_report.hpp):
// durations, JSON numbers, and padding that counts UTF-8 characters.

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "../config.hpp"

namespace sqlproof::detail {

SQLPROOF_DECL std::string format_ms(double ms)
#if SQLPROOF_DEFINITIONS
{
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
  return buffer;
}
#else
    ;
#endif

SQLPROOF_DECL std::string json_number(double v)
#if SQLPROOF_DEFINITIONS
{
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", v);
  return buffer;
}
#else
    ;
#endif

// Pads by characters, counting a UTF-8 sequence as one.
SQLPROOF_DECL std::string pad(std::string_view s, std::size_t width)
#if SQLPROOF_DEFINITIONS
{
  std::size_t chars = 0;
  for (const char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  std::string out(s);
  if (chars < width) out.append(width - chars, ' ');
  return out;
}
#else
    ;
#endif

}  // namespace sqlproof::detail
