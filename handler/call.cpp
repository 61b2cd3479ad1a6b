// handler/call.cpp — one call: fcinfo -> compiled entry -> result, with error context.
//
// Arguments are read in place from fcinfo->args by the compiled entry point (the conversions
// are compiled into it), so the per-call work here is: find the function, push the error
// context, run it under the guard, report what it raised.
#include "plcpp.h"

#include <cstddef>

#include "../runtime/pg_call.h"

static_assert(sizeof(plcpp::detail::nullable_datum) == sizeof(NullableDatum));
static_assert(offsetof(plcpp::detail::nullable_datum, value) == offsetof(NullableDatum, value));
static_assert(offsetof(plcpp::detail::nullable_datum, isnull) == offsetof(NullableDatum, isnull));
static_assert(sizeof(plcpp::detail::datum) == sizeof(Datum));

static void call_error_context(void *arg) noexcept {
  errcontext("PL/C++ function %s", static_cast<plcpp_function *>(arg)->signature);
}

void plcpp_begin_call(void) {
  plcpp::detail::clear_pending_error();
}

void plcpp_finish_call(bool ok) {
  // A PostgreSQL error caught outside a subtransaction ends the call even if the body
  // swallowed it; an exception that escaped wins (the transaction aborts either way).
  void *pending = plcpp::detail::take_pending_error();
  if (!ok) plcpp_raise_caught();
  if (pending) ReThrowError(static_cast<ErrorData *>(pending));
}

Datum plcpp_call(FunctionCallInfo fcinfo) {
  auto *fn = static_cast<plcpp_function *>(fcinfo->flinfo->fn_extra);
  if (!fn || !fn->valid) {
    fn = plcpp_function_get(fcinfo->flinfo->fn_oid, false);
    fcinfo->flinfo->fn_extra = fn;
  }

  ErrorContextCallback context;
  context.callback = call_error_context;
  context.arg = fn;
  context.previous = error_context_stack;
  error_context_stack = &context;

  plcpp::detail::call_frame frame{
      reinterpret_cast<const plcpp::detail::nullable_datum *>(fcinfo->args), false};
  plcpp::detail::datum result = 0;
  plcpp_begin_call();
  plcpp_call_depth(+1);
  bool ok = plcpp_guarded_call(fn->entry, &frame, &result);
  plcpp_call_depth(-1);

  plcpp_finish_call(ok);

  error_context_stack = context.previous;
  fcinfo->isnull = frame.result_isnull;
  return static_cast<Datum>(result);
}
