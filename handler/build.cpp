// handler/build.cpp — see build.h: jit/source -> object cache, or a compile process running
// plcpp_compiler.so (Clang, LLVM, lld) -> jit/loader (dlopen of the shared object).
#include "build_internal.h"

#include "../jit/compiler.h"
#include "../jit/core_unit.h"
#include "../jit/loader.h"
#include "../jit/object_cache.h"
#include "../jit/optimize_queue.h"
#include "../jit/source.h"

#include <dlfcn.h>

#include <cstring>
#include <new>

#include <chrono>
#include <ctime>
#include <map>
#include <tuple>

namespace build_detail {

build_report report;
build_memo memo;
build_result_cache result_cache;

void fail(const char *sqlstate, std::string summary) {
  memcpy(report.sqlstate, sqlstate, 6);
  report.summary = std::move(summary);
}

// Clang lives in its own library, loaded on the first compile only (DESIGN §5, issue 4).
plcpp::jit::compile_entry compiler_entry(const char *path) {
  static plcpp::jit::compile_entry entry = nullptr;
  if (entry) return entry;
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fail("58P01", std::string("could not load the PL/C++ compiler: ") + dlerror());
    return nullptr;
  }
  entry = reinterpret_cast<plcpp::jit::compile_entry>(dlsym(lib, plcpp::jit::compile_entry_symbol));
  if (!entry) fail("58P01", std::string("bad PL/C++ compiler library: ") + dlerror());
  return entry;
}

} // namespace build_detail

using namespace build_detail;

