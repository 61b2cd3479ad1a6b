// jit/source.h — from a function's signature and body to the translation unit Clang compiles.
//
// The generated unit includes the runtime header, declares the body as a C++ function whose
// parameters are the SQL arguments (typed per DESIGN §4), and adds an extern "C" entry point
// that converts Datums in and out through compile-time traits. `#line` directives map the
// body to its own line/column space, so diagnostics point where the user wrote.
#pragma once

#include "attributes.h"
#include "diagnostic.h"

#include <string>
#include <string_view>
#include <vector>

namespace plcpp::jit {

struct param_spec {
  std::string name;    // SQL argument name; empty = unnamed, then spelled $1, $2, ...
  std::string sql_tag; // a tag of plcpp::detail::sql: bool_, int2, int4, int8, float4, ...
};

struct function_spec {
  std::string name; // for comments only
  std::vector<param_spec> params;
  std::string result_tag; // empty for RETURNS void
  bool strict = false;    // STRICT: arguments arrive as T, else as std::optional<T>
  std::string body;
};

// The body split into what goes to file scope and what stays in the function.
struct prepared_body {
  std::string code;                  // body with #include lines and attributes blanked
  std::vector<std::string> includes; // "#line N ...\n#include <...>" blocks, in order
  std::vector<attribute> attributes; // leading [[plcpp::...]] attributes
  std::vector<diagnostic> errors;    // problems found before compiling
};

prepared_body prepare_body(std::string_view body);

// The C++ spelling of a tag's argument / return value type, or nullptr for an unknown tag.
const char *cpp_arg_type(std::string_view sql_tag);
const char *cpp_value_type(std::string_view sql_tag);

// Can `name` be a C++ parameter name (identifier, not a keyword, not reserved)?
// Returns nullptr if yes, else the reason.
const char *invalid_parameter_name(std::string_view name);

// The whole translation unit. Call only when spec is valid (tags known, names checked) and
// the prepared body has no errors.
std::string assemble(const function_spec &spec, const prepared_body &body);

} // namespace plcpp::jit
