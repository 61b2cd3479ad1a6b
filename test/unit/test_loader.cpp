// test/unit/test_loader.cpp — jit/loader.h: shared objects shaped like the code generator's
// (shared_object_fixture.h) loaded from a path, from memory and from an object cache file;
// shared per key; static initializers and destructors run once; failures (an undefined
// symbol, a throwing initializer, missing symbols, bytes that are no shared object) are
// reported and leave nothing mapped or open.
#include "jit/loader.h"
#include "jit/object_cache.h"

#include <gtest/gtest.h>

#include "shared_object_fixture.h"

#include <dirent.h>
#include <dlfcn.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

std::vector<std::string> plcpp_unit_loader_events;

// Called by the fixtures' code: bound by the loader from this binary's global scope.
extern "C" void plcpp_unit_loader_event(const char *what) {
  plcpp_unit_loader_events.push_back(what);
}

// Called by the NESTED_LOAD fixture's initializer: loads plcpp_unit_nested_path under the key
// "unit-nested".
std::string plcpp_unit_nested_path;
plcpp::jit::loaded_code plcpp_unit_nested_code;
extern "C" void plcpp_unit_load_nested() {
  std::string error;
  plcpp::jit::load("unit-nested", plcpp_unit_nested_path, "", "", "nested()",
                   plcpp_unit_nested_code, error);
}

// The fixtures define their own, which -Bsymbolic makes them call (2, not 1).
extern "C" long plcpp_unit_shadowed() {
  return 1;
}

namespace {

namespace fs = std::filesystem;
using plcpp::jit::load;
using plcpp::jit::loaded_code;
using plcpp::jit::unload;
using entry_fn = long (*)(long);
using events = std::vector<std::string>;

entry_fn entry_of(const loaded_code &code) {
  return reinterpret_cast<entry_fn>(code.entry);
}

std::string self_maps() {
  return read_bytes("/proc/self/maps");
}

int open_fds() {
  int n = 0;
  if (DIR *d = opendir("/proc/self/fd")) {
    while (readdir(d))
      ++n;
    closedir(d);
  }
  return n;
}

class Loader : public ::testing::Test {
protected:
  static inline std::string dir, basic, throwing, missing, no_init, nested_throwing;

  static void SetUpTestSuite() {
    dir = make_fixture_dir();
    if (dir.empty()) return;
    basic = build_fixture(dir, "basic", "");
    throwing = build_fixture(dir, "throwing", "-DTHROW_IN_INIT");
    missing = build_fixture(dir, "missing", "-DNEEDS_MISSING");
    no_init = build_fixture(dir, "no_init", "-DNO_INIT");
    nested_throwing = build_fixture(dir, "nested_throwing", "-DNESTED_LOAD -DTHROW_IN_INIT");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }

  void SetUp() override {
    ASSERT_FALSE(basic.empty() || throwing.empty() || missing.empty() || no_init.empty() ||
                 nested_throwing.empty())
        << "could not build the fixtures";
    plcpp_unit_loader_events.clear();
  }
};

TEST_F(Loader, LoadsFromAPathAndCallsTheEntry) {
  loaded_code code;
  std::string error;
  ASSERT_TRUE(load("unit-path", basic, "", "", "f()", code, error)) << error;
  EXPECT_TRUE(error.empty()) << error;
  ASSERT_NE(code.handle, nullptr);
  ASSERT_NE(code.entry, 0u);
  EXPECT_GE(code.link_ms, 0);
  EXPECT_EQ(plcpp_unit_loader_events, events{"init"});
  EXPECT_NE(self_maps().find(basic), std::string::npos) << "mapped from its file";
  // 4 * 10 + one initializer call + its own plcpp_unit_shadowed (2) * 1000.
  EXPECT_EQ(entry_of(code)(4), 2041);
  // RTLD_LOCAL: the code's symbols are not visible to what is loaded later.
  EXPECT_EQ(dlsym(RTLD_DEFAULT, "plcpp_entry"), nullptr);
  // An exception thrown in the code unwinds into its caller (the system unwinder).
  try {
    entry_of(code)(-1);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument &e) {
    EXPECT_STREQ(e.what(), "negative argument");
  }
  EXPECT_EQ(entry_of(code)(0), 2001) << "still callable after an exception";

  unload(code.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "destroy"}));
  EXPECT_EQ(self_maps().find(basic), std::string::npos) << "unmapped by the last unload";
}

