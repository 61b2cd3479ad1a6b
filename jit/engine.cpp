// jit/engine.cpp — see engine.h.
#include "engine.h"

#include "static_init.h"

#include <plcpp/config.hpp>

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/RTDyldObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/SectionMemoryManager.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/Memory.h>
#include <llvm/Support/TargetSelect.h>

#include <dlfcn.h>
#include <sys/mman.h>

#include <chrono>
#include <memory>
#include <vector>

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

struct atexit_entry {
  void (*fn)(void *);
  void *arg;
  void *dso;
};
std::vector<atexit_entry> destructors; // in registration order

llvm::Error ensure_jit() {
  if (jit) return llvm::Error::success();
  // Idempotent, and shared with the server's own llvmjit.so if it is loaded too.
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::InitializeNativeTargetAsmParser();
  auto tmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmb) return tmb.takeError();
  auto j =
      llvm::orc::LLJITBuilder()
          .setJITTargetMachineBuilder(std::move(*tmb))
          // No ORC platform: objects carry their own initializer (static_init.h).
          .setPlatformSetUp([](llvm::orc::LLJIT &) { return llvm::Error::success(); })
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

llvm::Error static_error(const char *what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what);
}

// Static constructors are user code: an exception from one fails the load.
llvm::Error run_initializer(std::uintptr_t address) {
  try {
    reinterpret_cast<void (*)()>(address)();
    return llvm::Error::success();
  } catch (const std::exception &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   std::string("a static initializer threw: ") + e.what());
  } catch (...) {
    return static_error("a static initializer threw an exception");
  }
}

// Destructors registered for `dso`, last registered first.
void run_destructors(void *dso) {
  std::vector<atexit_entry> mine;
  for (auto it = destructors.begin(); it != destructors.end();) {
    if (it->dso == dso) {
      mine.push_back(*it);
      it = destructors.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
    try {
      it->fn(it->arg);
    } catch (...) {
      // A destructor that throws would terminate in C++; here the object is just left.
    }
  }
}

// Every symbol the object needs from outside must exist in this process before it is linked:
// RTDyld reports a missing one ("JIT session error: Symbols not found") and then leaves the
// relocation unresolved, so running the code jumped to address 0 and crashed the backend. A
// body can ask for any name (a block-scope declaration of a function nobody defines), and a
// cached object compiled against newer runtime headers than the loaded plcpp.so (make install
// without a server restart) asks for symbols this plcpp.so lacks.
llvm::Error check_undefined_symbols(llvm::MemoryBufferRef buffer) {
  auto file = llvm::object::ObjectFile::createObjectFile(buffer);
  if (!file) return file.takeError();
  std::string missing;
  int count = 0;
  for (const llvm::object::SymbolRef &sym : (*file)->symbols()) {
    auto flags = sym.getFlags();
    if (!flags) return flags.takeError();
    if (!(*flags & llvm::object::SymbolRef::SF_Undefined) ||
        (*flags & llvm::object::SymbolRef::SF_Weak))
      continue;
    auto name = sym.getName();
    if (!name) return name.takeError();
    if (name->empty() || ::dlsym(RTLD_DEFAULT, name->str().c_str())) continue;
    if (count++ < 3) missing += (missing.empty() ? "" : ", ") + name->str();
  }
  if (count == 0) return llvm::Error::success();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "the compiled code needs %d symbol%s that this server process does not have (%s%s)", count,
      count == 1 ? "" : "s", missing.c_str(), count > 3 ? ", ..." : "");
}

struct loaded_dylib {
  llvm::orc::JITDylib *dylib;
  void *dso;
};

} // namespace

llvm::Error prepare() {
  return ensure_jit();
}

llvm::Expected<loaded_code> load(std::string_view object, const std::string &name) {
  auto t0 = std::chrono::steady_clock::now();
  if (auto err = ensure_jit()) return std::move(err);

  auto &es = jit->getExecutionSession();
  llvm::orc::JITDylib &jd = es.createBareJITDylib(name);
  // Runtime API, libstdc++ and libc symbols come from the backend process itself.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit->getDataLayout().getGlobalPrefix());
  if (!process) {
    llvm::consumeError(es.removeJITDylib(jd));
    return process.takeError();
  }
  jd.addGenerator(std::move(*process));

  auto fail = [&](llvm::Error err) -> llvm::Expected<loaded_code> {
    llvm::consumeError(es.removeJITDylib(jd));
    return std::move(err);
  };
  auto buffer =
      llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(object.data(), object.size()), name);
  if (auto err = check_undefined_symbols(buffer->getMemBufferRef())) return fail(std::move(err));
  if (auto err = jit->addObjectFile(jd, std::move(buffer))) return fail(std::move(err));

  llvm::orc::SymbolStringPtr entry = jit->mangleAndIntern(plcpp::detail::entry_symbol);
  llvm::orc::SymbolStringPtr init = jit->mangleAndIntern(init_symbol);
  llvm::orc::SymbolStringPtr dso = jit->mangleAndIntern(dso_symbol);
  auto symbols = es.lookup(llvm::orc::makeJITDylibSearchOrder(&jd),
                           llvm::orc::SymbolLookupSet({entry, init, dso}));
  if (!symbols) return fail(symbols.takeError());

  auto *loaded = new loaded_dylib{&jd, reinterpret_cast<void *>((*symbols)[dso].getAddress())};
  if (auto err = run_initializer((*symbols)[init].getAddress())) {
    run_destructors(loaded->dso); // of the objects constructed before the one that threw
    delete loaded;
    return fail(std::move(err));
  }
  loaded_code code;
  code.handle = loaded;
  code.entry = static_cast<std::uintptr_t>((*symbols)[entry].getAddress());
  code.link_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return code;
}

llvm::Error unload(void *handle) {
  auto *loaded = static_cast<loaded_dylib *>(handle);
  run_destructors(loaded->dso);
  llvm::Error removed = jit->getExecutionSession().removeJITDylib(*loaded->dylib);
  delete loaded;
  return removed;
}

} // namespace plcpp::jit

// Called by compiled code (jit/static_init.h) in place of __cxa_atexit: destructors of a
// body's static objects run when its code is unloaded.
extern "C" PLCPP_API int plcpp_jit_atexit(void (*fn)(void *), void *arg, void *dso) {
  try {
    plcpp::jit::destructors.push_back({fn, arg, dso});
    return 0;
  } catch (...) {
    return -1; // as __cxa_atexit: the destructor will not run
  }
}
