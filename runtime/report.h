// runtime/report.h — the one place where a message and its fields become an ereport.
//
// Used for error() and report() alike: by the handler's guard (handler/guard.cpp) when a C++
// exception leaves a body, in the entry point's frame once the body's frames are gone, and by
// report() through pg_call. Plain data only, so an ERROR may longjmp over this frame.
#pragma once

#include <plcpp/errors.hpp>

#include <string_view>

namespace plcpp::detail {

struct report_text {
  const char *sqlstate = nullptr; // five characters; nullptr: the level's default
  const char *message = "";
  const char *detail = nullptr; // nullptr or empty: unset, as the name fields below
  const char *hint = nullptr;
  const char *schema = nullptr, *table = nullptr, *column = nullptr, *datatype = nullptr,
             *constraint = nullptr;
};

// ereport(elevel, ...) carrying every field of r. Does not return for ERROR and above.
void ereport_with_fields(int elevel, const report_text &r);

// Throws std::invalid_argument unless s is five characters of [0-9A-Z]; `who` names the API.
void check_sqlstate(std::string_view s, const char *who);

} // namespace plcpp::detail
