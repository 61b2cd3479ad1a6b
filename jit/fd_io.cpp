// jit/fd_io.cpp — see fd_io.h.
#include "fd_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace plcpp::jit {

bool write_all(int fd, std::string_view bytes) noexcept {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool read_tail(int fd, std::string &out, std::size_t limit) {
  out.clear();
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) return false;
  off_t from = static_cast<std::size_t>(size) > limit ? size - static_cast<off_t>(limit) : 0;
  out.resize(static_cast<std::size_t>(size - from));
  std::size_t got = 0;
  bool ok = true;
  while (got < out.size()) {
    ssize_t n = ::pread(fd, out.data() + got, out.size() - got, from + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return ok;
}

bool read_file(const std::string &path, std::string &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  // Not a directory (it opens, and lseek(SEEK_END) on it says anything): regular files only.
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read_tail(fd, out);
  ::close(fd);
  return ok;
}

} // namespace plcpp::jit
