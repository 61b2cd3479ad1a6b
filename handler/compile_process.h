// handler/compile_process.h — runs the compiler in a child process that the server can lose
// without noticing (issue 16, DESIGN §5 rule 5).
//
// Clang and LLVM in a backend changed its signal handlers (a PCH build installs LLVM's
// handlers for SIGUSR1, SIGQUIT, ...: parallel query, NOTIFY and barriers broke), and a Clang
// crash, exit(), hang or memory blow-up became the server's. So every compile runs in a child
// forked by the backend (or the optimizer worker) for that compile:
//   - the child leaves the backend's process group, resets every signal to its default,
//     unblocks them all, dies with its parent (PR_SET_PDEATHSIG), forgets the backend's
//     exit callbacks (on_exit_reset: an exit() inside LLVM must not run proc_exit's shared
//     memory cleanup for the parent's PGPROC), dumps no core, and is bounded by RLIMIT_AS
//     (plcpp.compile_memory_limit over what it inherited) and RLIMIT_CPU;
//   - it writes its result to a memfd and its stderr (LLVM's fatal messages) to another,
//     so nothing it prints reaches the server log and no pipe can fill up and block it;
//   - the parent waits on a pipe the child holds open (EOF = the child is gone) with
//     WaitLatchOrSocket, so cancel, statement_timeout and terminate are seen at once: the
//     child is SIGKILLed and reaped, and the interrupt stays pending for the caller's
//     CHECK_FOR_INTERRUPTS to report as PostgreSQL always does.
// The backend's own signal dispositions, mask and threads are never touched.
//
// Plain data only: compile_process_run() is noexcept, never ereports, and may be called from
// C++ frames with live destructors (handler/compile_run.cpp).
#pragma once

#include <cstdint>

// What the child runs: returns its exit status (0 = it wrote a whole result to output_fd).
using compile_child_main = int (*)(void *arg, int output_fd) noexcept;

// Exit status of a child that ran out of memory (its new-handler and LLVM's bad-alloc
// handler exit with it, after writing why to stderr).
inline constexpr int compile_child_out_of_memory = 99;
// Exit status of a child in which a library called exit() (the code it gave is lost).
inline constexpr int compile_child_called_exit = 71;
// Exit status of a child that could not load the compiler library (its message on stderr).
inline constexpr int compile_child_no_compiler = 72;

struct compile_limits {
  int timeout_ms = 0;               // 0: none (statement_timeout and cancel still apply)
  std::int64_t memory_limit_kb = 0; // address space the child may add; 0: none
};

enum class compile_end {
  finished,      // exited with status 0
  exited,        // exited with another status (exit_status)
  crashed,       // killed by a signal it raised itself (signal)
  out_of_memory, // over plcpp.compile_memory_limit
  timed_out,     // over plcpp.compile_timeout (killed)
  cancelled,     // a cancel or terminate is pending in this process (killed); not reported here
  not_started,   // fork() or set-up failed (problem)
};

struct compile_outcome {
  compile_end end = compile_end::not_started;
  int pid = 0;
  int exit_status = 0;
  int signal = 0;
  double ms = 0;      // wall time from fork to reaping
  int output_fd = -1; // memfd holding what the child wrote to output_fd (caller closes)
  int stderr_fd = -1; // memfd holding the child's stderr and stdout (caller closes)
  char problem[256] = "";
};

compile_outcome compile_process_run(compile_child_main main, void *arg,
                                    const compile_limits &limits) noexcept;

// The plcpp.compile_timeout / plcpp.compile_memory_limit settings of this process.
compile_limits compile_process_limits() noexcept;
