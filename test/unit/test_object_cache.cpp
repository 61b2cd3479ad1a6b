// test/unit/test_object_cache.cpp — jit/object_cache.h: keys, store and find, damage
// detection, hit counts, listing and purging, and the removal of files of the earlier
// format. A file is <key>.so: the shared object, then its description, its line table and a
// 40-byte trailer ending in "PLCPPSO3". Every test works in its own temp directory.
#include "jit/object_cache.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>
#include <cstring>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef PLCPP_TEST_INCLUDE_DIR
#error "PLCPP_TEST_INCLUDE_DIR must name runtime/include (see test/unit/Makefile)"
#endif

namespace {

namespace fs = std::filesystem;
namespace cache = plcpp::jit::cache;
using cache::entry_info;
using cache::lookup_result;
using cache::lookup_status;
using plcpp::jit::diagnostic;

std::string make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "plcpp-cache-unit-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return {};
  return pattern;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Sets a file's access and modification times to `when` (Unix time).
bool set_mtime(const std::string &path, std::int64_t when) {
  struct timeval times[2] = {{static_cast<time_t>(when), 0}, {static_cast<time_t>(when), 0}};
  return utimes(path.c_str(), times) == 0;
}

bool is_hex_key(const std::string &key) {
  return key.size() == 32 && std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Stands for plcpp_compiler.so, whose build ID (or bytes) is part of the environment.
const std::string &test_compiler_library() {
  static const std::string path = "/proc/self/exe";
  return path;
}

// The environment of the test's runtime headers, computed once (it reads the headers).
const std::string &test_environment() {
  static const std::string env =
      cache::environment(PLCPP_TEST_INCLUDE_DIR, test_compiler_library(), 2, true, 150004);
  return env;
}

// Something that looks like an object file, with every byte value in it.
std::string sample_object(char seed = 0) {
  std::string o = "\x7f"
                  "ELF";
  for (int i = 0; i < 600; ++i)
    o += static_cast<char>((i * 7 + seed) & 0xff);
  return o;
}

entry_info sample_info(const std::string &source) {
  entry_info info;
  info.key = cache::make_key(source, test_environment());
  info.function = "public.add(integer, integer)";
  info.compile_ms = 123.25; // exactly representable: survives the text round trip
  info.compiled_at = 1700000123;
  info.opt_level = 0;
  diagnostic w1;
  w1.level = diagnostic::severity::warning;
  w1.in_body = true;
  w1.line = 2;
  w1.column = 17;
  w1.message = "implicit conversion from 'double' to 'int' changes value from 2.5 to 2";
  diagnostic w2;
  w2.level = diagnostic::severity::warning;
  w2.in_body = false;
  w2.line = 0;
  w2.column = 0;
  w2.message = "a warning\nspanning two lines";
  info.warnings = {w1, w2};
  return info;
}

void expect_same_info(const entry_info &got, const entry_info &want) {
  EXPECT_EQ(got.key, want.key);
  EXPECT_EQ(got.function, want.function);
  EXPECT_DOUBLE_EQ(got.compile_ms, want.compile_ms);
  EXPECT_EQ(got.opt_level, want.opt_level);
  EXPECT_EQ(got.compiled_at, want.compiled_at);
  ASSERT_EQ(got.warnings.size(), want.warnings.size());
  for (size_t i = 0; i < got.warnings.size(); ++i) {
    SCOPED_TRACE("warning " + std::to_string(i));
    EXPECT_EQ(got.warnings[i].level, diagnostic::severity::warning);
    EXPECT_EQ(got.warnings[i].line, want.warnings[i].line);
    EXPECT_EQ(got.warnings[i].column, want.warnings[i].column);
    EXPECT_EQ(got.warnings[i].in_body, want.warnings[i].in_body);
    EXPECT_EQ(got.warnings[i].message, want.warnings[i].message);
  }
}

class ObjectCache : public ::testing::Test {
protected:
  std::string dir;

  void SetUp() override {
    dir = make_temp_dir();
    ASSERT_FALSE(dir.empty()) << "could not create a temp dir";
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }

  std::string objects() const { return dir + "/objects"; }
  std::string path_of(const std::string &key) const { return objects() + "/" + key + ".so"; }
  // A file of the earlier format (a relocatable object ORC linked in the backend).
  std::string legacy_path_of(const std::string &key) const { return objects() + "/" + key + ".o"; }
  std::string hits_path_of(const std::string &key) const { return objects() + "/" + key + ".hits"; }

  // The names in <dir>/objects, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(objects(), ec))
      names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  // Stores a sample entry for `source` and returns its info (the test fails if it cannot).
  entry_info store_sample(const std::string &source, const std::string &object) {
    entry_info info = sample_info(source);
    std::string error;
    EXPECT_TRUE(cache::store(dir, object, info, error)) << error;
    EXPECT_TRUE(error.empty()) << error;
    return info;
  }

  // find() reports `key` damaged, says why, and removes the file: the next find is a miss.
  void expect_damaged_and_removed(const std::string &key) {
    lookup_result r = cache::find(dir, key);
    EXPECT_EQ(r.status, lookup_status::damaged);
    EXPECT_FALSE(r.problem.empty());
    EXPECT_TRUE(r.object.empty());
    EXPECT_FALSE(fs::exists(path_of(key))) << "a damaged file must be removed";
    lookup_result again = cache::find(dir, key);
    EXPECT_EQ(again.status, lookup_status::miss);
  }
};

// ---- keys -------------------------------------------------------------------------------

TEST_F(ObjectCache, KeyIs32LowercaseHexDigitsAndDeterministic) {
  const std::string &env = test_environment();
  std::string key = cache::make_key("int f() { return 1; }", env);
  EXPECT_TRUE(is_hex_key(key)) << key;
  EXPECT_EQ(cache::make_key("int f() { return 1; }", env), key);
  EXPECT_TRUE(is_hex_key(cache::make_key("", env)));
  // The environment is deterministic too.
  EXPECT_EQ(cache::environment(PLCPP_TEST_INCLUDE_DIR, test_compiler_library(), 2, true, 150004),
            env);
  EXPECT_FALSE(env.empty());
}

TEST_F(ObjectCache, KeyChangesWithTheSource) {
  const std::string &env = test_environment();
  std::string key = cache::make_key("int f() { return 1; }", env);
  EXPECT_NE(cache::make_key("int f() { return 2; }", env), key);  // one byte changed
  EXPECT_NE(cache::make_key("int f() { return 1; } ", env), key); // one byte added
  EXPECT_NE(cache::make_key("int f() { return 1; ", env), key);   // one byte removed
  EXPECT_NE(cache::make_key(std::string_view("a\0b", 3), env),    // bytes after a NUL count
            cache::make_key(std::string_view("a\0c", 3), env));
}

TEST_F(ObjectCache, KeyChangesWithTheEnvironment) {
  const std::string source = "int f() { return 1; }";
  const std::string &env = test_environment();
  std::string key = cache::make_key(source, env);
  EXPECT_NE(cache::make_key(source, env + " "), key);

  std::string o0 =
      cache::environment(PLCPP_TEST_INCLUDE_DIR, test_compiler_library(), 0, true, 150004);
  EXPECT_NE(o0, env);
  EXPECT_NE(cache::make_key(source, o0), key);

  std::string pg16 =
      cache::environment(PLCPP_TEST_INCLUDE_DIR, test_compiler_library(), 2, true, 160000);
  EXPECT_NE(pg16, env);
  EXPECT_NE(cache::make_key(source, pg16), key);

  std::string unchecked =
      cache::environment(PLCPP_TEST_INCLUDE_DIR, test_compiler_library(), 2, false, 150004);
  EXPECT_NE(unchecked, env);
  EXPECT_NE(cache::make_key(source, unchecked), key);

  // A minor release of the same major version changes nothing.
  // Another compiler library (a rebuilt plcpp_compiler.so), or none, changes every key.
  EXPECT_NE(cache::environment(PLCPP_TEST_INCLUDE_DIR, "/bin/sh", 2, true, 150004), env);
  EXPECT_NE(cache::environment(PLCPP_TEST_INCLUDE_DIR, "/no/such/library.so", 2, true, 150004),
            env);
  std::string minor =
      cache::environment(PLCPP_TEST_INCLUDE_DIR, test_compiler_library(), 2, true, 150007);
  EXPECT_EQ(minor, env);
  EXPECT_EQ(cache::make_key(source, minor), key);
}

// The compiler library counts by its GNU build ID (read from its ELF notes, not the whole
// file), and by its bytes when it has none.
TEST_F(ObjectCache, CompilerLibraryCountsByBuildIdOrContent) {
  std::string env = test_environment();
  std::size_t at = env.find("compiler library build-id ");
  ASSERT_NE(at, std::string::npos) << env; // the test binary is linked with a build ID
  std::string id = env.substr(at + 26, env.find('\n', at) - at - 26);
  EXPECT_GE(id.size(), 16u);
  EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) { return isxdigit(c); })) << id;

  auto write = [&](const std::string &name, const std::string &bytes) {
    std::string path = dir + "/" + name;
    FILE *f = fopen(path.c_str(), "wb");
    fwrite(bytes.data(), 1, bytes.size(), f);
    fclose(f);
    return path;
  };
  std::string a = write("a.so", "no ELF here"), b = write("b.so", "no ELF here either");
  std::string env_a = cache::environment(PLCPP_TEST_INCLUDE_DIR, a, 2, true, 150004);
  EXPECT_EQ(env_a.find("build-id"), std::string::npos);
  EXPECT_NE(env_a, cache::environment(PLCPP_TEST_INCLUDE_DIR, b, 2, true, 150004));
  EXPECT_EQ(env_a, cache::environment(PLCPP_TEST_INCLUDE_DIR, a, 2, true, 150004));
}