namespace {

const type_desc *find_type(const build_input &in, Oid oid) {
  for (int i = 0; i < in.ntypes; ++i)
    if (in.types[i].oid == oid) return &in.types[i];
  return nullptr;
}

plcpp::jit::type_ref type_of(const build_input &in, Oid oid) {
  const type_desc *t = find_type(in, oid);
  if (!t) return plcpp::jit::text_form_type(oid);
  switch (t->kind) {
  case 'b':
    if (auto b = plcpp::jit::builtin_type(oid)) return *b;
    return plcpp::jit::text_form_type(oid);
  case 'a':
    return plcpp::jit::array_type(type_of(in, t->element), oid);
  case 'c':
    return plcpp::jit::struct_type(t->name, oid);
  case 'd':
    return plcpp::jit::domain_type(type_of(in, t->element), oid);
  default:
    return plcpp::jit::text_form_type(oid);
  }
}

plcpp::jit::function_spec make_spec(const build_input &in) {
  plcpp::jit::function_spec spec;
  spec.name = in.name;
  spec.symbol = in.symbol ? in.symbol : "";
  spec.strict = in.strict;
  spec.kind = in.kind == build_kind::scalar          ? plcpp::jit::function_kind::scalar
              : in.kind == build_kind::set_returning ? plcpp::jit::function_kind::set_returning
                                                     : plcpp::jit::function_kind::trigger;
  for (int i = 0; i < in.nargs; ++i)
    spec.params.push_back({in.arg_names[i], type_of(in, in.arg_types[i])});
  if (in.result_type != 0) spec.result = type_of(in, in.result_type);
  for (int i = 0; i < in.ncolumns; ++i)
    spec.columns.push_back({in.column_names[i], type_of(in, in.column_types[i])});
  spec.out_row = in.out_row;
  if (in.out_row) spec.result = plcpp::jit::struct_type("out_row", 2249);
  for (int i = 0; i < in.ntypes; ++i) {
    const type_desc &t = in.types[i];
    if (t.kind != 'c') continue;
    plcpp::jit::composite_spec c;
    c.name = t.name;
    c.oid = t.oid;
    c.array_oid = t.array_oid;
    for (int f = 0; f < t.nfields; ++f)
      c.fields.push_back({t.field_names[f], type_of(in, t.field_types[f]), t.field_not_null[f]});
    spec.composites.push_back(std::move(c));
  }
  return spec;
}

// One translation unit of a function and its object cache key.
struct unit {
  std::string source;
  std::string key;
};

// What build_prepare() made for the steps after it.
struct build_plan {
  unit full;  // the regular unit (runtime header)
  unit core;  // the core unit (jit/core_unit.h), when the function qualifies; else empty
  unit tier0; // tiered compilation: the regular unit's -O0 key; else empty
  bool has_statics = false;
  std::string cache_dir, module_name, function, include_dir, compiler_library;
  std::string symbol, name; // the body's C++ function name, and the SQL name it stands for
  int opt_level = 2;
  bool interrupt_checks = true;
};
build_plan plan;

// The environment part of the key reads the runtime headers: once per option set.
const std::string &environment_for(const char *include_dir, const char *compiler_library,
                                   int opt_level, bool checks, int server_version) {
  static std::map<std::tuple<std::string, int, bool>, std::string> environments;
  auto &env = environments[{include_dir, opt_level, checks}];
  if (env.empty())
    env = plcpp::jit::cache::environment(include_dir, compiler_library, opt_level, checks,
                                         server_version);
  return env;
}

bool prepare_impl(const build_input &in) {
  plcpp::jit::function_spec spec = make_spec(in);
  plcpp::jit::prepared_body body = plcpp::jit::prepare_body(in.body);
  report.diagnostics = body.errors;
  if (!body.errors.empty()) return false;
  if (!check_attributes(body.attributes, in)) return false;
  spec.memoize = memo.on;
  if (body.code.find_first_not_of(" \t\r\n") == std::string::npos &&
      in.kind == build_kind::scalar && spec.result) {
    fail("42P13", "the body of a PL/C++ function that returns a value cannot be empty");
    return false;
  }
  const std::string &env = environment_for(in.include_dir, in.compiler_library, in.opt_level,
                                           in.interrupt_checks, in.server_version_num);

  plan.full.source = plcpp::jit::assemble(spec, body);
  plan.full.key = plcpp::jit::cache::make_key(plan.full.source, env);
  plan.core = {};
  if (auto core = plcpp::jit::assemble_core(spec, body)) {
    plan.core.source = std::move(*core);
    plan.core.key = plcpp::jit::cache::make_key(plan.core.source, env);
  }
  // Tiered compilation for regular units (a core unit compiles in milliseconds at -O2).
  plan.tier0 = {};
  if (in.tiered && in.opt_level > 0 && plan.core.key.empty()) {
    const std::string &env0 = environment_for(in.include_dir, in.compiler_library, 0,
                                              in.interrupt_checks, in.server_version_num);
    plan.tier0.key = plcpp::jit::cache::make_key(plan.full.source, env0);
  }
  plan.has_statics = plcpp::jit::code_names(body.code, "static") ||
                     plcpp::jit::code_names(body.code, "thread_local");
  plan.cache_dir = in.cache_dir;
  plan.module_name = in.module_name;
  plan.function = in.signature;
  plan.symbol = in.symbol ? in.symbol : "";
  plan.name = in.name ? in.name : "";
  plan.include_dir = in.include_dir;
  plan.compiler_library = in.compiler_library;
  plan.opt_level = in.opt_level;
  plan.interrupt_checks = in.interrupt_checks;
  return true;
}

// Loads the code of cache key `key`: from its cache file `path`, else (a cache that could not
// store it) from `image`.
bool load_object(const std::string &key, const std::string &path, std::string_view image,
                 std::string_view lines, build_output &out) {
  plcpp::jit::loaded_code loaded;
  std::string error;
  if (!plcpp::jit::load(key, path, image, lines, plan.function, loaded, error)) {
    fail("XX000", "loading the compiled function failed: " +
                      (error.empty() ? std::string("out of memory") : error));
    report.hint = "A body can call what the server process has: the plcpp runtime API, the C++ "
                  "standard library and the C library. After installing a new plcpp into a "
                  "server that preloads it, restart the server.";
    return false;
  }
  out.code = loaded.handle;
  out.entry = reinterpret_cast<plcpp::detail::entry_fn>(loaded.entry);
  out.link_ms = loaded.link_ms;
  return true;
}

// Leaves the job of the optimized build for the background worker; false if it could not
// (an unwritable cache: then there is no tiering, and the unit is compiled at -O2 at once).
bool queue_optimization() {
  plcpp::jit::optimize_queue::job j;
  j.key = plan.full.key;
  j.unoptimized = plan.tier0.key;
  j.function = plan.function;
  j.module_name = plan.module_name;
  j.include_dir = plan.include_dir;
  j.compiler_library = plan.compiler_library;
  j.opt_level = plan.opt_level;
  j.interrupt_checks = plan.interrupt_checks;
  j.source = plan.full.source;
  std::string error;
  return plcpp::jit::optimize_queue::push(plan.cache_dir, j, error);
}

void mark_tier0(build_output &out, bool queued) {
  out.tier0 = queued;
  out.keeps_code = plan.has_statics;
  snprintf(out.optimized_key, sizeof out.optimized_key, "%s", plan.full.key.c_str());
}

bool load_cached_unit(const unit &u, build_output &out) {
  auto found = plcpp::jit::cache::find(plan.cache_dir, u.key, /*with_object=*/false);
  if (found.status == plcpp::jit::cache::lookup_status::damaged)
    report.cache_problem = "removed damaged compiled-code cache file for " + plan.function +
                           " (key " + u.key + "): " + found.problem;
  if (found.status != plcpp::jit::cache::lookup_status::hit) return false;
  if (!load_object(u.key, found.path, {}, found.info.line_table, out)) {
    // A valid file that does not link (e.g. a symbol the runtime no longer has): compile.
    report.cache_problem =
        "cached code for " + plan.function + " did not load (" + report.summary + "); recompiling";
    report.summary.clear();
    memcpy(report.sqlstate, "42601", 6);
    return false;
  }
  report.warnings = found.info.warnings;
  out.cache_hit = true;
  plcpp::jit::cache::count_hit(plan.cache_dir, u.key);
  return true;
}

// The core unit's object, if the function has one, else the regular one: a core unit that
// did not compile left no object, so a session after that finds the regular one.
bool load_cached_impl(build_output &out) {
  if (!plan.core.key.empty() && load_cached_unit(plan.core, out)) return true;
  if (load_cached_unit(plan.full, out)) return true;
  // The -O0 object of a unit whose -O2 build has not finished: queued again, in case the
  // job was lost (a server crash; a worker that could not start).
  if (plan.tier0.key.empty() || !load_cached_unit(plan.tier0, out)) return false;
  mark_tier0(out, queue_optimization());
  return true;
}

// What the cache keeps next to an object compiled for `function`.
plcpp::jit::cache::entry_info describe_object(const std::string &key, const std::string &function,
                                              const compile_run &run, int opt_level,
                                              const std::vector<plcpp::jit::diagnostic> &warnings) {
  plcpp::jit::cache::entry_info info;
  info.key = key;
  info.function = function;
  info.compile_ms = run.ms - run.result.pch_build_ms;
  info.opt_level = opt_level;
  info.compiled_at = std::time(nullptr);
  info.warnings = warnings;
  return info;
}

// Compiles, stores and loads one unit. `quiet`: a failure leaves no diagnostics (a core unit
// that needs the full header after all).
bool compile_unit(const unit &u, int opt_level, build_output &out, bool quiet) {
  compile_run run;
  if (!run_compiler(plan.compiler_library, u.source.empty() ? plan.full.source : u.source,
                    plan.module_name, plan.include_dir, plan.cache_dir, opt_level,
                    plan.interrupt_checks, plan.function, run))
    return false;
  plcpp::jit::compile_result &compiled = run.result;
  out.compile_ms += compiled.frontend_ms;
  out.codegen_ms += compiled.optimize_ms + compiled.emit_ms;
  out.pch_ms += compiled.pch_build_ms;
  out.interrupt_checks = compiled.interrupt_checks;
  if (!compiled.ok && quiet) return false;
  for (auto &d : compiled.diagnostics) {
    // Clang names the body's function by its C++ name (plcpp_<schema>_<name>_<oid>, for gdb
    // and perf); the user wrote a function by its SQL name.
    if (!plan.symbol.empty())
      for (size_t at = 0; (at = d.message.find(plan.symbol, at)) != std::string::npos;
           at += plan.name.size())
        d.message.replace(at, plan.symbol.size(), plan.name);
    (d.level == plcpp::jit::diagnostic::severity::warning ? report.warnings : report.diagnostics)
        .push_back(d);
  }
  if (!compiled.ok) {
    if (report.diagnostics.empty()) fail("XX000", "compilation failed without a diagnostic");
    return false;
  }

  auto info = describe_object(u.key, plan.function, run, opt_level, report.warnings);
  info.line_table = compiled.line_table;
  if (plcpp::jit::cache::store(plan.cache_dir, compiled.shared_object, info, report.cache_problem))
    return load_object(u.key, plcpp::jit::cache::path_of(plan.cache_dir, u.key), {},
                       compiled.line_table, out);
  report.cache_unwritable = true;
  return load_object(u.key, {}, compiled.shared_object, compiled.line_table, out);
}

// A core unit if it compiles; else with tiering the -O0 code now and the -O2 build queued;
// else the regular unit at plcpp.opt_level.
//
// The -O2 job is queued only after the -O0 code compiled: a body that crashes the compiler
// leaves no job behind for the worker to replay.
bool compile_impl(build_output &out) {
  if (!plan.core.source.empty()) {
    if (compile_unit(plan.core, plan.opt_level, out, true)) return true;
    // A core unit that did not compile falls back to the regular unit, unless the compile
    // process itself failed (a crash, a limit, a cancel): that says nothing about the body's
    // C++, and the regular unit would only fail the same way, slower.
    if (!report.summary.empty()) return false;
  }
  if (!plan.tier0.key.empty() && plcpp::jit::optimize_queue::writable(plan.cache_dir)) {
    if (!compile_unit(plan.tier0, 0, out, false)) return false;
    mark_tier0(out, queue_optimization());
    return true;
  }
  return compile_unit(plan.full, plan.opt_level, out, false);
}

optimize_step optimize_next_impl(const std::string &cache_dir, std::string &message) {
  auto j = plcpp::jit::optimize_queue::next(cache_dir);
  if (!j) return optimize_step::idle;
  if (plcpp::jit::cache::exists(cache_dir, j->key)) { // built already (a job queued twice)
    plcpp::jit::optimize_queue::remove(cache_dir, j->key);
    plcpp::jit::cache::remove(cache_dir, j->unoptimized);
    message = "the optimized code of " + j->function + " was in the cache already";
    return optimize_step::done;
  }
  compile_run run;
  if (!run_compiler(j->compiler_library, j->source, j->module_name, j->include_dir, cache_dir,
                    j->opt_level, j->interrupt_checks, j->function, run)) {
    message = "could not optimize " + j->function + ": " + report.summary;
    // Stopped (shutdown, terminate) or no process to compile in: the job stays for a later
    // worker. Anything else the job itself caused: never replayed.
    if (run.end == compile_end::cancelled || run.end == compile_end::not_started)
      return optimize_step::stopped;
    std::string reason = report.summary + (report.detail.empty() ? "" : "\n" + report.detail);
    plcpp::jit::optimize_queue::quarantine(cache_dir, j->key, reason);
    message += " (job quarantined in " + cache_dir + "/jobs/quarantine)";
    return optimize_step::failed;
  }
  const plcpp::jit::compile_result &compiled = run.result;
  if (!compiled.ok) {
    message = "could not optimize " + j->function + ": it compiled at -O0 but not at -O" +
              std::to_string(j->opt_level);
    for (const auto &d : compiled.diagnostics)
      message += "; " + d.message;
    plcpp::jit::optimize_queue::quarantine(cache_dir, j->key, message);
    message += " (job quarantined in " + cache_dir + "/jobs/quarantine)";
    return optimize_step::failed;
  }
  plcpp::jit::optimize_queue::remove(cache_dir, j->key); // done
  std::vector<plcpp::jit::diagnostic> warnings;
  for (const auto &d : compiled.diagnostics)
    if (d.level == plcpp::jit::diagnostic::severity::warning) warnings.push_back(d);
  auto info = describe_object(j->key, j->function, run, j->opt_level, warnings);
  info.line_table = compiled.line_table;
  std::string error;
  if (!plcpp::jit::cache::store(cache_dir, compiled.shared_object, info, error)) {
    message = "could not store the optimized code of " + j->function + ": " + error;
    return optimize_step::failed;
  }
  plcpp::jit::cache::remove(cache_dir, j->unoptimized); // loaded code stays where it is loaded
  char detail[96];
  snprintf(detail, sizeof detail, " in %.1f ms (+%.1f ms PCH)", info.compile_ms,
           compiled.pch_build_ms);
  message = "optimized " + j->function + " at -O" + std::to_string(j->opt_level) + detail;
  return optimize_step::done;
}

template <class F> bool guarded(F &&f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc &) {
    // Nothing here may allocate: compile.cpp reports a static message.
    memcpy(report.sqlstate, "53200", 6);
    report.out_of_memory = true;
  } catch (const std::exception &e) {
    fail("XX000", std::string("internal error while compiling a PL/C++ function: ") + e.what());
  } catch (...) {
    fail("XX000", "internal error while compiling a PL/C++ function");
  }
  return false;
}

} // namespace

