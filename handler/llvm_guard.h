// handler/llvm_guard.h — while alive, LLVM's fatal and out-of-memory errors end the backend
// with a FATAL report (the server's own llvmjit_error.cpp policy) instead of abort()ing the
// whole postmaster's child with no message. Scopes do not nest.
#pragma once

class llvm_guard {
public:
  llvm_guard() noexcept;
  ~llvm_guard();
  llvm_guard(const llvm_guard &) = delete;
  llvm_guard &operator=(const llvm_guard &) = delete;
};
