// test/unit/test_attributes.cpp — jit/attributes.h: leading [[plcpp::...]] attributes.
#include "jit/attributes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using plcpp::jit::attribute;
using plcpp::jit::diagnostic;
using plcpp::jit::take_attributes;

struct taken {
  std::string code; // the body after take_attributes
  std::vector<attribute> attributes;
  std::vector<diagnostic> errors;
};

taken take(const std::string &body, std::size_t start = 0) {
  taken t;
  t.code = body;
  t.attributes = take_attributes(t.code, start, t.errors);
  return t;
}

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

// `code` is `original` with [from, to) blanked: spaces, newlines kept.
void expect_blanked(const std::string &original, const std::string &code, std::size_t from,
                    std::size_t to) {
  ASSERT_EQ(code.size(), original.size());
  for (std::size_t i = 0; i < original.size(); ++i) {
    if (i >= from && i < to)
      EXPECT_EQ(code[i], original[i] == '\n' ? '\n' : ' ') << "at offset " << i;
    else
      EXPECT_EQ(code[i], original[i]) << "at offset " << i;
  }
}

void expect_one_body_error(const taken &t, unsigned line, unsigned column,
                           const std::string &message_part) {
  ASSERT_EQ(t.errors.size(), 1u);
  const diagnostic &d = t.errors[0];
  EXPECT_EQ(d.level, diagnostic::severity::error);
  EXPECT_TRUE(d.in_body);
  EXPECT_EQ(d.line, line);
  EXPECT_EQ(d.column, column);
  EXPECT_TRUE(contains(d.message, message_part)) << d.message;
}

// ---- well-formed attributes -----------------------------------------------------------------

TEST(Attributes, NoAttributes) {
  std::string body = "int x = 1;\nreturn x;\n";
  taken t = take(body);
  EXPECT_TRUE(t.attributes.empty());
  EXPECT_TRUE(t.errors.empty());
  EXPECT_EQ(t.code, body);
}

TEST(Attributes, MemoizeWithOptions) {
  std::string attr = R"([[plcpp::memoize(ttl = "24 hours", grant = "analytics")]])";
  std::string body = attr + "\nreturn 1;\n";
  taken t = take(body);
  ASSERT_TRUE(t.errors.empty()) << t.errors[0].message;
  ASSERT_EQ(t.attributes.size(), 1u);
  const attribute &a = t.attributes[0];
  EXPECT_EQ(a.name, "memoize");
  ASSERT_EQ(a.options.size(), 2u);
  EXPECT_EQ(a.options[0].name, "ttl");
  EXPECT_EQ(a.options[0].value, "24 hours");
  EXPECT_EQ(a.options[1].name, "grant");
  EXPECT_EQ(a.options[1].value, "analytics");
  ASSERT_NE(a.option("grant"), nullptr);
  EXPECT_EQ(a.option("grant")->value, "analytics");
  EXPECT_EQ(a.option("ttl")->value, "24 hours");
  EXPECT_EQ(a.option("nope"), nullptr);
  EXPECT_EQ(a.line, 1u);
  EXPECT_EQ(a.column, 1u);
  expect_blanked(body, t.code, 0, attr.size());
  EXPECT_EQ(t.code, std::string(attr.size(), ' ') + "\nreturn 1;\n");
}

TEST(Attributes, AfterBlanksAndComments) {
  std::string body = "\n  // cached for a day\n  /* c */ [[plcpp::memoize(ttl = \"1 day\")]]\n"
                     "return 1;";
  taken t = take(body);
  ASSERT_TRUE(t.errors.empty());
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_EQ(t.attributes[0].line, 3u);
  EXPECT_EQ(t.attributes[0].column, 11u);
  std::size_t from = body.find("[[");
  expect_blanked(body, t.code, from, body.find("]]") + 2);
  // The comments before it are untouched.
  EXPECT_TRUE(contains(t.code, "// cached for a day"));
  EXPECT_TRUE(contains(t.code, "/* c */"));
}

TEST(Attributes, MultiLineAttributeKeepsNewlines) {
  std::string body = "[[plcpp::memoize(\n"
                     "    ttl = \"1 hour\",\n"
                     "    grant = \"x\"\n"
                     ")]]\n"
                     "return 42;\n";
  taken t = take(body);
  ASSERT_TRUE(t.errors.empty());
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_EQ(t.attributes[0].options.size(), 2u);
  EXPECT_EQ(t.code.size(), body.size());
  EXPECT_EQ(std::count(t.code.begin(), t.code.end(), '\n'), 5);
  // Everything before `return` is now blank, and `return` is still on line 5, column 1.
  EXPECT_EQ(t.code.find_first_not_of(" \n"), body.find("return"));
  EXPECT_EQ(t.code.substr(t.code.find("return")), "return 42;\n");
  std::string expected = body;
  for (std::size_t i = 0; i < body.find("return"); ++i)
    if (expected[i] != '\n') expected[i] = ' ';
  EXPECT_EQ(t.code, expected);
}

