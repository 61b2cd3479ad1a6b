// plcpp/numeric.hpp — numeric, exact: PostgreSQL's own arithmetic on PostgreSQL's own values.
//
// plcpp::numeric holds the value in its canonical text form ("12.50", "NaN") and does
// arithmetic and comparison with the server's numeric functions, so results are exactly what
// SQL computes (scale rules included). Conversions to double and int64 are explicit.
#pragma once

#include "types.hpp"

#include <compare>
#include <ostream>

namespace plcpp {

class numeric;

namespace detail {
PLCPP_API std::string numeric_canonical(std::string_view text); // 22P02 on bad input
PLCPP_API std::string numeric_from_double(double v);
PLCPP_API std::string numeric_binary(char op, const std::string &a, const std::string &b);
PLCPP_API int numeric_compare(const std::string &a, const std::string &b);
PLCPP_API double numeric_to_double(const std::string &a);
PLCPP_API std::int64_t numeric_to_int64(const std::string &a); // 22003 out of range, rounds
} // namespace detail

class numeric {
public:
  numeric() : text_("0") {}
  numeric(std::int64_t v) : text_(std::to_string(v)) {}
  numeric(std::int32_t v) : text_(std::to_string(v)) {}
  explicit numeric(double v) : text_(detail::numeric_from_double(v)) {}
  explicit numeric(std::string_view text) : text_(detail::numeric_canonical(text)) {}

  const std::string &to_string() const noexcept { return text_; }
  double to_double() const { return detail::numeric_to_double(text_); }
  std::int64_t to_int64() const { return detail::numeric_to_int64(text_); }

  friend numeric operator+(const numeric &a, const numeric &b) { return op('+', a, b); }
  friend numeric operator-(const numeric &a, const numeric &b) { return op('-', a, b); }
  friend numeric operator*(const numeric &a, const numeric &b) { return op('*', a, b); }
  friend numeric operator/(const numeric &a, const numeric &b) { return op('/', a, b); }
  friend numeric operator%(const numeric &a, const numeric &b) { return op('%', a, b); }
  numeric &operator+=(const numeric &b) { return *this = *this + b; }
  numeric &operator-=(const numeric &b) { return *this = *this - b; }
  numeric &operator*=(const numeric &b) { return *this = *this * b; }
  numeric &operator/=(const numeric &b) { return *this = *this / b; }
  friend bool operator==(const numeric &a, const numeric &b) {
    return detail::numeric_compare(a.text_, b.text_) == 0;
  }
  friend std::strong_ordering operator<=>(const numeric &a, const numeric &b) {
    return detail::numeric_compare(a.text_, b.text_) <=> 0;
  }
  friend std::ostream &operator<<(std::ostream &o, const numeric &n) { return o << n.text_; }

  // Already canonical text (from the server): no round trip.
  static numeric from_canonical(std::string text) {
    numeric n;
    n.text_ = std::move(text);
    return n;
  }

private:
  static numeric op(char o, const numeric &a, const numeric &b) {
    return from_canonical(detail::numeric_binary(o, a.text_, b.text_));
  }
  std::string text_;
};

template <> struct value_traits<numeric> {
  static constexpr Oid oid = oids::numeric, array_oid = oids::numeric_array;
  static constexpr const char *cpp_name = "plcpp::numeric";
  static bool reads(Oid t) noexcept { return t == oids::numeric; }
  static bool writes(Oid t) noexcept { return t == oids::numeric; }
  static numeric from_datum(detail::raw_datum d, Oid t) {
    return numeric::from_canonical(detail::output_text(d, t));
  }
  static detail::raw_datum to_datum(const numeric &v, Oid t) {
    return detail::input_text(v.to_string(), t);
  }
};

} // namespace plcpp
