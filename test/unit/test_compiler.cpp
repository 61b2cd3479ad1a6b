// test/unit/test_compiler.cpp — jit/compiler.h: the real in-process Clang, on units built by
// jit/source.h, against runtime/include of this checkout. Slower than the other tests, so
// each case checks several things. The compiler links its result with lld, which links once
// per process (jit/link.h): every compile runs in a child process of its own, as in plcpp,
// and hands its result back through jit/compile_wire.h.
#include "jit/compile_wire.h"
#include "jit/compiler.h"
#include "jit/core_unit.h"
#include "jit/interrupt_pass.h"
#include "jit/source.h"
#include "jit/static_init.h"

#include <plcpp/config.hpp>

#include <gtest/gtest.h>

#include "child_process.h"
#include "object_symbols.h"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef PLCPP_TEST_INCLUDE_DIR
#error "PLCPP_TEST_INCLUDE_DIR must name runtime/include (see test/unit/Makefile)"
#endif

// The old tag names of the SQL types, for readable test cases.
inline plcpp::jit::type_ref ty(const std::string &tag) {
  static const std::pair<const char *, unsigned> oids[] = {
      {"bool_", 16},   {"int2", 21},    {"int4", 23}, {"int8", 20}, {"oid", 26},
      {"float4", 700}, {"float8", 701}, {"text", 25}, {"name", 19}};
  for (const auto &[t, oid] : oids)
    if (tag == t) return *plcpp::jit::builtin_type(oid);
  throw std::invalid_argument("unknown tag " + tag);
}
inline plcpp::jit::param_spec P(const std::string &name, const std::string &tag) {
  return {name, ty(tag)};
}

namespace {

namespace fs = std::filesystem;
using plcpp::jit::compile_request;
using plcpp::jit::compile_result;
using plcpp::jit::diagnostic;
using plcpp::jit::function_spec;
using plcpp::jit::param_spec;

std::string make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "plcpp-unit-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return {};
  return pattern;
}

std::string describe(const std::vector<diagnostic> &diags) {
  std::ostringstream out;
  for (const auto &d : diags)
    out << (d.level == diagnostic::severity::error     ? "error"
            : d.level == diagnostic::severity::warning ? "warning"
                                                       : "note")
        << (d.in_body ? " [body " : " [wrapper ") << d.line << ":" << d.column << "] " << d.message
        << "\n";
  return out.str();
}

std::vector<diagnostic> with_level(const compile_result &r, diagnostic::severity level) {
  std::vector<diagnostic> out;
  for (const auto &d : r.diagnostics)
    if (d.level == level) out.push_back(d);
  return out;
}

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

class Compiler : public ::testing::Test {
protected:
  // One PCH directory for the whole suite (the PCH is built by whichever test runs first).
  static inline std::string shared_pch_dir;

  static void SetUpTestSuite() { shared_pch_dir = make_temp_dir(); }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!shared_pch_dir.empty()) fs::remove_all(shared_pch_dir, ec);
  }

  void SetUp() override { ASSERT_FALSE(shared_pch_dir.empty()) << "could not create a temp dir"; }

  static compile_result compile(const function_spec &spec, const std::string &pch_dir,
                                const std::string &module_name = "plcpp_unit_test",
                                bool interrupt_checks = true) {
    plcpp::jit::prepared_body body = plcpp::jit::prepare_body(spec.body);
    EXPECT_TRUE(body.errors.empty()) << describe(body.errors);
    compile_request request;
    request.source = plcpp::jit::assemble(spec, body);
    request.module_name = module_name;
    request.options.include_dir = PLCPP_TEST_INCLUDE_DIR;
    request.options.pch_dir = pch_dir;
    request.options.opt_level = 2;
    request.options.interrupt_checks = interrupt_checks;
    return compile_in_child(request);
  }

  // plcpp::jit::compile in a child process (see the top of the file).
  static compile_result compile_in_child(const compile_request &request) {
    std::optional<std::string> bytes =
        run_in_child([&] { return plcpp::jit::wire::encode(plcpp::jit::compile(request)); });
    compile_result r;
    if (!bytes) {
      r.diagnostics.push_back({diagnostic::severity::error, false, 0, 0, "the compile died"});
      return r;
    }
    EXPECT_TRUE(plcpp::jit::wire::decode(*bytes, r)) << "a cut short result";
    return r;
  }

  static function_spec int4_function(std::string body, std::vector<param_spec> params = {
                                                           P("a", "int4"), P("b", "int4")}) {
    function_spec spec;
    spec.name = "unit_test";
    spec.params = std::move(params);
    spec.result = ty("int4");
    spec.strict = true;
    spec.body = std::move(body);
    return spec;
  }

  // Whether the object's symbol table defines `symbol` (not merely references it).
  static bool defines(const compile_result &r, const char *symbol) {
    return symbol_state(r.shared_object, symbol) == symbol_defined;
  }
  // Whether it references `symbol` without defining it (an external resolved at load time).
  static bool references(const compile_result &r, const char *symbol) {
    return symbol_state(r.shared_object, symbol) == symbol_undefined;
  }
};

