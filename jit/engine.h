// jit/engine.h — ORC LLJIT for the backend: one JITDylib per function version, loaded from an
// object file (fresh from the compiler or from the object cache: the same path either way).
//
// Linking resolves runtime API symbols (plcpp.so), libstdc++ and libc in the backend process.
// Static constructors run when code is loaded and static destructors when it is unloaded
// (jit/static_init.h). Errors come back as llvm::Error; nothing here throws into PostgreSQL or
// calls ereport.
#pragma once

#include <llvm/Support/Error.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace plcpp::jit {

struct loaded_code {
  void *handle = nullptr;   // pass to unload()
  std::uintptr_t entry = 0; // address of plcpp_entry
  double link_ms = 0;       // link + static constructors
};

// `object` is copied. A C++ exception from a static constructor comes back as an error.
llvm::Expected<loaded_code> load(std::string_view object, const std::string &name);

// Runs static destructors and frees the code. The handle must not be used afterwards.
llvm::Error unload(void *handle);

// Sets up the JIT ahead of the first load (e.g. in the postmaster, before backends fork).
llvm::Error prepare();

} // namespace plcpp::jit
