// jit/interrupt_pass.cpp — see interrupt_pass.h. No PostgreSQL headers here.
#include "interrupt_pass.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/Analysis/CFG.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>

#include <vector>

namespace plcpp::jit {
namespace {

unsigned inserted_last_run = 0;

// The blocks whose terminator jumps back (a retreating edge in depth-first order).
std::vector<llvm::BasicBlock *> back_edge_sources(llvm::Function &f) {
  llvm::SmallVector<std::pair<const llvm::BasicBlock *, const llvm::BasicBlock *>, 8> edges;
  llvm::FindFunctionBackedges(f, edges);
  llvm::SmallPtrSet<const llvm::BasicBlock *, 8> seen;
  std::vector<llvm::BasicBlock *> blocks;
  for (auto &e : edges)
    if (seen.insert(e.first).second) blocks.push_back(const_cast<llvm::BasicBlock *>(e.first));
  return blocks;
}

void insert_check(llvm::BasicBlock *block, llvm::GlobalVariable *flag, llvm::FunctionCallee check,
                  llvm::MDNode *unlikely) {
  llvm::Instruction *term = block->getTerminator();
  llvm::IRBuilder<> b(term);
  llvm::LoadInst *pending = b.CreateAlignedLoad(flag->getValueType(), flag, llvm::Align(4),
                                                /*isVolatile=*/true, "interrupt_pending");
  llvm::Value *set = b.CreateICmpNE(pending, llvm::ConstantInt::get(pending->getType(), 0));
  llvm::Instruction *then = llvm::SplitBlockAndInsertIfThen(set, term, false, unlikely);
  llvm::IRBuilder<> t(then);
  llvm::CallInst *call = t.CreateCall(check);
  call->setDebugLoc(term->getDebugLoc());
}

// Functions the user wrote: the body and what it defines (lambdas, local classes), all in
// the generated namespace plcpp_fn (source.h), so their mangled names contain "8plcpp_fn".
bool written_in_body(const llvm::Function &f) {
  return f.getName().contains("8plcpp_fn");
}

// Clang marks a function nounwind both when it is declared noexcept and when nothing in it
// can throw (a loop without calls). Once it contains a check it can throw, and so can its
// callers: nounwind goes from every function and call, and the optimizer infers it again
// wherever it still holds.
void allow_unwinding(llvm::Module &m) {
  for (llvm::Function &f : m) {
    if (f.isIntrinsic()) continue;
    f.removeFnAttr(llvm::Attribute::NoUnwind);
    for (llvm::BasicBlock &bb : f)
      for (llvm::Instruction &i : bb)
        if (auto *call = llvm::dyn_cast<llvm::CallBase>(&i)) {
          const llvm::Function *callee = call->getCalledFunction();
          if (!callee || !callee->isIntrinsic()) call->removeFnAttr(llvm::Attribute::NoUnwind);
        }
  }
}

} // namespace

llvm::PreservedAnalyses interrupt_checks_pass::run(llvm::Module &m, llvm::ModuleAnalysisManager &) {
  inserted_last_run = 0;
  llvm::LLVMContext &ctx = m.getContext();
  llvm::GlobalVariable *flag = nullptr;
  llvm::FunctionCallee check;
  llvm::MDNode *unlikely = llvm::MDBuilder(ctx).createBranchWeights(1, 1 << 20);

  for (llvm::Function &f : m) {
    // Library code that cannot throw (say, the loop destroying a vector's elements, called
    // from a noexcept destructor through a landing pad that calls std::terminate) is left
    // alone; the body's own code is always checked.
    if (f.isDeclaration() || (f.doesNotThrow() && !written_in_body(f))) continue;
    for (llvm::BasicBlock *block : back_edge_sources(f)) {
      if (!flag) {
        llvm::Type *sig_atomic = llvm::Type::getInt32Ty(ctx); // volatile sig_atomic_t
        flag = llvm::cast<llvm::GlobalVariable>(
            m.getOrInsertGlobal(interrupt_flag_symbol, sig_atomic)->stripPointerCasts());
        check = m.getOrInsertFunction(interrupt_check_symbol,
                                      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false));
      }
      insert_check(block, flag, check, unlikely);
      ++inserted_last_run;
    }
  }
  if (inserted_last_run == 0) return llvm::PreservedAnalyses::all();
  allow_unwinding(m);
  return llvm::PreservedAnalyses::none();
}

unsigned last_interrupt_check_count() {
  return inserted_last_run;
}

} // namespace plcpp::jit
