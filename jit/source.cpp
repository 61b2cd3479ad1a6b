// jit/source.cpp — see source.h.
#include "source.h"

#include "lexer.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace plcpp::jit {
namespace {

struct type_spelling {
  std::string_view tag;
  const char *arg;   // what the body receives
  const char *value; // what the body returns (inside plcpp::ret<>)
};

// Must agree with the traits in runtime/include/plcpp/types.hpp (the unit tests compile both).
constexpr std::array<type_spelling, 9> spellings{{
    {"bool_", "bool", "bool"},
    {"int2", "std::int16_t", "std::int16_t"},
    {"int4", "std::int32_t", "std::int32_t"},
    {"int8", "std::int64_t", "std::int64_t"},
    {"oid", "::plcpp::Oid", "::plcpp::Oid"},
    {"float4", "float", "float"},
    {"float8", "double", "double"},
    {"text", "std::string_view", "std::string"},
    {"name", "std::string_view", "std::string"},
}};

const type_spelling *spelling_of(std::string_view tag) {
  for (const auto &s : spellings)
    if (s.tag == tag) return &s;
  return nullptr;
}

constexpr std::array<std::string_view, 97> keywords{{
    "alignas",       "alignof",     "and",
    "and_eq",        "asm",         "auto",
    "bitand",        "bitor",       "bool",
    "break",         "case",        "catch",
    "char",          "char8_t",     "char16_t",
    "char32_t",      "class",       "compl",
    "concept",       "const",       "consteval",
    "constexpr",     "constinit",   "const_cast",
    "continue",      "co_await",    "co_return",
    "co_yield",      "decltype",    "default",
    "delete",        "do",          "double",
    "dynamic_cast",  "else",        "enum",
    "explicit",      "export",      "extern",
    "false",         "float",       "for",
    "friend",        "goto",        "if",
    "inline",        "int",         "long",
    "mutable",       "namespace",   "new",
    "noexcept",      "not",         "not_eq",
    "nullptr",       "operator",    "or",
    "or_eq",         "private",     "protected",
    "public",        "register",    "reinterpret_cast",
    "requires",      "return",      "short",
    "signed",        "sizeof",      "static",
    "static_assert", "static_cast", "struct",
    "switch",        "template",    "this",
    "thread_local",  "throw",       "true",
    "try",           "typedef",     "typeid",
    "typename",      "union",       "unsigned",
    "using",         "virtual",     "void",
    "volatile",      "wchar_t",     "while",
    "xor",           "xor_eq",      "final",
    "override",      "import",      "module",
    "plcpp",
}};

std::string spelled_name(const param_spec &p, std::size_t index) {
  return p.name.empty() ? "$" + std::to_string(index + 1) : p.name;
}

// Leading lines of the body that are blank, comments or #include: the #includes move to file
// scope (a #include inside a function would be nonsense), keeping their line numbers.
void hoist_includes(prepared_body &out, std::size_t &first_statement) {
  std::string &code = out.code;
  std::size_t pos = 0;
  for (;;) {
    pos = skip_trivia(code, pos);
    if (pos >= code.size() || code[pos] != '#') break;
    std::size_t eol = code.find('\n', pos);
    if (eol == std::string::npos) eol = code.size();
    std::string_view line(code.data() + pos, eol - pos);
    std::size_t word = line.find_first_not_of(" \t", 1);
    if (word == std::string_view::npos || line.compare(word, 7, "include") != 0) break;
    // Hoist the directive up to its header name only: a comment after it stays in the body
    // (a /* opened there must not swallow the generated code that follows the hoisted line).
    std::size_t name = line.find_first_of("<\"", word + 7);
    std::size_t close =
        name == std::string_view::npos ? name : line.find(line[name] == '<' ? '>' : '"', name + 1);
    std::size_t end = close == std::string_view::npos ? line.size() : close + 1;
    unsigned l, c;
    line_column(code, pos, l, c);
    out.includes.push_back("#line " + std::to_string(l) + " \"" + body_file + "\"\n" +
                           std::string(line.substr(0, end)) + "\n");
    std::fill(code.begin() + static_cast<std::ptrdiff_t>(pos),
              code.begin() + static_cast<std::ptrdiff_t>(pos + end), ' ');
    pos += end;
  }
  first_statement = pos;
}

} // namespace