TEST_F(Compiler, ValidBodyCompilesWithPch) {
  function_spec spec = int4_function("if (!a || !b) return std::nullopt;\nreturn *a + *b;");
  spec.strict = false; // std::optional<std::int32_t> arguments
  compile_result r = compile(spec, shared_pch_dir, "unit_valid_pch");
  ASSERT_TRUE(r.ok) << describe(r.diagnostics);
  ASSERT_FALSE(r.shared_object.empty());
  EXPECT_TRUE(defines(r, "plcpp_entry"));
  // Static initialization rewritten for the loader (jit/static_init.h).
  EXPECT_TRUE(defines(r, plcpp::jit::init_symbol));
  EXPECT_TRUE(defines(r, plcpp::jit::dso_symbol));
  EXPECT_FALSE(defines(r, "no_such_symbol_in_the_object"));
  // No loop: no loop check. The body's function has its entry check (issue 18), inlined
  // into plcpp_entry, which has none of its own: it stays there.
  EXPECT_EQ(r.interrupt_checks, 0u);
  EXPECT_FALSE(references(r, plcpp::jit::interrupt_check_symbol));
  EXPECT_TRUE(references(r, plcpp::jit::entry_check_symbol));
  EXPECT_GE(r.optimize_ms, 0);
  EXPECT_GT(r.emit_ms, 0);
  EXPECT_TRUE(with_level(r, diagnostic::severity::error).empty()) << describe(r.diagnostics);
  EXPECT_GT(r.frontend_ms, 0);
}

// The result is a shared object (jit/link.h) that the loader can dlopen: its entry points are
// in the dynamic symbol table, and the body's function is named after the SQL function for
// gdb and perf (spec.symbol; plcpp_body when there is none).
TEST_F(Compiler, ResultIsASharedObjectNamingTheBody) {
  function_spec spec = int4_function("return a * b;");
  spec.symbol = "plcpp_public_unit_test_16384";
  compile_result r = compile(spec, shared_pch_dir, "unit_named");
  ASSERT_TRUE(r.ok) << describe(r.diagnostics);
  ASSERT_GE(r.shared_object.size(), sizeof(llvm::ELF::Elf64_Ehdr));
  EXPECT_EQ(r.shared_object.substr(0, 4), "\x7f"
                                          "ELF");
  llvm::ELF::Elf64_Ehdr header;
  memcpy(&header, r.shared_object.data(), sizeof header);
  EXPECT_EQ(header.e_type, llvm::ELF::ET_DYN);
  for (const char *symbol :
       {plcpp::detail::entry_symbol, plcpp::jit::init_symbol, plcpp::jit::dso_symbol})
    EXPECT_TRUE(exports_symbol(r.shared_object, symbol)) << symbol;
  EXPECT_FALSE(exports_symbol(r.shared_object, "no_such_symbol_in_the_object"));
  EXPECT_TRUE(defines_symbol_containing(r.shared_object, "plcpp_public_unit_test_16384"));
  EXPECT_FALSE(defines_symbol_containing(r.shared_object, "plcpp_body"));
  EXPECT_GT(r.link_ms, 0);

  compile_result unnamed = compile(int4_function("return a * b;"), shared_pch_dir, "unit_unnamed");
  ASSERT_TRUE(unnamed.ok) << describe(unnamed.diagnostics);
  EXPECT_TRUE(defines_symbol_containing(unnamed.shared_object, "plcpp_body"));
}