const build_report &last_build_report() noexcept {
  return report;
}

bool build_prepare(const build_input &in) noexcept {
  return guarded([&] {
    memcpy(report.sqlstate, "42601", 6);
    report.out_of_memory = false;
    report.summary.clear();
    report.detail.clear();
    report.hint.clear();
    report.pch_problem.clear();
    report.diagnostics.clear();
    report.warnings.clear();
    report.cache_problem.clear();
    report.cache_unwritable = false;
    memo = build_memo{};
    result_cache = build_result_cache{};
    return prepare_impl(in);
  });
}

void build_preload(const char *compiler_library, const char *include_dir, int opt_level,
                   int server_version_num) noexcept {
  guarded([&] {
    environment_for(include_dir, compiler_library, opt_level, true, server_version_num);
    return compiler_entry(compiler_library) != nullptr;
  });
}

const build_memo &build_memoize() noexcept {
  return memo;
}

const build_result_cache &build_result_cache_attribute() noexcept {
  return result_cache;
}

const char *build_cache_key() noexcept {
  return plan.full.key.c_str();
}

bool build_load_cached(build_output &out) noexcept {
  return guarded([&] { return load_cached_impl(out); });
}

bool build_compile(build_output &out) noexcept {
  return guarded([&] { return compile_impl(out); });
}

bool build_optimized_ready(const char *cache_dir, const char *key) noexcept {
  return plcpp::jit::cache::exists(cache_dir, key);
}

optimize_step build_optimize_next(const char *cache_dir, std::string &message) noexcept {
  optimize_step step = optimize_step::stopped; // an exception: report.summary says what
  guarded([&] {
    step = optimize_next_impl(cache_dir, message);
    return true;
  });
  if (step == optimize_step::stopped && message.empty()) message = report.summary;
  return step;
}

bool build_optimize_pending(const char *cache_dir) noexcept {
  return plcpp::jit::optimize_queue::next(cache_dir).has_value();
}

void unload_code(void *code) noexcept {
  plcpp::jit::unload(code);
}
