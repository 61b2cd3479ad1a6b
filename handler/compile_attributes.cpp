// handler/compile_attributes.cpp — [[plcpp::memoize]] and [[plcpp::result_cache]] checked
// against the catalog (ttl, grant roles, relies_on relations, the owner's search_path) and
// described for their calls (memoize/memoize.h, result_cache/result_cache.h). The checks that
// need only the body and the signature are in build_attributes.cpp.
#include "compile.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_type.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/varlena.h"
}

#include "../memoize/memoize.h"
#include "../memoize/memo_path.h"

namespace {

using compile_detail::char_position;

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

} // namespace

namespace compile_detail {

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

} // namespace compile_detail
