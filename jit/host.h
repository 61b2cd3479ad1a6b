// jit/host.h — what compiled code depends on in this machine and installation, described
// without LLVM, for the object cache key (jit/object_cache.h), which every backend computes:
// a backend that runs cached code never loads libLLVM (issue 20). The code generator itself
// targets this host through LLVM (jit/target.h), in the compile process.
#pragma once

#include <string>

namespace plcpp::jit {

// The instruction set this process runs on: architecture, CPU identification and every
// feature flag the CPU and the kernel report (x86: CPUID leaves 1, 7 and 0x80000001 and the
// XSAVE state the kernel enabled). Code compiled for one description may use instructions
// that a machine with another lacks (a standby on older hardware), so they never share keys.
// Stricter than LLVM's "cpu + features" (the stepping counts too), never weaker.
std::string host_description();

// A hash of the runtime headers under include_dir/plcpp (file names and contents), as 16 hex
// digits: the precompiled header and every compiled body depend on them.
std::string runtime_headers_hash(const std::string &include_dir);

} // namespace plcpp::jit
