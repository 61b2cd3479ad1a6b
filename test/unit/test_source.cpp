// test/unit/test_source.cpp — jit/source.h: body preparation, names, types, the generated unit.
#include "jit/source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

// The old tag names of the SQL types, for readable test cases.
inline plcpp::jit::type_ref ty(const std::string &tag) {
  static const std::pair<const char *, unsigned> oids[] = {
      {"bool_", 16},   {"int2", 21}, {"int4", 23}, {"int8", 20},  {"oid", 26},    {"float4", 700},
      {"float8", 701}, {"text", 25}, {"name", 19}, {"json", 114}, {"jsonb", 3802}};
  for (const auto &[t, oid] : oids)
    if (tag == t) return *plcpp::jit::builtin_type(oid);
  throw std::invalid_argument("unknown tag " + tag);
}
inline plcpp::jit::param_spec P(const std::string &name, const std::string &tag) {
  return {name, ty(tag)};
}

namespace {

using plcpp::jit::assemble;
using plcpp::jit::function_spec;
using plcpp::jit::invalid_parameter_name;
using plcpp::jit::param_spec;
using plcpp::jit::prepare_body;
using plcpp::jit::prepared_body;

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count(const std::string &haystack, const std::string &needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// ---- prepare_body: #include hoisting --------------------------------------------------------

TEST(PrepareBody, NoIncludes) {
  std::string body = "int x = 1;\nreturn x;";
  prepared_body p = prepare_body(body);
  EXPECT_TRUE(p.includes.empty());
  EXPECT_TRUE(p.attributes.empty());
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.code, body);
}

TEST(PrepareBody, HoistsLeadingIncludes) {
  std::string body = "#include <regex>\n#include <cmath>\nreturn 1;";
  prepared_body p = prepare_body(body);
  ASSERT_EQ(p.includes.size(), 2u);
  EXPECT_EQ(p.includes[0], "#line 1 \"plcpp-body\"\n#include <regex>\n");
  EXPECT_EQ(p.includes[1], "#line 2 \"plcpp-body\"\n#include <cmath>\n");
  // Blanked in the body, so that lines and columns stay put.
  EXPECT_EQ(p.code, std::string(16, ' ') + "\n" + std::string(16, ' ') + "\nreturn 1;");
  EXPECT_TRUE(p.errors.empty());
}

TEST(PrepareBody, IncludesAfterBlankLinesAndComments) {
  std::string body = "\n// dependencies\n  #include <regex>\n/* c */ # include \"local.h\"\n"
                     "return 1;";
  prepared_body p = prepare_body(body);
  ASSERT_EQ(p.includes.size(), 2u);
  EXPECT_EQ(p.includes[0], "#line 3 \"plcpp-body\"\n#include <regex>\n");
  EXPECT_EQ(p.includes[1], "#line 4 \"plcpp-body\"\n# include \"local.h\"\n");
  ASSERT_EQ(p.code.size(), body.size());
  EXPECT_FALSE(contains(p.code, "include"));
  EXPECT_TRUE(contains(p.code, "// dependencies"));
  EXPECT_TRUE(contains(p.code, "/* c */"));
  EXPECT_EQ(p.code.find("return"), body.find("return"));
  EXPECT_EQ(std::count(p.code.begin(), p.code.end(), '\n'), 4);
}

TEST(PrepareBody, StopsAtTheFirstStatement) {
  std::string body = "#include <regex>\nint x = 0;\n#include <cmath>\nreturn x;";
  prepared_body p = prepare_body(body);
  ASSERT_EQ(p.includes.size(), 1u);
  EXPECT_TRUE(contains(p.includes[0], "<regex>"));
  // The later #include stays where it is (Clang will complain about it, in place).
  EXPECT_TRUE(contains(p.code, "#include <cmath>"));
  EXPECT_FALSE(contains(p.code, "<regex>"));
}

TEST(PrepareBody, StopsAtOtherDirectives) {
  std::string body = "#define N 3\n#include <regex>\nreturn N;";
  prepared_body p = prepare_body(body);
  EXPECT_TRUE(p.includes.empty());
  EXPECT_EQ(p.code, body);
}

TEST(PrepareBody, IncludeOnTheLastLineWithoutNewline) {
  prepared_body p = prepare_body("#include <vector>");
  ASSERT_EQ(p.includes.size(), 1u);
  EXPECT_EQ(p.includes[0], "#line 1 \"plcpp-body\"\n#include <vector>\n");
  EXPECT_EQ(p.code, std::string(17, ' '));
}

TEST(PrepareBody, IncludeWithTrailingLineComment) {
  prepared_body p = prepare_body("#include <regex> // std::regex\nreturn 1;");
  ASSERT_EQ(p.includes.size(), 1u);
  // Only the directive moves; the comment stays in the body, where it is harmless.
  EXPECT_EQ(p.includes[0], "#line 1 \"plcpp-body\"\n#include <regex>\n");
  EXPECT_EQ(p.code.find_first_not_of(" \n"), p.code.find("// std::regex"));
  EXPECT_EQ(p.code.size(), std::string("#include <regex> // std::regex\nreturn 1;").size());
}

TEST(PrepareBody, IncludesThenAttributes) {
  std::string body = "#include <regex>\n\n[[plcpp::memoize(ttl = \"1 h\")]];\nreturn 1;";
  prepared_body p = prepare_body(body);
  EXPECT_TRUE(p.errors.empty());
  ASSERT_EQ(p.includes.size(), 1u);
  ASSERT_EQ(p.attributes.size(), 1u);
  EXPECT_EQ(p.attributes[0].name, "memoize");
  EXPECT_EQ(p.attributes[0].line, 3u);
  EXPECT_EQ(p.attributes[0].column, 1u);
  EXPECT_EQ(p.code.size(), body.size());
  EXPECT_EQ(p.code.find_first_not_of(" \n"), body.find("return"));
}

TEST(PrepareBody, AttributeErrorsAreReported) {
  prepared_body p = prepare_body("#include <regex>\nint x = 0; [[plcpp::memoize]]\nreturn x;");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_TRUE(p.errors[0].in_body);
  EXPECT_EQ(p.errors[0].line, 2u);
  EXPECT_EQ(p.errors[0].column, 12u);
}

// ---- invalid_parameter_name -----------------------------------------------------------------

TEST(ParameterName, ValidNames) {
  for (const char *name : {"x", "a1", "my_param", "_x", "_", "x_", "Count", "plcpp2", "plcppx",
                           "classy", "int4", "new_value"})
    EXPECT_EQ(invalid_parameter_name(name), nullptr) << name;
}

TEST(ParameterName, Keywords) {
  for (const char *name : {"class", "int", "new", "return", "template", "co_await", "and",
                           "nullptr", "this", "requires", "char8_t", "plcpp"}) {
    const char *why = invalid_parameter_name(name);
    ASSERT_NE(why, nullptr) << name;
    EXPECT_STREQ(why, "it is a C++ keyword") << name;
  }
}

TEST(ParameterName, StdIsRejected) {
  // The generated code spells std::optional, std::string_view, ...
  EXPECT_NE(invalid_parameter_name("std"), nullptr);
  EXPECT_EQ(invalid_parameter_name("std_dev"), nullptr);
}

TEST(ParameterName, Reserved) {
  for (const char *name : {"plcpp_x", "plcpp_frame", "plcpp_body", "__x", "__", "_X", "_Foo"}) {
    const char *why = invalid_parameter_name(name);
    ASSERT_NE(why, nullptr) << name;
    EXPECT_TRUE(std::string(why).find("reserved") != std::string::npos) << name << ": " << why;
  }
}

TEST(ParameterName, BadCharacters) {
  EXPECT_NE(invalid_parameter_name(""), nullptr);
  for (const char *name : {"1x", "9", "a-b", "a b", "x.y", "$1", "a$", "na\xC3\xAFve",
                           "\xC3\xA9t\xC3\xA9", "x;", "-x"})
    EXPECT_NE(invalid_parameter_name(name), nullptr) << name;
  EXPECT_STREQ(invalid_parameter_name("1x"), "a C++ identifier starts with a letter or '_'");
  EXPECT_STREQ(invalid_parameter_name("a-b"), "a C++ identifier has only letters, digits and '_'");
}

TEST(ParameterName, MacrosOfTheRuntimeHeader) {
  // <plcpp/plcpp.hpp> (through the C library) defines these object-like macros; a parameter of
  // that name is macro-expanded in the generated wrapper, which then does not compile.
  for (const char *name : {"errno", "math_errhandling"}) {
    EXPECT_NE(invalid_parameter_name(name), nullptr) << name;
  }
}

// ---- SQL type -> C++ type -------------------------------------------------------------------

TEST(TypeSpelling, Builtins) {
  struct spelling_case {
    unsigned oid;
    const char *arg, *value;
  };
  const spelling_case cases[] = {
      {16, "bool", "bool"},
      {21, "std::int16_t", "std::int16_t"},
      {23, "std::int32_t", "std::int32_t"},
      {20, "std::int64_t", "std::int64_t"},
      {26, "::plcpp::Oid", "::plcpp::Oid"},
      {700, "float", "float"},
      {701, "double", "double"},
      {25, "std::string", "std::string"},
      {1043, "std::string", "std::string"},
      {19, "std::string", "std::string"},
      {17, "std::vector<std::byte>", "std::vector<std::byte>"},
      {1700, "::plcpp::numeric", "::plcpp::numeric"},
      {1082, "::plcpp::date", "::plcpp::date"},
      {1184, "::plcpp::timestamptz", "::plcpp::timestamptz"},
      {3802, "::plcpp::json", "::plcpp::json"},
      {2950, "::plcpp::uuid", "::plcpp::uuid"},
  };
  for (const auto &c : cases) {
    auto t = plcpp::jit::builtin_type(c.oid);
    ASSERT_TRUE(t.has_value()) << c.oid;
    EXPECT_EQ(t->arg, c.arg) << c.oid;
    EXPECT_EQ(t->value, c.value) << c.oid;
    EXPECT_EQ(t->oid, c.oid);
    EXPECT_TRUE(plcpp::jit::is_builtin_type(c.oid));
  }
}

TEST(TypeSpelling, OthersAreNotBuiltin) {
  for (unsigned oid : {0u, 1007u, 1083u, 3904u, 12345u}) {
    EXPECT_FALSE(plcpp::jit::builtin_type(oid).has_value()) << oid;
    EXPECT_FALSE(plcpp::jit::is_builtin_type(oid)) << oid;
  }
}

TEST(TypeSpelling, ArraysStructsAndTextForm) {
  auto a = plcpp::jit::array_type(*plcpp::jit::builtin_type(25), 1009);
  EXPECT_EQ(a.arg, "::plcpp::array<std::string>");
  EXPECT_EQ(a.value, "::plcpp::array<std::string>");
  EXPECT_EQ(a.oid, 1009u);
  EXPECT_EQ(plcpp::jit::struct_type("pt", 4242).value, "::plcpp_types::pt");
  EXPECT_EQ(plcpp::jit::text_form_type(3904).arg, "::plcpp::datum");
  // Domains: over a type with a C++ type, plcpp::domain of its value type; else text form.
  auto d = plcpp::jit::domain_type(*plcpp::jit::builtin_type(25), 5000);
  EXPECT_EQ(d.arg, "::plcpp::domain<std::string>");
  EXPECT_EQ(d.value, "::plcpp::domain<std::string>");
  EXPECT_EQ(d.oid, 5000u);
  EXPECT_EQ(plcpp::jit::domain_type(a, 5001).arg, "::plcpp::domain<::plcpp::array<std::string>>");
  EXPECT_EQ(plcpp::jit::domain_type(plcpp::jit::text_form_type(3904), 5002).arg, "::plcpp::datum");
  EXPECT_EQ(plcpp::jit::domain_type(plcpp::jit::text_form_type(3904), 5002).oid, 5002u);
}

// ---- assemble -------------------------------------------------------------------------------

function_spec make_spec(std::vector<param_spec> params, std::string result_tag, bool strict,
                        std::string body) {
  function_spec spec;
  spec.name = "public.f";
  spec.params = std::move(params);
  if (!result_tag.empty()) spec.result = ty(result_tag);
  spec.strict = strict;
  spec.body = std::move(body);
  return spec;
}

std::string assemble_body(const function_spec &spec) {
  return assemble(spec, prepare_body(spec.body));
}

TEST(Assemble, BodyIsPlacedUnderLineOne) {
  function_spec spec = make_spec({}, "int4", false, "int x = 41;\nreturn x + 1;");
  std::string tu = assemble_body(spec);
  // The closing brace is on the body's next line, so falling off the end points just past it.
  EXPECT_TRUE(contains(tu, "#line 1 \"plcpp-body\"\nint x = 41;\nreturn x + 1;\n}\n#line 1 "
                           "\"plcpp-wrapper\"\n"))
      << tu;
  EXPECT_EQ(count(tu, "#line 1 \"plcpp-body\""), 1u);
  EXPECT_TRUE(contains(tu, "#include <plcpp/plcpp.hpp>\n"));
  EXPECT_TRUE(contains(tu, "namespace plcpp_fn {\nusing namespace ::plcpp;"));
  EXPECT_TRUE(contains(tu, "function public.f"));
  EXPECT_TRUE(contains(tu, "static ::plcpp::ret<std::int32_t> plcpp_body() {\n"));
  EXPECT_TRUE(contains(tu, "extern \"C\" PLCPP_API ::plcpp::detail::raw_datum\nplcpp_entry("));
  EXPECT_TRUE(contains(tu, "return ::plcpp::detail::result<std::int32_t>("
                           "plcpp_frame, plcpp_fn::plcpp_body(), 23);"))
      << tu;
}

// nlohmann/json is included only by units that name it (it is the heaviest runtime header).
TEST(Assemble, IncludesJsonOnlyWhenTheCodeNamesIt) {
  const std::string json_include = "#include <plcpp/plcpp.hpp>\n#include <plcpp/json.hpp>\n";
  EXPECT_FALSE(contains(assemble_body(make_spec({}, "int4", true, "return 1;")), "json.hpp"));
  // In a comment or a literal, or as part of a longer name, it is not a use.
  EXPECT_FALSE(contains(assemble_body(make_spec({}, "text", true,
                                                "// json\nint jsonish = 1; /* nlohmann */\n"
                                                "return std::string(\"json\") + R\"(json)\";")),
                        "json.hpp"));
  EXPECT_TRUE(contains(
      assemble_body(make_spec({}, "int4", true, "json j = {{\"a\", 1}};\nreturn j.size();")),
      json_include));
  EXPECT_TRUE(
      contains(assemble_body(make_spec({}, "int4", true, "nlohmann::json j;\nreturn j.is_null();")),
               json_include));
  // A json or jsonb argument or result names ::plcpp::json in the generated wrapper.
  EXPECT_TRUE(contains(assemble_body(make_spec({P("j", "jsonb")}, "int4", true, "return 1;")),
                       json_include));
  EXPECT_TRUE(contains(assemble_body(make_spec({}, "json", true, "return {};")), json_include));
  EXPECT_TRUE(
      contains(assemble_body(make_spec({}, "int4", true, "#include <plcpp/json.hpp>\nreturn 1;")),
               json_include));
}

TEST(Assemble, NotStrictUsesOptionalParameters) {
  function_spec spec =
      make_spec({P("a", "int4"), P("s", "text")}, "int8", false, "return a.value_or(0);");
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "plcpp_body(std::optional<std::int32_t> a, "
                           "std::optional<std::string> s)"))
      << tu;
  EXPECT_TRUE(contains(tu, "::plcpp::detail::opt_arg<std::int32_t>(plcpp_frame, 0, 23)"));
  EXPECT_TRUE(contains(tu, "::plcpp::detail::opt_arg<std::string>(plcpp_frame, 1, 25)"));
  EXPECT_TRUE(contains(tu, "::plcpp::detail::result<std::int64_t>"));
  EXPECT_FALSE(contains(tu, "detail::arg<"));
  // NULL arguments reach the body: no short-circuit in the entry point.
  EXPECT_FALSE(contains(tu, ".isnull"));
}

