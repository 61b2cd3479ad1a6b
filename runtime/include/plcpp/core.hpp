// plcpp/core.hpp — the scalar core of the runtime header: how the fixed-size SQL scalars (bool,
// int2/4/8, float4/8) cross as C++ values, and the range-checked conversion of a returned
// value to the declared type.
//
// types.hpp builds on it, so every body converts these values through this one code. It is
// also the whole header of a *core unit* (jit/source.h): a STRICT function over these types
// whose body is plain C++ arithmetic (no calls, no `::`) is compiled without the standard
// library and the runtime API, a few milliseconds instead of the tens that the precompiled
// runtime header costs to load. So: no headers here beyond the two cheapest ones.
#pragma once

#include "config.hpp"

#include <limits>
#include <type_traits>

namespace plcpp::detail {

[[noreturn]] PLCPP_API void throw_result_out_of_range(const char *from, const char *to);

template <class T> constexpr const char *arithmetic_name() {
  if constexpr (std::is_floating_point_v<T>)
    return sizeof(T) == 4 ? "float" : "double";
  else if constexpr (std::is_signed_v<T>)
    return sizeof(T) == 2 ? "int16_t" : sizeof(T) == 4 ? "int32_t" : "int64_t";
  else
    return "an unsigned integer";
}

// std::in_range without <utility>: is integer v representable as integer type T?
template <class T, class U> constexpr bool integer_fits(U v) noexcept {
  if constexpr (std::is_signed_v<U>)
    if (v < 0)
      return std::is_signed_v<T> &&
             static_cast<long long>(v) >= static_cast<long long>(std::numeric_limits<T>::min());
  return static_cast<unsigned long long>(v) <=
         static_cast<unsigned long long>(std::numeric_limits<T>::max());
}

// A returned value converted to the declared C++ type T, range-checked where C++ would
// silently truncate (int64_t returned from a function declared RETURNS int, 1e300 as
// float4): SQLSTATE 22003 instead of a wrong value.
template <class T, class U> T checked(U &&v) {
  using D = std::remove_cvref_t<U>;
  if constexpr (std::is_arithmetic_v<T> && std::is_arithmetic_v<D> && !std::is_same_v<T, D> &&
                !std::is_same_v<T, bool> && !std::is_same_v<D, bool>) {
    bool ok = true;
    if constexpr (std::is_integral_v<T> && std::is_integral_v<D>) {
      ok = integer_fits<T>(v);
    } else if constexpr (std::is_integral_v<T>) { // from floating point
      constexpr long double lo = static_cast<long double>(std::numeric_limits<T>::min());
      constexpr long double hi = static_cast<long double>(std::numeric_limits<T>::max()) + 1.0L;
      ok = v >= lo && v < hi; // false for NaN
    } else if constexpr (std::is_floating_point_v<D> && sizeof(T) < sizeof(D)) {
      ok = !__builtin_isfinite(v) || __builtin_isfinite(static_cast<T>(v));
    }
    if (!ok) throw_result_out_of_range(arithmetic_name<D>(), arithmetic_name<T>());
    return static_cast<T>(v);
  } else if constexpr (
      std::is_arithmetic_v<T> && requires { typename D::value_type; } &&
      requires(const D &d) { d.value(); }) {
    // plcpp::checked<U> (checked.hpp) returned as another integer: range-checked as U is.
    if constexpr (std::is_arithmetic_v<typename D::value_type> &&
                  std::is_convertible_v<D, typename D::value_type>)
      return checked<T>(v.value());
    else
      return T(static_cast<U &&>(v));
  } else {
    return T(static_cast<U &&>(v));
  }
}

// Datum <-> value for each fixed-size scalar at its own SQL type (PostgreSQL's
// DatumGetInt32, Float8GetDatum, ...).
inline bool datum_bool(raw_datum d) noexcept {
  return (d & 0xff) != 0;
}
inline raw_datum bool_datum(bool v) noexcept {
  return v ? 1 : 0;
}
template <class I> raw_datum integer_datum(I v) noexcept { // I: int16_t, int32_t or int64_t
  return static_cast<raw_datum>(static_cast<std::intptr_t>(v));
}
inline float datum_float4(raw_datum d) noexcept {
  std::uint32_t bits = static_cast<std::uint32_t>(d);
  float v;
  __builtin_memcpy(&v, &bits, sizeof v);
  return v;
}
inline raw_datum float4_datum(float v) noexcept {
  std::uint32_t bits;
  __builtin_memcpy(&bits, &v, sizeof bits);
  return bits;
}
inline double datum_float8(raw_datum d) noexcept {
  double v;
  __builtin_memcpy(&v, &d, sizeof v);
  return v;
}
inline raw_datum float8_datum(double v) noexcept {
  raw_datum bits;
  __builtin_memcpy(&bits, &v, sizeof bits);
  return bits;
}

// A core unit's entry point (jit/source.cpp): T is the C++ type of the SQL type, exactly.
template <class T> T core_arg(const call_frame *f, int i) noexcept {
  raw_datum d = f->args[i].value;
  if constexpr (std::is_same_v<T, bool>)
    return datum_bool(d);
  else if constexpr (std::is_same_v<T, float>)
    return datum_float4(d);
  else if constexpr (std::is_same_v<T, double>)
    return datum_float8(d);
  else
    return static_cast<T>(d); // int16_t, int32_t, int64_t
}

// What a core unit's body returns: its declared result type, from anything that converts to
// it implicitly, range-checked as plcpp::ret<T> does (types.hpp).
template <class T> class core_ret {
public:
  template <class U, std::enable_if_t<std::is_convertible_v<U &&, T>, int> = 0>
  core_ret(U &&v) : value_(checked<T>(static_cast<U &&>(v))) {}
  T value() const noexcept { return value_; }

private:
  T value_;
};

template <class T> raw_datum core_result(call_frame *f, core_ret<T> r) noexcept {
  f->result_isnull = false;
  if constexpr (std::is_same_v<T, bool>)
    return bool_datum(r.value());
  else if constexpr (std::is_same_v<T, float>)
    return float4_datum(r.value());
  else if constexpr (std::is_same_v<T, double>)
    return float8_datum(r.value());
  else
    return integer_datum(r.value());
}

} // namespace plcpp::detail
