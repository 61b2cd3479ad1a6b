// test/unit/test_lexer.cpp — jit/lexer.h: trivia, literals, code search, line/column.
#include "jit/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using plcpp::jit::find_in_code;
using plcpp::jit::line_column;
using plcpp::jit::skip_literal;
using plcpp::jit::skip_trivia;

constexpr std::size_t npos = std::string_view::npos;

// Offset just past the first occurrence of `marker` (a test helper, independent of the lexer).
std::size_t after(std::string_view s, std::string_view marker) {
  std::size_t at = s.find(marker);
  EXPECT_NE(at, npos) << "marker " << marker << " not in " << s;
  return at + marker.size();
}

// ---- skip_trivia ----------------------------------------------------------------------------

TEST(SkipTrivia, StopsAtCode) {
  EXPECT_EQ(skip_trivia("x = 1;", 0), 0u);
  EXPECT_EQ(skip_trivia("x = 1;", 1), 2u); // the blank before '='
  EXPECT_EQ(skip_trivia("x = 1;", 2), 2u);
}

TEST(SkipTrivia, SkipsWhitespaceOfAllKinds) {
  std::string_view s = " \t\r\n\f\v  x";
  EXPECT_EQ(skip_trivia(s, 0), s.find('x'));
}

TEST(SkipTrivia, SkipsLineComments) {
  std::string_view s = "// first\n   // second\n\treturn 1;";
  EXPECT_EQ(skip_trivia(s, 0), s.find("return"));
  // A line comment at the very end has no newline.
  EXPECT_EQ(skip_trivia("  // trailing", 0), 13u);
}

TEST(SkipTrivia, SkipsBlockComments) {
  std::string_view s = "/* a */ /* multi\n line * / still */  /**/x";
  EXPECT_EQ(skip_trivia(s, 0), s.find('x'));
  // "/*/" does not close the comment it opens.
  std::string_view t = "/*/ not closed here */Z";
  EXPECT_EQ(skip_trivia(t, 0), t.find('Z'));
}

TEST(SkipTrivia, MixedCommentsAndStartOffset) {
  std::string_view s = "a; /* c */ // d\n  b;";
  EXPECT_EQ(skip_trivia(s, 2), s.find('b'));
}

TEST(SkipTrivia, UnterminatedBlockCommentRunsToEnd) {
  std::string_view s = "  /* never closed\n return 1;";
  EXPECT_EQ(skip_trivia(s, 0), s.size());
}

TEST(SkipTrivia, SlashAloneIsNotAComment) {
  EXPECT_EQ(skip_trivia("/ 2", 0), 0u);
  EXPECT_EQ(skip_trivia("  /", 0), 2u);
}

TEST(SkipTrivia, PositionAtOrPastEnd) {
  EXPECT_EQ(skip_trivia("abc", 3), 3u);
  EXPECT_EQ(skip_trivia("", 0), 0u);
}

// ---- skip_literal ---------------------------------------------------------------------------

TEST(SkipLiteral, NotALiteral) {
  EXPECT_EQ(skip_literal("abc", 0), 0u);
  EXPECT_EQ(skip_literal("x + \"s\"", 0), 0u);
  EXPECT_EQ(skip_literal("u8x", 0), 0u);
  EXPECT_EQ(skip_literal("Rx", 0), 0u);
  EXPECT_EQ(skip_literal("", 0), 0u);
  EXPECT_EQ(skip_literal("abc", 3), 3u);
}

TEST(SkipLiteral, PlainString) {
  EXPECT_EQ(skip_literal("\"abc\" + x", 0), 5u);
  EXPECT_EQ(skip_literal("\"\"x", 0), 2u);
  std::string_view s = "f(\"arg\", 2)";
  EXPECT_EQ(skip_literal(s, 2), after(s, "\"arg\""));
}

TEST(SkipLiteral, EscapedQuotesAndBackslashes) {
  std::string_view s = R"("say \"hi\" // not a comment" x)";
  EXPECT_EQ(skip_literal(s, 0), s.size() - 2);
  // An escaped backslash does not escape the closing quote.
  std::string_view t = R"("a\\" b")";
  EXPECT_EQ(skip_literal(t, 0), 5u);
}