TEST(Assemble, StrictUsesPlainParameters) {
  function_spec spec =
      make_spec({P("a", "int4"), P("b", "float8")}, "float8", true, "return a + b;");
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "plcpp_body(std::int32_t a, double b)")) << tu;
  EXPECT_FALSE(contains(tu, "std::optional<"));
  EXPECT_TRUE(contains(tu, "::plcpp::detail::arg<std::int32_t>(plcpp_frame, 0, 23)"));
  EXPECT_TRUE(contains(tu, "::plcpp::detail::arg<double>(plcpp_frame, 1, 701)"));
  EXPECT_TRUE(contains(tu, "if (plcpp_frame->args[0].isnull || plcpp_frame->args[1].isnull) { "
                           "plcpp_frame->result_isnull = true; return 0; }"))
      << tu;
}

TEST(Assemble, StrictWithoutParametersHasNoNullCheck) {
  std::string tu = assemble_body(make_spec({}, "bool_", true, "return true;"));
  EXPECT_FALSE(contains(tu, "isnull ||"));
  EXPECT_FALSE(contains(tu, "if ("));
  EXPECT_TRUE(contains(tu, "static ::plcpp::ret<bool> plcpp_body() {"));
}

TEST(Assemble, UnnamedParametersAreDollarN) {
  function_spec spec =
      make_spec({P("", "int4"), P("b", "int2"), P("", "oid")}, "int4", true, "return $1 + b;");
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "plcpp_body(std::int32_t $1, std::int16_t b, ::plcpp::Oid $3)")) << tu;
}

