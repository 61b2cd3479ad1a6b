// handler/build.cpp — see build.h: jit/source -> object cache or plcpp_compiler.so (Clang,
// LLVM) -> jit/engine (ORC).
#include "build.h"

#include "../jit/compiler.h"
#include "../jit/core_unit.h"
#include "../jit/engine.h"
#include "../jit/object_cache.h"
#include "../jit/optimize_queue.h"
#include "../jit/source.h"

#include "../jit/compile_wire.h"
#include "compile_process.h"
#include "llvm_guard.h"

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <new>

#include <chrono>
#include <ctime>
#include <map>
#include <tuple>

namespace {

build_report report;
build_memo memo;                 // the memoize attribute of the last build_prepare()
build_result_cache result_cache; // and its result_cache attribute

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

// The options of [[plcpp::memoize(...)]] (DESIGN §2), checked here where only the body and
// the signature are needed; ttl and grant are checked by compile.cpp against the catalog.
const char *const memoize_options[] = {"ttl", "grant", "key", "refresh", "invalidate"};

plcpp::jit::diagnostic attribute_error(const plcpp::jit::attribute &a, std::string message) {
  plcpp::jit::diagnostic d;
  d.in_body = true;
  d.line = a.line;
  d.column = a.column;
  d.message = std::move(message);
  return d;
}

// key = "a, b": argument names (or $1, $2 for unnamed ones) -> argument indices.
bool parse_key(const plcpp::jit::attribute &a, const std::string &list, const build_input &in,
               std::vector<int> &indices) {
  std::string names;
  for (int i = 0; i < in.nargs; ++i)
    names += (i ? ", " : "") +
             (in.arg_names[i][0] ? std::string(in.arg_names[i]) : "$" + std::to_string(i + 1));
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(pos, comma - pos);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    int found = -1;
    for (int i = 0; i < in.nargs && found < 0; ++i)
      if (item == in.arg_names[i] || item == "$" + std::to_string(i + 1)) found = i;
    if (found < 0) {
      report.diagnostics.push_back(
          attribute_error(a, "plcpp::memoize(key = \"" + list + "\"): \"" + item +
                                 "\" is not an argument of the function (arguments: " +
                                 (names.empty() ? "none" : names) + ")"));
      return false;
    }
    for (int k : indices)
      if (k == found) {
        report.diagnostics.push_back(attribute_error(a, "plcpp::memoize(key = \"" + list +
                                                            "\") names \"" + item + "\" twice"));
        return false;
      }
    indices.push_back(found);
    pos = comma + 1;
  }
  return true;
}

bool check_memoize(const plcpp::jit::attribute &a, const build_input &in) {
  if (in.kind != build_kind::set_returning) {
    report.diagnostics.push_back(attribute_error(
        a, "plcpp::memoize needs a set-returning function (RETURNS SETOF ... or RETURNS TABLE "
           "(...)) whose body returns sql(...)"));
    memcpy(report.sqlstate, "42P13", 6);
    return false;
  }
  if (!in.is_volatile) {
    report.diagnostics.push_back(
        attribute_error(a, "plcpp::memoize needs a VOLATILE function: its first call with a new "
                           "key creates a materialized view"));
    memcpy(report.sqlstate, "42P13", 6);
    return false;
  }
  memo.on = true;
  memo.line = a.line;
  memo.column = a.column;
  for (int i = 0; i < in.nargs; ++i)
    memo.key_args.push_back(i);
  for (const auto &o : a.options) {
    bool known = false;
    for (const char *k : memoize_options)
      known = known || o.name == k;
    if (!known) {
      report.diagnostics.push_back(
          attribute_error(a, "unknown option \"" + o.name +
                                 "\" of plcpp::memoize (options: ttl, grant, key, refresh, "
                                 "invalidate)"));
      return false;
    }
    if (o.name == "key") {
      memo.key_args.clear();
      if (!parse_key(a, o.value, in, memo.key_args)) return false;
    } else if (o.name == "refresh") {
      if (o.value != "concurrently" && o.value != "exclusive") {
        report.diagnostics.push_back(attribute_error(
            a, "plcpp::memoize(refresh = \"" + o.value +
                   "\"): expected \"exclusive\" (the default) or \"concurrently\""));
        return false;
      }
      memo.refresh_concurrently = o.value == "concurrently";
    } else if (o.name == "invalidate") {
      if (o.value != "never" && o.value != "on_change") {
        report.diagnostics.push_back(
            attribute_error(a, "plcpp::memoize(invalidate = \"" + o.value +
                                   "\"): expected \"never\" (the default) or \"on_change\""));
        return false;
      }
      memo.on_change = o.value == "on_change";
    } else if (o.name == "ttl") {
      memo.ttl = o.value;
    } else if (o.name == "grant") {
      memo.grant = o.value;
    }
  }
  return true;
}

