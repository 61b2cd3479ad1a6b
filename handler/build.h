// handler/build.h — the C++ half of compiling a function: plain inputs in, code or diagnostics
// out. build() is noexcept and never ereports; compile.cpp reports what it recorded.
#pragma once

#include <plcpp/config.hpp>

#include "../jit/diagnostic.h"

#include <string>
#include <vector>

struct build_input {
  const char *name;
  const char *body;
  int nargs;
  const char *const *arg_names; // "" for unnamed
  const char *const *arg_tags;
  const char *result_tag; // "" for void
  bool strict;
  int opt_level;
  const char *include_dir;
  const char *pch_dir;
  const char *compiler_library;
  const char *module_name;
};

struct build_output {
  plcpp::detail::entry_fn entry = nullptr;
  void *code = nullptr;
  double compile_ms = 0, link_ms = 0, pch_ms = 0;
};

// What the last failed build() found, kept in static storage for compile.cpp to report.
struct build_report {
  char sqlstate[6] = "42601";
  std::string summary; // when there is no diagnostic to show
  std::vector<plcpp::jit::diagnostic> diagnostics;
  std::vector<plcpp::jit::diagnostic> warnings; // body warnings of a successful build
};
const build_report &last_build_report() noexcept;

bool build(const build_input &in, build_output &out) noexcept;
void unload_code(void *code) noexcept;
