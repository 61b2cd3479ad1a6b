// handler/compile_process.cpp — see compile_process.h.
//
// Only plain data lives in these frames; the one PostgreSQL call that could raise
// (WaitLatchOrSocket, on an epoll failure) runs inside PG_TRY and its error becomes data.
#include "compile_process.h"

#include "plcpp.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procsignal.h"
#include "utils/ps_status.h"
#include "utils/timestamp.h"
}

namespace {

// Would CHECK_FOR_INTERRUPTS() in the caller act on a pending interrupt? Then the compile is
// pointless: the caller will raise the cancel (57014) or end the session.
bool interrupt_to_honour() noexcept {
  if (!InterruptPending || InterruptHoldoffCount != 0 || CritSectionCount != 0) return false;
  return ProcDiePending || (QueryCancelPending && QueryCancelHoldoffCount == 0);
}

// The child's address space when it starts, in kB (RLIMIT_AS counts what it inherited).
std::int64_t inherited_vm_kb() noexcept {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long pages = 0;
  if (fscanf(f, "%lu", &pages) != 1) pages = 0;
  fclose(f);
  return static_cast<std::int64_t>(pages) * (sysconf(_SC_PAGESIZE) / 1024);
}

// In the child, between fork() and the compile: from here on it shares nothing with the
// server that the server could notice losing.
[[noreturn]] void run_child(compile_child_main main, void *arg, const compile_limits &limits,
                            pid_t parent, int alive_fd, int output_fd, int stderr_fd) noexcept {
  // A library that calls exit() (LLVM does, on some errors) must not run the backend's
  // proc_exit callbacks here: they would release the parent's locks and PGPROC.
  on_exit_reset();
  // (It also forgets DSM detach actions and refcounts.) And exit() leaves at once: a handler
  // registered here runs before PostgreSQL's own atexit callback and before the libraries'
  // static destructors, none of which has anything to do in this process.
  (void)atexit([] { _exit(compile_child_called_exit); });
  (void)setpgid(0, 0); // no signals meant for the backend's process group (pg_signal_backend)
  set_ps_display("plcpp compile"); // ps shows it under the backend's own title
  (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1); // the parent died before the line above

  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) (void)signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  (void)sigprocmask(SIG_SETMASK, &none, nullptr);

  struct rlimit no_core = {0, 0};
  (void)setrlimit(RLIMIT_CORE, &no_core); // a crashing Clang must not fill the data directory
  if (limits.memory_limit_kb > 0) {
    rlim_t bytes = static_cast<rlim_t>(inherited_vm_kb() + limits.memory_limit_kb) * 1024;
    struct rlimit as = {bytes, bytes};
    (void)setrlimit(RLIMIT_AS, &as);
  }
  if (limits.timeout_ms > 0) { // the parent kills it on time; this is the backstop
    rlim_t seconds = static_cast<rlim_t>(limits.timeout_ms / 1000 + 2);
    struct rlimit cpu = {seconds, seconds + 1};
    (void)setrlimit(RLIMIT_CPU, &cpu);
  }

  // fds: 0 /dev/null, 1 and 2 the stderr memfd, 3 the output memfd, 4 the pipe's write end
  // (held until exit: its EOF tells the parent), nothing else of the backend's.
  // The sources are first copied above 9, so that no dup2 below overwrites one that a later
  // dup2 reads (the pipe may well be fd 3 or 4 in a backend).
  int null_fd = open("/dev/null", O_RDONLY);
  int null_hi = null_fd < 0 ? -1 : fcntl(null_fd, F_DUPFD, 10);
  int err_hi = fcntl(stderr_fd, F_DUPFD, 10);
  int out_hi = fcntl(output_fd, F_DUPFD, 10);
  int alive_hi = fcntl(alive_fd, F_DUPFD, 10);
  if (null_hi < 0 || err_hi < 0 || out_hi < 0 || alive_hi < 0 || dup2(null_hi, 0) < 0 ||
      dup2(err_hi, 1) < 0 || dup2(err_hi, 2) < 0 || dup2(out_hi, 3) < 0 || dup2(alive_hi, 4) < 0)
    _exit(1);
  for (int fd : {0, 1, 2, 3, 4})
    (void)fcntl(fd, F_SETFD, 0); // keep across the exec of a linker, if any
  if (syscall(SYS_close_range, 5U, ~0U, 0U) != 0) {
    for (int fd = 5; fd < 1024; ++fd)
      (void)close(fd);
  }
  _exit(main(arg, 3));
}

int make_memfd(const char *name) noexcept {
  return memfd_create(name, MFD_CLOEXEC);
}

