// jit/interrupt_pass.cpp — see interrupt_pass.h. No PostgreSQL headers here.
#include "interrupt_pass.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/Analysis/CFG.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/LoopUnrollPass.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Vectorize/LoopVectorize.h>

#include <vector>

namespace plcpp::jit {
namespace {

unsigned inserted_last_run = 0;
unsigned entries_last_run = 0;

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

// At the top of f, after the entry block's allocas (static allocas must stay in the entry
// block): if (frame address < plcpp_stack_limit || InterruptPending) plcpp_check_entry();
// The frame pointer is kept (-fno-omit-frame-pointer, flags.h), so the frame address is a
// register: two loads, two compares and a branch.
void insert_entry_check(llvm::Function &f, llvm::GlobalVariable *flag, llvm::GlobalVariable *limit,
                        llvm::FunctionCallee check, llvm::MDNode *unlikely) {
  llvm::BasicBlock &entry = f.getEntryBlock();
  llvm::BasicBlock::iterator at = entry.getFirstInsertionPt();
  while (llvm::isa<llvm::AllocaInst>(*at))
    ++at;
  llvm::Instruction *before = &*at;
  llvm::IRBuilder<> b(before);
  llvm::Type *byte_ptr = b.getInt8PtrTy();
  llvm::Function *frameaddress =
      llvm::Intrinsic::getDeclaration(f.getParent(), llvm::Intrinsic::frameaddress, {byte_ptr});
  llvm::Value *frame = b.CreateCall(frameaddress, {b.getInt32(0)}, "frame");
  llvm::Value *lowest = b.CreateAlignedLoad(byte_ptr, limit, llvm::Align(8), "stack_limit");
  llvm::Value *deep = b.CreateICmpULT(frame, lowest);
  llvm::LoadInst *pending = b.CreateAlignedLoad(flag->getValueType(), flag, llvm::Align(4),
                                                /*isVolatile=*/true, "interrupt_pending");
  llvm::Value *set = b.CreateICmpNE(pending, llvm::ConstantInt::get(pending->getType(), 0));
  llvm::Instruction *then =
      llvm::SplitBlockAndInsertIfThen(b.CreateOr(deep, set), before, false, unlikely);
  llvm::IRBuilder<> t(then);
  llvm::CallInst *call = t.CreateCall(check);
  call->setDebugLoc(before->getDebugLoc());
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

bool is_check(const llvm::Instruction &i) {
  auto *call = llvm::dyn_cast<llvm::CallBase>(&i);
  const llvm::Function *callee = call ? call->getCalledFunction() : nullptr;
  return callee && callee->getName() == interrupt_check_symbol;
}

bool loop_has_check(const llvm::Loop &loop) {
  for (const llvm::BasicBlock *bb : loop.blocks())
    for (const llvm::Instruction &i : *bb)
      if (is_check(i)) return true;
  return false;
}

// If `call` is the check of an innermost loop that calls nothing else (a numeric loop the
// check alone keeps from being vectorized), removes it with its test of the flag: the block
//   P: %p = load volatile InterruptPending; br (%p != 0), T, S     T: call check; br S
// becomes P: br S (the test may read `== 0`, its successors swapped). Only a plain call qualifies:
// a check that inlining turned into an invoke unwinds to a landing pad, and that edge must stay.
bool remove_check_of_simple_loop(llvm::CallInst &call, llvm::LoopInfo &loops) {
  llvm::BasicBlock *then = call.getParent();
  llvm::BasicBlock *pred = then->getSinglePredecessor();
  auto *jump = llvm::dyn_cast<llvm::BranchInst>(then->getTerminator());
  if (!pred || !jump || jump->isConditional() || then->size() != 2) return false;
  llvm::BasicBlock *after = jump->getSuccessor(0);
  auto *test = llvm::dyn_cast<llvm::BranchInst>(pred->getTerminator());
  if (!test || !test->isConditional() ||
      !((test->getSuccessor(0) == then && test->getSuccessor(1) == after) ||
        (test->getSuccessor(0) == after && test->getSuccessor(1) == then)))
    return false;
  // The optimizer may have turned `!= 0` into `== 0` with the successors swapped.
  auto *cmp = llvm::dyn_cast<llvm::ICmpInst>(test->getCondition());
  auto *flag = cmp ? llvm::dyn_cast<llvm::LoadInst>(cmp->getOperand(0)) : nullptr;
  auto *zero = cmp ? llvm::dyn_cast<llvm::ConstantInt>(cmp->getOperand(1)) : nullptr;
  if (!flag || !zero || !zero->isZero() || !cmp->isEquality() || !flag->isVolatile() ||
      !cmp->hasOneUse() || !flag->hasOneUse() ||
      flag->getPointerOperand()->stripPointerCasts()->getName() != interrupt_flag_symbol)
    return false;
  llvm::Loop *loop = loops.getLoopFor(pred);
  if (!loop || !loop->isInnermost() || !loop->contains(then)) return false;
  for (const llvm::BasicBlock *bb : loop->blocks())
    for (const llvm::Instruction &i : *bb) {
      if (&i == &call) continue;
      if (llvm::isa<llvm::InvokeInst>(i)) return false;
      if (auto *other = llvm::dyn_cast<llvm::CallInst>(&i))
        if (!llvm::isa<llvm::IntrinsicInst>(other)) return false;
    }

  after->removePredecessor(then);
  llvm::BranchInst::Create(after, test);
  test->eraseFromParent();
  cmp->eraseFromParent();
  flag->eraseFromParent();
  then->eraseFromParent();
  return true;
}

bool is_entry_check(const llvm::Instruction &i) {
  auto *call = llvm::dyn_cast<llvm::CallBase>(&i);
  const llvm::Function *callee = call ? call->getCalledFunction() : nullptr;
  return callee && callee->getName() == entry_check_symbol;
}

// What an entry check computes its condition from: deletable once the branch is gone (the
// volatile load of InterruptPending included, which the optimizer alone would keep).
bool part_of_entry_test(llvm::Instruction &i) {
  if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i)) {
    llvm::StringRef from = load->getPointerOperand()->stripPointerCasts()->getName();
    return from == interrupt_flag_symbol || from == stack_limit_symbol;
  }
  if (auto *intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(&i))
    return intrinsic->getIntrinsicID() == llvm::Intrinsic::frameaddress;
  return llvm::isa<llvm::CmpInst>(i) || llvm::isa<llvm::BinaryOperator>(i) ||
         llvm::isa<llvm::SelectInst>(i) || llvm::isa<llvm::CastInst>(i);
}

void delete_unused_test(llvm::Value *v) {
  auto *i = llvm::dyn_cast<llvm::Instruction>(v);
  if (!i || !i->use_empty() || !part_of_entry_test(*i)) return;
  std::vector<llvm::Value *> operands(i->op_begin(), i->op_end());
  i->eraseFromParent();
  for (llvm::Value *op : operands)
    delete_unused_test(op);
}

// Removes an entry check that inlining copied: the block
//   P: ...; br %fire, C, R     C: call/invoke plcpp_check_entry() (then br R)
// becomes P: ...; br R, and what computed %fire goes. False if the code no longer has that
// shape (the check then stays: correct, only slower).
bool remove_inlined_entry_check(llvm::CallBase &call) {
  llvm::BasicBlock *cold = call.getParent();
  llvm::BasicBlock *pred = cold->getSinglePredecessor();
  llvm::BasicBlock *rest = nullptr;
  if (auto *invoke = llvm::dyn_cast<llvm::InvokeInst>(&call)) {
    if (cold->size() != 1) return false;
    rest = invoke->getNormalDest();
  } else {
    auto *jump = llvm::dyn_cast<llvm::BranchInst>(cold->getTerminator());
    if (!jump || jump->isConditional() || cold->size() != 2) return false;
    rest = jump->getSuccessor(0);
  }
  auto *test = pred ? llvm::dyn_cast<llvm::BranchInst>(pred->getTerminator()) : nullptr;
  if (!test || !test->isConditional() || rest == cold ||
      !((test->getSuccessor(0) == cold && test->getSuccessor(1) == rest) ||
        (test->getSuccessor(0) == rest && test->getSuccessor(1) == cold)))
    return false;
  if (auto *invoke = llvm::dyn_cast<llvm::InvokeInst>(&call))
    invoke->getUnwindDest()->removePredecessor(cold);
  rest->removePredecessor(cold);
  llvm::Value *fire = test->getCondition();
  llvm::BranchInst::Create(rest, test);
  test->eraseFromParent();
  cold->dropAllReferences();
  cold->eraseFromParent();
  delete_unused_test(fire);
  return true;
}

} // namespace

