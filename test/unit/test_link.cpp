// test/unit/test_link.cpp — jit/link.h: lld as a library turns the code generator's object
// into a shared object with what the loader, gdb and perf rely on (ELF shared object,
// .eh_frame_hdr, GNU build ID, bind-now, -Bsymbolic, non-executable stack, no libraries), and
// links once per process. Every link runs in a child process (child_process.h); the result
// is then loaded here (jit/loader.h) and called.
#include "jit/link.h"
#include "jit/loader.h"

#include <gtest/gtest.h>

#include "child_process.h"
#include "shared_object_fixture.h"

#include <elf.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// What a child that linked reports back.
struct link_outcome {
  bool ok = false;
  std::string shared_object, error;
  bool second_ok = true;
  std::string second_error;
  bool stdout_restored = false;
};

void put_string(std::string &out, const std::string &s) {
  std::uint64_t n = s.size();
  out.append(reinterpret_cast<const char *>(&n), sizeof n);
  out += s;
}
bool get_string(std::string_view &in, std::string &s) {
  std::uint64_t n;
  if (in.size() < sizeof n) return false;
  memcpy(&n, in.data(), sizeof n);
  in.remove_prefix(sizeof n);
  if (in.size() < n) return false;
  s.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

// Links `object` in a child process, twice (the second must fail); nullopt if the child died.
std::optional<link_outcome> link_in_child(const std::string &object) {
  std::optional<std::string> bytes = run_in_child([&] {
    struct stat before, after;
    fstat(1, &before);
    link_outcome o;
    o.ok = plcpp::jit::link_shared_object(object, o.shared_object, o.error);
    fstat(1, &after);
    o.stdout_restored = before.st_dev == after.st_dev && before.st_ino == after.st_ino;
    std::string again;
    o.second_ok = plcpp::jit::link_shared_object(object, again, o.second_error);
    std::string out;
    out += o.ok ? '1' : '0';
    out += o.second_ok ? '1' : '0';
    out += o.stdout_restored ? '1' : '0';
    put_string(out, o.shared_object);
    put_string(out, o.error);
    put_string(out, o.second_error);
    return out;
  });
  if (!bytes) return std::nullopt;
  std::string_view in = *bytes;
  link_outcome o;
  if (in.size() < 3) {
    ADD_FAILURE() << "a cut short report";
    return std::nullopt;
  }
  o.ok = in[0] == '1';
  o.second_ok = in[1] == '1';
  o.stdout_restored = in[2] == '1';
  in.remove_prefix(3);
  if (!get_string(in, o.shared_object) || !get_string(in, o.error) ||
      !get_string(in, o.second_error) || !in.empty()) {
    ADD_FAILURE() << "a cut short report";
    return std::nullopt;
  }
  return o;
}

// The parts of a 64-bit ELF file these tests look at.
struct elf_view {
  Elf64_Ehdr header{};
  std::vector<Elf64_Phdr> segments;
  std::vector<Elf64_Dyn> dynamic;
  std::string build_id; // hex; empty if none
  bool ok = false;
};

elf_view parse_elf(const std::string &bytes) {
  elf_view v;
  if (bytes.size() < sizeof v.header) return v;
  memcpy(&v.header, bytes.data(), sizeof v.header);
  if (memcmp(v.header.e_ident, ELFMAG, SELFMAG) != 0 || v.header.e_ident[EI_CLASS] != ELFCLASS64 ||
      v.header.e_phentsize != sizeof(Elf64_Phdr) ||
      v.header.e_phoff + v.header.e_phnum * sizeof(Elf64_Phdr) > bytes.size())
    return v;
  for (unsigned i = 0; i < v.header.e_phnum; ++i) {
    Elf64_Phdr p;
    memcpy(&p, bytes.data() + v.header.e_phoff + i * sizeof p, sizeof p);
    v.segments.push_back(p);
    if (p.p_offset + p.p_filesz > bytes.size()) return v;
    if (p.p_type == PT_DYNAMIC)
      for (size_t at = 0; at + sizeof(Elf64_Dyn) <= p.p_filesz; at += sizeof(Elf64_Dyn)) {
        Elf64_Dyn d;
        memcpy(&d, bytes.data() + p.p_offset + at, sizeof d);
        if (d.d_tag == DT_NULL) break;
        v.dynamic.push_back(d);
      }
    if (p.p_type == PT_NOTE)
      for (size_t at = p.p_offset; at + sizeof(Elf64_Nhdr) <= p.p_offset + p.p_filesz;) {
        Elf64_Nhdr n;
        memcpy(&n, bytes.data() + at, sizeof n);
        size_t name_at = at + sizeof n, desc_at = name_at + ((n.n_namesz + 3) & ~3u);
        if (desc_at + n.n_descsz > p.p_offset + p.p_filesz) break;
        if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 &&
            memcmp(bytes.data() + name_at, "GNU", 4) == 0)
          for (size_t i = 0; i < n.n_descsz; ++i) {
            static const char hex[] = "0123456789abcdef";
            unsigned char c = static_cast<unsigned char>(bytes[desc_at + i]);
            v.build_id += hex[c >> 4];
            v.build_id += hex[c & 15];
          }
        at = desc_at + ((n.n_descsz + 3) & ~3u);
      }
  }
  v.ok = true;
  return v;
}

