// jit/host.cpp — see host.h. No LLVM, no PostgreSQL headers.
#include "host.h"

#include "fd_io.h"
#include "sha256.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#else
#include <sys/auxv.h>
#endif

#include <algorithm>
#include <cstdio>
#include <vector>

namespace plcpp::jit {
namespace {

std::string hex32(unsigned v) {
  char s[12];
  snprintf(s, sizeof s, "%08x", v);
  return s;
}

#if defined(__x86_64__) || defined(__i386__)
// Leaf 1's EBX holds the APIC ID of the core that ran CPUID, which differs from core to core
// and is left out; everything else identifies the model and its features.
std::string cpu_identification() {
  unsigned a, b, c, d;
  std::string s = "x86";
  if (!__get_cpuid(0, &a, &b, &c, &d)) return s;
  unsigned max_leaf = a;
  s += " vendor " + hex32(b) + hex32(d) + hex32(c);
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    s += " 1:" + hex32(a) + "." + hex32(c) + "." + hex32(d);
    if (c & (1u << 27)) { // OSXSAVE: which register states (AVX, AVX-512) the kernel enabled
      unsigned lo, hi;
      __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      s += " xcr0:" + hex32(lo);
    }
  }
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    s += " 7:" + hex32(b) + "." + hex32(c) + "." + hex32(d);
    __cpuid_count(7, 1, a, b, c, d);
    s += "." + hex32(a);
  }
  if (__get_cpuid(0x80000001, &a, &b, &c, &d)) s += " e1:" + hex32(c) + "." + hex32(d);
  return s;
}
#else
std::string cpu_identification() {
  return "hwcap " + hex32(static_cast<unsigned>(getauxval(AT_HWCAP))) + "." +
         hex32(static_cast<unsigned>(getauxval(AT_HWCAP2)));
}
#endif

} // namespace

std::string host_description() {
  struct utsname u;
  std::string machine = ::uname(&u) == 0 ? u.machine : "unknown";
  return machine + " " + cpu_identification();
}

std::string runtime_headers_hash(const std::string &include_dir) {
  std::string dir = include_dir + "/plcpp";
  std::vector<std::string> headers;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (struct dirent *e = ::readdir(d))
      if (e->d_name[0] != '.') headers.push_back(dir + "/" + e->d_name);
    ::closedir(d);
  }
  std::sort(headers.begin(), headers.end());
  // checksum64 (8 bytes a step) rather than SHA-256: every backend hashes the headers (about
  // 150 kB) before its first call of a plcpp function without preload, and this takes 0.15 ms
  // where SHA-256 took 0.8; it only has to notice headers that changed, not resist anyone.
  std::uint64_t h = 0;
  for (const auto &path : headers) {
    std::string content;
    read_file(path, content);
    h = checksum64(content, checksum64(path + "\n", h));
  }
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

} // namespace plcpp::jit
