// handler/handler.cpp — the language's extern "C" entry points (_PG_init, the call and inline
// handlers, the validator), and nothing else: each only hands over to C++ code elsewhere. The
// extension's SQL-callable functions have their own PG_FUNCTION_INFO_V1 beside what they serve
// (cache_admin.cpp, memoize/memo_admin.cpp, memoize/memo_path.cpp,
// result_cache/result_cache_admin.cpp).
#include "plcpp.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "utils/guc.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

void _PG_init(void);
PG_FUNCTION_INFO_V1(plcpp_call_handler);
PG_FUNCTION_INFO_V1(plcpp_inline_handler);
PG_FUNCTION_INFO_V1(plcpp_validator);
}

void _PG_init(void) {
  plcpp_define_gucs();
  plcpp_function_table_init();
  plcpp_install_terminate_handler();
  // Preloaded: every backend forks with Clang and the JIT already loaded, so neither a cache
  // hit nor a miss pays for loading them.
  if (process_shared_preload_libraries_in_progress) {
    plcpp_preload();
    plcpp_result_cache_preload(); // shared memory and change tracking
  }
}

Datum plcpp_call_handler(PG_FUNCTION_ARGS) {
  return plcpp_call(fcinfo);
}

Datum plcpp_inline_handler(PG_FUNCTION_ARGS) {
  auto *block = reinterpret_cast<InlineCodeBlock *>(DatumGetPointer(PG_GETARG_DATUM(0)));
  plcpp_run_inline(block->source_text, block->atomic);
  PG_RETURN_VOID();
}

struct validation {
  const char *body;
  const char *name;
};

// errposition inside the CREATE FUNCTION statement for compile errors (as PL/pgSQL does).
static void validator_error_context(void *arg) noexcept {
  auto *v = static_cast<validation *>(arg);
  if (function_parse_error_transpose(v->body)) return;
  errcontext("compilation of PL/C++ function \"%s\"", v->name);
}

Datum plcpp_validator(PG_FUNCTION_ARGS) {
  Oid fn_oid = PG_GETARG_OID(0);
  if (!CheckFunctionValidatorAccess(fcinfo->flinfo->fn_oid, fn_oid)) PG_RETURN_VOID();
  if (!check_function_bodies) PG_RETURN_VOID();

  HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
  if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for function %u", fn_oid);
  bool isnull;
  Datum src = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &isnull);
  validation v;
  v.body = isnull ? pstrdup("") : TextDatumGetCString(src);
  v.name = pstrdup(NameStr(reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple))->proname));
  ReleaseSysCache(tuple);

  ErrorContextCallback context;
  context.callback = validator_error_context;
  context.arg = &v;
  context.previous = error_context_stack;
  error_context_stack = &context;
  // Compiles and keeps the code: the first call in this session then costs nothing more.
  plcpp_function_get(fn_oid, true);
  error_context_stack = context.previous;
  PG_RETURN_VOID();
}
