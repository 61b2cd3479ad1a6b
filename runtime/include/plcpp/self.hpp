// plcpp/self.hpp — introspection of the running function: "who am I", without tricks.
#pragma once

#include "config.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace plcpp {

class function_info {
public:
  function_info(Oid oid, std::string name, std::string schema, std::string signature,
                std::vector<std::string> arg_names, std::vector<std::string> arg_types,
                std::string volatility, bool strict, bool returns_set)
      : oid_(oid), name_(std::move(name)), schema_(std::move(schema)),
        signature_(std::move(signature)), arg_names_(std::move(arg_names)),
        arg_types_(std::move(arg_types)), volatility_(std::move(volatility)), strict_(strict),
        returns_set_(returns_set) {}

  Oid oid() const noexcept { return oid_; }                  // 0 for a DO block
  const std::string &name() const noexcept { return name_; } // "inline_code_block" for DO
  const std::string &schema() const noexcept { return schema_; }
  const std::string &signature() const noexcept { return signature_; } // "f(integer,text)"
  // Names of the input arguments ("" where unnamed) and their SQL types, in order.
  const std::vector<std::string> &arg_names() const noexcept { return arg_names_; }
  const std::vector<std::string> &arg_types() const noexcept { return arg_types_; }
  const std::string &volatility() const noexcept { return volatility_; } // "immutable", ...
  bool is_strict() const noexcept { return strict_; }
  bool returns_set() const noexcept { return returns_set_; }

private:
  Oid oid_;
  std::string name_, schema_, signature_;
  std::vector<std::string> arg_names_, arg_types_;
  std::string volatility_;
  bool strict_, returns_set_;
};

// The function (or DO block) whose body is running.
PLCPP_API const function_info &self();

} // namespace plcpp
