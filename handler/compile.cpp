// handler/compile.cpp — from a pg_proc row to plain build inputs, and build reports to ereport.
//
// Everything here may ereport, so it holds plain data only; the C++ work is in build.cpp.
// Its parts (compile.h): type descriptions (type_desc.cpp), reports (compile_report.cpp), the
// attributes checked against the catalog (compile_attributes.cpp).
#include "compile.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "storage/lock.h"
#include "lib/stringinfo.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}

#include "../jit/source.h"
#include "../runtime/call_state.h"
#include "../memoize/memoize.h"

using namespace compile_detail;

namespace {

List *graveyard = NIL; // code replaced while calls were active, freed when none are

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

// plcpp_<schema>_<name>_<oid>: what gdb, perf and backtraces call the body's frame. Bytes
// that cannot be in a C++ identifier become '_'; the oid keeps it unique.
const char *body_symbol(Form_pg_proc proc, Oid fn_oid) {
  const char *schema = get_namespace_name(proc->pronamespace);
  StringInfoData s;
  initStringInfo(&s);
  appendStringInfoString(&s, "plcpp_");
  const char *parts[] = {schema ? schema : "", "_", NameStr(proc->proname)};
  for (const char *part : parts)
    for (const char *c = part; *c && s.len < 160; ++c)
      appendStringInfoChar(
          &s, (isalnum(static_cast<unsigned char>(*c)) && !(*c & 0x80)) || *c == '_' ? *c : '_');
  appendStringInfo(&s, "_%u", fn_oid);
  return s.data;
}

void fill_common(build_input &in, const char *module_name, const char *signature) {
  in.opt_level = plcpp_opt_level;
  in.interrupt_checks = plcpp_interrupt_checks;
  in.tiered = plcpp_tiered_compilation;
  in.include_dir = include_dir();
  in.cache_dir = plcpp_cache_dir;
  in.compiler_library = compiler_library();
  in.module_name = module_name;
  in.signature = signature;
  in.server_version_num = PG_VERSION_NUM;
}

// The object cache key as a lock tag: backends that miss on the same key at once compile it
// once; the others wait, then find it in the cache. A heavyweight lock, so waiting can be
// cancelled and shows in pg_locks (an advisory lock with field4 = 0x504c, which user advisory
// locks (1 and 2) never use). Held until the compile ends, or released by an abort.
void key_lock_tag(LOCKTAG *tag, const char *key) {
  char part[9];
  memcpy(part, key, 8);
  part[8] = '\0';
  uint32 hi = static_cast<uint32>(strtoul(part, nullptr, 16));
  memcpy(part, key + 8, 8);
  uint32 lo = static_cast<uint32>(strtoul(part, nullptr, 16));
  SET_LOCKTAG_ADVISORY(*tag, InvalidOid, hi, lo, 0x504c);
}

// From source to loaded code: the object cache first; on a miss, under the key's lock, the
// cache again (another backend may just have compiled it), then the compiler. False with
// last_build_report() filled in if the body does not build.
bool build_code(const build_input &in, build_output &out) {
  if (!build_prepare(in)) return false;
  if (build_load_cached(out)) return true;
  LOCKTAG tag;
  key_lock_tag(&tag, build_cache_key());
  (void)LockAcquire(&tag, ExclusiveLock, false, false);
  bool ok = build_load_cached(out) || build_compile(out);
  LockRelease(&tag, ExclusiveLock, false);
  // A compile stopped by cancel, statement_timeout or terminate (compile_process.h) is
  // reported here as PostgreSQL reports them, now that no C++ frame is live.
  if (!ok) CHECK_FOR_INTERRUPTS();
  report_cache_problem(); // a damaged file found on the way, or a failed store: once
  return ok;
}

// Replaced code (and its self() description, which running calls may still use) is freed
// when no call is active, else deferred.
void release_code(void *old_code, const plcpp::function_info *old_self) {
  MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
  graveyard = lappend(graveyard, old_code);
  graveyard = lappend(graveyard, const_cast<plcpp::function_info *>(old_self));
  MemoryContextSwitchTo(old);
  if (plcpp_call_depth(0) > 0) return;
  for (int i = 0; i + 1 < list_length(graveyard); i += 2) {
    unload_code(list_nth(graveyard, i));
    plcpp::detail::free_function_info(
        static_cast<const plcpp::function_info *>(list_nth(graveyard, i + 1)));
  }
  list_free(graveyard);
  graveyard = NIL;
}

} // namespace

