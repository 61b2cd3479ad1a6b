// jit/diagnostic.h — a compiler or validator message, as data (the handler formats/reports it).
#pragma once

#include <string>

namespace plcpp::jit {

// Name given (through #line) to the user's body and to the generated wrapper code, so that
// diagnostic locations can be attributed to one or the other.
inline constexpr const char *body_file = "plcpp-body";
inline constexpr const char *wrapper_file = "plcpp-wrapper";

struct diagnostic {
  enum class severity { note, warning, error };
  severity level = severity::error;
  bool in_body = false; // line/column are inside the body as the user wrote it
  unsigned line = 0;    // 1-based; 0 = no location
  unsigned column = 0;  // 1-based, in bytes
  std::string message;
};

} // namespace plcpp::jit
