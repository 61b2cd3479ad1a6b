// jit/compiler.cpp — see compiler.h. No PostgreSQL headers here (and none may be added).
#include "compiler.h"

#include "codegen.h"
#include "flags.h"
#include "host.h"
#include "line_extract.h"
#include "link.h"
#include "target.h"

#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Basic/Version.h>
#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Driver/Compilation.h>
#include <clang/Driver/Driver.h>
#include <clang/Driver/Job.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/FrontendActions.h>
#include <clang/Lex/PreprocessorOptions.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace plcpp::jit {
namespace {

constexpr const char *main_file = "plcpp-function.cpp";
constexpr const char *pch_stub_file = "plcpp-pch.hpp";

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Collects diagnostics as data instead of printing them (nothing reaches the server log).
class collector : public clang::DiagnosticConsumer {
public:
  explicit collector(unsigned max) : max_(max) {}
  std::vector<diagnostic> items;

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                        const clang::Diagnostic &info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level == clang::DiagnosticsEngine::Ignored) return;
    if (level == clang::DiagnosticsEngine::Note && !last_kept_) return;
    if (items.size() >= max_ * 2) return; // errors plus their notes
    diagnostic d;
    d.level = level == clang::DiagnosticsEngine::Note      ? diagnostic::severity::note
              : level == clang::DiagnosticsEngine::Warning ? diagnostic::severity::warning
                                                           : diagnostic::severity::error;
    llvm::SmallString<256> text;
    info.FormatDiagnostic(text);
    d.message = std::string(text);
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      clang::PresumedLoc p = info.getSourceManager().getPresumedLoc(info.getLocation());
      if (p.isValid()) {
        d.in_body = std::string_view(p.getFilename()) == body_file;
        d.line = p.getLine();
        d.column = p.getColumn();
      }
    }
    // Warnings and notes matter only inside the body (notes into the runtime header or the
    // standard library, e.g. overload candidates, are noise); notes only after a kept item.
    bool keep = d.level == diagnostic::severity::error || d.in_body;
    if (d.level != diagnostic::severity::note) last_kept_ = keep;
    if (keep) items.push_back(std::move(d));
  }

private:
  unsigned max_;
  bool last_kept_ = false;
};

// The driver turns a clang++ command line into cc1 arguments (resource dir, libstdc++ paths).
// That costs ~1 ms, so it runs once per distinct command line.
std::shared_ptr<clang::CompilerInvocation> invocation_for(const std::vector<std::string> &argv,
                                                          std::string &error) {
  static std::map<std::vector<std::string>, std::shared_ptr<clang::CompilerInvocation>> cache;
  auto it = cache.find(argv);
  if (it != cache.end()) return it->second;

  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> opts = new clang::DiagnosticOptions();
  collector sink(4);
  clang::DiagnosticsEngine diags(new clang::DiagnosticIDs(), opts, &sink, false);
  clang::driver::Driver driver(clang_path, llvm::sys::getDefaultTargetTriple(), diags);
  driver.setCheckInputsExist(false);
  std::vector<const char *> args;
  for (const auto &a : argv)
    args.push_back(a.c_str());
  std::unique_ptr<clang::driver::Compilation> c(driver.BuildCompilation(args));
  if (!c || c->getJobs().size() != 1 || !llvm::isa<clang::driver::Command>(*c->getJobs().begin())) {
    error = "the Clang driver did not produce one compile job";
    for (auto &d : sink.items)
      error += ": " + d.message;
    return nullptr;
  }
  const auto &cmd = llvm::cast<clang::driver::Command>(*c->getJobs().begin());
  auto inv = std::make_shared<clang::CompilerInvocation>();
  if (!clang::CompilerInvocation::CreateFromArgs(*inv, cmd.getArguments(), diags)) {
    error = "Clang rejected the compile arguments";
    return nullptr;
  }
  cache.emplace(argv, inv);
  return inv;
}

std::vector<std::string> base_argv(const compile_options &o) {
  std::vector<std::string> argv{clang_path};
  argv.insert(argv.end(), common_flags().begin(), common_flags().end());
  argv.push_back("-O" + std::to_string(o.opt_level));
  argv.push_back("-ferror-limit=" + std::to_string(o.max_errors));
  argv.push_back("-I" + o.include_dir);
  return argv;
}

