// plcpp/types.hpp — SQL <-> C++ value conversion, resolved at compile time.
//
// Each SQL type the generated wrapper can pass is a tag in plcpp::detail::sql. A tag's traits
// say which C++ type a body sees (`arg_type`), which it returns (`value_type`), and how to move
// between that and a Datum. By-value types convert inline, in the body's own machine code;
// varlena types call into the runtime, which goes through pg_call. No per-call dispatch.
#pragma once

#include "config.hpp"

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace plcpp {

// The declared return type of every non-void body: the SQL result or NULL (std::nullopt).
// Implicit from anything the SQL type's C++ value type can be built from, so `return x + 1;`,
// `return std::nullopt;`, `return some_optional;` and, for text, `return std::string_view{..};`
// all work.
template <class T> class ret {
public:
  ret(std::nullopt_t) noexcept {}
  template <class U, std::enable_if_t<std::is_convertible_v<U &&, T>, int> = 0>
  ret(U &&v) : value_(std::forward<U>(v)) {}
  template <class U,
            std::enable_if_t<!std::is_convertible_v<U &&, T> && std::is_constructible_v<T, U &&> &&
                                 std::is_same_v<T, std::string>,
                             int> = 0>
  ret(U &&v) : value_(T(std::forward<U>(v))) {} // string from string_view: owning copy
  template <class U, std::enable_if_t<std::is_constructible_v<T, const U &>, int> = 0>
  ret(const std::optional<U> &v) {
    if (v) value_.emplace(*v);
  }

  std::optional<T> &value() noexcept { return value_; }

private:
  std::optional<T> value_;
};

namespace detail {

// Runtime entry points for varlena values (runtime/types.cpp). The views stay valid for the
// call; returned Datums are palloc'd in the caller's memory context.
PLCPP_API std::string_view text_view(datum d);
PLCPP_API datum text_datum(std::string_view s);
PLCPP_API std::string_view name_view(datum d);
PLCPP_API datum name_datum(std::string_view s);

namespace sql {
template <class Value> struct by_value {
  using arg_type = Value;
  using value_type = Value;
};
struct bool_ : by_value<bool> {
  static bool from(datum d) noexcept { return d != 0; }
  static datum to(bool v) noexcept { return v ? 1 : 0; }
};
struct int2 : by_value<std::int16_t> {
  static std::int16_t from(datum d) noexcept { return static_cast<std::int16_t>(d); }
  static datum to(std::int16_t v) noexcept {
    return static_cast<datum>(static_cast<std::intptr_t>(v));
  }
};
struct int4 : by_value<std::int32_t> {
  static std::int32_t from(datum d) noexcept { return static_cast<std::int32_t>(d); }
  static datum to(std::int32_t v) noexcept {
    return static_cast<datum>(static_cast<std::intptr_t>(v));
  }
};
struct int8 : by_value<std::int64_t> { // 64-bit server: int8 is pass-by-value
  static std::int64_t from(datum d) noexcept { return static_cast<std::int64_t>(d); }
  static datum to(std::int64_t v) noexcept { return static_cast<datum>(v); }
};
struct oid : by_value<Oid> {
  static Oid from(datum d) noexcept { return static_cast<Oid>(d); }
  static datum to(Oid v) noexcept { return static_cast<datum>(v); }
};
struct float4 : by_value<float> {
  static float from(datum d) noexcept {
    std::int32_t bits = static_cast<std::int32_t>(d);
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  static datum to(float v) noexcept {
    std::int32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return static_cast<datum>(static_cast<std::intptr_t>(bits));
  }
};
struct float8 : by_value<double> {
  static double from(datum d) noexcept {
    double v;
    std::memcpy(&v, &d, sizeof v);
    return v;
  }
  static datum to(double v) noexcept {
    datum d;
    std::memcpy(&d, &v, sizeof d);
    return d;
  }
};
// text, varchar and bpchar share the varlena text layout.
struct text {
  using arg_type = std::string_view;
  using value_type = std::string;
  static std::string_view from(datum d) { return text_view(d); }
  static datum to(const std::string &v) { return text_datum(v); }
};
struct name {
  using arg_type = std::string_view;
  using value_type = std::string;
  static std::string_view from(datum d) { return name_view(d); }
  static datum to(const std::string &v) { return name_datum(v); }
};
} // namespace sql

// Used by the generated entry point (jit/source.cpp) only.
template <class Tag> typename Tag::arg_type arg(const call_frame *f, int i) {
  return Tag::from(f->args[i].value);
}
template <class Tag> std::optional<typename Tag::arg_type> opt_arg(const call_frame *f, int i) {
  if (f->args[i].isnull) return std::nullopt;
  return Tag::from(f->args[i].value);
}
template <class Tag> datum result(call_frame *f, ret<typename Tag::value_type> &&r) {
  auto &v = r.value();
  if (!v) {
    f->result_isnull = true;
    return 0;
  }
  return Tag::to(*v);
}

} // namespace detail
} // namespace plcpp