const Elf64_Phdr *segment(const elf_view &v, std::uint32_t type) {
  for (const auto &p : v.segments)
    if (p.p_type == type) return &p;
  return nullptr;
}

std::int64_t dynamic_value(const elf_view &v, std::int64_t tag, std::int64_t absent = -1) {
  for (const auto &d : v.dynamic)
    if (d.d_tag == tag) return static_cast<std::int64_t>(d.d_un.d_val);
  return absent;
}

class Link : public ::testing::Test {
protected:
  static inline std::string dir, object;

  static void SetUpTestSuite() {
    dir = make_fixture_dir();
    if (dir.empty()) return;
    std::string path = build_fixture_object(dir, "link", "");
    if (!path.empty()) object = read_bytes(path);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
  void SetUp() override { ASSERT_FALSE(object.empty()) << "could not build the fixture"; }
};

TEST_F(Link, MakesASharedObjectForTheLoaderGdbAndPerf) {
  std::optional<link_outcome> o = link_in_child(object);
  ASSERT_TRUE(o);
  ASSERT_TRUE(o->ok) << o->error;
  EXPECT_TRUE(o->error.empty()) << o->error;
  EXPECT_TRUE(o->stdout_restored) << "standard output points where it did before the link";
  ASSERT_GE(o->shared_object.size(), 64u);
  EXPECT_EQ(o->shared_object.substr(0, 4), "\x7f"
                                           "ELF");

  elf_view v = parse_elf(o->shared_object);
  ASSERT_TRUE(v.ok);
  EXPECT_EQ(v.header.e_type, ET_DYN) << "a shared object";
  // The system unwinder finds the code's unwind tables through PT_GNU_EH_FRAME.
  EXPECT_NE(segment(v, PT_GNU_EH_FRAME), nullptr) << "--eh-frame-hdr";
  // perf and gdb match the file by its GNU build ID (SHA-1: 20 bytes).
  EXPECT_EQ(v.build_id.size(), 40u) << v.build_id;
  EXPECT_NE(segment(v, PT_GNU_RELRO), nullptr) << "-z relro";
  const Elf64_Phdr *stack = segment(v, PT_GNU_STACK);
  ASSERT_NE(stack, nullptr);
  EXPECT_EQ(stack->p_flags & PF_X, 0u) << "-z noexecstack";
  ASSERT_NE(segment(v, PT_DYNAMIC), nullptr);
  std::int64_t flags = dynamic_value(v, DT_FLAGS, 0);
  EXPECT_NE(flags & DF_SYMBOLIC, 0) << "-Bsymbolic";
  EXPECT_NE(flags & DF_BIND_NOW, 0) << "-z now";
  EXPECT_NE(dynamic_value(v, DT_GNU_HASH), -1) << "--hash-style=gnu";
  EXPECT_EQ(dynamic_value(v, DT_NEEDED), -1) << "no libraries: bound to the backend's";

  // One link per process: the second fails cleanly.
  EXPECT_FALSE(o->second_ok);
  EXPECT_NE(o->second_error.find("links once per process"), std::string::npos) << o->second_error;
}

// The same object links to the same bytes (the cache stores whichever compile finished last).
TEST_F(Link, IsDeterministic) {
  std::optional<link_outcome> a = link_in_child(object), b = link_in_child(object);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->ok && b->ok) << a->error << b->error;
  EXPECT_EQ(a->shared_object, b->shared_object);
}

