// plcpp/errors.hpp — SQL errors as C++ exceptions.
//
// plcpp::sql_error carries a PostgreSQL error (SQLSTATE, message, detail, hint, the names of the
// object it is about, context). It is thrown by
// error() and by every runtime call whose PostgreSQL work failed; when it escapes a body the
// client receives exactly that error. Any other exception escaping a body becomes SQLSTATE 38000
// (external_routine_exception) with what() as the message; std::bad_alloc becomes 53200.
#pragma once

#include "config.hpp"

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace plcpp {

// The database object an error or message is about: PostgreSQL's schema_name, table_name,
// column_name, datatype_name and constraint_name fields (what PL/pgSQL's RAISE ... USING
// SCHEMA/TABLE/COLUMN/DATATYPE/CONSTRAINT sets, and GET STACKED DIAGNOSTICS reads). Empty: unset.
struct object_names {
  std::string schema, table, column, datatype, constraint;
};

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
  const std::string &schema_name() const noexcept { return names_.schema; }
  const std::string &table_name() const noexcept { return names_.table; }
  const std::string &column_name() const noexcept { return names_.column; }
  const std::string &datatype_name() const noexcept { return names_.datatype; }
  const std::string &constraint_name() const noexcept { return names_.constraint; }
  // The server's context lines of an error that came from PostgreSQL ("SQL statement ...",
  // "PL/pgSQL function ..."), innermost first; empty for errors raised in C++.
  const std::string &context() const noexcept { return context_; }
  const object_names &object() const noexcept { return names_; }
  void set_object(object_names names) noexcept { names_ = std::move(names); }
  void set_context(std::string context) noexcept { context_ = std::move(context); }

  // Set when the error came from PostgreSQL itself: the server's full error report, rethrown
  // unchanged when this exception leaves the body. Opaque to bodies. The report lives in the
  // memory of the call that raised it: once that call has ended (the exception was kept in a
  // static and thrown again by a later call) this is nullptr, and the error is raised from the
  // fields above, which the exception owns.
  void *pg_error_data() const noexcept;
  void set_pg_error_data(void *edata) noexcept;

private:
  std::string sqlstate_, message_, detail_, hint_;
  object_names names_;
  std::string context_;
  void *pg_error_data_ = nullptr;
  std::uint64_t pg_error_call_ = 0; // the call whose memory holds *pg_error_data_
};

// Optional fields of error() and report(): error("msg", {.sqlstate = "22023", .hint = "..."}).
// Designated initializers name them in this order; new fields are only ever appended.
struct error_fields {
  // Empty: P0001 (raise_exception, as PL/pgSQL's RAISE) for error(); for report(), the
  // server's default for the severity (01000 for a warning, 00000 otherwise).
  std::string_view sqlstate = {};
  std::string_view detail = {};
  std::string_view hint = {};
  std::string_view schema = {};
  std::string_view table = {};
  std::string_view column = {};
  std::string_view datatype = {};
  std::string_view constraint = {};
};

// Raise an SQL error: unwinds the body (destructors run) and reaches the client as given.
// An SQLSTATE that is not five characters of [0-9A-Z] throws std::invalid_argument instead.
[[noreturn]] PLCPP_API void error(std::string_view message, const error_fields &fields = {});

// The severities of report(), as PL/pgSQL's RAISE levels below EXCEPTION.
enum class severity { debug, log, info, notice, warning };

// Send a message with fields: report(severity::notice, "msg", {.detail = "...", .table = "t"}).
// As notice(...) and its kin, it honours client_min_messages and log_min_messages; the SQLSTATE
// is checked as error()'s. The body goes on.
PLCPP_API void report(severity level, std::string_view message, const error_fields &fields = {});

} // namespace plcpp
