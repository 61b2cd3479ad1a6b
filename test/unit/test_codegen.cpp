// test/unit/test_codegen.cpp — jit/interrupt_pass.h, jit/static_init.h and jit/codegen.h, on
// hand-written LLVM IR (LLVM 14: typed pointers).
#include "jit/codegen.h"
#include "jit/interrupt_pass.h"
#include "jit/static_init.h"

#include <gtest/gtest.h>

#include "object_symbols.h"

#include <llvm/ADT/STLExtras.h>
#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/raw_ostream.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using plcpp::jit::interrupt_check_symbol;
using plcpp::jit::interrupt_checks_pass;
using plcpp::jit::interrupt_flag_symbol;
using plcpp::jit::last_interrupt_check_count;

// Parses `ir` into a module of `ctx`; a parse error fails the test (and returns null).
std::unique_ptr<llvm::Module> parse(llvm::LLVMContext &ctx, const std::string &ir) {
  llvm::SMDiagnostic err;
  std::unique_ptr<llvm::Module> m = llvm::parseAssemblyString(ir, err, ctx);
  if (!m) {
    std::string text;
    llvm::raw_string_ostream os(text);
    err.print("unit-test.ll", os);
    ADD_FAILURE() << "IR does not parse: " << os.str();
  }
  return m;
}

std::string print(const llvm::Module &m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  m.print(os, nullptr);
  return os.str();
}

// Empty when the module verifies, else what the verifier says.
std::string verify(const llvm::Module &m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (!llvm::verifyModule(m, &os)) return {};
  return os.str().empty() ? std::string("broken module") : os.str();
}

// Runs the interrupt pass alone, through a pass manager as the code generator does.
void run_interrupt_pass(llvm::Module &m) {
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  llvm::ModulePassManager mpm;
  mpm.addPass(interrupt_checks_pass());
  mpm.run(m, mam);
}

// Volatile loads of InterruptPending in `f`.
std::vector<llvm::LoadInst *> flag_loads(llvm::Function &f) {
  std::vector<llvm::LoadInst *> out;
  for (llvm::BasicBlock &bb : f)
    for (llvm::Instruction &i : bb)
      if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i))
        if (load->getPointerOperand()->stripPointerCasts()->getName() == interrupt_flag_symbol)
          out.push_back(load);
  return out;
}

std::vector<llvm::CallBase *> calls_to(llvm::Function &f, llvm::StringRef callee) {
  std::vector<llvm::CallBase *> out;
  for (llvm::BasicBlock &bb : f)
    for (llvm::Instruction &i : bb)
      if (auto *call = llvm::dyn_cast<llvm::CallBase>(&i))
        if (const llvm::Function *target = call->getCalledFunction())
          if (target->getName() == callee) out.push_back(call);
  return out;
}

// Whether the CFG of `f` has a cycle that passes through no block loading InterruptPending,
// i.e. a loop that could run forever without noticing an interrupt.
bool has_unchecked_cycle(llvm::Function &f) {
  enum colour { white, grey, black };
  std::map<const llvm::BasicBlock *, colour> state;
  auto checked = [](const llvm::BasicBlock &bb) {
    for (const llvm::Instruction &i : bb)
      if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i))
        if (load->getPointerOperand()->stripPointerCasts()->getName() == interrupt_flag_symbol)
          return true;
    return false;
  };
  std::function<bool(const llvm::BasicBlock *)> visit = [&](const llvm::BasicBlock *bb) {
    state[bb] = grey;
    for (const llvm::BasicBlock *succ : llvm::successors(bb)) {
      if (checked(*succ)) continue; // every path through succ is checked
      colour c = state[succ];
      if (c == grey) return true;
      if (c == white && visit(succ)) return true;
    }
    state[bb] = black;
    return false;
  };
  for (const llvm::BasicBlock &bb : f)
    if (!checked(bb) && state[&bb] == white && visit(&bb)) return true;
  return false;
}

// Checks the shape of every inserted check of `f`: a volatile load of InterruptPending, a
// comparison with zero, and a call of plcpp_check_interrupts on the (unlikely) branch.
void expect_well_formed_checks(llvm::Function &f) {
  for (llvm::LoadInst *load : flag_loads(f)) {
    EXPECT_TRUE(load->isVolatile()) << "the flag is set by signal handlers";
    EXPECT_TRUE(load->getType()->isIntegerTy(32)) << "volatile sig_atomic_t";
    auto *branch = llvm::dyn_cast<llvm::BranchInst>(load->getParent()->getTerminator());
    ASSERT_TRUE(branch && branch->isConditional()) << print(*f.getParent());
    auto *cmp = llvm::dyn_cast<llvm::ICmpInst>(branch->getCondition());
    ASSERT_TRUE(cmp) << print(*f.getParent());
    EXPECT_EQ(cmp->getPredicate(), llvm::ICmpInst::ICMP_NE);
    EXPECT_EQ(cmp->getOperand(0), load);
    // The taken side calls the check, then rejoins the not-taken side.
    llvm::BasicBlock *then = branch->getSuccessor(0);
    bool calls = false;
    for (llvm::Instruction &i : *then)
      if (auto *call = llvm::dyn_cast<llvm::CallBase>(&i))
        if (call->getCalledFunction() &&
            call->getCalledFunction()->getName() == interrupt_check_symbol)
          calls = true;
    EXPECT_TRUE(calls) << print(*f.getParent());
    EXPECT_EQ(then->getSingleSuccessor(), branch->getSuccessor(1));
    EXPECT_NE(branch->getMetadata(llvm::LLVMContext::MD_prof), nullptr)
        << "the check should be marked unlikely";
  }
}

// ---- interrupt_checks_pass --------------------------------------------------------------

