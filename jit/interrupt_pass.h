// jit/interrupt_pass.h — an LLVM pass that makes every loop of a body interruptible.
//
// At each back-edge (every cycle of the control-flow graph, so also loops made with goto) it
// inserts
//     if (InterruptPending) plcpp_check_interrupts();
// InterruptPending is the server's own flag (set by signal handlers for cancel, timeouts,
// termination); plcpp_check_interrupts (runtime/interrupts.cpp) runs ProcessInterrupts and
// throws the resulting error as a C++ exception, so the body's frames unwind.
//
// The pass runs first, on the IR exactly as Clang produced it, before any optimization. Then
// the optimizer knows that a loop can throw: a function with a loop is not `nounwind`, so its
// callers keep their landing pads (spi::subtransaction still rolls back when a loop inside it
// is interrupted) and the check survives inlining as an invoke where needed. (Inserted after
// optimization, checks would keep loops vectorizable, but landing pads removed by then could
// not be recovered: an interrupted loop inside spi::subtransaction left the subtransaction
// open.) A check alone would keep a numeric loop from being vectorized or interleaved, so
// vectorize_checked_loops_pass (below) takes it out of such loops after the optimizer,
// vectorizes, and puts it back at the latches (bench/workloads/30_arith_loop.py measures
// what is left of the cost).
//
// The check is a plain call, not an invoke: when the loop itself sits inside a try block or
// next to locals with destructors in the same function, the exception passes that frame
// without running its handlers (the cancellation cannot be caught there, as PL/pgSQL's WHEN
// OTHERS does not catch query_canceled) and those locals' memory is lost.
//
// Which functions get checks: everything written in the body (the body function, its
// lambdas and local classes), and library code (template instantiations) that Clang did not
// mark nounwind. Library code that cannot throw is left alone: it is often called from noexcept
// functions through a landing pad that calls std::terminate (a vector's destructor destroying
// its elements), and an exception there would take the backend down. Once a module has a
// check, nounwind is removed from all its functions and calls and the optimizer infers it
// again where it still holds. The check itself does nothing while an exception is unwinding
// (runtime/interrupts.cpp), and handler/guard.cpp turns a std::terminate that still happens
// (a body's noexcept function calling its own looping lambda) into a FATAL that ends the
// session, not an abort that restarts the server.
#pragma once

#include <llvm/IR/PassManager.h>

namespace plcpp::jit {

inline constexpr const char *interrupt_flag_symbol = "InterruptPending";
inline constexpr const char *interrupt_check_symbol = "plcpp_check_interrupts";

struct interrupt_checks_pass : llvm::PassInfoMixin<interrupt_checks_pass> {
  llvm::PreservedAnalyses run(llvm::Module &module, llvm::ModuleAnalysisManager &);
  static bool isRequired() { return true; } // also at -O0
};

// Runs after the optimization pipeline and wins back vectorization: an innermost loop whose only
// call is its check loses the check, the loop vectorizer runs on its function, and then every
// loop of that function without a check gets one at its latch (the vector loop checks once per
// vector iteration). A plain call stays a plain call in the same function, so the unwinding
// paths the optimizer built around the early check stay right; checks that became invokes are
// left alone.
struct vectorize_checked_loops_pass : llvm::PassInfoMixin<vectorize_checked_loops_pass> {
  llvm::PreservedAnalyses run(llvm::Module &module, llvm::ModuleAnalysisManager &);
};

// How many checks the last run inserted (for tests).
unsigned last_interrupt_check_count();

} // namespace plcpp::jit
