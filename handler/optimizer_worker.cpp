// handler/optimizer_worker.cpp — the background worker of tiered compilation: builds the
// queued units (jit/optimize_queue.h) at -O2 into the object cache, one at a time, then
// exits.
//
// Backends start one after an -O0 compile queued a job (a dynamic background worker: no
// shared_preload_libraries needed), unless one is at work: the worker holds an flock on
// jobs/.lock while it works, and a backend that finds it held starts none, so at most one
// worker (one max_worker_processes slot) compiles at a time. A worker that cannot take the
// lock at once exits (two backends may both have started one). A worker works until the
// queue is empty, then releases the lock and looks once more: a job queued while it was
// releasing (whose backend saw the lock held) is still seen. If no worker could be started
// at all, the next session that loads the -O0 object queues the job again and starts one.
//
// Each job compiles in a compile process (compile_process.h) bounded by plcpp.compile_timeout
// and plcpp.compile_memory_limit; a job that fails, crashes or runs out of a limit is
// quarantined (jobs/quarantine/, with its reason, and a LOG line), never replayed. On SIGTERM
// (pg_ctl stop -m fast) the compile process is killed at once and the job stays queued.
// The worker runs no SQL: it reads job files and writes the object cache, as the server's OS
// user.
#include "plcpp.h"

#include "build.h"
#include "../jit/optimize_queue.h"

#include <fcntl.h>
#include <cerrno>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
}

extern "C" PGDLLEXPORT void plcpp_optimizer_main(Datum);

namespace {

// The queue's lock file, opened (-1 with errno set if it cannot be).
int open_lock() noexcept {
  std::string path = plcpp::jit::optimize_queue::lock_path(plcpp_cache_dir);
  if (path.empty()) {
    errno = ENOMEM;
    return -1;
  }
  return open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

} // namespace

void plcpp_start_optimizer(void) {
  int fd = open_lock();
  if (fd >= 0) {
    bool busy = flock(fd, LOCK_EX | LOCK_NB) != 0; // a worker is at work: it will see the job
    close(fd);                                     // (releases the lock if we took it)
    if (busy) return;
  }
  BackgroundWorker worker;
  memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
  worker.bgw_start_time = BgWorkerStart_ConsistentState;
  worker.bgw_restart_time = BGW_NEVER_RESTART;
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "plcpp");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "plcpp_optimizer_main");
  snprintf(worker.bgw_name, BGW_MAXLEN, "plcpp optimizer");
  snprintf(worker.bgw_type, BGW_MAXLEN, "plcpp optimizer");
  if (!RegisterDynamicBackgroundWorker(&worker, nullptr))
    elog(DEBUG1, "plcpp: no background worker slot for the optimizer; a later session will "
                 "start it (max_worker_processes)");
}

void plcpp_optimizer_main(Datum) {
  pqsignal(SIGTERM, die);
  BackgroundWorkerUnblockSignals();
  // Background work: leave the CPU to the sessions when they want it.
  (void)setpriority(PRIO_PROCESS, 0, 10);

  // Only plain data lives across CHECK_FOR_INTERRUPTS (which may end the process).
  int fd = open_lock();
  if (fd < 0) {
    elog(LOG, "plcpp optimizer: could not open the lock file in \"%s/jobs\": %m", plcpp_cache_dir);
    proc_exit(1);
  }
  // Another worker is at it: it will see our jobs, so this one leaves its slot at once.
  while (flock(fd, LOCK_EX | LOCK_NB) == 0) {
    optimize_step step = optimize_step::done;
    while (step != optimize_step::idle && step != optimize_step::stopped) {
      CHECK_FOR_INTERRUPTS();
      std::string message; // elog(LOG/DEBUG1) returns, so it is always destroyed
      step = build_optimize_next(plcpp_cache_dir, message);
      if (step != optimize_step::idle)
        elog(step == optimize_step::done ? DEBUG1 : LOG, "plcpp optimizer: %s", message.c_str());
    }
    CHECK_FOR_INTERRUPTS(); // a stop (SIGTERM) that ended a compile ends the worker here
    (void)flock(fd, LOCK_UN);
    if (step == optimize_step::stopped || !build_optimize_pending(plcpp_cache_dir)) break;
  }
  close(fd);
  proc_exit(0);
}
