// handler/compile.cpp — from a pg_proc row to plain build inputs, and build reports to ereport.
//
// Everything here may ereport, so it holds plain data only; the C++ work is in build.cpp.
#include "plcpp.h"

#include "build.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_proc.h"
#include "common/md5.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "storage/lock.h"
#include "lib/stringinfo.h"
#include "utils/lsyscache.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "utils/varlena.h"
}

#include "../jit/source.h"
#include "../runtime/call_state.h"
#include "../memoize/memoize.h"
#include "../memoize/memo_path.h"

namespace {

List *graveyard = NIL; // code replaced while calls were active, freed when none are

// Every SQL type a function uses, described for build.cpp: arrays after their element type,
// composites after the types of their attributes (the order their structs are declared in).
const char *get_typ_name(Oid oid);

struct type_table {
  type_desc *items;
  int n, capacity;
};

bool listed(const type_table &t, Oid oid) {
  for (int i = 0; i < t.n; ++i)
    if (t.items[i].oid == oid) return true;
  return false;
}

type_desc &append(type_table &t, Oid oid, char kind) {
  if (t.n == t.capacity) {
    t.capacity *= 2;
    t.items = static_cast<type_desc *>(repalloc(t.items, sizeof(type_desc) * t.capacity));
  }
  type_desc &d = t.items[t.n++];
  memset(&d, 0, sizeof d);
  d.oid = oid;
  d.kind = kind;
  return d;
}

void check_identifier(const char *name, const char *what, Oid type) {
  const char *why = plcpp::jit::invalid_parameter_name(name);
  if (why)
    ereport(ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("type %s cannot be used in a PL/C++ function: %s \"%s\" is not a C++ "
                    "name (%s)",
                    format_type_be(type), what, name, why),
             errhint("PL/C++ declares a struct for a composite type; rename the %s.", what)));
}

void describe(type_table &t, Oid oid, int depth) {
  if (listed(t, oid)) return;
  if (depth > 16)
    ereport(ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("type %s nests composite types too deeply for PL/C++", format_type_be(oid))));
  if (plcpp::jit::is_builtin_type(oid)) {
    append(t, oid, 'b');
    return;
  }
  char typtype = get_typtype(oid);
  if (typtype == TYPTYPE_PSEUDO)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("PL/C++ functions cannot use type %s", format_type_be(oid)),
                    errhint("Polymorphic and pseudo-types are not supported; declare a concrete "
                            "type.")));
  Oid element = get_element_type(oid);
  if (element != InvalidOid) {
    describe(t, element, depth + 1);
    append(t, oid, 'a').element = element;
    return;
  }
  if (typtype != TYPTYPE_COMPOSITE) { // domains, enums, ranges, user types: text form
    append(t, oid, 't');
    return;
  }
  const char *name = get_typ_name(oid);
  check_identifier(name, "type name", oid);
  for (int i = 0; i < t.n; ++i)
    if (t.items[i].kind == 'c' && strcmp(t.items[i].name, name) == 0)
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("types %s and %s cannot both be used in one PL/C++ function",
                             format_type_be(t.items[i].oid), format_type_be(oid)),
                      errdetail("Both would be declared as struct %s.", name)));
  if (strcmp(name, "out_row") == 0 || strcmp(name, "yield") == 0)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("type %s cannot be used in a PL/C++ function: %s is a name of the "
                           "generated code (struct out_row, function yield)",
                           format_type_be(oid), name),
                    errhint("Rename the type.")));
  TupleDesc desc = lookup_rowtype_tupdesc_copy(oid, -1);
  int live = 0;
  auto **names = static_cast<const char **>(palloc0(sizeof(char *) * (desc->natts + 1)));
  auto *types = static_cast<Oid *>(palloc0(sizeof(Oid) * (desc->natts + 1)));
  auto *not_null = static_cast<bool *>(palloc0(sizeof(bool) * (desc->natts + 1)));
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute a = TupleDescAttr(desc, i);
    if (a->attisdropped) continue;
    check_identifier(NameStr(a->attname), "attribute", oid);
    describe(t, a->atttypid, depth + 1);
    names[live] = pstrdup(NameStr(a->attname));
    types[live] = a->atttypid;
    not_null[live++] = a->attnotnull;
  }
  type_desc &d = append(t, oid, 'c');
  d.name = name;
  d.array_oid = get_array_type(oid);
  d.nfields = live;
  d.field_names = names;
  d.field_types = types;
  d.field_not_null = not_null;
}

