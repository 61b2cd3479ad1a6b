// handler/build_internal.h — what build.cpp shares with its parts: the attribute checks
// (build_attributes.cpp) and the run of the compiler in a compile process (compile_run.cpp).
// Like build.cpp, none of it includes a PostgreSQL header or ereports.
#pragma once

#include "build.h"
#include "compile_process.h"

#include "../jit/attributes.h"
#include "../jit/compiler.h"

namespace build_detail {

extern build_report report;
extern build_memo memo;                 // the memoize attribute of the last build_prepare()
extern build_result_cache result_cache; // and its result_cache attribute

void fail(const char *sqlstate, std::string summary);

// Clang lives in its own library, loaded on the first compile only (DESIGN §5, issue 4).
plcpp::jit::compile_entry compiler_entry(const char *path);

// build_attributes.cpp: the function's [[plcpp::...]] attributes, checked where only the body
// and the signature are needed; fills memo and result_cache, or report's diagnostics.
bool check_attributes(const std::vector<plcpp::jit::attribute> &attrs, const build_input &in);

// compile_run.cpp
// One run of the compiler, in a compile process of its own (compile_process.h), for a backend
// or the optimizer worker. False if it produced no result: report says why (a crash, a limit,
// a pending cancel), and `end` tells the worker whether to quarantine the job.
struct compile_run {
  plcpp::jit::compile_result result;
  double ms = 0; // wall time, including a PCH build and the process's start
  compile_end end = compile_end::not_started;
  std::string output; // the process's stderr (LLVM's messages), bounded
};

bool run_compiler(const std::string &library, const std::string &source,
                  const std::string &module_name, const std::string &include_dir,
                  const std::string &cache_dir, int opt_level, bool interrupt_checks,
                  const std::string &function, compile_run &run);

} // namespace build_detail