// Not nounwind: functions that may throw are the ones that get checks.
const char *counted_loop_ir = R"(
define i32 @sum(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi i32 [ 0, %entry ], [ %s.next, %loop ]
  %s.next = add i32 %s, %i
  %i.next = add i32 %i, 1
  %done = icmp sge i32 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i32 %s.next
}
)";

TEST(InterruptPass, CountedLoopGetsOneCheck) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, counted_loop_ir);
  ASSERT_TRUE(m);
  llvm::Function &f = *m->getFunction("sum");
  ASSERT_TRUE(has_unchecked_cycle(f)); // the helper sees the loop before the pass
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 1u);
  EXPECT_EQ(flag_loads(f).size(), 1u) << print(*m);
  EXPECT_EQ(calls_to(f, interrupt_check_symbol).size(), 1u) << print(*m);
  EXPECT_FALSE(has_unchecked_cycle(f)) << print(*m);
  expect_well_formed_checks(f);

  // The flag is declared, not defined (it is the server's), and the check is a declaration.
  llvm::GlobalVariable *flag = m->getNamedGlobal(interrupt_flag_symbol);
  ASSERT_NE(flag, nullptr);
  EXPECT_TRUE(flag->isDeclaration());
  llvm::Function *check = m->getFunction(interrupt_check_symbol);
  ASSERT_NE(check, nullptr);
  EXPECT_TRUE(check->isDeclaration());
  EXPECT_TRUE(check->getReturnType()->isVoidTy());
  EXPECT_EQ(check->arg_size(), 0u);
  EXPECT_EQ(verify(*m), "");
}

TEST(InterruptPass, NestedLoopsGetTwoChecks) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, R"(
define void @nested(i32 %n) {
entry:
  br label %outer
outer:
  %i = phi i32 [ 0, %entry ], [ %i.next, %outer.latch ]
  br label %inner
inner:
  %j = phi i32 [ 0, %outer ], [ %j.next, %inner ]
  %j.next = add i32 %j, 1
  %more.j = icmp slt i32 %j.next, %n
  br i1 %more.j, label %inner, label %outer.latch
outer.latch:
  %i.next = add i32 %i, 1
  %more.i = icmp slt i32 %i.next, %n
  br i1 %more.i, label %outer, label %exit
exit:
  ret void
}
)");
  ASSERT_TRUE(m);
  llvm::Function &f = *m->getFunction("nested");
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 2u);
  EXPECT_EQ(flag_loads(f).size(), 2u) << print(*m);
  EXPECT_EQ(calls_to(f, interrupt_check_symbol).size(), 2u) << print(*m);
  EXPECT_FALSE(has_unchecked_cycle(f)) << print(*m);
  expect_well_formed_checks(f);
  EXPECT_EQ(verify(*m), "");
}

TEST(InterruptPass, InfiniteSelfLoopGetsOneCheck) {
  // `for (;;) {}` as Clang emits it with -fno-finite-loops: one block branching to itself.
  llvm::LLVMContext ctx;
  auto m = parse(ctx, R"(
define void @spin() {
entry:
  br label %self
self:
  br label %self
}
)");
  ASSERT_TRUE(m);
  llvm::Function &f = *m->getFunction("spin");
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 1u);
  EXPECT_EQ(flag_loads(f).size(), 1u) << print(*m);
  EXPECT_EQ(calls_to(f, interrupt_check_symbol).size(), 1u) << print(*m);
  EXPECT_FALSE(has_unchecked_cycle(f)) << print(*m);
  expect_well_formed_checks(f);
  EXPECT_EQ(verify(*m), "");
}

TEST(InterruptPass, IrreducibleCycleIsChecked) {
  // A cycle with two entries (what `goto` into the middle of a loop makes): not a natural
  // loop, so LoopInfo does not see it; it must be checked all the same.
  llvm::LLVMContext ctx;
  auto m = parse(ctx, R"(
define i32 @tangle(i1 %c, i32 %n) {
entry:
  br i1 %c, label %a, label %b
a:
  %x = phi i32 [ 0, %entry ], [ %y.next, %b ]
  %x.next = add i32 %x, 1
  br label %b
b:
  %y = phi i32 [ 0, %entry ], [ %x.next, %a ]
  %y.next = add i32 %y, 2
  %more = icmp slt i32 %y.next, %n
  br i1 %more, label %a, label %exit
exit:
  ret i32 %y.next
}
)");
  ASSERT_TRUE(m);
  llvm::Function &f = *m->getFunction("tangle");
  ASSERT_TRUE(has_unchecked_cycle(f));
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 1u);
  EXPECT_EQ(calls_to(f, interrupt_check_symbol).size(), 1u) << print(*m);
  EXPECT_FALSE(has_unchecked_cycle(f)) << print(*m);
  expect_well_formed_checks(f);
  EXPECT_EQ(verify(*m), "");
}

TEST(InterruptPass, BackEdgeThroughAnInvokeIsChecked) {
  // A loop whose back edge is the normal return of an invoke (a call inside try in a loop).
  llvm::LLVMContext ctx;
  auto m = parse(ctx, R"(
declare void @may_throw(i32)
declare i32 @__gxx_personality_v0(...)
define void @retry(i32 %n) personality i8* bitcast (i32 (...)* @__gxx_personality_v0 to i8*) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %i.next = add i32 %i, 1
  invoke void @may_throw(i32 %i) to label %loop unwind label %lpad
lpad:
  %lp = landingpad { i8*, i32 } cleanup
  resume { i8*, i32 } %lp
}
)");
  ASSERT_TRUE(m);
  llvm::Function &f = *m->getFunction("retry");
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 1u);
  auto checks = calls_to(f, interrupt_check_symbol);
  ASSERT_EQ(checks.size(), 1u) << print(*m);
  EXPECT_TRUE(llvm::isa<llvm::CallInst>(checks[0])) << "a plain call (interrupt_pass.h)";
  EXPECT_EQ(calls_to(f, "may_throw").size(), 1u);
  EXPECT_FALSE(has_unchecked_cycle(f)) << print(*m);
  expect_well_formed_checks(f);
  EXPECT_EQ(verify(*m), "");
}

