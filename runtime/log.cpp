// runtime/log.cpp — notice(), warning(), ...: ereport at the matching level through pg_call.
#include <plcpp/log.hpp>

#include <exception>

#include "pg_call.h"

#include "pg.h"

namespace plcpp::detail {

static int elevel_of(log_level level) {
  switch (level) {
  case log_level::debug:
    return DEBUG1;
  case log_level::log:
    return LOG;
  case log_level::info:
    return INFO;
  case log_level::notice:
    return NOTICE;
  case log_level::warning:
    return WARNING;
  }
  return NOTICE;
}

void emit_log(log_level level, std::string_view message) {
  int elevel = elevel_of(level);
  // Skip the formatting entirely when nobody will see the message (PostgreSQL's own test).
  if (!message_level_is_interesting(elevel)) return;
  const char *data = message.data();
  int len = static_cast<int>(message.size());
  auto report = [=] { ereport(elevel, errmsg_internal("%.*s", len, data)); };
  // From a destructor while an exception unwinds the body, nothing may throw: after a
  // PostgreSQL error the message is dropped (the call ends with that error), after a C++
  // exception it is reported, and if even that fails, that error ends the call.
  if (std::uncaught_exceptions() > 0) {
    if (!unwinding_after_error()) pg_cleanup(report);
    return;
  }
  pg_call(report);
}

} // namespace plcpp::detail