// A trigger function has no signature to declare the structs of its rows' composite columns:
// a standalone composite type (CREATE TYPE ... AS (...), in the search path) that the body
// names gets its struct, so `row.get<address>("home")` and `row.set("home", address{...})`
// work. Table row types are left out: their names are too often variable names as well.
void describe_named_composites(type_table &t, const char *body) {
  for (const char *p = body; *p;) {
    if (isdigit(static_cast<unsigned char>(*p))) { // a number, with its suffix (1e5f, 0x1Au)
      while (isalnum(static_cast<unsigned char>(*p)) || *p == '_')
        ++p;
      continue;
    }
    if (!(isalpha(static_cast<unsigned char>(*p)) || *p == '_')) {
      ++p;
      continue;
    }
    const char *start = p;
    while (isalnum(static_cast<unsigned char>(*p)) || *p == '_')
      ++p;
    if (p - start >= NAMEDATALEN) continue;
    char *name = pnstrdup(start, p - start);
    Oid oid = TypenameGetTypid(name);
    if (OidIsValid(oid) && !listed(t, oid) && get_typtype(oid) == TYPTYPE_COMPOSITE &&
        get_rel_relkind(get_typ_typrelid(oid)) == RELKIND_COMPOSITE_TYPE &&
        plcpp::jit::code_names(body, name))
      describe(t, oid, 0);
    pfree(name);
  }
}

const char *get_typ_name(Oid oid) {
  HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(oid));
  if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for type %u", oid);
  const char *name = pstrdup(NameStr(reinterpret_cast<Form_pg_type>(GETSTRUCT(tup))->typname));
  ReleaseSysCache(tup);
  return name;
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

// An error in a plcpp attribute found against the catalog, in the compile errors' form,
// pointing at the attribute.
pg_attribute_noreturn() void attribute_error(const char *name, const char *body, unsigned line,
                                             unsigned column, const char *message) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("PL/C++ function \"%s\" does not compile: line %u, column %u: %s", name,
                         line, column, message),
                  internalerrposition(char_position(body, line, column)), internalerrquery(body)));
  pg_unreachable();
}

pg_attribute_noreturn() void memo_error(const char *name, const char *body, const char *message) {
  attribute_error(name, body, build_memoize().line, build_memoize().column, message);
}

// ttl must read as an interval. interval_in raises only input-syntax errors, which leave no
// state behind, so catching one here without a subtransaction is safe.
void check_ttl(const char *name, const char *body, const char *ttl) {
  MemoryContext context = CurrentMemoryContext;
  bool ok = true;
  PG_TRY();
  {
    (void)DirectFunctionCall3(interval_in, CStringGetDatum(ttl), ObjectIdGetDatum(InvalidOid),
                              Int32GetDatum(-1));
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(context);
    FlushErrorState();
    ok = false;
  }
  PG_END_TRY();
  if (!ok)
    memo_error(name, body,
               psprintf("plcpp::memoize(ttl = \"%s\"): not an interval (e.g. \"24 hours\")", ttl));
}

pg_attribute_noreturn() void result_cache_error(const char *name, const char *body,
                                                const char *message) {
  const build_result_cache &a = build_result_cache_attribute();
  attribute_error(name, body, a.line, a.column, message);
}

// [[plcpp::result_cache]]: argument and result layouts for keys and values, and relies_on.
plcpp_rc_spec *describe_result_cache(Form_pg_proc proc, const char *body, int nargs,
                                     const Oid *arg_types, bool out_row) {
  const char *name = NameStr(proc->proname);
  auto *spec = static_cast<plcpp_rc_spec *>(palloc0(sizeof(plcpp_rc_spec)));
  spec->secdef = proc->prosecdef;
  spec->nargs = nargs;
  for (int i = 0; i < nargs; ++i) // (PL/C++ has no polymorphic arguments)
    get_typlenbyval(arg_types[i], &spec->arg_len[i], &spec->arg_byval[i]);
  if (out_row) {
    spec->result_len = -1;
    spec->result_byval = false;
  } else {
    get_typlenbyval(proc->prorettype, &spec->result_len, &spec->result_byval);
  }
  const char *relies_on = build_result_cache_attribute().relies_on.c_str();
  List *names;
  char *copy = pstrdup(relies_on);
  if (!SplitIdentifierString(copy, ',', &names))
    result_cache_error(name, body,
                       psprintf("plcpp::result_cache(relies_on = \"%s\"): expected relation names "
                                "separated by commas",
                                relies_on));
  ListCell *lc;
  foreach (lc, names) {
    // SplitIdentifierString keeps "schema.table" whole; split the qualified name again.
    List *qualified = stringToQualifiedNameList(static_cast<const char *>(lfirst(lc)));
    Oid rel = RangeVarGetRelid(makeRangeVarFromNameList(qualified), NoLock, true);
    if (!OidIsValid(rel))
      result_cache_error(name, body,
                         psprintf("plcpp::result_cache(relies_on = \"%s\"): relation \"%s\" does "
                                  "not exist",
                                  relies_on, static_cast<const char *>(lfirst(lc))));
    if (spec->nrelies == static_cast<int>(lengthof(spec->relies)))
      result_cache_error(name, body, "plcpp::result_cache(relies_on): at most 16 relations");
    spec->relies[spec->nrelies++] = rel;
  }
  MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
  auto *kept = static_cast<plcpp_rc_spec *>(palloc(sizeof(plcpp_rc_spec)));
  MemoryContextSwitchTo(old);
  *kept = *spec;
  return kept;
}

