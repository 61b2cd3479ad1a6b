// runtime/assign.cpp — typmods and domain constraints of values set into rows (assign.h).
#include "assign.h"

#include "pg_call.h"

extern "C" {
#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
}

namespace plcpp::detail {
namespace {

// What assigning to a type needs, cached per type for the backend: whether it is a domain
// and its length-coercion function (varchar, numeric, timestamp, bit, ...), if any. Both are
// fixed for a type's OID; the domain's constraints themselves are re-read by domain_check
// through the type cache when they change.
struct assign_info {
  Oid type = InvalidOid;
  bool domain;
  bool has_length_func;
  FmgrInfo length_func;
  // An array of a typmod'd type (varchar(3)[], numeric(5,2)[]): length_func is the element's,
  // applied to each element, as PostgreSQL's ArrayCoerceExpr does for `col := value`.
  bool per_element;
  Oid element;
  int16 element_len;
  bool element_byval;
  char element_align;
  void *domain_extra;           // domain_check's cache, in domain_context
  MemoryContext domain_context; // deleted with the entry: releases the type cache reference
};
constexpr int cache_size = 32;
assign_info cache[cache_size];
int cache_next = 0;

// Plain C (may ereport).
assign_info &info_of(Oid type) {
  for (auto &i : cache)
    if (i.type == type) return i;
  assign_info &i = cache[cache_next];
  cache_next = (cache_next + 1) % cache_size;
  i.type = InvalidOid;
  if (i.domain_context) MemoryContextDelete(i.domain_context);
  i.domain_context = nullptr;
  i.domain_extra = nullptr;
  i.domain = get_typtype(type) == TYPTYPE_DOMAIN;
  Oid func = InvalidOid;
  // For a true array type this finds the element type's function (COERCION_PATH_ARRAYCOERCE).
  CoercionPathType path = find_typmod_coercion_function(type, &func);
  i.has_length_func = path == COERCION_PATH_FUNC || path == COERCION_PATH_ARRAYCOERCE;
  i.per_element = path == COERCION_PATH_ARRAYCOERCE;
  if (i.has_length_func) fmgr_info_cxt(func, &i.length_func, TopMemoryContext);
  if (i.per_element) {
    i.element = get_element_type(type);
    get_typlenbyvalalign(i.element, &i.element_len, &i.element_byval, &i.element_align);
  }
  if (i.domain)
    i.domain_context =
        AllocSetContextCreate(TopMemoryContext, "PL/C++ domain check", ALLOCSET_SMALL_SIZES);
  i.type = type;
  return i;
}

// Each non-NULL element of an array through the element type's length coercion; the same
// dimensions and lower bounds. Plain C (may ereport).
Datum coerce_elements(const assign_info &i, Datum d, int32 typmod) {
  ArrayType *a = DatumGetArrayTypeP(d);
  Datum *values;
  bool *nulls;
  int n;
  deconstruct_array(a, i.element, i.element_len, i.element_byval, i.element_align, &values, &nulls,
                    &n);
  for (int k = 0; k < n; ++k)
    if (!nulls[k])
      values[k] = FunctionCall3(const_cast<FmgrInfo *>(&i.length_func), values[k],
                                Int32GetDatum(typmod), BoolGetDatum(false));
  ArrayType *out = construct_md_array(values, nulls, ARR_NDIM(a), ARR_DIMS(a), ARR_LBOUND(a),
                                      i.element, i.element_len, i.element_byval, i.element_align);
  return PointerGetDatum(out);
}

} // namespace

Datum assign_checks_c(Datum d, bool isnull, Oid type, int32 typmod) {
  assign_info &i = info_of(type);
  if (!isnull && typmod >= 0 && i.has_length_func)
    d = i.per_element
            ? coerce_elements(i, d, typmod)
            : FunctionCall3(&i.length_func, d, Int32GetDatum(typmod), BoolGetDatum(false));
  if (i.domain) domain_check(d, isnull, type, &i.domain_extra, i.domain_context);
  return d;
}

raw_datum assign_checks(raw_datum d, bool isnull, Oid type, std::int32_t typmod) {
  return pg_call([=] { return assign_checks_c(d, isnull, type, typmod); });
}

} // namespace plcpp::detail
