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
//
// Function entries. Recursion has no back-edge: a recursive lambda could overflow the stack
// (SIGSEGV, crash recovery for every session) and a deep but finite one (naive fib(60)) could
// not be cancelled. So every function written in the body (the body, its lambdas, generic
// lambdas' instantiations, local classes' members) starts with
//     if (frame address < plcpp_stack_limit || InterruptPending) plcpp_check_entry();
// plcpp_stack_limit is where PostgreSQL's max_stack_depth ends below the server's stack base
// (runtime/interrupts.cpp sets it at every call of a body); plcpp_check_entry throws 54001
// "stack depth limit exceeded" or processes the interrupt as the loop check does. The test
// goes after the entry block's allocas, before any local is constructed: the exception leaves
// nothing of this frame behind, and the callers' landing pads are there because the check,
// inserted before optimization, keeps them from being inferred nounwind.
#pragma once

#include <llvm/IR/PassManager.h>

namespace plcpp::jit {

inline constexpr const char *interrupt_flag_symbol = "InterruptPending";
inline constexpr const char *interrupt_check_symbol = "plcpp_check_interrupts";
// Function entries (below): the runtime's stack limit (char *) and the call taken when the
// frame is below it or an interrupt is pending.
inline constexpr const char *stack_limit_symbol = "plcpp_stack_limit";
inline constexpr const char *entry_check_symbol = "plcpp_check_entry";

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

// Runs after the optimization pipeline, before vectorize_checked_loops_pass: removes the
// entry checks that inlining copied into other functions. An inlined function has no frame of
// its own (the stack test is its caller's), and its loops keep their own checks; left in
// place, such a check would cost two loads per call in a loop and keep the loop from being
// vectorized. Only the check at the top of each function's entry block stays.
struct inlined_entry_checks_pass : llvm::PassInfoMixin<inlined_entry_checks_pass> {
  llvm::PreservedAnalyses run(llvm::Module &module, llvm::ModuleAnalysisManager &);
};

// How many loop checks the last run inserted (for tests).
unsigned last_interrupt_check_count();
// How many function-entry checks the last run inserted (for tests).
unsigned last_entry_check_count();

} // namespace plcpp::jit
