// test/unit/test_host.cpp — jit/host.h: the description of this machine in the cache key
// (without LLVM) and the hash of the runtime headers.
#include "jit/host.h"

#include <gtest/gtest.h>

#include <sched.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#ifndef PLCPP_TEST_INCLUDE_DIR
#error "PLCPP_TEST_INCLUDE_DIR must name runtime/include (see test/unit/Makefile)"
#endif

namespace {

namespace fs = std::filesystem;
using plcpp::jit::host_description;
using plcpp::jit::runtime_headers_hash;

TEST(HostDescription, StartsWithTheMachineAndIsStable) {
  struct utsname u;
  ASSERT_EQ(uname(&u), 0);
  std::string d = host_description();
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d.rfind(std::string(u.machine) + " ", 0), 0u) << d;
  EXPECT_GT(d.size(), std::string(u.machine).size() + 1) << "the CPU is described too: " << d;
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(host_description(), d);
#if defined(__x86_64__)
  // CPUID: the vendor (12 bytes as 24 hex digits) and the feature leaves.
  EXPECT_NE(d.find(" x86 vendor "), std::string::npos) << d;
  EXPECT_NE(d.find(" 1:"), std::string::npos) << d;
  EXPECT_NE(d.find(" e1:"), std::string::npos) << d;
#endif
}

// Backends run on any core: the description must not depend on which one computes it (CPUID
// leaf 1 reports the APIC ID of the core that executes it, which host.cpp leaves out).
TEST(HostDescription, IsTheSameOnEveryCore) {
  cpu_set_t all;
  CPU_ZERO(&all);
  ASSERT_EQ(sched_getaffinity(0, sizeof all, &all), 0);
  std::string first;
  int cores = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &all)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) continue;
    ++cores;
    std::string d = host_description();
    if (first.empty())
      first = d;
    else
      EXPECT_EQ(d, first) << "on cpu " << cpu;
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof all, &all), 0);
  EXPECT_GE(cores, 1);
  EXPECT_EQ(host_description(), first);
}

class RuntimeHeaders : public ::testing::Test {
protected:
  std::string dir;

  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "plcpp-host-unit-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    std::error_code ec;
    fs::copy(fs::path(PLCPP_TEST_INCLUDE_DIR) / "plcpp", dir + "/plcpp",
             fs::copy_options::recursive, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }

  static std::string read(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  static void write(const std::string &path, const std::string &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
};

TEST_F(RuntimeHeaders, HashIs16HexDigitsAndStable) {
  std::string h = runtime_headers_hash(dir);
  ASSERT_EQ(h.size(), 16u);
  EXPECT_TRUE(std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  })) << h;
  EXPECT_EQ(runtime_headers_hash(dir), h);
  // The checkout's own headers hash to a value of the same form.
  EXPECT_EQ(runtime_headers_hash(PLCPP_TEST_INCLUDE_DIR).size(), 16u);
}

TEST_F(RuntimeHeaders, HashChangesWhenAHeaderChanges) {
  const std::string before = runtime_headers_hash(dir);
  const std::string header = dir + "/plcpp/config.hpp";
  const std::string text = read(header);
  ASSERT_FALSE(text.empty());

  // One byte changed, same length.
  std::string changed = text;
  changed[changed.size() / 2] ^= 0x01;
  write(header, changed);
  EXPECT_NE(runtime_headers_hash(dir), before);
  // One byte added at the end.
  write(header, text + "\n");
  EXPECT_NE(runtime_headers_hash(dir), before);
  // Emptied.
  write(header, "");
  EXPECT_NE(runtime_headers_hash(dir), before);
  // Restored: the same hash again.
  write(header, text);
  EXPECT_EQ(runtime_headers_hash(dir), before);

  // A header added, then renamed, then removed.
  write(dir + "/plcpp/extra.hpp", "#pragma once\n");
  const std::string with_extra = runtime_headers_hash(dir);
  EXPECT_NE(with_extra, before);
  fs::rename(dir + "/plcpp/extra.hpp", dir + "/plcpp/other.hpp");
  EXPECT_NE(runtime_headers_hash(dir), with_extra) << "names count, not only contents";
  EXPECT_NE(runtime_headers_hash(dir), before);
  fs::remove(dir + "/plcpp/other.hpp");
  EXPECT_EQ(runtime_headers_hash(dir), before);

  // Content moved from one header to the next does not cancel out.
  const std::string second = dir + "/plcpp/core.hpp";
  const std::string second_text = read(second);
  ASSERT_FALSE(second_text.empty());
  write(header, text + second_text.substr(0, 1));
  write(second, second_text.substr(1));
  EXPECT_NE(runtime_headers_hash(dir), before);
}

TEST_F(RuntimeHeaders, MissingDirectoryHashesAsEmpty) {
  std::string none = runtime_headers_hash(dir + "/nowhere");
  EXPECT_EQ(none.size(), 16u);
  EXPECT_EQ(runtime_headers_hash(dir + "/nowhere/else"), none) << "no headers either";
  EXPECT_NE(runtime_headers_hash(dir), none);
}

} // namespace
