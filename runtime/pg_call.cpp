// runtime/pg_call.cpp — PostgreSQL ERROR -> plcpp::sql_error: the only PG_TRY that C++ code with
// live destructors (a body, the runtime API it calls) goes through.
//
// The other PG_TRY blocks of plcpp are in C-style frames that hold plain data only, so a
// longjmp through them skips no destructor:
//   handler/compile_process.cpp  the wait for the compile process: an epoll failure of
//                                WaitLatchOrSocket becomes data (the child is then killed).
//   handler/compile.cpp          PG_CATCH frees the loaded code and self() description of a
//                                function whose attributes fail their catalog checks, then
//                                re-throws.
//   handler/compile_attributes.cpp  check_ttl: interval_in's syntax error becomes a compile
//                                error (input errors leave no state behind).
//   memoize/memoize.cpp          as_user: PG_FINALLY restores the user id, then re-throws.
#include "pg_call.h"

#include <exception>
#include <string>

#include "call_state.h"
#include "pg.h"

namespace plcpp::detail {
namespace {

ErrorData *pending_error = nullptr;
int pending_depth = 0; // spi::subtransaction depth at which it was raised (0: none open)

std::string or_empty(const char *s) {
  return s ? s : "";
}

[[noreturn]] void throw_from(ErrorData *edata) {
  sql_error e(unpack_sql_state(edata->sqlerrcode), or_empty(edata->message),
              or_empty(edata->detail), or_empty(edata->hint));
  e.set_object({or_empty(edata->schema_name), or_empty(edata->table_name),
                or_empty(edata->column_name), or_empty(edata->datatype_name),
                or_empty(edata->constraint_name)});
  e.set_context(or_empty(edata->context));
  e.set_pg_error_data(edata);
  throw e;
}

// Runs fn(arg) under PG_TRY; returns a copy of the error it raised, or nullptr. PostgreSQL
// calls may leave another memory context current (SPI switches to its own), and an error may
// unwind nested calls: both are put back, so C++ code always runs in the caller's context and
// sees its own call state.
ErrorData *run_catching(void (*fn)(void *), void *arg) noexcept {
  MemoryContext caller_context = CurrentMemoryContext;
  call_state *caller = current_call;
  ErrorData *caught = nullptr;
  PG_TRY();
  { fn(arg); }
  PG_CATCH();
  {
    // The copy must outlive scratch memory: it is rethrown when the call ends.
    MemoryContextSwitchTo(caller ? caller->caller_context : caller_context);
    caught = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  current_call = caller;
  MemoryContextSwitchTo(caller_context);
  return caught;
}

} // namespace

void pg_call_raw(void (*fn)(void *), void *arg) {
  if (pending_error) {
    // The body caught the error and went on: say why it cannot (the SQLSTATE stays).
    // A static string, not a palloc that could fail here: ReThrowError and CopyErrorData
    // copy the fields, and nothing frees this ErrorData's fields one by one.
    static char hint[] = "After a failed query a PL/C++ function can go on only if the query "
                         "ran inside spi::subtransaction.";
    if (!pending_error->hint) pending_error->hint = hint;
    throw_from(pending_error);
  }

  call_state *caller = current_call;
  if (ErrorData *caught = run_catching(fn, arg)) {
    pending_error = caught;
    pending_depth = caller ? caller->subxact_depth : 0;
    throw_from(caught);
  }
}

bool pg_call_noexcept(void (*fn)(void *), void *arg) noexcept {
  if (ErrorData *caught = run_catching(fn, arg)) {
    // The first error wins: cleanup that fails after an error (closing, freeing, rolling
    // back while that error unwinds the body) must not replace it, the client gets the
    // error that started it all. (The copy stays in the caller's context until it ends.)
    if (pending_error) return false;
    pending_error = caught;
    pending_depth = 0; // unforgivable: the cleanup that failed cannot be retried
    return false;
  }
  return true;
}

bool unwinding_after_error() noexcept {
  return pending_error && std::uncaught_exceptions() > 0;
}

void *take_pending_error() noexcept {
  ErrorData *e = pending_error;
  pending_error = nullptr;
  return e;
}

void clear_pending_error() noexcept {
  pending_error = nullptr;
}

void forgive_pending_error(int depth) noexcept {
  if (pending_error && pending_depth > depth) pending_error = nullptr;
}

void *pending_error_since(int depth) noexcept {
  return pending_error && pending_depth >= depth && depth > 0 ? pending_error : nullptr;
}

void throw_error_data(void *edata) {
  throw_from(static_cast<ErrorData *>(edata));
}

void *current_pending_error() noexcept {
  return pending_error;
}

} // namespace plcpp::detail
