// runtime/self.cpp — self(): the running function, described once at compile time.
#include <plcpp/self.hpp>

#include "call_state.h"

namespace plcpp {

const function_info &self() {
  detail::call_state &c = detail::call();
  return *c.self;
}

namespace detail {

const function_info *make_function_info(const function_info_input &in) noexcept {
  try {
    std::vector<std::string> names, types;
    for (int i = 0; i < in.nargs; ++i) {
      names.emplace_back(in.arg_names[i] ? in.arg_names[i] : "");
      types.emplace_back(in.arg_types[i]);
    }
    return new function_info(in.oid, in.name, in.schema, in.signature, std::move(names),
                             std::move(types), in.volatility, in.strict, in.returns_set);
  } catch (...) {
    return nullptr;
  }
}

void free_function_info(const function_info *info) noexcept {
  delete info;
}

} // namespace detail
} // namespace plcpp
