// test/unit/child_process.h — runs a piece of code in a forked child and returns the bytes it
// produced. lld links once per process (jit/link.h), so every test that links (directly or
// through the compiler) does it in a child of its own, as plcpp's compile process does.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace {

// Runs `work` in a child process and returns what it wrote before it ended, and in `status`
// how it ended (waitpid's). The child never returns into gtest: it writes and _exit()s, so
// its assertions would be lost; `work` must only compute.
inline std::string run_in_child_status(const std::function<std::string()> &work, int &status) {
  status = -1;
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return {};
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return {};
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string out = work();
    const char *p = out.data();
    size_t left = out.size();
    while (left > 0) {
      ssize_t n = ::write(fds[1], p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ::_exit(3);
      p += n;
      left -= static_cast<size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string bytes;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return bytes;
}

// The bytes `work` returned in a child process, or nullopt (with a test failure added) if the
// child died or exited without handing over its result.
inline std::optional<std::string> run_in_child(const std::function<std::string()> &work) {
  int status;
  std::string bytes = run_in_child_status(work, status);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "the child process "
                  << (WIFSIGNALED(status)
                          ? "was killed by signal " + std::to_string(WTERMSIG(status))
                          : "exited with status " + std::to_string(WEXITSTATUS(status)));
    return std::nullopt;
  }
  return bytes;
}

} // namespace
