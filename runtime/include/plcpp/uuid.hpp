// plcpp/uuid.hpp — uuid as 16 bytes, with the canonical text form.
#pragma once

#include "datetime.hpp" // fixed_datum

#include <array>
#include <compare>
#include <stdexcept>

namespace plcpp {

struct uuid {
  std::array<std::uint8_t, 16> bytes{};

  // 8-4-4-4-12 lower-case hex, as PostgreSQL prints it.
  std::string to_string() const {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
      s += hex[bytes[i] >> 4];
      s += hex[bytes[i] & 15];
    }
    return s;
  }
  // Accepts the canonical form, with or without hyphens and braces; throws
  // std::invalid_argument otherwise.
  static uuid parse(std::string_view s) {
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
    uuid u;
    std::size_t n = 0;
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '-') continue;
      int hi = nibble(s[i]), lo = i + 1 < s.size() ? nibble(s[i + 1]) : -1;
      if (hi < 0 || lo < 0 || n == 16)
        throw std::invalid_argument("invalid uuid \"" + std::string(s) + "\"");
      u.bytes[n++] = static_cast<std::uint8_t>(hi << 4 | lo);
      ++i;
    }
    if (n != 16) throw std::invalid_argument("invalid uuid \"" + std::string(s) + "\"");
    return u;
  }
  auto operator<=>(const uuid &) const = default;
};

template <> struct value_traits<uuid> {
  static constexpr Oid oid = oids::uuid, array_oid = oids::uuid_array;
  static constexpr const char *cpp_name = "plcpp::uuid";
  static bool reads(Oid t) noexcept { return t == oids::uuid; }
  static bool writes(Oid t) noexcept { return t == oids::uuid; }
  static uuid from_datum(detail::raw_datum d, Oid) noexcept {
    uuid u;
    std::memcpy(u.bytes.data(), detail::fixed_pointer(d), 16);
    return u;
  }
  static detail::raw_datum to_datum(const uuid &v, Oid) {
    return detail::fixed_datum(v.bytes.data(), 16);
  }
};

} // namespace plcpp
