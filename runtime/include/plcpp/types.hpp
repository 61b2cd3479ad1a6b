// plcpp/types.hpp — SQL <-> C++ value conversion, resolved at compile time.
//
// value_traits<T> says how a C++ type T meets SQL (DESIGN §4): its natural SQL type (`oid`,
// used for query parameters), which SQL types it reads and writes directly, and the
// conversions. from_sql/to_sql add NULL handling (std::optional) and fall back to
// PostgreSQL's assignment cast when T does not handle a type directly (reading an int4 column
// as std::string, yielding a double into a numeric column). The generated wrapper calls them
// with constant type OIDs, so for by-value types the whole conversion inlines into the body.
#pragma once

#include "config.hpp"
#include "core.hpp"
#include "oids.hpp"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <concepts>
#include <cstring>
#include <iosfwd>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace plcpp {

// A value of a type plcpp has no C++ type for (domains, enums, ranges, user types), in the
// text form of the type's output/input functions. As a query parameter it is an untyped
// literal, so the server infers its type from the query.
struct datum {
  std::string text;
  bool operator==(const datum &) const = default;
};

template <class T> struct vector_element { using type = void; };
template <class E> struct vector_element<std::vector<E>> { using type = E; };

namespace detail {

template <class T> struct optional_of {
  static constexpr bool value = false;
  using type = T;
};
template <class T> struct optional_of<std::optional<T>> {
  static constexpr bool value = true;
  using type = T;
};

// Is T a time point of clock C with a coarser duration than D (floor, don't refuse)?
template <class T, class C, class D> struct coarser_time_point : std::false_type {};
template <class C, class D1, class D2>
struct coarser_time_point<std::chrono::time_point<C, D1>, C, D2>
    : std::bool_constant<
          !std::is_convertible_v<std::chrono::time_point<C, D2>, std::chrono::time_point<C, D1>>> {
};

} // namespace detail

// The declared return type of every non-void scalar body: the SQL result or NULL
// (std::nullopt). Implicit from anything T can be built from, so `return x + 1;`,
// `return std::nullopt;`, `return some_optional;` and, for text, `return std::string_view{..};`
// all work.
template <class T> class ret {
public:
  ret(std::nullopt_t) noexcept {}
  template <class U, std::enable_if_t<std::is_convertible_v<U &&, T>, int> = 0>
  ret(U &&v) : value_(detail::checked<T>(std::forward<U>(v))) {}
  // A finer time point of the same clock (std::chrono::system_clock::now() as timestamptz).
  template <class C, class D, std::enable_if_t<detail::coarser_time_point<T, C, D>::value, int> = 0>
  ret(std::chrono::time_point<C, D> v) : value_(std::chrono::floor<typename T::duration>(v)) {}
  template <class U,
            std::enable_if_t<!std::is_convertible_v<U &&, T> && std::is_constructible_v<T, U &&> &&
                                 std::is_same_v<T, std::string>,
                             int> = 0>
  ret(U &&v) : value_(T(std::forward<U>(v))) {} // string from string_view: owning copy
  template <class U, std::enable_if_t<std::is_constructible_v<T, const U &>, int> = 0>
  ret(const std::optional<U> &v) {
    if (v) value_.emplace(detail::checked<T>(*v));
  }

  // An array result (T = std::vector<std::optional<E>>) also takes a std::vector<U> of
  // anything E is built from: return std::vector<int>{1, 2};
  template <class U, std::enable_if_t<
                         !std::is_convertible_v<const std::vector<U> &, T> &&
                             std::is_constructible_v<typename vector_element<T>::type, const U &>,
                         int> = 0>
  ret(const std::vector<U> &v) {
    using element = typename detail::optional_of<typename vector_element<T>::type>::type;
    T &out = value_.emplace();
    out.reserve(v.size());
    for (const auto &e : v) {
      if constexpr (detail::optional_of<U>::value) {
        if (e)
          out.emplace_back(detail::checked<element>(*e));
        else
          out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(detail::checked<element>(e));
      }
    }
  }

  std::optional<T> &value() noexcept { return value_; }

private:
  std::optional<T> value_;
};

// Primary template: a type without traits cannot cross to SQL (the error names T).
template <class T, class = void> struct value_traits;

