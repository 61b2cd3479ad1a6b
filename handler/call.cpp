// handler/call.cpp — one call: fcinfo -> compiled entry -> result, with error context.
//
// Arguments are read in place from fcinfo->args by the compiled entry point (the conversions
// are compiled into it), so the per-call work here is: find the function, push the error
// context, make a call_state current, run the body under the guard, end its SPI use, report
// what it raised. Set-returning and trigger calls add their glue (srf_call.cpp, trigger data).
#include "plcpp.h"

#include <cstddef>

#include "../runtime/call_state.h"
#include "../runtime/pg_call.h"

extern "C" {
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
}

static_assert(sizeof(plcpp::detail::nullable_datum) == sizeof(NullableDatum));
static_assert(offsetof(plcpp::detail::nullable_datum, value) == offsetof(NullableDatum, value));
static_assert(offsetof(plcpp::detail::nullable_datum, isnull) == offsetof(NullableDatum, isnull));
static_assert(sizeof(plcpp::detail::raw_datum) == sizeof(Datum));

bool plcpp_run(plcpp::detail::entry_fn entry, plcpp::detail::call_frame *frame,
               plcpp::detail::raw_datum *result, plcpp::detail::call_state *state) {
  plcpp::detail::call_state *outer = plcpp::detail::current_call;
  plcpp::detail::enter_call(*state, outer);
  plcpp::detail::clear_pending_error();
  plcpp_call_depth(+1);
  bool ok = plcpp_guarded_call(entry, frame, result);
  plcpp_call_depth(-1);
  plcpp::detail::current_call = outer;
  return ok;
}

void plcpp_finish_call(bool ok, plcpp::detail::call_state *state) {
  // A PostgreSQL error caught outside a subtransaction ends the call with that error (DESIGN
  // §1), even if the body swallowed it or then threw something else. After such an error
  // SPI's stack may hold the connections of the calls it unwound: the abort cleans them up,
  // so SPI_finish is only for calls that end cleanly.
  void *pending = plcpp::detail::take_pending_error();
  if (state->spi_connected && !pending) {
    state->spi_connected = false;
    int rc = SPI_finish();
    if (rc != SPI_OK_FINISH) elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
  }
  plcpp::detail::end_call(*state);
  MemoryContextSwitchTo(state->caller_context);
  if (pending) ReThrowError(static_cast<ErrorData *>(pending));
  if (!ok) plcpp_raise_caught();
}

Datum plcpp_call(FunctionCallInfo fcinfo) {
  auto *fn = static_cast<plcpp_function *>(fcinfo->flinfo->fn_extra);
  if (fn && fn->tier0) plcpp_tier_check(fn); // may mark it for reloading
  if (!fn || !fn->valid) {
    fn = plcpp_function_get(fcinfo->flinfo->fn_oid, false);
    fcinfo->flinfo->fn_extra = fn;
  }
  if (fn->rc) return plcpp_rc_call(fcinfo, fn);
  return plcpp_call_body(fcinfo, fn);
}

Datum plcpp_call_body(FunctionCallInfo fcinfo, plcpp_function *fn) {
  plcpp_call_context context;
  plcpp_push_call_context(&context, &fn->signature, fn->code);

  plcpp::detail::call_state state{};
  state.self = fn->self;
  state.read_only = fn->read_only;
  state.caller_context = CurrentMemoryContext;
  if (fcinfo->context) {
    // CALL outside a transaction block: the body may commit (as plpgsql_call_handler decides).
    if (IsA(fcinfo->context, CallContext))
      state.nonatomic = !castNode(CallContext, fcinfo->context)->atomic;
    else if (CALLED_AS_EVENT_TRIGGER(fcinfo))
      state.event_trigger_data = reinterpret_cast<EventTriggerData *>(fcinfo->context);
  }
  if (fn->retset) plcpp_srf_begin(fcinfo, &state);
  if (fn->out_row) plcpp_out_row_begin(fcinfo, fn, &state);
  state.fcinfo = fcinfo;
  state.memo = fn->memo;
  if (fn->trigger) state.trigger_data = reinterpret_cast<TriggerData *>(fcinfo->context);

  plcpp::detail::call_frame frame{
      reinterpret_cast<const plcpp::detail::nullable_datum *>(fcinfo->args), false};
  plcpp::detail::raw_datum result = 0;
  bool ok = plcpp_run(fn->entry, &frame, &result, &state);
  plcpp_finish_call(ok, &state);
  // A domain result keeps its constraints: NULL into NOT NULL (23502), CHECK (23514).
  if (fn->result_domain != InvalidOid)
    domain_check(static_cast<Datum>(result), frame.result_isnull, fn->result_domain,
                 &fn->result_domain_extra, TopMemoryContext);

  error_context_stack = context.callback.previous;
  fcinfo->isnull = frame.result_isnull;
  return static_cast<Datum>(result);
}