TEST(SkipLiteral, CharLiterals) {
  EXPECT_EQ(skip_literal("'x' + 1", 0), 3u);
  EXPECT_EQ(skip_literal(R"('\'' + 1)", 0), 4u);
  EXPECT_EQ(skip_literal(R"('"' + 1)", 0), 3u); // a double quote inside a char literal
  EXPECT_EQ(skip_literal(R"('\\' + 1)", 0), 4u);
}

TEST(SkipLiteral, RawStringWithQuotesAndCloseParenQuote) {
  // Custom delimiter: neither `"` nor `)"` ends it, only `)x"`.
  std::string_view s = R"__(R"x(he said "hi" and )" is fine)x" + rest)__";
  EXPECT_EQ(skip_literal(s, 0), after(s, ")x\""));
  EXPECT_EQ(s.substr(skip_literal(s, 0)), " + rest");
}

TEST(SkipLiteral, RawStringEmptyDelimiter) {
  std::string_view s = R"__(R"(a "quoted" \ b)" tail)__";
  EXPECT_EQ(s.substr(skip_literal(s, 0)), " tail");
}

TEST(SkipLiteral, RawStringSpansLines) {
  std::string_view s = "R\"sql(select 1\n-- \"x\"\n)sql\";\nnext";
  EXPECT_EQ(s.substr(skip_literal(s, 0)), ";\nnext");
}

TEST(SkipLiteral, EncodingPrefixes) {
  EXPECT_EQ(skip_literal("u8\"abc\" x", 0), 7u);
  EXPECT_EQ(skip_literal("L\"abc\" x", 0), 6u);
  EXPECT_EQ(skip_literal("u\"abc\" x", 0), 6u);
  EXPECT_EQ(skip_literal("U\"abc\" x", 0), 6u);
  EXPECT_EQ(skip_literal("L'a' x", 0), 4u);
  EXPECT_EQ(skip_literal("u8'a' x", 0), 5u);
  std::string_view raw8 = R"__(u8R"(")")" x)__";
  EXPECT_EQ(raw8.substr(skip_literal(raw8, 0)), ")\" x");
  std::string_view rawL = R"__(LR"d()")d" x)__";
  EXPECT_EQ(rawL.substr(skip_literal(rawL, 0)), " x");
}

TEST(SkipLiteral, PrefixInsideExpression) {
  std::string_view s = "f(L\"w\", u8\"n\")";
  std::size_t l = s.find('L');
  EXPECT_EQ(skip_literal(s, l), after(s, "L\"w\""));
  std::size_t u = s.find("u8");
  EXPECT_EQ(skip_literal(s, u), after(s, "u8\"n\""));
}

TEST(SkipLiteral, IdentifierEndingInRIsNotARawString) {
  // fooR"(...)" is the identifier fooR, not the start of a raw string.
  std::string_view s = "fooR\"(x)\"";
  EXPECT_EQ(skip_literal(s, 3), 3u);
  EXPECT_EQ(skip_literal(s, 0), 0u);
  // Likewise barL"..." and xu8"...": the prefix letters belong to the identifier.
  std::string_view t = "barL\"x\"";
  EXPECT_EQ(skip_literal(t, 3), 3u);
  std::string_view u = "xu8\"x\"";
  EXPECT_EQ(skip_literal(u, 1), 1u);
}

TEST(SkipLiteral, RIsNotAPrefixOfCharLiterals) {
  EXPECT_EQ(skip_literal("R'x'", 0), 0u);
}

TEST(SkipLiteral, DigitSeparatorIsNotACharLiteral) {
  std::string_view s = "1'000'000";
  EXPECT_EQ(skip_literal(s, 1), 1u);
  EXPECT_EQ(skip_literal(s, 5), 5u);
}

TEST(SkipLiteral, UnterminatedLiteralsRunToEnd) {
  std::string_view s = "\"never closed";
  EXPECT_EQ(skip_literal(s, 0), s.size());
  std::string_view e = "\"ends in a backslash\\";
  EXPECT_EQ(skip_literal(e, 0), e.size());
  std::string_view r = "R\"x(never closed)\" )y\"";
  EXPECT_EQ(skip_literal(r, 0), r.size());
  std::string_view r2 = "R\"no paren";
  EXPECT_EQ(skip_literal(r2, 0), r2.size());
}

TEST(SkipLiteral, OrdinaryLiteralStopsAtNewline) {
  // A string literal cannot span lines: an unclosed one ends with its line, so one stray
  // quote does not swallow the rest of the body.
  std::string_view s = "\"open\nnext";
  EXPECT_EQ(s.substr(skip_literal(s, 0)), "next");
}

// ---- find_in_code ---------------------------------------------------------------------------

TEST(FindInCode, FindsPlainCode) {
  std::string_view s = "int x = 1; return x;";
  EXPECT_EQ(find_in_code(s, "return", 0), s.find("return"));
  EXPECT_EQ(find_in_code(s, "x", 5), s.rfind('x'));
  EXPECT_EQ(find_in_code(s, "while", 0), npos);
}