TEST(InterruptPass, LoopsInSeveralFunctionsAreCounted) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, std::string(counted_loop_ir) + R"(
define void @spin() {
entry:
  br label %self
self:
  br label %self
}
declare void @external_with_no_body()
)");
  ASSERT_TRUE(m);
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 2u);
  EXPECT_FALSE(has_unchecked_cycle(*m->getFunction("sum")));
  EXPECT_FALSE(has_unchecked_cycle(*m->getFunction("spin")));
  EXPECT_EQ(verify(*m), "");

  // The count is of the last run, not cumulative.
  llvm::LLVMContext ctx2;
  auto none = parse(ctx2, "define i32 @id(i32 %x) {\n  ret i32 %x\n}\n");
  ASSERT_TRUE(none);
  run_interrupt_pass(*none);
  EXPECT_EQ(last_interrupt_check_count(), 0u);
}

const char *no_loop_ir = R"(
declare void @ext() nounwind
define i32 @straight(i32 %x) nounwind {
entry:
  call void @ext() nounwind
  %c = icmp sgt i32 %x, 0
  br i1 %c, label %pos, label %neg
pos:
  ret i32 %x
neg:
  %y = sub i32 0, %x
  ret i32 %y
}
)";

TEST(InterruptPass, ModuleWithoutLoopsGetsNoChecks) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, no_loop_ir);
  ASSERT_TRUE(m);
  llvm::Function &f = *m->getFunction("straight");
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  interrupt_checks_pass pass;
  llvm::PreservedAnalyses pa = pass.run(*m, mam);
  EXPECT_EQ(last_interrupt_check_count(), 0u);
  EXPECT_TRUE(pa.areAllPreserved());
  EXPECT_EQ(m->getNamedGlobal(interrupt_flag_symbol), nullptr) << print(*m);
  EXPECT_TRUE(flag_loads(f).empty());
  EXPECT_TRUE(calls_to(f, interrupt_check_symbol).empty());
  // Nothing can be interrupted, so nothing needs to unwind: nounwind stays.
  EXPECT_TRUE(f.hasFnAttribute(llvm::Attribute::NoUnwind));
  EXPECT_TRUE(m->getFunction("ext")->hasFnAttribute(llvm::Attribute::NoUnwind));
  EXPECT_TRUE(calls_to(f, "ext")[0]->hasFnAttr(llvm::Attribute::NoUnwind));
  EXPECT_EQ(verify(*m), "");
}

// Runs the pass directly (so the PreservedAnalyses it returns can be looked at) and expects it
// to leave `ir` exactly as it was: no check, no InterruptPending, no plcpp_check_interrupts.
void expect_left_unchanged(const char *ir) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, ir);
  ASSERT_TRUE(m);
  bool had_flag = m->getNamedGlobal(interrupt_flag_symbol) != nullptr;
  std::string before = print(*m);
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  interrupt_checks_pass pass;
  llvm::PreservedAnalyses pa = pass.run(*m, mam);
  EXPECT_EQ(last_interrupt_check_count(), 0u);
  EXPECT_TRUE(pa.areAllPreserved());
  EXPECT_EQ(print(*m), before);
  EXPECT_EQ(m->getFunction(interrupt_check_symbol), nullptr) << print(*m);
  EXPECT_EQ(m->getNamedGlobal(interrupt_flag_symbol) != nullptr, had_flag) << print(*m);
  EXPECT_EQ(verify(*m), "");

  // Through a pass manager, as the code generator runs it: the same.
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 0u);
  EXPECT_EQ(print(*m), before);
}

TEST(InterruptPass, ModuleWithoutLoopsIsLeftUnchanged) {
  expect_left_unchanged(no_loop_ir);
}

// A loop only in a function Clang marked nounwind (noexcept, a destructor): an exception from
// a check there would call std::terminate, so it gets none.
const char *nounwind_loop_ir = R"(
declare void @ext() nounwind
declare void @llvm.donothing() nounwind

define void @loopy(i32 %n) nounwind {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  call void @ext() nounwind
  call void @llvm.donothing() nounwind
  %i.next = add i32 %i, 1
  %more = icmp slt i32 %i.next, %n
  br i1 %more, label %loop, label %exit
exit:
  ret void
}

define void @spin() nounwind {
entry:
  br label %self
self:
  br label %self
}
)";

TEST(InterruptPass, ModuleWhoseOnlyLoopsAreNounwindIsLeftUnchanged) {
  expect_left_unchanged(nounwind_loop_ir);
}

TEST(InterruptPass, ExistingFlagIsKeptWhenNoCheckIsNeeded) {
  // The body reads InterruptPending itself, in a noexcept function: the pass adds nothing and
  // removes nothing.
  expect_left_unchanged(R"(
@InterruptPending = external global i32
define i32 @peek() nounwind {
entry:
  br label %loop
loop:
  %v = load volatile i32, i32* @InterruptPending
  %z = icmp eq i32 %v, 0
  br i1 %z, label %loop, label %exit
exit:
  ret i32 %v
}
)");
}