TEST_F(ObjectCache, EnvironmentChangesWithTheRuntimeHeaders) {
  // A copy of the runtime headers; then one header changes by one byte.
  std::string include = dir + "/include";
  std::error_code ec;
  fs::create_directories(include, ec);
  fs::copy(fs::path(PLCPP_TEST_INCLUDE_DIR) / "plcpp", include + "/plcpp",
           fs::copy_options::recursive, ec);
  ASSERT_FALSE(ec) << ec.message();
  std::string before = cache::environment(include, test_compiler_library(), 2, true, 150004);
  EXPECT_EQ(cache::environment(include, test_compiler_library(), 2, true, 150004), before);

  std::string header = include + "/plcpp/config.hpp";
  std::string text = read_file(header);
  ASSERT_FALSE(text.empty());
  write_file(header, text + " ");
  EXPECT_NE(cache::environment(include, test_compiler_library(), 2, true, 150004), before);
  write_file(header, text);
  EXPECT_EQ(cache::environment(include, test_compiler_library(), 2, true, 150004), before);

  // A new header counts as well.
  write_file(include + "/plcpp/extra.hpp", "#pragma once\n");
  EXPECT_NE(cache::environment(include, test_compiler_library(), 2, true, 150004), before);
}

// ---- store and find ---------------------------------------------------------------------

