// runtime/array.cpp — one-dimensional arrays in and out (see plcpp/array.hpp).
#include <plcpp/array.hpp>

#include "pg_call.h"

#include "pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
}

namespace plcpp::detail {
namespace {

struct element_layout {
  Oid type = InvalidOid;
  int16 len;
  bool byval;
  char align;
};

// Element storage of a type, cached: every array argument needs it on every call.
const element_layout &layout_of(Oid type) {
  static element_layout cache[16];
  static int next = 0;
  for (const auto &l : cache)
    if (l.type == type) return l;
  element_layout &l = cache[next];
  next = (next + 1) % 16;
  l.type = InvalidOid;
  element_layout fresh;
  pg_call([&] { get_typlenbyvalalign(type, &fresh.len, &fresh.byval, &fresh.align); });
  fresh.type = type;
  l = fresh;
  return l;
}

} // namespace

array_contents array_open(raw_datum d) {
  ArrayType *a = pg_call([=] { return DatumGetArrayTypeP(d); });
  int ndim = ARR_NDIM(a);
  if (ndim > 1)
    throw sql_error("0A000",
                    "multidimensional arrays are not supported by PL/C++ (got " +
                        std::to_string(ndim) + " dimensions)",
                    "", "Pass a one-dimensional array, or unnest it in SQL.");
  array_contents out{ARR_ELEMTYPE(a), 0, nullptr, nullptr};
  if (ndim == 0) return out;
  const element_layout &l = layout_of(out.element_type);
  Datum *values;
  bool *nulls;
  int n;
  pg_call([&] { deconstruct_array(a, l.type, l.len, l.byval, l.align, &values, &nulls, &n); });
  out.size = n;
  out.values = values;
  out.nulls = nulls;
  return out;
}

bool is_array_type(Oid type) {
  return pg_call([=] { return get_element_type(type) != InvalidOid; });
}

array_builder array_begin(Oid array_type, Oid element_type, std::size_t n) {
  if (n > MaxAllocSize / sizeof(Datum))
    throw sql_error("54000", "array of " + std::to_string(n) + " elements is too large");
  array_builder b{array_type, element_type, static_cast<int>(n), nullptr, nullptr};
  pg_call([&] {
    if (b.array_type != InvalidOid && b.array_type != RECORDARRAYOID) {
      Oid e = get_element_type(b.array_type);
      if (e != InvalidOid) b.element_type = e;
    }
    if (b.array_type == InvalidOid) b.array_type = get_array_type(b.element_type);
    if (b.array_type == InvalidOid)
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                      errmsg("type %s has no array type", format_type_be(b.element_type))));
    b.values = static_cast<Datum *>(palloc(sizeof(Datum) * (n ? n : 1)));
    b.nulls = static_cast<bool *>(palloc(sizeof(bool) * (n ? n : 1)));
  });
  return b;
}

raw_datum array_finish(const array_builder &b) {
  const element_layout &l = layout_of(b.element_type);
  return pg_call([&] {
    int dims[1] = {b.size};
    int lbs[1] = {1};
    return PointerGetDatum(construct_md_array(reinterpret_cast<Datum *>(b.values), b.nulls,
                                              b.size ? 1 : 0, dims, lbs, l.type, l.len, l.byval,
                                              l.align));
  });
}

} // namespace plcpp::detail
