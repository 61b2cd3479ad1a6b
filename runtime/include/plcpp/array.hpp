// plcpp/array.hpp — SQL arrays as std::vector, and plcpp::array for any number of dimensions.
//
// An array argument arrives as plcpp::array<T>: a std::vector<std::optional<T>> of all its
// elements in storage order (row-major, as PL/pgSQL's FOREACH without SLICE visits them; a NULL
// element is std::nullopt, never a default value), plus its dimensions and lower bounds, so
// code written for one-dimensional vectors works unchanged. A body may also read an array as
// std::vector<T> (row.get<std::vector<int32_t>>(0)), which raises SQLSTATE 22004 if an element
// is NULL and 0A000 if the array has several dimensions (read it as plcpp::array<T>, or as
// nested vectors: std::vector<std::vector<T>>). Results may be std::vector<T>,
// std::vector<std::optional<T>>, nested vectors ({{1, 2}, {3, 4}}: a 2x2 array; ragged ones
// raise 2202E, as SQL's ARRAY[ARRAY[1,2], ARRAY[3]]) or a plcpp::array (its dimensions and
// lower bounds are kept: returning an argument gives it back unchanged).
#pragma once

#include "errors.hpp"
#include "types.hpp"

#include <initializer_list>

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
// Any number of dimensions (at most 6, PostgreSQL's MAXDIM); ndim 0 for an empty array.
struct array_md_contents {
  array_contents flat;
  int ndim;
  int dims[6];
  int lbounds[6];
};
PLCPP_API array_md_contents array_open_md(raw_datum array);
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
// With dimensions (ndim 0: one dimension of b.size) and lower bounds (nullptr: all 1); the
// product of the dimensions must be b.size (2202E otherwise).
PLCPP_API raw_datum array_finish_md(const array_builder &b, int ndim, const int *dims,
                                    const int *lbounds);
[[noreturn]] PLCPP_API void throw_ragged_array();
[[noreturn]] PLCPP_API void throw_array_subscript(long long index, int dim, int size);

// How deep a type nests std::vectors, and its innermost element (std::vector<std::vector<
// std::optional<int>>>: 2, std::optional<int>).
template <class U> struct nesting {
  static constexpr int depth = 0;
  using leaf = U;
};
template <> struct nesting<std::vector<std::byte>> { // bytea: an element, not a level
  static constexpr int depth = 0;
  using leaf = std::vector<std::byte>;
};
template <class U> struct nesting<std::vector<U>> {
  static constexpr int depth = 1 + nesting<U>::depth;
  using leaf = typename nesting<U>::leaf;
};

} // namespace detail