TEST(FindInCode, IgnoresComments) {
  std::string_view s = "// needle\n/* needle */ x; /* multi\nneedle */ needle;";
  EXPECT_EQ(find_in_code(s, "needle", 0), s.rfind("needle"));
  EXPECT_EQ(find_in_code("// needle only", "needle", 0), npos);
}

TEST(FindInCode, IgnoresStringAndCharLiterals) {
  std::string_view s = R"(f("needle", 'n', "\"needle\""); needle;)";
  EXPECT_EQ(find_in_code(s, "needle", 0), s.rfind("needle"));
  EXPECT_EQ(find_in_code(R"(s = "[[";)", "[[", 0), npos);
  EXPECT_EQ(find_in_code("c = '[';", "[", 0), npos);
}

TEST(FindInCode, IgnoresRawStrings) {
  std::string_view s = R"__(auto q = R"x(needle )" needle)x"; needle)__";
  EXPECT_EQ(find_in_code(s, "needle", 0), s.rfind("needle"));
  std::string_view p = R"__(auto q = u8R"(needle)"; LR"(needle)"; needle)__";
  EXPECT_EQ(find_in_code(p, "needle", 0), p.rfind("needle"));
}

TEST(FindInCode, CommentMarkersInsideLiteralsAreNotComments) {
  std::string_view s = R"(url = "http://x"; needle; s = "/*"; needle2;)";
  EXPECT_EQ(find_in_code(s, "needle", 0), s.find("needle;"));
  EXPECT_EQ(find_in_code(s, "needle2", 0), s.find("needle2"));
}

TEST(FindInCode, QuotesInsideCommentsAreNotLiterals) {
  std::string_view s = "// it's \"fine\"\nneedle; /* don't */ needle2";
  EXPECT_EQ(find_in_code(s, "needle", 0), s.find("needle;"));
  EXPECT_EQ(find_in_code(s, "needle2", 0), s.find("needle2"));
}

TEST(FindInCode, DigitSeparatorsDoNotOpenCharLiterals) {
  std::string_view s = "int n = 1'000'000; needle;";
  EXPECT_EQ(find_in_code(s, "needle", 0), s.find("needle"));
}

TEST(FindInCode, LiteralRightAfterKeyword) {
  // `return"..."` is valid C++: the keyword `return` followed by a string literal.
  std::string_view s = R"(return"needle";)";
  std::size_t found = find_in_code(s, "needle", 0);
  EXPECT_EQ(found, npos);
}

TEST(FindInCode, StartOffsetAndEnd) {
  std::string_view s = "ab ab ab";
  EXPECT_EQ(find_in_code(s, "ab", 1), 3u);
  EXPECT_EQ(find_in_code(s, "ab", 7), npos);
  EXPECT_EQ(find_in_code(s, "ab", s.size()), npos);
  EXPECT_EQ(find_in_code("", "ab", 0), npos);
}

// ---- line_column ----------------------------------------------------------------------------

TEST(LineColumn, FirstCharacter) {
  unsigned line = 0, column = 0;
  line_column("abc", 0, line, column);
  EXPECT_EQ(line, 1u);
  EXPECT_EQ(column, 1u);
}

TEST(LineColumn, SameLine) {
  unsigned line = 0, column = 0;
  line_column("abc def", 4, line, column);
  EXPECT_EQ(line, 1u);
  EXPECT_EQ(column, 5u);
}

TEST(LineColumn, LaterLines) {
  std::string_view s = "a\n\n  bc\nd";
  unsigned line = 0, column = 0;
  line_column(s, s.find('c'), line, column);
  EXPECT_EQ(line, 3u);
  EXPECT_EQ(column, 4u);
  line_column(s, s.find('d'), line, column);
  EXPECT_EQ(line, 4u);
  EXPECT_EQ(column, 1u);
  // The newline itself belongs to the line it ends.
  line_column(s, 1, line, column);
  EXPECT_EQ(line, 1u);
  EXPECT_EQ(column, 2u);
}

TEST(LineColumn, ColumnsAreBytes) {
  std::string_view s = "s = \"\xC3\xA9\"; x"; // "é" is two bytes in UTF-8
  unsigned line = 0, column = 0;
  line_column(s, s.find('x'), line, column);
  EXPECT_EQ(line, 1u);
  EXPECT_EQ(column, 11u);
}

TEST(LineColumn, TabsCountAsOneColumn) {
  unsigned line = 0, column = 0;
  line_column("\t\tx", 2, line, column);
  EXPECT_EQ(column, 3u);
}

TEST(LineColumn, PastTheEndStopsAtEnd) {
  unsigned line = 0, column = 0;
  line_column("ab\nc", 100, line, column);
  EXPECT_EQ(line, 2u);
  EXPECT_EQ(column, 2u);
}

} // namespace
