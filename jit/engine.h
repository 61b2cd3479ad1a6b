// jit/engine.h — ORC LLJIT for the backend: one JITDylib per function version.
//
// Linking resolves runtime API symbols (plcpp.so), libstdc++ and libc in the backend process.
// Static constructors run when code is loaded and static destructors when it is unloaded.
// Errors come back as llvm::Error; nothing here throws into PostgreSQL or calls ereport.
#pragma once

#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/Support/Error.h>

#include <cstdint>
#include <string>

namespace plcpp::jit {

struct loaded_code {
  void *handle = nullptr;   // the JITDylib; pass to unload()
  std::uintptr_t entry = 0; // address of plcpp_entry
  double link_ms = 0;       // codegen + link + static constructors
};

llvm::Expected<loaded_code> load(llvm::orc::ThreadSafeModule module, const std::string &name);

// Runs static destructors and frees the code. The handle must not be used afterwards.
llvm::Error unload(void *handle);

} // namespace plcpp::jit
