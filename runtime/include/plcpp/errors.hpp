// plcpp/errors.hpp — SQL errors as C++ exceptions.
//
// plcpp::sql_error carries a PostgreSQL error (SQLSTATE, message, detail, hint). It is thrown by
// error() and by every runtime call whose PostgreSQL work failed; when it escapes a body the
// client receives exactly that error. Any other exception escaping a body becomes SQLSTATE 38000
// (external_routine_exception) with what() as the message; std::bad_alloc becomes 53200.
#pragma once

#include "config.hpp"

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace plcpp {

class PLCPP_API sql_error : public std::exception {
public:
  sql_error(std::string sqlstate, std::string message, std::string detail = {},
            std::string hint = {});
  ~sql_error() override; // out of line: the typeinfo lives in plcpp.so only

  const char *what() const noexcept override { return message_.c_str(); }
  const std::string &sqlstate() const noexcept { return sqlstate_; }
  const std::string &message() const noexcept { return message_; }
  const std::string &detail() const noexcept { return detail_; }
  const std::string &hint() const noexcept { return hint_; }

  // Set when the error came from PostgreSQL itself: the server's full error report, rethrown
  // unchanged when this exception leaves the body. Opaque to bodies. The report lives in the
  // memory of the call that raised it: once that call has ended (the exception was kept in a
  // static and thrown again by a later call) this is nullptr, and the error is raised from the
  // fields above, which the exception owns.
  void *pg_error_data() const noexcept;
  void set_pg_error_data(void *edata) noexcept;

private:
  std::string sqlstate_, message_, detail_, hint_;
  void *pg_error_data_ = nullptr;
  std::uint64_t pg_error_call_ = 0; // the call whose memory holds *pg_error_data_
};

// Optional fields of error(): error("msg", {.sqlstate = "22023", .hint = "..."}).
struct error_fields {
  std::string_view sqlstate = "P0001"; // raise_exception, as PL/pgSQL's RAISE
  std::string_view detail = {};
  std::string_view hint = {};
};

// Raise an SQL error: unwinds the body (destructors run) and reaches the client as given.
// An SQLSTATE that is not five characters of [0-9A-Z] throws std::invalid_argument instead.
[[noreturn]] PLCPP_API void error(std::string_view message, const error_fields &fields = {});

} // namespace plcpp
