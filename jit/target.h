// jit/target.h — the machine compiled bodies are generated for and run on: this host, with
// position-independent code (calls and data references to the server, libstdc++ and plcpp.so
// may be anywhere in the address space; the shared object reaches them through its GOT and PLT).
// Used by the code generator only (plcpp_compiler.so, in the compile process); the object
// cache key describes the host without LLVM (jit/host.h).
#pragma once

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>

#include <string>

namespace plcpp::jit {

llvm::orc::JITTargetMachineBuilder host_target(int opt_level);

} // namespace plcpp::jit
