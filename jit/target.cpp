// jit/target.cpp — see target.h. No PostgreSQL headers here.
#include "target.h"

#include <llvm/Support/TargetSelect.h>

namespace plcpp::jit {

llvm::orc::JITTargetMachineBuilder host_target(int opt_level) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::InitializeNativeTargetAsmParser();
  auto jtmb = llvm::cantFail(llvm::orc::JITTargetMachineBuilder::detectHost());
  jtmb.setRelocationModel(llvm::Reloc::PIC_);
  jtmb.setCodeModel(llvm::CodeModel::Small);
  jtmb.setCodeGenOptLevel(opt_level == 0   ? llvm::CodeGenOpt::None
                          : opt_level == 1 ? llvm::CodeGenOpt::Less
                          : opt_level == 2 ? llvm::CodeGenOpt::Default
                                           : llvm::CodeGenOpt::Aggressive);
  return jtmb;
}

} // namespace plcpp::jit
