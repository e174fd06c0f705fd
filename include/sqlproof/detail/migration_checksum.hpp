#pragma once
// The canonical encoding that migration checksums hash. Kept apart from the runner so the
// encoding reads in one place; docs/migrations.md describes the same bytes.
//
//   "up" | "down"  NUL  [ dialect  NUL ]  version in decimal  NUL  name  NUL  { statement  NUL }
//
// The dialect part is there only for a text written for one dialect other than SQLite's
// (`up_for<dialect::postgres>`: "postgres"), so the checksums of SQLite texts, and of
// `portable` ones, are the bytes they always were.
//
// where each statement has a leading UTF-8 byte-order mark removed and every CR LF pair
// replaced by LF, so a file saved on Windows and the same file saved on Linux agree.
//
// Everything here is constexpr so a test can pin a checksum with static_assert, but the
// runner calls it at run time: hashing 50 migrations of 2 KB in constant expressions would
// cost g++ tens of seconds (see scripts/measure_migration_compile.sh).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sha256.hpp"

namespace sqlproof::detail {

inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// Feeds `text` to `h` in canonical form without copying it: only the CR of each CR LF pair
// is skipped, so the hasher sees runs of the original text.
constexpr void update_canonical(sha256& h, std::string_view text) noexcept {
  if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
  std::size_t start = 0;
  for (std::size_t cr = text.find("\r\n"); cr != std::string_view::npos;
       cr = text.find("\r\n", cr + 2)) {
    h.update(text.substr(start, cr - start));
    start = cr + 1;  // keep the LF
  }
  h.update(text.substr(start));
}

constexpr void update_decimal(sha256& h, std::int64_t value) noexcept {
  char digits[24]{};
  std::size_t n = 0;
  const bool negative = value < 0;
  auto v = negative ? static_cast<std::uint64_t>(-(value + 1)) + 1 : static_cast<std::uint64_t>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative) digits[n++] = '-';
  char text[24]{};
  for (std::size_t i = 0; i != n; ++i) text[i] = digits[n - 1 - i];
  h.update(std::string_view(text, n));
}

// A checksum as stored in the history table: "sha256:" and 64 hex digits.
struct checksum_chars {
  char data[72]{};
};

constexpr checksum_chars tagged_checksum(std::string_view kind, std::string_view dialect_name,
                                         std::int64_t version, std::string_view name,
                                         std::span<const std::string_view> statements) noexcept {
  constexpr std::string_view nul("\0", 1);
  sha256 h;
  h.update(kind).update(nul);
  if (!dialect_name.empty()) h.update(dialect_name).update(nul);
  update_decimal(h, version);
  h.update(nul).update(name).update(nul);
  for (const std::string_view s : statements) {
    update_canonical(h, s);
    h.update(nul);
  }
  const sha256_hex hex = to_hex(h.finish());
  checksum_chars out{};
  constexpr std::string_view tag = "sha256:";
  for (std::size_t i = 0; i != tag.size(); ++i) out.data[i] = tag[i];
  for (std::size_t i = 0; i != 64; ++i) out.data[tag.size() + i] = hex.data[i];
  return out;
}

// The checksum of a SQLite (or portable) text.
constexpr checksum_chars tagged_checksum(std::string_view kind, std::int64_t version,
                                         std::string_view name,
                                         std::span<const std::string_view> statements) noexcept {
  return tagged_checksum(kind, {}, version, name, statements);
}

}  // namespace sqlproof::detail
