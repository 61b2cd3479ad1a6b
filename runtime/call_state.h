// runtime/call_state.h — what the runtime knows about the call in progress (internal).
//
// The handler (handler/call.cpp) fills one call_state per call on its own stack and makes it
// current for the duration of the body; nested calls (a body whose query calls another plcpp
// function) stack them. pg_call saves and restores `current_call` around every PostgreSQL
// call, so an error that unwinds a nested call never leaves a dangling pointer behind.
#pragma once

#include <plcpp/self.hpp>
#include <plcpp/trigger.hpp>

#include "pg.h"

extern "C" {
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "utils/tuplestore.h"
}

namespace plcpp::detail {

struct result_data;
struct memo_spec;

struct call_state {
  // Which call this is (numbered from 1 per backend, set by plcpp_run) and the call it runs
  // inside (a query of that call called this one). Values that point into a call's memory
  // remember its id; they are usable while that call is on this stack (call_alive).
  std::uint64_t id = 0;
  call_state *outer = nullptr;

  const function_info *self = nullptr;
  bool read_only = false; // STABLE/IMMUTABLE: queries run read-only
  // A CALL or DO outside a transaction block: SPI connects non-atomic, so the body may end
  // the transaction (spi::commit/rollback, transaction.cpp).
  bool nonatomic = false;
  MemoryContext caller_context = nullptr;

  // SPI: connected lazily by the first query of the call, finished by the handler.
  bool spi_connected = false;
  int subxact_depth = 0;          // spi::subtransaction nesting in this call
  result_data *results = nullptr; // live results (intrusive list), invalidated at call end

  // Scratch memory for converting parameters and rows, reset per query / row.
  MemoryContext scratch = nullptr;
  int scratch_depth = 0;

  // Set-returning functions (materialize mode).
  Tuplestorestate *tuplestore = nullptr;
  TupleDesc tuple_desc = nullptr;
  Oid *column_types = nullptr; // SETOF record: the caller's column types, made on first yield

  // OUT parameters: the blessed row type of the result (record_build of out_row).
  TupleDesc result_desc = nullptr;

  // The call's arguments (nullptr for DO blocks and triggers) and, for [[plcpp::memoize]]
  // functions, how to memoize (memoize.h).
  FunctionCallInfo fcinfo = nullptr;
  const memo_spec *memo = nullptr;

  // Trigger functions.
  TriggerData *trigger_data = nullptr;
  trigger_info *trigger = nullptr; // built on first use (owned by the handler's call)

  // Event trigger functions (RETURNS event_trigger).
  EventTriggerData *event_trigger_data = nullptr;
  event_trigger_info *event_trigger = nullptr; // built on first use
};

extern call_state *current_call;

// The current call, or an error (SQLSTATE 55000) if the runtime is used outside a body.
call_state &call();

// Makes `state` the current call, inside `outer` (handler/call.cpp's plcpp_run): gives it the
// next call id.
void enter_call(call_state &state, call_state *outer) noexcept;

// Connects SPI for the current call if not yet connected (pg_call).
void spi_connect();
// Ends the call's SPI use (handler; plain C, may ereport); invalidates live results.
void end_call(call_state &state) noexcept;

// self() descriptions, made by the handler from catalog data (plain inputs; nullptr when out
// of memory) and freed when the function's code is replaced.
struct function_info_input {
  Oid oid;
  const char *name, *schema, *signature, *volatility;
  int nargs;
  const char *const *arg_names;
  const char *const *arg_types;
  bool strict, returns_set;
};
const function_info *make_function_info(const function_info_input &in) noexcept;
void free_function_info(const function_info *info) noexcept;

} // namespace plcpp::detail
