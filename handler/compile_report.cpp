// handler/compile_report.cpp — a build's report (build.h: last_build_report()) to ereport:
// compile errors with their position in the body, warnings, a cache that cannot be written.
#include "compile.h"

extern "C" {
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
}

namespace {

void append_diagnostic(StringInfo buf, const plcpp::jit::diagnostic &d) {
  using sev = plcpp::jit::diagnostic::severity;
  const char *level = d.level == sev::error     ? "error"
                      : d.level == sev::warning ? "warning"
                                                : "note";
  if (buf->len) appendStringInfoChar(buf, '\n');
  if (d.in_body && d.line)
    appendStringInfo(buf, "line %u, column %u: %s: %s", d.line, d.column, level, d.message.c_str());
  else
    appendStringInfo(buf, "%s: %s (in generated code)", level, d.message.c_str());
}

} // namespace

namespace compile_detail {

// Character position (1-based) in `src` of byte column `col` on line `line`, for errposition.
int char_position(const char *src, unsigned line, unsigned col) {
  const char *p = src;
  for (unsigned l = 1; l < line && *p; ++p)
    if (*p == '\n') ++l;
  size_t bytes = (p - src) + (col > 0 ? col - 1 : 0);
  size_t len = strlen(src);
  if (bytes > len) bytes = len;
  return pg_mbstrlen_with_len(src, static_cast<int>(bytes)) + 1;
}

// `name` is nullptr for a DO block.
pg_attribute_noreturn() void report_build_failure(const char *name, const char *body) {
  const char *what = name ? psprintf("PL/C++ function \"%s\"", name) : "PL/C++ DO block";
  const build_report &r = last_build_report();
  const char *s = r.sqlstate;
  int code = MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
  if (r.out_of_memory)
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
                    errmsg("out of memory while compiling %s", name ? name : "a DO block")));
  if (r.diagnostics.empty())
    ereport(ERROR, (errcode(code), errmsg("%s", r.summary.c_str()),
                    r.detail.empty() ? 0 : errdetail_internal("%s", r.detail.c_str()),
                    r.hint.empty() ? 0 : errhint("%s", r.hint.c_str())));

  // The first error in the body gives the message and the position; all of them (bounded by
  // -ferror-limit) go to DETAIL, in the compiler's order.
  const plcpp::jit::diagnostic *first = nullptr;
  int errors = 0;
  StringInfoData detail;
  initStringInfo(&detail);
  for (const auto &d : r.diagnostics) {
    append_diagnostic(&detail, d);
    if (d.level == plcpp::jit::diagnostic::severity::error) {
      ++errors;
      if (!first || (!first->in_body && d.in_body)) first = &d;
    }
  }
  if (!first) first = &r.diagnostics.front();
  if (first->in_body && first->line)
    ereport(ERROR,
            (errcode(code),
             errmsg("%s does not compile: line %u, column %u: %s", what, first->line, first->column,
                    first->message.c_str()),
             errdetail_internal("%d error%s:\n%s", errors, errors == 1 ? "" : "s", detail.data),
             internalerrposition(char_position(body, first->line, first->column)),
             internalerrquery(body)));
  ereport(ERROR, (errcode(code), errmsg("%s does not compile: %s", what, first->message.c_str()),
                  errdetail_internal("%s", detail.data)));
  pg_unreachable();
}

void report_warnings() {
  for (const auto &d : last_build_report().warnings)
    if (d.in_body)
      ereport(WARNING, (errmsg("line %u, column %u: %s", d.line, d.column, d.message.c_str())));
}

void report_cache_problem() {
  // One WARNING per session for a cache that cannot be written (a full volume fails the PCH
  // and the object alike; a read-only one too): functions work, only slower to start.
  static bool warned_unwritable = false;
  const build_report &r = last_build_report();
  if (!r.cache_problem.empty() && !r.cache_unwritable)
    ereport(LOG, (errmsg("plcpp: %s", r.cache_problem.c_str())));
  const std::string &problem = r.cache_unwritable ? r.cache_problem : r.pch_problem;
  if (problem.empty() || warned_unwritable) return;
  warned_unwritable = true;
  ereport(WARNING,
          (errcode(ERRCODE_IO_ERROR),
           errmsg("plcpp could not store compiled code in its cache: %s", problem.c_str()),
           errdetail("Functions still work, but each session compiles them again, without a "
                     "precompiled header if that could not be written either."),
           errhint("Make room in plcpp.cache_dir (\"%s\"), make it writable by the server, or "
                   "point it at a directory that is.",
                   plcpp_cache_dir)));
}

} // namespace compile_detail