TEST_F(Loader, SecondLoadOfAKeySharesTheCode) {
  loaded_code first, second;
  std::string error;
  ASSERT_TRUE(load("unit-shared", basic, "", "", "f()", first, error)) << error;
  // The key decides: even given the bytes of another file, the loaded code is shared.
  ASSERT_TRUE(load("unit-shared", "", read_bytes(no_init), "", "f()", second, error)) << error;
  EXPECT_EQ(second.handle, first.handle);
  EXPECT_EQ(second.entry, first.entry);
  EXPECT_EQ(second.link_ms, 0);
  EXPECT_EQ(plcpp_unit_loader_events, events{"init"}) << "the initializer runs once";
  EXPECT_EQ(entry_of(second)(0), 2001);

  // The first unload leaves the code in place for the other user.
  unload(first.handle);
  EXPECT_EQ(plcpp_unit_loader_events, events{"init"});
  EXPECT_EQ(entry_of(second)(1), 2011);
  // The last one runs the destructor, once.
  unload(second.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "destroy"}));

  // Loaded again: new static objects (the initializer's count starts afresh).
  loaded_code again;
  ASSERT_TRUE(load("unit-shared", basic, "", "", "f()", again, error)) << error;
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "destroy", "init"}));
  EXPECT_EQ(entry_of(again)(0), 2001);
  unload(again.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "destroy", "init", "destroy"}));
}

TEST_F(Loader, LoadsFromMemory) {
  const std::string image = read_bytes(basic);
  ASSERT_EQ(image.substr(0, 4), "\x7f"
                                "ELF");
  const int fds_before = open_fds();
  loaded_code a, b;
  std::string error;
  ASSERT_TRUE(load("unit-memory-a", "", image, "", "f()", a, error)) << error;
  EXPECT_NE(self_maps().find("plcpp-unit-memory-a"), std::string::npos)
      << "mapped from a memory file named after the key";
  EXPECT_EQ(entry_of(a)(3), 2031);
  // The same bytes under another key: another copy, with its own static objects.
  ASSERT_TRUE(load("unit-memory-b", "", image, "", "g()", b, error)) << error;
  EXPECT_NE(b.handle, a.handle);
  EXPECT_NE(b.entry, a.entry);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "init"}));
  EXPECT_EQ(entry_of(a)(0), 2001);
  EXPECT_EQ(entry_of(b)(0), 2001);
  EXPECT_EQ(open_fds(), fds_before + 2) << "each memory file stays open while it is mapped";

  unload(a.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "init", "destroy"}));
  EXPECT_EQ(entry_of(b)(2), 2021);
  unload(b.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "init", "destroy", "destroy"}));
  EXPECT_EQ(open_fds(), fds_before) << "no descriptor left open";
  EXPECT_EQ(self_maps().find("plcpp-unit-memory-"), std::string::npos);
}

// A cache file is the shared object followed by its description and a trailer: the dynamic
// loader maps it from the path find() returns.
TEST_F(Loader, LoadsFromAnObjectCacheFile) {
  namespace cache = plcpp::jit::cache;
  cache::entry_info info;
  info.key = cache::make_key("loader test", "environment");
  info.function = "public.f()";
  info.line_table = std::string("\0\1\2 lines", 9);
  std::string error;
  ASSERT_TRUE(cache::store(dir + "/cache", read_bytes(basic), info, error)) << error;
  cache::lookup_result hit = cache::find(dir + "/cache", info.key);
  ASSERT_EQ(hit.status, cache::lookup_status::hit) << hit.problem;
  ASSERT_EQ(hit.path, cache::path_of(dir + "/cache", info.key));
  EXPECT_GT(fs::file_size(hit.path), hit.object.size());

  loaded_code code;
  ASSERT_TRUE(load(info.key, hit.path, "", "", info.function, code, error)) << error;
  EXPECT_EQ(entry_of(code)(5), 2051);
  EXPECT_EQ(plcpp_unit_loader_events, events{"init"});
  unload(code.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "destroy"}));
}

TEST_F(Loader, UndefinedSymbolFailsTheLoadNamingIt) {
  const int fds_before = open_fds();
  for (bool from_memory : {false, true}) {
    SCOPED_TRACE(from_memory ? "from memory" : "from a path");
    loaded_code code;
    std::string error;
    EXPECT_FALSE(load("unit-missing", from_memory ? "" : missing,
                      from_memory ? read_bytes(missing) : "", "", "f()", code, error));
    EXPECT_NE(error.find("needs a symbol that this server process does not have"),
              std::string::npos)
        << error;
    EXPECT_NE(error.find("nowhere::missing_function(int)"), std::string::npos) << error;
    EXPECT_NE(error.find("_ZN7nowhere16missing_functionEi"), std::string::npos) << error;
    EXPECT_EQ(code.handle, nullptr);
    EXPECT_TRUE(plcpp_unit_loader_events.empty()) << "none of its code ran";
    EXPECT_EQ(open_fds(), fds_before);
    EXPECT_EQ(self_maps().find(missing), std::string::npos);
  }
}

