// handler/guc.cpp — plcpp's configuration parameters.
#include "plcpp.h"

extern "C" {
#include "utils/guc.h"
}

int plcpp_opt_level = 2;
char *plcpp_cache_dir = nullptr;

void plcpp_define_gucs(void) {
  DefineCustomIntVariable("plcpp.opt_level",
                          "Optimization level (-O0 to -O3) for compiling PL/C++ function bodies.",
                          "Takes effect for functions compiled afterwards.", &plcpp_opt_level, 2, 0,
                          3, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomStringVariable(
      "plcpp.cache_dir", "Directory for plcpp's compiled artifacts (precompiled runtime header).",
      "A relative path is relative to the data directory.", &plcpp_cache_dir, "plcpp_cache",
      PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("plcpp");
}
