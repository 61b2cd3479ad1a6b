// jit/core_unit.h — a lighter translation unit for bodies that are plain arithmetic.
//
// Every generated unit includes the runtime header, whose precompiled form (the standard
// library and the runtime API) takes a Clang front end 17 ms or more to load, even for
// `return a + 1;`. A STRICT scalar function whose arguments and result are bool, int2/4/8 or
// float4/8 and whose body calls nothing and qualifies no name (no `::`, no `f(`, no `#`)
// cannot use any of that, so its unit includes only plcpp/core.hpp (the same value
// conversions and range checks, without the library): about 5 ms to compile.
//
// The test is lexical, so it may let through a body that needs the full header after all
// (`return M_PI;`); such a unit fails to compile, and the caller then compiles the regular
// unit (jit/source.h), whose diagnostics are the ones reported. A core unit that compiles
// means what the regular unit would: the body sees no name the regular unit lacks, and it
// converts through the same code (core.hpp).
#pragma once

#include "source.h"

#include <optional>
#include <string>

namespace plcpp::jit {

// The core unit of `spec`, or nullopt when the function does not qualify.
std::optional<std::string> assemble_core(const function_spec &spec, const prepared_body &body);

} // namespace plcpp::jit