// [[plcpp::result_cache]] (DESIGN §3): on a function that returns one value and does not
// change the database, so that its result depends only on its arguments and what it reads.
bool check_result_cache(const plcpp::jit::attribute &a, const build_input &in) {
  auto refuse = [&](const std::string &message, const char *sqlstate) {
    report.diagnostics.push_back(attribute_error(a, message));
    memcpy(report.sqlstate, sqlstate, 6);
    return false;
  };
  if (in.kind != build_kind::scalar)
    return refuse(
        "plcpp::result_cache needs a function that returns one value (not a set-returning "
        "or trigger function); set-returning functions can use plcpp::memoize",
        "42P13");
  if (in.is_volatile)
    return refuse("plcpp::result_cache needs a STABLE or IMMUTABLE function: the result of a "
                  "VOLATILE one may change between calls with the same arguments",
                  "42P13");
  if (in.result_type == 0 && !in.out_row)
    return refuse("plcpp::result_cache needs a function that returns a value (not void)", "42P13");
  if (in.result_type == 2249 && !in.out_row) // RECORDOID
    return refuse("plcpp::result_cache cannot cache an anonymous record (RETURNS record): its "
                  "row type is the caller's column definition list; declare OUT parameters or "
                  "return a named composite type",
                  "42P13");
  if (memo.on) return refuse("plcpp::result_cache and plcpp::memoize cannot be combined", "42P13");
  result_cache.on = true;
  result_cache.line = a.line;
  result_cache.column = a.column;
  for (const auto &o : a.options) {
    if (o.name != "relies_on") {
      report.diagnostics.push_back(attribute_error(
          a, "unknown option \"" + o.name + "\" of plcpp::result_cache (options: relies_on)"));
      return false;
    }
    result_cache.relies_on = o.value;
  }
  return true;
}

// Attributes a function may carry; anything else is rejected at its own position rather than
// silently ignored.
bool check_attributes(const std::vector<plcpp::jit::attribute> &attrs, const build_input &in) {
  bool ok = true;
  for (const auto &a : attrs) {
    if (a.name == "memoize") {
      if (memo.on) {
        report.diagnostics.push_back(attribute_error(a, "plcpp::memoize is given twice"));
        ok = false;
      } else {
        ok = check_memoize(a, in) && ok;
      }
    } else if (a.name == "result_cache") {
      if (result_cache.on) {
        report.diagnostics.push_back(attribute_error(a, "plcpp::result_cache is given twice"));
        ok = false;
      } else {
        ok = check_result_cache(a, in) && ok;
      }
    } else {
      report.diagnostics.push_back(
          attribute_error(a, "unknown attribute plcpp::" + a.name +
                                 " (known attributes: plcpp::memoize, plcpp::result_cache)"));
      ok = false;
    }
  }
  return ok;
}

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
  default:
    return plcpp::jit::text_form_type(oid);
  }
}

plcpp::jit::function_spec make_spec(const build_input &in) {
  plcpp::jit::function_spec spec;
  spec.name = in.name;
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
  plan.include_dir = in.include_dir;
  plan.compiler_library = in.compiler_library;
  plan.opt_level = in.opt_level;
  plan.interrupt_checks = in.interrupt_checks;
  return true;
}

