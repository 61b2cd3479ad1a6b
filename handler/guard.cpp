// handler/guard.cpp — C++ exception -> plain error report -> ereport in the outer frame.
//
// plcpp_guarded_call is the only catch-all around a body's code: whatever a body throws ends
// here. It copies what it caught into static storage and returns; plcpp_raise_caught, called
// by the entry point after the guarded frame is gone, turns it into an ereport. Nothing is
// reported from inside a catch block.
//
// Other catch blocks guard plcpp's own C++ code, never a body's, and none ereports inside the
// catch block: the noexcept entry points of the build (handler/build.cpp: a failed build
// report), the compile process's child (compile_run.cpp: an exit status), cache_admin.cpp and
// runtime/self.cpp (a failure result for their C caller), runtime/session.cpp (frees a
// half-inserted entry and re-throws, to this guard), and in jit/ (no PostgreSQL there at all)
// the compiler, the loader, the object cache and the optimize queue.
#include "plcpp.h"

#include "../runtime/interrupts.h"

#include <plcpp/errors.hpp>

#include "../runtime/report.h"

#include <cxxabi.h>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <exception>
#include <new>
#include <typeinfo>

namespace {

// What the guard caught. Filled inside catch blocks, which must not allocate when what they
// caught is std::bad_alloc (memory is gone: an allocation there throws again, out of a
// noexcept function, into std::terminate); the fixed fields then say it without allocating.
struct caught_error {
  char sqlstate[6] = "38000";
  std::string message, detail, hint;
  plcpp::object_names names;           // schema, table, column, datatype, constraint of error()
  void *pg_error = nullptr;            // ErrorData* of an error that came from PostgreSQL
  const char *fixed_message = nullptr; // static text, when the strings could not be set
  char fixed_detail[128] = "";
  plcpp_error_site site; // the body line it left from (error_line.cpp)
};

caught_error caught;

// clear() keeps each string's storage: nothing allocated.
void clear_names() noexcept {
  for (std::string *s : {&caught.names.schema, &caught.names.table, &caught.names.column,
                         &caught.names.datatype, &caught.names.constraint})
    s->clear();
}

// No allocation: clear() keeps the strings' storage, the rest is copied into static arrays.
void record_out_of_memory(const char *what) noexcept {
  memcpy(caught.sqlstate, "53200", 6);
  caught.message.clear();
  caught.detail.clear();
  caught.hint.clear();
  clear_names();
  caught.pg_error = nullptr;
  caught.fixed_message = "out of memory in PL/C++ function";
  snprintf(caught.fixed_detail, sizeof caught.fixed_detail, "C++ exception: %s",
           what ? what : "std::bad_alloc");
}

void record(const char *sqlstate, const char *message, const char *detail = "",
            const char *hint = "", const plcpp::object_names *names = nullptr) noexcept {
  try {
    memcpy(caught.sqlstate, sqlstate, 5);
    caught.sqlstate[5] = '\0';
    caught.message = message;
    caught.detail = detail;
    caught.hint = hint;
    if (names)
      caught.names = *names;
    else
      clear_names();
    caught.pg_error = nullptr;
    caught.fixed_message = nullptr;
  } catch (...) {
    record_out_of_memory(nullptr); // copying the text failed
  }
}

std::string type_name(const std::type_info &t) {
  int status = 0;
  char *readable = abi::__cxa_demangle(t.name(), nullptr, nullptr, &status);
  std::string name = status == 0 && readable ? readable : t.name();
  free(readable);
  return name;
}

// The detail names the exception's type: built here, where a failed allocation is caught.
void record_exception(const char *message, const std::type_info &type) noexcept {
  try {
    std::string detail = "C++ exception of type " + type_name(type);
    record("38000", message, detail.c_str());
  } catch (...) {
    record_out_of_memory(nullptr);
  }
}

} // namespace

bool plcpp_guarded_call(plcpp::detail::entry_fn entry, plcpp::detail::call_frame *frame,
                        plcpp::detail::raw_datum *result) noexcept {
  plcpp::detail::refresh_stack_limit();
  try {
    *result = entry(frame);
    return true;
  } catch (const plcpp::sql_error &e) {
    plcpp_note_thrown_site(&caught.site);
    record(e.sqlstate().c_str(), e.message().c_str(), e.detail().c_str(), e.hint().c_str(),
           &e.object());
    caught.pg_error = e.pg_error_data();
  } catch (const std::bad_alloc &e) {
    plcpp_note_thrown_site(&caught.site);
    record_out_of_memory(e.what());
  } catch (const std::exception &e) {
    plcpp_note_thrown_site(&caught.site);
    record_exception(e.what(), typeid(e));
  } catch (...) {
    plcpp_note_thrown_site(&caught.site);
    record("38000", "unknown C++ exception escaped the function body");
  }
  return false;
}

void plcpp_raise_caught(void) {
  // An error that came from PostgreSQL keeps the context it was reported with, which named
  // the body line already (error_line.cpp).
  if (caught.pg_error) ReThrowError(static_cast<ErrorData *>(caught.pg_error));
  // The context names the line the exception left the body from.
  plcpp_set_raising_site(&caught.site);
  // A C++ error: its fields go through the same ereport as report()'s messages. After an
  // out-of-memory, only static text (fixed_message) is used.
  plcpp::detail::report_text r;
  r.sqlstate = caught.sqlstate;
  r.message = caught.fixed_message     ? caught.fixed_message
              : caught.message.empty() ? "out of memory"
                                       : caught.message.c_str();
  r.detail = caught.fixed_message ? caught.fixed_detail : caught.detail.c_str();
  r.hint = caught.hint.c_str();
  r.schema = caught.names.schema.c_str();
  r.table = caught.names.table.c_str();
  r.column = caught.names.column.c_str();
  r.datatype = caught.names.datatype.c_str();
  r.constraint = caught.names.constraint.c_str();
  plcpp::detail::ereport_with_fields(ERROR, r);
  pg_unreachable();
}

// std::terminate in a backend would abort() it, and the postmaster would then restart every
// session to be safe. A C++ exception that nothing may catch (thrown through a noexcept
// function) ends only this session: FATAL exits the process cleanly (locks released,
// transaction aborted) and does not return, as a terminate handler must not.
static void terminate_session() {
  ereport(FATAL, (errcode(ERRCODE_INTERNAL_ERROR),
                  errmsg("PL/C++: an exception left a noexcept function (std::terminate)"),
                  errdetail("The session ends; the server and other sessions go on.")));
  abort(); // not reached
}

void plcpp_install_terminate_handler(void) {
  std::set_terminate(terminate_session);
}