// Runs `action` on `invocation` (copied) with `source` as the in-memory input file.
bool run_action(const clang::CompilerInvocation &base, const std::string &file,
                const std::string &source, clang::FrontendAction &action, collector &sink,
                const std::string &implicit_pch, bool ir_only = false) {
  auto inv = std::make_shared<clang::CompilerInvocation>(base);
  // Clang's IR before any LLVM pass: codegen.cpp runs the pipeline, with the interrupt pass.
  inv->getCodeGenOpts().DisableLLVMPasses = ir_only;
  // Without this the front end leaks its whole AST (~10 MB) per compile (JIT-NOTES).
  inv->getFrontendOpts().DisableFree = false;
  inv->getCodeGenOpts().DisableFree = false;
  inv->getPreprocessorOpts().clearRemappedFiles();
  inv->getPreprocessorOpts().addRemappedFile(
      file, llvm::MemoryBuffer::getMemBufferCopy(source, file).release());
  inv->getPreprocessorOpts().ImplicitPCHInclude = implicit_pch;

  clang::CompilerInstance ci;
  ci.setInvocation(std::move(inv));
  ci.createDiagnostics(&sink, /*ShouldOwnClient=*/false);
  ci.setVerboseOutputStream(std::make_unique<llvm::raw_null_ostream>());
  bool ok = ci.ExecuteAction(action);
  return ok && !ci.getDiagnostics().hasErrorOccurred();
}

std::string hex64(const std::string &text) {
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx",
           static_cast<unsigned long long>(llvm::xxHash64(llvm::StringRef(text))));
  return hex;
}

// The PCH depends on the runtime headers' content, the compiler and the flags. Its name is
// runtime-<headers>-<flags>.pch, so that PCHs of older headers can be recognised and removed.
std::string pch_path(const compile_options &o, const std::string &stub) {
  std::string flags = CLANG_VERSION_STRING;
  for (const auto &a : base_argv(o))
    flags += "\n" + a;
  flags += "\n" + stub;
  return o.pch_dir + "/runtime-" + runtime_headers_hash(o.include_dir) + "-" + hex64(flags) +
         ".pch";
}

// What the precompiled header holds: the unit's leading runtime includes (jit/source.cpp puts
// plcpp/plcpp.hpp there, and plcpp/json.hpp when the code uses it), so that each variant has
// its own PCH and a unit never pays for a header it does not include.
std::string pch_stub(const std::string &source) {
  std::string stub;
  std::size_t at = 0;
  while (at < source.size()) {
    std::size_t end = source.find('\n', at);
    if (end == std::string::npos) end = source.size();
    std::string_view line(source.data() + at, end - at);
    if (line.substr(0, 16) == "#include <plcpp/")
      stub.append(line).append("\n");
    else if (line.substr(0, 2) != "//")
      break;
    at = end + 1;
  }
  return stub.empty() ? "#include <plcpp/plcpp.hpp>\n" : stub;
}

// PCHs of other runtime headers (an older plcpp) are never used again.
void remove_stale_pchs(const std::string &dir, const std::string &current) {
  std::string prefix = current.substr(0, current.rfind('-') + 1); // .../runtime-<headers>-
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.startswith("runtime-") && name.endswith(".pch") &&
        !llvm::StringRef(it->path()).startswith(prefix))
      llvm::sys::fs::remove(it->path());
  }
}

std::string temp_tag(const compile_options &o) {
  return o.temp_tag.empty() ? std::to_string(::getpid()) : o.temp_tag;
}

// Builds the PCH into a temporary file and renames it into place, so that concurrent builders
// (several backends) never expose a half-written file.
bool build_pch(const compile_options &o, const std::string &stub, const std::string &path,
               std::string &error) {
  std::vector<std::string> argv = base_argv(o);
  argv.insert(argv.end(),
              {"-fpch-instantiate-templates", "-x", "c++-header", pch_stub_file, "-o", path});
  auto inv = invocation_for(argv, error);
  if (!inv) return false;
  std::string tmp = path + ".tmp." + temp_tag(o);
  auto local = std::make_shared<clang::CompilerInvocation>(*inv);
  local->getFrontendOpts().OutputFile = tmp;
  llvm::sys::fs::create_directories(o.pch_dir);
  collector sink(4);
  clang::GeneratePCHAction action;
  if (!run_action(*local, pch_stub_file, stub, action, sink, "")) {
    llvm::sys::fs::remove(tmp);
    error = "building the precompiled runtime header failed";
    for (auto &d : sink.items)
      error += ": " + d.message;
    return false;
  }
  if (llvm::sys::fs::rename(tmp, path)) {
    llvm::sys::fs::remove(tmp);
    error = "could not move the precompiled header into " + o.pch_dir;
    return false;
  }
  remove_stale_pchs(o.pch_dir, path);
  return true;
}

// The PCH is built in a process of its own: writing it is where a full or broken volume makes
// LLVM exit() ("IO failure on output stream"), and then only the PCH is lost, not the compile,
// which goes on without it. The child dies with this process (a killed compile).
bool build_pch_isolated(const compile_options &o, const std::string &stub, const std::string &path,
                        std::string &error) {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    error = "could not fork to build the precompiled runtime header";
    return false;
  }
  if (pid == 0) {
    (void)::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1); // the compile process died before the line above
    std::string child_error;
    bool ok = build_pch(o, stub, path, child_error);
    if (!ok) llvm::errs() << "plcpp: " << child_error << "\n";
    llvm::errs().flush();
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  // Ours (<pch>.tmp.<tag>) and Clang's own next to it (<pch>.tmp-XXXXXXXX.<tag>.tmp): a
  // failed write (LLVM exits at once) leaves both.
  std::string ours = ".tmp." + temp_tag(o), clangs = "." + temp_tag(o) + ".tmp";
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(o.pch_dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.endswith(ours) || name.endswith(clangs)) llvm::sys::fs::remove(it->path());
  }
  error = "building the precompiled runtime header in " + o.pch_dir + " failed (" +
          (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                               : "exit status " + std::to_string(WEXITSTATUS(status))) +
          ")";
  return false;
}

