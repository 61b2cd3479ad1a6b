// runtime/assign.cpp — typmods and domain constraints of values set into rows (assign.h).
#include "assign.h"

#include "pg_call.h"

extern "C" {
#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
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
  // Arrays of a typmod'd type (varchar(3)[]) would need an element-wise coercion: not here.
  i.has_length_func = find_typmod_coercion_function(type, &func) == COERCION_PATH_FUNC;
  if (i.has_length_func) fmgr_info_cxt(func, &i.length_func, TopMemoryContext);
  if (i.domain)
    i.domain_context =
        AllocSetContextCreate(TopMemoryContext, "PL/C++ domain check", ALLOCSET_SMALL_SIZES);
  i.type = type;
  return i;
}

} // namespace

Datum assign_checks_c(Datum d, bool isnull, Oid type, int32 typmod) {
  assign_info &i = info_of(type);
  if (!isnull && typmod >= 0 && i.has_length_func)
    d = FunctionCall3(&i.length_func, d, Int32GetDatum(typmod), BoolGetDatum(false));
  if (i.domain) domain_check(d, isnull, type, &i.domain_extra, i.domain_context);
  return d;
}

raw_datum assign_checks(raw_datum d, bool isnull, Oid type, std::int32_t typmod) {
  return pg_call([=] { return assign_checks_c(d, isnull, type, typmod); });
}

} // namespace plcpp::detail
