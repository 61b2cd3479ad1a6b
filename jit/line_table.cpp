// jit/line_table.cpp — PROVISIONAL.
#include "line_table.h"
#include <algorithm>
#include <cstring>
namespace plcpp::jit {
std::string encode_line_table(const line_table &t) {
  return std::string(reinterpret_cast<const char *>(t.data()), t.size() * sizeof(line_range));
}
bool decode_line_table(std::string_view b, line_table &out) {
  if (b.size() % sizeof(line_range)) return false;
  out.resize(b.size() / sizeof(line_range));
  memcpy(out.data(), b.data(), b.size());
  return true;
}
std::uint32_t body_line_at(const line_table &t, std::uint64_t offset) noexcept {
  auto it = std::upper_bound(t.begin(), t.end(), offset,
                             [](std::uint64_t o, const line_range &r) { return o < r.offset; });
  if (it == t.begin()) return 0;
  return std::prev(it)->line;
}
} // namespace plcpp::jit
