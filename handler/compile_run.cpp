// handler/compile_run.cpp — one run of the compiler (plcpp_compiler.so) in a compile process
// of its own (compile_process.h): the request in, the result read back, and a report of a run
// that gave none (a crash, a limit, a cancel), with the temporary files it left removed.
#include "build_internal.h"

#include "../jit/compile_wire.h"
#include "../jit/fd_io.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <new>

using namespace build_detail;

namespace {

// What the compile process runs (it is a fork of this process: `job` is in its memory).
struct child_job {
  const char *library;
  plcpp::jit::compile_request request;
};

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
      (void)plcpp::jit::write_all(2, line);
      return compile_child_no_compiler;
    }
    plcpp::jit::compile_result result;
    compile(&job.request, &result);
    return plcpp::jit::write_all(output_fd, plcpp::jit::wire::encode(result)) ? 0 : 4;
  } catch (const std::bad_alloc &) {
    return compile_child_out_of_memory;
  } catch (...) {
    return 5;
  }
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
    if (o.exit_status == compile_child_no_compiler) {
      fail("58P01", "could not load the PL/C++ compiler" + (output.empty() ? "" : ": " + output));
      report.hint = "Check that plcpp_compiler.so and libclang-cpp are installed as the "
                    "plcpp package installed them.";
      break;
    }
    fail("XX000", "the PL/C++ compiler failed while compiling " + what);
    report.detail =
        (o.exit_status == compile_child_called_exit
             ? std::string("A library in the compile process called exit()")
             : "The compile process exited with status " + std::to_string(o.exit_status)) +
        "; the server and this session are not affected." + last;
    report.hint = "The output above says what the compiler found.";
    break;
  case compile_end::not_started:
    fail("58000", std::string("could not run the PL/C++ compiler: ") + o.problem);
    break;
  }
}

} // namespace

namespace build_detail {

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
  // A compile process that could not load the compiler says nothing about the body: for the
  // optimizer worker it is a stop (the job stays queued), not a reason to quarantine the job.
  run.end = o.end == compile_end::exited && o.exit_status == compile_child_no_compiler
                ? compile_end::not_started
                : o.end;
  std::string result;
  // What the memfds hold (a dead child's part of it: decode() then refuses the result); of
  // stderr only its end, where Clang's last message is.
  if (o.output_fd >= 0) (void)plcpp::jit::read_tail(o.output_fd, result);
  if (o.stderr_fd >= 0) (void)plcpp::jit::read_tail(o.stderr_fd, run.output, 2000);
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

} // namespace build_detail
