// test/unit/shared_object_fixture.h — small shared objects shaped like the code generator's
// (jit/static_init.h): they define plcpp_entry, plcpp_init and plcpp_dso_handle, register
// their destructor through plcpp_jit_atexit, and report what they do to the test binary
// through plcpp_unit_loader_event (defined in test_loader.cpp, exported by -rdynamic), which
// the loader binds from the global scope as it binds a body's runtime calls. Built with the
// toolchain's clang++ and ld.lld, with the options of jit/link.cpp.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef PLCPP_CLANG_PATH
#error "PLCPP_CLANG_PATH must name clang++ (see test/unit/Makefile)"
#endif
#ifndef PLCPP_TEST_LLD_PATH
#error "PLCPP_TEST_LLD_PATH must name ld.lld (see test/unit/Makefile)"
#endif

// What the fixtures' code did, in order ("init", "destroy", ...).
extern std::vector<std::string> plcpp_unit_loader_events;

namespace {

// -DTHROW_IN_INIT: plcpp_init registers its destructor, then throws.
// -DNEEDS_MISSING: calls nowhere::missing_function(int), which nobody defines.
// -DNO_INIT: no plcpp_init.
// -DNESTED_LOAD: plcpp_init first calls plcpp_unit_load_nested() (test_loader.cpp), which
// loads another function's code, as a static initializer that runs SQL calling another plcpp
// function would.
// plcpp_entry(x): x * 10 + the initializer's calls + plcpp_unit_shadowed() * 1000 (its own
// definition, 2, under -Bsymbolic; the test binary defines one returning 1); throws
// std::invalid_argument("negative argument") for x < 0.
inline const char *fixture_source = R"(
#include <stdexcept>
extern "C" int plcpp_jit_atexit(void (*)(void *), void *, void *);
extern "C" void plcpp_unit_loader_event(const char *what);
extern "C" void plcpp_unit_load_nested();
namespace nowhere { int missing_function(int); }
extern "C" {
char plcpp_dso_handle;
static int init_calls;
static void destroyed(void *what) { plcpp_unit_loader_event(static_cast<const char *>(what)); }
long plcpp_unit_shadowed() { return 2; }
#ifndef NO_INIT
void plcpp_init() {
  ++init_calls;
  plcpp_unit_loader_event("init");
#ifdef NESTED_LOAD
  plcpp_unit_load_nested();
#endif
  plcpp_jit_atexit(destroyed, const_cast<char *>("destroy"), &plcpp_dso_handle);
#ifdef THROW_IN_INIT
  throw std::runtime_error("boom in a static constructor");
#endif
}
#endif
long plcpp_entry(long x) {
  if (x < 0) throw std::invalid_argument("negative argument");
#ifdef NEEDS_MISSING
  if (x == 42) return nowhere::missing_function(static_cast<int>(x));
#endif
  return x * 10 + init_calls + plcpp_unit_shadowed() * 1000;
}
}
)";

inline std::string read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline bool run(const std::string &command) {
  int status = std::system(command.c_str());
  EXPECT_EQ(status, 0) << command;
  return status == 0;
}

// Compiles the fixture with `defines` into <dir>/<name>.o (position-independent, as the code
// generator's objects); returns its path, empty on failure.
inline std::string build_fixture_object(const std::string &dir, const std::string &name,
                                        const std::string &defines) {
  std::string source = dir + "/" + name + ".cpp", object = dir + "/" + name + ".o";
  {
    std::ofstream out(source);
    out << fixture_source;
  }
  if (!run(std::string(PLCPP_CLANG_PATH) + " -std=c++20 -fPIC -O1 -c " + defines + " -o " + object +
           " " + source))
    return {};
  return object;
}

// The fixture as a shared object, linked by ld.lld with jit/link.cpp's options; returns its
// path, empty on failure.
inline std::string build_fixture(const std::string &dir, const std::string &name,
                                 const std::string &defines) {
  std::string object = build_fixture_object(dir, name, defines);
  if (object.empty()) return {};
  std::string so = dir + "/" + name + ".so";
  if (!run(std::string(PLCPP_TEST_LLD_PATH) +
           " -shared --eh-frame-hdr -Bsymbolic -z now -z relro -z noexecstack --build-id=sha1 "
           "--hash-style=gnu -o " +
           so + " " + object))
    return {};
  return so;
}

inline std::string make_fixture_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "plcpp-loader-unit-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return {};
  return pattern;
}

} // namespace
