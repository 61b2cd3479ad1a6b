// plcpp/srf.hpp — set-returning bodies.
//
// A set-returning body calls yield(values...) once per row (the generated wrapper declares a
// yield typed for the function's result columns), and/or returns one of:
//   sql(text, args...)   the rows of a query (PL/pgSQL's RETURN QUERY)
//   a result             the rows of an executed query
//   a container          each element is one row (a scalar, a row struct or a std::tuple)
// Falling off the end returns the yielded rows only. Rows go to a tuplestore (materialize
// mode), which spills to disk past work_mem.
#pragma once

#include "spi.hpp"

#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <type_traits>

namespace plcpp {
namespace detail {

PLCPP_API void emit_row(const raw_datum *values, const bool *nulls, int n);
// RETURNS SETOF record (anonymous): the rows follow the caller's column definition list.
// yield(record) converts the record by position (42804 if its columns do not match);
// yield(values...) converts each value to its column's type (42804 for a wrong count).
PLCPP_API void emit_record(const record &r);
PLCPP_API const Oid *result_column_types(int n);
PLCPP_API void emit_query(const sql_query &q);
PLCPP_API void emit_result(const plcpp::result &r);
// [[plcpp::memoize]]: the rows of the call's memo view, built from q on a miss (memoize.cpp).
PLCPP_API void emit_memoized(const sql_query &q);

template <class... T> inline constexpr bool always_false = false;

// One row being converted: its datums live in the call's scratch memory until stored.
template <int N> struct row_buffer {
  scratch_scope scratch;
  raw_datum values[N];
  bool nulls[N];
  void emit() { emit_row(values, nulls, N); }
};

template <class... A> void yield_values(const A &...a) {
  constexpr int n = static_cast<int>(sizeof...(A));
  static_assert(n > 0, "yield() needs at least one value");
  const Oid *types = result_column_types(n);
  row_buffer<n> row;
  int i = 0;
  ((to_sql(a, row.values[i], row.nulls[i], types[i]), ++i), ...);
  row.emit();
}

template <class C> inline constexpr bool is_row_container = requires(const C &c) {
  std::begin(c);
  std::end(c);
}
&&!std::is_convertible_v<const C &, std::string_view>;

} // namespace detail

// What a set-returning body returns. `Yield` is generated: Yield::row(e) yields one element.
template <class Yield> class rows {
public:
  rows() = default;
  rows(sql_query q) : query_(std::make_unique<sql_query>(std::move(q))) {}
  rows(result r) : result_(std::make_unique<result>(std::move(r))) {}
  template <class C, std::enable_if_t<detail::is_row_container<std::remove_cvref_t<C>>, int> = 0>
  rows(C &&c)
      : each_([c = std::forward<C>(c)]() {
          for (const auto &e : c)
            Yield::row(e);
        }) {}

  void finish() {
    if (query_) detail::emit_query(*query_);
    if (result_) detail::emit_result(*result_);
    if (each_) each_();
  }

private:
  std::unique_ptr<sql_query> query_;
  std::unique_ptr<result> result_;
  std::function<void()> each_;
};

// What a [[plcpp::memoize]] body returns: only sql(...), the query its view is built from.
class memo_rows {
public:
  memo_rows(sql_query q) : query_(std::move(q)) {}
  template <class T, std::enable_if_t<!std::is_convertible_v<T, sql_query>, int> = 0>
  memo_rows(T &&) : query_("") {
    static_assert(detail::always_false<T>,
                  "a [[plcpp::memoize]] body must return sql(...): its view is built from that "
                  "query");
  }
  void finish() { detail::emit_memoized(query_); }

private:
  sql_query query_;
};

} // namespace plcpp
