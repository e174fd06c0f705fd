#pragma once
// PostgreSQL's binary numeric format, to and from decimal text.
//
// numeric_send / numeric_recv (src/backend/utils/adt/numeric.c) write, big-endian:
//   int16 ndigits, int16 weight, uint16 sign, int16 dscale, then ndigits int16 digits,
// each digit in base 10000 (NBASE), the first one worth 10000^weight. Leading and trailing
// zero digits are stripped (strip_var), zero has no digits, and dscale is the number of
// decimal digits shown after the point. The sign word is 0x0000 positive, 0x4000 negative,
// 0xC000 NaN and, since PostgreSQL 14, 0xD000 +Infinity and 0xF000 -Infinity.
// 12345.6789 is ndigits 3, weight 1, sign 0, dscale 4, digits 1 2345 6789.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire.hpp"

namespace sqlproof::pg::detail {

inline constexpr std::uint16_t numeric_pos = 0x0000;
inline constexpr std::uint16_t numeric_neg = 0x4000;
inline constexpr std::uint16_t numeric_nan = 0xC000;
inline constexpr std::uint16_t numeric_pinf = 0xD000;
inline constexpr std::uint16_t numeric_ninf = 0xF000;
// dscale is 14 bits (NUMERIC_DSCALE_MASK); numeric_recv refuses anything wider.
inline constexpr int numeric_dscale_max = 0x3FFF;

// Decimal text taken apart: the digits before and after the point (one string "all" of
// int_digits then frac_digits), where the point falls in it after the exponent, and the
// resulting base-10000 shape.
struct numeric_layout {
  bool ok = false;
  std::uint16_t sign = numeric_pos;
  int ndigits = 0;
  int weight = 0;
  int dscale = 0;
  std::string_view int_digits;
  std::string_view frac_digits;
  long long point = 0;  // the decimal point sits before "all"[point]
  long long first = 0;  // the first and last nonzero digit of "all"
  long long last = 0;

  [[nodiscard]] std::size_t encoded_size() const noexcept {
    return 8 + 2 * static_cast<std::size_t>(ndigits);
  }
  [[nodiscard]] int digit(long long k) const noexcept {
    const auto n = static_cast<long long>(int_digits.size());
    const char c = k < n ? int_digits[static_cast<std::size_t>(k)]
                         : frac_digits[static_cast<std::size_t>(k - n)];
    return c - '0';
  }
};

constexpr bool iequals_ascii(std::string_view a, std::string_view lower) noexcept {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

constexpr long long floor_div4(long long e) noexcept { return e >= 0 ? e / 4 : -((-e + 3) / 4); }

// Accepts what numeric_in accepts apart from surrounding spaces, underscores and
// non-decimal integers (PostgreSQL 16): [+-]digits[.digits][e[+-]digits], NaN, [+-]Infinity
// and [+-]inf, the words in any case.
inline numeric_layout parse_numeric(std::string_view s) noexcept {
  numeric_layout out;
  bool negative = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (iequals_ascii(s, "nan")) {
    out.ok = true;
    out.sign = numeric_nan;
    return out;
  }
  if (iequals_ascii(body, "infinity") || iequals_ascii(body, "inf")) {
    out.ok = true;
    out.sign = negative ? numeric_ninf : numeric_pinf;
    return out;
  }
  std::size_t i = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i;
  out.int_digits = body.substr(0, i);
  if (i < body.size() && body[i] == '.') {
    const std::size_t start = ++i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i;
    out.frac_digits = body.substr(start, i - start);
  }
  if (out.int_digits.empty() && out.frac_digits.empty()) return out;
  long long exponent = 0;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) exp_negative = body[i++] == '-';
    const std::size_t start = i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') {
      exponent = exponent * 10 + (body[i] - '0');
      if (exponent > 1'000'000) return out;  // far beyond numeric's range
      ++i;
    }
    if (i == start) return out;
    if (exp_negative) exponent = -exponent;
  }
  if (i != body.size()) return out;

  const auto total = static_cast<long long>(out.int_digits.size() + out.frac_digits.size());
  out.point = static_cast<long long>(out.int_digits.size()) + exponent;
  const long long dscale = total - out.point > 0 ? total - out.point : 0;
  if (dscale > numeric_dscale_max) return out;
  out.dscale = static_cast<int>(dscale);
  out.first = -1;
  for (long long k = 0; k < total; ++k) {
    if (out.digit(k) != 0) {
      if (out.first < 0) out.first = k;
      out.last = k;
    }
  }
  if (out.first < 0) {  // zero: no digits, weight 0, positive (strip_var)
    out.ok = true;
    return out;
  }
  // Digit k is worth 10^(point - 1 - k); it falls in base-10000 digit floor(that / 4).
  const long long weight = floor_div4(out.point - 1 - out.first);
  const long long lowest = floor_div4(out.point - 1 - out.last);
  if (weight > INT16_MAX || lowest < INT16_MIN || weight - lowest + 1 > INT16_MAX) return out;
  out.weight = static_cast<int>(weight);
  out.ndigits = static_cast<int>(weight - lowest + 1);
  out.sign = negative ? numeric_neg : numeric_pos;
  out.ok = true;
  return out;
}

