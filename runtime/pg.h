// runtime/pg.h — PostgreSQL headers for the C++ files of the extension.
//
// Include the C++ library (and plcpp's own headers) first, then this: the server headers
// define macros (printf -> pg_printf, Min, Max, ...) that must not reach the C++ library.
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

#undef Min
#undef Max
#undef Abs
