#pragma once
// A string as a JSON string literal (RFC 8259 §7): for lists bound as JSON on SQLite and for
// the JSON renderings of migration results. Neutral, so neither needs the other's headers.

#include <cstdint>
#include <string>
#include <string_view>

#include "../config.hpp"

#if SQLPROOF_DEFINITIONS
#include <charconv>  // only where the numbers are written: it costs every file that reads it
#endif

namespace sqlproof::detail {

SQLPROOF_DECL void append_json_string(std::string& out, std::string_view s)
#if SQLPROOF_DEFINITIONS
{
  out += '"';
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}
#else
    ;
#endif

// A number as JSON writes it, in the shortest form that reads back as the same value: for
// double, std::int64_t and std::uint64_t, which with separate compilation the implementation
// file instantiates (the other files only declare the template).
template <class Number>
void append_json_number(std::string& out, Number v)
#if SQLPROOF_DEFINITIONS
{
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
#else
    ;
#endif

#if defined(SQLPROOF_SEPARATE_COMPILATION) && SQLPROOF_DEFINITIONS
template void append_json_number(std::string& out, double v);
template void append_json_number(std::string& out, std::int64_t v);
template void append_json_number(std::string& out, std::uint64_t v);
#endif

}  // namespace sqlproof::detail
