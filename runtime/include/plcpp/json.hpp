// plcpp/json.hpp — json and jsonb as nlohmann::json (Debian's nlohmann-json3-dev).
//
// Values cross as text: the server's json/jsonb output is parsed, a returned nlohmann::json is
// dumped and read back by json_in/jsonb_in, so the server validates what it stores. As a query
// parameter a nlohmann::json is jsonb.
#pragma once

#include "types.hpp"

#include <nlohmann/json.hpp>

namespace plcpp {

using json = nlohmann::json;

template <> struct value_traits<nlohmann::json> {
  static constexpr Oid oid = oids::jsonb, array_oid = oids::jsonb_array;
  static constexpr const char *cpp_name = "nlohmann::json";
  static bool reads(Oid t) noexcept { return t == oids::json || t == oids::jsonb; }
  static bool writes(Oid t) noexcept { return t == oids::json || t == oids::jsonb; }
  static nlohmann::json from_datum(detail::raw_datum d, Oid t) {
    return nlohmann::json::parse(detail::output_text(d, t));
  }
  static detail::raw_datum to_datum(const nlohmann::json &v, Oid t) {
    return detail::input_text(v.dump(), t);
  }
};

} // namespace plcpp
