#pragma once
// What the PostgreSQL codecs share: type OIDs, big-endian loads and stores, the parameter
// arrays libpq's PQexecPrepared takes (param_list), one result value as libpq gives it
// (field), and the error paths. No libpq header is needed: an Oid is an unsigned 32-bit
// integer (postgres_ext.h), and the OIDs of built-in types are fixed
// (src/include/catalog/pg_type.dat).

#include <bit>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#include "../../config.hpp"
#include "../../error.hpp"

namespace sqlproof::pg::detail {

using sqlproof::detail::concat;
using sqlproof::detail::number_text;

/// A PostgreSQL type OID (libpq's `Oid`).
using oid = std::uint32_t;

// Built-in type OIDs, src/include/catalog/pg_type.dat; stable across server versions.
namespace oids {
inline constexpr oid bool_ = 16;          // bool
inline constexpr oid bytea = 17;          // bytea
inline constexpr oid name = 19;           // name
inline constexpr oid int8 = 20;           // int8 (bigint)
inline constexpr oid int2 = 21;           // int2 (smallint)
inline constexpr oid int4 = 23;           // int4 (integer)
inline constexpr oid text = 25;           // text
inline constexpr oid json = 114;          // json
inline constexpr oid json_array = 199;    // json[]
inline constexpr oid float4 = 700;        // float4 (real)
inline constexpr oid float8 = 701;        // float8 (double precision)
inline constexpr oid unknown = 705;       // unknown (an untyped literal: SELECT 'a')
inline constexpr oid bool_array = 1000;   // bool[]
inline constexpr oid bytea_array = 1001;  // bytea[]
inline constexpr oid int2_array = 1005;   // int2[]
inline constexpr oid int4_array = 1007;   // int4[]
inline constexpr oid text_array = 1009;   // text[]
inline constexpr oid bpchar_array = 1014; // bpchar[]
inline constexpr oid varchar_array = 1015;  // varchar[]
inline constexpr oid int8_array = 1016;   // int8[]
inline constexpr oid float4_array = 1021; // float4[]
inline constexpr oid float8_array = 1022; // float8[]
inline constexpr oid bpchar = 1042;       // bpchar (char(n))
inline constexpr oid varchar = 1043;      // varchar
inline constexpr oid timestamp = 1114;    // timestamp (without time zone)
inline constexpr oid timestamp_array = 1115;    // timestamp[]
inline constexpr oid timestamptz = 1184;  // timestamptz
inline constexpr oid timestamptz_array = 1185;  // timestamptz[]
inline constexpr oid interval = 1186;     // interval
inline constexpr oid numeric_array = 1231;  // numeric[]
inline constexpr oid numeric = 1700;      // numeric
inline constexpr oid uuid = 2950;         // uuid
inline constexpr oid uuid_array = 2951;   // uuid[]
inline constexpr oid jsonb = 3802;        // jsonb
inline constexpr oid jsonb_array = 3807;  // jsonb[]
}  // namespace oids

// The name PostgreSQL gives a built-in type, for messages; empty for any other OID.
constexpr std::string_view type_name_of(oid t) noexcept {
  switch (t) {
    case oids::bool_: return "bool";
    case oids::bytea: return "bytea";
    case oids::name: return "name";
    case oids::int8: return "int8";
    case oids::int2: return "int2";
    case oids::int4: return "int4";
    case oids::text: return "text";
    case oids::json: return "json";
    case oids::json_array: return "json[]";
    case oids::float4: return "float4";
    case oids::float8: return "float8";
    case oids::unknown: return "unknown";
    case oids::bool_array: return "bool[]";
    case oids::bytea_array: return "bytea[]";
    case oids::int2_array: return "int2[]";
    case oids::int4_array: return "int4[]";
    case oids::text_array: return "text[]";
    case oids::bpchar_array: return "bpchar[]";
    case oids::varchar_array: return "varchar[]";
    case oids::int8_array: return "int8[]";
    case oids::float4_array: return "float4[]";
    case oids::float8_array: return "float8[]";
    case oids::bpchar: return "bpchar";
    case oids::varchar: return "varchar";
    case oids::timestamp: return "timestamp";
    case oids::timestamp_array: return "timestamp[]";
    case oids::timestamptz: return "timestamptz";
    case oids::timestamptz_array: return "timestamptz[]";
    case oids::interval: return "interval";
    case oids::numeric_array: return "numeric[]";
    case oids::numeric: return "numeric";
    case oids::uuid: return "uuid";
    case oids::uuid_array: return "uuid[]";
    case oids::jsonb: return "jsonb";
    case oids::jsonb_array: return "jsonb[]";
    default: return {};
  }
}

// The one-dimensional array type of an element type (pg_type.typarray), 0 when there is none
// here.
constexpr oid array_of(oid element) noexcept {
  switch (element) {
    case oids::bool_: return oids::bool_array;
    case oids::bytea: return oids::bytea_array;
    case oids::int2: return oids::int2_array;
    case oids::int4: return oids::int4_array;
    case oids::int8: return oids::int8_array;
    case oids::text: return oids::text_array;
    case oids::bpchar: return oids::bpchar_array;
    case oids::varchar: return oids::varchar_array;
    case oids::json: return oids::json_array;
    case oids::float4: return oids::float4_array;
    case oids::float8: return oids::float8_array;
    case oids::timestamp: return oids::timestamp_array;
    case oids::timestamptz: return oids::timestamptz_array;
    case oids::numeric: return oids::numeric_array;
    case oids::uuid: return oids::uuid_array;
    case oids::jsonb: return oids::jsonb_array;
    default: return 0;
  }
}

// The element type of an array type (pg_type.typelem), 0 when `t` is not one of those above.
constexpr oid element_of(oid t) noexcept {
  switch (t) {
    case oids::bool_array: return oids::bool_;
    case oids::bytea_array: return oids::bytea;
    case oids::int2_array: return oids::int2;
    case oids::int4_array: return oids::int4;
    case oids::int8_array: return oids::int8;
    case oids::text_array: return oids::text;
    case oids::bpchar_array: return oids::bpchar;
    case oids::varchar_array: return oids::varchar;
    case oids::json_array: return oids::json;
    case oids::float4_array: return oids::float4;
    case oids::float8_array: return oids::float8;
    case oids::timestamp_array: return oids::timestamp;
    case oids::timestamptz_array: return oids::timestamptz;
    case oids::numeric_array: return oids::numeric;
    case oids::uuid_array: return oids::uuid;
    case oids::jsonb_array: return oids::jsonb;
    default: return 0;
  }
}

// The C++ type that reads a PostgreSQL type, for the hint of a type mismatch.
constexpr std::string_view cpp_type_for(oid t) noexcept {
  switch (t) {
    case oids::bool_: return "bool";
    case oids::bytea: return "std::vector<std::byte>";
    case oids::int2: return "std::int16_t";
    case oids::int4: return "std::int32_t";
    case oids::int8: return "std::int64_t";
    case oids::float4: return "float";
    case oids::float8: return "double";
    case oids::name:
    case oids::text:
    case oids::bpchar:
    case oids::varchar:
    case oids::unknown: return "std::string";
    case oids::json:
    case oids::jsonb: return "sqlproof::pg::json";
    case oids::numeric: return "sqlproof::pg::numeric";
    case oids::uuid: return "sqlproof::pg::uuid";
    case oids::timestamp:
    case oids::timestamptz: return "std::chrono::sys_time<std::chrono::microseconds>";
    case oids::bool_array: return "std::vector<bool>";
    case oids::bytea_array: return "std::vector<std::vector<std::byte>>";
    case oids::int2_array: return "std::vector<std::int16_t>";
    case oids::int4_array: return "std::vector<std::int32_t>";
    case oids::int8_array: return "std::vector<std::int64_t>";
    case oids::float4_array: return "std::vector<float>";
    case oids::float8_array: return "std::vector<double>";
    case oids::text_array:
    case oids::bpchar_array:
    case oids::varchar_array: return "std::vector<std::string>";
    case oids::json_array:
    case oids::jsonb_array: return "std::vector<sqlproof::pg::json>";
    case oids::numeric_array: return "std::vector<sqlproof::pg::numeric>";
    case oids::uuid_array: return "std::vector<sqlproof::pg::uuid>";
    default: return {};
  }
}

// ---- byte order ---------------------------------------------------------------------------
//
// The binary format is big-endian throughout (pq_sendint32 and friends,
// src/backend/libpq/pqformat.c). Written as shifts and ORs of unsigned bytes, which g++ and
// clang++ turn into one load or store plus a byte swap.

inline void store_u16(char* p, std::uint16_t v) noexcept {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}
inline void store_u32(char* p, std::uint32_t v) noexcept {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}
inline void store_u64(char* p, std::uint64_t v) noexcept {
  store_u32(p, static_cast<std::uint32_t>(v >> 32));
  store_u32(p + 4, static_cast<std::uint32_t>(v));
}
inline std::uint16_t load_u16(const char* p) noexcept {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
}
inline std::uint32_t load_u32(const char* p) noexcept {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}
inline std::uint64_t load_u64(const char* p) noexcept {
  return (std::uint64_t{load_u32(p)} << 32) | load_u32(p + 4);
}

// ---- parameters ---------------------------------------------------------------------------

/// The parameters of one statement execution, in the four arrays PQexecPrepared,
/// PQsendQueryPrepared and PQsendQueryParams take (all in binary format).
///
/// Fixed-size values, arrays and anything that must be transformed (jsonb's version byte) are
/// written into scratch storage the list owns; text and bytea point at the caller's bytes,
/// which is safe for the duration of the call because libpq copies every parameter into its
/// send buffer before PQsendQueryPrepared returns. Scratch is addressed by offset while
/// values are added, so growing it moves nothing already handed out; `finish()` turns the
/// offsets into pointers. `clear()` keeps every capacity, so a connection's list, once warm,
/// encodes an integer with a few stores and no allocation.
/// @code
/// params.clear();
/// codec<std::int64_t>::encode(params, id);
/// params.finish();
/// PQexecPrepared(conn, name, params.size(), params.values(), params.lengths(),
///                params.formats(), 1);
/// @endcode
class param_list {
 public:
  param_list() = default;
  param_list(const param_list&) = delete;
  param_list& operator=(const param_list&) = delete;
  // A move keeps every buffer where it is, so pointers resolved by finish() stay valid; the
  // list moved from is left empty, with no storage.
  param_list(param_list&& other) noexcept { swap(other); }
  param_list& operator=(param_list&& other) noexcept {
    param_list(std::move(other)).swap(*this);
    return *this;
  }
  ~param_list() = default;

