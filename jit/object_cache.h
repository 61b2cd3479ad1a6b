// jit/object_cache.h — compiled bodies on disk, shared by every backend and kept across
// restarts (DESIGN §5).
//
// An object is stored under <dir>/objects/<key>.o, where the key is a hash of everything that
// changes its machine code: the generated translation unit, the runtime headers, compiler and
// LLVM versions, flags, optimization level, target CPU and server version. Files are written
// to a temporary name and renamed, so a reader sees a whole file or none; each carries a
// checksum, so a damaged file is detected, removed and recompiled, never loaded. Hits are
// counted by appending one byte to <key>.hits (atomic with O_APPEND, no lock needed).
//
// No PostgreSQL headers; nothing here throws (failures are reported as data).
#pragma once

#include "diagnostic.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plcpp::jit::cache {

// What is stored next to the object (and shown by the plcpp.compile_cache view).
struct entry_info {
  std::string key;
  std::string function;             // signature of the function whose compile stored it
  double compile_ms = 0;            // what compiling it cost
  int opt_level = 2;                // -O0 .. -O3 (-O0 also for tiered compilation's first code)
  std::int64_t compiled_at = 0;     // Unix time, seconds
  std::vector<diagnostic> warnings; // shown again by CREATE FUNCTION on a cache hit
};

// The environment part of the key: every input except the source. Costs a read of the
// runtime headers; callers compute it once per process and option set.
// `compiler_library` (plcpp_compiler.so) counts by its GNU build ID, the linker's hash of its
// content (the Makefile asks for one), or by a hash of its bytes when it has none: any rebuild
// of the compiler, even one that only changes a pass, gives new keys.
std::string environment(const std::string &include_dir, const std::string &compiler_library,
                        int opt_level, bool interrupt_checks, int server_version_num);

// 32 hex digits (128 bits of SHA-256 of source and environment).
std::string make_key(std::string_view source, const std::string &environment);

enum class lookup_status { hit, miss, damaged };
struct lookup_result {
  lookup_status status = lookup_status::miss;
  std::string object;
  entry_info info;
  std::string problem; // damaged: what was wrong (the file has been removed)
};
lookup_result find(const std::string &dir, const std::string &key) noexcept;

// False with `error` set when the object could not be stored (the caller still has it).
bool store(const std::string &dir, std::string_view object, const entry_info &info,
           std::string &error) noexcept;

void count_hit(const std::string &dir, const std::string &key) noexcept;

// Is there an object for `key` (not checked: find() does that)? One stat.
bool exists(const std::string &dir, const std::string &key) noexcept;

// Removes the object of `key` and its hit count (an -O0 object its -O2 build replaced).
void remove(const std::string &dir, const std::string &key) noexcept;

struct listing {
  entry_info info;
  std::uint64_t size = 0; // bytes of the file
  std::int64_t hits = 0;
  std::int64_t last_used = 0; // Unix time of the last hit, else of the store
};
// Damaged or foreign files are skipped. Never throws; an unreadable dir lists nothing.
std::vector<listing> list(const std::string &dir) noexcept;

// Removes objects last used before `cutoff` (Unix time; a negative cutoff removes all) and
// leftover temporary files; returns how many objects were removed.
int purge(const std::string &dir, std::int64_t cutoff) noexcept;

} // namespace plcpp::jit::cache
