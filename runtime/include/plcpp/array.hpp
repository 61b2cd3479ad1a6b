// plcpp/array.hpp — SQL arrays as std::vector.
//
// An array argument arrives as std::vector<std::optional<T>>: a NULL element is std::nullopt,
// never a default value and never undefined behaviour. A body may read an array as
// std::vector<T> (row.get<std::vector<int32_t>>(0)), which raises SQLSTATE 22004 if an element
// is NULL. Both vector<T> and vector<std::optional<T>> can be returned. Arrays are
// one-dimensional here: a multidimensional argument is rejected with SQLSTATE 0A000.
#pragma once

#include "types.hpp"

namespace plcpp {
namespace detail {

// One-dimensional array contents, palloc'd for the call (runtime/array.cpp).
struct array_contents {
  Oid element_type;
  int size;
  const raw_datum *values;
  const bool *nulls;
};
PLCPP_API array_contents array_open(raw_datum array);
// Is `type` an array type (so a std::vector can read it directly)?
PLCPP_API bool is_array_type(Oid type);

// Building an array of `array_type` (0: look it up from the element type) with n elements.
struct array_builder {
  Oid array_type;
  Oid element_type;
  int size;
  raw_datum *values;
  bool *nulls;
};
PLCPP_API array_builder array_begin(Oid array_type, Oid element_type, std::size_t n);
PLCPP_API raw_datum array_finish(const array_builder &b);

} // namespace detail

template <class E> struct value_traits<std::vector<E>> {
  using element = typename detail::optional_of<E>::type;
  static constexpr Oid oid = value_traits<element>::array_oid;
  static constexpr Oid array_oid = 0; // arrays of arrays are multidimensional: not supported
  static constexpr const char *cpp_name = "std::vector";
  static bool reads(Oid t) { return t == oid || detail::is_array_type(t); }
  static bool writes(Oid t) { return t == oid || detail::is_array_type(t); }
  static std::vector<E> from_datum(detail::raw_datum d, Oid) {
    detail::array_contents a = detail::array_open(d);
    std::vector<E> out;
    out.reserve(static_cast<std::size_t>(a.size));
    for (int i = 0; i < a.size; ++i)
      out.push_back(
          detail::from_sql<E>(a.values[i], a.nulls[i], a.element_type, {"array element"}));
    return out;
  }
  static detail::raw_datum to_datum(const std::vector<E> &v, Oid t) {
    detail::array_builder b =
        detail::array_begin(t == oid ? oid : t, value_traits<element>::oid, v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      detail::to_sql(static_cast<const E &>(v[i]), b.values[i], b.nulls[i], b.element_type);
    return detail::array_finish(b);
  }
};

} // namespace plcpp
