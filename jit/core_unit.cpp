// jit/core_unit.cpp — see core_unit.h.
#include "core_unit.h"

#include "lexer.h"

#include <cctype>

namespace plcpp::jit {
namespace {

// The SQL types a core unit handles, by OID: bool, int8, int2, int4, float4, float8.
bool is_core_type(std::uint32_t oid) {
  return oid == 16 || oid == 20 || oid == 21 || oid == 23 || oid == 700 || oid == 701;
}

bool identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

// The fixed-width integer types of <cstdint>, which core.hpp includes too: std::int64_t is
// the one qualified name a core body may use.
bool cstdint_name(std::string_view word) {
  for (std::string_view t : {"int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t",
                             "uint32_t", "uint64_t", "intptr_t", "uintptr_t"})
    if (word == t) return true;
  return false;
}

// Does the code stay within the core language: no qualified name but std::int64_t and its
// kin, no preprocessor line, no call of a named function (keywords such as `if (` and
// `sizeof (` are fine)?
bool plain_arithmetic(std::string_view code) {
  std::size_t pos = 0;
  while ((pos = skip_trivia(code, pos)) < code.size()) {
    std::size_t after_literal = skip_literal(code, pos);
    if (after_literal != pos) {
      pos = after_literal;
      continue;
    }
    char c = code[pos];
    if (c == '#' || code.compare(pos, 2, "::") == 0) return false;
    if (!identifier_char(c)) {
      ++pos;
      continue;
    }
    std::size_t end = pos;
    while (end < code.size() && (identifier_char(code[end]) || code[end] == '\''))
      ++end; // a number (1'000, 1e5) or a name
    bool name = !std::isdigit(static_cast<unsigned char>(c));
    std::string_view word = code.substr(pos, end - pos);
    std::size_t next = skip_trivia(code, end);
    if (word == "std" && code.compare(next, 2, "::") == 0) { // std::int64_t
      std::size_t type = skip_trivia(code, next + 2), type_end = type;
      while (type_end < code.size() && identifier_char(code[type_end]))
        ++type_end;
      if (!cstdint_name(code.substr(type, type_end - type))) return false;
      pos = type_end;
      continue;
    }
    if (name && next < code.size() && code[next] == '(' && !is_keyword(word)) return false;
    pos = end;
  }
  return true;
}

} // namespace

std::optional<std::string> assemble_core(const function_spec &spec, const prepared_body &body) {
  if (spec.kind != function_kind::scalar || spec.out_row || !spec.result || !spec.strict ||
      !is_core_type(spec.result->oid) || !spec.composites.empty() || !body.includes.empty() ||
      !body.attributes.empty() || !plain_arithmetic(body.code))
    return std::nullopt;
  std::string params, args, null_check;
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    const param_spec &p = spec.params[i];
    if (!is_core_type(p.type.oid)) return std::nullopt;
    std::string index = std::to_string(i);
    if (i) {
      params += ", ";
      args += ", ";
      null_check += " || ";
    }
    params += p.type.arg + " " + (p.name.empty() ? "$" + std::to_string(i + 1) : p.name);
    args += "::plcpp::detail::core_arg<" + p.type.arg + ">(plcpp_frame, " + index + ")";
    null_check += "plcpp_frame->args[" + index + "].isnull";
  }
  const std::string &result = spec.result->value;
  std::string tu = "// plcpp: generated core unit for function " + spec.name + "\n";
  tu += "#include <plcpp/core.hpp>\n";
  tu += "#line 1 \"" + std::string(wrapper_file) + "\"\n";
  tu += "namespace plcpp_fn {\n";
  tu += "[[gnu::noinline]] static ::plcpp::detail::core_ret<" + result + "> " + body_symbol(spec) +
        "(" + params + ") {\n";
  tu += "#line 1 \"" + std::string(body_file) + "\"\n";
  tu += body.code;
  tu += "\n}\n";
  tu += "#line 1 \"" + std::string(wrapper_file) + "\"\n";
  tu += "} // namespace plcpp_fn\n";
  tu += "extern \"C\" PLCPP_API ::plcpp::detail::raw_datum\n"
        "plcpp_entry(::plcpp::detail::call_frame *plcpp_frame) {\n";
  if (!spec.params.empty())
    tu += "  if (" + null_check + ") { plcpp_frame->result_isnull = true; return 0; }\n";
  tu += "  return ::plcpp::detail::core_result<" + result +
        ">(plcpp_frame, plcpp_fn::" + body_symbol(spec) + "(" + args + "));\n}\n";
  return tu;
}

} // namespace plcpp::jit
