// runtime/errors.cpp — plcpp::sql_error, error() and report().
#include <plcpp/errors.hpp>
#include <plcpp/types.hpp>

#include <stdexcept>

#include "pg_call.h"
#include "report.h"

#include "pg.h"

namespace plcpp {

sql_error::sql_error(std::string sqlstate, std::string message, std::string detail,
                     std::string hint)
    : sqlstate_(std::move(sqlstate)), message_(std::move(message)), detail_(std::move(detail)),
      hint_(std::move(hint)) {}

sql_error::~sql_error() = default;

void *sql_error::pg_error_data() const noexcept {
  return pg_error_data_ && detail::call_alive(pg_error_call_) ? pg_error_data_ : nullptr;
}

void sql_error::set_pg_error_data(void *edata) noexcept {
  pg_error_data_ = edata;
  pg_error_call_ = detail::call_id();
}

namespace detail {

void check_sqlstate(std::string_view s, const char *who) {
  bool valid = s.size() == 5;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) valid = false;
  if (!valid)
    throw std::invalid_argument("invalid SQLSTATE code \"" + std::string(s) + "\" given to " + who +
                                ": five characters of [0-9A-Z]");
}

static const char *or_null(const std::string &s) {
  return s.empty() ? nullptr : s.c_str();
}

} // namespace detail

static object_names names_of(const error_fields &f) {
  return {std::string(f.schema), std::string(f.table), std::string(f.column),
          std::string(f.datatype), std::string(f.constraint)};
}

void error(std::string_view message, const error_fields &fields) {
  std::string_view state = fields.sqlstate.empty() ? "P0001" : fields.sqlstate;
  detail::check_sqlstate(state, "plcpp::error()");
  sql_error e(std::string(state), std::string(message), std::string(fields.detail),
              std::string(fields.hint));
  e.set_object(names_of(fields));
  throw e;
}

void report(severity level, std::string_view message, const error_fields &fields) {
  if (!fields.sqlstate.empty()) detail::check_sqlstate(fields.sqlstate, "plcpp::report()");
  int elevel = level == severity::debug     ? DEBUG1
               : level == severity::log     ? LOG
               : level == severity::info    ? INFO
               : level == severity::warning ? WARNING
                                            : NOTICE;
  // Skip the copies entirely when nobody will see the message (PostgreSQL's own test).
  if (!message_level_is_interesting(elevel)) return;
  // NUL-terminated copies, made before entering PostgreSQL (which then touches plain data).
  std::string state(fields.sqlstate), text(message), det(fields.detail), hint(fields.hint);
  object_names n = names_of(fields);
  detail::report_text r;
  r.sqlstate = state.empty() ? nullptr : state.c_str();
  r.message = text.c_str();
  r.detail = detail::or_null(det);
  r.hint = detail::or_null(hint);
  r.schema = detail::or_null(n.schema);
  r.table = detail::or_null(n.table);
  r.column = detail::or_null(n.column);
  r.datatype = detail::or_null(n.datatype);
  r.constraint = detail::or_null(n.constraint);
  detail::pg_call([&] { detail::ereport_with_fields(elevel, r); });
}

} // namespace plcpp
