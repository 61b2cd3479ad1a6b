// handler/plcpp.h — declarations shared by the handler's files (internal; not installed).
//
// Rule for every file here (DESIGN §5): a function either may ereport — then it holds only
// plain-data locals and calls no C++ that can throw — or it is C++ that may allocate and throw
// and is then noexcept at its edge and never ereports. The two meet in call.cpp and compile.cpp.
#pragma once

#include <plcpp/config.hpp>

#include <string>

namespace plcpp {
class function_info;
namespace detail {
struct call_state;
struct memo_spec;
} // namespace detail
} // namespace plcpp

#include "../runtime/pg.h"

extern "C" {
#include "access/htup.h"
#include "access/tupdesc.h"
#include "storage/itemptr.h"
}

// [[plcpp::result_cache]]: what building a key and storing a result need (result_cache_call.cpp).
struct plcpp_rc_spec {
  bool secdef; // SECURITY DEFINER: the caller's role does not change the result
  int nargs;
  int16 arg_len[FUNC_MAX_ARGS];
  bool arg_byval[FUNC_MAX_ARGS];
  int16 result_len;
  bool result_byval;
  int nrelies; // relies_on, resolved when compiled
  Oid relies[16];
};

// One compiled function version, in this backend. Entries live in a hash table keyed by oid
// and are never freed (fn_extra points at them); only their code is replaced.
struct plcpp_function {
  Oid fn_oid;            // hash key
  bool valid;            // cleared by pg_proc invalidations; then xmin/tid are re-checked
  uint32 hash_value;     // syscache hash of fn_oid, to match invalidation messages
  TransactionId fn_xmin; // identity of the pg_proc row version compiled
  ItemPointerData fn_tid;
  plcpp::detail::entry_fn entry;
  void *code;                       // jit handle, for unloading
  char *signature;                  // "add_one(integer)", for error context (TopMemoryContext)
  const plcpp::function_info *self; // self(), described at compile time
  bool read_only;                   // STABLE or IMMUTABLE: queries run read-only
  bool retset;                      // set-returning: materialize mode
  bool trigger;                     // RETURNS trigger
  bool out_row;                     // OUT parameters: the result is a row of them
  TupleDesc out_desc; // out_row: its blessed descriptor (TopMemoryContext), made on first call
  const plcpp::detail::memo_spec *memo; // [[plcpp::memoize]], else nullptr
  MemoryContext memo_context;           // holds *memo
  plcpp_rc_spec *rc;                    // [[plcpp::result_cache]], else nullptr (TopMemoryContext)
  // Tiered compilation (tiering.cpp): running -O0 code whose -O2 build is queued.
  bool tier0;
  bool tier_up;                    // the -O2 object is in the cache: load it at the next call
  LocalTransactionId tier_checked; // the transaction that last looked for it
  char optimized_key[33];
  char last_build; // the last compile: 'c' cache hit, 'o' compiled, 'q' -O0 compiled, -O2 queued
  // A scalar result of a domain type: its NOT NULL and CHECK constraints are checked on every
  // returned value (call.cpp), as PL/pgSQL does; InvalidOid otherwise. domain_check's cache.
  Oid result_domain;
  void *result_domain_extra;
};

// guc.cpp
extern int plcpp_opt_level;
extern char *plcpp_cache_dir;
extern bool plcpp_interrupt_checks;
extern char *plcpp_memo_schema;
extern bool plcpp_tiered_compilation;
extern int plcpp_compile_timeout;      // ms; compile_process.h
extern int plcpp_compile_memory_limit; // kB
void plcpp_define_gucs(void);

// function_table.cpp
void plcpp_function_table_init(void);
plcpp_function *plcpp_function_get(Oid fn_oid, bool for_validator);
int plcpp_call_depth(int delta);

