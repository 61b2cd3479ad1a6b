// jit/sha256.h — SHA-256 (FIPS 180-4) without LLVM or OpenSSL: the object cache key is
// computed in every backend, and a backend that runs cached code must not load libLLVM
// (issue 20). No PostgreSQL headers; nothing here throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace plcpp::jit {

class sha256 {
public:
  sha256() noexcept;
  void update(std::string_view bytes) noexcept;
  std::array<std::uint8_t, 32> final() noexcept; // the object is spent afterwards

private:
  void block(const std::uint8_t *p) noexcept;
  std::uint32_t h_[8];
  std::uint8_t buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0; // bytes hashed
};

// Lower-case hex of `bytes`.
std::string to_hex(const std::uint8_t *bytes, std::size_t n);

// FNV-1a, 64 bits: a fast checksum of cache files (damage, not attack: the cache directory
// belongs to the server's user).
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t seed = 0xcbf29ce484222325ull) noexcept;

// A checksum of large buffers (cache files of 100 kB and more, read at a backend's first call
// of a function): 8 bytes per step, about 8 times faster than fnv1a64. Every step is a
// bijection of the state, so a change confined to one 8-byte word is always detected.
std::uint64_t checksum64(std::string_view bytes, std::uint64_t seed = 0) noexcept;

} // namespace plcpp::jit
