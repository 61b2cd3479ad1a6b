// jit/object_cache.h — compiled bodies on disk, shared by every backend and kept across
// restarts (DESIGN §5).
//
// A function's code is stored as <dir>/objects/<key>.so, where the key is a hash of everything
// that changes its machine code: the generated translation unit, the runtime headers, compiler
// and LLVM versions, flags, optimization level, target CPU and server version. The file is the
// shared object itself, which backends dlopen() from this path (so every backend maps the same
// pages), followed by what the loader ignores: the entry's description, the body's line table
// and a trailer with sizes, a format version and a checksum (the dynamic loader reads only what
// the ELF headers point to). Files are written to a temporary name and renamed, so a reader
// sees a whole file or none, and a backend that has an older file mapped keeps it; a damaged
// file is detected by its checksum, removed and recompiled, never loaded. Hits are counted by
// appending one byte to <key>.hits (atomic with O_APPEND, no lock needed). Files of earlier
// formats (<key>.o, relocatable objects that ORC linked in the backend) are never read again
// and are removed by the first store into the directory and by purge().
//
// No LLVM (every backend computes keys and reads this cache), no PostgreSQL headers; nothing
// here throws (failures are reported as data).
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
  std::string line_table;           // jit/line_table.h, encoded: body lines of code addresses
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
  std::string path;   // hit: the file to dlopen()
  std::string object; // hit: the shared object's bytes (checked against the checksum)
  entry_info info;
  std::string problem; // damaged: what was wrong (the file has been removed)
};
// `with_object`: also copy the shared object's bytes into the result; a backend that loads
// the file by its path only needs it checked (mapped, not copied: its first call waits).
lookup_result find(const std::string &dir, const std::string &key,
                   bool with_object = true) noexcept;

// Stores a shared object; false with `error` set when it could not (the caller still has the
// bytes, and loads them from memory).
bool store(const std::string &dir, std::string_view object, const entry_info &info,
           std::string &error) noexcept;

void count_hit(const std::string &dir, const std::string &key) noexcept;

// Is there an object for `key` (not checked: find() does that)? One stat.
bool exists(const std::string &dir, const std::string &key) noexcept;

// The path the object of `key` is stored under.
std::string path_of(const std::string &dir, const std::string &key);

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

// Removes objects last used before `cutoff` (Unix time; a negative cutoff removes all),
// leftover temporary files and every file of an earlier format; returns how many objects
// were removed.
int purge(const std::string &dir, std::int64_t cutoff) noexcept;

} // namespace plcpp::jit::cache
