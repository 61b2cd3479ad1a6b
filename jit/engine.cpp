// jit/engine.cpp — see engine.h.
#include "engine.h"

#include <plcpp/config.hpp>

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/RTDyldObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/SectionMemoryManager.h>
#include <llvm/Support/Memory.h>
#include <llvm/Support/TargetSelect.h>

#include <sys/mman.h>

#include <chrono>
#include <memory>

namespace plcpp::jit {
namespace {

std::unique_ptr<llvm::orc::LLJIT> jit;

// Code memory whose addresses are never handed out again. Removing a function's JITDylib
// deregisters its EH frames and frees its code; with libgcc 12 and LLVM 14 a later function
// placed at the same address was then found with no unwind information, so an exception
// thrown through it called std::terminate. Freed blocks therefore keep their address range
// (PROT_NONE, pages returned to the OS with MADV_DONTNEED): the physical memory is freed, only
// the address space is not reused.
class never_reused_mapper final : public llvm::SectionMemoryManager::MemoryMapper {
public:
  llvm::sys::MemoryBlock allocateMappedMemory(llvm::SectionMemoryManager::AllocationPurpose,
                                              size_t bytes, const llvm::sys::MemoryBlock *near,
                                              unsigned flags, std::error_code &ec) override {
    return llvm::sys::Memory::allocateMappedMemory(bytes, near, flags, ec);
  }
  std::error_code protectMappedMemory(const llvm::sys::MemoryBlock &block,
                                      unsigned flags) override {
    return llvm::sys::Memory::protectMappedMemory(block, flags);
  }
  std::error_code releaseMappedMemory(llvm::sys::MemoryBlock &block) override {
    if (!block.base()) return {};
    void *base = block.base();
    size_t size = block.allocatedSize();
    madvise(base, size, MADV_DONTNEED);
    if (mprotect(base, size, PROT_NONE) != 0)
      return std::error_code(errno, std::generic_category());
    block = llvm::sys::MemoryBlock();
    return {};
  }
};

never_reused_mapper code_memory;

llvm::Error ensure_jit() {
  if (jit) return llvm::Error::success();
  // Idempotent, and shared with the server's own llvmjit.so if it is loaded too.
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::InitializeNativeTargetAsmParser();
  auto tmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmb) return tmb.takeError();
  tmb->setCodeGenOptLevel(llvm::CodeGenOpt::Default);
  auto j =
      llvm::orc::LLJITBuilder()
          .setJITTargetMachineBuilder(std::move(*tmb))
          .setObjectLinkingLayerCreator(
              [](llvm::orc::ExecutionSession &es,
                 const llvm::Triple &) -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
                return std::make_unique<llvm::orc::RTDyldObjectLinkingLayer>(
                    es, [] { return std::make_unique<llvm::SectionMemoryManager>(&code_memory); });
              })
          .create();
  if (!j) return j.takeError();
  jit = std::move(*j);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<loaded_code> load(llvm::orc::ThreadSafeModule module, const std::string &name) {
  auto t0 = std::chrono::steady_clock::now();
  if (auto err = ensure_jit()) return std::move(err);

  auto jd = jit->createJITDylib(name);
  if (!jd) return jd.takeError();
  // Runtime API, libstdc++ and libc symbols come from the backend process itself.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit->getDataLayout().getGlobalPrefix());
  if (!process) return process.takeError();
  jd->addGenerator(std::move(*process));
  // Static destructors (a `static` statement in a body) register through the IR platform,
  // whose support symbols live in the main JITDylib.
  jd->addToLinkOrder(jit->getMainJITDylib());

  auto fail = [&](llvm::Error err) -> llvm::Expected<loaded_code> {
    llvm::consumeError(jit->getExecutionSession().removeJITDylib(*jd));
    return std::move(err);
  };
  if (auto err = jit->addIRModule(*jd, std::move(module))) return fail(std::move(err));
  auto sym = jit->lookup(*jd, plcpp::detail::entry_symbol);
  if (!sym) return fail(sym.takeError());
  if (auto err = jit->initialize(*jd)) return fail(std::move(err));

  loaded_code code;
  code.handle = &*jd;
  code.entry = static_cast<std::uintptr_t>(sym->getAddress());
  code.link_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return code;
}

llvm::Error unload(void *handle) {
  auto &jd = *static_cast<llvm::orc::JITDylib *>(handle);
  llvm::Error deinit = jit->deinitialize(jd);
  llvm::Error removed = jit->getExecutionSession().removeJITDylib(jd);
  return llvm::joinErrors(std::move(deinit), std::move(removed));
}

} // namespace plcpp::jit