// What lld made is loaded (jit/loader.h) and runs: its own plcpp_unit_shadowed wins over the
// test binary's (-Bsymbolic), its initializer and destructor run, an exception unwinds.
TEST_F(Link, TheResultLoadsAndRuns) {
  std::optional<link_outcome> o = link_in_child(object);
  ASSERT_TRUE(o);
  ASSERT_TRUE(o->ok) << o->error;
  plcpp_unit_loader_events.clear();
  plcpp::jit::loaded_code code;
  std::string error;
  ASSERT_TRUE(plcpp::jit::load("unit-linked", "", o->shared_object, "", "f()", code, error))
      << error;
  auto entry = reinterpret_cast<long (*)(long)>(code.entry);
  EXPECT_EQ(entry(7), 2071);
  EXPECT_THROW(entry(-7), std::invalid_argument);
  plcpp::jit::unload(code.handle);
  EXPECT_EQ(plcpp_unit_loader_events, (std::vector<std::string>{"init", "destroy"}));
}

// Text is read as a linker script; nothing is no input at all.
TEST_F(Link, BytesThatAreNoObjectFailWithLldsMessage) {
  for (const std::string &input : {std::string("not an object file at all"), std::string()}) {
    SCOPED_TRACE(input);
    std::optional<link_outcome> o = link_in_child(input);
    ASSERT_TRUE(o);
    EXPECT_FALSE(o->ok);
    EXPECT_FALSE(o->error.empty());
    EXPECT_NE(o->error.find("error"), std::string::npos) << o->error;
    EXPECT_TRUE(o->shared_object.empty());
    EXPECT_TRUE(o->stdout_restored);
    // Still one link per process, failed or not.
    EXPECT_FALSE(o->second_ok);
    EXPECT_NE(o->second_error.find("links once per process"), std::string::npos);
  }
}

// A malformed ELF object is one of the errors lld 14 treats as fatal: it exits the process
// (status 1, its message lost with the process's memory) instead of returning. This is one
// more reason why linking happens in a compile process of its own, never in a backend: the
// backend reports "the compile process exited with status 1" (handler/compile_run.cpp).
TEST_F(Link, MalformedObjectEndsTheProcess) {
  int status;
  std::string report = run_in_child_status(
      [&] {
        std::string out, error;
        bool ok = plcpp::jit::link_shared_object(object.substr(0, object.size() / 2), out, error);
        return std::string(ok ? "returned true" : "returned false: " + error);
      },
      status);
  ASSERT_TRUE(WIFEXITED(status)) << "not killed by a signal";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_TRUE(report.empty()) << report;
}

// A compile process whose standard output is closed (a postmaster started with stdout closed
// passes that on to every process it forks): memfd_create() then returns descriptor 1 for
// lld's input, and link.cpp's dup2(out, 1) replaces the input with the empty output file, so
// every link fails with "ld.lld: error: no input files". DISABLED until jit/link.cpp keeps its
// memory files off descriptors 0-2 (e.g. fcntl(fd, F_DUPFD_CLOEXEC, 3)): see the report of
// issue 20's unit tests.
TEST_F(Link, LinksWithStandardOutputClosed) {
  std::optional<std::string> report = run_in_child([&] {
    ::close(1);
    std::string out, error;
    bool ok = plcpp::jit::link_shared_object(object, out, error);
    return ok && out.compare(0, 4,
                             "\x7f"
                             "ELF") == 0
               ? std::string("ok")
               : "failed: " + error;
  });
  ASSERT_TRUE(report);
  EXPECT_EQ(*report, "ok");
}

} // namespace
