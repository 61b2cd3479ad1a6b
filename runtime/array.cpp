// runtime/array.cpp — arrays in and out (see plcpp/array.hpp).
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

namespace {

// Detoasts d and deconstructs it: all elements in storage order.
array_contents deconstruct(ArrayType *a) {
  array_contents out{ARR_ELEMTYPE(a), 0, nullptr, nullptr};
  if (ARR_NDIM(a) == 0) return out;
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

} // namespace

array_contents array_open(raw_datum d) {
  ArrayType *a = pg_call([=] { return DatumGetArrayTypeP(d); });
  int ndim = ARR_NDIM(a);
  if (ndim > 1)
    throw sql_error("0A000",
                    "a multidimensional array cannot be read as std::vector (got " +
                        std::to_string(ndim) + " dimensions)",
                    "", "Read it as plcpp::array<T>, or as nested std::vector.");
  return deconstruct(a);
}

array_md_contents array_open_md(raw_datum d) {
  ArrayType *a = pg_call([=] { return DatumGetArrayTypeP(d); });
  array_md_contents out{};
  out.ndim = ARR_NDIM(a);
  for (int i = 0; i < out.ndim && i < MAXDIM; ++i) {
    out.dims[i] = ARR_DIMS(a)[i];
    out.lbounds[i] = ARR_LBOUND(a)[i];
  }
  out.flat = deconstruct(a);
  return out;
}

void throw_ragged_array() {
  throw sql_error("2202E",
                  "multidimensional arrays must have array expressions with matching dimensions");
}

void throw_array_subscript(long long index, int dim, int size) {
  throw sql_error("2202E",
                  "array subscript out of range: index " + std::to_string(index) +
                      " of dimension " + std::to_string(dim) + ", which has " +
                      std::to_string(size) + " element" + (size == 1 ? "" : "s"),
                  "", "Indexes are 0-based: the SQL subscript minus the lower bound.");
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
  return array_finish_md(b, 0, nullptr, nullptr);
}

raw_datum array_finish_md(const array_builder &b, int ndim, const int *dims, const int *lbounds) {
  int one_dim[1] = {b.size};
  if (ndim == 0) {
    ndim = 1;
    dims = one_dim;
  }
  if (ndim > MAXDIM)
    throw sql_error("54000", "number of array dimensions (" + std::to_string(ndim) +
                                 ") exceeds the maximum allowed (" + std::to_string(MAXDIM) + ")");
  long long n = 1;
  for (int i = 0; i < ndim; ++i) {
    if (dims[i] < 0) throw_ragged_array();
    n *= dims[i];
    if (n > b.size) break;
  }
  if (n != b.size)
    throw sql_error("2202E",
                    "array dimensions do not match its number of elements (" +
                        std::to_string(b.size) + ")",
                    "", "A multidimensional plcpp::array must keep the product of its dims().");
  int ones[MAXDIM] = {1, 1, 1, 1, 1, 1};
  const int *lbs = lbounds ? lbounds : ones;
  const element_layout &l = layout_of(b.element_type);
  return pg_call([&] {
    return PointerGetDatum(construct_md_array(
        reinterpret_cast<Datum *>(b.values), b.nulls, b.size ? ndim : 0, const_cast<int *>(dims),
        const_cast<int *>(lbs), l.type, l.len, l.byval, l.align));
  });
}

} // namespace plcpp::detail