  /// Forgets the parameters, keeping the storage for the next execution.
  void clear() noexcept {
    count_ = 0;
    used_ = 0;
  }

  /// Makes room for `n` parameters, so that adding them allocates nothing but scratch.
  void reserve(int n) {
    if (n > capacity_) grow_slots(n);
  }

  /// Number of parameters added (libpq's nParams).
  [[nodiscard]] int size() const noexcept { return count_; }
  /// paramValues: a null pointer for NULL. Valid after finish().
  [[nodiscard]] const char* const* values() const noexcept { return values_.get(); }
  /// paramLengths, in bytes.
  [[nodiscard]] const int* lengths() const noexcept { return lengths_.get(); }
  /// paramFormats: 1 (binary) for every parameter.
  [[nodiscard]] const int* formats() const noexcept { return formats_.get(); }
  /// paramTypes: the OID of each parameter's type.
  [[nodiscard]] const oid* types() const noexcept { return types_.get(); }

  /// Resolves the scratch offsets into pointers; call once after the last parameter.
  void finish() noexcept {
    char* base = scratch_.get();
    for (int i = 0; i < count_; ++i) {
      if (offsets_[i] != borrowed) values_[i] = base + offsets_[i];
    }
  }

  /// Adds a NULL of type `t`.
  void add_null(oid t) { push(nullptr, 0, t, borrowed); }

