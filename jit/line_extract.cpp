// jit/line_extract.cpp — see line_extract.h.
//
// Two inputs per compile unit, merged by address:
//  - the line table's rows: [address, next row's address) runs code of (file, line);
//  - the inlined-subroutine DIEs (present with -gline-tables-only): the ranges of code that was
//    inlined into a caller, with the caller's file and line (call_file, call_line).
// A row in the body file gives its own line. For any other row, the line comes from the
// innermost enclosing inlined call whose call site is in the body: that is what the body was
// doing when it ran this runtime (or wrapper) code. The inlined ranges are "painted" in
// pre-order onto an address map, so a nested call site overwrites its parent's.
#include "line_extract.h"

#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <string>

namespace plcpp::jit {

namespace {

using llvm::DWARFDebugLine;
using llvm::DWARFDie;

// Which file indices of one line table name the body.
class body_files {
public:
  body_files(const DWARFDebugLine::LineTable &lt, std::string_view body_file) {
    // DWARF 5 numbers files from 0, earlier versions from 1: one slot per possible index.
    is_body_.resize(lt.Prologue.FileNames.size() + 1, false);
    std::string name;
    for (std::uint64_t i = 0; i < is_body_.size(); ++i)
      if (lt.hasFileAtIndex(i) &&
          lt.getFileNameByIndex(i, "", llvm::DILineInfoSpecifier::FileLineInfoKind::RawValue, name))
        is_body_[i] = name == body_file;
  }
  bool operator()(std::uint64_t index) const { return index < is_body_.size() && is_body_[index]; }

private:
  std::vector<bool> is_body_;
};

// Address -> body line of the innermost inlined call from the body covering it (0: none),
// as breakpoints: the value at a key holds up to the next key.
using paint_map = std::map<std::uint64_t, std::uint32_t>;

std::uint32_t value_at(const paint_map &m, std::uint64_t a) {
  auto it = m.upper_bound(a);
  return it == m.begin() ? 0 : std::prev(it)->second;
}

void paint(paint_map &m, std::uint64_t lo, std::uint64_t hi, std::uint32_t line) {
  if (lo >= hi) return;
  std::uint32_t after = value_at(m, hi);
  m.erase(m.lower_bound(lo), m.upper_bound(hi));
  m[lo] = line;
  m[hi] = after;
}

// Pre-order walk: a DIE's ranges are painted before its children's.
void paint_inlined(const DWARFDie &die, const body_files &is_body, paint_map &m, unsigned depth) {
  // Inlining is rarely more than a few dozen deep; the bound keeps a damaged object from
  // exhausting the stack.
  if (depth > 256) return;
  for (const DWARFDie &child : die.children()) {
    if (child.getTag() == llvm::dwarf::DW_TAG_inlined_subroutine) {
      auto file = child.find(llvm::dwarf::DW_AT_call_file);
      auto line = child.find(llvm::dwarf::DW_AT_call_line);
      auto f = file ? file->getAsUnsignedConstant() : llvm::None;
      auto l = line ? line->getAsUnsignedConstant() : llvm::None;
      if (f && l && *l != 0 && *l <= UINT32_MAX && is_body(*f)) {
        if (auto ranges = child.getAddressRanges()) {
          for (const auto &r : *ranges)
            if (r.LowPC != 0) // 0: a range of discarded code (the linker's tombstone)
              paint(m, r.LowPC, r.HighPC, static_cast<std::uint32_t>(*l));
        } else {
          llvm::consumeError(ranges.takeError());
        }
      }
    }
    if (child.hasChildren()) paint_inlined(child, is_body, m, depth + 1);
  }
}

struct segment {
  std::uint64_t lo, hi;
  std::uint32_t line; // the row's body line; 0: ask the paint map
};

// Appends [lo, hi) -> line to `out`. Invariant between calls: the last entry is the end of
// what is mapped (line 0), every other entry has a line, adjacent entries differ in line. A
// range that overlaps what is mapped keeps only its part after it; a gap stays line 0.
void append(line_table &out, std::uint64_t lo, std::uint64_t hi, std::uint32_t line) {
  if (!out.empty()) lo = std::max(lo, out.back().offset);
  if (lo >= hi || line == 0) return;
  if (!out.empty() && out.back().offset == lo) {
    out.pop_back(); // the end entry: this range continues what comes before it
    if (out.empty() || out.back().line != line) out.push_back({lo, line});
  } else {
    out.push_back({lo, line});
  }
  out.push_back({hi, 0});
}

void extract_unit(llvm::DWARFContext &ctx, llvm::DWARFUnit &unit, std::string_view body_file,
                  std::vector<segment> &segments, paint_map &painted) {
  const DWARFDebugLine::LineTable *lt = ctx.getLineTableForUnit(&unit);
  if (!lt) return;
  body_files is_body(*lt, body_file);
  paint_inlined(unit.getUnitDIE(false), is_body, painted, 0);
  for (const auto &seq : lt->Sequences) {
    if (seq.LowPC == 0 || seq.LastRowIndex > lt->Rows.size()) continue; // discarded code
    for (unsigned i = seq.FirstRowIndex; i + 1 < seq.LastRowIndex; ++i) {
      const auto &row = lt->Rows[i];
      std::uint64_t hi = lt->Rows[i + 1].Address.Address;
      if (row.EndSequence || hi <= row.Address.Address) continue;
      std::uint32_t line = is_body(row.File) ? row.Line : 0;
      segments.push_back({row.Address.Address, hi, line});
    }
  }
}

line_table extract(std::string_view shared_object, std::string_view body_file) {
  auto object = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(llvm::StringRef(shared_object.data(), shared_object.size()), "body"));
  if (!object) {
    llvm::consumeError(object.takeError());
    return {};
  }
  // A linked object's debug sections hold final addresses: no relocations to apply. Errors in
  // the DWARF are not reported: whatever could be read is used, the rest maps to line 0.
  auto quiet = [](llvm::Error e) { llvm::consumeError(std::move(e)); };
  auto ctx = llvm::DWARFContext::create(
      **object, llvm::DWARFContext::ProcessDebugRelocations::Ignore, nullptr, "", quiet, quiet);
  std::vector<segment> segments;
  paint_map painted;
  for (const auto &unit : ctx->compile_units())
    extract_unit(*ctx, *unit, body_file, segments, painted);
  std::sort(segments.begin(), segments.end(),
            [](const segment &a, const segment &b) { return a.lo < b.lo; });

  line_table out;
  for (const segment &s : segments) {
    if (s.line != 0) {
      append(out, s.lo, s.hi, s.line);
      continue;
    }
    // Split the row at the paint map's breakpoints inside it.
    std::uint64_t lo = s.lo;
    auto it = painted.upper_bound(lo);
    std::uint32_t line = it == painted.begin() ? 0 : std::prev(it)->second;
    for (; it != painted.end() && it->first < s.hi; ++it) {
      append(out, lo, it->first, line);
      lo = it->first;
      line = it->second;
    }
    append(out, lo, s.hi, line);
  }
  return out;
}

} // namespace

line_table extract_body_lines(std::string_view shared_object, std::string_view body_file) {
  try {
    return extract(shared_object, body_file);
  } catch (...) {
    return {}; // std::bad_alloc: no lines is a safe answer (errors then name no line)
  }
}

} // namespace plcpp::jit