// [[plcpp::memoize]]: what every call needs, once per compiled version (memoize.h), in a
// context of its own that is deleted when the function is recompiled.
const plcpp::detail::memo_spec *describe_memo(plcpp_function *fn, HeapTuple proc_tuple,
                                              const char *body, const Oid *arg_types,
                                              bool for_validator, MemoryContext *context_out) {
  Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(proc_tuple));
  const build_memo &m = build_memoize();
  const char *name = NameStr(proc->proname);
  const char *path; // the owner's SET search_path, pg_temp last (memo_path.cpp)
  plcpp_memo_check_path(proc_tuple, name, &path);
  if (for_validator) plcpp_memo_warn_open_schemas(name, path);
  if (!m.ttl.empty()) check_ttl(name, body, m.ttl.c_str());
  List *grants = NIL;
  if (!m.grant.empty()) {
    char *list = pstrdup(m.grant.c_str());
    if (!SplitIdentifierString(list, ',', &grants))
      memo_error(name, body,
                 psprintf("plcpp::memoize(grant = \"%s\"): expected role names separated by "
                          "commas",
                          m.grant.c_str()));
    ListCell *lc;
    foreach (lc, grants) {
      const char *role = static_cast<const char *>(lfirst(lc));
      if (for_validator && pg_strcasecmp(role, "public") != 0 &&
          !OidIsValid(get_role_oid(role, true)))
        memo_error(name, body,
                   psprintf("plcpp::memoize(grant = \"%s\"): role \"%s\" does not exist",
                            m.grant.c_str(), role));
    }
  }

  // The version: the whole definition (body, result, settings), the owner's name and the
  // path, stable across dump and restore; any change means the old views are not this
  // function's.
  char *md5 = plcpp_memo_version(fn->fn_oid, proc->proowner, path);
  ObjectAddress address;
  ObjectAddressSet(address, ProcedureRelationId, fn->fn_oid);
  char *identity = getObjectIdentity(&address, false);

  MemoryContext context =
      AllocSetContextCreate(TopMemoryContext, "plcpp memoize", ALLOCSET_SMALL_SIZES);
  MemoryContext old = MemoryContextSwitchTo(context);
  auto *spec = static_cast<plcpp::detail::memo_spec *>(palloc0(sizeof(plcpp::detail::memo_spec)));
  spec->owner = proc->proowner;
  spec->fn_name = pstrdup(name);
  spec->identity = pstrdup(identity);
  spec->version = pstrdup(md5);
  spec->search_path = pstrdup(path);
  spec->ttl = m.ttl.empty() ? nullptr : pstrdup(m.ttl.c_str());
  spec->ngrants = list_length(grants);
  auto **roles = static_cast<const char **>(palloc0(sizeof(char *) * (spec->ngrants + 1)));
  for (int i = 0; i < spec->ngrants; ++i)
    roles[i] = pstrdup(static_cast<const char *>(list_nth(grants, i)));
  spec->grants = roles;
  spec->refresh_concurrently = m.refresh_concurrently;
  spec->on_change = m.on_change;
  spec->nkeys = static_cast<int>(m.key_args.size());
  auto *keys = static_cast<int *>(palloc0(sizeof(int) * (spec->nkeys + 1)));
  auto *key_types = static_cast<Oid *>(palloc0(sizeof(Oid) * (spec->nkeys + 1)));
  for (int i = 0; i < spec->nkeys; ++i) {
    keys[i] = m.key_args[i];
    key_types[i] = arg_types[keys[i]];
    switch (key_types[i]) { // text forms that no setting changes
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID:
    case NAMEOID:
    case INT2OID:
    case INT4OID:
    case INT8OID:
    case BOOLOID:
    case NUMERICOID:
    case OIDOID:
    case UUIDOID:
      break;
    default:
      spec->fixed_style = true;
    }
  }
  spec->key_args = keys;
  spec->key_types = key_types;
  MemoryContextSwitchTo(old);
  *context_out = context;
  return spec;
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

static void inline_error_context(void *) noexcept {
  errcontext("PL/C++ anonymous code block");
}

void plcpp_run_inline(const char *source, bool atomic) {
  build_input in{};
  in.name = "inline_code_block";
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

  ErrorContextCallback context;
  context.callback = inline_error_context;
  context.arg = nullptr;
  context.previous = error_context_stack;
  error_context_stack = &context;

  plcpp::detail::call_state state{};
  state.self = self;
  state.caller_context = CurrentMemoryContext;
  state.nonatomic = !atomic;
  plcpp::detail::call_frame frame{nullptr, false};
  plcpp::detail::raw_datum result;
  bool ok = plcpp_run(out.entry, &frame, &result, &state);
  unload_code(out.code);
  plcpp_finish_call(ok, &state);
  error_context_stack = context.previous;
}