  /// Adds a parameter pointing at `length` bytes the caller keeps alive until the call.
  void add_borrowed(oid t, const char* data, std::size_t length) {
    // An empty string_view or vector may have a null data(), which would mean NULL to libpq.
    push(data != nullptr ? data : "", checked_length(length), t, borrowed);
  }

  /// Adds a parameter of `length` bytes in scratch storage and returns where to write them.
  /// The pointer is valid until the next parameter is added.
  char* add_owned(oid t, std::size_t length) {
    const int n = checked_length(length);
    const std::size_t at = used_;
    if (scratch_capacity_ - used_ < length) [[unlikely]] grow_scratch(length);
    used_ += length;
    push(nullptr, n, t, at);
    return scratch_.get() + at;
  }

  /// Copies the last parameter's bytes into scratch storage if it points at the caller's: for
  /// a value converted to a temporary that is gone before the call.
  void own_last() {
    if (count_ == 0) return;
    const int last = count_ - 1;
    if (offsets_[last] != borrowed || values_[last] == nullptr) return;
    const auto length = static_cast<std::size_t>(lengths_[last]);
    const std::size_t at = used_;
    if (scratch_capacity_ - used_ < length) grow_scratch(length);
    if (length != 0) std::memcpy(scratch_.get() + at, values_[last], length);
    used_ += length;
    offsets_[last] = at;
  }