TEST(InterruptPass, NounwindFunctionWithALoopGetsNoChecks) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, nounwind_loop_ir);
  ASSERT_TRUE(m);
  llvm::Function &loopy = *m->getFunction("loopy");
  llvm::Function &spin = *m->getFunction("spin");
  ASSERT_TRUE(has_unchecked_cycle(loopy));
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 0u);
  EXPECT_TRUE(flag_loads(loopy).empty()) << print(*m);
  EXPECT_TRUE(flag_loads(spin).empty()) << print(*m);
  EXPECT_TRUE(calls_to(loopy, interrupt_check_symbol).empty()) << print(*m);
  EXPECT_TRUE(has_unchecked_cycle(loopy)) << "a noexcept loop cannot be interrupted";
  EXPECT_TRUE(has_unchecked_cycle(spin));

  // Its nounwind and that of its callees and calls stay.
  for (const char *name : {"loopy", "spin", "ext", "llvm.donothing"})
    EXPECT_TRUE(m->getFunction(name)->hasFnAttribute(llvm::Attribute::NoUnwind)) << name;
  for (const char *callee : {"ext", "llvm.donothing"}) {
    auto calls = calls_to(loopy, callee);
    ASSERT_EQ(calls.size(), 1u) << callee;
    EXPECT_TRUE(calls[0]->hasFnAttr(llvm::Attribute::NoUnwind)) << "call of " << callee;
  }
  EXPECT_EQ(verify(*m), "");
}

TEST(InterruptPass, OnlyFunctionsThatMayThrowGetChecks) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, std::string(nounwind_loop_ir) + R"(
declare double @llvm.sqrt.f64(double) nounwind

define void @throwing(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  call void @ext() nounwind
  call void @loopy(i32 %i) nounwind
  %i.next = add i32 %i, 1
  %more = icmp slt i32 %i.next, %n
  br i1 %more, label %loop, label %exit
exit:
  ret void
}

define double @helper(double %x) nounwind {
entry:
  call void @ext() nounwind
  %r = call double @llvm.sqrt.f64(double %x) nounwind
  ret double %r
}
)");
  ASSERT_TRUE(m);

  // Everything that is nounwind before the pass, functions and calls.
  std::vector<std::string> nounwind_functions;
  std::vector<std::pair<std::string, std::string>> nounwind_calls; // caller, callee
  for (llvm::Function &f : *m) {
    if (f.hasFnAttribute(llvm::Attribute::NoUnwind))
      nounwind_functions.push_back(f.getName().str());
    for (llvm::BasicBlock &bb : f)
      for (llvm::Instruction &i : bb)
        if (auto *call = llvm::dyn_cast<llvm::CallBase>(&i))
          if (call->hasFnAttr(llvm::Attribute::NoUnwind))
            nounwind_calls.emplace_back(f.getName().str(),
                                        call->getCalledFunction()->getName().str());
  }
  ASSERT_EQ(nounwind_functions.size(), 6u); // ext, donothing, loopy, spin, sqrt, helper
  ASSERT_EQ(nounwind_calls.size(), 6u);

  run_interrupt_pass(*m);
  ASSERT_EQ(last_interrupt_check_count(), 1u) << print(*m);

  llvm::Function &throwing = *m->getFunction("throwing");
  EXPECT_EQ(flag_loads(throwing).size(), 1u) << print(*m);
  EXPECT_EQ(calls_to(throwing, interrupt_check_symbol).size(), 1u) << print(*m);
  EXPECT_FALSE(has_unchecked_cycle(throwing)) << print(*m);
  expect_well_formed_checks(throwing);
  for (const char *name : {"loopy", "spin", "helper"}) {
    EXPECT_TRUE(flag_loads(*m->getFunction(name)).empty()) << name << "\n" << print(*m);
    EXPECT_TRUE(calls_to(*m->getFunction(name), interrupt_check_symbol).empty()) << name;
  }
  EXPECT_TRUE(has_unchecked_cycle(*m->getFunction("loopy")));
  EXPECT_TRUE(has_unchecked_cycle(*m->getFunction("spin")));

  // Once a module can throw from a loop, nounwind goes from every function and call except
  // intrinsics; the optimizer infers it again where it still holds.
  for (const std::string &name : nounwind_functions) {
    bool intrinsic = m->getFunction(name)->isIntrinsic();
    EXPECT_EQ(m->getFunction(name)->hasFnAttribute(llvm::Attribute::NoUnwind), intrinsic) << name;
  }
  for (const auto &[caller, callee] : nounwind_calls) {
    auto calls = calls_to(*m->getFunction(caller), callee);
    ASSERT_FALSE(calls.empty()) << caller << " -> " << callee;
    for (llvm::CallBase *call : calls)
      EXPECT_EQ(call->hasFnAttr(llvm::Attribute::NoUnwind),
                call->getCalledFunction()->isIntrinsic())
          << caller << " -> " << callee;
  }
  // A function that may throw is not made nounwind either.
  EXPECT_FALSE(throwing.hasFnAttribute(llvm::Attribute::NoUnwind));

  // The check throws: neither its declaration nor its call may claim otherwise.
  llvm::Function *check = m->getFunction(interrupt_check_symbol);
  ASSERT_NE(check, nullptr);
  EXPECT_TRUE(check->isDeclaration());
  EXPECT_FALSE(check->hasFnAttribute(llvm::Attribute::NoUnwind));
  for (llvm::CallBase *call : calls_to(throwing, interrupt_check_symbol))
    EXPECT_FALSE(call->hasFnAttr(llvm::Attribute::NoUnwind));
  llvm::GlobalVariable *flag = m->getNamedGlobal(interrupt_flag_symbol);
  ASSERT_NE(flag, nullptr);
  EXPECT_TRUE(flag->isDeclaration());
  EXPECT_EQ(verify(*m), "");
}

