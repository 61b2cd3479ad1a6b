// handler/srf_call.cpp — result descriptors and the tuplestore of set-returning calls.
#include "plcpp.h"

#include "../runtime/call_state.h"

extern "C" {
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
}

// Materialize mode: the body's rows go to a tuplestore in per-query memory, which spills to
// disk past work_mem; the executor reads it after the call.
void plcpp_srf_begin(FunctionCallInfo fcinfo, plcpp::detail::call_state *state) {
  auto *rsi = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
  if (!rsi || !IsA(rsi, ReturnSetInfo) || !(rsi->allowedModes & SFRM_Materialize))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("set-valued function called in context that cannot accept a set")));
  Oid rettype;
  TupleDesc desc;
  TypeFuncClass kind = get_call_result_type(fcinfo, &rettype, &desc);
  MemoryContext old = MemoryContextSwitchTo(rsi->econtext->ecxt_per_query_memory);
  if (kind == TYPEFUNC_COMPOSITE || kind == TYPEFUNC_COMPOSITE_DOMAIN) {
    desc = CreateTupleDescCopy(desc);
  } else if (kind == TYPEFUNC_SCALAR) {
    desc = CreateTemplateTupleDesc(1);
    TupleDescInitEntry(desc, 1, "value", rettype, -1, 0);
  } else {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("function returning record called in context that cannot accept "
                           "type record")));
  }
  Tuplestorestate *ts =
      tuplestore_begin_heap((rsi->allowedModes & SFRM_Materialize_Random) != 0, false, work_mem);
  MemoryContextSwitchTo(old);
  rsi->returnMode = SFRM_Materialize;
  rsi->setResult = ts;
  rsi->setDesc = desc;
  state->tuplestore = ts;
  state->tuple_desc = desc;
}

// OUT parameters: the row the body returns is built with the function's (blessed) result
// type. It depends only on the pg_proc row (no polymorphic types), so it is made once per
// compiled version, not on every call.
TupleDesc plcpp_out_row_desc(FunctionCallInfo fcinfo, plcpp_function *fn) {
  if (!fn->out_desc) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("function returning record called in context that cannot accept "
                             "type record")));
    MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
    desc = CreateTupleDescCopy(desc);
    MemoryContextSwitchTo(old);
    fn->out_desc = BlessTupleDesc(desc);
  }
  return fn->out_desc;
}

void plcpp_out_row_begin(FunctionCallInfo fcinfo, plcpp_function *fn,
                         plcpp::detail::call_state *state) {
  state->result_desc = plcpp_out_row_desc(fcinfo, fn);
}