// Core units (jit/core_unit.h): plcpp/core.hpp only, with the same range checks and
// interrupt checks as regular units; one that needs more fails to compile (build.cpp then
// compiles the regular unit).
TEST_F(Compiler, CoreUnitsCompileWithTheCoreHeaderOnly) {
  auto core_compile = [](const std::string &body, const char *module) {
    function_spec spec = int4_function(body, {P("a", "int4"), P("d", "float8")});
    auto tu = plcpp::jit::assemble_core(spec, plcpp::jit::prepare_body(spec.body));
    EXPECT_TRUE(tu) << body;
    compile_request request;
    request.source = tu.value_or("");
    request.module_name = module;
    request.options.include_dir = PLCPP_TEST_INCLUDE_DIR;
    request.options.pch_dir = shared_pch_dir;
    return compile_in_child(request);
  };
  compile_result plain = core_compile("return a + 1;", "unit_core_plain");
  ASSERT_TRUE(plain.ok) << describe(plain.diagnostics);
  EXPECT_TRUE(defines(plain, "plcpp_entry"));
  EXPECT_EQ(plain.interrupt_checks, 0u);

  // double -> int32_t is range-checked by the same code as plcpp::ret (core.hpp).
  compile_result narrowed = core_compile("return d * 2;", "unit_core_checked");
  ASSERT_TRUE(narrowed.ok) << describe(narrowed.diagnostics);
  EXPECT_TRUE(references(narrowed, "_ZN5plcpp6detail25throw_result_out_of_rangeEPKcS2_"));

  compile_result loop =
      core_compile("std::int64_t s = 0;\nwhile (s >= 0) s += a;\nreturn 0;", "unit_core_loop");
  ASSERT_TRUE(loop.ok) << describe(loop.diagnostics);
  EXPECT_GE(loop.interrupt_checks, 1u);
  EXPECT_TRUE(references(loop, plcpp::jit::interrupt_check_symbol));

  // <cmath>'s M_PI passes the lexical test but is not in the core header: the compile fails.
  compile_result needs_more = core_compile("return M_PI * a;", "unit_core_needs_more");
  EXPECT_FALSE(needs_more.ok);
  EXPECT_FALSE(with_level(needs_more, diagnostic::severity::error).empty());
}

TEST_F(Compiler, ValidBodyCompilesWithoutPch) {
  // Empty pch_dir: no PCH. Also: unnamed ($1) arguments, text in and out, a void function.
  function_spec spec;
  spec.name = "no_pch";
  spec.params = {P("", "text"), P("n", "int8")};
  spec.result = ty("text");
  spec.strict = true;
  spec.body = "std::string s($1);\nreturn s.substr(0, static_cast<std::size_t>(n));";
  compile_result r = compile(spec, "");
  ASSERT_TRUE(r.ok) << describe(r.diagnostics);
  ASSERT_FALSE(r.shared_object.empty());
  EXPECT_TRUE(defines(r, "plcpp_entry"));
  EXPECT_EQ(r.pch_build_ms, 0);

  function_spec proc;
  proc.name = "void_no_pch";
  proc.params = {P("msg", "text")};
  proc.body = "if (msg) notice(\"got \", *msg);";
  compile_result v = compile(proc, "");
  ASSERT_TRUE(v.ok) << describe(v.diagnostics);
  EXPECT_TRUE(defines(v, "plcpp_entry"));
}

TEST_F(Compiler, EndlessLoopSurvivesAndIsInterruptible) {
  // -fno-finite-loops (jit/flags.h): the optimizer may not delete the side-effect-free loop,
  // and the interrupt pass makes it check InterruptPending. The body is not noexcept, and here
  // Clang cannot prove it nounwind either: `return a;` calls the constructor of plcpp::ret,
  // which may throw (see the disabled test below for a body without such a call).
  compile_result r = compile(int4_function("if (a > b)\n  for (;;) {}\nreturn a;"), shared_pch_dir);
  ASSERT_TRUE(r.ok) << describe(r.diagnostics);
  ASSERT_FALSE(r.shared_object.empty());
  EXPECT_TRUE(defines(r, "plcpp_entry"));
  EXPECT_GE(r.interrupt_checks, 1u);
  EXPECT_TRUE(references(r, plcpp::jit::interrupt_flag_symbol));
  EXPECT_TRUE(references(r, plcpp::jit::interrupt_check_symbol));

  // plcpp.interrupt_checks = off: the same loop, unchecked.
  compile_result off = compile(int4_function("if (a > b)\n  for (;;) {}\nreturn a;"),
                               shared_pch_dir, "unit_no_checks", false);
  ASSERT_TRUE(off.ok) << describe(off.diagnostics);
  EXPECT_TRUE(defines(off, "plcpp_entry"));
  EXPECT_EQ(off.interrupt_checks, 0u);
  EXPECT_FALSE(references(off, plcpp::jit::interrupt_flag_symbol));
  EXPECT_FALSE(references(off, plcpp::jit::interrupt_check_symbol));
}