TEST(InterruptPass, ExistingFlagDeclarationIsReused) {
  // A body that reads InterruptPending itself: the pass uses the same global.
  llvm::LLVMContext ctx;
  auto m = parse(ctx, R"(
@InterruptPending = external global i32
define i32 @peek() {
entry:
  br label %loop
loop:
  %v = load volatile i32, i32* @InterruptPending
  %z = icmp eq i32 %v, 0
  br i1 %z, label %loop, label %exit
exit:
  ret i32 %v
}
)");
  ASSERT_TRUE(m);
  run_interrupt_pass(*m);
  EXPECT_EQ(last_interrupt_check_count(), 1u);
  int flags = 0;
  for (const llvm::GlobalVariable &g : m->globals())
    if (g.getName().startswith(interrupt_flag_symbol)) ++flags;
  EXPECT_EQ(flags, 1) << print(*m);
  EXPECT_EQ(calls_to(*m->getFunction("peek"), interrupt_check_symbol).size(), 1u);
  EXPECT_EQ(verify(*m), "");
}

// ---- rewrite_static_init ----------------------------------------------------------------

// The functions `f` calls directly, in order.
std::vector<std::string> callees(llvm::Function &f) {
  std::vector<std::string> out;
  for (llvm::BasicBlock &bb : f)
    for (llvm::Instruction &i : bb)
      if (auto *call = llvm::dyn_cast<llvm::CallBase>(&i))
        if (const llvm::Function *target = call->getCalledFunction())
          out.push_back(target->getName().str());
  return out;
}

TEST(StaticInit, ConstructorsRunInPriorityOrder) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, R"(
@llvm.global_ctors = appending global [3 x { i32, void ()*, i8* }] [
  { i32, void ()*, i8* } { i32 65535, void ()* @late, i8* null },
  { i32, void ()*, i8* } { i32 101, void ()* @early, i8* null },
  { i32, void ()*, i8* } { i32 65535, void ()* @later, i8* null }]
@order = global i32 0

define internal void @late() {
  store i32 2, i32* @order
  ret void
}
define internal void @early() {
  store i32 1, i32* @order
  ret void
}
define internal void @later() {
  store i32 3, i32* @order
  ret void
}
)");
  ASSERT_TRUE(m);
  plcpp::jit::rewrite_static_init(*m);
  EXPECT_EQ(m->getNamedGlobal("llvm.global_ctors"), nullptr) << print(*m);
  llvm::Function *init = m->getFunction(plcpp::jit::init_symbol);
  ASSERT_NE(init, nullptr) << print(*m);
  EXPECT_FALSE(init->isDeclaration());
  EXPECT_EQ(init->getLinkage(), llvm::GlobalValue::ExternalLinkage);
  EXPECT_FALSE(init->hasHiddenVisibility());
  EXPECT_TRUE(init->getReturnType()->isVoidTy());
  EXPECT_EQ(init->arg_size(), 0u);
  // By priority; equal priorities as listed.
  EXPECT_EQ(callees(*init), (std::vector<std::string>{"early", "late", "later"}));
  EXPECT_EQ(verify(*m), "");
}

TEST(StaticInit, ModuleWithoutConstructorsGetsAnEmptyInit) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, "define i32 @f(i32 %x) {\n  ret i32 %x\n}\n");
  ASSERT_TRUE(m);
  plcpp::jit::rewrite_static_init(*m);
  llvm::Function *init = m->getFunction(plcpp::jit::init_symbol);
  ASSERT_NE(init, nullptr);
  EXPECT_FALSE(init->isDeclaration());
  EXPECT_EQ(init->getLinkage(), llvm::GlobalValue::ExternalLinkage);
  EXPECT_TRUE(callees(*init).empty());
  ASSERT_EQ(init->size(), 1u);
  EXPECT_TRUE(llvm::isa<llvm::ReturnInst>(init->getEntryBlock().front()));
  // The handle is defined in every module.
  llvm::GlobalVariable *handle = m->getNamedGlobal(plcpp::jit::dso_symbol);
  ASSERT_NE(handle, nullptr);
  EXPECT_FALSE(handle->isDeclaration());
  EXPECT_EQ(m->getNamedGlobal("llvm.global_ctors"), nullptr);
  EXPECT_EQ(verify(*m), "");
}

TEST(StaticInit, AtexitAndDsoHandleAreRedirected) {
  // What Clang emits for a static local or global with a destructor (and a thread_local one).
  llvm::LLVMContext ctx;
  auto m = parse(ctx, R"(
@obj = internal global i32 0
@tls_obj = internal global i32 0
@__dso_handle = external hidden global i8
@llvm.global_ctors = appending global [1 x { i32, void ()*, i8* }] [
  { i32, void ()*, i8* } { i32 65535, void ()* @ctor, i8* null }]

declare i32 @__cxa_atexit(void (i8*)*, i8*, i8*)
declare i32 @__cxa_thread_atexit(void (i8*)*, i8*, i8*)

define internal void @dtor(i8* %p) {
  ret void
}
define internal void @ctor() {
  %r = call i32 @__cxa_atexit(void (i8*)* @dtor, i8* bitcast (i32* @obj to i8*), i8* @__dso_handle)
  ret void
}
define void @use_tls() {
  %r = call i32 @__cxa_thread_atexit(void (i8*)* @dtor, i8* bitcast (i32* @tls_obj to i8*), i8* @__dso_handle)
  ret void
}
)");
  ASSERT_TRUE(m);
  plcpp::jit::rewrite_static_init(*m);
  EXPECT_EQ(m->getFunction("__cxa_atexit"), nullptr) << print(*m);
  EXPECT_EQ(m->getFunction("__cxa_thread_atexit"), nullptr) << print(*m);
  EXPECT_EQ(m->getNamedGlobal("__dso_handle"), nullptr) << print(*m);

  llvm::Function *atexit = m->getFunction(plcpp::jit::atexit_symbol);
  ASSERT_NE(atexit, nullptr) << print(*m);
  EXPECT_TRUE(atexit->isDeclaration());
  llvm::GlobalVariable *handle = m->getNamedGlobal(plcpp::jit::dso_symbol);
  ASSERT_NE(handle, nullptr) << print(*m);
  EXPECT_FALSE(handle->isDeclaration());
  EXPECT_EQ(handle->getLinkage(), llvm::GlobalValue::ExternalLinkage);

  for (const char *fn : {"ctor", "use_tls"}) {
    auto calls = calls_to(*m->getFunction(fn), plcpp::jit::atexit_symbol);
    ASSERT_EQ(calls.size(), 1u) << fn << "\n" << print(*m);
    EXPECT_EQ(calls[0]->getArgOperand(0)->stripPointerCasts(), m->getFunction("dtor"));
    EXPECT_EQ(calls[0]->getArgOperand(2)->stripPointerCasts(), handle) << print(*m);
  }
  // The constructor still runs, from plcpp_init.
  EXPECT_EQ(callees(*m->getFunction(plcpp::jit::init_symbol)), (std::vector<std::string>{"ctor"}));
  EXPECT_EQ(verify(*m), "");
}

