// plcpp/checked.hpp — integer arithmetic that raises SQL errors instead of wrapping.
//
// C++ integer arithmetic wraps (unsigned, or signed with -fwrapv) or is undefined on overflow;
// SQL raises 22003. checked<T> is an integer whose + - * / % and unary - raise SQLSTATE 22003
// (`integer out of range`, as int4 arithmetic says) on overflow and 22012 on division by zero,
// as PL/pgSQL does. It converts implicitly to T (so it can be returned, compared, passed), and
// from T; mixing with another integer type range-checks that operand first.
//
//   checked<int64_t> sum = 0;
//   for (auto v : values) sum += *v;   // 22003 instead of a negative sum
//   return sum;
//
// Plain int32_t/int64_t arithmetic stays unchecked: the checks cost a branch per operation.
#pragma once

#include "errors.hpp"
#include "types.hpp"

#include <limits>
#include <type_traits>

namespace plcpp {

namespace detail {
template <class T> constexpr const char *checked_name() {
  return sizeof(T) <= 2   ? "smallint out of range"
         : sizeof(T) <= 4 ? "integer out of range"
                          : "bigint out of range";
}
template <class T> [[noreturn]] void throw_checked_overflow() {
  throw sql_error("22003", checked_name<T>());
}
[[noreturn]] inline void throw_division_by_zero() {
  throw sql_error("22012", "division by zero");
}
} // namespace detail

template <class T> class checked {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>,
                "plcpp::checked<T> takes an integer type");

public:
  using value_type = T;
  constexpr checked() noexcept = default;
  constexpr checked(T v) noexcept : v_(v) {}
  // Another integer type, range-checked (checked<int32_t> c = some_int64;).
  template <class U, std::enable_if_t<std::is_integral_v<U> && !std::is_same_v<U, T> &&
                                          !std::is_same_v<U, bool>,
                                      int> = 0>
  constexpr checked(U v) : v_(fit(v)) {}

  constexpr T value() const noexcept { return v_; }
  constexpr operator T() const noexcept { return v_; }

  friend checked operator+(checked a, checked b) {
    T r;
    if (__builtin_add_overflow(a.v_, b.v_, &r)) detail::throw_checked_overflow<T>();
    return r;
  }
  friend checked operator-(checked a, checked b) {
    T r;
    if (__builtin_sub_overflow(a.v_, b.v_, &r)) detail::throw_checked_overflow<T>();
    return r;
  }
  friend checked operator*(checked a, checked b) {
    T r;
    if (__builtin_mul_overflow(a.v_, b.v_, &r)) detail::throw_checked_overflow<T>();
    return r;
  }
  friend checked operator/(checked a, checked b) {
    if (b.v_ == 0) detail::throw_division_by_zero();
    if constexpr (std::is_signed_v<T>)
      if (b.v_ == -1 && a.v_ == std::numeric_limits<T>::min()) detail::throw_checked_overflow<T>();
    return static_cast<T>(a.v_ / b.v_);
  }
  friend checked operator%(checked a, checked b) {
    if (b.v_ == 0) detail::throw_division_by_zero();
    if constexpr (std::is_signed_v<T>)
      if (b.v_ == -1) return T(0); // INT_MIN % -1 traps on x86; SQL says 0
    return static_cast<T>(a.v_ % b.v_);
  }
  checked operator-() const { return checked(T(0)) - *this; }
  checked operator+() const noexcept { return *this; }

  // Mixed with a plain integer: exact matches, so they win over the built-in operators on T.
#define PLCPP_CHECKED_MIXED(op)                                                                    \
  template <class U, std::enable_if_t<std::is_integral_v<U>, int> = 0>                             \
  friend checked operator op(checked a, U b) {                                                     \
    return a op checked(b);                                                                        \
  }                                                                                                \
  template <class U, std::enable_if_t<std::is_integral_v<U>, int> = 0>                             \
  friend checked operator op(U a, checked b) {                                                     \
    return checked(a) op b;                                                                        \
  }                                                                                                \
  checked &operator op##=(checked b) {                                                             \
    return *this = *this op b;                                                                     \
  }
  PLCPP_CHECKED_MIXED(+)
  PLCPP_CHECKED_MIXED(-)
  PLCPP_CHECKED_MIXED(*)
  PLCPP_CHECKED_MIXED(/)
  PLCPP_CHECKED_MIXED(%)
#undef PLCPP_CHECKED_MIXED

  checked &operator++() {
    return *this += checked(T(1));
  }
  checked &operator--() {
    return *this -= checked(T(1));
  }
  checked operator++(int) {
    checked old = *this;
    ++*this;
    return old;
  }
  checked operator--(int) {
    checked old = *this;
    --*this;
    return old;
  }

private:
  template <class U> static constexpr T fit(U v) {
    if (!detail::integer_fits<T>(v)) detail::throw_checked_overflow<T>();
    return static_cast<T>(v);
  }
  T v_ = 0;
};

// As a query parameter or a row value: the same as T.
template <class T> struct value_traits<checked<T>> : value_traits<T> {
  static checked<T> from_datum(detail::raw_datum d, Oid t) {
    return value_traits<T>::from_datum(d, t);
  }
  static detail::raw_datum to_datum(checked<T> v, Oid t) {
    return value_traits<T>::to_datum(v.value(), t);
  }
};

} // namespace plcpp
