// jit/static_init.h — static constructors and destructors of a body, made independent of
// how its object is loaded.
//
// Static constructors become one exported function the loader calls (init_symbol) after
// dlopen(), rather than .init_array entries that dlopen() itself would run: an exception from
// a constructor then reaches plcpp's loader (a failed load) instead of unwinding through the
// dynamic loader's C frames. Destructors that C++ registers with __cxa_atexit go to plcpp.so's
// registry (plcpp_jit_atexit) keyed by a per-module handle (dso_symbol), which runs them when
// the function's code is unloaded instead of at process exit, when the code would long be
// gone. (Round 1 needed the same for ORC, which never ran llvm.global_ctors of an object.)
#pragma once

namespace llvm {
class Module;
}

namespace plcpp::jit {

inline constexpr const char *init_symbol = "plcpp_init";
inline constexpr const char *dso_symbol = "plcpp_dso_handle";
inline constexpr const char *atexit_symbol = "plcpp_jit_atexit";

void rewrite_static_init(llvm::Module &module);

} // namespace plcpp::jit