// ---- generate_object --------------------------------------------------------------------

const char *codegen_ir = R"(
target triple = "x86_64-pc-linux-gnu"

declare void @work(i32)

define void @run(i32 %n) {
entry:
  %any = icmp sgt i32 %n, 0
  br i1 %any, label %loop, label %exit
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  call void @work(i32 %i)
  %i.next = add nsw i32 %i, 1
  %more = icmp slt i32 %i.next, %n
  br i1 %more, label %loop, label %exit
exit:
  ret void
}
)";

void expect_object_for_codegen_ir(int opt_level) {
  SCOPED_TRACE("opt level " + std::to_string(opt_level));
  llvm::LLVMContext ctx;
  auto m = parse(ctx, codegen_ir);
  ASSERT_TRUE(m);
  auto result = plcpp::jit::generate_object(*m, opt_level);
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  const std::string &object = result->object;
  ASSERT_FALSE(object.empty());
  ASSERT_GE(object.size(), 4u);
  EXPECT_EQ(object.substr(0, 4), "\x7f"
                                 "ELF");

  auto obj =
      llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(object, "unit-test-object"));
  ASSERT_TRUE(static_cast<bool>(obj)) << llvm::toString(obj.takeError());
  EXPECT_TRUE((*obj)->isELF());
  EXPECT_TRUE((*obj)->isRelocatableObject());

  EXPECT_EQ(symbol_state(object, "run"), symbol_defined);
  EXPECT_EQ(symbol_state(object, plcpp::jit::init_symbol), symbol_defined);
  EXPECT_EQ(symbol_state(object, plcpp::jit::dso_symbol), symbol_defined);
  EXPECT_EQ(symbol_state(object, interrupt_check_symbol), symbol_undefined);
  EXPECT_EQ(symbol_state(object, interrupt_flag_symbol), symbol_undefined);
  EXPECT_EQ(symbol_state(object, "work"), symbol_undefined);
  EXPECT_EQ(symbol_state(object, "no_such_symbol"), symbol_absent);

  EXPECT_EQ(result->interrupt_checks, 1u);
  EXPECT_GE(result->optimize_ms, 0);
  EXPECT_GT(result->emit_ms, 0);

  // The module was rewritten in place: checked, unwindable, with its init function.
  llvm::Function *run = m->getFunction("run");
  ASSERT_NE(run, nullptr);
  EXPECT_FALSE(has_unchecked_cycle(*run)) << print(*m);
  EXPECT_FALSE(run->hasFnAttribute(llvm::Attribute::NoUnwind));
  EXPECT_NE(m->getFunction(plcpp::jit::init_symbol), nullptr);
  EXPECT_FALSE(m->getDataLayout().isDefault());
  EXPECT_EQ(verify(*m), "");
}

TEST(GenerateObject, OptimizedObjectDefinesAndReferencesTheRightSymbols) {
  expect_object_for_codegen_ir(2);
}

TEST(GenerateObject, UnoptimizedObjectIsCheckedToo) {
  expect_object_for_codegen_ir(0);
}

TEST(GenerateObject, EveryOptLevelProducesAnObject) {
  for (int level : {1, 3}) {
    SCOPED_TRACE("opt level " + std::to_string(level));
    llvm::LLVMContext ctx;
    auto m = parse(ctx, codegen_ir);
    ASSERT_TRUE(m);
    auto result = plcpp::jit::generate_object(*m, level);
    ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
    EXPECT_EQ(symbol_state(result->object, "run"), symbol_defined);
    EXPECT_EQ(result->interrupt_checks, 1u);
  }
}

// A numeric loop keeps its check and is still vectorized: vectorize_checked_loops_pass takes
// the check out, vectorizes, and puts a check back at every latch. A loop that calls
// something keeps its early check.
const char *vectorizable_ir = R"(
declare void @work()

define i32 @sum(i32* %a, i64 %n) {
entry:
  %empty = icmp sle i64 %n, 0
  br i1 %empty, label %done, label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi i32 [ 0, %entry ], [ %s.next, %loop ]
  %p = getelementptr inbounds i32, i32* %a, i64 %i
  %v = load i32, i32* %p, align 4
  %s.next = add i32 %s, %v
  %i.next = add nuw nsw i64 %i, 1
  %more = icmp slt i64 %i.next, %n
  br i1 %more, label %loop, label %done
done:
  %r = phi i32 [ 0, %entry ], [ %s.next, %loop ]
  ret i32 %r
}

define void @calls(i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  call void @work()
  %i.next = add i64 %i, 1
  %more = icmp slt i64 %i.next, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}
)";

bool has_vector_instruction(const llvm::Function &f) {
  for (const llvm::BasicBlock &bb : f)
    for (const llvm::Instruction &i : bb)
      if (i.getType()->isVectorTy()) return true;
  return false;
}

