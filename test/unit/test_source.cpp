// test/unit/test_source.cpp — jit/source.h: body preparation, names, types, the generated unit.
#include "jit/source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using plcpp::jit::assemble;
using plcpp::jit::cpp_arg_type;
using plcpp::jit::cpp_value_type;
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
                           "classy", "int4", "new_value", "std"})
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

// ---- SQL tag -> C++ type --------------------------------------------------------------------

struct spelling_case {
  const char *tag, *arg, *value;
};

TEST(TypeSpelling, EveryTag) {
  const spelling_case cases[] = {
      {"bool_", "bool", "bool"},
      {"int2", "std::int16_t", "std::int16_t"},
      {"int4", "std::int32_t", "std::int32_t"},
      {"int8", "std::int64_t", "std::int64_t"},
      {"oid", "::plcpp::Oid", "::plcpp::Oid"},
      {"float4", "float", "float"},
      {"float8", "double", "double"},
      {"text", "std::string_view", "std::string"},
      {"name", "std::string_view", "std::string"},
  };
  for (const auto &c : cases) {
    ASSERT_NE(cpp_arg_type(c.tag), nullptr) << c.tag;
    ASSERT_NE(cpp_value_type(c.tag), nullptr) << c.tag;
    EXPECT_STREQ(cpp_arg_type(c.tag), c.arg) << c.tag;
    EXPECT_STREQ(cpp_value_type(c.tag), c.value) << c.tag;
  }
}

TEST(TypeSpelling, UnknownTags) {
  for (const char *tag : {"", "bool", "int", "numeric", "varchar", "INT4", "int4 ", "text[]"}) {
    EXPECT_EQ(cpp_arg_type(tag), nullptr) << tag;
    EXPECT_EQ(cpp_value_type(tag), nullptr) << tag;
  }
}

// ---- assemble -------------------------------------------------------------------------------

function_spec make_spec(std::vector<param_spec> params, std::string result_tag, bool strict,
                        std::string body) {
  function_spec spec;
  spec.name = "public.f";
  spec.params = std::move(params);
  spec.result_tag = std::move(result_tag);
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
  EXPECT_TRUE(contains(tu, "using namespace plcpp;"));
  EXPECT_TRUE(contains(tu, "function public.f"));
  EXPECT_TRUE(contains(tu, "static ::plcpp::ret<std::int32_t> plcpp_body() {\n"));
  EXPECT_TRUE(contains(tu, "extern \"C\" PLCPP_API ::plcpp::detail::datum\nplcpp_entry("));
  EXPECT_TRUE(contains(tu, "return ::plcpp::detail::result<::plcpp::detail::sql::int4>("
                           "plcpp_frame, plcpp_body());"))
      << tu;
}

TEST(Assemble, NotStrictUsesOptionalParameters) {
  function_spec spec =
      make_spec({{"a", "int4"}, {"s", "text"}}, "int8", false, "return a.value_or(0);");
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "plcpp_body(std::optional<std::int32_t> a, "
                           "std::optional<std::string_view> s)"))
      << tu;
  EXPECT_TRUE(contains(tu, "::plcpp::detail::opt_arg<::plcpp::detail::sql::int4>(plcpp_frame, 0)"));
  EXPECT_TRUE(contains(tu, "::plcpp::detail::opt_arg<::plcpp::detail::sql::text>(plcpp_frame, 1)"));
  EXPECT_TRUE(contains(tu, "::plcpp::detail::result<::plcpp::detail::sql::int8>"));
  EXPECT_FALSE(contains(tu, "detail::arg<"));
  // NULL arguments reach the body: no short-circuit in the entry point.
  EXPECT_FALSE(contains(tu, ".isnull"));
}

TEST(Assemble, StrictUsesPlainParameters) {
  function_spec spec = make_spec({{"a", "int4"}, {"b", "float8"}}, "float8", true, "return a + b;");
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "plcpp_body(std::int32_t a, double b)")) << tu;
  EXPECT_FALSE(contains(tu, "std::optional<"));
  EXPECT_TRUE(contains(tu, "::plcpp::detail::arg<::plcpp::detail::sql::int4>(plcpp_frame, 0)"));
  EXPECT_TRUE(contains(tu, "::plcpp::detail::arg<::plcpp::detail::sql::float8>(plcpp_frame, 1)"));
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
      make_spec({{"", "int4"}, {"b", "int2"}, {"", "oid"}}, "int4", true, "return $1 + b;");
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "plcpp_body(std::int32_t $1, std::int16_t b, ::plcpp::Oid $3)")) << tu;
}

TEST(Assemble, UnnamedOptionalParameter) {
  std::string tu = assemble_body(make_spec({{"", "name"}}, "text", false, "return *$1;"));
  EXPECT_TRUE(contains(tu, "plcpp_body(std::optional<std::string_view> $1)")) << tu;
  EXPECT_TRUE(contains(tu, "static ::plcpp::ret<std::string> plcpp_body("));
}

TEST(Assemble, VoidFunction) {
  function_spec spec = make_spec({{"msg", "text"}}, "", false, "notice(msg.value_or(\"-\"));");
  std::string tu = assemble_body(spec);
  EXPECT_TRUE(contains(tu, "static void plcpp_body(std::optional<std::string_view> msg) {")) << tu;
  EXPECT_TRUE(contains(tu,
                       "  plcpp_body(::plcpp::detail::opt_arg<::plcpp::detail::sql::text>("
                       "plcpp_frame, 0));\n  plcpp_frame->result_isnull = false;\n  return 0;\n"))
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
    std::string tu = assemble_body(make_spec({{"v", tag}}, tag, true, "return v;"));
    std::string sql_tag = std::string("::plcpp::detail::sql::") + tag;
    EXPECT_TRUE(contains(tu, std::string("plcpp_body(") + cpp_arg_type(tag) + " v)")) << tag;
    EXPECT_TRUE(contains(tu, std::string("::plcpp::ret<") + cpp_value_type(tag) + ">")) << tag;
    EXPECT_TRUE(contains(tu, "::plcpp::detail::arg<" + sql_tag + ">(plcpp_frame, 0)")) << tag;
    EXPECT_TRUE(contains(tu, "::plcpp::detail::result<" + sql_tag + ">(plcpp_frame,")) << tag;
  }
}

} // namespace
