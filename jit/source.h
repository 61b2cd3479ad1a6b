// jit/source.h — from a function's signature and body to the translation unit Clang compiles.
//
// The generated unit includes the runtime header, declares the body as a C++ function whose
// parameters are the SQL arguments (typed per DESIGN §4), and adds an extern "C" entry point
// that converts Datums in and out through compile-time traits. `#line` directives map the
// body to its own line/column space, so diagnostics point where the user wrote.
#pragma once

#include "attributes.h"
#include "diagnostic.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plcpp::jit {

// How one SQL type looks in C++.
struct type_ref {
  std::string arg;       // what a body receives (views: std::string_view, std::span, ...)
  std::string value;     // what a body returns and structs own (std::string, std::vector, ...)
  std::uint32_t oid = 0; // the SQL type
};

// Built-in scalar types (DESIGN §4) by OID; nullopt for any other type.
std::optional<type_ref> builtin_type(std::uint32_t oid);
bool is_builtin_type(std::uint32_t oid) noexcept;
// An array of `element` (any number of dimensions): plcpp::array<...>, a
// std::vector<std::optional<...>> with dimensions and lower bounds.
type_ref array_type(const type_ref &element, std::uint32_t array_oid);
// A generated struct (named composite type); `cpp_name` must be a valid identifier.
type_ref struct_type(const std::string &cpp_name, std::uint32_t oid);
// Any other type, in its text form: plcpp::datum.
type_ref text_form_type(std::uint32_t oid);
// A domain over `base`: plcpp::domain<base's value type>, or plcpp::datum if the base type is
// itself in text form (a domain over an enum, a range, ...).
type_ref domain_type(const type_ref &base, std::uint32_t domain_oid);

struct param_spec {
  std::string name; // SQL argument name; empty = unnamed, then spelled $1, $2, ...
  type_ref type;
};

struct field_spec {
  std::string name;
  type_ref type;
  bool not_null = false; // NOT NULL table column: the member is T, not std::optional<T>
};

struct composite_spec {
  std::string name; // C++ struct name (the SQL type's name)
  std::uint32_t oid = 0, array_oid = 0;
  std::vector<field_spec> fields; // live attributes, in order
};

enum class function_kind { scalar, set_returning, trigger };

struct function_spec {
  std::string name;   // for comments only
  std::string symbol; // the body's C++ function name (plcpp_<schema>_<name>_<oid>); empty:
                      // plcpp_body. What gdb, perf and backtraces show for the body's frame.
  function_kind kind = function_kind::scalar;
  std::vector<param_spec> params;
  // scalar: the result (nullopt = void); set_returning: the row type when it is a named
  // composite or a scalar (nullopt for OUT/TABLE columns, which get struct out_row).
  std::optional<type_ref> result;
  // set_returning, and scalar functions with OUT parameters: the result columns.
  std::vector<field_spec> columns;
  bool out_row = false;                   // declare struct out_row from `columns`
  std::vector<composite_spec> composites; // in dependency order
  bool strict = false;                    // STRICT: arguments arrive as T, else as std::optional<T>
  bool memoize = false; // [[plcpp::memoize]]: set-returning, the body must return sql(...)
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

// Can `name` be a C++ identifier for a parameter, member or struct (not a keyword, not
// reserved)? Returns nullptr if yes, else the reason.
const char *invalid_parameter_name(std::string_view name);

// Does `identifier` occur in `code` as a whole word outside comments and literals?
bool code_names(std::string_view code, std::string_view identifier);

// Is `word` a C++ keyword (or `plcpp`, which the generated code reserves)?
bool is_keyword(std::string_view word) noexcept;

// spec.symbol, or plcpp_body when it is empty.
std::string body_symbol(const function_spec &spec);

// The whole translation unit. Call only when spec is valid (names checked) and the prepared
// body has no errors.
std::string assemble(const function_spec &spec, const prepared_body &body);

} // namespace plcpp::jit