bool load_object(std::string_view object, build_output &out) {
  llvm_guard guard;
  auto loaded = plcpp::jit::load(object, plan.module_name);
  if (!loaded) {
    fail("XX000", "loading the compiled function failed: " + llvm::toString(loaded.takeError()));
    report.hint = "A body can call what the server process has: the plcpp runtime API, the C++ "
                  "standard library and the C library. After installing a new plcpp into a "
                  "server that preloads it, restart the server.";
    return false;
  }
  out.code = loaded->handle;
  out.entry = reinterpret_cast<plcpp::detail::entry_fn>(loaded->entry);
  out.link_ms = loaded->link_ms;
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
  auto found = plcpp::jit::cache::find(plan.cache_dir, u.key);
  if (found.status == plcpp::jit::cache::lookup_status::damaged)
    report.cache_problem = "removed damaged compiled-code cache file for " + plan.function +
                           " (key " + u.key + "): " + found.problem;
  if (found.status != plcpp::jit::cache::lookup_status::hit) return false;
  if (!load_object(found.object, out)) {
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

// One run of the compiler, in a compile process of its own (compile_process.h), for a backend
// or the optimizer worker. False if it produced no result: report says why (a crash, a limit,
// a pending cancel), and `end` tells the worker whether to quarantine the job.
struct compile_run {
  plcpp::jit::compile_result result;
  double ms = 0; // wall time, including a PCH build and the process's start
  compile_end end = compile_end::not_started;
  std::string output; // the process's stderr (LLVM's messages), bounded
};

// What the compile process runs (it is a fork of this process: `job` is in its memory).
struct child_job {
  const char *library;
  plcpp::jit::compile_request request;
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

[[noreturn]] void child_out_of_memory() {
  static const char message[] = "plcpp compile process: out of memory\n";
  (void)!::write(2, message, sizeof message - 1);
  ::_exit(compile_child_out_of_memory);
}

// In the compile process only: nothing here returns into the backend.
int compile_child(void *arg, int output_fd) noexcept {
  std::set_new_handler(child_out_of_memory);
  try {
    auto &job = *static_cast<child_job *>(arg);
    job.request.options.temp_tag = std::to_string(::getpid()); // what the parent removes
    auto compile = compiler_entry(job.library);
    if (!compile) {
      std::string line = report.summary + "\n";
      (void)write_all(2, line);
      return 3;
    }
    plcpp::jit::compile_result result;
    compile(&job.request, &result);
    return write_all(output_fd, plcpp::jit::wire::encode(result)) ? 0 : 4;
  } catch (const std::bad_alloc &) {
    return compile_child_out_of_memory;
  } catch (...) {
    return 5;
  }
}

// The whole content of a memfd the compile process wrote (at most `limit` bytes, its end).
std::string read_back(int fd, std::size_t limit) {
  std::string bytes;
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0) return bytes;
  off_t from = static_cast<std::size_t>(size) > limit ? size - static_cast<off_t>(limit) : 0;
  bytes.resize(static_cast<std::size_t>(size - from));
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::pread(fd, bytes.data() + got, bytes.size() - got, from + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

// Temporary files a killed compile process left: ours end in ".tmp.<its pid>" (compiler.h);
// Clang's own, next to them, in ".<its pid>.tmp" ("<output>-XXXXXXXX.<pid>.tmp").
void remove_leftovers(const std::string &dir, int pid) {
  auto ends_with = [](std::string_view name, const std::string &suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  std::string ours = ".tmp." + std::to_string(pid), clangs = "." + std::to_string(pid) + ".tmp";
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (ends_with(name, ours) || ends_with(name, clangs))
        ::unlink((dir + "/" + std::string(name)).c_str());
    }
    ::closedir(d);
  }
}

std::string signal_name(int sig) {
  const char *name = sigabbrev_np(sig);
  const char *text = sigdescr_np(sig);
  return "signal " + std::to_string(sig) + (name ? std::string(" (SIG") + name + ": " : " (") +
         (text ? text : "unknown") + ")";
}

// Sets report from a compile process that gave no result.
void report_outcome(const compile_outcome &o, const compile_limits &limits,
                    const std::string &function, const std::string &output) {
  std::string what = function.empty() ? std::string("a PL/C++ body") : function;
  std::string last = output.empty() ? "" : "\nIts last output:\n" + output;
  switch (o.end) {
  case compile_end::finished:
    fail("XX000", "the PL/C++ compile process for " + what + " ended without a whole result");
    report.detail = "It exited with status 0." + last;
    break;
  case compile_end::cancelled:
    fail("57014", "compiling " + what + " was canceled");
    break;
  case compile_end::timed_out:
    fail("57014", "compiling " + what + " took longer than plcpp.compile_timeout (" +
                      std::to_string(limits.timeout_ms) + " ms)");
    report.detail = "The compile process was stopped." + last;
    report.hint = "Simplify the body, or raise plcpp.compile_timeout.";
    break;
  case compile_end::out_of_memory:
    fail("53200", "compiling " + what + " needed more memory than plcpp.compile_memory_limit (" +
                      std::to_string(limits.memory_limit_kb) + " kB)");
    report.detail = "The compile process ran out of memory and was stopped." + last;
    report.hint = "Simplify the body, or raise plcpp.compile_memory_limit.";
    break;
  case compile_end::crashed:
    fail("XX000", "the PL/C++ compiler crashed while compiling " + what);
    report.detail = "The compile process died of " + signal_name(o.signal) +
                    "; the server and this session are not affected." + last;
    report.hint = "This is a bug in Clang or plcpp that this body triggers; please report it "
                  "with the body.";
    break;
  case compile_end::exited:
    fail("XX000", "the PL/C++ compiler failed while compiling " + what);
    report.detail = "The compile process exited with status " + std::to_string(o.exit_status) +
                    "; the server and this session are not affected." + last;
    report.hint = "LLVM stops on some errors it finds after parsing (for example in inline "
                  "assembly); the output above says what it found.";
    break;
  case compile_end::not_started:
    fail("58000", std::string("could not run the PL/C++ compiler: ") + o.problem);
    break;
  }
}

bool run_compiler(const std::string &library, const std::string &source,
                  const std::string &module_name, const std::string &include_dir,
                  const std::string &cache_dir, int opt_level, bool interrupt_checks,
                  const std::string &function, compile_run &run) {
  child_job job{library.c_str(), {}};
  job.request.source = source;
  job.request.module_name = module_name;
  job.request.options.include_dir = include_dir;
  job.request.options.pch_dir = cache_dir;
  job.request.options.opt_level = opt_level;
  job.request.options.interrupt_checks = interrupt_checks;
  compile_limits limits = compile_process_limits();
  compile_outcome o = compile_process_run(compile_child, &job, limits);
  run.ms = o.ms;
  run.end = o.end;
  std::string result;
  if (o.output_fd >= 0) result = read_back(o.output_fd, SIZE_MAX);
  if (o.stderr_fd >= 0) run.output = read_back(o.stderr_fd, 2000);
  while (!run.output.empty() && run.output.back() == '\n')
    run.output.pop_back();
  if (o.output_fd >= 0) ::close(o.output_fd);
  if (o.stderr_fd >= 0) ::close(o.stderr_fd);
  if (o.end != compile_end::finished && o.pid > 0) remove_leftovers(cache_dir, o.pid);
  if (o.end == compile_end::finished && plcpp::jit::wire::decode(result, run.result)) {
    if (!run.result.pch_problem.empty()) {
      report.pch_problem = run.result.pch_problem;
      if (!run.output.empty()) report.pch_problem += ": " + run.output;
    }
    return true;
  }
  report_outcome(o, limits, function, run.output);
  return false;
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
  for (auto &d : compiled.diagnostics)
    (d.level == plcpp::jit::diagnostic::severity::warning ? report.warnings : report.diagnostics)
        .push_back(d);
  if (!compiled.ok) {
    if (report.diagnostics.empty()) fail("XX000", "compilation failed without a diagnostic");
    return false;
  }

  auto info = describe_object(u.key, plan.function, run, opt_level, report.warnings);
  if (!plcpp::jit::cache::store(plan.cache_dir, compiled.object, info, report.cache_problem))
    report.cache_unwritable = true;
  return load_object(compiled.object, out);
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
  std::string error;
  if (!plcpp::jit::cache::store(cache_dir, compiled.object, info, error)) {
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
    llvm_guard guard;
    llvm::consumeError(plcpp::jit::prepare());
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
  if (!code) return;
  try {
    llvm_guard guard;
    llvm::consumeError(plcpp::jit::unload(code));
  } catch (...) {
    // Unloading is best effort: at worst the code stays mapped.
  }
}
