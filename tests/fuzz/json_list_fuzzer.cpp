// Round-trips lists bound as JSON arrays through the query the library documents for IN-lists,
// `x IN (SELECT value FROM json_each(?))`.
//
// The input builds a std::vector<T> of std::int64_t, double or std::string. Binding it must
// either throw a sqlproof::error (NaN and infinity, which JSON cannot carry, must be refused; a
// string with an embedded NUL, which json_each would cut, may be) or produce a list in which
// json_each finds exactly as many elements and every element, bound singly, matches.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include <sqlproof/database.hpp>
#include <sqlproof/query.hpp>

#include "fuzz_check.hpp"

namespace {

namespace sp = sqlproof;
using sqlproof_fuzz::check;

template <class T>
using count_of = sp::query<"SELECT count(*) FROM json_each(?)", std::int64_t(std::vector<T>)>;
template <class T>
using member_of =
    sp::query<"SELECT ? IN (SELECT value FROM json_each(?))", bool(T, std::vector<T>)>;

sp::database& db() {
  static sp::database d{":memory:"};
  return d;
}

// The list as text, for the failure message: numbers as %.17g, strings with C escapes.
template <class T>
std::string describe(const std::vector<T>& list) {
  std::string out = "[";
  for (const T& x : list) {
    if (out.size() > 1) out += ", ";
    if constexpr (std::is_same_v<T, std::string>) {
      out += '"';
      out += x;
      out += '"';
    } else {
      char buf[40];
      if constexpr (std::is_same_v<T, double>) {
        std::snprintf(buf, sizeof buf, "%.17g", x);
      } else {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(x));
      }
      out += buf;
    }
  }
  return out + "]";
}

enum class binding { must, may_refuse, must_refuse };

template <class T>
void round_trip(const std::vector<T>& list, binding expected) {
  std::optional<std::int64_t> n;
  try {
    n = db().one<count_of<T>>(list);
  } catch (const sp::error&) {
    check(expected != binding::must, "a list of representable values was refused",
          describe(list));
    return;
  }
  check(expected != binding::must_refuse, "a list holding NaN or infinity was bound",
        describe(list));
  check(n.has_value() && *n == static_cast<std::int64_t>(list.size()),
        "json_each finds a different number of elements than the list holds", describe(list));
  for (const T& x : list) {
    const std::optional<bool> found = db().one<member_of<T>>(x, list);
    check(found.has_value() && *found, "an element of the list does not match its own value",
          describe(std::vector<T>{x}) + " in " + describe(list));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const int kind = in.ConsumeIntegralInRange<int>(0, 2);
  const std::size_t length = in.ConsumeIntegralInRange<std::size_t>(0, 16);
  if (kind == 0) {
    std::vector<std::int64_t> list;
    for (std::size_t k = 0; k < length && in.remaining_bytes() > 0; ++k) {
      list.push_back(in.ConsumeIntegral<std::int64_t>());
    }
    round_trip(list, binding::must);
  } else if (kind == 1) {
    std::vector<double> list;
    bool finite = true;
    for (std::size_t k = 0; k < length && in.remaining_bytes() > 0; ++k) {
      const auto bits = in.ConsumeIntegral<std::uint64_t>();
      double d = 0;
      std::memcpy(&d, &bits, sizeof d);
      if (!(d - d == 0)) finite = false;
      list.push_back(d);
    }
    round_trip(list, finite ? binding::must : binding::must_refuse);
  } else {
    std::vector<std::string> list;
    bool nul = false;
    for (std::size_t k = 0; k < length && in.remaining_bytes() > 0; ++k) {
      list.push_back(in.ConsumeRandomLengthString(64));
      if (list.back().find('\0') != std::string::npos) nul = true;
    }
    round_trip(list, nul ? binding::may_refuse : binding::must);
  }
  return 0;
}