TEST_F(ObjectCache, StoreThenFindIsAHit) {
  std::string object = sample_object();
  entry_info info = store_sample("source one", object);

  EXPECT_EQ(files(), std::vector<std::string>{info.key + ".so"}) << "no leftover .tmp files";
  EXPECT_TRUE(fs::is_regular_file(path_of(info.key)));
  EXPECT_EQ(cache::path_of(dir, info.key), path_of(info.key));

  lookup_result r = cache::find(dir, info.key);
  ASSERT_EQ(r.status, lookup_status::hit) << r.problem;
  EXPECT_EQ(r.object, object);
  EXPECT_TRUE(r.problem.empty());
  EXPECT_EQ(r.path, path_of(info.key)) << "a hit names the file to dlopen()";
  expect_same_info(r.info, info);

  // A hit leaves the file in place.
  EXPECT_EQ(cache::find(dir, info.key).status, lookup_status::hit);
}

TEST_F(ObjectCache, StoreReplacesAnEarlierEntry) {
  entry_info info = store_sample("same source", sample_object(1));
  std::string newer = sample_object(2) + "more";
  std::string error;
  info.function = "public.other()";
  info.warnings.clear();
  ASSERT_TRUE(cache::store(dir, newer, info, error)) << error;
  lookup_result r = cache::find(dir, info.key);
  ASSERT_EQ(r.status, lookup_status::hit) << r.problem;
  EXPECT_EQ(r.object, newer);
  expect_same_info(r.info, info);
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(ObjectCache, EmptyFieldsSurviveTheRoundTrip) {
  entry_info info;
  info.key = cache::make_key("empty", test_environment());
  diagnostic w;
  w.level = diagnostic::severity::warning;
  w.message = "";
  info.warnings = {w};
  std::string error;
  ASSERT_TRUE(cache::store(dir, "", info, error)) << error;
  lookup_result r = cache::find(dir, info.key);
  ASSERT_EQ(r.status, lookup_status::hit) << r.problem;
  EXPECT_TRUE(r.object.empty());
  expect_same_info(r.info, info);
}

TEST_F(ObjectCache, FindOfAnAbsentKeyIsAMiss) {
  std::string key = cache::make_key("never stored", test_environment());
  // No objects directory at all.
  lookup_result r = cache::find(dir, key);
  EXPECT_EQ(r.status, lookup_status::miss);
  EXPECT_TRUE(r.object.empty());
  EXPECT_TRUE(r.problem.empty());
  // Directory present, key absent.
  store_sample("something else", sample_object());
  EXPECT_EQ(cache::find(dir, key).status, lookup_status::miss);
  EXPECT_EQ(cache::find(dir + "/no/such/dir", key).status, lookup_status::miss);
}

// ---- damaged files ----------------------------------------------------------------------

TEST_F(ObjectCache, FlippedByteInTheObjectIsDamage) {
  std::string object = sample_object();
  entry_info info = store_sample("flip object", object);
  std::string bytes = read_file(path_of(info.key));
  ASSERT_GT(bytes.size(), object.size());
  ASSERT_EQ(bytes.substr(0, object.size()), object) << "the shared object comes first";
  bytes[object.size() / 2] ^= 0x01;
  write_file(path_of(info.key), bytes);
  expect_damaged_and_removed(info.key);
}

TEST_F(ObjectCache, FlippedByteInTheInfoIsDamage) {
  entry_info info = store_sample("flip info", sample_object());
  std::string bytes = read_file(path_of(info.key));
  size_t at = bytes.find(info.function);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3] ^= 0x20; // "public" -> "puBlic"
  write_file(path_of(info.key), bytes);
  expect_damaged_and_removed(info.key);
}

