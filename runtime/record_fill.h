// runtime/record_fill.h — building a plcpp::record from a heap tuple (internal).
#pragma once

#include <plcpp/record.hpp>

#include "pg.h"

extern "C" {
#include "access/htup.h"
#include "access/tupdesc.h"
}

namespace plcpp::detail {
// Deforms `tuple` into `r`; the values stay views into the tuple and `desc` must outlive r.
void fill_record(record &r, HeapTuple tuple, TupleDesc desc, Oid type);
} // namespace plcpp::detail