TEST_F(Loader, ThrowingStaticInitializerFailsTheLoad) {
  for (int attempt = 1; attempt <= 2; ++attempt) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    plcpp_unit_loader_events.clear();
    loaded_code code;
    std::string error;
    EXPECT_FALSE(load("unit-throwing", throwing, "", "", "f()", code, error));
    EXPECT_EQ(error, "a static initializer threw: boom in a static constructor");
    EXPECT_EQ(code.handle, nullptr);
    // The destructor registered before the throw ran; the key is not taken as loaded (the
    // second attempt runs the initializer again).
    EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "destroy"}));
    EXPECT_EQ(self_maps().find(throwing), std::string::npos) << "closed again";
  }
  // Another module's destructors are not touched by the failure.
  loaded_code ok;
  std::string error;
  ASSERT_TRUE(load("unit-after-throw", basic, "", "", "f()", ok, error)) << error;
  plcpp_unit_loader_events.clear();
  loaded_code code;
  EXPECT_FALSE(load("unit-throwing", throwing, "", "", "f()", code, error));
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "destroy"}));
  unload(ok.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "destroy", "destroy"}));
}

// A static initializer that loads another function's code (SQL calling another plcpp
// function), then throws: the failed load removes its own module, not the one loaded
// meanwhile, which stays loaded and shared.
TEST_F(Loader, InitializerThatLoadsOtherCodeThenThrows) {
  plcpp_unit_nested_path = basic;
  plcpp_unit_nested_code = {};
  loaded_code code;
  std::string error;
  EXPECT_FALSE(load("unit-nested-thrower", nested_throwing, "", "", "f()", code, error));
  EXPECT_EQ(error, "a static initializer threw: boom in a static constructor");
  ASSERT_NE(plcpp_unit_nested_code.handle, nullptr) << "the nested load succeeded";
  // Its initializer, the nested one, then the thrower's destructor (not the nested code's).
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "init", "destroy"}));

  // The nested code is still known: loaded again, it is shared, not initialized a second time.
  loaded_code again;
  ASSERT_TRUE(load("unit-nested", basic, "", "", "nested()", again, error)) << error;
  EXPECT_EQ(again.handle, plcpp_unit_nested_code.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "init", "destroy"}));
  EXPECT_EQ(entry_of(again)(0), 2001);
  // The thrower is not: another attempt runs its initializer again (and fails again).
  plcpp_unit_nested_code = {};
  EXPECT_FALSE(load("unit-nested-thrower", nested_throwing, "", "", "f()", code, error));
  EXPECT_EQ(plcpp_unit_nested_code.handle, again.handle);

  EXPECT_EQ(plcpp_unit_loader_events, (events{"init", "init", "destroy", "init", "destroy"}));

  // Three loads of "unit-nested" (two nested ones and `again`): the third unload ends it.
  unload(again.handle);
  unload(again.handle);
  EXPECT_EQ(plcpp_unit_loader_events.size(), 5u);
  unload(again.handle);
  EXPECT_EQ(plcpp_unit_loader_events,
            (events{"init", "init", "destroy", "init", "destroy", "destroy"}));
  EXPECT_EQ(self_maps().find(basic), std::string::npos) << "every load undone";
}

TEST_F(Loader, SharedObjectWithoutTheGeneratorsSymbolsFailsTheLoad) {
  loaded_code code;
  std::string error;
  EXPECT_FALSE(load("unit-no-init", no_init, "", "", "f()", code, error));
  EXPECT_NE(error.find("lacks the symbols"), std::string::npos) << error;
  EXPECT_EQ(code.handle, nullptr);
  EXPECT_TRUE(plcpp_unit_loader_events.empty());
  EXPECT_EQ(self_maps().find(no_init), std::string::npos) << "closed again";
}

TEST_F(Loader, BytesThatAreNoSharedObjectFailTheLoad) {
  const int fds_before = open_fds();
  for (const std::string &image : {std::string("not a shared object"), std::string(),
                                   read_bytes(basic).substr(0, 64)}) { // the ELF header alone
    loaded_code code;
    std::string error;
    EXPECT_FALSE(load("unit-garbage", "", image, "", "f()", code, error));
    EXPECT_EQ(error.rfind("could not load the shared object: ", 0), 0u) << error;
    EXPECT_EQ(code.handle, nullptr);
  }
  EXPECT_EQ(open_fds(), fds_before) << "the memory files are closed";
  loaded_code code;
  std::string error;
  EXPECT_FALSE(load("unit-nofile", dir + "/no-such.so", "", "", "f()", code, error));
  EXPECT_NE(error.find("no-such.so"), std::string::npos) << error;
  unload(nullptr); // harmless
  EXPECT_TRUE(plcpp_unit_loader_events.empty());
}

} // namespace