namespace detail {

// Runtime entry points (runtime/types.cpp). Views stay valid for the call; returned datums
// are palloc'd in the current memory context (the caller's, during a call).
PLCPP_API std::string_view text_view(raw_datum d);
PLCPP_API raw_datum text_datum(std::string_view s);
PLCPP_API std::string_view name_view(raw_datum d);
PLCPP_API raw_datum name_datum(std::string_view s);
PLCPP_API std::span<const std::byte> bytea_view(raw_datum d);
PLCPP_API raw_datum bytea_datum(std::span<const std::byte> s);
// PostgreSQL's assignment cast from `from` to `to` (function, binary or via text I/O).
PLCPP_API raw_datum coerce(raw_datum d, Oid from, Oid to);
PLCPP_API std::string output_text(raw_datum d, Oid type);
// Is `type` a composite (row) type, named or record?
PLCPP_API bool is_composite_type(Oid type);
PLCPP_API raw_datum input_text(std::string_view s, Oid type);
// Values that point into the memory of a call remember the call's id (0 outside a call) and
// check that it is still running before they are used: SQLSTATE 55000 if it ended (a value
// kept in a static and used by a later call), instead of reading freed memory.
PLCPP_API std::uint64_t call_id() noexcept;
PLCPP_API bool call_alive(std::uint64_t id) noexcept;
PLCPP_API void check_alive(std::uint64_t id, const char *what);
// Where a value comes from, for error messages: {"column", "qty"} -> column "qty".
struct place {
  const char *kind;
  std::string_view name = {};
};
[[noreturn]] PLCPP_API void throw_null_into(const char *cpp_type, const place &where);
[[noreturn]] PLCPP_API void throw_out_of_range(const char *cpp_type, Oid sql_type);

// Integers read and write every integer type, and floats, with range checks (as PL/pgSQL's
// assignments do): get<int32_t>() of count(*) works while it fits.
template <class I> struct integer_traits {
  static bool reads(Oid t) noexcept {
    return t == oids::int2 || t == oids::int4 || t == oids::int8;
  }
  static bool writes(Oid t) noexcept {
    return t == oids::int2 || t == oids::int4 || t == oids::int8 || t == oids::float4 ||
           t == oids::float8;
  }
  static I from_datum(raw_datum d, Oid t) {
    std::int64_t v = t == oids::int2   ? static_cast<std::int16_t>(d)
                     : t == oids::int4 ? static_cast<std::int32_t>(d)
                                       : static_cast<std::int64_t>(d);
    if constexpr (std::is_signed_v<I>) {
      if (v < std::numeric_limits<I>::min() || v > std::numeric_limits<I>::max())
        throw_out_of_range(value_traits<I>::cpp_name, t);
    } else {
      if (v < 0 || static_cast<std::uint64_t>(v) > std::numeric_limits<I>::max())
        throw_out_of_range(value_traits<I>::cpp_name, t);
    }
    return static_cast<I>(v);
  }
  static raw_datum to_datum(I v, Oid t) {
    auto check = [&](auto lo, auto hi) {
      if constexpr (std::is_signed_v<I>) {
        if (v < lo || v > hi) throw_out_of_range(value_traits<I>::cpp_name, t);
      } else {
        if (v > static_cast<std::uint64_t>(hi)) throw_out_of_range(value_traits<I>::cpp_name, t);
      }
    };
    if (t == oids::int2) {
      check(std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max());
      return integer_datum(static_cast<std::int16_t>(v));
    }
    if (t == oids::int4) {
      check(std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max());
      return integer_datum(static_cast<std::int32_t>(v));
    }
    if (t == oids::float4) return float4_datum(static_cast<float>(v));
    if (t == oids::float8) return float8_datum(static_cast<double>(v));
    check(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
    return integer_datum(static_cast<std::int64_t>(v));
  }
};

template <class F> struct float_traits {
  static bool reads(Oid t) noexcept {
    return t == oids::float4 || t == oids::float8 || t == oids::int2 || t == oids::int4;
  }
  static bool writes(Oid t) noexcept { return t == oids::float4 || t == oids::float8; }
  static F from_datum(raw_datum d, Oid t) {
    if (t == oids::float4) return static_cast<F>(datum_float4(d));
    if (t == oids::float8) {
      double v = datum_float8(d);
      if constexpr (sizeof(F) < sizeof(double))
        if (std::isfinite(v) && !std::isfinite(static_cast<F>(v)))
          throw_out_of_range(value_traits<F>::cpp_name, t);
      return static_cast<F>(v);
    }
    return static_cast<F>(t == oids::int2 ? static_cast<std::int16_t>(d)
                                          : static_cast<std::int32_t>(d));
  }
  static raw_datum to_datum(F v, Oid t) {
    if (t == oids::float4) {
      float f = static_cast<float>(v);
      if (std::isinf(f) && !std::isinf(v)) throw_out_of_range(value_traits<F>::cpp_name, t);
      return float4_datum(f);
    }
    return float8_datum(static_cast<double>(v));
  }
};

inline bool is_text_type(Oid t) noexcept {
  return t == oids::text || t == oids::varchar || t == oids::bpchar || t == oids::name;
}

// Writers of text shared by std::string, std::string_view and const char*.
struct text_writer {
  static bool writes(Oid t) noexcept { return is_text_type(t); }
  static raw_datum to_datum(std::string_view v, Oid t) {
    return t == oids::name ? name_datum(v) : text_datum(v);
  }
};

} // namespace detail

template <> struct value_traits<bool> {
  static constexpr Oid oid = oids::bool_, array_oid = oids::bool_array;
  static constexpr const char *cpp_name = "bool";
  static bool reads(Oid t) noexcept { return t == oids::bool_; }
  static bool writes(Oid t) noexcept { return t == oids::bool_; }
  static bool from_datum(detail::raw_datum d, Oid) noexcept { return detail::datum_bool(d); }
  static detail::raw_datum to_datum(bool v, Oid) noexcept { return detail::bool_datum(v); }
};
template <> struct value_traits<std::int16_t> : detail::integer_traits<std::int16_t> {
  static constexpr Oid oid = oids::int2, array_oid = oids::int2_array;
  static constexpr const char *cpp_name = "int16_t";
};
template <> struct value_traits<std::int32_t> : detail::integer_traits<std::int32_t> {
  static constexpr Oid oid = oids::int4, array_oid = oids::int4_array;
  static constexpr const char *cpp_name = "int32_t";
};
template <> struct value_traits<long> : detail::integer_traits<long> {
  static constexpr Oid oid = oids::int8, array_oid = oids::int8_array;
  static constexpr const char *cpp_name = "int64_t";
};
template <> struct value_traits<long long> : detail::integer_traits<long long> {
  static constexpr Oid oid = oids::int8, array_oid = oids::int8_array;
  static constexpr const char *cpp_name = "long long";
};
// Unsigned sizes (v.size()) go to bigint, range-checked.
template <> struct value_traits<unsigned long> : detail::integer_traits<unsigned long> {
  static constexpr Oid oid = oids::int8, array_oid = oids::int8_array;
  static constexpr const char *cpp_name = "unsigned long";
};
// Oid (uint32) is the SQL type oid.
template <> struct value_traits<Oid> {
  static constexpr Oid oid = oids::oid, array_oid = oids::oid_array;
  static constexpr const char *cpp_name = "Oid";
  static bool reads(Oid t) noexcept { return t == oids::oid; }
  static bool writes(Oid t) noexcept { return t == oids::oid; }
  static Oid from_datum(detail::raw_datum d, Oid) noexcept { return static_cast<Oid>(d); }
  static detail::raw_datum to_datum(Oid v, Oid) noexcept { return v; }
};
template <> struct value_traits<float> : detail::float_traits<float> {
  static constexpr Oid oid = oids::float4, array_oid = oids::float4_array;
  static constexpr const char *cpp_name = "float";
};
template <> struct value_traits<double> : detail::float_traits<double> {
  static constexpr Oid oid = oids::float8, array_oid = oids::float8_array;
  static constexpr const char *cpp_name = "double";
};

template <> struct value_traits<std::string_view> : detail::text_writer {
  static constexpr Oid oid = oids::text, array_oid = oids::text_array;
  static constexpr const char *cpp_name = "std::string_view";
  static bool reads(Oid t) noexcept { return detail::is_text_type(t); }
  static std::string_view from_datum(detail::raw_datum d, Oid t) {
    return t == oids::name ? detail::name_view(d) : detail::text_view(d);
  }
};
template <> struct value_traits<std::string> : detail::text_writer {
  static constexpr Oid oid = oids::text, array_oid = oids::text_array;
  static constexpr const char *cpp_name = "std::string";
  static bool reads(Oid t) noexcept { return detail::is_text_type(t); }
  static std::string from_datum(detail::raw_datum d, Oid t) {
    return std::string(value_traits<std::string_view>::from_datum(d, t));
  }
};
// Write-only: string literals and C strings as parameters or results.
template <> struct value_traits<const char *> : detail::text_writer {
  static constexpr Oid oid = oids::text, array_oid = oids::text_array;
  static constexpr const char *cpp_name = "const char*";
};
template <> struct value_traits<char *> : value_traits<const char *> {};

template <> struct value_traits<std::span<const std::byte>> {
  static constexpr Oid oid = oids::bytea, array_oid = oids::bytea_array;
  static constexpr const char *cpp_name = "std::span<const std::byte>";
  static bool reads(Oid t) noexcept { return t == oids::bytea; }
  static bool writes(Oid t) noexcept { return t == oids::bytea; }
  static std::span<const std::byte> from_datum(detail::raw_datum d, Oid) {
    return detail::bytea_view(d);
  }
  static detail::raw_datum to_datum(std::span<const std::byte> v, Oid) {
    return detail::bytea_datum(v);
  }
};
template <> struct value_traits<std::vector<std::byte>> {
  static constexpr Oid oid = oids::bytea, array_oid = oids::bytea_array;
  static constexpr const char *cpp_name = "std::vector<std::byte>";
  static bool reads(Oid t) noexcept { return t == oids::bytea; }
  static bool writes(Oid t) noexcept { return t == oids::bytea; }
  static std::vector<std::byte> from_datum(detail::raw_datum d, Oid) {
    auto s = detail::bytea_view(d);
    return {s.begin(), s.end()};
  }
  static detail::raw_datum to_datum(const std::vector<std::byte> &v, Oid) {
    return detail::bytea_datum(v);
  }
};

template <> struct value_traits<datum> {
  static constexpr Oid oid = oids::unknown, array_oid = oids::text_array;
  static constexpr const char *cpp_name = "plcpp::datum";
  static bool reads(Oid) noexcept { return true; }
  static bool writes(Oid) noexcept { return true; }
  static datum from_datum(detail::raw_datum d, Oid t) { return {detail::output_text(d, t)}; }
  static detail::raw_datum to_datum(const datum &v, Oid t) { return detail::input_text(v.text, t); }
};

// A value of a domain over a type that has a C++ type T (a domain over int, text, numeric,
// an array, a composite, ...): the base value, read as T (value(), or implicitly: `n + 1` for
// a domain over int, `std::string s = code;`, `code->size()`), and its text form in `text`,
// as plcpp::datum has it (bodies written when domains arrived as plcpp::datum keep working).
// Domains over types without a C++ type (enums, ranges, ...) stay plcpp::datum.
//
// Built in a body from a base value (`return x + 1;`) it has an empty `text`; built from a
// plcpp::datum it has that text, which the domain's input function reads when the value goes
// to SQL (exactly as a datum would), and value() is that text read as T. Going to SQL, the
// domain's NOT NULL and CHECK constraints and its base typmod are checked (23502, 23514,
// 22001, ...), as PL/pgSQL's assignment does. A domain value owns its data: it may be kept
// in a static. Changing `text` does not change the value: build a new one.
template <class T> class domain;

namespace detail {
template <class T> struct is_domain : std::false_type {};
template <class T> struct is_domain<domain<T>> : std::true_type {};
// The base type of a domain, through domains over domains (the type itself if it is none).
PLCPP_API Oid base_type(Oid type);
template <class T> T from_sql(raw_datum d, bool isnull, Oid type, const place &where);
template <class T> void to_sql(const T &v, raw_datum &d, bool &isnull, Oid type);
} // namespace detail

template <class T> class domain {
public:
  using value_type = T;
  std::string text; // the text form (see above): empty if built from a base value in the body

  domain() = default;
  // From anything T is built from implicitly (and text from a std::string_view), range-checked
  // as a returned value is: `return x + 1;` into a domain over int4 raises 22003 if it does
  // not fit.
  template <class U>
  requires(!std::is_same_v<std::remove_cvref_t<U>, domain> &&
           !std::is_same_v<std::remove_cvref_t<U>, datum> &&
           (std::is_convertible_v<U &&, T> ||
            (std::is_same_v<T, std::string> && std::is_constructible_v<T, U &&>))) domain(U &&v)
      : value_(detail::checked<T>(std::forward<U>(v))) {}
  // From the text form (what a domain value was before: `return datum{"42"};`).
  domain(datum d) : text(std::move(d.text)), from_text_(true) {
    Oid t = value_traits<T>::oid;
    value_ = detail::from_sql<T>(detail::input_text(text, t), false, t, {"domain value"});
  }

  const T &value() const noexcept { return value_; }
  operator const T &() const noexcept { return value_; }
  const T *operator->() const noexcept { return &value_; }
  // Was it built from its text form (then that text goes to SQL, read by the domain's input)?
  bool from_text() const noexcept { return from_text_; }
  // As plcpp::datum, the text form (code written for domains as datums: `datum d = n;`); a
  // value built from its base value gets the base type's output text.
  operator datum() const {
    if (from_text_ || !text.empty()) return datum{text};
    detail::raw_datum d;
    bool isnull;
    detail::to_sql(value_, d, isnull, value_traits<T>::oid);
    return datum{detail::output_text(d, value_traits<T>::oid)};
  }

  template <class U>
  requires(!detail::is_domain<U>::value &&
           requires(const T &a, const U &b) {
             { a == b } -> std::convertible_to<bool>;
           }) friend bool
  operator==(const domain &a, const U &b) {
    return a.value_ == b;
  }
  friend bool operator==(const domain &a, const domain &b) requires requires(const T &x) {
    { x == x } -> std::convertible_to<bool>;
  }
  { return a.value_ == b.value_; }
  template <class C, class Tr>
  requires requires(std::basic_ostream<C, Tr> &o, const T &v) { o << v; }
  friend std::basic_ostream<C, Tr> &operator<<(std::basic_ostream<C, Tr> &o, const domain &d) {
    return o << d.value_;
  }

  // Used by value_traits<domain<T>>: a value read from SQL, with its text form.
  domain(T v, std::string t, std::true_type) : text(std::move(t)), value_(std::move(v)) {}

private:
  T value_{};
  bool from_text_ = false;
};

template <class T> struct value_traits<domain<T>> {
  // As a query parameter: the base value, of T's own type.
  static constexpr Oid oid = value_traits<T>::oid, array_oid = value_traits<T>::array_oid;
  static constexpr const char *cpp_name = "plcpp::domain";
  static bool reads(Oid) noexcept { return true; }
  static bool writes(Oid) noexcept { return true; }
  static domain<T> from_datum(detail::raw_datum d, Oid t) {
    // A domain's datum is its base type's: read it at that type.
    T v = detail::from_sql<T>(d, false, detail::base_type(t), {"domain value"});
    return domain<T>(std::move(v), detail::output_text(d, t), std::true_type{});
  }
  // Into the domain type: T's conversion to the base type, then the domain's checks (to_sql
  // casts into the domain); from the text form: the type's input function, as for a datum.
  static detail::raw_datum to_datum(const domain<T> &v, Oid t) {
    if (v.from_text()) return detail::input_text(v.text, t);
    detail::raw_datum d;
    bool isnull;
    detail::to_sql(v.value(), d, isnull, t);
    return d;
  }
};

namespace detail {

// The traits key of a C++ value: string literals and char arrays are C strings.
template <class T> using traits_key = std::conditional_t<std::is_array_v<T>, const char *, T>;

// A datum of SQL type `type` (or NULL) as C++ T; T = std::optional<U> takes NULL.
template <class T> T from_sql(raw_datum d, bool isnull, Oid type, const place &where) {
  if constexpr (optional_of<T>::value) {
    if (isnull) return std::nullopt;
    return from_sql<typename optional_of<T>::type>(d, false, type, where);
  } else {
    using traits = value_traits<T>;
    if (isnull) throw_null_into(traits::cpp_name, where);
    if (traits::reads(type)) return traits::from_datum(d, type);
    return traits::from_datum(coerce(d, type, traits::oid), traits::oid);
  }
}

// The natural SQL type of a C++ value (a query parameter's type).
template <class T> constexpr Oid sql_type_of() {
  using U = typename optional_of<std::remove_cvref_t<T>>::type;
  if constexpr (std::is_same_v<U, std::nullopt_t>)
    return oids::unknown;
  else
    return value_traits<traits_key<U>>::oid;
}

// C++ value -> datum of SQL type `type` (0: the value's natural type), or NULL.
template <class T> void to_sql(const T &v, raw_datum &d, bool &isnull, Oid type) {
  if constexpr (std::is_same_v<T, std::nullopt_t>) {
    d = 0;
    isnull = true;
  } else if constexpr (optional_of<T>::value) {
    if (!v) {
      d = 0;
      isnull = true;
    } else {
      to_sql(*v, d, isnull, type);
    }
  } else {
    using traits = value_traits<traits_key<T>>;
    isnull = false;
    if (type == 0 || traits::writes(type))
      d = traits::to_datum(v, type ? type : traits::oid);
    else
      d = coerce(traits::to_datum(v, traits::oid), traits::oid, type);
  }
}

// Used by the generated entry point (jit/source.cpp) only.
template <class T> T arg(const call_frame *f, int i, Oid type) {
  return value_traits<T>::from_datum(f->args[i].value, type);
}
template <class T> std::optional<T> opt_arg(const call_frame *f, int i, Oid type) {
  if (f->args[i].isnull) return std::nullopt;
  return value_traits<T>::from_datum(f->args[i].value, type);
}
template <class T> raw_datum result(call_frame *f, ret<T> &&r, Oid type) {
  raw_datum d;
  to_sql(r.value(), d, f->result_isnull, type);
  return d;
}

} // namespace detail
} // namespace plcpp
