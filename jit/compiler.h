// jit/compiler.h — in-process Clang and LLVM: translation unit in, object file (or
// diagnostics) out.
//
// Built into plcpp_compiler.so, which links libclang-cpp. It runs only in a compile process
// (handler/compile_process.h), never in a backend: Clang installs signal handlers, crashes,
// calls exit() and can grow without bound, none of which a backend may suffer. plcpp.so itself
// never links Clang; the compile process reaches it through the one C symbol below. On a fatal
// LLVM error the process writes the reason to stderr and exits with status 70, on memory
// exhaustion with status 99 (handler/compile_process.h's compile_child_out_of_memory).
#pragma once

#include "diagnostic.h"

#include <string>
#include <vector>

namespace plcpp::jit {

struct compile_options {
  std::string include_dir;      // holds plcpp/plcpp.hpp
  std::string pch_dir;          // where precompiled runtime headers are kept; empty = no PCH
  int opt_level = 2;            // -O0 .. -O3
  bool interrupt_checks = true; // jit/interrupt_pass.h
  unsigned max_errors = 10;
  // Suffix of temporary files (".tmp.<tag>"), so that the process that started the compile
  // can remove what a killed compile left; empty: this process's pid.
  std::string temp_tag;
};

struct compile_request {
  std::string source;      // the whole translation unit (jit/source.h)
  std::string module_name; // unique per function version
  compile_options options;
};

struct compile_result {
  bool ok = false;
  std::string shared_object;           // ELF shared object (jit/link.h; jit/loader.h loads it)
  std::string line_table;              // its body lines (jit/line_table.h, encoded)
  std::vector<diagnostic> diagnostics; // errors and warnings, bounded
  double frontend_ms = 0;              // parse + IR generation (excludes the PCH build)
  double pch_build_ms = 0;             // > 0 when this call (re)built the PCH
  double optimize_ms = 0, emit_ms = 0; // LLVM pipeline; machine code
  double link_ms = 0;                  // lld, and reading the line table back
  unsigned interrupt_checks = 0;       // loops made interruptible
  std::string pch_problem; // the PCH could not be built (e.g. a full volume): compiled without
};

// Never throws; any internal failure is a diagnostic with ok = false.
compile_result compile(const compile_request &request) noexcept;

// The C symbol plcpp.so looks up in plcpp_compiler.so.
using compile_entry = void (*)(const compile_request *, compile_result *);
inline constexpr const char *compile_entry_symbol = "plcpp_jit_compile";

} // namespace plcpp::jit
