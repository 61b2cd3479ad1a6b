// jit/flags.h — how bodies are compiled: shared by the compiler (which uses the flags) and the
// object cache (whose key must change whenever they do).
#pragma once

#include <string>
#include <vector>

namespace plcpp::jit {

// argv[0] of the in-process Clang driver: it finds its resource directory (the built-in
// headers) next to it. From `$(LLVM_CONFIG) --bindir` at build time (Makefile).
#ifndef PLCPP_CLANG_PATH
#error "PLCPP_CLANG_PATH must be defined by the build (Makefile: $(LLVM_CONFIG) --bindir)"
#endif
inline constexpr const char *clang_path = PLCPP_CLANG_PATH;

// Bodies are C++20; -Werror=return-type because falling off the end of a non-void body is UB.
// -fno-finite-loops: C++ lets the optimizer assume a side-effect-free loop ends, so
// `while (true) {}` could be compiled to nothing (falling into the next function). With
// interrupt checks (interrupt_pass.h) a loop has a side effect anyway; without them
// (plcpp.interrupt_checks = off) it must still mean what it says.
// -gline-tables-only: line tables (and the names of inlined functions) for gdb, perf and the
// line in error reports (jit/line_table.h), without the size and compile time of full -g.
// -fno-optimize-sibling-calls: a call in tail position (`spi::commit();` ending a body) stays a
// call, so the body's frame is on the stack when the callee raises: at -O2 it became a jump,
// and the error named no line (seen in CI once the optimized code was loaded).
inline const std::vector<std::string> &common_flags() {
  static const std::vector<std::string> flags = {"-std=c++20",
                                                 "-fPIC",
                                                 "-Werror=return-type",
                                                 "-Wno-unknown-attributes",
                                                 "-fno-omit-frame-pointer",
                                                 "-fno-finite-loops",
                                                 "-gline-tables-only",
                                                 "-fno-optimize-sibling-calls"};
  return flags;
}

// Bump when the code generation steps after Clang change (interrupt checks, static
// initialization, target options): part of the object cache key.
// 4: function-entry checks (issue 18); 5: none in noexcept functions, LLVM errors collected;
// 6: shared objects linked by lld (issue 20)
inline constexpr int codegen_version = 6;

} // namespace plcpp::jit
