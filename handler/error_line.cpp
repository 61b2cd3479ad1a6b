// handler/error_line.cpp — "CONTEXT: PL/C++ function f(integer) line 7": the body line an
// error comes from, counted as in compile errors (line 1 is the line of $$).
//
// A body's code is a shared object whose line table (jit/line_table.h, from its DWARF) maps a
// return address to the body line of the call. Which return address depends on when the
// error is reported:
//  - An error PostgreSQL raises while the body is on the stack (a runtime call: SPI, a
//    conversion, notice(), ...) is reported by errfinish() with the body's frames still
//    there: the error context callback walks the stack (_Unwind_Backtrace) and takes the
//    innermost frame in the function's code, between the frame of the call's own context
//    (its ErrorContextCallback lives in plcpp_call_body's frame) and that of a nested plcpp
//    call's, if any (a recursive call reports its own line).
//  - A C++ exception that leaves the body is reported after the guard caught it, when the
//    body's frames are gone. So the line is taken earlier, in the unwinder's search phase,
//    which runs on the intact stack: plcpp.so is linked with --wrap=__gxx_personality_v0, and
//    when the personality routine finds the guard's handler (plcpp_guarded_call), the
//    wrapper walks the stack from the throw to the guard before anything is unwound. It
//    runs only for frames of plcpp.so and only for exceptions the guard catches: an
//    exception a body catches itself costs nothing more.
// Nothing here throws or raises, and only errcontext() allocates (in ErrorContext): this runs
// inside errfinish() and inside the unwinder. The walk stops at frames without unwind
// information (e.g. code PostgreSQL's own JIT generated): outer calls then lose their line.
// A line is not known for an exception rethrown with std::rethrow_exception.
#include "plcpp.h"

#include "../jit/loader.h"

#include <cstring>
#include <exception>
#include <unwind.h>

extern "C" _Unwind_Reason_Code __real___gxx_personality_v0(int, _Unwind_Action,
                                                           _Unwind_Exception_Class,
                                                           struct _Unwind_Exception *,
                                                           struct _Unwind_Context *);
extern "C" _Unwind_Reason_Code __wrap___gxx_personality_v0(int, _Unwind_Action,
                                                           _Unwind_Exception_Class,
                                                           struct _Unwind_Exception *,
                                                           struct _Unwind_Context *);

namespace {

// The personality wrapper's walk: from the throw up to the guard's frame.
struct walk {
  std::uintptr_t shallower_than = UINTPTR_MAX; // frames at or above: the guard's and its callers'
  void *found_code = nullptr;
  unsigned line = 0;
};

_Unwind_Reason_Code visit(struct _Unwind_Context *context, void *arg) {
  auto *w = static_cast<walk *>(arg);
  if (_Unwind_GetCFA(context) >= w->shallower_than) return _URC_END_OF_STACK; // stops the walk
  std::uintptr_t ip = _Unwind_GetIP(context);
  void *code = plcpp::jit::code_containing(ip);
  unsigned line = code ? plcpp::jit::body_line_of_return_address(code, ip) : 0;
  if (!line) return _URC_NO_REASON;
  w->line = line;
  w->found_code = code;
  return _URC_END_OF_STACK;
}

// Where the exception the guard is about to catch was thrown (or thrown through).
struct thrown_at {
  void *object = nullptr; // the thrown object, to match it in the catch block
  void *code = nullptr;
  unsigned line = 0;
} thrown;

// Where the error the guard is now reporting came from (plcpp_raise_caught).
struct raised_at {
  void *code = nullptr;
  unsigned line = 0;
} raising;

// The thrown object of the exception being handled (libstdc++: exception_ptr holds only it).
void *current_exception_object() noexcept {
  std::exception_ptr p = std::current_exception();
  void *object;
  static_assert(sizeof p == sizeof object);
  memcpy(&object, static_cast<void *>(&p), sizeof object);
  return object;
}

} // namespace

extern "C" _Unwind_Reason_Code __wrap___gxx_personality_v0(int version, _Unwind_Action actions,
                                                           _Unwind_Exception_Class kind,
                                                           struct _Unwind_Exception *exception,
                                                           struct _Unwind_Context *context) {
  _Unwind_Reason_Code rc = __real___gxx_personality_v0(version, actions, kind, exception, context);
  if ((actions & _UA_SEARCH_PHASE) && rc == _URC_HANDLER_FOUND &&
      _Unwind_GetRegionStart(context) == reinterpret_cast<std::uintptr_t>(&plcpp_guarded_call)) {
    walk w;
    w.shallower_than = _Unwind_GetCFA(context);
    _Unwind_Backtrace(visit, &w);
    // libstdc++ places the thrown object right after its _Unwind_Exception header.
    thrown = {static_cast<void *>(exception + 1), w.found_code, w.line};
  }
  return rc;
}