TEST(Attributes, SeveralAttributes) {
  std::string body = "[[plcpp::a]] [[plcpp::b(x = 1, y = name_2, z = 1.5, w = -3)]]\n"
                     "  [[plcpp::c()]]\n"
                     "return 0;";
  taken t = take(body);
  ASSERT_TRUE(t.errors.empty()) << t.errors[0].message;
  ASSERT_EQ(t.attributes.size(), 3u);
  EXPECT_EQ(t.attributes[0].name, "a");
  EXPECT_TRUE(t.attributes[0].options.empty());
  EXPECT_EQ(t.attributes[0].line, 1u);
  EXPECT_EQ(t.attributes[0].column, 1u);

  EXPECT_EQ(t.attributes[1].name, "b");
  EXPECT_EQ(t.attributes[1].line, 1u);
  EXPECT_EQ(t.attributes[1].column, 14u);
  ASSERT_EQ(t.attributes[1].options.size(), 4u);
  EXPECT_EQ(t.attributes[1].option("x")->value, "1");
  EXPECT_EQ(t.attributes[1].option("y")->value, "name_2");
  EXPECT_EQ(t.attributes[1].option("z")->value, "1.5");
  EXPECT_EQ(t.attributes[1].option("w")->value, "-3");

  EXPECT_EQ(t.attributes[2].name, "c");
  EXPECT_TRUE(t.attributes[2].options.empty());
  EXPECT_EQ(t.attributes[2].line, 2u);
  EXPECT_EQ(t.attributes[2].column, 3u);

  EXPECT_EQ(t.code.size(), body.size());
  EXPECT_EQ(t.code.find_first_not_of(" \n"), body.find("return"));
}

TEST(Attributes, OptionalTrailingSemicolon) {
  std::string body = "[[plcpp::a]];\n[[plcpp::b(k = \"v\")]]  ;  return 1;";
  taken t = take(body);
  ASSERT_TRUE(t.errors.empty());
  ASSERT_EQ(t.attributes.size(), 2u);
  EXPECT_EQ(t.attributes[0].name, "a");
  EXPECT_EQ(t.attributes[1].name, "b");
  EXPECT_EQ(t.attributes[1].line, 2u);
  EXPECT_EQ(t.attributes[1].column, 1u);
  // Both semicolons are blanked along with the attributes; the statement after stays.
  EXPECT_EQ(t.code.size(), body.size());
  EXPECT_EQ(t.code.find(';'), body.rfind(';'));
  EXPECT_EQ(t.code.find_first_not_of(" \n"), body.find("return"));
}

TEST(Attributes, OnlyOneSemicolonIsTaken) {
  std::string body = "[[plcpp::a]];;return 1;";
  taken t = take(body);
  ASSERT_TRUE(t.errors.empty());
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_EQ(t.code, "             ;return 1;");
}

TEST(Attributes, EscapesInStringValues) {
  taken t = take(R"([[plcpp::x(v = "a\"b\\c", e = "")]] return 1;)");
  ASSERT_TRUE(t.errors.empty());
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_EQ(t.attributes[0].option("v")->value, R"(a"b\c)");
  ASSERT_NE(t.attributes[0].option("e"), nullptr);
  EXPECT_EQ(t.attributes[0].option("e")->value, "");
}

TEST(Attributes, StartOffsetIsTheFirstStatement) {
  // As after hoisted #include lines: parsing starts at `start`.
  std::string body = "xxxxxxxx\n[[plcpp::a]]\nreturn 1;";
  taken t = take(body, 9);
  ASSERT_TRUE(t.errors.empty());
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_EQ(t.attributes[0].line, 2u);
  EXPECT_EQ(t.attributes[0].column, 1u);
  EXPECT_EQ(t.code.substr(0, 9), "xxxxxxxx\n");
}

// ---- attributes anywhere else ---------------------------------------------------------------

TEST(Attributes, LaterAttributeIsAnError) {
  std::string body = "int x = 1;\n  x += 2; [[plcpp::cache]]\nreturn x;";
  taken t = take(body);
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 2, 11, "must be the first statement");
}

TEST(Attributes, EachLaterAttributeIsReported) {
  std::string body =
      "[[plcpp::ok]]\nint x = 1;\n[[plcpp::late]] x++;\n\tif (x) [[plcpp::later]] x--;\n"
      "return x;";
  taken t = take(body);
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_EQ(t.attributes[0].name, "ok");
  ASSERT_EQ(t.errors.size(), 2u);
  EXPECT_EQ(t.errors[0].line, 3u);
  EXPECT_EQ(t.errors[0].column, 1u);
  EXPECT_EQ(t.errors[1].line, 4u);
  EXPECT_EQ(t.errors[1].column, 9u);
  for (const auto &d : t.errors) {
    EXPECT_TRUE(d.in_body);
    EXPECT_EQ(d.level, diagnostic::severity::error);
  }
}

