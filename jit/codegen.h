// jit/codegen.h — from the IR Clang produced (before any LLVM pass) to an object file:
// the optimization pipeline, the interrupt-check pass, static initialization rewritten for the
// loader, then machine code for this host. No PostgreSQL headers; never throws.
#pragma once

#include <llvm/Support/Error.h>

#include <memory>
#include <string>

namespace llvm {
class Module;
}

namespace plcpp::jit {

struct codegen_result {
  std::string object; // an ELF relocatable object
  double optimize_ms = 0, emit_ms = 0;
  unsigned interrupt_checks = 0; // loops made interruptible
};

// interrupt_checks = false leaves loops without checks (plcpp.interrupt_checks = off).
llvm::Expected<codegen_result> generate_object(llvm::Module &module, int opt_level,
                                               bool interrupt_checks = true);

} // namespace plcpp::jit