TEST_F(ObjectCache, TruncatedFileIsDamage) {
  entry_info info = store_sample("truncated", sample_object());
  std::string bytes = read_file(path_of(info.key));
  bytes.pop_back();
  write_file(path_of(info.key), bytes);
  expect_damaged_and_removed(info.key);
}

TEST_F(ObjectCache, ExtendedFileIsDamage) {
  entry_info info = store_sample("extended", sample_object());
  std::string bytes = read_file(path_of(info.key));
  write_file(path_of(info.key), bytes + "x");
  expect_damaged_and_removed(info.key);
}

TEST_F(ObjectCache, WrongMagicIsDamage) {
  entry_info info = store_sample("magic", sample_object());
  std::string bytes = read_file(path_of(info.key));
  ASSERT_EQ(bytes.substr(bytes.size() - 8), "PLCPPSO3") << "the trailer ends the file";
  bytes[bytes.size() - 8] = 'Q';
  write_file(path_of(info.key), bytes);
  expect_damaged_and_removed(info.key);
}

TEST_F(ObjectCache, EmptyFileIsDamage) {
  entry_info info = store_sample("empty file", sample_object());
  write_file(path_of(info.key), "");
  ASSERT_EQ(fs::file_size(path_of(info.key)), 0u);
  expect_damaged_and_removed(info.key);
}

TEST_F(ObjectCache, ForeignFileUnderAKeyNameIsDamage) {
  std::string key = cache::make_key("foreign", test_environment());
  fs::create_directories(objects());
  write_file(path_of(key), sample_object()); // an ELF file, not a cache entry
  expect_damaged_and_removed(key);
}

TEST_F(ObjectCache, FileUnderAnotherKeysNameIsDamage) {
  entry_info a = store_sample("source A", sample_object('a'));
  std::string b = cache::make_key("source B", test_environment());
  ASSERT_NE(a.key, b);
  fs::rename(path_of(a.key), path_of(b));
  lookup_result r = cache::find(dir, b);
  EXPECT_EQ(r.status, lookup_status::damaged);
  EXPECT_FALSE(r.problem.empty());
  EXPECT_TRUE(r.object.empty()) << "never hand out another key's object";
  EXPECT_FALSE(fs::exists(path_of(b)));
  EXPECT_EQ(cache::find(dir, b).status, lookup_status::miss);
  EXPECT_EQ(cache::find(dir, a.key).status, lookup_status::miss);
}