TEST(Assemble, UnnamedOptionalParameter) {
  std::string tu = assemble_body(make_spec({P("", "name")}, "text", false, "return *$1;"));
  EXPECT_TRUE(contains(tu, "plcpp_body(std::optional<std::string> $1)")) << tu;
  EXPECT_TRUE(contains(tu, "static ::plcpp::ret<std::string> plcpp_body("));
}

TEST(Assemble, VoidFunction) {
  function_spec spec = make_spec({P("msg", "text")}, "", false, "notice(msg.value_or(\"-\"));");
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "static void plcpp_body(std::optional<std::string> msg) {")) << tu;
  EXPECT_TRUE(
      contains(tu, "  plcpp_fn::plcpp_body(::plcpp::detail::opt_arg<std::string>("
                   "plcpp_frame, 0, 25));\n  plcpp_frame->result_isnull = false;\n  return 0;\n"))
      << tu;
  EXPECT_FALSE(contains(tu, "detail::result<"));
  EXPECT_FALSE(contains(tu, "::plcpp::ret<"));
}

TEST(Assemble, HoistedIncludesGoToFileScope) {
  function_spec spec = make_spec({}, "int4", false, "\n#include <regex>\nreturn 1;");
  std::string tu = assemble_body(spec);
  std::size_t runtime = tu.find("#include <plcpp/plcpp.hpp>");
  std::size_t hoisted = tu.find("#line 2 \"plcpp-body\"\n#include <regex>\n");
  std::size_t wrapper = tu.find("#line 1 \"plcpp-wrapper\"");
  std::size_t body = tu.find("#line 1 \"plcpp-body\"");
  ASSERT_NE(hoisted, std::string::npos) << tu;
  EXPECT_LT(runtime, hoisted);
  EXPECT_LT(hoisted, wrapper);
  EXPECT_LT(wrapper, body);
  EXPECT_EQ(count(tu, "<regex>"), 1u);
  // The body keeps its line structure: the include line is blank, return is on line 3.
  EXPECT_TRUE(contains(tu, "#line 1 \"plcpp-body\"\n\n" + std::string(16, ' ') + "\nreturn 1;"))
      << tu;
}