TEST(GenerateObject, CheckedNumericLoopIsVectorized) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, vectorizable_ir);
  ASSERT_TRUE(m);
  auto result = plcpp::jit::generate_object(*m, 2);
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(result->interrupt_checks, 2u);
  llvm::Function *sum = m->getFunction("sum"), *calls = m->getFunction("calls");
  ASSERT_NE(sum, nullptr);
  ASSERT_NE(calls, nullptr);
  EXPECT_TRUE(has_vector_instruction(*sum)) << print(*m);
  EXPECT_FALSE(has_unchecked_cycle(*sum)) << print(*m);
  EXPECT_FALSE(has_unchecked_cycle(*calls)) << print(*m);
  EXPECT_GE(calls_to(*sum, interrupt_check_symbol).size(), 1u);
  EXPECT_EQ(verify(*m), "");

  // Without checks it vectorizes the same way (the reference the pass aims at).
  llvm::LLVMContext ctx2;
  auto plain = parse(ctx2, vectorizable_ir);
  ASSERT_TRUE(plain);
  ASSERT_TRUE(static_cast<bool>(plcpp::jit::generate_object(*plain, 2, false)));
  EXPECT_TRUE(has_vector_instruction(*plain->getFunction("sum")));
}

TEST(GenerateObject, InterruptChecksCanBeTurnedOff) {
  // plcpp.interrupt_checks = off: the loop is left alone, nothing refers to the server's flag.
  llvm::LLVMContext ctx;
  auto m = parse(ctx, codegen_ir);
  ASSERT_TRUE(m);
  auto result = plcpp::jit::generate_object(*m, 2, /*interrupt_checks=*/false);
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(result->interrupt_checks, 0u);
  EXPECT_EQ(symbol_state(result->object, "run"), symbol_defined);
  EXPECT_EQ(symbol_state(result->object, plcpp::jit::init_symbol), symbol_defined);
  EXPECT_EQ(symbol_state(result->object, plcpp::jit::dso_symbol), symbol_defined);
  EXPECT_EQ(symbol_state(result->object, interrupt_flag_symbol), symbol_absent);
  EXPECT_EQ(symbol_state(result->object, interrupt_check_symbol), symbol_absent);
  EXPECT_EQ(m->getNamedGlobal(interrupt_flag_symbol), nullptr);
}

TEST(GenerateObject, NounwindLoopGetsNoCheck) {
  // The same loop in a noexcept function: no check (it could only call std::terminate), and
  // nothing refers to the server's flag or the check.
  std::string ir = codegen_ir;
  const std::string header = "define void @run(i32 %n) {";
  std::size_t at = ir.find(header);
  ASSERT_NE(at, std::string::npos);
  ir.replace(at, header.size(), "define void @run(i32 %n) nounwind {");
  for (int level : {0, 2}) {
    SCOPED_TRACE("opt level " + std::to_string(level));
    llvm::LLVMContext ctx;
    auto m = parse(ctx, ir);
    ASSERT_TRUE(m);
    auto result = plcpp::jit::generate_object(*m, level);
    ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
    EXPECT_EQ(result->interrupt_checks, 0u);
    EXPECT_EQ(symbol_state(result->object, "run"), symbol_defined);
    EXPECT_EQ(symbol_state(result->object, "work"), symbol_undefined);
    EXPECT_EQ(symbol_state(result->object, interrupt_flag_symbol), symbol_absent);
    EXPECT_EQ(symbol_state(result->object, interrupt_check_symbol), symbol_absent);
    llvm::Function *run = m->getFunction("run");
    ASSERT_NE(run, nullptr);
    EXPECT_TRUE(run->hasFnAttribute(llvm::Attribute::NoUnwind));
    EXPECT_EQ(m->getNamedGlobal(interrupt_flag_symbol), nullptr);
    EXPECT_EQ(m->getFunction(interrupt_check_symbol), nullptr);
    EXPECT_EQ(verify(*m), "");
  }
}

TEST(GenerateObject, ConstructorsEndUpInInit) {
  // A constructor that only plcpp_init calls (llvm.global_ctors would be ignored by the loader
  // of an object file): its effect must survive optimization.
  llvm::LLVMContext ctx;
  auto m = parse(ctx, R"(
target triple = "x86_64-pc-linux-gnu"
@llvm.global_ctors = appending global [1 x { i32, void ()*, i8* }] [
  { i32, void ()*, i8* } { i32 65535, void ()* @ctor, i8* null }]
@state = global i32 0
declare void @observe(i32*)
define internal void @ctor() {
  call void @observe(i32* @state)
  ret void
}
define i32 @get() {
  %v = load i32, i32* @state
  ret i32 %v
}
)");
  ASSERT_TRUE(m);
  auto result = plcpp::jit::generate_object(*m, 2);
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(result->interrupt_checks, 0u);
  EXPECT_EQ(symbol_state(result->object, plcpp::jit::init_symbol), symbol_defined);
  EXPECT_EQ(symbol_state(result->object, "observe"), symbol_undefined);
  EXPECT_EQ(symbol_state(result->object, interrupt_flag_symbol), symbol_absent);
  EXPECT_EQ(m->getNamedGlobal("llvm.global_ctors"), nullptr);
  // No .init_array section: nothing would run it.
  auto obj = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(result->object, "unit-test-object"));
  ASSERT_TRUE(static_cast<bool>(obj)) << llvm::toString(obj.takeError());
  for (const llvm::object::SectionRef &section : (*obj)->sections()) {
    auto name = section.getName();
    ASSERT_TRUE(static_cast<bool>(name)) << llvm::toString(name.takeError());
    EXPECT_FALSE(name->startswith(".init_array")) << name->str();
    EXPECT_FALSE(name->startswith(".ctors")) << name->str();
  }
}

} // namespace

// ---- function-entry checks (issue 18) ---------------------------------------------------

// A recursive function written in a body (its mangled name contains 8plcpp_fn), a small
// helper of the body that the optimizer inlines into it, and a library function.
const char *entry_ir = R"(
target triple = "x86_64-pc-linux-gnu"

