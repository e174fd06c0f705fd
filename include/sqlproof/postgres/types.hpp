#pragma once
/// @file
/// Value types for PostgreSQL columns that have no standard C++ counterpart: `pg::uuid`,
/// `pg::json` (jsonb) and `pg::numeric` (exact decimals as text).
///
/// Each also maps on SQLite through `value_traits` (a uuid as a 16-byte BLOB, json and
/// numeric as TEXT), so a row type that uses them works on both backends. This header needs
/// neither libpq nor SQLite.
/// @code
/// struct event {
///   sqlproof::pg::uuid id;
///   sqlproof::pg::json payload;     // jsonb
///   sqlproof::pg::numeric amount;   // numeric(12, 2), e.g. "1234.50"
/// };
/// @endcode

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../error.hpp"

namespace sqlproof {

// The customisation point of value.hpp, declared here so that these types can specialise it
// without including value.hpp (which includes <sqlite3.h>). value.hpp defines it.
template <class T>
struct value_traits;

namespace pg {

/// A UUID as its 16 bytes in network order, as PostgreSQL's `uuid` type stores and sends it.
///
/// Compares and orders bytewise, which is the order PostgreSQL sorts `uuid` values in.
/// @code
/// auto id = sqlproof::pg::uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
/// std::string text = id->to_string();   // the same, lowercase
/// @endcode
struct uuid {
  std::array<std::uint8_t, 16> bytes{};

  /// Parses the canonical form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either
  /// case); `std::nullopt` for anything else.
  [[nodiscard]] static constexpr std::optional<uuid> parse(std::string_view text) noexcept {
    if (text.size() != 36) return std::nullopt;
    uuid out;
    std::size_t k = 0;
    for (std::size_t i = 0; i < 36;) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (text[i] != '-') return std::nullopt;
        ++i;
        continue;
      }
      const int hi = hex_value(text[i]);
      const int lo = hex_value(text[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.bytes[k++] = static_cast<std::uint8_t>(hi * 16 + lo);
      i += 2;
    }
    return out;
  }

  /// The canonical lowercase form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
  [[nodiscard]] std::string to_string() const {
    constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t k = 0; k < 16; ++k) {
      if (k == 4 || k == 6 || k == 8 || k == 10) out += '-';
      out += digits[bytes[k] >> 4];
      out += digits[bytes[k] & 0xf];
    }
    return out;
  }

  friend constexpr bool operator==(const uuid&, const uuid&) = default;
  friend constexpr auto operator<=>(const uuid&, const uuid&) = default;

 private:
  static constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
};

/// A JSON document as text, for PostgreSQL's `jsonb` (bound as jsonb; read from jsonb or json).
///
/// sqlproof does not parse it: the server validates what is sent (an invalid document fails
/// with SQLSTATE 22P02) and returns jsonb in its normalised form (keys sorted, duplicates
/// removed, spacing its own), so text read back may differ from the text sent.
/// @code
/// db.exec<add_event>(sqlproof::pg::json{R"({"kind": "login"})"});
/// @endcode
struct json {
  std::string text;
  friend bool operator==(const json&, const json&) = default;
};

/// An exact decimal as text, for PostgreSQL's `numeric`: an optional `-` or `+`, digits with
/// an optional `.` and fraction, an optional exponent (`1.5e-3`), or `NaN`, `Infinity`,
/// `-Infinity` (case-insensitive).
///
/// Read back, it is PostgreSQL's own text for the value: the column's scale in trailing zeros
/// (`numeric(10, 2)` reads "12.50"), no exponent, "NaN" or "Infinity". Binding text that is
/// not a decimal is a `type_error`. No arithmetic is offered: convert with the decimal library
/// of your choice.
/// @code
/// sqlproof::pg::numeric price{"-12345.678900"};
/// @endcode
struct numeric {
  std::string text;
  friend bool operator==(const numeric&, const numeric&) = default;
};

namespace detail {

[[noreturn]] SQLPROOF_COLD inline void throw_uuid_size(std::size_t size) {
  throw type_error(sqlproof::detail::concat({"cannot read a BLOB of ",
                                             sqlproof::detail::number_text(size),
                                             " bytes into sqlproof::pg::uuid: a uuid is 16 bytes"}),
                   {}, -1, {});
}

}  // namespace detail
}  // namespace pg

/// On SQLite, a `pg::uuid` is a 16-byte BLOB; reading a BLOB of another size is a
/// `type_error`.
template <>
struct value_traits<pg::uuid> {
  using storage_type = std::vector<std::byte>;
  static std::vector<std::byte> to_storage(const pg::uuid& u) {
    std::vector<std::byte> out(16);
    for (std::size_t k = 0; k < 16; ++k) out[k] = static_cast<std::byte>(u.bytes[k]);
    return out;
  }
  static pg::uuid from_storage(std::vector<std::byte> b) {
    if (b.size() != 16) [[unlikely]] pg::detail::throw_uuid_size(b.size());
    pg::uuid out;
    for (std::size_t k = 0; k < 16; ++k) out.bytes[k] = static_cast<std::uint8_t>(b[k]);
    return out;
  }
};

/// On SQLite, a `pg::json` is TEXT (what SQLite's JSON functions take).
template <>
struct value_traits<pg::json> {
  using storage_type = std::string;
  static const std::string& to_storage(const pg::json& j) noexcept { return j.text; }
  static pg::json from_storage(std::string s) noexcept { return pg::json{std::move(s)}; }
};

/// On SQLite, a `pg::numeric` is TEXT: SQLite has no exact decimal type, and its REAL would
/// round.
template <>
struct value_traits<pg::numeric> {
  using storage_type = std::string;
  static const std::string& to_storage(const pg::numeric& n) noexcept { return n.text; }
  static pg::numeric from_storage(std::string s) noexcept { return pg::numeric{std::move(s)}; }
};

}  // namespace sqlproof
