// plcpp/record.hpp — composite values.
//
// A named composite or table row type in a function's signature becomes a generated struct
// (jit/source.cpp), converted member by member through record_open/record_build. A generic
// `record` (trigger rows, `record` arguments) is accessed by column name or index.
#pragma once

#include "types.hpp"

#include <string>
#include <vector>

namespace plcpp {

class record;

namespace detail {

// The live (non-dropped) attributes of a composite datum, palloc'd for the call. Raises
// SQLSTATE 42804 if the value's type is not `type` or no longer has `size` attributes (the
// type was altered after the function was compiled).
struct record_fields {
  const raw_datum *values;
  const bool *nulls;
  const Oid *types;
};
PLCPP_API record_fields record_open(raw_datum d, Oid type, int size, const char *type_name);
PLCPP_API raw_datum record_build(Oid type, const raw_datum *values, const bool *nulls, int size);

PLCPP_API void record_load(record &r, raw_datum d);
PLCPP_API raw_datum record_datum(const record &r, Oid type);
// RETURNS record (anonymous, not a set): the returned record, converted by position to the
// columns of the caller's column definition list (select * from f() as t(a int, b text));
// SQLSTATE 42804 if they do not match, as PL/pgSQL's RETURN of a record.
PLCPP_API raw_datum record_result(call_frame *f, std::optional<record> &r);

} // namespace detail

// A row of any composite type. Its values live in the memory of the call that made it (a
// trigger's rows, an argument, a query row) and are valid while that call runs: a record kept
// in a static and used by a later call raises SQLSTATE 55000 (names, types and is_null() stay
// readable). set() stores a converted copy, with the column's typmod and domain constraints
// applied as an SQL assignment does (22001, 23502, 23514, ...).
class PLCPP_API record {
public:
  std::size_t size() const noexcept { return names_.size(); }
  std::string_view column_name(std::size_t i) const { return names_.at(i); }
  Oid column_type(std::size_t i) const { return types_.at(i); }
  // Index of a column by name; SQLSTATE 42703 if there is none.
  std::size_t index_of(std::string_view name) const;

  bool is_null(std::size_t i) const { return nulls_.at(i) != 0; }
  bool is_null(std::string_view name) const { return is_null(index_of(name)); }
  template <class T> T get(std::size_t i) const {
    check(i);
    return detail::from_sql<T>(values_[i], nulls_[i] != 0, types_[i], {"column", names_[i]});
  }
  template <class T> T get(std::string_view name) const { return get<T>(index_of(name)); }
  template <class T> record &set(std::size_t i, const T &v) {
    check(i);
    detail::raw_datum d;
    bool isnull;
    detail::to_sql(v, d, isnull, types_[i]);
    store(i, d, isnull);
    return *this;
  }
  template <class T> record &set(std::string_view name, const T &v) {
    return set(index_of(name), v);
  }

  // Internal: filled by the runtime.
  Oid type_ = 0;
  const void *descriptor_ = nullptr; // TupleDesc, valid for the call
  std::vector<std::string> names_;   // "" for dropped columns
  std::vector<Oid> types_;
  std::vector<detail::raw_datum> values_;
  std::vector<unsigned char> nulls_;
  std::vector<std::int32_t> typmods_; // the columns' declared typmods (-1: none)
  std::uint64_t call_ = 0;            // the call whose memory holds values_ (detail::call_id)

private:
  // Valid index of a record whose call still runs, else an SQL error.
  void check(std::size_t i) const;
  // Applies the column's typmod and domain constraints to a converted value and stores it.
  void store(std::size_t i, detail::raw_datum d, bool isnull);
};

template <> struct value_traits<record> {
  static constexpr Oid oid = oids::record, array_oid = oids::record_array;
  static constexpr const char *cpp_name = "plcpp::record";
  static bool reads(Oid t) { return detail::is_composite_type(t); }
  static bool writes(Oid t) { return detail::is_composite_type(t); }
  static record from_datum(detail::raw_datum d, Oid) {
    record r;
    detail::record_load(r, d);
    return r;
  }
  static detail::raw_datum to_datum(const record &r, Oid t) { return detail::record_datum(r, t); }
};

} // namespace plcpp