  /// The 1-based number of the parameter being added, for error messages.
  [[nodiscard]] int next_index() const noexcept { return count_ + 1; }

 private:
  static constexpr std::size_t borrowed = ~std::size_t{0};

  void swap(param_list& other) noexcept {
    std::swap(values_, other.values_);
    std::swap(lengths_, other.lengths_);
    std::swap(formats_, other.formats_);
    std::swap(types_, other.types_);
    std::swap(offsets_, other.offsets_);
    std::swap(count_, other.count_);
    std::swap(capacity_, other.capacity_);
    std::swap(scratch_, other.scratch_);
    std::swap(used_, other.used_);
    std::swap(scratch_capacity_, other.scratch_capacity_);
  }

  // One capacity check for the five arrays, then plain stores: the whole cost of a parameter
  // once the list is warm.
  void push(const char* value, int length, oid t, std::size_t offset) {
    if (count_ == capacity_) [[unlikely]] grow_slots(capacity_ < 8 ? 8 : 2 * capacity_);
    values_[count_] = value;
    lengths_[count_] = length;
    types_[count_] = t;
    offsets_[count_] = offset;
    ++count_;
  }

  int checked_length(std::size_t length) const {
    if (length > static_cast<std::size_t>(INT_MAX)) [[unlikely]] throw_too_long();
    return static_cast<int>(length);
  }

  [[noreturn]] SQLPROOF_COLD void throw_too_long() const {
    throw type_error(concat({"cannot bind parameter ", number_text(next_index()),
                             ": the value is longer than the 2 GiB libpq can send"}),
                     {}, -1, {});
  }

  template <class T>
  static void regrow(std::unique_ptr<T[]>& array, int count, int capacity) {
    auto bigger = std::make_unique_for_overwrite<T[]>(static_cast<std::size_t>(capacity));
    if (count != 0) std::memcpy(bigger.get(), array.get(), sizeof(T) * static_cast<std::size_t>(count));
    array = std::move(bigger);
  }

  SQLPROOF_NOINLINE void grow_slots(int capacity) {
    regrow(values_, count_, capacity);
    regrow(lengths_, count_, capacity);
    regrow(types_, count_, capacity);
    regrow(offsets_, count_, capacity);
    formats_ = std::make_unique_for_overwrite<int[]>(static_cast<std::size_t>(capacity));
    for (int i = 0; i < capacity; ++i) formats_[i] = 1;
    capacity_ = capacity;
  }

  SQLPROOF_NOINLINE void grow_scratch(std::size_t need) {
    std::size_t capacity = scratch_capacity_ < 256 ? 256 : scratch_capacity_ * 2;
    while (capacity - used_ < need) capacity *= 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (used_ != 0) std::memcpy(bigger.get(), scratch_.get(), used_);
    scratch_ = std::move(bigger);
    scratch_capacity_ = capacity;
  }

