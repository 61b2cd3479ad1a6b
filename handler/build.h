// handler/build.h — the C++ half of compiling a function: plain inputs in, code or diagnostics
// out. build() is noexcept and never ereports; compile.cpp reports what it recorded.
#pragma once

#include <plcpp/config.hpp>

#include "../jit/diagnostic.h"

using Oid = plcpp::Oid; // the same type as PostgreSQL's Oid

#include <string>
#include <vector>

// A SQL type as type_desc.cpp found it in the catalog (plain data for build.cpp).
struct type_desc {
  Oid oid;
  char kind;        // 'b' built-in scalar, 'a' array, 'c' composite, 'd' domain, 't' text form
  Oid element;      // 'a': the element type, 'd': the base type (also described in the table)
  const char *name; // 'c': the struct name
  Oid array_oid;    // 'c': its array type
  int nfields;      // 'c': live attributes
  const char *const *field_names;
  const Oid *field_types;
  const bool *field_not_null;
};

enum class build_kind { scalar, set_returning, trigger };

struct build_input {
  const char *name;
  const char *symbol; // the body's C++ function name (jit/source.h function_spec::symbol)
  const char *body;
  build_kind kind;
  int nargs;
  const char *const *arg_names; // "" for unnamed
  const Oid *arg_types;
  Oid result_type; // InvalidOid: void (scalar), or OUT columns (out_row)
  int ncolumns;    // set-returning and OUT-parameter results: the columns
  const char *const *column_names;
  const Oid *column_types;
  bool out_row;
  int ntypes; // every type used, composites after the types of their fields
  const type_desc *types;
  bool strict;
  bool is_volatile; // plcpp::memoize needs VOLATILE, plcpp::result_cache does not allow it
  int opt_level;
  bool interrupt_checks;
  bool tiered; // plcpp.tiered_compilation (jit/optimize_queue.h); false for DO blocks
  const char *include_dir;
  const char *cache_dir; // objects and precompiled headers (plcpp.cache_dir)
  const char *compiler_library;
  const char *module_name; // unique in this backend
  const char *signature;   // for the cache listing
  int server_version_num;
};

struct build_output {
  plcpp::detail::entry_fn entry = nullptr;
  void *code = nullptr;
  bool cache_hit = false;
  // Tiered compilation: this is the -O0 code, and the -O2 build of optimized_key is queued.
  // keeps_code: the body has static variables, so this session keeps the code it started
  // with (switching would start them afresh); new sessions load the optimized code.
  bool tier0 = false;
  bool keeps_code = false;
  char optimized_key[33] = "";
  double compile_ms = 0, codegen_ms = 0, link_ms = 0, pch_ms = 0;
  unsigned interrupt_checks = 0;
};

// What the last failed build() found, kept in static storage for compile_report.cpp to report.
struct build_report {
  char sqlstate[6] = "42601";
  bool out_of_memory = false; // the build itself ran out of memory (no message allocated)
  std::string summary;        // when there is no diagnostic to show
  std::string detail, hint;   // of the summary (a compile process that crashed, ...)
  std::string pch_problem;    // the precompiled header could not be built (compiled without)
  std::vector<plcpp::jit::diagnostic> diagnostics;
  std::vector<plcpp::jit::diagnostic> warnings; // body warnings of a successful build
  std::string cache_problem; // a damaged cache file, or why the object could not be stored
  bool cache_unwritable = false;
};
const build_report &last_build_report() noexcept;

// [[plcpp::memoize(...)]] as build_prepare() found it (DESIGN §2).
struct build_memo {
  bool on = false;
  std::vector<int> key_args; // argument indices of the key (all arguments by default)
  std::string ttl, grant;    // as written; compile_attributes.cpp checks them against the catalog
  bool refresh_concurrently = false;
  bool on_change = false;        // invalidate = "on_change": rebuilt after its sources change
  unsigned line = 0, column = 0; // of the attribute, for errors
};
// Valid after a successful build_prepare(), until the next one.
const build_memo &build_memoize() noexcept;

// [[plcpp::result_cache(...)]] as build_prepare() found it (DESIGN §3).
struct build_result_cache {
  bool on = false;
  std::string relies_on;         // as written: relation names separated by commas
  unsigned line = 0, column = 0; // of the attribute, for errors
};
const build_result_cache &build_result_cache_attribute() noexcept;

// A build in three steps, so that compile.cpp can take a lock between them:
//   build_prepare      the translation unit and its object cache key (no Clang)
//   build_load_cached  load the object from the cache; false on a miss
//   build_compile      compile (loading Clang on first use), store in the cache, load
// Each is noexcept and records failures in last_build_report().
bool build_prepare(const build_input &in) noexcept;
const char *build_cache_key() noexcept;
// shared_preload_libraries: in the postmaster, load the compiler and set up the JIT and the
// cache key's environment once, for every backend to inherit. Best effort.
void build_preload(const char *compiler_library, const char *include_dir, int opt_level,
                   int server_version_num) noexcept; // 32 hex digits, after build_prepare
bool build_load_cached(build_output &out) noexcept;
bool build_compile(build_output &out) noexcept;
// Is the optimized object of a tier-0 function in the cache yet? One stat.
bool build_optimized_ready(const char *cache_dir, const char *key) noexcept;
// The background worker's step: builds one queued unit at its optimization level into the
// object cache. `message` says what happened (failed: at LOG level).
enum class optimize_step {
  idle,    // the queue is empty
  done,    // one job handled (built, or found built already)
  failed,  // one job handled without an object (sessions keep the -O0 code)
  stopped, // the compiler could not be loaded: the job stays for a later worker
};
optimize_step build_optimize_next(const char *cache_dir, std::string &message) noexcept;
// Is any job waiting?
bool build_optimize_pending(const char *cache_dir) noexcept;
void unload_code(void *code) noexcept;