define i32 @_ZN8plcpp_fn4deepEi(i32 %k) {
entry:
  %slot = alloca i32
  store i32 %k, i32* %slot
  %v = load i32, i32* %slot
  %stop = icmp sgt i32 %v, 100
  br i1 %stop, label %done, label %more
more:
  %next = add i32 %v, 1
  %r = call i32 @_ZN8plcpp_fn4deepEi(i32 %next)
  %h = call i32 @_ZN8plcpp_fn6helperEi(i32 %r)
  %s = mul i32 %h, %v
  ret i32 %s
done:
  ret i32 0
}

define internal i32 @_ZN8plcpp_fn6helperEi(i32 %x) {
entry:
  %y = add i32 %x, 7
  ret i32 %y
}

define i32 @library(i32 %x) {
entry:
  %y = add i32 %x, 1
  ret i32 %y
}
)";

// The blocks that call plcpp_check_entry in `f`.
std::vector<llvm::BasicBlock *> entry_check_blocks(llvm::Function &f) {
  std::vector<llvm::BasicBlock *> out;
  for (llvm::CallBase *call : calls_to(f, plcpp::jit::entry_check_symbol))
    out.push_back(call->getParent());
  return out;
}

TEST(EntryChecks, BodyFunctionsStartWithTheStackAndInterruptTest) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, entry_ir);
  ASSERT_TRUE(m);
  run_interrupt_pass(*m);
  EXPECT_EQ(plcpp::jit::last_entry_check_count(), 2u) << print(*m);
  EXPECT_EQ(last_interrupt_check_count(), 0u) << "no loop";
  EXPECT_EQ(verify(*m), "");

  llvm::Function *deep = m->getFunction("_ZN8plcpp_fn4deepEi");
  auto blocks = entry_check_blocks(*deep);
  ASSERT_EQ(blocks.size(), 1u) << print(*m);
  // The check's block hangs off the entry block, which keeps its alloca first and ends in
  // the test: frame address below plcpp_stack_limit, or InterruptPending set.
  llvm::BasicBlock &entry = deep->getEntryBlock();
  EXPECT_EQ(blocks[0]->getSinglePredecessor(), &entry);
  EXPECT_TRUE(llvm::isa<llvm::AllocaInst>(entry.front()));
  bool frame = false, limit = false, flag = false;
  for (llvm::Instruction &i : entry) {
    if (auto *ii = llvm::dyn_cast<llvm::IntrinsicInst>(&i))
      frame |= ii->getIntrinsicID() == llvm::Intrinsic::frameaddress;
    if (auto *load = llvm::dyn_cast<llvm::LoadInst>(&i)) {
      llvm::StringRef from = load->getPointerOperand()->stripPointerCasts()->getName();
      limit |= from == plcpp::jit::stack_limit_symbol;
      flag |= from == interrupt_flag_symbol && load->isVolatile();
    }
    // Nothing of the function's own code runs before the test.
    EXPECT_FALSE(llvm::isa<llvm::StoreInst>(i)) << print(*m);
  }
  EXPECT_TRUE(frame && limit && flag) << print(*m);
  auto *branch = llvm::dyn_cast<llvm::BranchInst>(entry.getTerminator());
  ASSERT_TRUE(branch && branch->isConditional());
  EXPECT_EQ(branch->getSuccessor(0), blocks[0]);
  EXPECT_NE(branch->getMetadata(llvm::LLVMContext::MD_prof), nullptr);
  // The check may throw: the function is no longer nounwind.
  EXPECT_FALSE(deep->hasFnAttribute(llvm::Attribute::NoUnwind));

  EXPECT_EQ(entry_check_blocks(*m->getFunction("_ZN8plcpp_fn6helperEi")).size(), 1u);
  // Library code is not the body's: no entry check.
  EXPECT_TRUE(entry_check_blocks(*m->getFunction("library")).empty()) << print(*m);
}

TEST(EntryChecks, InlinedChecksAreRemovedAndTheOwnOneStays) {
  for (int level : {0, 2}) {
    SCOPED_TRACE("opt level " + std::to_string(level));
    llvm::LLVMContext ctx;
    auto m = parse(ctx, entry_ir);
    ASSERT_TRUE(m);
    auto result = plcpp::jit::generate_object(*m, level);
    ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
    EXPECT_EQ(symbol_state(result->object, plcpp::jit::entry_check_symbol), symbol_undefined);
    EXPECT_EQ(symbol_state(result->object, plcpp::jit::stack_limit_symbol), symbol_undefined);
    llvm::Function *deep = m->getFunction("_ZN8plcpp_fn4deepEi");
    ASSERT_NE(deep, nullptr);
    // One check, at the top (the helper's, inlined at -O2, is gone with its loads).
    auto blocks = entry_check_blocks(*deep);
    ASSERT_EQ(blocks.size(), 1u) << print(*m);
    EXPECT_EQ(blocks[0]->getSinglePredecessor(), &deep->getEntryBlock()) << print(*m);
    EXPECT_EQ(flag_loads(*deep).size(), 1u) << print(*m);
    if (level == 2) {
      EXPECT_TRUE(calls_to(*deep, "_ZN8plcpp_fn6helperEi").empty()) << print(*m);
    }
    EXPECT_EQ(verify(*m), "");
  }
}

TEST(EntryChecks, ChecksOffMeansNoEntryCheck) {
  llvm::LLVMContext ctx;
  auto m = parse(ctx, entry_ir);
  ASSERT_TRUE(m);
  auto result = plcpp::jit::generate_object(*m, 2, /*interrupt_checks=*/false);
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(symbol_state(result->object, plcpp::jit::entry_check_symbol), symbol_absent);
  EXPECT_EQ(symbol_state(result->object, interrupt_flag_symbol), symbol_absent);
}
