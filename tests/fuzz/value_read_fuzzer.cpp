// Reads one value of every storage class into every built-in type.
//
// The input picks a storage class (NULL, INTEGER, REAL, TEXT, BLOB) and its bytes; the value
// is bound to `SELECT ?` through the library and read back as each built-in type T and
// std::optional<T>. Each read must give either the value the documented mapping promises or a
// sqlproof::type_error (integers out of T's range, a storage class T does not take, NULL into a
// non-optional T); any other exception, a wrong value, or a sanitizer report is a finding.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include <sqlproof/database.hpp>
#include <sqlproof/statement.hpp>

#include "fuzz_check.hpp"

namespace {

namespace sp = sqlproof;
using sqlproof_fuzz::check;

enum class small_enum : std::int8_t { a = 1 };
enum class wide_enum : std::uint64_t { a = 1 };

enum class storage { null, integer, real, text, blob };

// The value as SQLite holds it once bound.
struct bound {
  storage kind = storage::null;
  std::int64_t i = 0;
  double r = 0;
  std::string t;
  std::vector<std::byte> b;
};

sp::database& db() {
  static sp::database d{":memory:"};
  return d;
}

// Binds `v` to `SELECT ?` and reads the row as T: the value, or nullopt after a type_error.
template <class T>
std::optional<T> read_as(const bound& v) {
  auto st = db().prepare_cached("SELECT ?");
  try {
    std::optional<T> row;
    switch (v.kind) {
      case storage::null: row = st.template one<T>(std::optional<std::int64_t>{}); break;
      case storage::integer: row = st.template one<T>(v.i); break;
      case storage::real: row = st.template one<T>(v.r); break;
      case storage::text: row = st.template one<T>(v.t); break;
      case storage::blob: row = st.template one<T>(v.b); break;
    }
    check(row.has_value(), "SELECT ? returned no row");
    return row;
  } catch (const sp::type_error&) {
    return std::nullopt;
  }
}

// Reads T and std::optional<T>; `expected` is the value T must hold, nullopt for a type_error.
template <class T>
void expect(const bound& v, const std::optional<T>& expected, const char* what) {
  const std::optional<T> got = read_as<T>(v);
  check(got.has_value() == expected.has_value(),
        expected ? "a read that should succeed threw type_error" : "a read should have thrown",
        what);
  if (got) check(*got == *expected, "a read gave the wrong value", what);

  const std::optional<std::optional<T>> opt = read_as<std::optional<T>>(v);
  if (v.kind == storage::null) {
    check(opt.has_value() && !opt->has_value(), "NULL into optional<T> is not nullopt", what);
  } else {
    check(opt.has_value() == expected.has_value(), "optional<T> differs from T", what);
    if (opt) check(opt->has_value() && **opt == *expected, "optional<T> has the wrong value", what);
  }
}

template <class T>
std::optional<T> integer_as(const bound& v) {
  if (v.kind != storage::integer || !std::in_range<T>(v.i)) return std::nullopt;
  return static_cast<T>(v.i);
}

template <class E>
std::optional<E> enum_as(const bound& v) {
  const auto u = integer_as<std::underlying_type_t<E>>(v);
  return u ? std::optional<E>(static_cast<E>(*u)) : std::nullopt;
}

std::optional<double> real_of(const bound& v) {
  if (v.kind == storage::real) return v.r;
  if (v.kind == storage::integer) return static_cast<double>(v.i);
  return std::nullopt;
}

void read_every_type(const bound& v) {
  expect<bool>(v,
               v.kind == storage::integer && (v.i == 0 || v.i == 1) ? std::optional(v.i == 1)
                                                                     : std::nullopt,
               "bool");
  // plain char behaves as the signed or unsigned char it is.
  using plain_char = std::conditional_t<std::is_signed_v<char>, signed char, unsigned char>;
  const auto c = integer_as<plain_char>(v);
  expect<char>(v, c ? std::optional(static_cast<char>(*c)) : std::nullopt, "char");
  expect<signed char>(v, integer_as<signed char>(v), "signed char");
  expect<unsigned char>(v, integer_as<unsigned char>(v), "unsigned char");
  expect<short>(v, integer_as<short>(v), "short");
  expect<unsigned short>(v, integer_as<unsigned short>(v), "unsigned short");
  expect<int>(v, integer_as<int>(v), "int");
  expect<unsigned>(v, integer_as<unsigned>(v), "unsigned");
  expect<long>(v, integer_as<long>(v), "long");
  expect<unsigned long>(v, integer_as<unsigned long>(v), "unsigned long");
  expect<long long>(v, integer_as<long long>(v), "long long");
  expect<unsigned long long>(v, integer_as<unsigned long long>(v), "unsigned long long");

  const std::optional<double> d = real_of(v);
  expect<double>(v, d, "double");
  expect<long double>(v, d ? std::optional<long double>(*d) : std::nullopt, "long double");
  std::optional<float> f;
  if (d && !(*d - *d == 0 && (*d < 0 ? -*d : *d) > std::numeric_limits<float>::max())) {
    f = static_cast<float>(*d);
  }
  expect<float>(v, f, "float");

  expect<std::string>(v, v.kind == storage::text ? std::optional(v.t) : std::nullopt,
                      "std::string");
  expect<std::vector<std::byte>>(v, v.kind == storage::blob ? std::optional(v.b) : std::nullopt,
                                 "std::vector<std::byte>");
  std::optional<std::vector<std::uint8_t>> bytes;
  if (v.kind == storage::blob) {
    bytes.emplace();
    for (const std::byte x : v.b) bytes->push_back(static_cast<std::uint8_t>(x));
  }
  expect<std::vector<std::uint8_t>>(v, bytes, "std::vector<std::uint8_t>");

  expect<small_enum>(v, enum_as<small_enum>(v), "enum : int8_t");
  expect<wide_enum>(v, enum_as<wide_enum>(v), "enum : uint64_t");

  using namespace std::chrono;
  const auto i64 = integer_as<std::int64_t>(v);
  expect<seconds>(v, i64 ? std::optional(seconds{*i64}) : std::nullopt, "seconds");
  expect<milliseconds>(v, i64 ? std::optional(milliseconds{*i64}) : std::nullopt,
                       "milliseconds");
  expect<duration<double>>(v, d ? std::optional(duration<double>{*d}) : std::nullopt,
                           "duration<double>");
  expect<sys_seconds>(v, i64 ? std::optional(sys_seconds{seconds{*i64}}) : std::nullopt,
                      "sys_seconds");
  expect<sys_time<milliseconds>>(
      v, i64 ? std::optional(sys_time<milliseconds>{milliseconds{*i64}}) : std::nullopt,
      "sys_time<milliseconds>");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  bound v;
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: v.kind = storage::null; break;
    case 1:
      v.kind = storage::integer;
      v.i = in.ConsumeIntegral<std::int64_t>();
      break;
    case 2: {
      const auto bits = in.ConsumeIntegral<std::uint64_t>();
      std::memcpy(&v.r, &bits, sizeof v.r);
      // SQLite stores a NaN as NULL (https://sqlite.org/c3ref/bind_blob.html).
      v.kind = v.r != v.r ? storage::null : storage::real;
      break;
    }
    case 3:
      v.kind = storage::text;
      v.t = in.ConsumeRemainingBytesAsString();
      break;
    default: {
      v.kind = storage::blob;
      const auto raw = in.ConsumeRemainingBytes<std::uint8_t>();
      for (const std::uint8_t x : raw) v.b.push_back(static_cast<std::byte>(x));
      break;
    }
  }
  read_every_type(v);
  return 0;
}