TEST(Assemble, AttributesAreNotInTheUnit) {
  function_spec spec = make_spec({}, "int4", false, "[[plcpp::memoize(ttl = \"1 h\")]]\nreturn 1;");
  std::string tu = assemble_body(spec);
  EXPECT_FALSE(contains(tu, "plcpp::memoize"));
  EXPECT_TRUE(contains(tu, "\nreturn 1;\n}\n#line 1 \"plcpp-wrapper\""));
}

TEST(Assemble, EveryTagRoundTrips) {
  for (const char *tag :
       {"bool_", "int2", "int4", "int8", "oid", "float4", "float8", "text", "name"}) {
    plcpp::jit::type_ref t = ty(tag);
    std::string tu = assemble_body(make_spec({P("v", tag)}, tag, true, "return v;"));
    std::string oid = std::to_string(t.oid);
    EXPECT_TRUE(contains(tu, "plcpp_body(" + t.arg + " v)")) << tag;
    EXPECT_TRUE(contains(tu, "::plcpp::ret<" + t.value + ">")) << tag;
    EXPECT_TRUE(contains(tu, "::plcpp::detail::arg<" + t.arg + ">(plcpp_frame, 0, " + oid + ")"))
        << tag;
    EXPECT_TRUE(contains(tu, "::plcpp::detail::result<" + t.value + ">(plcpp_frame,")) << tag;
  }
}

