// handler/compile.h — the parts of plcpp_compile() (compile.cpp) kept in files of their own:
// type descriptions (type_desc.cpp), reports of build results (compile_report.cpp) and the
// checks of [[plcpp::memoize]] / [[plcpp::result_cache]] against the catalog
// (compile_attributes.cpp). All of them may ereport and hold plain data only.
#pragma once

#include "plcpp.h"

#include "build.h"

extern "C" {
#include "access/htup.h"
#include "catalog/pg_proc.h"
}

namespace plcpp::detail {
struct memo_spec;
}

namespace compile_detail {

// Every SQL type a function uses, described for build.cpp: arrays after their element type,
// composites after the types of their attributes (the order their structs are declared in).
struct type_table {
  type_desc *items;
  int n, capacity;
};

// type_desc.cpp
void describe(type_table &t, Oid oid, int depth);
void describe_named_composites(type_table &t, const char *body);

// compile_report.cpp
int char_position(const char *src, unsigned line, unsigned col);
pg_attribute_noreturn() void report_build_failure(const char *name, const char *body);
void report_warnings();
void report_cache_problem();

// compile_attributes.cpp
plcpp_rc_spec *describe_result_cache(Form_pg_proc proc, const char *body, int nargs,
                                     const Oid *arg_types, bool out_row);
const plcpp::detail::memo_spec *describe_memo(plcpp_function *fn, HeapTuple proc_tuple,
                                              const char *body, const Oid *arg_types,
                                              bool for_validator, MemoryContext *context_out);

} // namespace compile_detail
