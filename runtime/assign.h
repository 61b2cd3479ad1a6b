// runtime/assign.h — what an SQL assignment does to a value beyond converting its type: the
// target column's typmod (varchar(3), numeric(5,2), timestamp(0)) and its domain's NOT NULL
// and CHECK constraints. Used where a value goes into a row without passing through the
// server's own assignment: record::set, the rows a trigger returns, composite results.
#pragma once

#include <plcpp/types.hpp>

#include "pg.h"

namespace plcpp::detail {

// The value coerced to `typmod` (as the type's length-coercion cast does, e.g. 22001 for a
// too long varchar, rounding numeric and timestamps), and checked against the constraints if
// `type` is a domain (23502, 23514). typmod < 0: no length coercion. Returns the value to
// store (a new datum if the typmod changed it). Throws sql_error.
raw_datum assign_checks(raw_datum d, bool isnull, Oid type, std::int32_t typmod);

// The same, inside pg_call (plain C, may ereport).
Datum assign_checks_c(Datum d, bool isnull, Oid type, int32 typmod);

} // namespace plcpp::detail
