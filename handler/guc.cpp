// handler/guc.cpp — plcpp's configuration parameters.
#include "plcpp.h"

#include "../result_cache/result_cache.h"

#include <climits>

extern "C" {
#include "utils/guc.h"
}

int plcpp_opt_level = 2;
char *plcpp_cache_dir = nullptr;
bool plcpp_interrupt_checks = true;
char *plcpp_memo_schema = nullptr;
bool plcpp_tiered_compilation = true;
int plcpp_compile_timeout = 60000;
int plcpp_compile_memory_limit = 2 * 1024 * 1024;

void plcpp_define_gucs(void) {
  DefineCustomIntVariable("plcpp.opt_level",
                          "Optimization level (-O0 to -O3) for compiling PL/C++ function bodies.",
                          "Takes effect for functions compiled afterwards.", &plcpp_opt_level, 2, 0,
                          3, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomStringVariable(
      "plcpp.cache_dir",
      "Directory of plcpp's compiled-code cache (objects/) and precompiled runtime headers.",
      "A relative path is relative to the data directory. Shared by all databases; see the "
      "plcpp.compile_cache view.",
      &plcpp_cache_dir, "plcpp_cache", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  DefineCustomBoolVariable(
      "plcpp.tiered_compilation",
      "Compiles a PL/C++ function that is not in the compiled-code cache at -O0 first, and "
      "its optimized code in a background worker.",
      "The first call then costs about a third of an optimized compile; sessions switch to "
      "the optimized code at their next transaction once it is built. Off: the first call "
      "compiles the optimized code itself.",
      &plcpp_tiered_compilation, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "plcpp.compile_timeout", "Longest a PL/C++ compile may take (0: no limit).",
      "Every compile runs in a process of its own, which is stopped after this long (SQLSTATE "
      "57014); statement_timeout and cancel stop it too. Also bounds the optimizer worker.",
      &plcpp_compile_timeout, 60000, 0, INT_MAX, PGC_SUSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "plcpp.compile_memory_limit",
      "Memory a PL/C++ compile process may use beyond what it inherits (0: no limit).",
      "Over it the compile stops with SQLSTATE 53200; the server and the session are not "
      "affected. A 20-line body with the standard library needs about 150 MB.",
      &plcpp_compile_memory_limit, 2 * 1024 * 1024, 0, INT_MAX, PGC_SUSET, GUC_UNIT_KB, nullptr,
      nullptr, nullptr);
  DefineCustomBoolVariable(
      "plcpp.interrupt_checks",
      "Makes every loop in PL/C++ functions compiled afterwards stop on cancel and timeouts.",
      "Numeric loops are vectorized either way (one check per vector iteration); off saves "
      "that check, but such a loop then cannot be interrupted.",
      &plcpp_interrupt_checks, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomStringVariable(
      "plcpp.memo_schema", "Schema in which [[plcpp::memoize]] functions build their views.",
      "It must exist; plcpp_memo is created by CREATE EXTENSION plcpp. Views built in "
      "another schema are not served after a change (purge them with plcpp.memo_purge).",
      &plcpp_memo_schema, "plcpp_memo", PGC_SUSET, 0, nullptr, nullptr, nullptr);
  static const struct config_enum_entry result_cache_modes[] = {{"on", rc_on, false},
                                                                {"off", rc_off, false},
                                                                {"bypass", rc_bypass, false},
                                                                {nullptr, 0, false}};
  DefineCustomEnumVariable(
      "plcpp.result_cache", "Use of the shared result cache by [[plcpp::result_cache]] functions.",
      "on: serve and store results; bypass: compute every call, and store the fresh result; "
      "off: compute every call and store nothing.",
      &plcpp_result_cache_mode, rc_on, result_cache_modes, PGC_USERSET, 0, nullptr, nullptr,
      nullptr);
  // A PGC_POSTMASTER variable can only be defined while preloading (else FATAL); without
  // preload there is no shared memory for it to size anyway.
  if (process_shared_preload_libraries_in_progress)
    DefineCustomIntVariable("plcpp.result_cache_size",
                            "Shared memory for the result cache of [[plcpp::result_cache]].",
                            "Needs shared_preload_libraries = 'plcpp'; taken at server start.",
                            &plcpp_result_cache_size_kb, 65536, 1024, INT_MAX / 2, PGC_POSTMASTER,
                            GUC_UNIT_KB, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("plcpp.result_cache_max_result",
                          "Largest result the result cache stores (larger ones are not cached).",
                          nullptr, &plcpp_result_cache_max_result, 65536, 0, 64 * 1024 * 1024,
                          PGC_SUSET, GUC_UNIT_BYTE, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("plcpp");
}