// Clang marks nounwind any function with no instruction that may throw
// (CodeGenFunction::TryMarkNoThrow), however it is declared; the body's own code must be
// checked all the same (interrupt_pass.h), or these endless loops could not be cancelled.
TEST_F(Compiler, LoopInBodyWithoutThrowingCallsIsInterruptible) {
  for (const char *body : {"for (;;) {}", "if (a > b)\n  for (;;) {}\nreturn std::nullopt;",
                           "long s = 0;\n"
                           "for (long i = 0; i < a * 1000000000L; ++i) s += i ^ b;\n"
                           "return s == 42 ? std::nullopt : std::nullopt;"}) {
    SCOPED_TRACE(body);
    compile_result r = compile(int4_function(body), shared_pch_dir, "unit_nounwind_body");
    ASSERT_TRUE(r.ok) << describe(r.diagnostics);
    EXPECT_TRUE(defines(r, "plcpp_entry"));
    EXPECT_GE(r.interrupt_checks, 1u);
    EXPECT_TRUE(references(r, plcpp::jit::interrupt_flag_symbol));
    EXPECT_TRUE(references(r, plcpp::jit::interrupt_check_symbol));
  }
}

TEST_F(Compiler, PchFileAppearsAfterFirstCompile) {
  std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  auto pch_files = [&] {
    std::vector<std::string> names;
    for (const auto &e : fs::directory_iterator(dir))
      names.push_back(e.path().filename());
    return names;
  };
  EXPECT_TRUE(pch_files().empty());

  compile_result first = compile(int4_function("return a + b;"), dir);
  EXPECT_TRUE(first.ok) << describe(first.diagnostics);
  EXPECT_GT(first.pch_build_ms, 0);
  std::vector<std::string> names = pch_files();
  ASSERT_EQ(names.size(), 1u) << "expected exactly one file (no leftover .tmp)";
  // runtime-<runtime headers hash>-<compiler and flags hash>.pch
  EXPECT_TRUE(std::regex_match(names[0], std::regex("runtime-[0-9a-f]{16}-[0-9a-f]{16}\\.pch")))
      << names[0];
  EXPECT_GT(fs::file_size(fs::path(dir) / names[0]), 0u);

  // The second compile reuses it.
  compile_result second = compile(int4_function("return a - b;"), dir);
  EXPECT_TRUE(second.ok) << describe(second.diagnostics);
  EXPECT_EQ(second.pch_build_ms, 0);
  EXPECT_EQ(pch_files(), names);

  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST_F(Compiler, UndeclaredIdentifierOnThirdLine) {
  compile_result r = compile(int4_function("int x = a;\n"
                                           "int y = b;\n"
                                           "  return x + y + undeclared_thing;\n"),
                             shared_pch_dir);
  EXPECT_FALSE(r.ok);
  std::vector<diagnostic> errors = with_level(r, diagnostic::severity::error);
  ASSERT_EQ(errors.size(), 1u) << describe(r.diagnostics);
  EXPECT_TRUE(errors[0].in_body);
  EXPECT_EQ(errors[0].line, 3u);
  EXPECT_EQ(errors[0].column, 18u);
  EXPECT_TRUE(contains(errors[0].message, "undeclared_thing")) << errors[0].message;
  EXPECT_TRUE(contains(errors[0].message, "undeclared identifier")) << errors[0].message;
}

TEST_F(Compiler, AllErrorsAreReported) {
  compile_result r = compile(int4_function("int x = first_missing;\n"
                                           "\n"
                                           "int y = x + \tsecond_missing;\n"
                                           "return x + y;"),
                             shared_pch_dir);
  EXPECT_FALSE(r.ok);
  std::vector<diagnostic> errors = with_level(r, diagnostic::severity::error);
  ASSERT_EQ(errors.size(), 2u) << describe(r.diagnostics);
  EXPECT_TRUE(errors[0].in_body);
  EXPECT_EQ(errors[0].line, 1u);
  EXPECT_EQ(errors[0].column, 9u);
  EXPECT_TRUE(contains(errors[0].message, "first_missing")) << errors[0].message;
  EXPECT_TRUE(errors[1].in_body);
  EXPECT_EQ(errors[1].line, 3u);
  EXPECT_EQ(errors[1].column, 14u); // byte column: the tab counts as one
  EXPECT_TRUE(contains(errors[1].message, "second_missing")) << errors[1].message;
}

TEST_F(Compiler, LeadingIncludeCompilesAndKeepsLineNumbers) {
  const std::string include = "// needs std::regex\n"
                              "#include <regex>\n";
  compile_result ok = compile(
      int4_function(include + "static const std::regex digits(\"[0-9]+\");\n"
                              "return std::regex_match(std::to_string(a + b), digits) ? 1 : 0;"),
      shared_pch_dir);
  EXPECT_TRUE(ok.ok) << describe(ok.diagnostics);
  EXPECT_FALSE(ok.shared_object.empty());

  compile_result bad = compile(int4_function(include + "std::regex re(\"a+\");\n"
                                                       "std::smatch m;\n"
                                                       "return re.mark_count() + oops;"),
                               shared_pch_dir);
  EXPECT_FALSE(bad.ok);
  std::vector<diagnostic> errors = with_level(bad, diagnostic::severity::error);
  ASSERT_EQ(errors.size(), 1u) << describe(bad.diagnostics);
  EXPECT_TRUE(errors[0].in_body);
  EXPECT_EQ(errors[0].line, 5u);
  EXPECT_EQ(errors[0].column, 26u);
  EXPECT_TRUE(contains(errors[0].message, "oops")) << errors[0].message;

  // A problem in a hoisted #include is reported on that include's line of the body.
  compile_result missing =
      compile(int4_function("\n  #include <no_such_header_plcpp>\nreturn a;"), shared_pch_dir);
  EXPECT_FALSE(missing.ok);
  errors = with_level(missing, diagnostic::severity::error);
  ASSERT_EQ(errors.size(), 1u) << describe(missing.diagnostics);
  EXPECT_TRUE(errors[0].in_body);
  EXPECT_EQ(errors[0].line, 2u);
  EXPECT_TRUE(contains(errors[0].message, "no_such_header_plcpp")) << errors[0].message;
}

TEST_F(Compiler, IncludeLineEndingInABlockComment) {
  // Valid C++: a block comment that starts on the #include line and ends on the next one.
  compile_result r = compile(int4_function("#include <climits> /* for INT_MAX,\n"
                                           "   and nothing else */\n"
                                           "return a < INT_MAX ? a + 1 : a;"),
                             shared_pch_dir);
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(with_level(r, diagnostic::severity::error).empty()) << describe(r.diagnostics);
}

TEST_F(Compiler, ReturningAStringFromAnIntFunctionIsABodyError) {
  compile_result r = compile(int4_function("int unused_ok = a;\nreturn \"x\";"), shared_pch_dir);
  EXPECT_FALSE(r.ok);
  std::vector<diagnostic> errors = with_level(r, diagnostic::severity::error);
  ASSERT_FALSE(errors.empty()) << describe(r.diagnostics);
  EXPECT_TRUE(errors[0].in_body) << describe(r.diagnostics);
  EXPECT_EQ(errors[0].line, 2u);
  EXPECT_EQ(errors[0].column, 8u);
}

TEST_F(Compiler, FallingOffTheEndIsAnError) {
  compile_result r =
      compile(int4_function("if (a > b) return a;\nnotice(\"no return\");"), shared_pch_dir);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.shared_object.empty());
  std::vector<diagnostic> errors = with_level(r, diagnostic::severity::error);
  ASSERT_EQ(errors.size(), 1u) << describe(r.diagnostics);
  EXPECT_TRUE(contains(errors[0].message, "does not return a value")) << errors[0].message;
  // Reported at the closing brace, which sits on the line after the body's last one.
  EXPECT_TRUE(errors[0].in_body);
  EXPECT_EQ(errors[0].line, 3u);
  EXPECT_EQ(errors[0].column, 1u);
}

TEST_F(Compiler, WarningsDoNotFailTheCompile) {
  compile_result r = compile(int4_function("int unused = 42;\n"
                                           "int truncated = 2.5;\n"
                                           "return a + truncated;"),
                             shared_pch_dir);
  ASSERT_TRUE(r.ok) << describe(r.diagnostics);
  EXPECT_FALSE(r.shared_object.empty());
  EXPECT_TRUE(with_level(r, diagnostic::severity::error).empty()) << describe(r.diagnostics);
  // -Wliteral-conversion is on by default: reported, in the body, as a warning.
  std::vector<diagnostic> warnings = with_level(r, diagnostic::severity::warning);
  ASSERT_FALSE(warnings.empty()) << describe(r.diagnostics);
  bool found = false;
  for (const auto &w : warnings)
    if (w.in_body && w.line == 2 && w.column == 17) found = true;
  EXPECT_TRUE(found) << describe(r.diagnostics);
}

} // namespace
