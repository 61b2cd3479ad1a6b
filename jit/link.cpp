// jit/link.cpp — see link.h.
#include "link.h"

#include "fd_io.h"

#include <lld/Common/Driver.h>
#include <llvm/Support/raw_ostream.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace plcpp::jit {

bool link_shared_object(std::string_view object, std::string &shared_object,
                        std::string &error) noexcept {
  static bool linked = false; // see link.h: one link per process
  if (linked) {
    error = "internal error: lld links once per process";
    return false;
  }
  linked = true;
  int in = -1, out = -1, saved_stdout = -1;
  bool ok = false;
  // Above the standard descriptors: in a process started with stdout closed, memfd_create
  // would return 1, which "-o -" below then points at the output file.
  auto high = [](int fd) {
    if (fd < 0 || fd > 2) return fd;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    return moved;
  };
  try {
    in = high(::memfd_create("plcpp-object", MFD_CLOEXEC));
    out = high(::memfd_create("plcpp-shared-object", MFD_CLOEXEC));
    if (in < 0 || out < 0 || !write_all(in, object)) {
      error = std::string("could not create the linker's memory files: ") + strerror(errno);
    } else {
      std::string input = "/proc/self/fd/" + std::to_string(in);
      const char *args[] = {"ld.lld",
                            "-shared",
                            "--eh-frame-hdr",
                            "-Bsymbolic",
                            "-z",
                            "now",
                            "-z",
                            "relro",
                            "-z",
                            "noexecstack",
                            "--build-id=sha1",
                            "--hash-style=gnu",
                            "--threads=1",
                            "-o",
                            "-",
                            input.c_str()};
      // "-o -" makes lld write the output to standard output in one piece after linking:
      // pointed at a memory file for the duration.
      fflush(stdout);
      saved_stdout = ::fcntl(1, F_DUPFD_CLOEXEC, 3); // -1 (EBADF) if stdout was closed
      std::string messages;
      llvm::raw_string_ostream diagnostics(messages);
      if (::dup2(out, 1) == 1) {
        ok = lld::elf::link(args, llvm::nulls(), diagnostics, /*exitEarly=*/false,
                            /*disableOutput=*/false);
        llvm::outs().flush();
        fflush(stdout);
        if (saved_stdout >= 0)
          ::dup2(saved_stdout, 1);
        else
          ::close(1); // as it was
      }
      diagnostics.flush();
      if (!ok)
        error = messages.empty() ? "the linker failed without a message" : messages;
      else if (!read_tail(out, shared_object) || shared_object.size() < 64 ||
               memcmp(shared_object.data(), "\177ELF", 4) != 0) {
        ok = false;
        error = "the linker's output could not be read back";
      }
    }
  } catch (...) {
    ok = false;
    error = "out of memory while linking";
  }
  for (int fd : {in, out, saved_stdout})
    if (fd >= 0) ::close(fd);
  return ok;
}

} // namespace plcpp::jit
