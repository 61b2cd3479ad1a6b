// jit/static_init.h — static constructors and destructors of a body, made independent of
// how its object is loaded.
//
// A fresh compile and a cache hit must behave the same, and ORC runs llvm.global_ctors only
// for IR modules, never for object files (JIT-NOTES). So the constructors become one exported
// function the loader calls (init_symbol), and destructors that C++ registers with
// __cxa_atexit go to plcpp.so's registry (plcpp_jit_atexit) keyed by a per-module handle
// (dso_symbol), which runs them when the function's code is unloaded instead of at process
// exit, when the code would long be gone.
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
