// handler/compile.cpp — from a pg_proc row to plain build inputs, and build reports to ereport.
//
// Everything here may ereport, so it holds plain data only; the C++ work is in build.cpp.
#include "plcpp.h"

#include "build.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
}

#include "../jit/source.h"

namespace {

List *graveyard = NIL; // code replaced while calls were active, freed when none are

// The tag of plcpp::detail::sql for a type, or nullptr if plcpp cannot pass it yet.
const char *tag_of(Oid type) {
  switch (type) {
  case BOOLOID:
    return "bool_";
  case INT2OID:
    return "int2";
  case INT4OID:
    return "int4";
  case INT8OID:
    return "int8";
  case OIDOID:
    return "oid";
  case FLOAT4OID:
    return "float4";
  case FLOAT8OID:
    return "float8";
  case TEXTOID:
  case VARCHAROID:
  case BPCHAROID:
    return "text";
  case NAMEOID:
    return "name";
  default:
    return nullptr;
  }
}

const char *include_dir() {
  static char path[MAXPGPATH];
  if (!path[0]) {
    char share[MAXPGPATH];
    get_share_path(my_exec_path, share);
    snprintf(path, sizeof path, "%s/plcpp/include", share);
  }
  return path;
}

const char *compiler_library() {
  static char path[MAXPGPATH];
  if (!path[0]) snprintf(path, sizeof path, "%s/plcpp_compiler.so", pkglib_path);
  return path;
}

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

// `name` is nullptr for a DO block.
pg_attribute_noreturn() void report_build_failure(const char *name, const char *body) {
  const char *what = name ? psprintf("PL/C++ function \"%s\"", name) : "PL/C++ DO block";
  const build_report &r = last_build_report();
  const char *s = r.sqlstate;
  int code = MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
  if (r.diagnostics.empty()) ereport(ERROR, (errcode(code), errmsg("%s", r.summary.c_str())));

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

void fill_common(build_input &in, const char *module_name) {
  in.opt_level = plcpp_opt_level;
  in.include_dir = include_dir();
  in.pch_dir = plcpp_cache_dir;
  in.compiler_library = compiler_library();
  in.module_name = module_name;
}

void release_code(void *old_code) {
  if (plcpp_call_depth(0) > 0) {
    MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
    graveyard = lappend(graveyard, old_code);
    MemoryContextSwitchTo(old);
    return;
  }
  ListCell *lc;
  foreach (lc, graveyard)
    unload_code(lfirst(lc));
  list_free(graveyard);
  graveyard = NIL;
  unload_code(old_code);
}

} // namespace

void plcpp_compile(plcpp_function *fn, HeapTuple proc_tuple, bool for_validator) {
  Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(proc_tuple));
  const char *name = NameStr(proc->proname);
  char *signature = format_procedure(fn->fn_oid);

  if (proc->proretset)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("PL/C++ functions cannot return sets yet")));
  const char *result_tag = "";
  if (proc->prorettype != VOIDOID) {
    result_tag = tag_of(proc->prorettype);
    if (!result_tag)
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("PL/C++ functions cannot return type %s yet",
                             format_type_be(proc->prorettype))));
  }

  Oid *types;
  char **names;
  char *modes;
  int nargs = get_func_arg_info(proc_tuple, &types, &names, &modes);
  auto **arg_names = static_cast<const char **>(palloc0(sizeof(char *) * (nargs + 1)));
  auto **arg_tags = static_cast<const char **>(palloc0(sizeof(char *) * (nargs + 1)));
  for (int i = 0; i < nargs; ++i) {
    if (modes && modes[i] != PROARGMODE_IN)
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("PL/C++ functions cannot have OUT, INOUT, VARIADIC or TABLE "
                             "parameters yet")));
    arg_tags[i] = tag_of(types[i]);
    if (!arg_tags[i])
      ereport(ERROR,
              (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
               errmsg("PL/C++ functions cannot take type %s yet", format_type_be(types[i]))));
    arg_names[i] = names && names[i] ? names[i] : "";
    if (arg_names[i][0]) {
      const char *why = plcpp::jit::invalid_parameter_name(arg_names[i]);
      if (why)
        ereport(ERROR, (errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
                        errmsg("argument name \"%s\" cannot be used in a PL/C++ function: %s",
                               arg_names[i], why),
                        errhint("Rename the argument, or leave it unnamed and use $%d.", i + 1)));
    }
  }

  bool isnull;
  Datum src = SysCacheGetAttr(PROCOID, proc_tuple, Anum_pg_proc_prosrc, &isnull);
  if (isnull) elog(ERROR, "null prosrc for function %u", fn->fn_oid);
  char *body = TextDatumGetCString(src);

  char module_name[64];
  snprintf(module_name, sizeof module_name, "plcpp_%u_%u", fn->fn_oid,
           HeapTupleHeaderGetRawXmin(proc_tuple->t_data));
  build_input in{};
  in.name = name;
  in.body = body;
  in.nargs = nargs;
  in.arg_names = arg_names;
  in.arg_tags = arg_tags;
  in.result_tag = result_tag;
  in.strict = proc->proisstrict;
  fill_common(in, module_name);

  build_output out;
  if (!build(in, out)) report_build_failure(name, body);
  if (for_validator) report_warnings();
  elog(DEBUG1, "plcpp: compiled %s in %.1f ms (+%.1f ms link, %.1f ms PCH)", signature,
       out.compile_ms, out.link_ms, out.pch_ms);

  void *old_code = fn->code;
  fn->entry = out.entry;
  fn->code = out.code;
  fn->fn_xmin = HeapTupleHeaderGetRawXmin(proc_tuple->t_data);
  fn->fn_tid = proc_tuple->t_self;
  if (fn->signature) pfree(fn->signature);
  fn->signature = MemoryContextStrdup(TopMemoryContext, signature);
  if (old_code) release_code(old_code);
}

static void inline_error_context(void *) noexcept {
  errcontext("PL/C++ anonymous code block");
}

void plcpp_run_inline(const char *source) {
  build_input in{};
  in.name = "inline_code_block";
  in.body = source;
  in.result_tag = "";
  fill_common(in, "plcpp_inline");

  build_output out;
  if (!build(in, out)) report_build_failure(nullptr, source);

  ErrorContextCallback context;
  context.callback = inline_error_context;
  context.arg = nullptr;
  context.previous = error_context_stack;
  error_context_stack = &context;

  plcpp::detail::call_frame frame{nullptr, false};
  plcpp::detail::datum result;
  plcpp_begin_call();
  plcpp_call_depth(+1);
  bool ok = plcpp_guarded_call(out.entry, &frame, &result);
  plcpp_call_depth(-1);
  unload_code(out.code);
  plcpp_finish_call(ok);
  error_context_stack = context.previous;
}
