// plcpp/oids.hpp — the built-in type OIDs the runtime header needs, without PostgreSQL headers.
// These are fixed catalog OIDs (pg_type.dat); runtime/types.cpp static_asserts each one
// against the server's pg_type_d.h.
#pragma once

#include "config.hpp"

namespace plcpp::oids {
inline constexpr Oid bool_ = 16, bytea = 17, name = 19, int8 = 20, int2 = 21, int4 = 23, text = 25,
                     oid = 26, json = 114, float4 = 700, float8 = 701, unknown = 705, bpchar = 1042,
                     varchar = 1043, date = 1082, time = 1083, timestamp = 1114, timestamptz = 1184,
                     interval = 1186, numeric = 1700, uuid = 2950, record = 2249, jsonb = 3802;
// Array types of the above, for std::vector<T> parameters.
inline constexpr Oid bool_array = 1000, bytea_array = 1001, name_array = 1003, int2_array = 1005,
                     int4_array = 1007, text_array = 1009, int8_array = 1016, float4_array = 1021,
                     float8_array = 1022, oid_array = 1028, json_array = 199, bpchar_array = 1014,
                     varchar_array = 1015, date_array = 1182, time_array = 1183,
                     timestamp_array = 1115, timestamptz_array = 1185, interval_array = 1187,
                     numeric_array = 1231, uuid_array = 2951, jsonb_array = 3807,
                     record_array = 2287;
} // namespace plcpp::oids
