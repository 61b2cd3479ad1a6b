// jit/line_extract.h — the body lines of a linked body, from its DWARF (issue 20, "errors name
// the line").
//
// Runs in the compile process once per compile (it needs LLVM's DWARF reader, so it lives in
// plcpp_compiler.so); its result is stored as jit/line_table.h bytes, which a backend looks up
// without LLVM.
#pragma once

#include "line_table.h"

#include <string_view>

namespace plcpp::jit {

// Reads the DWARF line table and inlining info of a linked shared object (its bytes) and maps
// every code address to the body line it executes for: the row's line when the row's file is
// `body_file` (a line-table file name as given to #line, compared without directory); else,
// through the inlining chain, the call line of the innermost inlined call made from
// body_file (so header code called by a body lambda that a header template inlined gets the
// lambda's line, not the template call's); else 0. Never throws; an object without debug
// info, or that is not an object, gives an empty table.
line_table extract_body_lines(std::string_view shared_object, std::string_view body_file);

} // namespace plcpp::jit
