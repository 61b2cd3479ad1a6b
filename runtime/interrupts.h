// runtime/interrupts.h — what the handler does for the checks compiled code makes at loop
// back-edges and function entries (jit/interrupt_pass.h, runtime/interrupts.cpp).
#pragma once

namespace plcpp::detail {

// Sets plcpp_stack_limit from the server's stack base and max_stack_depth; called before a
// body runs (handler/guard.cpp). Cheap when the setting has not changed.
void refresh_stack_limit() noexcept;

} // namespace plcpp::detail
