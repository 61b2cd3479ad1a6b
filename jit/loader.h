// jit/loader.h — a function's compiled code in a backend: a shared object, mapped by the
// system's dynamic loader (dlopen) from its file in the object cache, so that every backend
// shares its pages, gdb and perf see it as a library with symbols and line tables, and
// exceptions unwind through it with the system's unwinder (its .eh_frame_hdr). No LLVM is
// loaded for it (issue 20): linking happened in the compile process (jit/link.h).
//
// Symbols the code needs (the runtime API, libstdc++, libc) are bound when it is loaded
// (RTLD_NOW) from the backend's global scope, where PostgreSQL loaded plcpp.so and its
// libstdc++; a missing one fails the load cleanly. The object was linked -Bsymbolic, so its own
// definitions win over same-named ones of the server. Static constructors run when code is
// loaded and static destructors when it is unloaded (jit/static_init.h), never at exit().
//
// No PostgreSQL headers; nothing here throws.
#pragma once

#include "line_table.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace plcpp::jit {

struct loaded_code {
  void *handle = nullptr;   // pass to unload()
  std::uintptr_t entry = 0; // address of plcpp_entry
  double link_ms = 0;       // dlopen + static constructors
};

// Loads the code of cache key `key` from `path` (the cache file), or, when `path` is empty,
// from `image` (the bytes of a shared object a full or read-only cache could not store),
// through a memfd. `lines` (jit/line_table.h, encoded) maps its code to body lines for error
// reports; `function` names it there. A key this process has loaded already is shared, not
// loaded again: its static objects are the same. False with `error` set on failure.
bool load(const std::string &key, const std::string &path, std::string_view image,
          std::string_view lines, const std::string &function, loaded_code &out,
          std::string &error) noexcept;

// Drops one load of `handle`; the last runs the static destructors and unmaps the code.
void unload(void *handle) noexcept;

// Error reports (handler/error_line.cpp): is `handle` code this process has loaded now?
bool code_loaded(const void *handle) noexcept;

// Error reports (handler/error_line.cpp): the loaded code that contains `pc`, else null. Reads
// only what load() recorded: safe while an exception is in flight.
void *code_containing(std::uintptr_t pc) noexcept;

// The body line of the call whose return address is `pc` (the call instruction is the byte
// before it), when pc lies in `handle`'s code and its line table knows it; 0 otherwise.
unsigned body_line_of_return_address(void *handle, std::uintptr_t pc) noexcept;

} // namespace plcpp::jit
