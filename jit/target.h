// jit/target.h — the machine compiled bodies are generated for and run on: this host, with
// position-independent code (calls and data references to the server, libstdc++ and plcpp.so
// may be anywhere in the address space; RuntimeDyld makes stubs and GOT entries for them).
// Used by the code generator (plcpp_compiler.so) and the object cache key (plcpp.so).
#pragma once

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>

#include <string>

namespace plcpp::jit {

llvm::orc::JITTargetMachineBuilder host_target(int opt_level);

// "triple cpu features": machine code made for one description may not run under another.
std::string host_target_description();

// A hash of the runtime headers under include_dir/plcpp (file names and contents), as 16 hex
// digits: the precompiled header and every compiled body depend on them.
std::string runtime_headers_hash(const std::string &include_dir);

} // namespace plcpp::jit
