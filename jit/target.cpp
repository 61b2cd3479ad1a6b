// jit/target.cpp — see target.h. No PostgreSQL headers here.
#include "target.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/xxhash.h>

#include <algorithm>
#include <cstdio>
#include <vector>

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

std::string host_target_description() {
  auto jtmb = host_target(2);
  return jtmb.getTargetTriple().str() + " " + jtmb.getCPU() + " " + jtmb.getFeatures().getString();
}

std::string runtime_headers_hash(const std::string &include_dir) {
  std::vector<std::string> headers;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(include_dir + "/plcpp", ec), end; it != end && !ec;
       it.increment(ec))
    headers.push_back(it->path());
  std::sort(headers.begin(), headers.end());
  std::string all;
  for (const auto &h : headers) {
    all += h + '\n';
    if (auto buffer = llvm::MemoryBuffer::getFile(h)) all += (*buffer)->getBuffer();
    all += '\n';
  }
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx",
           static_cast<unsigned long long>(llvm::xxHash64(llvm::StringRef(all))));
  return hex;
}

} // namespace plcpp::jit
