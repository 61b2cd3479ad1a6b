// runtime/errors.cpp — plcpp::sql_error and error().
#include <plcpp/errors.hpp>
#include <plcpp/types.hpp>

#include <stdexcept>

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

static bool valid_sqlstate(std::string_view s) {
  if (s.size() != 5) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

void error(std::string_view message, const error_fields &fields) {
  if (!valid_sqlstate(fields.sqlstate))
    throw std::invalid_argument("invalid SQLSTATE code \"" + std::string(fields.sqlstate) +
                                "\" given to plcpp::error(): five characters of [0-9A-Z]");
  throw sql_error(std::string(fields.sqlstate), std::string(message), std::string(fields.detail),
                  std::string(fields.hint));
}

} // namespace plcpp