TEST(Assemble, SetReturningDeclaresYieldAndRowStruct) {
  function_spec spec = make_spec({P("n", "int4")}, "", true, "yield(1, \"a\");");
  spec.kind = plcpp::jit::function_kind::set_returning;
  spec.out_row = true;
  spec.columns = {{"a", ty("int4")}, {"b", ty("text")}};
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "struct out_row {\n  std::optional<std::int32_t> a;\n"
                           "  std::optional<std::string> b;\n};"))
      << tu;
  EXPECT_TRUE(contains(tu, "static void yield(A0 &&c0, A1 &&c1)")) << tu;
  EXPECT_TRUE(contains(tu, "static void yield(const out_row &r) { yield(r.a, r.b); }")) << tu;
  EXPECT_TRUE(contains(tu, "::plcpp::rows<plcpp_yield> plcpp_body(")) << tu;
  // A set-returning body may fall off its end.
  EXPECT_TRUE(contains(tu, "\nreturn {}; }\n")) << tu;
}

// RETURNS record (issue 19): the caller's column definition list decides the columns, so the
// result goes through record_result (checked at run time), not the traits of record.
TEST(Assemble, AnonymousRecordResultIsCheckedAtRunTime) {
  function_spec spec = make_spec({}, "", true, "return std::nullopt;");
  spec.result = *plcpp::jit::builtin_type(2249);
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "::plcpp::ret<::plcpp::record> plcpp_body(")) << tu;
  EXPECT_TRUE(contains(tu, "return ::plcpp::detail::record_result(plcpp_frame, "
                           "plcpp_fn::plcpp_body().value());"))
      << tu;
  EXPECT_FALSE(contains(tu, "detail::result<")) << tu;
}