bool pch_problem(const std::vector<diagnostic> &diags) {
  for (const auto &d : diags)
    if (d.message.find("precompiled header") != std::string::npos ||
        d.message.find("PCH file") != std::string::npos)
      return true;
  return false;
}

void compile_impl(const compile_request &req, compile_result &out) {
  const compile_options &o = req.options;
  std::string error;
  std::vector<std::string> argv = base_argv(o);
  argv.insert(argv.end(), {"-c", main_file});
  auto inv = invocation_for(argv, error);
  if (!inv) {
    out.diagnostics.push_back({diagnostic::severity::error, false, 0, 0, error});
    return;
  }

  std::string pch, stub = pch_stub(req.source);
  if (!o.pch_dir.empty()) {
    pch = pch_path(o, stub);
    if (!llvm::sys::fs::exists(pch)) {
      auto t0 = std::chrono::steady_clock::now();
      if (!build_pch_isolated(o, stub, pch, out.pch_problem))
        pch.clear(); // compile without; slower but correct
      out.pch_build_ms = ms_since(t0);
    }
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    auto t0 = std::chrono::steady_clock::now();
    auto context = std::make_unique<llvm::LLVMContext>();
    clang::EmitLLVMOnlyAction action(context.get());
    collector sink(o.max_errors);
    bool ok = run_action(*inv, main_file, req.source, action, sink, pch, true);
    out.frontend_ms = ms_since(t0);
    if (!ok && !pch.empty() && attempt == 0 && pch_problem(sink.items)) {
      // A stale or damaged PCH: rebuild it once, or go on without it.
      llvm::sys::fs::remove(pch);
      if (!build_pch_isolated(o, stub, pch, out.pch_problem)) pch.clear();
      continue;
    }
    out.diagnostics = std::move(sink.items);
    if (!ok) return;
    std::unique_ptr<llvm::Module> module = action.takeModule();
    if (!module) {
      out.diagnostics.push_back(
          {diagnostic::severity::error, false, 0, 0, "Clang produced no LLVM module"});
      return;
    }
    module->setModuleIdentifier(req.module_name);
    auto object = generate_object(*module, o.opt_level, o.interrupt_checks);
    if (!object) {
      out.diagnostics.push_back({diagnostic::severity::error, false, 0, 0,
                                 "code generation failed: " + llvm::toString(object.takeError())});
      return;
    }
    auto t1 = std::chrono::steady_clock::now();
    if (!link_shared_object(object->object, out.shared_object, error)) {
      out.diagnostics.push_back(
          {diagnostic::severity::error, false, 0, 0, "linking failed: " + error});
      return;
    }
    out.line_table = encode_line_table(extract_body_lines(out.shared_object, body_file));
    out.link_ms = ms_since(t1);
    out.optimize_ms = object->optimize_ms;
    out.emit_ms = object->emit_ms;
    out.interrupt_checks = object->interrupt_checks;
    out.ok = true;
    return;
  }
}

// LLVM's fatal errors and memory exhaustion end the compile process with a status its parent
// understands (the reason on stderr, which the parent reads); LLVM is built without exception
// tables, so unwinding a bad_alloc through it is not an option.
void fatal_exit(void *, const char *reason, bool) {
  llvm::errs() << "LLVM ERROR: " << reason << "\n";
  llvm::errs().flush();
  ::_exit(70);
}
void out_of_memory_exit(void *, const char *reason, bool) {
  static const char message[] = "plcpp compile process: out of memory\n";
  (void)!::write(2, message, sizeof message - 1);
  (void)reason;
  ::_exit(99);
}

} // namespace

compile_result compile(const compile_request &request) noexcept {
  static bool handlers = false;
  if (!handlers) {
    handlers = true;
    llvm::install_fatal_error_handler(fatal_exit, nullptr);
    llvm::install_bad_alloc_error_handler(out_of_memory_exit, nullptr);
  }
  compile_result out;
  try {
    compile_impl(request, out);
  } catch (const std::exception &e) {
    out.ok = false;
    out.diagnostics.push_back({diagnostic::severity::error, false, 0, 0,
                               std::string("internal compiler error: ") + e.what()});
  } catch (...) {
    out.ok = false;
    out.diagnostics.push_back(
        {diagnostic::severity::error, false, 0, 0, "internal compiler error"});
  }
  return out;
}

} // namespace plcpp::jit

extern "C" __attribute__((visibility("default"))) void
plcpp_jit_compile(const plcpp::jit::compile_request *request, plcpp::jit::compile_result *result) {
  *result = plcpp::jit::compile(*request);
}
