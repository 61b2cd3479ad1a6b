// handler/function_table.cpp — oid -> compiled function, per backend.
//
// A call finds its entry through fn_extra, so the hot path is one pointer and one flag test.
// pg_proc invalidations clear `valid`; the next call then compares the row's xmin/tid with
// the compiled version and recompiles only after CREATE OR REPLACE.
#include "plcpp.h"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/catcache.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/syscache.h"
}

namespace {

HTAB *functions = nullptr;
int call_depth = 0;

void proc_invalidated(Datum, int, uint32 hash_value) noexcept {
  HASH_SEQ_STATUS scan;
  hash_seq_init(&scan, functions);
  for (auto *fn = static_cast<plcpp_function *>(hash_seq_search(&scan)); fn;
       fn = static_cast<plcpp_function *>(hash_seq_search(&scan)))
    if (hash_value == 0 || fn->hash_value == hash_value) fn->valid = false;
}

// Every error of a call passes through call.cpp, which keeps call_depth exact; an abort
// resets it anyway so that nothing can leave it wrong.
void xact_end(XactEvent event, void *) noexcept {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) call_depth = 0;
}

} // namespace

void plcpp_function_table_init(void) {
  HASHCTL ctl;
  memset(&ctl, 0, sizeof ctl);
  ctl.keysize = sizeof(Oid);
  ctl.entrysize = sizeof(plcpp_function);
  functions = hash_create("plcpp functions", 128, &ctl, HASH_ELEM | HASH_BLOBS);
  CacheRegisterSyscacheCallback(PROCOID, proc_invalidated, 0);
  RegisterXactCallback(xact_end, nullptr);
}

int plcpp_call_depth(int delta) {
  return call_depth += delta;
}

plcpp_function *plcpp_function_get(Oid fn_oid, bool for_validator) {
  HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
  if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for function %u", fn_oid);

  bool found;
  auto *fn = static_cast<plcpp_function *>(hash_search(functions, &fn_oid, HASH_ENTER, &found));
  if (!found) {
    memset(reinterpret_cast<char *>(fn) + sizeof(Oid), 0, sizeof *fn - sizeof(Oid));
    fn->hash_value = GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(fn_oid));
  } else if (fn->tier0) {
    plcpp_tier_check(fn); // a new statement's first call: is the -O2 object there?
  }
  if (for_validator || !fn->entry || fn->tier_up ||
      fn->fn_xmin != HeapTupleHeaderGetRawXmin(tuple->t_data) ||
      !ItemPointerEquals(&fn->fn_tid, &tuple->t_self)) {
    // Stays invalid if compilation raises, so the old code can never run for the new row.
    fn->valid = false;
    plcpp_compile(fn, tuple, for_validator);
    auto *proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
    fn->result_domain = !proc->proretset && get_typtype(proc->prorettype) == TYPTYPE_DOMAIN
                            ? proc->prorettype
                            : InvalidOid;
  }
  fn->valid = true;
  ReleaseSysCache(tuple);
  return fn;
}