// A file of an earlier format version, under a current name: its trailer says so.
TEST_F(ObjectCache, OtherFormatVersionIsDamage) {
  entry_info info = store_sample("format", sample_object());
  std::string bytes = read_file(path_of(info.key));
  // The trailer: object size (8), info size (4), lines size (4), checksum (8), format (4),
  // reserved (4), magic (8).
  const size_t format_at = bytes.size() - 16;
  std::uint32_t format;
  memcpy(&format, bytes.data() + format_at, sizeof format);
  ASSERT_EQ(format, 3u);
  format = 2;
  memcpy(bytes.data() + format_at, &format, sizeof format);
  write_file(path_of(info.key), bytes);
  lookup_result r = cache::find(dir, info.key);
  EXPECT_EQ(r.status, lookup_status::damaged);
  EXPECT_NE(r.problem.find("version"), std::string::npos) << r.problem;
  EXPECT_FALSE(fs::exists(path_of(info.key)));
}

// The trailer's sizes are not covered by the checksum (it is of the three parts in a row):
// sizes that move a boundary but still add up to the file must be caught all the same.
TEST_F(ObjectCache, ShiftedBoundaryInTheTrailerIsDamage) {
  struct shift {
    const char *what;
    std::int64_t object, info, lines;
  };
  for (const shift &sh : {shift{"object into info", 1, -1, 0}, shift{"info into object", -1, 1, 0},
                          shift{"info into lines", 0, -1, 1}, shift{"lines into info", 0, 1, -1}}) {
    SCOPED_TRACE(sh.what);
    entry_info info = sample_info(std::string("shift ") + sh.what);
    info.line_table = "some line table bytes";
    std::string error;
    ASSERT_TRUE(cache::store(dir, sample_object(), info, error)) << error;
    std::string bytes = read_file(path_of(info.key));
    const size_t t = bytes.size() - 40;
    std::uint64_t object_size;
    std::uint32_t info_size, lines_size;
    memcpy(&object_size, bytes.data() + t, 8);
    memcpy(&info_size, bytes.data() + t + 8, 4);
    memcpy(&lines_size, bytes.data() + t + 12, 4);
    object_size += sh.object;
    info_size += static_cast<std::uint32_t>(sh.info);
    lines_size += static_cast<std::uint32_t>(sh.lines);
    memcpy(bytes.data() + t, &object_size, 8);
    memcpy(bytes.data() + t + 8, &info_size, 4);
    memcpy(bytes.data() + t + 12, &lines_size, 4);
    write_file(path_of(info.key), bytes);
    expect_damaged_and_removed(info.key);
  }
}

// Sizes whose sum wraps around 2^64 to the file's size: a damaged file is reported, never read
// beyond its end.
TEST_F(ObjectCache, TrailerSizesThatOverflowAreDamage) {
  entry_info info = store_sample("overflow", sample_object());
  std::string bytes = read_file(path_of(info.key));
  const size_t t = bytes.size() - 40;
  // object_size = 2^64 - 1; info_size = size - 39: the sum plus the trailer is size mod 2^64.
  std::uint64_t object_size = ~std::uint64_t{0};
  std::uint32_t info_size = static_cast<std::uint32_t>(bytes.size() - 39), lines_size = 0;
  memcpy(bytes.data() + t, &object_size, 8);
  memcpy(bytes.data() + t + 8, &info_size, 4);
  memcpy(bytes.data() + t + 12, &lines_size, 4);
  write_file(path_of(info.key), bytes);
  expect_damaged_and_removed(info.key);
  EXPECT_TRUE(cache::list(dir).empty());
}

// ---- line tables ------------------------------------------------------------------------

// Bytes of any value, NULs included (the encoding is jit/line_table.h's business).
std::string sample_line_table() {
  std::string lines;
  for (int i = 0; i < 300; ++i)
    lines += static_cast<char>((i * 13 + 5) & 0xff);
  lines[10] = '\0';
  return lines;
}