// compile.cpp: compiles pg_proc row `proc_tuple` (may ereport with the compiler's messages).
// On success sets fn->entry/code/signature; unloads the previous code or defers it if active.
void plcpp_compile(plcpp_function *fn, HeapTuple proc_tuple, bool for_validator);
// tiering.cpp: once per transaction, a tier-0 function looks for its -O2 object and, when it
// is there, is marked for reloading (fn->valid = false, fn->tier_up).
void plcpp_tier_check(plcpp_function *fn);
// Starts the background worker that builds queued -O2 objects (optimizer_worker.cpp).
void plcpp_start_optimizer(void);
// shared_preload_libraries: loads the compiler and sets up the JIT in the postmaster.
void plcpp_preload(void);
// Compiles and runs a DO block; `atomic`: inside a transaction block (no spi::commit).
void plcpp_run_inline(const char *source, bool atomic);

// result_cache_call.cpp: shared memory and hooks, from _PG_init when preloaded.
void plcpp_result_cache_preload(void);
// A call of a [[plcpp::result_cache]] function (DESIGN §3).
Datum plcpp_rc_call(FunctionCallInfo fcinfo, plcpp_function *fn);
// The call itself, without the cache (call.cpp).
Datum plcpp_call_body(FunctionCallInfo fcinfo, plcpp_function *fn);

// guard.cpp: the only catch-all around a body's code (guard.cpp says where the others are and
// why they are not around a body). Runs entry(frame); on a C++ exception returns false with the
// error recorded in static storage, which plcpp_raise_caught() then reports.
bool plcpp_guarded_call(plcpp::detail::entry_fn entry, plcpp::detail::call_frame *frame,
                        plcpp::detail::raw_datum *result) noexcept;
pg_attribute_noreturn() void plcpp_raise_caught(void);
// std::terminate ends the session with FATAL instead of aborting the server process.
void plcpp_install_terminate_handler(void);

// error_line.cpp: "PL/C++ function f(integer) line 7" in an error's CONTEXT.
struct plcpp_error_site {
  void *code = nullptr; // the loaded code (jit/loader.h) the line belongs to
  unsigned line = 0;    // 0: unknown
};
// The error context of one call (or DO block: signature null), on the caller's stack.
struct plcpp_call_context {
  ErrorContextCallback callback;
  char *const *signature; // read when reported: a recompile during the call replaces it
  void *code;             // the call's loaded code
  bool unloaded = false;  // a DO block's code, gone before its error is reported
};
void plcpp_call_context_callback(void *context) noexcept;
// Pushes `context` onto error_context_stack (every call: inline, a few stores).
inline void plcpp_push_call_context(plcpp_call_context *c, char *const *signature, void *code) {
  c->signature = signature;
  c->code = code;
  c->unloaded = false;
  c->callback.callback = plcpp_call_context_callback;
  c->callback.arg = c;
  c->callback.previous = error_context_stack;
  error_context_stack = &c->callback;
}
// In the guard's catch blocks: where the exception being handled left the body.
void plcpp_note_thrown_site(plcpp_error_site *site) noexcept;
// Around the guard's report of a caught exception: the site its context names.
void plcpp_set_raising_site(const plcpp_error_site *site) noexcept;

// call.cpp
Datum plcpp_call(FunctionCallInfo fcinfo);
// Runs a compiled entry point with `state` as the current call; false if an exception escaped.
bool plcpp_run(plcpp::detail::entry_fn entry, plcpp::detail::call_frame *frame,
               plcpp::detail::raw_datum *result, plcpp::detail::call_state *state);
// srf_call.cpp: set up materialize mode / the OUT-parameter row type for one call.
void plcpp_srf_begin(FunctionCallInfo fcinfo, plcpp::detail::call_state *state);
void plcpp_out_row_begin(FunctionCallInfo fcinfo, plcpp_function *fn,
                         plcpp::detail::call_state *state);
// The blessed descriptor of the OUT-parameter row (made on first use).
TupleDesc plcpp_out_row_desc(FunctionCallInfo fcinfo, plcpp_function *fn);
// Ends the call's SPI use, then raises what the call left: the escaped exception (ok = false)
// or a pending PostgreSQL error.
void plcpp_finish_call(bool ok, plcpp::detail::call_state *state);
