// jit/line_table.cpp — see line_table.h.
#include "line_table.h"

#include <algorithm>

namespace plcpp::jit {

namespace {

void put_varint(std::string &out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads one canonical LEB128 varint of at most 64 bits at `pos`: a longer encoding of the same
// value (a trailing 0x00 group) is rejected, so that every table has one encoding.
bool get_varint(std::string_view in, std::size_t &pos, std::uint64_t &v) {
  v = 0;
  for (unsigned shift = 0; pos < in.size(); shift += 7) {
    auto byte = static_cast<std::uint8_t>(in[pos++]);
    std::uint64_t bits = byte & 0x7f;
    if (shift == 63 && bits > 1) return false; // beyond 64 bits
    v |= bits << shift;
    if (!(byte & 0x80)) return shift == 0 || bits != 0;
    if (shift == 63) return false;
  }
  return false; // truncated
}

std::uint64_t zigzag(std::int64_t d) {
  return (static_cast<std::uint64_t>(d) << 1) ^ static_cast<std::uint64_t>(d >> 63);
}

std::int64_t unzigzag(std::uint64_t z) {
  return static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1);
}

} // namespace

std::string encode_line_table(const line_table &table) {
  std::string out;
  out.reserve(table.size() * 3);
  bool first = true;
  std::uint64_t offset = 0;
  std::uint32_t line = 0;
  for (const line_range &r : table) {
    if (!first && (r.offset <= offset || r.line == line)) continue;
    put_varint(out, r.offset - offset);
    put_varint(out, zigzag(static_cast<std::int64_t>(r.line) - static_cast<std::int64_t>(line)));
    offset = r.offset;
    line = r.line;
    first = false;
  }
  return out;
}

bool decode_line_table(std::string_view bytes, line_table &out) {
  out.clear();
  std::uint64_t offset = 0;
  std::int64_t line = 0;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::uint64_t delta, z;
    bool ok = get_varint(bytes, pos, delta) && get_varint(bytes, pos, z);
    std::int64_t dline = ok ? unzigzag(z) : 0;
    if (ok && !out.empty()) ok = delta != 0 && dline != 0;
    ok = ok && delta <= UINT64_MAX - offset;
    // A change between two lines of [0, 2^32) is in (-2^32, 2^32): no overflow below.
    ok = ok && dline > -(std::int64_t{1} << 32) && dline < (std::int64_t{1} << 32) &&
         line + dline >= 0 && line + dline <= UINT32_MAX;
    if (!ok) {
      out.clear();
      return false;
    }
    offset += delta;
    line += dline;
    out.push_back({offset, static_cast<std::uint32_t>(line)});
  }
  return true;
}

std::uint32_t body_line_at(const line_table &table, std::uint64_t offset) noexcept {
  auto it = std::upper_bound(table.begin(), table.end(), offset,
                             [](std::uint64_t o, const line_range &r) { return o < r.offset; });
  return it == table.begin() ? 0 : std::prev(it)->line;
}

} // namespace plcpp::jit
