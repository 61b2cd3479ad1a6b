// test/unit/test_compile_wire.cpp — jit/compile_wire.h: a compile_result (now with the shared
// object, its line table and the link time) survives the trip from the compile process to
// the backend, and a result cut short or garbled is refused, never half taken.
#include "jit/compile_wire.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using plcpp::jit::compile_result;
using plcpp::jit::diagnostic;
namespace wire = plcpp::jit::wire;

compile_result sample_result() {
  compile_result r;
  r.ok = true;
  r.shared_object = std::string("\x7f"
                                "ELF\0\1\2",
                                7);
  for (int i = 0; i < 5000; ++i)
    r.shared_object += static_cast<char>(i * 37);
  r.line_table = std::string("\0lines\0", 7);
  diagnostic w;
  w.level = diagnostic::severity::warning;
  w.in_body = true;
  w.line = 3;
  w.column = 17;
  w.message = "unused variable 'x'";
  diagnostic n;
  n.level = diagnostic::severity::note;
  n.in_body = false;
  n.line = 0;
  n.column = 0;
  n.message = std::string("with a NUL \0 inside", 19);
  r.diagnostics = {w, n};
  r.frontend_ms = 12.5;
  r.pch_build_ms = 0.25;
  r.optimize_ms = 3.75;
  r.emit_ms = 1.5;
  r.link_ms = 0.875;
  r.interrupt_checks = 4;
  r.pch_problem = "no space left on device";
  return r;
}

TEST(CompileWire, EveryFieldSurvivesTheTrip) {
  const compile_result want = sample_result();
  compile_result got;
  ASSERT_TRUE(wire::decode(wire::encode(want), got));
  EXPECT_EQ(got.ok, want.ok);
  EXPECT_EQ(got.shared_object, want.shared_object);
  EXPECT_EQ(got.line_table, want.line_table);
  ASSERT_EQ(got.diagnostics.size(), want.diagnostics.size());
  for (size_t i = 0; i < got.diagnostics.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got.diagnostics[i].level, want.diagnostics[i].level);
    EXPECT_EQ(got.diagnostics[i].in_body, want.diagnostics[i].in_body);
    EXPECT_EQ(got.diagnostics[i].line, want.diagnostics[i].line);
    EXPECT_EQ(got.diagnostics[i].column, want.diagnostics[i].column);
    EXPECT_EQ(got.diagnostics[i].message, want.diagnostics[i].message);
  }
  EXPECT_EQ(got.frontend_ms, want.frontend_ms);
  EXPECT_EQ(got.pch_build_ms, want.pch_build_ms);
  EXPECT_EQ(got.optimize_ms, want.optimize_ms);
  EXPECT_EQ(got.emit_ms, want.emit_ms);
  EXPECT_EQ(got.link_ms, want.link_ms);
  EXPECT_EQ(got.interrupt_checks, want.interrupt_checks);
  EXPECT_EQ(got.pch_problem, want.pch_problem);
}

TEST(CompileWire, AnEmptyFailedResultSurvivesToo) {
  compile_result failed;
  failed.diagnostics.push_back({diagnostic::severity::error, false, 0, 0, "linking failed: x"});
  compile_result got = sample_result(); // decode replaces what was there
  ASSERT_TRUE(wire::decode(wire::encode(failed), got));
  EXPECT_FALSE(got.ok);
  EXPECT_TRUE(got.shared_object.empty());
  EXPECT_TRUE(got.line_table.empty());
  ASSERT_EQ(got.diagnostics.size(), 1u);
  EXPECT_EQ(got.diagnostics[0].message, "linking failed: x");
  EXPECT_EQ(got.link_ms, 0);
  EXPECT_TRUE(got.pch_problem.empty());
}

// A compile process that died while writing: every proper prefix is refused.
TEST(CompileWire, EveryPrefixIsRefused) {
  const std::string bytes = wire::encode(sample_result());
  compile_result got;
  for (size_t n = 0; n < bytes.size(); n += (n < 200 || bytes.size() - n < 200) ? 1 : 97)
    ASSERT_FALSE(wire::decode(std::string_view(bytes).substr(0, n), got)) << n;
  EXPECT_TRUE(wire::decode(bytes, got));
}

TEST(CompileWire, GarbledBytesAreRefused) {
  const std::string bytes = wire::encode(sample_result());
  compile_result got;
  EXPECT_FALSE(wire::decode(bytes + "x", got)) << "trailing bytes";
  std::string head = bytes;
  head[0] ^= 1;
  EXPECT_FALSE(wire::decode(head, got)) << "head magic";
  std::string tail = bytes;
  tail[tail.size() - 1] ^= 1;
  EXPECT_FALSE(wire::decode(tail, got)) << "tail magic";
  // The shared object's length (after the head magic and ok) made larger than what follows.
  std::string length = bytes;
  length[4 + 1 + 7] = '\x7f';
  EXPECT_FALSE(wire::decode(length, got)) << "a length beyond the end";
  // A severity that does not exist.
  compile_result r = sample_result();
  r.diagnostics[0].level = static_cast<diagnostic::severity>(200);
  EXPECT_FALSE(wire::decode(wire::encode(r), got)) << "severity 200";
}

} // namespace
