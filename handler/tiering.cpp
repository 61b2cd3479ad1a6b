// handler/tiering.cpp — the backend's side of tiered compilation (jit/optimize_queue.h):
// a function running its -O0 code switches to the -O2 object once the background worker has
// put it in the cache.
//
// The look is one stat() per function and transaction, so a statement keeps the code it
// started with and the switch happens between transactions, through the same path as a
// replaced function (old code freed once no call of it is active).
#include "plcpp.h"

#include "build.h"

extern "C" {
#include "storage/proc.h"
}

void plcpp_tier_check(plcpp_function *fn) {
  if (fn->tier_checked == MyProc->lxid) return;
  fn->tier_checked = MyProc->lxid;
  if (!build_optimized_ready(plcpp_cache_dir, fn->optimized_key)) return;
  fn->tier_up = true;
  fn->valid = false; // plcpp_function_get() reloads it
}
