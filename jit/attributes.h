// jit/attributes.h — [[plcpp::...]] attributes at the start of a body.
//
// `[[plcpp::memoize(ttl = "24 hours", grant = "analytics")]]` must be the first statement of a
// body. The parser records each attribute with its options, blanks it out of the source (so
// Clang never sees it and line/column positions stay put) and reports any [[plcpp::...]] found
// anywhere else. Which attributes a function may carry is decided by the handler.
#pragma once

#include "diagnostic.h"

#include <string>
#include <vector>

namespace plcpp::jit {

struct attribute_option {
  std::string name;
  std::string value; // string literals unquoted; numbers and identifiers as written
};

struct attribute {
  std::string name; // without the plcpp:: prefix
  std::vector<attribute_option> options;
  unsigned line = 0, column = 0;

  const attribute_option *option(const std::string &option_name) const;
};

// Parses attributes at the position of the body's first statement (offset `start`), blanks
// them in `body`, and appends any problem to `errors`.
std::vector<attribute> take_attributes(std::string &body, std::size_t start,
                                       std::vector<diagnostic> &errors);

} // namespace plcpp::jit
