#pragma once
// PostgreSQL's binary timestamp format, to and from std::chrono system_clock time points.

#include <cstdint>
#include <limits>
#include <ratio>
#include <type_traits>
#include <utility>

#include "../../detail/chrono.hpp"

namespace sqlproof::pg::detail {

// timestamp and timestamptz are int64 microseconds since 2000-01-01 00:00:00 UTC
// (timestamp_send; POSTGRES_EPOCH_JDATE in src/include/datatype/timestamp.h), with INT64_MIN
// and INT64_MAX for -infinity and infinity (DT_NOBEGIN, DT_NOEND).
inline constexpr std::int64_t pg_epoch_shift_us = 946'684'800LL * 1'000'000;  // 2000 - 1970
inline constexpr std::int64_t pg_infinity = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t pg_minus_infinity = std::numeric_limits<std::int64_t>::min();

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Microseconds since PostgreSQL's epoch, rounded down (toward the past) when the time
// point is finer; false when out of int64's range. time_point::max() and ::min() stand for
// infinity and -infinity.
template <class Duration>
bool to_pg_micros(std::chrono::time_point<std::chrono::system_clock, Duration> t,
                  std::int64_t& out) noexcept {
  using time_point = std::chrono::time_point<std::chrono::system_clock, Duration>;
  using rep = typename Duration::rep;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  if (t == time_point::max()) {
    out = pg_infinity;
    return true;
  }
  if (t == time_point::min()) {
    out = pg_minus_infinity;
    return true;
  }
  std::int64_t us = 0;
  if constexpr (std::is_floating_point_v<rep>) {
    const double d = std::chrono::duration<double, std::micro>(t.time_since_epoch()).count();
    if (!(d > -9.2e18 && d < 9.2e18)) return false;
    us = static_cast<std::int64_t>(d);
    if (static_cast<double>(us) > d) --us;  // toward the past, as for integers
  } else {
    using tick = std::ratio_divide<typename Duration::period, std::micro>;  // µs per tick
    const auto count = static_cast<std::int64_t>(t.time_since_epoch().count());
    if constexpr (tick::den == 1) {
      if (count > max / tick::num || count < min / tick::num) return false;
      us = count * tick::num;
    } else if constexpr (tick::num == 1) {
      us = floor_div(count, tick::den);
    } else {
      us = std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch()).count();
    }
  }
  if (us <= min + pg_epoch_shift_us) return false;
  out = us - pg_epoch_shift_us;
  return true;
}

// The inverse, rounding down to the time point's unit; false when it cannot hold the value.
template <class Duration>
bool from_pg_micros(std::int64_t pg, std::chrono::time_point<std::chrono::system_clock, Duration>& out) noexcept {
  using time_point = std::chrono::time_point<std::chrono::system_clock, Duration>;
  using rep = typename Duration::rep;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  if (pg == pg_infinity) {
    out = time_point::max();
    return true;
  }
  if (pg == pg_minus_infinity) {
    out = time_point::min();
    return true;
  }
  if (pg > max - pg_epoch_shift_us) return false;
  const std::int64_t us = pg + pg_epoch_shift_us;
  using per_us = std::ratio_divide<std::micro, typename Duration::period>;  // ticks per µs
  if constexpr (std::is_floating_point_v<rep>) {
    out = time_point{Duration{static_cast<rep>(static_cast<double>(us) * per_us::num / per_us::den)}};
    return true;
  } else {
    std::int64_t ticks = 0;
    if constexpr (per_us::den == 1) {
      if (us > max / per_us::num || us < min / per_us::num) return false;
      ticks = us * per_us::num;
    } else if constexpr (per_us::num == 1) {
      ticks = floor_div(us, per_us::den);
    } else {
      ticks = std::chrono::floor<Duration>(std::chrono::microseconds{us}).count();
    }
    if (!std::in_range<rep>(ticks)) return false;
    out = time_point{Duration{static_cast<rep>(ticks)}};
    return true;
  }
}

}  // namespace sqlproof::pg::detail