namespace {

const char *volatility_name(char v) {
  return v == PROVOLATILE_IMMUTABLE ? "immutable" : v == PROVOLATILE_STABLE ? "stable" : "volatile";
}

// self() of a function: described once per compiled version (TopMemoryContext / C++ heap).
const plcpp::function_info *describe_self(Oid fn_oid, Form_pg_proc proc, int nargs,
                                          const char *const *in_names, const Oid *in_types) {
  auto **type_names = static_cast<const char **>(palloc0(sizeof(char *) * (nargs + 1)));
  for (int i = 0; i < nargs; ++i)
    type_names[i] = format_type_be(in_types[i]);
  plcpp::detail::function_info_input in{};
  in.oid = fn_oid;
  in.name = NameStr(proc->proname);
  const char *schema = get_namespace_name(proc->pronamespace);
  in.schema = schema ? schema : "";
  in.signature = format_procedure(fn_oid);
  in.nargs = nargs;
  in.arg_names = in_names;
  in.arg_types = type_names;
  in.volatility = volatility_name(proc->provolatile);
  in.strict = proc->proisstrict;
  in.returns_set = proc->proretset;
  const plcpp::function_info *info = plcpp::detail::make_function_info(in);
  if (!info) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
  return info;
}

} // namespace

void plcpp_compile(plcpp_function *fn, HeapTuple proc_tuple, bool for_validator) {
  Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(proc_tuple));
  const char *name = NameStr(proc->proname);
  char *signature = format_procedure(fn->fn_oid);

  type_table types{static_cast<type_desc *>(palloc(sizeof(type_desc) * 8)), 0, 8};
  build_input in{};
  in.kind = proc->proretset ? build_kind::set_returning : build_kind::scalar;
  if (proc->prorettype == TRIGGEROID) {
    if (proc->proretset) elog(ERROR, "trigger functions cannot return sets");
    in.kind = build_kind::trigger;
  }
  // An event trigger's body is a void body without arguments; event_trigger() describes the
  // event (runtime/trigger.cpp).
  bool event_trigger = proc->prorettype == EVENT_TRIGGEROID;

  // Input arguments become the body's parameters; OUT, INOUT and TABLE ones its result columns.
  Oid *all_types;
  char **all_names;
  char *modes;
  int nall = get_func_arg_info(proc_tuple, &all_types, &all_names, &modes);
  auto **arg_names = static_cast<const char **>(palloc0(sizeof(char *) * (nall + 1)));
  auto *arg_types = static_cast<Oid *>(palloc0(sizeof(Oid) * (nall + 1)));
  auto **col_names = static_cast<const char **>(palloc0(sizeof(char *) * (nall + 1)));
  auto *col_types = static_cast<Oid *>(palloc0(sizeof(Oid) * (nall + 1)));
  int nargs = 0, ncols = 0;
  for (int i = 0; i < nall; ++i) {
    char mode = modes ? modes[i] : PROARGMODE_IN;
    const char *arg_name = all_names && all_names[i] ? all_names[i] : "";
    if (arg_name[0]) {
      const char *why = plcpp::jit::invalid_parameter_name(arg_name);
      if (why)
        ereport(ERROR, (errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
                        errmsg("argument name \"%s\" cannot be used in a PL/C++ function: %s",
                               arg_name, why),
                        errhint("Rename the argument, or leave it unnamed and use $%d.", i + 1)));
    }
    describe(types, all_types[i], 0);
    if (mode == PROARGMODE_IN || mode == PROARGMODE_INOUT || mode == PROARGMODE_VARIADIC) {
      arg_names[nargs] = arg_name;
      arg_types[nargs++] = all_types[i];
    }
    if (mode == PROARGMODE_OUT || mode == PROARGMODE_INOUT || mode == PROARGMODE_TABLE) {
      // An unnamed OUT column is named as PostgreSQL names it in the result (column1, ...,
      // by its position among the OUT columns): that is its member of struct out_row.
      if (!arg_name[0]) arg_name = psprintf("column%d", ncols + 1);
      for (int k = 0; k < ncols; ++k)
        if (strcmp(col_names[k], arg_name) == 0)
          ereport(ERROR, (errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
                          errmsg("OUT column \"%s\" is named twice in a PL/C++ function", arg_name),
                          errdetail("An unnamed OUT parameter is named column<N>, N being its "
                                    "position among the OUT parameters."),
                          errhint("Name the OUT parameters.")));
      col_names[ncols] = arg_name;
      col_types[ncols++] = all_types[i];
    }
  }

  if (event_trigger && nargs > 0) // as PL/pgSQL's compiler
    ereport(ERROR, (errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
                    errmsg("event trigger functions cannot have declared arguments"),
                    errhint("The event is described by event_trigger().")));
  Oid rettype = proc->prorettype;
  if (in.kind == build_kind::trigger || event_trigger) {
    in.result_type = InvalidOid;
  } else if (ncols > 1 || (ncols == 1 && rettype == RECORDOID)) {
    in.out_row = true; // OUT/TABLE columns: rows are struct out_row
    in.result_type = InvalidOid;
  } else if (rettype == RECORDOID) {
    // An anonymous record: its columns are the caller's column definition list, checked at
    // run time (jit/source.cpp: record_result, yield of a record).
    describe(types, rettype, 0);
    in.result_type = rettype;
  } else if (rettype != VOIDOID) {
    describe(types, rettype, 0);
    in.result_type = rettype;
    ncols = 0;
    if (in.kind == build_kind::set_returning) {
      // SETOF composite: the type's attributes; SETOF scalar: one column.
      const type_desc *t = nullptr;
      for (int i = 0; i < types.n; ++i)
        if (types.items[i].oid == rettype) t = &types.items[i];
      if (t->kind == 'c') {
        in.column_names = t->field_names;
        in.column_types = t->field_types;
        ncols = t->nfields;
      } else {
        col_names[0] = "";
        col_types[0] = rettype;
        ncols = 1;
      }
    }
  } else if (in.kind == build_kind::set_returning) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
                    errmsg("a set-returning PL/C++ function cannot return SETOF void")));
  }

  bool isnull;
  Datum src = SysCacheGetAttr(PROCOID, proc_tuple, Anum_pg_proc_prosrc, &isnull);
  if (isnull) elog(ERROR, "null prosrc for function %u", fn->fn_oid);
  char *body = TextDatumGetCString(src);
  if (in.kind == build_kind::trigger) describe_named_composites(types, body);

  char module_name[64];
  snprintf(module_name, sizeof module_name, "plcpp_%u_%u", fn->fn_oid,
           HeapTupleHeaderGetRawXmin(proc_tuple->t_data));
  in.name = name;
  in.symbol = body_symbol(proc, fn->fn_oid);
  in.body = body;
  in.nargs = nargs;
  in.arg_names = arg_names;
  in.arg_types = arg_types;
  in.ncolumns = ncols;
  if (!in.column_names) { // else the attributes of the SETOF composite type
    in.column_names = col_names;
    in.column_types = col_types;
  }
  in.ntypes = types.n;
  in.types = types.items;
  in.strict = proc->proisstrict;
  in.is_volatile = proc->provolatile == PROVOLATILE_VOLATILE;
  fill_common(in, module_name, signature);

  const plcpp::function_info *self = describe_self(fn->fn_oid, proc, nargs, arg_names, arg_types);

  build_output out;
  if (!build_code(in, out)) {
    plcpp::detail::free_function_info(self);
    report_build_failure(name, body);
  }
  MemoryContext memo_context = nullptr;
  const plcpp::detail::memo_spec *memo = nullptr;
  if (build_memoize().on) {
    PG_TRY();
    { memo = describe_memo(fn, proc_tuple, body, arg_types, for_validator, &memo_context); }
    PG_CATCH();
    {
      unload_code(out.code);
      plcpp::detail::free_function_info(self);
      PG_RE_THROW();
    }
    PG_END_TRY();
  }
  plcpp_rc_spec *rc = nullptr;
  if (build_result_cache_attribute().on) {
    PG_TRY();
    { rc = describe_result_cache(proc, body, nargs, arg_types, in.out_row); }
    PG_CATCH();
    {
      unload_code(out.code);
      plcpp::detail::free_function_info(self);
      if (memo_context) MemoryContextDelete(memo_context);
      PG_RE_THROW();
    }
    PG_END_TRY();
  }
  if (for_validator) report_warnings();
  if (fn->tier_up)
    elog(DEBUG1, "plcpp: %s now runs its optimized code (loaded in %.1f ms)", signature,
         out.link_ms);
  else if (out.cache_hit)
    elog(DEBUG1, "plcpp: loaded %s from the compiled-code cache in %.1f ms%s", signature,
         out.link_ms, out.tier0 ? " (-O0 code; its optimized build is queued)" : "");
  else if (out.tier0)
    elog(DEBUG1,
         "plcpp: compiled %s at -O0 in %.1f ms (+%.1f ms codegen, %.1f ms link, %.1f ms PCH); "
         "its optimized build is queued",
         signature, out.compile_ms, out.codegen_ms, out.link_ms, out.pch_ms);
  else
    elog(DEBUG1,
         "plcpp: compiled %s in %.1f ms (+%.1f ms codegen, %.1f ms link, %.1f ms PCH, %u "
         "interrupt checks)",
         signature, out.compile_ms, out.codegen_ms, out.link_ms, out.pch_ms, out.interrupt_checks);

  void *old_code = fn->code;
  const plcpp::function_info *old_self = fn->self;
  fn->entry = out.entry;
  fn->code = out.code;
  fn->self = self;
  fn->read_only = proc->provolatile != PROVOLATILE_VOLATILE;
  fn->retset = proc->proretset;
  fn->trigger = in.kind == build_kind::trigger;
  fn->out_row = in.out_row && in.kind == build_kind::scalar;
  // The new version makes its own descriptor on its first call; a call of the old version
  // that is still running may use the old one, which is then left (a few hundred bytes).
  if (fn->out_desc && plcpp_call_depth(0) == 0) FreeTupleDesc(fn->out_desc);
  fn->out_desc = nullptr;
  // A running call of the old version may still use its memo spec: then it is left.
  if (fn->memo_context && plcpp_call_depth(0) == 0) MemoryContextDelete(fn->memo_context);
  fn->memo = memo;
  fn->memo_context = memo_context;
  if (fn->rc && plcpp_call_depth(0) == 0) pfree(fn->rc); // else left, as the memo spec
  fn->rc = rc;
  fn->tier0 = out.tier0 && !out.keeps_code;
  fn->tier_up = false;
  fn->tier_checked = InvalidLocalTransactionId;
  memcpy(fn->optimized_key, out.optimized_key, sizeof fn->optimized_key);
  fn->last_build = out.cache_hit ? 'c' : out.tier0 ? 'q' : 'o'; // for plcpp.compile()
  if (out.tier0) plcpp_start_optimizer();
  fn->fn_xmin = HeapTupleHeaderGetRawXmin(proc_tuple->t_data);
  fn->fn_tid = proc_tuple->t_self;
  if (fn->signature) pfree(fn->signature);
  fn->signature = MemoryContextStrdup(TopMemoryContext, signature);
  if (old_code) release_code(old_code, old_self);
}

