// jit/optimize_queue.cpp — see optimize_queue.h.
#include "optimize_queue.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace plcpp::jit::optimize_queue {
namespace {

constexpr const char *header = "plcpp optimize job 1";

std::string jobs_dir(const std::string &cache_dir) {
  return cache_dir + "/jobs";
}

bool make_dirs(const std::string &cache_dir, std::string &error) {
  for (const std::string &d : {cache_dir, jobs_dir(cache_dir)})
    if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) {
      error = "could not create directory \"" + d + "\": " + strerror(errno);
      return false;
    }
  return true;
}

// One field per line (none holds a newline: keys, paths, a signature, numbers), then the
// source up to the end of the file.
std::string encode(const job &j) {
  std::ostringstream out;
  out << header << "\n"
      << j.key << "\n"
      << j.unoptimized << "\n"
      << j.function << "\n"
      << j.module_name << "\n"
      << j.include_dir << "\n"
      << j.compiler_library << "\n"
      << j.opt_level << "\n"
      << (j.interrupt_checks ? 1 : 0) << "\n"
      << j.source;
  return out.str();
}

std::optional<job> decode(const std::string &text) {
  std::istringstream in(text);
  std::string line, opt, checks;
  job j;
  if (!std::getline(in, line) || line != header) return std::nullopt;
  for (std::string *field : {&j.key, &j.unoptimized, &j.function, &j.module_name, &j.include_dir,
                             &j.compiler_library, &opt, &checks})
    if (!std::getline(in, *field)) return std::nullopt;
  if (j.key.empty() || opt.size() != 1 || opt[0] < '0' || opt[0] > '3') return std::nullopt;
  j.opt_level = opt[0] - '0';
  j.interrupt_checks = checks == "1";
  std::ostringstream rest;
  rest << in.rdbuf();
  j.source = rest.str();
  return j;
}

} // namespace

bool push(const std::string &cache_dir, const job &j, std::string &error) noexcept {
  try {
    if (!make_dirs(cache_dir, error)) return false;
    // A quarantined job is never queued again (a session that loads the -O0 object would).
    if (::access((jobs_dir(cache_dir) + "/quarantine/" + j.key + ".job").c_str(), F_OK) == 0) {
      error = "its optimized build is quarantined";
      return false;
    }
    std::string path = jobs_dir(cache_dir) + "/" + j.key + ".job";
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    std::string bytes = encode(j);
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out.flush()) {
        error = "could not write file \"" + tmp + "\": " + strerror(errno);
        ::unlink(tmp.c_str());
        return false;
      }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      error = "could not rename file \"" + tmp + "\": " + strerror(errno);
      ::unlink(tmp.c_str());
      return false;
    }
    return true;
  } catch (...) {
    error = "out of memory";
    return false;
  }
}

std::optional<job> next(const std::string &cache_dir) noexcept {
  try {
    std::string dir = jobs_dir(cache_dir);
    DIR *d = ::opendir(dir.c_str());
    if (!d) return std::nullopt;
    std::optional<job> found;
    while (dirent *e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.size() <= 4 || name.compare(name.size() - 4, 4, ".job") != 0) continue;
      std::ifstream in(dir + "/" + name, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      found = decode(text.str());
      if (found && found->key + ".job" == name) break;
      ::unlink((dir + "/" + name).c_str()); // not a job of this format: never retried
      found.reset();
    }
    ::closedir(d);
    return found;
  } catch (...) {
    return std::nullopt;
  }
}

void remove(const std::string &cache_dir, const std::string &key) noexcept {
  try {
    ::unlink((jobs_dir(cache_dir) + "/" + key + ".job").c_str());
  } catch (...) {
  }
}

void quarantine(const std::string &cache_dir, const std::string &key,
                const std::string &reason) noexcept {
  try {
    std::string dir = jobs_dir(cache_dir) + "/quarantine";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      remove(cache_dir, key); // no room for it: at least it is never replayed
      return;
    }
    if (::rename((jobs_dir(cache_dir) + "/" + key + ".job").c_str(),
                 (dir + "/" + key + ".job").c_str()) != 0)
      remove(cache_dir, key);
    std::ofstream out(dir + "/" + key + ".reason", std::ios::binary | std::ios::trunc);
    out << reason << "\n";
  } catch (...) {
    remove(cache_dir, key);
  }
}

bool writable(const std::string &cache_dir) noexcept {
  try {
    std::string error;
    return make_dirs(cache_dir, error) && ::access(jobs_dir(cache_dir).c_str(), W_OK) == 0;
  } catch (...) {
    return false;
  }
}

std::string lock_path(const std::string &cache_dir) noexcept {
  try {
    std::string error;
    make_dirs(cache_dir, error);
    return jobs_dir(cache_dir) + "/.lock";
  } catch (...) {
    return {};
  }
}

} // namespace plcpp::jit::optimize_queue