// A SQL array of any number of dimensions: all elements in storage order (the last index
// varies fastest), with dims() and lower_bounds(). One-dimensional, it is just the vector:
// push_back and friends keep it consistent. With several dimensions, operator()(i, j, ...)
// takes 0-based indexes (the SQL subscript minus the lower bound), range-checked (2202E).
template <class T> class array : public std::vector<std::optional<T>> {
  using base = std::vector<std::optional<T>>;

public:
  using base::base;
  array() = default;
  // From any vector of values T can be built from, nested to any depth up to 6: the
  // dimensions are the sizes of the levels, which must match at each level (2202E).
  template <class U>
  requires(detail::nesting<std::vector<U>>::depth <= 6 &&
           std::is_constructible_v<T, const typename detail::optional_of<
                                          typename detail::nesting<std::vector<U>>::leaf>::type &>)
      array(const std::vector<U> &v) {
    constexpr int depth = detail::nesting<std::vector<U>>::depth;
    if constexpr (depth > 1) {
      // The first element of each level sets the dimensions; append checks every level.
      dims_ = first_dims(v);
      std::size_t n = 1;
      for (int d : dims_)
        n *= static_cast<std::size_t>(d);
      this->reserve(n);
      append(v, 0);
      if (n == 0) dims_.clear(); // an empty array has no dimensions, as in SQL
    } else {
      append(v, 0);
    }
  }
  // Another element type (text arguments are array<std::string_view>, results
  // array<std::string>): the same shape, elements converted.
  template <class U>
  requires(!std::is_same_v<U, T> && std::is_constructible_v<T, const U &>)
      array(const array<U> &other)
      : dims_(other.raw_dims()), lbounds_(other.raw_lower_bounds()) {
    this->reserve(other.size());
    for (const auto &e : other) {
      if (e)
        this->emplace_back(detail::checked<T>(*e));
      else
        this->emplace_back(std::nullopt);
    }
  }
  // Explicit shape: the product of dims must be flat.size() when it is converted (2202E).
  array(std::vector<int> dims, base flat, std::vector<int> lower_bounds = {})
      : base(std::move(flat)), dims_(std::move(dims)), lbounds_(std::move(lower_bounds)) {
    if (dims_.size() == 1 && dims_[0] == static_cast<int>(this->size())) dims_.clear();
  }

  int ndim() const noexcept {
    return dims_.empty() ? (this->empty() ? 0 : 1) : static_cast<int>(dims_.size());
  }
  std::vector<int> dims() const {
    if (!dims_.empty()) return dims_;
    if (this->empty()) return {};
    return {static_cast<int>(this->size())};
  }
  // The SQL subscript of each dimension's first element (1 unless the array says otherwise).
  std::vector<int> lower_bounds() const {
    if (!lbounds_.empty()) return lbounds_;
    return std::vector<int>(static_cast<std::size_t>(ndim()), 1);
  }
  // The element at 0-based indexes, one per dimension.
  template <class... I>
  requires(std::is_integral_v<I> &&...) const std::optional<T> &operator()(I... index) const {
    return (*this)[flat_index({static_cast<long long>(index)...})];
  }
  template <class... I>
  requires(std::is_integral_v<I> &&...) std::optional<T>
  &operator()(I... index) { return (*this)[flat_index({static_cast<long long>(index)...})]; }
  std::size_t flat_index(std::initializer_list<long long> index) const {
    std::vector<int> d = dims();
    if (index.size() != d.size()) throw_subscript_count(index.size(), d.size());
    std::size_t flat = 0;
    int k = 0;
    for (long long i : index) {
      if (i < 0 || i >= d[k]) detail::throw_array_subscript(i, k + 1, d[k]);
      flat = flat * static_cast<std::size_t>(d[k]) + static_cast<std::size_t>(i);
      ++k;
    }
    return flat;
  }

  // Used by the conversions: the stored dimensions (empty: one, of size()) and lower bounds.
  const std::vector<int> &raw_dims() const noexcept { return dims_; }
  const std::vector<int> &raw_lower_bounds() const noexcept { return lbounds_; }

private:
  std::vector<int> dims_, lbounds_;

  [[noreturn]] static void throw_subscript_count(std::size_t given, std::size_t ndim) {
    throw sql_error("2202E", "array has " + std::to_string(ndim) + " dimension" +
                                 (ndim == 1 ? "" : "s") + ", " + std::to_string(given) + " index" +
                                 (given == 1 ? "" : "es") + " given");
  }
  template <class V> static std::vector<int> first_dims(const V &v) {
    std::vector<int> d{static_cast<int>(v.size())};
    if constexpr (detail::nesting<typename V::value_type>::depth > 0) {
      if (v.empty()) {
        d.resize(detail::nesting<V>::depth, 0);
      } else {
        auto rest = first_dims(v.front());
        d.insert(d.end(), rest.begin(), rest.end());
      }
    }
    return d;
  }
  template <class V> void append(const V &v, std::size_t level) {
    if (!dims_.empty() && v.size() != static_cast<std::size_t>(dims_[level]))
      detail::throw_ragged_array();
    for (const auto &e : v) {
      using E = std::remove_cvref_t<decltype(e)>;
      if constexpr (detail::nesting<E>::depth > 0) {
        append(e, level + 1);
      } else if constexpr (detail::optional_of<E>::value) {
        if (e)
          this->emplace_back(detail::checked<T>(*e));
        else
          this->emplace_back(std::nullopt);
      } else {
        this->emplace_back(detail::checked<T>(e));
      }
    }
  }
};