TEST_F(ObjectCache, LineTableSurvivesTheRoundTrip) {
  std::string object = sample_object();
  entry_info info = sample_info("line table");
  info.line_table = sample_line_table();
  std::string error;
  ASSERT_TRUE(cache::store(dir, object, info, error)) << error;

  lookup_result r = cache::find(dir, info.key);
  ASSERT_EQ(r.status, lookup_status::hit) << r.problem;
  EXPECT_EQ(r.object, object) << "the line table is not part of the shared object";
  EXPECT_EQ(r.info.line_table, info.line_table);
  expect_same_info(r.info, info);

  std::vector<cache::listing> all = cache::list(dir);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].info.line_table, info.line_table);

  // Without one, an entry has none (and not the previous entry's).
  entry_info plain = sample_info("no line table");
  ASSERT_TRUE(cache::store(dir, object, plain, error)) << error;
  lookup_result p = cache::find(dir, plain.key);
  ASSERT_EQ(p.status, lookup_status::hit) << p.problem;
  EXPECT_TRUE(p.info.line_table.empty());
}

TEST_F(ObjectCache, FlippedByteInTheLineTableIsDamage) {
  entry_info info = sample_info("flip lines");
  info.line_table = sample_line_table();
  std::string error;
  ASSERT_TRUE(cache::store(dir, sample_object(), info, error)) << error;
  std::string bytes = read_file(path_of(info.key));
  // <shared object> <info> <line table> <40-byte trailer>
  ASSERT_GT(bytes.size(), 40 + info.line_table.size());
  const size_t lines_at = bytes.size() - 40 - info.line_table.size();
  ASSERT_EQ(bytes.substr(lines_at, info.line_table.size()), info.line_table);
  bytes[lines_at + info.line_table.size() / 2] ^= 0x04;
  write_file(path_of(info.key), bytes);
  expect_damaged_and_removed(info.key);
}

// ---- the file is the shared object ------------------------------------------------------

// The dynamic loader maps the file from its ELF headers, which sit at its start: the file must
// begin with the shared object's bytes, unchanged.
TEST_F(ObjectCache, StoredFileIsTheSharedObjectFollowedByItsDescription) {
  std::string object = sample_object();
  ASSERT_EQ(object.substr(0, 4), "\x7f"
                                 "ELF");
  entry_info info = sample_info("elf prefix");
  info.line_table = sample_line_table();
  std::string error;
  ASSERT_TRUE(cache::store(dir, object, info, error)) << error;
  std::string bytes = read_file(path_of(info.key));
  EXPECT_EQ(bytes.substr(0, 4), "\x7f"
                                "ELF");
  EXPECT_EQ(bytes.substr(0, object.size()), object);
  EXPECT_NE(bytes.find(info.function, object.size()), std::string::npos) << "the description";
  ASSERT_GE(bytes.size(), object.size() + 40);
  EXPECT_EQ(bytes.substr(bytes.size() - 8), "PLCPPSO3");
  // The trailer's sizes add up to the file.
  std::uint64_t object_size;
  std::uint32_t info_size, lines_size;
  const size_t trailer_at = bytes.size() - 40;
  memcpy(&object_size, bytes.data() + trailer_at, 8);
  memcpy(&info_size, bytes.data() + trailer_at + 8, 4);
  memcpy(&lines_size, bytes.data() + trailer_at + 12, 4);
  EXPECT_EQ(object_size, object.size());
  EXPECT_EQ(lines_size, info.line_table.size());
  EXPECT_EQ(object_size + info_size + lines_size + 40, bytes.size());
}

// ---- files of the earlier format --------------------------------------------------------

