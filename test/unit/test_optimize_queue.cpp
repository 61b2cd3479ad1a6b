// test/unit/test_optimize_queue.cpp — jit/optimize_queue.h: jobs written, found, removed;
// damaged job files skipped; and the object cache's exists/remove that tiering uses.
#include "jit/object_cache.h"
#include "jit/optimize_queue.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
namespace queue = plcpp::jit::optimize_queue;

class OptimizeQueue : public ::testing::Test {
protected:
  std::string dir;
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "plcpp-queue-unit-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir = pattern + "/cache"; // created by push()
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(fs::path(dir).parent_path(), ec);
  }
  static queue::job sample(const std::string &key) {
    queue::job j;
    j.key = key;
    j.unoptimized = std::string(32, 'b');
    j.function = "public.f(integer)";
    j.module_name = "plcpp_16384_700";
    j.include_dir = "/usr/share/postgresql/15/plcpp/include";
    j.compiler_library = "/usr/lib/postgresql/15/lib/plcpp_compiler.so";
    j.opt_level = 3;
    j.interrupt_checks = false;
    j.source = "// unit\n#include <plcpp/plcpp.hpp>\nint x = 1;\n\nstatic int y;\n";
    return j;
  }
};

TEST_F(OptimizeQueue, EmptyOrMissingQueueHasNoJob) {
  EXPECT_FALSE(queue::next(dir));
  EXPECT_FALSE(queue::lock_path(dir).empty());
  EXPECT_TRUE(fs::is_directory(dir + "/jobs"));
  EXPECT_FALSE(queue::next(dir)); // the lock file is not a job
}

TEST_F(OptimizeQueue, JobRoundTripsAndIsRemoved) {
  std::string error;
  queue::job want = sample(std::string(32, 'a'));
  ASSERT_TRUE(queue::push(dir, want, error)) << error;
  ASSERT_TRUE(queue::push(dir, want, error)) << error; // queued twice: still one job
  auto got = queue::next(dir);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->key, want.key);
  EXPECT_EQ(got->unoptimized, want.unoptimized);
  EXPECT_EQ(got->function, want.function);
  EXPECT_EQ(got->module_name, want.module_name);
  EXPECT_EQ(got->include_dir, want.include_dir);
  EXPECT_EQ(got->compiler_library, want.compiler_library);
  EXPECT_EQ(got->opt_level, 3);
  EXPECT_FALSE(got->interrupt_checks);
  EXPECT_EQ(got->source, want.source); // blank lines and all
  queue::remove(dir, want.key);
  EXPECT_FALSE(queue::next(dir));
}

TEST_F(OptimizeQueue, DamagedJobFilesAreRemovedAndSkipped) {
  std::string error;
  ASSERT_TRUE(queue::push(dir, sample(std::string(32, 'c')), error)) << error;
  std::ofstream(dir + "/jobs/" + std::string(32, '0') + ".job") << "not a job";
  {
    std::ofstream misnamed(dir + "/jobs/" + std::string(32, '1') + ".job");
    misnamed << "plcpp optimize job 1\n" << std::string(32, '2') << "\nb\nf\nm\ni\nl\n2\n1\nsrc";
  }
  auto got = queue::next(dir);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->key, std::string(32, 'c'));
  queue::remove(dir, got->key);
  EXPECT_FALSE(queue::next(dir));
  EXPECT_FALSE(fs::exists(dir + "/jobs/" + std::string(32, '0') + ".job"));
}

TEST_F(OptimizeQueue, UnwritableCacheIsAnError) {
  std::string error;
  EXPECT_FALSE(queue::push("/proc/plcpp-no-such-dir", sample(std::string(32, 'd')), error));
  EXPECT_FALSE(error.empty());
}

TEST_F(OptimizeQueue, CacheExistsAndRemove) {
  namespace cache = plcpp::jit::cache;
  cache::entry_info info;
  info.key = std::string(32, 'e');
  info.function = "f()";
  info.opt_level = 0;
  std::string error;
  EXPECT_FALSE(cache::exists(dir, info.key));
  ASSERT_TRUE(cache::store(dir, "object bytes", info, error)) << error;
  EXPECT_TRUE(cache::exists(dir, info.key));
  EXPECT_EQ(cache::find(dir, info.key).info.opt_level, 0);
  cache::remove(dir, info.key);
  EXPECT_FALSE(cache::exists(dir, info.key));
  EXPECT_FALSE(cache::exists(dir, "../../etc/passwd")); // not a key
}

} // namespace
