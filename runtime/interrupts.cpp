// runtime/interrupts.cpp — the function compiled loops call when the server has an interrupt
// pending (the check itself is inlined at every loop back-edge by jit/interrupt_pass.h).
#include <plcpp/config.hpp>

#include <exception>

#include "pg_call.h"
#include "pg.h"

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