TEST_F(ObjectCache, LegacyFilesAreRemovedByTheFirstStore) {
  std::string legacy = cache::make_key("an old entry", test_environment());
  std::string legacy_without_hits = cache::make_key("another old entry", test_environment());
  fs::create_directories(objects());
  write_file(legacy_path_of(legacy), sample_object(5));
  write_file(hits_path_of(legacy), "+++");
  write_file(legacy_path_of(legacy_without_hits), sample_object(6));
  // Not of the earlier format: names that are not keys, and a key's hits without an object.
  write_file(objects() + "/notes.o", "not ours");
  write_file(objects() + "/" + std::string(32, 'A') + ".o", "upper-case: not a key");
  std::string orphan_hits = cache::make_key("orphan", test_environment());
  write_file(hits_path_of(orphan_hits), "+");

  // Listing and finding ignore them.
  EXPECT_TRUE(cache::list(dir).empty());
  EXPECT_EQ(cache::find(dir, legacy).status, lookup_status::miss);
  EXPECT_TRUE(fs::exists(legacy_path_of(legacy))) << "find() looks for <key>.so only";

  entry_info info = store_sample("the first store", sample_object());
  std::vector<std::string> want = {std::string(32, 'A') + ".o", info.key + ".so", "notes.o",
                                   orphan_hits + ".hits"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(files(), want);
  EXPECT_EQ(cache::find(dir, info.key).status, lookup_status::hit);
}

TEST_F(ObjectCache, PurgeRemovesLegacyFilesAndListIgnoresThem) {
  entry_info current = store_sample("current", sample_object(1));
  cache::count_hit(dir, current.key);
  // Legacy files that appear after the first store (another process, an older plcpp.so).
  std::string legacy = cache::make_key("old", test_environment());
  write_file(legacy_path_of(legacy), sample_object(7));
  write_file(hits_path_of(legacy), "++");

  std::vector<cache::listing> all = cache::list(dir);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].info.key, current.key);

  // A cutoff in the past keeps every current object, but no legacy file; the count is of
  // current objects.
  EXPECT_EQ(cache::purge(dir, 1), 0);
  std::vector<std::string> want = {current.key + ".hits", current.key + ".so"};
  EXPECT_EQ(files(), want);
  EXPECT_EQ(cache::find(dir, current.key).status, lookup_status::hit);

  // purge(-1) removes a legacy file as well as every current object.
  write_file(legacy_path_of(legacy), sample_object(7));
  EXPECT_EQ(cache::purge(dir, -1), 1);
  EXPECT_TRUE(files().empty());
}

// ---- store failures ---------------------------------------------------------------------

TEST_F(ObjectCache, StoreIntoAnUnwritableDirectoryFails) {
  // A path under a regular file: no one (not even root) can create a directory there.
  std::string file = dir + "/plain-file";
  write_file(file, "not a directory");
  std::string bad = file + "/sub";
  entry_info info = sample_info("unwritable");
  std::string error;
  EXPECT_FALSE(cache::store(bad, sample_object(), info, error));
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find(bad), std::string::npos) << error;
  EXPECT_EQ(cache::find(bad, info.key).status, lookup_status::miss);

  // objects/ itself is a file: the store fails as well.
  std::string other = dir + "/other";
  fs::create_directories(other);
  write_file(other + "/objects", "in the way");
  error.clear();
  EXPECT_FALSE(cache::store(other, sample_object(), info, error));
  EXPECT_FALSE(error.empty());
}

TEST_F(ObjectCache, StoreCreatesTheDirectories) {
  std::string nested = dir + "/cache";
  entry_info info = sample_info("fresh dir");
  std::string error;
  ASSERT_TRUE(cache::store(nested, sample_object(), info, error)) << error;
  EXPECT_TRUE(fs::is_directory(nested + "/objects"));
  EXPECT_EQ(cache::find(nested, info.key).status, lookup_status::hit);
}

// ---- hits and listing -------------------------------------------------------------------

TEST_F(ObjectCache, HitsAreCountedAndListed) {
  std::string object = sample_object();
  entry_info info = store_sample("listed", object);
  for (int i = 0; i < 3; ++i)
    cache::count_hit(dir, info.key);
  EXPECT_TRUE(fs::exists(objects() + "/" + info.key + ".hits"));

  std::vector<cache::listing> all = cache::list(dir);
  ASSERT_EQ(all.size(), 1u);
  const cache::listing &l = all[0];
  EXPECT_EQ(l.hits, 3);
  EXPECT_EQ(l.size, fs::file_size(path_of(info.key)));
  EXPECT_GT(l.size, object.size());
  expect_same_info(l.info, info);
  std::int64_t now = std::time(nullptr);
  EXPECT_GE(l.last_used, now - 60);
  EXPECT_LE(l.last_used, now + 60);
  // Counting does not disturb the entry.
  EXPECT_EQ(cache::find(dir, info.key).status, lookup_status::hit);
}

TEST_F(ObjectCache, ListWithoutHitsUsesTheStoreTime) {
  entry_info info = store_sample("never hit", sample_object());
  ASSERT_TRUE(set_mtime(path_of(info.key), 1600000000));
  std::vector<cache::listing> all = cache::list(dir);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].hits, 0);
  EXPECT_EQ(all[0].last_used, 1600000000);
}