void plcpp_note_thrown_site(plcpp_error_site *site) noexcept {
  void *object = current_exception_object();
  if (object && object == thrown.object) {
    site->code = thrown.code;
    site->line = thrown.line;
    thrown = {};
  } else { // e.g. std::rethrow_exception: the object is not the one the search phase saw
    site->code = nullptr;
    site->line = 0;
  }
}

void plcpp_set_raising_site(const plcpp_error_site *site) noexcept {
  raising.code = site ? site->code : nullptr;
  raising.line = site ? site->line : 0;
}

namespace {

// One report's lines, for every plcpp call on the stack: the innermost call's callback (the
// first errfinish() runs) walks the stack once and fills this; the outer calls' callbacks,
// run next for the same report, read it. (Each walking for itself made a report under N
// nested calls cost N walks of up to N levels: seconds for a notice in a deep recursion.)
struct context_line {
  const plcpp_call_context *context;
  bool usable; // its code is loaded: its line table can be read
  unsigned line;
};
constexpr int max_contexts = 256; // deeper calls are named without their line
context_line report_lines[max_contexts];
int report_contexts = 0;

struct report_walk {
  int next = 0; // the context whose frames the walk is in (report_lines[next])
};

_Unwind_Reason_Code visit_all(struct _Unwind_Context *frame, void *arg) {
  auto *w = static_cast<report_walk *>(arg);
  std::uintptr_t cfa = _Unwind_GetCFA(frame);
  // A call's frames lie below (deeper than) its context struct, in plcpp_call_body's frame.
  while (w->next < report_contexts &&
         cfa >= reinterpret_cast<std::uintptr_t>(report_lines[w->next].context))
    ++w->next;
  if (w->next >= report_contexts) return _URC_END_OF_STACK;
  context_line &c = report_lines[w->next];
  if (c.line || !c.usable) return _URC_NO_REASON;
  c.line = plcpp::jit::body_line_of_return_address(c.context->code, _Unwind_GetIP(frame));
  return _URC_NO_REASON;
}

// The plcpp calls on error_context_stack, innermost first, and their lines.
void walk_report() {
  report_contexts = 0;
  for (ErrorContextCallback *e = error_context_stack; e && report_contexts < max_contexts;
       e = e->previous)
    if (e->callback == plcpp_call_context_callback) {
      auto *c = static_cast<const plcpp_call_context *>(e->arg);
      // Code unloaded while its call's context is still pushed (replaced by a nested call,
      // then freed at depth 0 before this report) is not looked into.
      bool usable = c->code && !c->unloaded && plcpp::jit::code_loaded(c->code);
      report_lines[report_contexts++] = {c, usable, 0};
    }
  report_walk w;
  _Unwind_Backtrace(visit_all, &w);
}

unsigned line_of(const plcpp_call_context *c) {
  for (int i = 0; i < report_contexts; ++i)
    if (report_lines[i].context == c) return report_lines[i].line;
  return 0;
}

} // namespace

void plcpp_call_context_callback(void *arg) noexcept {
  auto *c = static_cast<plcpp_call_context *>(arg);
  bool innermost = true; // no plcpp call's context before this one in the chain
  for (ErrorContextCallback *e = error_context_stack; e && e->arg != c; e = e->previous)
    if (e->callback == plcpp_call_context_callback) innermost = false;
  if (innermost) walk_report();
  unsigned line = line_of(c);
  // No frame of the body left: a C++ exception the guard caught is being reported. Used
  // once: the report that plcpp_raise_caught started is the only one it belongs to (so no
  // call has to clear it).
  if (innermost) {
    if (!line && raising.code && raising.code == c->code) line = raising.line;
    raising = {};
  }
  const char *signature = c->signature ? *c->signature : nullptr;
  if (signature && line)
    errcontext("PL/C++ function %s line %u", signature, line);
  else if (signature)
    errcontext("PL/C++ function %s", signature);
  else if (line)
    errcontext("PL/C++ anonymous code block line %u", line);
  else
    errcontext("PL/C++ anonymous code block");
}
