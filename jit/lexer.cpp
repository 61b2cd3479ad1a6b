// jit/lexer.cpp — see lexer.h.
#include "lexer.h"

#include <cctype>
#include <string>

namespace plcpp::jit {

std::size_t skip_trivia(std::string_view s, std::size_t pos) {
  while (pos < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[pos]))) {
      ++pos;
    } else if (s.compare(pos, 2, "//") == 0) {
      std::size_t nl = s.find('\n', pos);
      pos = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (s.compare(pos, 2, "/*") == 0) {
      std::size_t end = s.find("*/", pos + 2);
      pos = end == std::string_view::npos ? s.size() : end + 2;
    } else {
      break;
    }
  }
  return pos;
}

static bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

std::size_t skip_literal(std::string_view s, std::size_t pos) {
  // Optional encoding prefix: u8, u, U, L; then R for raw strings. A prefix letter right after
  // an identifier character is part of that identifier (fooR"..."), and a ' right after one is
  // a digit separator (1'000); a " always opens a literal (return"x" is valid C++).
  std::size_t p = pos;
  bool after_ident = p > 0 && is_ident_char(s[p - 1]);
  if (p < s.size() && s[p] == '\'' && after_ident) return pos;
  if (s.compare(p, 2, "u8") == 0)
    p += 2;
  else if (p < s.size() && (s[p] == 'u' || s[p] == 'U' || s[p] == 'L'))
    p += 1;
  bool raw = p < s.size() && s[p] == 'R';
  if (raw) ++p;
  if (p != pos && after_ident) return pos;
  if (p >= s.size() || (s[p] != '"' && (raw || s[p] != '\''))) return pos;

  if (raw) {
    std::size_t open = s.find('(', p + 1);
    if (open == std::string_view::npos) return s.size();
    std::string close = ")" + std::string(s.substr(p + 1, open - p - 1)) + "\"";
    std::size_t end = s.find(close, open + 1);
    return end == std::string_view::npos ? s.size() : end + close.size();
  }
  char quote = s[p];
  for (++p; p < s.size(); ++p) {
    if (s[p] == '\\')
      ++p;
    else if (s[p] == quote || s[p] == '\n')
      return p + 1;
  }
  return s.size();
}

std::size_t find_in_code(std::string_view s, std::string_view needle, std::size_t pos) {
  while (pos < s.size()) {
    std::size_t next = skip_trivia(s, pos);
    if (next != pos) {
      pos = next;
      continue;
    }
    next = skip_literal(s, pos);
    if (next != pos) {
      pos = next;
      continue;
    }
    if (s.compare(pos, needle.size(), needle) == 0) return pos;
    ++pos;
  }
  return std::string_view::npos;
}

void line_column(std::string_view s, std::size_t pos, unsigned &line, unsigned &column) {
  line = 1;
  column = 1;
  for (std::size_t i = 0; i < pos && i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

} // namespace plcpp::jit