TEST_F(ObjectCache, ListSkipsDamagedAndForeignFiles) {
  entry_info good = store_sample("good", sample_object(1));
  entry_info bad = store_sample("bad", sample_object(2));
  std::string bytes = read_file(path_of(bad.key));
  bytes.back() ^= 0x55;
  write_file(path_of(bad.key), bytes);
  write_file(objects() + "/notes.txt", "hello");
  write_file(objects() + "/NOTAKEY.so", read_file(path_of(good.key)));
  write_file(objects() + "/" + std::string(32, 'A') + ".so", read_file(path_of(good.key)));
  fs::create_directories(objects() + "/" + std::string(32, 'b') + ".so"); // a directory

  std::vector<cache::listing> all = cache::list(dir);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].info.key, good.key);
  // Listing only looks: the damaged and foreign files are still there.
  EXPECT_TRUE(fs::exists(path_of(bad.key)));
  EXPECT_TRUE(fs::exists(objects() + "/notes.txt"));
}

TEST_F(ObjectCache, ListOfAMissingDirectoryIsEmpty) {
  EXPECT_TRUE(cache::list(dir).empty());
  EXPECT_TRUE(cache::list(dir + "/nowhere").empty());
}

// ---- purge ------------------------------------------------------------------------------

TEST_F(ObjectCache, PurgeAllRemovesEveryObjectAndItsHits) {
  entry_info a = store_sample("purge a", sample_object(1));
  entry_info b = store_sample("purge b", sample_object(2));
  entry_info c = store_sample("purge c", sample_object(3));
  cache::count_hit(dir, a.key);
  cache::count_hit(dir, c.key);
  write_file(objects() + "/notes.txt", "not ours");
  ASSERT_EQ(files().size(), 6u);

  EXPECT_EQ(cache::purge(dir, -1), 3);
  EXPECT_EQ(files(), std::vector<std::string>{"notes.txt"});
  EXPECT_TRUE(cache::list(dir).empty());
  EXPECT_EQ(cache::find(dir, b.key).status, lookup_status::miss);
  EXPECT_EQ(cache::purge(dir, -1), 0);
}

TEST_F(ObjectCache, PurgeWithAPastCutoffKeepsEverything) {
  entry_info a = store_sample("keep a", sample_object(1));
  entry_info b = store_sample("keep b", sample_object(2));
  cache::count_hit(dir, b.key);
  std::vector<std::string> before = files();
  EXPECT_EQ(cache::purge(dir, 1), 0);
  EXPECT_EQ(files(), before);
  EXPECT_EQ(cache::find(dir, a.key).status, lookup_status::hit);
  EXPECT_EQ(cache::find(dir, b.key).status, lookup_status::hit);
}

TEST_F(ObjectCache, PurgeByLastUse) {
  std::int64_t now = std::time(nullptr);
  entry_info old = store_sample("old", sample_object(1));
  entry_info old_but_hit = store_sample("old but hit", sample_object(2));
  entry_info fresh = store_sample("fresh", sample_object(3));
  ASSERT_TRUE(set_mtime(path_of(old.key), now - 7200));
  ASSERT_TRUE(set_mtime(path_of(old_but_hit.key), now - 7200));
  cache::count_hit(dir, old_but_hit.key); // used just now

  EXPECT_EQ(cache::purge(dir, now - 3600), 1);
  EXPECT_FALSE(fs::exists(path_of(old.key)));
  EXPECT_EQ(cache::find(dir, old_but_hit.key).status, lookup_status::hit);
  EXPECT_EQ(cache::find(dir, fresh.key).status, lookup_status::hit);
}

TEST_F(ObjectCache, PurgeRemovesStaleTemporaryFilesOnly) {
  entry_info keep = store_sample("kept", sample_object());
  std::string stale = path_of(keep.key) + ".tmp.12345";
  std::string fresh = path_of(keep.key) + ".tmp.23456";
  write_file(stale, "half written");
  write_file(fresh, "being written");
  std::int64_t now = std::time(nullptr);
  ASSERT_TRUE(set_mtime(stale, now - 11 * 60));
  ASSERT_TRUE(set_mtime(fresh, now - 60));

  EXPECT_EQ(cache::purge(dir, 1), 0) << "temporary files are not objects";
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(fresh));
  EXPECT_EQ(cache::find(dir, keep.key).status, lookup_status::hit);
}

} // namespace