void plcpp_preload(void) {
  build_preload(compiler_library(), include_dir(), plcpp_opt_level, PG_VERSION_NUM);
}

void plcpp_run_inline(const char *source, bool atomic) {
  build_input in{};
  in.name = "inline_code_block";
  in.symbol = "plcpp_do_block";
  in.body = source;
  in.kind = build_kind::scalar;
  fill_common(in, "plcpp_inline", "inline_code_block()");
  in.tiered = false; // run once: no later calls to optimize for

  build_output out;
  if (!build_code(in, out)) report_build_failure(nullptr, source);

  static const plcpp::function_info *self = nullptr;
  if (!self) {
    plcpp::detail::function_info_input info{};
    info.name = "inline_code_block";
    info.schema = "";
    info.signature = "inline_code_block()";
    info.volatility = "volatile";
    self = plcpp::detail::make_function_info(info);
    if (!self) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
  }

  plcpp_call_context context;
  plcpp_push_call_context(&context, nullptr, out.code);

  plcpp::detail::call_state state{};
  state.self = self;
  state.caller_context = CurrentMemoryContext;
  state.nonatomic = !atomic;
  plcpp::detail::call_frame frame{nullptr, false};
  plcpp::detail::raw_datum result;
  bool ok = plcpp_run(out.entry, &frame, &result, &state);
  unload_code(out.code);
  context.unloaded = true; // no frame can be in it any more: only its raising site counts
  plcpp_finish_call(ok, &state);
  error_context_stack = context.callback.previous;
}
