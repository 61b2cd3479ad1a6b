// jit/link.h — from the relocatable object the code generator made to the shared object a
// backend loads (jit/loader.h), with lld as a library, in the compile process.
//
// lld rather than the system linker: it is already in the process (LLVM), links a body in
// about 1.5 ms where starting ld.lld or ld.bfd costs 4-20 ms, and needs no binutils at run
// time. lld 14 keeps global state that a second link in the same process trips over, so a
// process links once: every compile runs in a process of its own (handler/compile_process.h).
//
// Options: -shared; --eh-frame-hdr (the system unwinder finds the code's unwind tables, so a
// C++ exception unwinds through a body like through any library); -Bsymbolic (the body's own
// definitions win over same-named symbols of the server); -z now and relro (bound at load,
// then read-only); a GNU build ID (perf and gdb match the file with its symbols); no
// libraries: the undefined symbols are bound to the backend's plcpp.so, libstdc++ and libc
// when the code is loaded. Nothing touches the disk: input and output are memory files.
//
// No PostgreSQL headers; never throws.
#pragma once

#include <string>
#include <string_view>

namespace plcpp::jit {

// False with `error` (lld's messages) set if the object could not be linked.
bool link_shared_object(std::string_view object, std::string &shared_object,
                        std::string &error) noexcept;

} // namespace plcpp::jit
