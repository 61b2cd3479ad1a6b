// jit/static_init.cpp — see static_init.h. No PostgreSQL headers here.
#include "static_init.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <algorithm>
#include <vector>

namespace plcpp::jit {
namespace {

// The entries of llvm.global_ctors, in the order C++ runs them (by priority, then as listed).
std::vector<llvm::Function *> take_constructors(llvm::Module &m) {
  std::vector<std::pair<std::uint64_t, llvm::Function *>> found;
  if (llvm::GlobalVariable *ctors = m.getGlobalVariable("llvm.global_ctors")) {
    if (auto *list = llvm::dyn_cast_or_null<llvm::ConstantArray>(
            ctors->hasInitializer() ? ctors->getInitializer() : nullptr)) {
      for (llvm::Value *op : list->operands()) {
        auto *entry = llvm::dyn_cast<llvm::ConstantStruct>(op);
        if (!entry || entry->getNumOperands() < 2) continue;
        auto *priority = llvm::dyn_cast<llvm::ConstantInt>(entry->getOperand(0));
        auto *fn = llvm::dyn_cast<llvm::Function>(entry->getOperand(1)->stripPointerCasts());
        if (priority && fn) found.emplace_back(priority->getZExtValue(), fn);
      }
    }
    ctors->eraseFromParent();
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto &a, const auto &b) { return a.first < b.first; });
  std::vector<llvm::Function *> fns;
  for (auto &f : found)
    fns.push_back(f.second);
  return fns;
}

void define_init_function(llvm::Module &m, const std::vector<llvm::Function *> &ctors) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false);
  auto *init = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, init_symbol, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", init));
  for (llvm::Function *f : ctors)
    b.CreateCall(f->getFunctionType(), f);
  b.CreateRetVoid();
}

// Every module gets its own exported handle, so the registry can tell modules apart.
void define_dso_handle(llvm::Module &m) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *handle = new llvm::GlobalVariable(
      m, llvm::Type::getInt8Ty(ctx), false, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantInt::get(llvm::Type::getInt8Ty(ctx), 0), dso_symbol);
  if (llvm::GlobalVariable *old = m.getNamedGlobal("__dso_handle")) {
    old->replaceAllUsesWith(llvm::ConstantExpr::getBitCast(handle, old->getType()));
    old->eraseFromParent();
  }
}

// __cxa_atexit and __cxa_thread_atexit (thread_local objects: a backend has one thread) take
// (destructor, object, dso handle), as plcpp_jit_atexit does.
void redirect_atexit(llvm::Module &m) {
  for (const char *name : {"__cxa_atexit", "__cxa_thread_atexit"}) {
    llvm::Function *f = m.getFunction(name);
    if (!f) continue;
    llvm::FunctionCallee target = m.getOrInsertFunction(atexit_symbol, f->getFunctionType());
    f->replaceAllUsesWith(llvm::ConstantExpr::getBitCast(
        llvm::cast<llvm::Constant>(target.getCallee()), f->getType()));
    f->eraseFromParent();
  }
}

} // namespace

void rewrite_static_init(llvm::Module &module) {
  define_init_function(module, take_constructors(module));
  define_dso_handle(module);
  redirect_atexit(module);
}

} // namespace plcpp::jit