const char *cpp_arg_type(std::string_view sql_tag) {
  const type_spelling *s = spelling_of(sql_tag);
  return s ? s->arg : nullptr;
}

const char *cpp_value_type(std::string_view sql_tag) {
  const type_spelling *s = spelling_of(sql_tag);
  return s ? s->value : nullptr;
}

const char *invalid_parameter_name(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return "a C++ identifier starts with a letter or '_'";
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return "a C++ identifier has only letters, digits and '_'";
  if (std::find(keywords.begin(), keywords.end(), name) != keywords.end())
    return "it is a C++ keyword";
  // Object-like macros of the C/C++ library that every body sees.
  for (std::string_view macro : {"errno", "math_errhandling", "assert", "offsetof", "stdin",
                                 "stdout", "stderr", "setjmp", "va_arg", "va_start", "va_end"})
    if (name == macro) return "it is a macro of the C++ library";
  if (name.compare(0, 6, "plcpp_") == 0) return "names starting with plcpp_ are reserved";
  if (name.size() > 1 && name[0] == '_' &&
      (name[1] == '_' || std::isupper(static_cast<unsigned char>(name[1]))))
    return "names starting with __ or _ and an upper-case letter are reserved in C++";
  return nullptr;
}

prepared_body prepare_body(std::string_view body) {
  prepared_body out;
  out.code = std::string(body);
  std::size_t first_statement = 0;
  hoist_includes(out, first_statement);
  out.attributes = take_attributes(out.code, first_statement, out.errors);
  return out;
}

std::string assemble(const function_spec &spec, const prepared_body &body) {
  std::string params, args, null_check;
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    const param_spec &p = spec.params[i];
    std::string type = cpp_arg_type(p.sql_tag);
    std::string tag = "::plcpp::detail::sql::" + p.sql_tag;
    std::string index = std::to_string(i);
    if (i) {
      params += ", ";
      args += ", ";
      null_check += " || ";
    }
    params += (spec.strict ? type : "std::optional<" + type + ">") + " " + spelled_name(p, i);
    args += (spec.strict ? "::plcpp::detail::arg<" : "::plcpp::detail::opt_arg<") + tag +
            ">(plcpp_frame, " + index + ")";
    null_check += "plcpp_frame->args[" + index + "].isnull";
  }

  bool is_void = spec.result_tag.empty();
  std::string result_type =
      is_void ? "void" : "::plcpp::ret<" + std::string(cpp_value_type(spec.result_tag)) + ">";

  std::string tu;
  tu += "// plcpp: generated translation unit for function " + spec.name + "\n";
  tu += "#include <plcpp/plcpp.hpp>\n";
  for (const auto &inc : body.includes)
    tu += inc;
  tu += "#line 1 \"" + std::string(wrapper_file) + "\"\n";
  tu += "using namespace plcpp;\n";
  tu += "static " + result_type + " plcpp_body(" + params + ") {\n";
  tu += "#line 1 \"" + std::string(body_file) + "\"\n";
  tu += body.code;
  // The closing brace belongs to the body's line space: "does not return a value in all
  // control paths" then points just past the user's last line.
  tu += "\n}\n#line 1 \"" + std::string(wrapper_file) + "\"\n";
  tu += "extern \"C\" PLCPP_API ::plcpp::detail::datum\n"
        "plcpp_entry(::plcpp::detail::call_frame *plcpp_frame) {\n";
  if (spec.strict && !spec.params.empty())
    tu += "  if (" + null_check + ") { plcpp_frame->result_isnull = true; return 0; }\n";
  if (is_void) {
    tu += "  plcpp_body(" + args + ");\n";
    tu += "  plcpp_frame->result_isnull = false;\n  return 0;\n";
  } else {
    tu += "  return ::plcpp::detail::result<::plcpp::detail::sql::" + spec.result_tag +
          ">(plcpp_frame, plcpp_body(" + args + "));\n";
  }
  tu += "}\n";
  return tu;
}

} // namespace plcpp::jit
