// plcpp/datetime.hpp — date, timestamp, timestamptz and interval as std::chrono values.
//
//   date         std::chrono::sys_days                              (plcpp::date)
//   timestamp    std::chrono::local_time<std::chrono::microseconds> (plcpp::timestamp)
//   timestamptz  std::chrono::sys_time<std::chrono::microseconds>   (plcpp::timestamptz)
//   interval     plcpp::interval {months, days, time}: PostgreSQL keeps the three apart
//
// PostgreSQL counts from 2000-01-01, std::chrono from 1970-01-01; the conversions are exact.
// 'infinity' and '-infinity' map to the time_point's max() and min(). Any std::chrono
// system_clock time point (std::chrono::system_clock::now()) can be passed as a timestamptz.
#pragma once

#include "types.hpp"

#include <chrono>

namespace plcpp {

using date = std::chrono::sys_days;
using timestamp = std::chrono::local_time<std::chrono::microseconds>;
using timestamptz = std::chrono::sys_time<std::chrono::microseconds>;

struct interval {
  std::int32_t months = 0;
  std::int32_t days = 0;
  std::chrono::microseconds time{0};
  bool operator==(const interval &) const = default;
};

namespace detail {

inline constexpr std::int32_t pg_epoch_days = 10957; // 2000-01-01 - 1970-01-01
inline constexpr std::int64_t pg_epoch_us = std::int64_t{pg_epoch_days} * 86400 * 1000000;

// By-reference fixed-size values (interval, uuid): a palloc'd copy of `size` bytes.
PLCPP_API raw_datum fixed_datum(const void *data, std::size_t size);
inline const void *fixed_pointer(raw_datum d) noexcept {
  return reinterpret_cast<const void *>(d);
}

// PostgreSQL's valid ranges (datatype/timestamp.h): 4714-11-24 BC up to (not including)
// 5874898-01-01 for dates, 294277-01-01 for timestamps.
inline constexpr std::int64_t pg_min_date = -2451545, pg_end_date = 2147483494 - 2451545;
inline constexpr std::int64_t pg_min_timestamp = -211813488000000000LL,
                              pg_end_timestamp = 9223371331200000000LL;
[[noreturn]] PLCPP_API void throw_datetime_out_of_range(Oid type);

template <class TimePoint> TimePoint from_pg_us(std::int64_t us, Oid t) {
  if (us == std::numeric_limits<std::int64_t>::min()) return TimePoint::min();
  if (us == std::numeric_limits<std::int64_t>::max()) return TimePoint::max();
  // Past about year 294247 std::chrono's int64 microseconds since 1970 overflow.
  if (us > std::numeric_limits<std::int64_t>::max() - pg_epoch_us) throw_datetime_out_of_range(t);
  return TimePoint(std::chrono::microseconds(us + pg_epoch_us));
}
template <class TimePoint> std::int64_t to_pg_us(TimePoint tp, Oid t) {
  if (tp == TimePoint::min()) return std::numeric_limits<std::int64_t>::min();
  if (tp == TimePoint::max()) return std::numeric_limits<std::int64_t>::max();
  auto us = std::chrono::floor<std::chrono::microseconds>(tp).time_since_epoch().count();
  if (us < pg_min_timestamp + pg_epoch_us) throw_datetime_out_of_range(t);
  us -= pg_epoch_us;
  if (us >= pg_end_timestamp) throw_datetime_out_of_range(t);
  return us;
}

} // namespace detail

template <> struct value_traits<date> {
  static constexpr Oid oid = oids::date, array_oid = oids::date_array;
  static constexpr const char *cpp_name = "plcpp::date";
  static bool reads(Oid t) noexcept { return t == oids::date; }
  static bool writes(Oid t) noexcept { return t == oids::date; }
  static date from_datum(detail::raw_datum d, Oid) noexcept {
    auto v = static_cast<std::int32_t>(d);
    if (v == std::numeric_limits<std::int32_t>::min()) return date::min();
    if (v == std::numeric_limits<std::int32_t>::max()) return date::max();
    return date(std::chrono::days(std::int64_t{v} + detail::pg_epoch_days));
  }
  static detail::raw_datum to_datum(date v, Oid t) {
    std::int64_t days;
    if (v == date::min())
      days = std::numeric_limits<std::int32_t>::min();
    else if (v == date::max())
      days = std::numeric_limits<std::int32_t>::max();
    else {
      days = v.time_since_epoch().count() - detail::pg_epoch_days;
      if (days < detail::pg_min_date || days >= detail::pg_end_date)
        detail::throw_datetime_out_of_range(t);
    }
    return static_cast<detail::raw_datum>(
        static_cast<std::intptr_t>(static_cast<std::int32_t>(days)));
  }
};

template <> struct value_traits<timestamp> {
  static constexpr Oid oid = oids::timestamp, array_oid = oids::timestamp_array;
  static constexpr const char *cpp_name = "plcpp::timestamp";
  static bool reads(Oid t) noexcept { return t == oids::timestamp; }
  static bool writes(Oid t) noexcept { return t == oids::timestamp; }
  static timestamp from_datum(detail::raw_datum d, Oid) {
    return detail::from_pg_us<timestamp>(static_cast<std::int64_t>(d), oids::timestamp);
  }
  static detail::raw_datum to_datum(timestamp v, Oid t) {
    return static_cast<detail::raw_datum>(detail::to_pg_us(v, t));
  }
};

// timestamptz, and any system_clock time point written as one.
template <class Duration>
struct value_traits<std::chrono::time_point<std::chrono::system_clock, Duration>,
                    std::enable_if_t<!std::is_same_v<Duration, std::chrono::days>>> {
  using time_point = std::chrono::time_point<std::chrono::system_clock, Duration>;
  static constexpr Oid oid = oids::timestamptz, array_oid = oids::timestamptz_array;
  static constexpr const char *cpp_name = "plcpp::timestamptz";
  static bool reads(Oid t) noexcept { return t == oids::timestamptz; }
  static bool writes(Oid t) noexcept { return t == oids::timestamptz; }
  static time_point from_datum(detail::raw_datum d, Oid t) {
    timestamptz us = detail::from_pg_us<timestamptz>(static_cast<std::int64_t>(d), t);
    if (us == timestamptz::min()) return time_point::min();
    if (us == timestamptz::max()) return time_point::max();
    // A finer duration (system_clock's nanoseconds) covers fewer years than microseconds.
    using wide = std::chrono::duration<long double, typename Duration::period>;
    auto v = std::chrono::duration_cast<wide>(us.time_since_epoch()).count();
    if (v < static_cast<long double>(Duration::min().count()) ||
        v > static_cast<long double>(Duration::max().count()))
      detail::throw_datetime_out_of_range(t);
    return std::chrono::floor<Duration>(us);
  }
  static detail::raw_datum to_datum(time_point v, Oid t) {
    return static_cast<detail::raw_datum>(detail::to_pg_us(v, t));
  }
};

template <> struct value_traits<interval> {
  static constexpr Oid oid = oids::interval, array_oid = oids::interval_array;
  static constexpr const char *cpp_name = "plcpp::interval";
  // PostgreSQL's Interval layout: int64 time (µs), int32 day, int32 month.
  struct layout {
    std::int64_t time;
    std::int32_t day;
    std::int32_t month;
  };
  static bool reads(Oid t) noexcept { return t == oids::interval; }
  static bool writes(Oid t) noexcept { return t == oids::interval; }
  static interval from_datum(detail::raw_datum d, Oid) noexcept {
    layout l;
    std::memcpy(&l, detail::fixed_pointer(d), sizeof l);
    return {l.month, l.day, std::chrono::microseconds(l.time)};
  }
  static detail::raw_datum to_datum(const interval &v, Oid) {
    layout l{v.time.count(), v.days, v.months};
    return detail::fixed_datum(&l, sizeof l);
  }
};

} // namespace plcpp
