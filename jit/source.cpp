// jit/source.cpp — see source.h.
#include "source.h"

#include "lexer.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace plcpp::jit {
namespace {

struct builtin {
  std::uint32_t oid;
  const char *arg;   // what the body receives
  const char *value; // what the body returns
};

// Must agree with the value_traits of runtime/include/plcpp (the unit tests compile both).
// Arguments own their data (text, name and bytea arrive as std::string and std::vector,
// copied out of the call's memory), so a body may keep an argument in a static (`static auto
// kept = s;`, a container of its type). They were views into the call's memory: faster by
// one copy per call (about 30 ns for 32 bytes), but such a static read that memory after it
// was freed, and no C++ view type can check that (issue 18 item 2). A view the body makes of
// an argument is a view of a local, as in any C++ function.
constexpr std::array<builtin, 21> builtins{{
    {16, "bool", "bool"},
    {17, "std::vector<std::byte>", "std::vector<std::byte>"},
    {19, "std::string", "std::string"},
    {20, "std::int64_t", "std::int64_t"},
    {21, "std::int16_t", "std::int16_t"},
    {23, "std::int32_t", "std::int32_t"},
    {25, "std::string", "std::string"},
    {26, "::plcpp::Oid", "::plcpp::Oid"},
    {114, "::plcpp::json", "::plcpp::json"},
    {700, "float", "float"},
    {701, "double", "double"},
    {1042, "std::string", "std::string"},
    {1043, "std::string", "std::string"},
    {1082, "::plcpp::date", "::plcpp::date"},
    {1114, "::plcpp::timestamp", "::plcpp::timestamp"},
    {1184, "::plcpp::timestamptz", "::plcpp::timestamptz"},
    {1186, "::plcpp::interval", "::plcpp::interval"},
    {1700, "::plcpp::numeric", "::plcpp::numeric"},
    {2249, "::plcpp::record", "::plcpp::record"},
    {2950, "::plcpp::uuid", "::plcpp::uuid"},
    {3802, "::plcpp::json", "::plcpp::json"},
}};

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

std::optional<type_ref> builtin_type(std::uint32_t oid) {
  for (const auto &b : builtins)
    if (b.oid == oid) return type_ref{b.arg, b.value, oid};
  return std::nullopt;
}

bool is_builtin_type(std::uint32_t oid) noexcept {
  for (const auto &b : builtins)
    if (b.oid == oid) return true;
  return false;
}

type_ref array_type(const type_ref &element, std::uint32_t array_oid) {
  return {"::plcpp::array<" + element.arg + ">", "::plcpp::array<" + element.value + ">",
          array_oid};
}

// Qualified: the struct is also named in value_traits specializations and in the entry
// point, outside the body's namespace (which has using-declarations for the plain name).
type_ref struct_type(const std::string &cpp_name, std::uint32_t oid) {
  std::string q = "::plcpp_types::" + cpp_name;
  return {q, q, oid};
}

type_ref text_form_type(std::uint32_t oid) {
  return {"::plcpp::datum", "::plcpp::datum", oid};
}

type_ref domain_type(const type_ref &base, std::uint32_t domain_oid) {
  if (base.value == "::plcpp::datum") return text_form_type(domain_oid);
  std::string t = "::plcpp::domain<" + base.value + ">";
  return {t, t, domain_oid};
}

bool is_keyword(std::string_view word) noexcept {
  return std::find(keywords.begin(), keywords.end(), word) != keywords.end();
}

const char *invalid_parameter_name(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return "a C++ identifier starts with a letter or '_'";
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return "a C++ identifier has only letters, digits and '_'";
  if (is_keyword(name)) return "it is a C++ keyword";
  // Object-like macros of the C/C++ library that every body sees.
  for (std::string_view macro : {"errno", "math_errhandling", "assert", "offsetof", "stdin",
                                 "stdout", "stderr", "setjmp", "va_arg", "va_start", "va_end"})
    if (name == macro) return "it is a macro of the C++ library";
  if (name == "std") return "it names the C++ standard library, which the generated code uses";
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

namespace {

std::string member_type(const field_spec &f) {
  return f.not_null ? f.type.value : "std::optional<" + f.type.value + ">";
}

void emit_struct(std::string &tu, const std::string &name, const std::vector<field_spec> &fields) {
  tu += "struct " + name + " {\n";
  for (const auto &f : fields)
    tu += "  " + member_type(f) + " " + f.name + ";\n";
  tu += "};\n";
}

// value_traits for a generated struct: member-wise through record_open / record_build.
// oid 2249 (record) is an OUT-parameter row: record_build then uses the call's result type.
void emit_traits(std::string &tu, const std::string &name, std::uint32_t oid,
                 std::uint32_t array_oid, const std::vector<field_spec> &fields) {
  std::string q = "::plcpp_types::" + name, n = std::to_string(fields.size()),
              o = std::to_string(oid);
  tu += "namespace plcpp {\ntemplate <> struct value_traits<" + q + "> {\n";
  tu += "  static constexpr Oid oid = " + o + ", array_oid = " + std::to_string(array_oid) + ";\n";
  tu += "  static constexpr const char *cpp_name = \"" + name + "\";\n";
  // Another composite type is read by record_open (which checks it); anything else goes
  // through the assignment cast, and fails there.
  tu += "  static bool reads(Oid t) { return t == oid || detail::is_composite_type(t); }\n";
  tu += "  static bool writes(Oid t) { return t == oid; }\n";
  tu += "  static " + q + " from_datum(detail::raw_datum d, Oid) {\n";
  tu += "    auto f = detail::record_open(d, oid, " + n + ", cpp_name);\n";
  tu += "    " + q + " v;\n";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string k = std::to_string(i);
    tu += "    v." + fields[i].name + " = detail::from_sql<" + member_type(fields[i]) +
          ">(f.values[" + k + "], f.nulls[" + k + "], f.types[" + k + "], {\"attribute\", \"" +
          fields[i].name + "\"});\n";
  }
  tu += "    return v;\n  }\n";
  tu += "  static detail::raw_datum to_datum(const " + q + " &v, Oid) {\n";
  tu += "    detail::raw_datum values[" + n + " + 1];\n    bool nulls[" + n + " + 1];\n";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string k = std::to_string(i);
    tu += "    detail::to_sql(v." + fields[i].name + ", values[" + k + "], nulls[" + k + "], " +
          std::to_string(fields[i].type.oid) + ");\n";
  }
  tu += "    return detail::record_build(oid, values, nulls, " + n + ");\n  }\n};\n}\n";
}

constexpr std::uint32_t record_oid = 2249;

// RETURNS record / SETOF record without OUT columns: an anonymous record, whose columns the
// caller gives (select * from f() as t(a int, b text)) and the runtime checks.
bool anonymous_record(const function_spec &spec) {
  return !spec.out_row && spec.result && spec.result->oid == record_oid && spec.columns.empty();
}

// SETOF record: yield(values...) or yield(record), converted to the caller's columns at run
// time.
void emit_record_yield(std::string &tu) {
  tu += "template <class... A> static void yield(const A &...a) {\n"
        "  ::plcpp::detail::yield_values(a...);\n}\n"
        "static void yield(const ::plcpp::record &r) { ::plcpp::detail::emit_record(r); }\n"
        "static void yield(const ::plcpp::row &r) { ::plcpp::detail::emit_record(r.to_record()); "
        "}\n"
        "template <class... A> static void yield(const std::tuple<A...> &t) {\n"
        "  std::apply([](const auto &...a) { yield(a...); }, t);\n}\n"
        "struct plcpp_yield {\n"
        "  template <class E> static void row(const E &e) { yield(e); }\n};\n";
}

// yield(...) typed for the result columns, plus yield(row struct) and yield(std::tuple).
void emit_yield(std::string &tu, const function_spec &spec, const std::string &row_struct) {
  if (anonymous_record(spec)) return emit_record_yield(tu);
  const auto &cols = spec.columns;
  std::size_t n = cols.size();
  std::string tparams, params, args;
  for (std::size_t i = 0; i < n; ++i) {
    std::string k = std::to_string(i);
    tparams += std::string(i ? ", " : "") + "class A" + k;
    params += std::string(i ? ", " : "") + "A" + k + " &&c" + k;
  }
  tu += "template <" + tparams + ">\n";
  if (n == 1 && !row_struct.empty())
    tu += "  requires(!std::is_same_v<std::remove_cvref_t<A0>, " + row_struct + ">)\n";
  tu += "static void yield(" + params + ") {\n";
  tu += "  ::plcpp::detail::row_buffer<" + std::to_string(n) + "> plcpp_row;\n";
  for (std::size_t i = 0; i < n; ++i) {
    std::string k = std::to_string(i);
    tu += "  ::plcpp::detail::to_sql(c" + k + ", plcpp_row.values[" + k + "], plcpp_row.nulls[" +
          k + "], " + std::to_string(cols[i].type.oid) + ");\n";
  }
  tu += "  plcpp_row.emit();\n}\n";
  if (!row_struct.empty()) {
    tu += "static void yield(const " + row_struct + " &r) { yield(";
    for (std::size_t i = 0; i < n; ++i)
      tu += std::string(i ? ", " : "") + "r." + cols[i].name;
    tu += "); }\n";
  }
  if (n > 1)
    tu += "template <class... A> static void yield(const std::tuple<A...> &t) {\n"
          "  std::apply([](const auto &...a) { yield(a...); }, t);\n}\n";
  tu += "struct plcpp_yield {\n"
        "  template <class E> static void row(const E &e) { yield(e); }\n};\n";
}

constexpr const char *runtime_include = "#include <plcpp/plcpp.hpp>\n";
constexpr const char *json_include = "#include <plcpp/json.hpp>\n";

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

// Also true for the name inside an #include path (<plcpp/json.hpp>), which is what we want.
bool code_names(std::string_view s, std::string_view name) {
  for (std::size_t at = find_in_code(s, name, 0); at != std::string_view::npos;
       at = find_in_code(s, name, at + 1)) {
    bool starts = at == 0 || !is_identifier_char(s[at - 1]);
    bool ends = at + name.size() == s.size() || !is_identifier_char(s[at + name.size()]);
    if (starts && ends) return true;
  }
  return false;
}

std::string body_symbol(const function_spec &spec) {
  return spec.symbol.empty() ? "plcpp_body" : spec.symbol;
}

std::string assemble(const function_spec &spec, const prepared_body &body) {
  std::string params, args, null_check;
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    const param_spec &p = spec.params[i];
    std::string index = std::to_string(i), oid = std::to_string(p.type.oid);
    if (i) {
      params += ", ";
      args += ", ";
      null_check += " || ";
    }
    params +=
        (spec.strict ? p.type.arg : "std::optional<" + p.type.arg + ">") + " " + spelled_name(p, i);
    args += (spec.strict ? "::plcpp::detail::arg<" : "::plcpp::detail::opt_arg<") + p.type.arg +
            ">(plcpp_frame, " + index + ", " + oid + ")";
    null_check += "plcpp_frame->args[" + index + "].isnull";
  }

