// jit/fd_io.h — whole reads and writes of files and memory files, retried on EINTR and short
// transfers: the object cache, the loader, the linker step and the compile process's result
// all move whole buffers through descriptors. No PostgreSQL headers; nothing here throws
// except std::bad_alloc from growing `out`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace plcpp::jit {

// False (errno set) if a write failed before all of `bytes` was written.
bool write_all(int fd, std::string_view bytes) noexcept;

// The whole regular file at `path` into `out`; false if it cannot be opened or read, or is
// not a regular file.
bool read_file(const std::string &path, std::string &out);

// The last `limit` bytes of what descriptor `fd` holds (all of it by default), read with
// pread from the start of that range; `out` keeps what was read, and the result says whether
// that was all of it.
bool read_tail(int fd, std::string &out, std::size_t limit = std::string::npos);

} // namespace plcpp::jit