template <class E> struct value_traits<std::vector<E>> {
  using element = typename detail::optional_of<E>::type;
  static constexpr Oid oid = value_traits<element>::array_oid;
  static constexpr Oid array_oid = 0; // vectors of vectors: the specialization below
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

template <class T> struct value_traits<array<T>> {
  static constexpr Oid oid = value_traits<T>::array_oid;
  static constexpr Oid array_oid = 0; // an array of arrays is this array type
  static constexpr const char *cpp_name = "plcpp::array";
  static bool reads(Oid t) { return t == oid || detail::is_array_type(t); }
  static bool writes(Oid t) { return t == oid || detail::is_array_type(t); }
  static array<T> from_datum(detail::raw_datum d, Oid) {
    detail::array_md_contents a = detail::array_open_md(d);
    std::vector<std::optional<T>> flat;
    flat.reserve(static_cast<std::size_t>(a.flat.size));
    for (int i = 0; i < a.flat.size; ++i)
      flat.push_back(detail::from_sql<std::optional<T>>(a.flat.values[i], a.flat.nulls[i],
                                                        a.flat.element_type, {"array element"}));
    std::vector<int> lbounds(a.lbounds, a.lbounds + a.ndim);
    bool all_one = true;
    for (int b : lbounds)
      all_one = all_one && b == 1;
    if (all_one) lbounds.clear();
    return array<T>(std::vector<int>(a.dims, a.dims + a.ndim), std::move(flat), std::move(lbounds));
  }
  static detail::raw_datum to_datum(const array<T> &v, Oid t) {
    detail::array_builder b =
        detail::array_begin(t == oid ? oid : t, value_traits<T>::oid, v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      detail::to_sql(v[i], b.values[i], b.nulls[i], b.element_type);
    const auto &dims = v.raw_dims();
    const auto &lbounds = v.raw_lower_bounds();
    if (!lbounds.empty() && lbounds.size() != (dims.empty() ? 1 : dims.size()))
      detail::throw_ragged_array();
    return detail::array_finish_md(b, static_cast<int>(dims.size()), dims.data(),
                                   lbounds.empty() ? nullptr : lbounds.data());
  }
};

// Nested vectors are multidimensional arrays (as query parameters, yielded columns, results
// and row.get<std::vector<std::vector<int>>>): {{1, 2}, {3, 4}} is int4[] '{{1,2},{3,4}}'.
template <class E>
requires(!std::is_same_v<E, std::byte>) struct value_traits<std::vector<std::vector<E>>> {
  using V = std::vector<std::vector<E>>;
  using leaf = typename detail::optional_of<typename detail::nesting<V>::leaf>::type;
  static constexpr Oid oid = value_traits<leaf>::array_oid, array_oid = 0;
  static constexpr const char *cpp_name = "std::vector<std::vector>";
  static bool reads(Oid t) { return t == oid || detail::is_array_type(t); }
  static bool writes(Oid t) { return t == oid || detail::is_array_type(t); }
  static V from_datum(detail::raw_datum d, Oid t) {
    array<leaf> a = value_traits<array<leaf>>::from_datum(d, t);
    constexpr int depth = detail::nesting<V>::depth;
    if (a.ndim() != 0 && a.ndim() != depth)
      throw sql_error("2202E", "array of " + std::to_string(a.ndim()) +
                                   " dimensions cannot be read as vectors nested " +
                                   std::to_string(depth) + " deep");
    std::vector<int> dims = a.dims();
    std::size_t at = 0;
    V out;
    unflatten(out, a, dims, 0, at);
    return out;
  }
  static detail::raw_datum to_datum(const V &v, Oid t) {
    return value_traits<array<leaf>>::to_datum(array<leaf>(v), t == oid ? oid : t);
  }

private:
  template <class X>
  static void unflatten(std::vector<X> &out, const array<leaf> &a, const std::vector<int> &dims,
                        std::size_t level, std::size_t &at) {
    if (level >= dims.size()) return; // empty array: no elements at any level
    out.reserve(static_cast<std::size_t>(dims[level]));
    for (int i = 0; i < dims[level]; ++i) {
      if constexpr (detail::nesting<X>::depth > 0) {
        unflatten(out.emplace_back(), a, dims, level + 1, at);
      } else {
        if constexpr (detail::optional_of<X>::value) {
          out.push_back(a[at]);
        } else {
          if (!a[at]) detail::throw_null_into(value_traits<leaf>::cpp_name, {"array element"});
          out.push_back(*a[at]);
        }
        ++at;
      }
    }
  }
};

} // namespace plcpp
