// result_cache/result_cache_admin.cpp — SQL functions over the shared result cache:
// plcpp.result_cache_stats() behind the plcpp.result_cache_stats view, and
// plcpp.result_cache_flush(fn). Without shared_preload_libraries there is no cache: no rows, 0.
#include "../handler/plcpp.h"

#include "result_cache.h"

extern "C" {
#include "funcapi.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(plcpp_result_cache_stats);
PG_FUNCTION_INFO_V1(plcpp_result_cache_flush);
}

// result_cache_stats(OUT function regprocedure, OUT entries bigint, OUT bytes bigint,
//   OUT hits bigint, OUT misses bigint, OUT invalidations bigint, OUT evictions bigint)
Datum plcpp_result_cache_stats(PG_FUNCTION_ARGS) {
  InitMaterializedSRF(fcinfo, 0);
  if (!rc_available()) return (Datum)0;
  auto *rsi = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
  rc_function_stats *stats;
  int n = rc_stats(&stats);
  for (int i = 0; i < n; ++i) {
    Datum values[7] = {ObjectIdGetDatum(stats[i].fn),    Int64GetDatum(stats[i].entries),
                       Int64GetDatum(stats[i].bytes),    Int64GetDatum(stats[i].hits),
                       Int64GetDatum(stats[i].misses),   Int64GetDatum(stats[i].invalidations),
                       Int64GetDatum(stats[i].evictions)};
    bool nulls[7] = {false, false, false, false, false, false, false};
    tuplestore_putvalues(rsi->setResult, rsi->setDesc, values, nulls);
  }
  return (Datum)0;
}

// result_cache_flush(fn regprocedure DEFAULT NULL) RETURNS bigint: entries removed.
Datum plcpp_result_cache_flush(PG_FUNCTION_ARGS) {
  if (!rc_available()) PG_RETURN_INT64(0);
  Oid fn = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
  PG_RETURN_INT64(rc_flush(fn));
}
