// jit/codegen.cpp — see codegen.h.
#include "codegen.h"

#include "interrupt_pass.h"
#include "static_init.h"
#include "target.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/AliasAnalysis.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <chrono>

namespace plcpp::jit {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

llvm::OptimizationLevel pipeline_level(int opt_level) {
  switch (opt_level) {
  case 0:
    return llvm::OptimizationLevel::O0;
  case 1:
    return llvm::OptimizationLevel::O1;
  case 3:
    return llvm::OptimizationLevel::O3;
  default:
    return llvm::OptimizationLevel::O2;
  }
}

// Clang's own -O pipeline (its BackendUtil does the same with the new pass manager).
void optimize(llvm::Module &m, llvm::TargetMachine &tm, int opt_level, bool interrupt_checks) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = opt_level > 1;
  tuning.LoopInterleaving = opt_level > 1;
  tuning.LoopVectorization = opt_level > 1;
  tuning.SLPVectorization = opt_level > 1;
  llvm::PassBuilder pb(&tm, tuning);
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  fam.registerPass([&] { return pb.buildDefaultAAPipeline(); });
  llvm::Triple triple(m.getTargetTriple());
  llvm::TargetLibraryInfoImpl tlii(triple);
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);

  // Interrupt checks go in first (interrupt_pass.h says why), then Clang's pipeline.
  llvm::ModulePassManager mpm;
  if (interrupt_checks) mpm.addPass(interrupt_checks_pass());
  llvm::OptimizationLevel level = pipeline_level(opt_level);
  mpm.addPass(level == llvm::OptimizationLevel::O0 ? pb.buildO0DefaultPipeline(level)
                                                   : pb.buildPerModuleDefaultPipeline(level));
  if (interrupt_checks) mpm.addPass(inlined_entry_checks_pass());
  if (interrupt_checks && tuning.LoopVectorization) mpm.addPass(vectorize_checked_loops_pass());
  mpm.run(m, mam);
}

} // namespace

namespace {

// Errors LLVM finds after Clang is done (an inline assembly statement the assembler rejects:
// `asm("bogus_insn")`) go to the context's diagnostic handler; without one, LLVM prints them and
// calls exit(1). Collected here, they become a compile error of the body instead.
void collect_errors(const llvm::DiagnosticInfo &info, void *context) {
  if (info.getSeverity() != llvm::DS_Error) return;
  auto &errors = *static_cast<std::string *>(context);
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::DiagnosticPrinterRawOStream printer(os);
  info.print(printer);
  os.flush();
  errors += (errors.empty() ? "" : "; ") + text;
}

} // namespace

llvm::Expected<codegen_result> generate_object(llvm::Module &module, int opt_level,
                                               bool interrupt_checks) {
  codegen_result out;
  std::string errors;
  module.getContext().setDiagnosticHandlerCallBack(collect_errors, &errors);
  auto tm = host_target(opt_level).createTargetMachine();
  if (!tm) return tm.takeError();
  module.setDataLayout((*tm)->createDataLayout());
  module.setTargetTriple((*tm)->getTargetTriple().str());

  auto t0 = std::chrono::steady_clock::now();
  optimize(module, **tm, opt_level, interrupt_checks);
  out.interrupt_checks = interrupt_checks ? last_interrupt_check_count() : 0;
  rewrite_static_init(module);
  std::string broken;
  llvm::raw_string_ostream why(broken);
  if (llvm::verifyModule(module, &why))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "generated code does not verify: " + why.str());
  out.optimize_ms = ms_since(t0);

  t0 = std::chrono::steady_clock::now();
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager codegen;
  if ((*tm)->addPassesToEmitFile(codegen, os, nullptr, llvm::CGFT_ObjectFile))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "this target cannot emit object files");
  codegen.run(module);
  if (!errors.empty()) return llvm::createStringError(llvm::inconvertibleErrorCode(), errors);
  out.object.assign(buffer.begin(), buffer.end());
  out.emit_ms = ms_since(t0);
  return out;
}

} // namespace plcpp::jit