// RETURNS SETOF record: yield takes any values, a record or a tuple; no typed columns.
TEST(Assemble, AnonymousRecordSetYieldsAnything) {
  function_spec spec = make_spec({}, "", true, "yield(1, \"a\");");
  spec.kind = plcpp::jit::function_kind::set_returning;
  spec.result = *plcpp::jit::builtin_type(2249);
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "::plcpp::detail::yield_values(a...);")) << tu;
  EXPECT_TRUE(contains(tu, "static void yield(const ::plcpp::record &r) "
                           "{ ::plcpp::detail::emit_record(r); }"))
      << tu;
  EXPECT_TRUE(contains(tu, "static void yield(const ::plcpp::row &r)")) << tu;
  EXPECT_FALSE(contains(tu, "row_buffer")) << tu;
  // OUT columns of type record keep their typed yield.
  spec.out_row = true;
  spec.result.reset();
  spec.columns = {{"r", *plcpp::jit::builtin_type(2249)}, {"n", ty("int4")}};
  tu = assemble_body(spec);
  EXPECT_FALSE(contains(tu, "yield_values")) << tu;
  EXPECT_TRUE(contains(tu, "static void yield(A0 &&c0, A1 &&c1)")) << tu;
}

TEST(Assemble, CompositeStructsHaveTraitsAndWinOverPlcppNames) {
  function_spec spec = make_spec({}, "", true, "return date{1, \"x\"};");
  plcpp::jit::composite_spec c;
  c.name = "date";
  c.oid = 5000;
  c.array_oid = 5001;
  c.fields = {{"id", ty("int4"), true}, {"label", ty("text"), false}};
  spec.composites = {c};
  spec.result = plcpp::jit::struct_type("date", 5000);
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(
      contains(tu, "struct date {\n  std::int32_t id;\n  std::optional<std::string> label;"))
      << tu;
  EXPECT_TRUE(contains(tu, "template <> struct value_traits<::plcpp_types::date>")) << tu;
  EXPECT_TRUE(contains(tu, "using ::plcpp_types::date;")) << tu;
}

} // namespace
