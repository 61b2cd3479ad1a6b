// jit/optimize_queue.h — tiered compilation's work list: units waiting for their optimized
// build, as files under <cache_dir>/jobs/.
//
// A first call that misses the cache compiles its unit at -O0 (a third of the -O2 time for a
// body that uses the standard library) and leaves a job here; plcpp's background worker
// (handler/optimizer.cpp) builds the -O2 object into the object cache, and backends switch to
// it at their next transaction (handler/tier.cpp). A job is one file, <key>.job, written to a
// temporary name and renamed, so the worker sees whole jobs only; writing one twice is
// harmless. The worker holds an flock on jobs/.lock while it works, so that one worker at a
// time compiles in the background.
//
// No PostgreSQL headers; nothing here throws.
#pragma once

#include <optional>
#include <string>

namespace plcpp::jit::optimize_queue {

struct job {
  std::string key;         // object cache key of the optimized object (the file's name)
  std::string unoptimized; // key of the -O0 object that serves until then (removed after)
  std::string function;    // signature, for the cache listing and messages
  std::string module_name; // as the backend named it
  std::string include_dir; // runtime headers
  std::string compiler_library;
  int opt_level = 2;
  bool interrupt_checks = true;
  std::string source; // the translation unit
};

// False with `error` set when the job could not be written (e.g. the cache is not writable).
bool push(const std::string &cache_dir, const job &j, std::string &error) noexcept;

// Any waiting job, or nullopt. A job file that does not parse is removed and skipped.
std::optional<job> next(const std::string &cache_dir) noexcept;

// Removes the job of `key` (done).
void remove(const std::string &cache_dir, const std::string &key) noexcept;

// A job whose build failed, crashed, ran out of time or memory is never replayed: it moves
// to <cache_dir>/jobs/quarantine/<key>.job, with <key>.reason saying why (issue 16: one
// crashing job replayed by every later worker gave four crash recoveries in 20 s).
void quarantine(const std::string &cache_dir, const std::string &key,
                const std::string &reason) noexcept;

// Can jobs be written (the directory exists or was created, and is writable)? Tiered
// compilation is used only then: an -O0 object whose -O2 build cannot be queued would stay.
bool writable(const std::string &cache_dir) noexcept;

// The path of the worker's lock file (its directory is created).
std::string lock_path(const std::string &cache_dir) noexcept;

} // namespace plcpp::jit::optimize_queue
