// jit/lexer.h — just enough C++ lexing to look at a body without compiling it: skip blanks and
// comments, and walk over string/char literals (raw strings included) so that text inside them
// is never mistaken for code.
#pragma once

#include <cstddef>
#include <string_view>

namespace plcpp::jit {

// Position of the first character at or after `pos` that is not whitespace or a comment.
std::size_t skip_trivia(std::string_view s, std::size_t pos);

// If a string or character literal (any prefix, raw or not) starts at `pos`, the position just
// past it; otherwise `pos`. An unterminated literal extends to the end.
std::size_t skip_literal(std::string_view s, std::size_t pos);

// First occurrence of `needle` at or after `pos` that is code (not inside a comment or
// literal); npos if none.
std::size_t find_in_code(std::string_view s, std::string_view needle, std::size_t pos);

// 1-based line and byte column of offset `pos`.
void line_column(std::string_view s, std::size_t pos, unsigned &line, unsigned &column);

} // namespace plcpp::jit
