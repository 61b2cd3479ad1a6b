// plcpp/plcpp.hpp — the one header every plcpp function body sees.
//
// The generated translation unit includes it (through a precompiled header) and then says
// `using namespace plcpp;`, so bodies call notice(...), spi::query(...), self() etc.
// unqualified. It also brings in the commonly used parts of the standard library so that
// bodies need no #include; a body may still start with #include lines, which are moved to
// file scope. json.hpp (nlohmann::json, the heaviest header) is not included here: the
// generated unit includes it when its code names `json` or `nlohmann` (jit/source.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "config.hpp"
#include "errors.hpp"
#include "log.hpp"
#include "types.hpp"
#include "checked.hpp"
#include "array.hpp"
#include "datetime.hpp"
#include "numeric.hpp"
#include "uuid.hpp"
#include "record.hpp"
#include "self.hpp"
#include "spi.hpp"
#include "srf.hpp"
#include "trigger.hpp"
#include "quote.hpp"
#include "session.hpp"

namespace plcpp::detail::pch_warm {
// Never called. The precompiled header is built with -fpch-instantiate-templates, so these
// bodies instantiate in it what the generated entry point of a function over the common
// scalar types uses; a compile then finds those specializations ready instead of
// instantiating them (a trivial body's front end: 30 -> 17 ms). Instantiating std::optional<int>
// alone takes dozens of type-trait instantiations, and Clang 14 first reads every
// specialization of each such template from the PCH.
template <class Arg, class Value> void scalar(call_frame *f, Oid t) {
  Arg a = arg<Arg>(f, 0, t);
  std::optional<Arg> o = opt_arg<Arg>(f, 1, t);
  result<Value>(f, ret<Value>(Value(a)), t);
  result<Value>(f, ret<Value>(o), t);
  result<Value>(f, ret<Value>(std::nullopt), t);
}
inline void common_types(call_frame *f) {
  scalar<bool, bool>(f, 16);
  scalar<std::int16_t, std::int16_t>(f, 21);
  scalar<std::int32_t, std::int32_t>(f, 23);
  scalar<std::int64_t, std::int64_t>(f, 20);
  scalar<float, float>(f, 700);
  scalar<double, double>(f, 701);
  scalar<std::string, std::string>(f, 25);
  // What `return <int expression>;` and `return "literal";` convert from.
  result<std::int64_t>(f, ret<std::int64_t>(1), 20);
  result<double>(f, ret<double>(1), 701);
  result<std::string>(f, ret<std::string>("text"), 25);
}
// The containers and algorithms bodies use most (the 20-line body of
// bench/workloads/70_compile.py: front end 105 -> 70 ms; a trivial body pays about 2 ms for
// the larger header).
inline void common_containers() {
  std::vector<std::string> vs{"a"};
  vs.push_back(std::to_string(1) + "-" + std::string("x"));
  vs.emplace_back("y");
  std::sort(vs.begin(), vs.end());
  std::vector<int> vi{1};
  vi.push_back(2);
  std::sort(vi.begin(), vi.end());
  std::vector<std::int64_t> vl{1};
  vl.push_back(2);
  std::vector<double> vd{1};
  vd.push_back(2);
  std::map<std::string, int> m;
  m[vs[0].substr(0, 1)] += 1;
  for (const auto &[k, v] : m)
    (void)v;
  std::unordered_map<std::string, int> um;
  um[vs[0]] += 1;
  std::set<std::string> ss;
  ss.insert(vs[0]);
  std::ostringstream out;
  out << vs[0] << "=" << 1 << 1.5 << ';';
  (void)out.str();
}
} // namespace plcpp::detail::pch_warm