void close_fd(int &fd) noexcept {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Waits for the child to close its end of `alive_fd` (it exits), for an interrupt, or for the
// timeout. Returns the end it saw (finished = EOF). Never raises.
compile_end wait_for_child(int alive_fd, int timeout_ms, char *problem,
                           size_t problem_size) noexcept {
  volatile compile_end end = compile_end::finished;
  TimestampTz start = GetCurrentTimestamp();
  MemoryContext context = CurrentMemoryContext;
  PG_TRY();
  {
    for (;;) {
      long wait_ms = -1;
      int events = WL_LATCH_SET | WL_SOCKET_READABLE | WL_EXIT_ON_PM_DEATH;
      if (timeout_ms > 0) {
        long elapsed = static_cast<long>((GetCurrentTimestamp() - start) / 1000);
        if (elapsed >= timeout_ms) {
          end = compile_end::timed_out;
          break;
        }
        wait_ms = timeout_ms - elapsed;
        events |= WL_TIMEOUT;
      }
      int rc = WaitLatchOrSocket(MyLatch, events, alive_fd, wait_ms, PG_WAIT_EXTENSION);
      if (rc & WL_LATCH_SET) ResetLatch(MyLatch);
      if (interrupt_to_honour()) {
        end = compile_end::cancelled;
        break;
      }
      // Other interrupts that must not wait for a compile (an error they raise is caught
      // below and becomes this compile's error).
      if (ProcSignalBarrierPending) ProcessProcSignalBarrier();
      if (LogMemoryContextPending) ProcessLogMemoryContextInterrupt();
      if (rc & WL_SOCKET_READABLE) {
        char buf[64];
        ssize_t n = read(alive_fd, buf, sizeof buf);
        if (n == 0) break; // EOF: the child has exited (or closed everything and is exiting)
        if (n < 0 && errno != EINTR && errno != EAGAIN) {
          snprintf(problem, problem_size, "reading from the compile process failed: %s",
                   strerror(errno));
          end = compile_end::not_started; // the child is killed, not waited for
          break;
        }
      }
    }
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(context);
    ErrorData *error = CopyErrorData();
    FlushErrorState();
    snprintf(problem, problem_size, "waiting for the compile process failed: %s",
             error->message ? error->message : "unknown error");
    FreeErrorData(error);
    end = compile_end::not_started;
  }
  PG_END_TRY();
  return end;
}

} // namespace

compile_outcome compile_process_run(compile_child_main main, void *arg,
                                    const compile_limits &limits) noexcept {
  compile_outcome out;
  int alive[2] = {-1, -1};
  out.output_fd = make_memfd("plcpp-compile-output");
  out.stderr_fd = make_memfd("plcpp-compile-stderr");
  if (out.output_fd < 0 || out.stderr_fd < 0 || pipe2(alive, O_CLOEXEC) != 0) {
    snprintf(out.problem, sizeof out.problem, "could not create the compile process's files: %s",
             strerror(errno));
    close_fd(out.output_fd);
    close_fd(out.stderr_fd);
    close_fd(alive[0]);
    close_fd(alive[1]);
    return out;
  }
  // As PostgreSQL's fork_process(): nothing buffered may be written twice.
  fflush(stdout);
  fflush(stderr);
  TimestampTz start = GetCurrentTimestamp();
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) run_child(main, arg, limits, parent, alive[1], out.output_fd, out.stderr_fd);
  close_fd(alive[1]);
  if (pid < 0) {
    snprintf(out.problem, sizeof out.problem, "could not fork the compile process: %s",
             strerror(errno));
    close_fd(alive[0]);
    close_fd(out.output_fd);
    close_fd(out.stderr_fd);
    return out;
  }
  out.pid = pid;
  // Its own process group (set here too, so that it holds before the kill below whatever the
  // child has done yet): the kill reaches the PCH builder it may have forked as well.
  (void)setpgid(pid, pid);
  (void)fcntl(alive[0], F_SETFL, O_NONBLOCK);

  compile_end waited = wait_for_child(alive[0], limits.timeout_ms, out.problem, sizeof out.problem);
  if (waited != compile_end::finished) (void)kill(-pid, SIGKILL);
  close_fd(alive[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.ms = static_cast<double>(GetCurrentTimestamp() - start) / 1000.0;

  if (waited != compile_end::finished) {
    out.end = waited;
  } else if (WIFEXITED(status)) {
    out.exit_status = WEXITSTATUS(status);
    out.end = out.exit_status == 0                             ? compile_end::finished
              : out.exit_status == compile_child_out_of_memory ? compile_end::out_of_memory
                                                               : compile_end::exited;
  } else if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
    // RLIMIT_CPU is the time limit's backstop.
    out.end = out.signal == SIGXCPU ? compile_end::timed_out : compile_end::crashed;
  } else {
    out.end = compile_end::crashed;
  }
  return out;
}

compile_limits compile_process_limits() noexcept {
  compile_limits l;
  l.timeout_ms = plcpp_compile_timeout;
  l.memory_limit_kb = plcpp_compile_memory_limit;
  return l;
}