TEST(Attributes, StatementBeforeAttributeMakesItLate) {
  std::string body = "return 1; [[plcpp::memoize]]";
  taken t = take(body);
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 1, 11, "first statement");
}

TEST(Attributes, InsideLiteralsAndCommentsIsNotAnAttribute) {
  std::string body = "std::string s = \"[[plcpp::x]]\"; // [[plcpp::y]]\n"
                     "/* [[plcpp::z]]\n   [[plcpp::z2]] */\n"
                     "auto r = R\"q([[plcpp::w]] )\" )q\";\n"
                     "return s + r;";
  taken t = take(body);
  EXPECT_TRUE(t.errors.empty()) << t.errors[0].message;
  EXPECT_TRUE(t.attributes.empty());
  EXPECT_EQ(t.code, body);
}

TEST(Attributes, LeadingStringLiteralIsNotAnAttribute) {
  std::string body = "\"[[plcpp::x]]\";\nreturn 1;";
  taken t = take(body);
  EXPECT_TRUE(t.errors.empty());
  EXPECT_TRUE(t.attributes.empty());
  EXPECT_EQ(t.code, body);
}

TEST(Attributes, LiteralRightAfterKeyword) {
  // `return"..."` is valid C++; the attribute-looking text is inside a string literal.
  std::string body = "return\"[[plcpp::x]]\";";
  taken t = take(body);
  EXPECT_TRUE(t.errors.empty());
  EXPECT_EQ(t.code, body);
}

// ---- malformed attributes -------------------------------------------------------------------

TEST(AttributesMalformed, MissingEquals) {
  taken t = take("[[plcpp::memoize(ttl \"24 hours\")]]\nreturn 1;");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 1, 18, "malformed option of attribute plcpp::memoize");
}

TEST(AttributesMalformed, MissingValue) {
  taken t = take("[[plcpp::memoize(ttl = )]]\nreturn 1;");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 1, 18, "malformed option");
}

TEST(AttributesMalformed, UnterminatedStringAtEnd) {
  taken t = take("[[plcpp::memoize(ttl = \"24 hours)]]");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 1, 18, "malformed option");
}

TEST(AttributesMalformed, UnterminatedStringAtNewline) {
  taken t = take("  [[plcpp::memoize(grant = \"x, ttl = 1)]]\nreturn \"y\";");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 1, 20, "malformed option");
}

TEST(AttributesMalformed, DuplicateOption) {
  taken t = take("[[plcpp::memoize(ttl = \"1 h\",\n  ttl = \"2 h\")]]\nreturn 1;");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 2, 3, "option \"ttl\" given twice in attribute plcpp::memoize");
}

TEST(AttributesMalformed, MissingClosingBrackets) {
  taken t = take("[[plcpp::memoize(ttl = \"1 h\")\nreturn 1;");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 2, 1, "expected \"]]\" to close attribute plcpp::memoize");
}

TEST(AttributesMalformed, OneClosingBracket) {
  taken t = take("[[plcpp::memoize] return 1;");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 1, 19, "expected \"]]\"");
}

TEST(AttributesMalformed, MissingCloseParen) {
  taken t = take("[[plcpp::memoize(ttl = \"1 h\"]]");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 1, 29, "expected ',' or ')'");
}

TEST(AttributesMalformed, MissingName) {
  taken t = take("[[plcpp::(ttl = 1)]]");
  EXPECT_TRUE(t.attributes.empty());
  expect_one_body_error(t, 1, 10, "expected an attribute name");
}

TEST(AttributesMalformed, ErrorInSecondAttribute) {
  std::string body = "[[plcpp::a]]\n[[plcpp::b(x)]]\nreturn 1;";
  taken t = take(body);
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_EQ(t.attributes[0].name, "a");
  expect_one_body_error(t, 2, 12, "malformed option of attribute plcpp::b");
}

} // namespace

TEST(Attributes, BlanksBetweenTokens) {
  // [[ plcpp :: memoize ]] is the same attribute in C++; it must not slip through to Clang
  // (which would ignore it silently under -Wno-unknown-attributes).
  taken t = take("[[ plcpp :: memoize ]]\nreturn 1;");
  ASSERT_TRUE(t.errors.empty());
  ASSERT_EQ(t.attributes.size(), 1u);
  EXPECT_EQ(t.attributes[0].name, "memoize");
  taken late = take("return 1;\n[[ plcpp::x ]];");
  ASSERT_EQ(late.errors.size(), 1u);
  EXPECT_EQ(late.errors[0].line, 2u);
}
