// jit/line_table.h — which body line each instruction of a compiled body belongs to, so that a
// runtime error can name the line (issue 20, "errors name the line").
//
// Built at compile time from the shared object's DWARF (jit/line_extract.h), stored next to
// the object in compact form, and looked up in a backend when an exception or an SQL error
// passes through the body: no LLVM, no PostgreSQL headers, so plcpp.so and
// plcpp_compiler.so both link it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plcpp::jit {

// From `offset` (a virtual address in the body's shared object, which is linked at base 0,
// so offset = pc - load base) up to the next entry's offset, code belongs to body line `line`
// (1 = the line of `$$`, as in compile errors); line 0: code that is not the body's (wrapper,
// runtime templates not inlined into the body). The last entry's range is open-ended; a table
// from extract_body_lines always ends with a line-0 entry (the end of the code).
struct line_range {
  std::uint64_t offset;
  std::uint32_t line;
  friend bool operator==(const line_range &, const line_range &) = default;
};
using line_table = std::vector<line_range>; // sorted by offset, adjacent entries differ in line

// Compact bytes: per entry, the offset's increase over the previous entry (the first: over 0)
// as an unsigned LEB128 varint, then the line's change (zigzag, varint). An empty table is
// the empty string. Entries that break the invariant above (an offset not greater than the
// previous one, a line equal to the previous one) are dropped, so the result always decodes.
std::string encode_line_table(const line_table &table);

// Replaces `out` with the decoded table; false (and `out` empty) if `bytes` is malformed:
// truncated or overlong varints, offsets that do not increase or overflow, lines outside
// 32 bits, a line equal to the previous one. Accepts exactly what encode_line_table produces.
bool decode_line_table(std::string_view bytes, line_table &out);

// The body line of the instruction at `offset`, 0 if none (outside every range or line 0).
// For a return address (a caller's frame), look up pc - 1: the return address may already be
// the next line's first instruction.
std::uint32_t body_line_at(const line_table &table, std::uint64_t offset) noexcept;

} // namespace plcpp::jit
