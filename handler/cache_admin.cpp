// handler/cache_admin.cpp — SQL functions over the compiled-code cache (jit/object_cache.h):
// plcpp.compile_cache_entries() behind the plcpp.compile_cache view,
// plcpp.compile_cache_purge(), and plcpp.compile(fn) behind plcpp.compile_all(). Superuser only
// (the SQL scripts revoke them from PUBLIC).
#include "../jit/object_cache.h"

#include <vector>

#include "plcpp.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "commands/proclang.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(plcpp_compile_cache_entries);
PG_FUNCTION_INFO_V1(plcpp_compile_cache_purge);
PG_FUNCTION_INFO_V1(plcpp_compile_function);
}

namespace {

// The last listing, kept here (not on the stack of a function that may ereport); replaced by
// the next listing.
std::vector<plcpp::jit::cache::listing> entries;

bool list_entries() noexcept {
  try {
    entries = plcpp::jit::cache::list(plcpp_cache_dir);
    return true;
  } catch (...) {
    return false;
  }
}

// The directory's name becomes a std::string here, where running out of memory is caught:
// an exception must not leave this extern "C" function into the server's C code.
int purge_entries(std::int64_t cutoff) noexcept {
  try {
    return plcpp::jit::cache::purge(plcpp_cache_dir, cutoff);
  } catch (...) {
    return -1;
  }
}

} // namespace

Datum plcpp_compile_cache_entries(PG_FUNCTION_ARGS) {
  InitMaterializedSRF(fcinfo, 0);
  auto *rsi = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
  if (!list_entries()) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto &e = entries[i];
    Datum values[8];
    bool nulls[8] = {false};
    values[0] = CStringGetTextDatum(e.info.function.c_str());
    values[1] = CStringGetTextDatum(e.info.key.c_str());
    values[2] = Int64GetDatum(static_cast<int64>(e.size));
    values[3] =
        TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(e.info.compiled_at)));
    values[4] = Float8GetDatum(e.info.compile_ms);
    values[5] = Int64GetDatum(e.hits);
    values[6] = TimestampTzGetDatum(time_t_to_timestamptz(static_cast<pg_time_t>(e.last_used)));
    values[7] = Int32GetDatum(e.info.opt_level);
    tuplestore_putvalues(rsi->setResult, rsi->setDesc, values, nulls);
  }
  return (Datum)0;
}

// compile_cache_purge(older_than interval DEFAULT NULL): removes cached objects not used for
// `older_than` (all when NULL) and returns how many. Code loaded in running sessions stays.
Datum plcpp_compile_cache_purge(PG_FUNCTION_ARGS) {
  int64 cutoff = -1;
  if (!PG_ARGISNULL(0)) {
    Interval *age = PG_GETARG_INTERVAL_P(0);
    TimestampTz limit = DatumGetTimestampTz(
        DirectFunctionCall2(timestamptz_mi_interval, TimestampTzGetDatum(GetCurrentTimestamp()),
                            IntervalPGetDatum(age)));
    cutoff = timestamptz_to_time_t(limit);
  }
  int removed = purge_entries(cutoff);
  if (removed < 0) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
  PG_RETURN_INT32(removed);
}

// compile(fn regprocedure) returns text: builds fn as its validator does (the compiled-code
// cache first, then the compiler) and says what that took: 'cached' (the cache had its code),
// 'compiled', or 'queued' (-O0 code compiled, its -O2 build queued for the optimizer worker;
// plcpp.tiered_compilation). A body that does not compile raises its compile error, which
// plcpp.compile_all() reports per function.
Datum plcpp_compile_function(PG_FUNCTION_ARGS) {
  Oid fn_oid = PG_GETARG_OID(0);
  HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
  if (!HeapTupleIsValid(tuple))
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_FUNCTION),
                    errmsg("function with OID %u does not exist", fn_oid)));
  Oid lang = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple))->prolang;
  ReleaseSysCache(tuple);
  if (lang != get_language_oid("plcpp", false))
    ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                    errmsg("%s is not a PL/C++ function", format_procedure(fn_oid))));
  plcpp_function *fn = plcpp_function_get(fn_oid, true);
  const char *status = fn->last_build == 'c'   ? "cached"
                       : fn->last_build == 'q' ? "queued"
                                               : "compiled";
  PG_RETURN_TEXT_P(cstring_to_text(status));
}
