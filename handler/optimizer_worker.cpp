// handler/optimizer_worker.cpp — the background worker of tiered compilation: builds the
// queued units (jit/optimize_queue.h) at -O2 into the object cache, one at a time, then
// exits.
//
// Backends start one after an -O0 compile queued a job (a dynamic background worker: no
// shared_preload_libraries needed), unless one is at work: the worker holds an flock on
// jobs/.lock while it works, and a backend that finds it held starts none, so at most one
// worker (one max_worker_processes slot) compiles at a time; a .starting marker keeps backends
// that queue at the same moment from registering one each. A worker that cannot take the lock
// within 2 s exits (the one holding it sees every job). A worker works until the
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
#include <sys/stat.h>
#include <ctime>
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

// One job, logged. Its message is the only C++ object here, and elog at LOG/DEBUG1 returns,
// so it is always destroyed; the caller's CHECK_FOR_INTERRUPTS sees no live C++ local.
optimize_step optimize_one() {
  std::string message;
  optimize_step step = build_optimize_next(plcpp_cache_dir, message);
  if (step != optimize_step::idle)
    elog(step == optimize_step::done ? DEBUG1 : LOG, "plcpp optimizer: %s", message.c_str());
  return step;
}

} // namespace

// <cache_dir>/jobs/.starting exists from the registration of a worker until it holds the
// lock, so that backends queueing at the same moment register one worker, not one each.
// Older than this, it is taken for a worker that never started (no free slot).
static const int starting_ttl_seconds = 10;

void plcpp_start_optimizer(void) {
  int fd = open_lock();
  if (fd < 0) return;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) { // a worker is at work: it will see the job
    close(fd);
    return;
  }
  char marker[MAXPGPATH];
  snprintf(marker, sizeof marker, "%s/jobs/.starting", plcpp_cache_dir);
  struct stat st;
  if (stat(marker, &st) == 0 && time(nullptr) - st.st_mtime < starting_ttl_seconds) {
    close(fd); // one is starting
    return;
  }
  int m = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (m >= 0) close(m);
  close(fd); // unlocked before the worker starts; the marker keeps other backends from
             // registering one more meanwhile
  BackgroundWorker worker;
  memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
  worker.bgw_start_time = BgWorkerStart_ConsistentState;
  worker.bgw_restart_time = BGW_NEVER_RESTART;
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "plcpp");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "plcpp_optimizer_main");
  snprintf(worker.bgw_name, BGW_MAXLEN, "plcpp optimizer");
  snprintf(worker.bgw_type, BGW_MAXLEN, "plcpp optimizer");
  bool registered = RegisterDynamicBackgroundWorker(&worker, nullptr);
  if (!registered) (void)unlink(marker);
  if (!registered)
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
  char marker[MAXPGPATH];
  snprintf(marker, sizeof marker, "%s/jobs/.starting", plcpp_cache_dir);
  // The lock may still be held for a moment by the worker before (its last look at the
  // queue); if it stays held, that worker is at work and will see every job, so this one
  // leaves its slot.
  bool locked = false;
  for (int tries = 0; tries < 20 && !(locked = flock(fd, LOCK_EX | LOCK_NB) == 0); ++tries) {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    CHECK_FOR_INTERRUPTS();
  }
  if (!locked) (void)unlink(marker); // gave up: the next backend may start a worker at once
  while (locked) {
    (void)unlink(marker); // started: later registrations see the lock instead
    optimize_step step = optimize_step::done;
    while (step != optimize_step::idle && step != optimize_step::stopped) {
      CHECK_FOR_INTERRUPTS();
      step = optimize_one();
    }
    CHECK_FOR_INTERRUPTS(); // a stop (SIGTERM) that ended a compile ends the worker here
    (void)flock(fd, LOCK_UN);
    // A job queued while we held the lock, by a backend that therefore started no worker.
    if (step == optimize_step::stopped || !build_optimize_pending(plcpp_cache_dir)) break;
    locked = flock(fd, LOCK_EX | LOCK_NB) == 0;
  }
  close(fd);
  proc_exit(0);
}
