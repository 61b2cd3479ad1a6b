// plcpp/config.hpp — definitions shared by every part of the runtime header.
//
// This header is compiled twice: by g++ into the extension (plcpp.so) and by the in-process
// Clang into every function body. It must therefore stay free of PostgreSQL headers (their
// macros clash with the C++ library) and mirror the few server types it needs by layout.
#pragma once

#include <cstdint>

// Symbols that JIT-compiled bodies resolve in plcpp.so by name.
#define PLCPP_API __attribute__((visibility("default")))

// Bump when the ABI between plcpp.so and compiled bodies changes: it is part of the
// compiled-code cache key, so old objects are never linked against a new runtime.
#define PLCPP_RUNTIME_ABI 2

namespace plcpp {

using Oid = std::uint32_t;

namespace detail {

// PostgreSQL's Datum (uintptr_t) and NullableDatum, mirrored by layout; handler/call.cpp
// static_asserts that both layouts agree with the server's. (plcpp::datum, without detail::,
// is the public text-form value of types plcpp has no C++ type for; see types.hpp.)
using raw_datum = std::uintptr_t;
struct nullable_datum {
  raw_datum value;
  bool isnull;
};

// What the handler passes to a compiled body's entry point for one call.
struct call_frame {
  const nullable_datum *args; // fcinfo->args, read in place
  bool result_isnull;         // set by the entry point
};

// The one symbol every compiled function exports.
using entry_fn = raw_datum (*)(call_frame *);
inline constexpr const char *entry_symbol = "plcpp_entry";

} // namespace detail
} // namespace plcpp