llvm::PreservedAnalyses inlined_entry_checks_pass::run(llvm::Module &m,
                                                       llvm::ModuleAnalysisManager &) {
  bool changed = false;
  for (llvm::Function &f : m) {
    if (f.isDeclaration()) continue;
    std::vector<llvm::CallBase *> inlined;
    bool own = false;
    for (llvm::BasicBlock &bb : f)
      for (llvm::Instruction &i : bb)
        if (is_entry_check(i)) {
          // The function's own check is the one its entry block branches to.
          if (bb.getSinglePredecessor() == &f.getEntryBlock())
            own = true;
          else
            inlined.push_back(llvm::cast<llvm::CallBase>(&i));
        }
    // Without its own check recognised, keep them all rather than risk removing that one.
    if (!own) continue;
    for (llvm::CallBase *call : inlined)
      changed |= remove_inlined_entry_check(*call);
  }
  return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
}

llvm::PreservedAnalyses vectorize_checked_loops_pass::run(llvm::Module &m,
                                                          llvm::ModuleAnalysisManager &mam) {
  llvm::GlobalVariable *flag = m.getNamedGlobal(interrupt_flag_symbol);
  llvm::Function *check = m.getFunction(interrupt_check_symbol);
  if (!flag || !check) return llvm::PreservedAnalyses::all();
  auto &fam = mam.getResult<llvm::FunctionAnalysisManagerModuleProxy>(m).getManager();
  llvm::MDNode *unlikely = llvm::MDBuilder(m.getContext()).createBranchWeights(1, 1 << 20);

  llvm::FunctionPassManager vectorize;
  vectorize.addPass(llvm::LoopVectorizePass());
  vectorize.addPass(llvm::InstCombinePass());
  vectorize.addPass(llvm::SimplifyCFGPass());
  // As the -O2 pipeline does after vectorizing; a loop that did not vectorize (64-bit
  // multiply-high has no vector form here) is at least unrolled, as it would be unchecked.
  vectorize.addPass(llvm::LoopUnrollPass(llvm::LoopUnrollOptions(2)));
  vectorize.addPass(llvm::InstCombinePass());

  bool changed = false;
  for (llvm::Function &f : m) {
    if (f.isDeclaration()) continue;
    std::vector<llvm::CallInst *> calls;
    for (llvm::BasicBlock &bb : f)
      for (llvm::Instruction &i : bb)
        if (auto *call = llvm::dyn_cast<llvm::CallInst>(&i); call && is_check(*call))
          calls.push_back(call);
    if (calls.empty()) continue;
    llvm::LoopInfo &loops = fam.getResult<llvm::LoopAnalysis>(f);
    bool removed = false;
    for (llvm::CallInst *call : calls)
      removed |= remove_check_of_simple_loop(*call, loops);
    if (!removed) continue;
    changed = true;
    fam.invalidate(f, llvm::PreservedAnalyses::none());
    vectorize.run(f, fam);
    // Every loop gets its check back, at its latch: the vector loop, and the scalar one that
    // runs the remaining iterations (or the original loop, if it did not vectorize).
    llvm::LoopInfo &after = fam.getResult<llvm::LoopAnalysis>(f);
    std::vector<llvm::BasicBlock *> latches;
    for (llvm::Loop *loop : after.getLoopsInPreorder())
      if (!loop_has_check(*loop)) {
        llvm::SmallVector<llvm::BasicBlock *, 4> these;
        loop->getLoopLatches(these);
        latches.insert(latches.end(), these.begin(), these.end());
      }
    for (llvm::BasicBlock *latch : latches)
      insert_check(latch, flag, check, unlikely);
    fam.invalidate(f, llvm::PreservedAnalyses::none());
  }
  return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
}

