// plcpp/plcpp.hpp — the one header every plcpp function body sees.
//
// The generated translation unit includes it (through a precompiled header) and then says
// `using namespace plcpp;`, so bodies call notice(...), spi::query(...), self() etc.
// unqualified. It also brings in the commonly used parts of the standard library so that
// bodies need no #include; a body may still start with #include lines, which are moved to
// file scope.
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
#include "array.hpp"
#include "datetime.hpp"
#include "json.hpp"
#include "numeric.hpp"
#include "uuid.hpp"
#include "record.hpp"
#include "self.hpp"
#include "spi.hpp"
#include "srf.hpp"
#include "trigger.hpp"