// Writes the layout's encoded_size() bytes.
inline void write_numeric(char* out, const numeric_layout& n) noexcept {
  store_u16(out, static_cast<std::uint16_t>(n.ndigits));
  store_u16(out + 2, static_cast<std::uint16_t>(static_cast<std::int16_t>(n.weight)));
  store_u16(out + 4, n.sign);
  store_u16(out + 6, static_cast<std::uint16_t>(n.dscale));
  if (n.ndigits == 0) return;
  char* digits = out + 8;
  for (int g = 0; g < n.ndigits; ++g) store_u16(digits + 2 * g, 0);
  constexpr int scale[] = {1, 10, 100, 1000};
  for (long long k = n.first; k <= n.last; ++k) {
    const long long e = n.point - 1 - k;
    const long long group = floor_div4(e);
    const auto index = static_cast<int>(n.weight - group);
    char* at = digits + 2 * index;
    store_u16(at, static_cast<std::uint16_t>(load_u16(at) + n.digit(k) * scale[e - 4 * group]));
  }
}

// Decimal text in PostgreSQL's own output form (get_str_from_var): dscale digits after the
// point, no exponent. False when the bytes do not follow the format.
inline bool numeric_to_text(const char* p, int length, std::string& out) {
  if (length < 8) return false;
  const int ndigits = static_cast<std::int16_t>(load_u16(p));
  const int weight = static_cast<std::int16_t>(load_u16(p + 2));
  const std::uint16_t sign = load_u16(p + 4);
  const int dscale = load_u16(p + 6);
  if (ndigits < 0 || length != 8 + 2 * ndigits) return false;
  // The special values carry no digits; their dscale word is not meaningful (PostgreSQL 15
  // sends 32 for -Infinity), so it is not checked.
  if (sign == numeric_nan || sign == numeric_pinf || sign == numeric_ninf) {
    if (ndigits != 0) return false;
    out = sign == numeric_nan ? "NaN" : sign == numeric_pinf ? "Infinity" : "-Infinity";
    return true;
  }
  if ((sign != numeric_pos && sign != numeric_neg) || dscale > numeric_dscale_max) return false;
  const char* digits = p + 8;
  auto digit = [&](long long index) -> int {
    return index >= 0 && index < ndigits ? load_u16(digits + 2 * index) : 0;
  };
  for (int g = 0; g < ndigits; ++g) {
    if (digit(g) >= 10000) return false;
  }
  out.clear();
  out.reserve(static_cast<std::size_t>(3 + (weight > 0 ? 4 * (weight + 1) : 1) + dscale));
  if (sign == numeric_neg) out += '-';
  if (weight < 0) {
    out += '0';
  } else {
    char buf[4];
    for (int g = 0; g <= weight; ++g) {
      int d = digit(g);
      for (int k = 3; k >= 0; --k) {
        buf[k] = static_cast<char>('0' + d % 10);
        d /= 10;
      }
      if (g == 0) {  // the first digit without its leading zeros
        int skip = 0;
        while (skip < 3 && buf[skip] == '0') ++skip;
        out.append(buf + skip, static_cast<std::size_t>(4 - skip));
      } else {
        out.append(buf, 4);
      }
    }
  }
  if (dscale > 0) {
    out += '.';
    constexpr int divisor[] = {1000, 100, 10, 1};
    for (int i = 0; i < dscale; ++i) {
      // Fraction digit i + 1 is in base-10000 digit weight + 1 + i / 4.
      const int d = digit(static_cast<long long>(weight) + 1 + i / 4);
      out += static_cast<char>('0' + (d / divisor[i % 4]) % 10);
    }
  }
  return true;
}

}  // namespace sqlproof::pg::detail