  std::unique_ptr<const char*[]> values_;
  std::unique_ptr<int[]> lengths_;
  std::unique_ptr<int[]> formats_;  // all 1, written when grown
  std::unique_ptr<oid[]> types_;
  std::unique_ptr<std::size_t[]> offsets_;  // into scratch_, or `borrowed`
  int count_ = 0;
  int capacity_ = 0;
  std::unique_ptr<char[]> scratch_;
  std::size_t used_ = 0;
  std::size_t scratch_capacity_ = 0;
};

// ---- results ------------------------------------------------------------------------------

/// One value of a result row as libpq gives it (PQgetvalue, PQgetlength, PQftype,
/// PQgetisnull, PQfname), in binary format, plus where it came from for error messages.
struct field {
  const char* data = nullptr;     ///< The value's bytes (binary format); unused when null.
  int length = 0;                 ///< Their count.
  oid type = 0;                   ///< The column's type OID.
  bool null = false;              ///< True for SQL NULL.
  int column = 0;                 ///< Zero-based column number.
  std::string_view name;          ///< The column's name.
  std::string_view sql;           ///< The statement's SQL text, may be empty.
  std::string_view query_name;    ///< The typed query's name, may be empty.
};

// ---- errors -------------------------------------------------------------------------------
//
// Every error path is a plain function taking the C++ type's name, so a codec instantiated
// for one more type adds a call, not its own message building. Messages name the column or
// parameter, the C++ type and the PostgreSQL type, never the value (see value.hpp).

// "cannot read column 2 ('age') into int: <what>[; <hint>]"
[[noreturn]] SQLPROOF_COLD inline void throw_read_error(const field& f, std::string_view cpp_type,
                                                        std::string_view what,
                                                        std::string_view hint = {}) {
  throw type_error(concat({"cannot read column ", number_text(f.column), " ('", f.name,
                           "') into ", cpp_type, ": ", what, hint.empty() ? "" : "; ", hint}),
                   {0, {}, f.sql, f.query_name}, f.column, f.name);
}

// Names the PostgreSQL type, or its OID for one not known here (an enum or domain created
// with CREATE TYPE has an OID of its own), and the C++ type that reads it.
[[noreturn]] SQLPROOF_COLD inline void throw_wrong_type(const field& f, std::string_view cpp_type) {
  const std::string_view pg_name = type_name_of(f.type);
  if (pg_name.empty()) {
    throw_read_error(f, cpp_type, concat({"the column's type has OID ", number_text(f.type)}),
                     "cast it in the SQL to a type sqlproof reads, e.g. ::text");
  }
  const std::string_view reader = cpp_type_for(f.type);
  throw_read_error(f, cpp_type, concat({"the column's type is ", pg_name}),
                   reader.empty() ? std::string_view{}
                                  : std::string_view(concat({"read it as ", reader})));
}

// A NULL into a non-optional, or a column of a type `cpp_type` cannot read.
[[noreturn]] SQLPROOF_COLD inline void throw_unreadable(const field& f, std::string_view cpp_type) {
  if (f.null) {
    throw_read_error(f, cpp_type, "the value is NULL",
                     concat({"declare the field as std::optional<", cpp_type, ">"}));
  }
  throw_wrong_type(f, cpp_type);
}

// Bytes that do not follow the type's binary format: a server or proxy bug, or a field built
// over the wrong column.
[[noreturn]] SQLPROOF_COLD inline void throw_malformed(const field& f, std::string_view cpp_type) {
  const std::string_view pg_name = type_name_of(f.type);
  throw_read_error(f, cpp_type,
                   concat({"the ", pg_name.empty() ? "value" : pg_name, " value is malformed (",
                           number_text(f.length), " bytes that do not follow its binary format)"}));
}

[[noreturn]] SQLPROOF_COLD inline void throw_out_of_range(const field& f, std::string_view cpp_type,
                                                          std::string_view hint) {
  throw_read_error(f, cpp_type,
                   concat({"the ", type_name_of(f.type), " value is out of the type's range"}),
                   hint);
}

// "cannot bind parameter 3 of type std::uint64_t: <what>"
[[noreturn]] SQLPROOF_COLD inline void throw_bind_error(int index, std::string_view cpp_type,
                                                        std::string_view what) {
  throw type_error(
      concat({"cannot bind parameter ", number_text(index), " of type ", cpp_type, ": ", what}),
      {}, -1, {});
}

// Both checks every decode starts with, inlined; the message is built out of line.
inline void check_readable(const field& f, bool type_accepted, std::string_view cpp_type) {
  if (f.null || !type_accepted) [[unlikely]] throw_unreadable(f, cpp_type);
}

inline void check_length(const field& f, int length, std::string_view cpp_type) {
  if (f.length != length) [[unlikely]] throw_malformed(f, cpp_type);
}

}  // namespace sqlproof::pg::detail
