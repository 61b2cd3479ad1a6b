// jit/compile_wire.h — a compile_result as bytes: how the compile process (handler/
// compile_process.h) hands its result back to the backend that forked it.
//
// No PostgreSQL headers; nothing here throws except std::bad_alloc.
#pragma once

#include "compiler.h"

#include <string>
#include <string_view>

namespace plcpp::jit::wire {

std::string encode(const compile_result &result);

// False if `bytes` is not a whole encoded result (a child that died while writing it).
bool decode(std::string_view bytes, compile_result &result);

} // namespace plcpp::jit::wire
