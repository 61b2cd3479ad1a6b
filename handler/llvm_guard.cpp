// handler/llvm_guard.cpp — see llvm_guard.h.
#include "llvm_guard.h"

#include <llvm/Support/ErrorHandling.h>

#include <string>

#include "../runtime/pg.h"

namespace {

void fatal_error(void *, const char *reason, bool) {
  // FATAL does not longjmp: the backend exits, so no C++ frame is skipped.
  ereport(FATAL,
          (errcode(ERRCODE_INTERNAL_ERROR), errmsg("fatal LLVM error in plcpp: %s", reason)));
}

void bad_alloc(void *, const char *reason, bool) {
  ereport(FATAL, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory in LLVM (plcpp)"),
                  errdetail("%s", reason)));
}

} // namespace

llvm_guard::llvm_guard() noexcept {
  llvm::install_fatal_error_handler(fatal_error, nullptr);
  llvm::install_bad_alloc_error_handler(bad_alloc, nullptr);
}

llvm_guard::~llvm_guard() {
  llvm::remove_bad_alloc_error_handler();
  llvm::remove_fatal_error_handler();
}
