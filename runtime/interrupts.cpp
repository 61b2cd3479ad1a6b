// runtime/interrupts.cpp — the function compiled loops call when the server has an interrupt
// pending (the check itself is inlined at every loop back-edge by jit/interrupt_pass.h).
#include <plcpp/config.hpp>

#include <plcpp/errors.hpp>

#include <cstdio>
#include <exception>

#include "interrupts.h"
#include "pg_call.h"
#include "pg.h"

extern "C" {
#include "tcop/tcopprot.h" // max_stack_depth
}

// Below this address a compiled function's frame is deeper than max_stack_depth (null: no
// limit known). Read at every function entry of a body (jit/interrupt_pass.h).
extern "C" {
PLCPP_API char *plcpp_stack_limit = nullptr;
}

namespace {

// The error the last interrupt raised; while it is the call's pending error, the call must end.
void *interrupt_error = nullptr;

void process_interrupts(void *) {
  ProcessInterrupts(); // the body of CHECK_FOR_INTERRUPTS() once InterruptPending is set
}

} // namespace

// Cancel, statement_timeout and the like raise an ERROR in ProcessInterrupts (termination
// exits the process). It becomes a C++ exception so that the body's frames unwind, and an
// unforgivable pending error, so that the call ends with it. A body that catches it and loops
// on is interrupted again at its next back-edge: InterruptPending is raised again so that the
// inlined checks keep calling here, and the same error is thrown each time. (The server clears
// the flag at its next CHECK_FOR_INTERRUPTS; with nothing pending that is a no-op.)
//
// While an exception is unwinding (a loop in cleanup code, or a second signal during the
// first interrupt's unwinding), throwing would call std::terminate: the check then waits for
// the next back-edge after the exception is caught or has left the body.
extern "C" PLCPP_API void plcpp_check_interrupts() {
  using namespace plcpp::detail;
  if (std::uncaught_exceptions() > 0) return;
  if (interrupt_error && current_pending_error() == interrupt_error) {
    InterruptPending = true;
    throw_error_data(interrupt_error);
  }
  if (pg_call_noexcept(process_interrupts, nullptr)) return; // nothing to act on (yet)
  interrupt_error = current_pending_error();
  InterruptPending = true;
  throw_error_data(interrupt_error);
}

namespace plcpp::detail {

// PostgreSQL's stack_is_too_deep(): depth = stack_base_ptr - here, too deep beyond
// max_stack_depth kB. stack_base_ptr is not exported; set_stack_base() returns it (and
// restore_stack_base puts it back at once). The base does not move within a backend, the
// setting can (SET max_stack_depth), so the limit is recomputed when the setting changes.
// The stack grows down (all platforms PostgreSQL 15 supports but ia64, which LLVM lacks).
void refresh_stack_limit() noexcept {
  static char *base = nullptr;
  static int for_depth = -1;
  if (for_depth == max_stack_depth && base) return;
  pg_stack_base_t current = set_stack_base();
  restore_stack_base(current);
  base = current;
  for_depth = max_stack_depth;
  plcpp_stack_limit = base ? base - static_cast<long>(max_stack_depth) * 1024L : nullptr;
}

} // namespace plcpp::detail

// A function entry found its frame below plcpp_stack_limit, or an interrupt pending. The
// stack error is PostgreSQL's (54001, with its hint); the exception unwinds the recursion,
// there is stack left for that (max_stack_depth stays STACK_DEPTH_SLOP below the kernel's
// limit), and the body may catch it like any other error: nothing in the server is hurt.
extern "C" PLCPP_API void plcpp_check_entry() {
  // While an exception unwinds (a 54001 leaving deep recursion runs the body's destructors
  // at about the same depth), a second throw would be std::terminate: the first one ends the
  // call anyway.
  if (std::uncaught_exceptions() > 0) return;
  char *frame = static_cast<char *>(__builtin_frame_address(0));
  if (plcpp_stack_limit && frame < plcpp_stack_limit) {
    char hint[200];
    snprintf(hint, sizeof hint,
             "Increase the configuration parameter \"max_stack_depth\" (currently %dkB), "
             "after ensuring the platform's stack depth limit is adequate.",
             max_stack_depth);
    throw plcpp::sql_error("54001", "stack depth limit exceeded", "", hint);
  }
  if (InterruptPending) plcpp_check_interrupts();
}
