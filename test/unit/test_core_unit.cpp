// test/unit/test_core_unit.cpp — jit/core_unit.h: which functions get the light unit, and what
// it looks like. (test_compiler.cpp compiles core units with the real Clang.)
#include "jit/core_unit.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using plcpp::jit::function_kind;
using plcpp::jit::function_spec;

plcpp::jit::type_ref builtin(unsigned oid) {
  return *plcpp::jit::builtin_type(oid);
}

function_spec int4_function(std::string body) {
  function_spec spec;
  spec.name = "f";
  spec.params = {{"a", builtin(23)}, {"", builtin(701)}};
  spec.result = builtin(23);
  spec.strict = true;
  spec.body = std::move(body);
  return spec;
}

std::optional<std::string> core(const function_spec &spec) {
  return plcpp::jit::assemble_core(spec, plcpp::jit::prepare_body(spec.body));
}

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

TEST(CoreUnit, ArithmeticBodyGetsTheCoreHeaderOnly) {
  auto tu = core(int4_function("return a + 1;"));
  ASSERT_TRUE(tu);
  EXPECT_TRUE(contains(*tu, "#include <plcpp/core.hpp>\n"));
  EXPECT_FALSE(contains(*tu, "plcpp.hpp"));
  EXPECT_FALSE(contains(*tu, "using namespace")); // the body sees no runtime name
  EXPECT_TRUE(contains(*tu, "core_ret<std::int32_t> plcpp_body(std::int32_t a, double $2)"));
  EXPECT_TRUE(contains(*tu, "#line 1 \"plcpp-body\"\nreturn a + 1;"));
  EXPECT_TRUE(contains(*tu, "plcpp_frame->args[0].isnull || plcpp_frame->args[1].isnull"));
  EXPECT_TRUE(contains(*tu, "core_arg<double>(plcpp_frame, 1)"));
}

TEST(CoreUnit, KeywordsLiteralsAndCstdintTypesQualify) {
  for (const char *body :
       {"std::int64_t s = 0;\nfor (int i = 0; i < a; ++i) s += i * 2;\nreturn s;",
        "if (a > 0) return sizeof (a);\nwhile (a < 10) ++a;\nreturn static_cast<int>($2);",
        "// notice(\"x\") in a comment\nreturn a; /* f( */",
        "const char *s = \"f(x) ::\";\nreturn a;", "return 1'000 + 0x1f + 1e3;",
        "auto sq = [](int x) { return x * x; };\nreturn a;"})
    EXPECT_TRUE(core(int4_function(body))) << body;
}

TEST(CoreUnit, CallsQualifiedNamesAndDirectivesDoNot) {
  for (const char *body :
       {"return abs(a);", "notice(\"x\");\nreturn a;", "return std::max(a, 1);",
        "std::string s;\nreturn a;", "return ::plcpp::detail::checked<int>(a);",
        "#include <cmath>\nreturn a;", "#define X 1\nreturn X;", "return self().oid;",
        "std::int32_t x(a);\nreturn x;", "[[plcpp::result_cache]]\nreturn a;"})
    EXPECT_FALSE(core(int4_function(body))) << body;
}

TEST(CoreUnit, OnlyStrictScalarFunctionsOverFixedSizeTypes) {
  function_spec spec = int4_function("return a;");
  ASSERT_TRUE(core(spec));

  function_spec lax = spec;
  lax.strict = false; // arguments would be std::optional
  EXPECT_FALSE(core(lax));

  function_spec text_arg = spec;
  text_arg.params.push_back({"t", builtin(25)});
  EXPECT_FALSE(core(text_arg));

  function_spec numeric_result = spec;
  numeric_result.result = builtin(1700);
  EXPECT_FALSE(core(numeric_result));

  function_spec void_result = spec;
  void_result.result.reset();
  EXPECT_FALSE(core(void_result));

  function_spec srf = spec;
  srf.kind = function_kind::set_returning;
  EXPECT_FALSE(core(srf));

  for (unsigned oid : {16u, 20u, 21u, 23u, 700u, 701u}) {
    function_spec each = spec;
    each.params = {{"a", builtin(oid)}};
    each.result = builtin(oid);
    EXPECT_TRUE(core(each)) << oid;
  }
  function_spec no_args = spec;
  no_args.params.clear();
  no_args.body = "return 42;";
  auto tu = core(no_args);
  ASSERT_TRUE(tu);
  EXPECT_FALSE(contains(*tu, "isnull)")); // nothing to check for NULL
}

} // namespace
