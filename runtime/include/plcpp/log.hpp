// plcpp/log.hpp — debug/log/info/notice/warning: stream any printable arguments to the
// server's message system (client and/or server log, per client_min_messages/log_min_messages).
#pragma once

#include "config.hpp"

#include <sstream>
#include <string>
#include <string_view>

namespace plcpp {
namespace detail {

enum class log_level { debug, log, info, notice, warning };

PLCPP_API void emit_log(log_level level, std::string_view message);

template <class... Args> void log_args(log_level level, const Args &...args) {
  if constexpr (sizeof...(Args) == 1 &&
                (std::is_convertible_v<const Args &, std::string_view> && ...)) {
    emit_log(level, std::string_view(args...));
  } else {
    std::ostringstream out;
    (out << ... << args);
    emit_log(level, out.str());
  }
}

} // namespace detail

template <class... Args> void debug(const Args &...args) {
  detail::log_args(detail::log_level::debug, args...);
}
template <class... Args> void log(const Args &...args) {
  detail::log_args(detail::log_level::log, args...);
}
template <class... Args> void info(const Args &...args) {
  detail::log_args(detail::log_level::info, args...);
}
template <class... Args> void notice(const Args &...args) {
  detail::log_args(detail::log_level::notice, args...);
}
template <class... Args> void warning(const Args &...args) {
  detail::log_args(detail::log_level::warning, args...);
}

} // namespace plcpp
