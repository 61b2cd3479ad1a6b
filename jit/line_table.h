// jit/line_table.h — PROVISIONAL (replaced by the helper's version at merge).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
namespace plcpp::jit {
struct line_range {
  std::uint64_t offset;
  std::uint32_t line;
};
using line_table = std::vector<line_range>;
std::string encode_line_table(const line_table &);
bool decode_line_table(std::string_view bytes, line_table &out);
std::uint32_t body_line_at(const line_table &, std::uint64_t offset) noexcept;
} // namespace plcpp::jit
