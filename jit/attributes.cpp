// jit/attributes.cpp — see attributes.h.
#include "attributes.h"

#include "lexer.h"

#include <cctype>

namespace plcpp::jit {

// "[[plcpp::" with optional blanks between the tokens ([[ plcpp :: x ]] is valid C++).
// Returns the position after "::", or npos.
static std::size_t match_prefix(std::string_view s, std::size_t pos) {
  auto blanks = [&](std::size_t p) {
    while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p])))
      ++p;
    return p;
  };
  if (s.compare(pos, 2, "[[") != 0) return std::string_view::npos;
  std::size_t p = blanks(pos + 2);
  if (s.compare(p, 5, "plcpp") != 0) return std::string_view::npos;
  p = blanks(p + 5);
  if (s.compare(p, 2, "::") != 0) return std::string_view::npos;
  return p + 2;
}

const attribute_option *attribute::option(const std::string &option_name) const {
  for (const auto &o : options)
    if (o.name == option_name) return &o;
  return nullptr;
}

namespace {

struct parser {
  std::string_view s;
  std::size_t pos;
  std::vector<diagnostic> &errors;

  void fail(std::size_t at, std::string message) {
    diagnostic d;
    d.in_body = true;
    line_column(s, at, d.line, d.column);
    d.message = std::move(message);
    errors.push_back(std::move(d));
  }
  void blanks() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos])))
      ++pos;
  }
  bool eat(char c) {
    blanks();
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  std::string identifier() {
    blanks();
    std::size_t start = pos;
    while (pos < s.size() && (std::isalnum(static_cast<unsigned char>(s[pos])) || s[pos] == '_'))
      ++pos;
    return std::string(s.substr(start, pos - start));
  }
  // A string literal ("..." with C escapes \" and \\) or a bare number/identifier.
  bool value(std::string &out) {
    blanks();
    if (pos < s.size() && s[pos] == '"') {
      for (++pos; pos < s.size() && s[pos] != '"'; ++pos) {
        if (s[pos] == '\\' && pos + 1 < s.size()) ++pos;
        if (s[pos] == '\n') return false;
        out += s[pos];
      }
      return eat('"');
    }
    std::size_t start = pos;
    while (pos < s.size() && (std::isalnum(static_cast<unsigned char>(s[pos])) || s[pos] == '_' ||
                              s[pos] == '.' || s[pos] == '-'))
      ++pos;
    out = std::string(s.substr(start, pos - start));
    return !out.empty();
  }

  // pos is at "[[plcpp::"; parses up to and including "]]".
  bool parse_one(attribute &a) {
    std::size_t start = pos;
    line_column(s, start, a.line, a.column);
    pos = match_prefix(s, pos);
    a.name = identifier();
    if (a.name.empty()) {
      fail(pos, "expected an attribute name after \"plcpp::\"");
      return false;
    }
    if (eat('(')) {
      if (!eat(')')) {
        do {
          std::size_t at = (blanks(), pos);
          attribute_option o;
          o.name = identifier();
          if (o.name.empty() || !eat('=') || !value(o.value)) {
            fail(at,
                 "malformed option of attribute plcpp::" + a.name + ": expected name = \"value\"");
            return false;
          }
          if (a.option(o.name)) {
            fail(at, "option \"" + o.name + "\" given twice in attribute plcpp::" + a.name);
            return false;
          }
          a.options.push_back(std::move(o));
        } while (eat(','));
        if (!eat(')')) {
          fail(pos, "expected ',' or ')' in the options of attribute plcpp::" + a.name);
          return false;
        }
      }
    }
    if (!eat(']') || !eat(']')) {
      fail(pos, "expected \"]]\" to close attribute plcpp::" + a.name);
      return false;
    }
    return true;
  }
};

void blank_out(std::string &body, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < body.size(); ++i)
    if (body[i] != '\n') body[i] = ' ';
}

} // namespace

std::vector<attribute> take_attributes(std::string &body, std::size_t start,
                                       std::vector<diagnostic> &errors) {
  std::vector<attribute> result;
  parser p{body, start, errors};
  for (;;) {
    p.pos = skip_trivia(body, p.pos);
    if (match_prefix(body, p.pos) == std::string::npos) break;
    std::size_t from = p.pos;
    attribute a;
    if (!p.parse_one(a)) return result;
    blank_out(body, from, p.pos);
    // [[plcpp::a]] may be followed by ';' (an attribute on a null statement).
    p.pos = skip_trivia(body, p.pos);
    if (p.pos < body.size() && body[p.pos] == ';') {
      blank_out(body, p.pos, p.pos + 1);
      ++p.pos;
    }
    result.push_back(std::move(a));
  }
  // Anywhere else is an error: attributes apply to the whole function.
  for (std::size_t at = find_in_code(body, "[[", p.pos); at != std::string::npos;
       at = find_in_code(body, "[[", at + 2))
    if (match_prefix(body, at) != std::string::npos)
      p.fail(at, "a [[plcpp::...]] attribute must be the first statement of the body");
  return result;
}

} // namespace plcpp::jit