  // The struct a row of the result is, if any: a named composite, or out_row.
  std::string row_struct;
  if (spec.out_row)
    row_struct = "out_row";
  else if (spec.kind == function_kind::set_returning && spec.result)
    for (const auto &c : spec.composites)
      if (c.oid == spec.result->oid) row_struct = c.name;

  std::string result_type;
  switch (spec.kind) {
  case function_kind::scalar:
    result_type = !spec.result ? "void" : "::plcpp::ret<" + spec.result->value + ">";
    break;
  case function_kind::set_returning:
    result_type = spec.memoize ? "::plcpp::memo_rows" : "::plcpp::rows<plcpp_yield>";
    break;
  case function_kind::trigger:
    result_type = "::plcpp::trigger_result";
    break;
  }

  std::string tu;
  tu += "// plcpp: generated translation unit for function " + spec.name + "\n";
  tu += runtime_include;
  for (const auto &inc : body.includes)
    tu += inc;
  tu += "#line 1 \"" + std::string(wrapper_file) + "\"\n";
  // Structs for composite types live in their own namespace and are brought into the body's
  // by using-declarations, so a type named like a plcpp name (date, record) wins over it.
  if (!spec.composites.empty() || spec.out_row) {
    tu += "namespace plcpp_types {\n";
    for (const auto &c : spec.composites)
      emit_struct(tu, c.name, c.fields);
    if (spec.out_row) emit_struct(tu, "out_row", spec.columns);
    tu += "}\n";
    for (const auto &c : spec.composites)
      emit_traits(tu, c.name, c.oid, c.array_oid, c.fields);
    if (spec.out_row) emit_traits(tu, "out_row", 2249, 2287, spec.columns);
  }
  tu += "namespace plcpp_fn {\nusing namespace ::plcpp;\n";
  for (const auto &c : spec.composites)
    tu += "using ::plcpp_types::" + c.name + ";\n";
  if (spec.out_row) tu += "using ::plcpp_types::out_row;\n";
  if (spec.memoize) // the view is built from the returned query; rows cannot be yielded
    tu += "template <class... A> static void yield(const A &...) {\n"
          "  static_assert(::plcpp::detail::always_false<A...>, \"a [[plcpp::memoize]] body "
          "returns sql(...); it cannot yield rows\");\n}\n";
  else if (spec.kind == function_kind::set_returning)
    emit_yield(tu, spec, row_struct);
  // Never inlined into the entry point: the body keeps a frame of its own, named after the
  // SQL function, for gdb, perf and the error line (jit/loader.h). One call per call.
  tu +=
      "[[gnu::noinline]] static " + result_type + " " + body_symbol(spec) + "(" + params + ") {\n";
  tu += "#line 1 \"" + std::string(body_file) + "\"\n";
  tu += body.code;
  // The closing brace belongs to the body's line space: "does not return a value in all
  // control paths" then points just past the user's last line. Set-returning and trigger
  // bodies may fall off the end: that returns the yielded rows / lets the row through.
  // A memoized body must return its query, so it may not fall off the end either.
  tu += spec.kind == function_kind::scalar || spec.memoize ? "\n}\n" : "\nreturn {}; }\n";
  tu += "#line 1 \"" + std::string(wrapper_file) + "\"\n";
  tu += "} // namespace plcpp_fn\n";
  tu += "extern \"C\" PLCPP_API ::plcpp::detail::raw_datum\n"
        "plcpp_entry(::plcpp::detail::call_frame *plcpp_frame) {\n";
  if (spec.strict && !spec.params.empty())
    tu += "  if (" + null_check + ") { plcpp_frame->result_isnull = true; return 0; }\n";
  switch (spec.kind) {
  case function_kind::scalar:
    if (!spec.result) {
      tu += "  plcpp_fn::" + body_symbol(spec) + "(" + args + ");\n";
      tu += "  plcpp_frame->result_isnull = false;\n  return 0;\n";
    } else if (anonymous_record(spec)) {
      tu += "  return ::plcpp::detail::record_result(plcpp_frame, plcpp_fn::" + body_symbol(spec) +
            "(" + args + ").value());\n";
    } else {
      tu += "  return ::plcpp::detail::result<" + spec.result->value +
            ">(plcpp_frame, plcpp_fn::" + body_symbol(spec) + "(" + args + "), " +
            std::to_string(spec.result->oid) + ");\n";
    }
    break;
  case function_kind::set_returning:
    tu += "  plcpp_fn::" + body_symbol(spec) + "(" + args + ").finish();\n";
    tu += "  plcpp_frame->result_isnull = true;\n  return 0;\n";
    break;
  case function_kind::trigger:
    tu += "  plcpp_frame->result_isnull = false;\n";
    tu += "  return ::plcpp::detail::trigger_return(plcpp_fn::" + body_symbol(spec) + "());\n";
    break;
  }
  tu += "}\n";
  // nlohmann/json is the heaviest header of the runtime (it grows the precompiled header from
  // 17 to 27 MB, and every compile pays for that size), so only units that name it include it.
  if (code_names(tu, "json") || code_names(tu, "nlohmann")) {
    std::size_t after = tu.find(runtime_include) + std::string_view(runtime_include).size();
    tu.insert(after, json_include);
  }
  return tu;
}

} // namespace plcpp::jit