llvm::PreservedAnalyses interrupt_checks_pass::run(llvm::Module &m, llvm::ModuleAnalysisManager &) {
  inserted_last_run = 0;
  entries_last_run = 0;
  llvm::LLVMContext &ctx = m.getContext();
  llvm::GlobalVariable *flag = nullptr, *limit = nullptr;
  llvm::FunctionCallee check, entry_check;
  llvm::MDNode *unlikely = llvm::MDBuilder(ctx).createBranchWeights(1, 1 << 20);
  auto declare = [&] {
    if (flag) return;
    llvm::Type *sig_atomic = llvm::Type::getInt32Ty(ctx); // volatile sig_atomic_t
    flag = llvm::cast<llvm::GlobalVariable>(
        m.getOrInsertGlobal(interrupt_flag_symbol, sig_atomic)->stripPointerCasts());
    limit = llvm::cast<llvm::GlobalVariable>(
        m.getOrInsertGlobal(stack_limit_symbol, llvm::Type::getInt8PtrTy(ctx))
            ->stripPointerCasts());
    auto *void_fn = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false);
    check = m.getOrInsertFunction(interrupt_check_symbol, void_fn);
    entry_check = m.getOrInsertFunction(entry_check_symbol, void_fn);
  };

  std::vector<llvm::Function *> functions;
  for (llvm::Function &f : m)
    functions.push_back(&f);
  for (llvm::Function *f : functions) {
    // Library code that cannot throw (say, the loop destroying a vector's elements, called
    // from a noexcept destructor through a landing pad that calls std::terminate) is left
    // alone; the body's own code is always checked.
    if (f->isDeclaration() || (f->doesNotThrow() && !written_in_body(*f))) continue;
    for (llvm::BasicBlock *block : back_edge_sources(*f)) {
      declare();
      insert_check(block, flag, check, unlikely);
      ++inserted_last_run;
    }
    // Entry checks after the loop checks (back_edge_sources must not see the split entry).
    // Only the body's own functions: library code recurses through them (std::function calls
    // the lambda, which checks) or to a bounded depth (a balanced tree's height). Not in the
    // body's functions that cannot throw (destructors are noexcept): a cancel that arrived as
    // one is entered would throw out of it, std::terminate, and end the session; recursion
    // through a destructor alone is left unchecked.
    if (written_in_body(*f) && !f->doesNotThrow()) {
      declare();
      insert_entry_check(*f, flag, limit, entry_check, unlikely);
      ++entries_last_run;
    }
  }
  if (inserted_last_run == 0 && entries_last_run == 0) return llvm::PreservedAnalyses::all();
  allow_unwinding(m);
  return llvm::PreservedAnalyses::none();
}

unsigned last_interrupt_check_count() {
  return inserted_last_run;
}

unsigned last_entry_check_count() {
  return entries_last_run;
}

} // namespace plcpp::jit
