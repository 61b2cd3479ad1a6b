// memoize/memo_path.h — the search_path and the version of a [[plcpp::memoize]] function
// (memo_path.cpp says why). Plain C, may ereport.
#pragma once

extern "C" {
#include "postgres.h"

#include "access/htup.h"
}

// The path a memoized function's query runs under: its SET search_path with pg_temp last
// (appended when absent); nullptr with *problem set if it has none or searches pg_temp first.
const char *plcpp_memo_path(HeapTuple proc_tuple, const char **problem);
// The same, raising the CREATE FUNCTION error (SQLSTATE 42P13) instead of returning nullptr.
void plcpp_memo_check_path(HeapTuple proc_tuple, const char *name, const char **path_out);
// CREATE FUNCTION: a WARNING for each schema of the path in which PUBLIC may create objects.
void plcpp_memo_warn_open_schemas(const char *name, const char *path);
// md5 of the definition, the owner's name and the path (plcpp.memo_registry.version).
char *plcpp_memo_version(Oid fn_oid, Oid owner, const char *path);
