// memoize/memo_path.cpp — the search_path and the version of a [[plcpp::memoize]] function
// (issue 17).
//
// A memoized function's views are built, refreshed and read as the function's owner, whoever
// calls (DESIGN §2): if the caller's search_path were in effect, the caller would choose what
// the names in the owner's query mean, and so run code of its choosing as the owner (the
// SECURITY DEFINER problem). So a memoized function must carry its own `SET search_path`
// (proconfig), and that path is the only one its query is ever parsed, built, refreshed and
// read under. CREATE FUNCTION (the validator) refuses memoize without one, as does the first
// call of a function restored with check_function_bodies = off or changed by ALTER FUNCTION.
// We chose refusal over pinning a path recorded at CREATE time: the path stays visible in the
// definition (\df+, pg_dump) and ALTER FUNCTION ... SET search_path changes it the usual way.
//
// pg_temp is never searched first: when the path does not name it, PostgreSQL searches the
// session's temporary schema first for relations, and the session is the caller's. So the
// effective path is the function's path with pg_temp appended when absent (as PostgreSQL
// advises for SECURITY DEFINER); a path naming pg_temp anywhere but last is refused.
//
// The version that tells a view's build from another's covers the whole definition (body,
// result, settings: SET search_path is part of pg_get_functiondef), the owner's name and the
// effective path. Versions of plcpp 1.0 had no path in them, so no view built before this
// rule (perhaps from a hijacked path) is ever served or refreshed again: the next call
// rebuilds it, plcpp.memo_refresh drops it.
#include "../handler/plcpp.h"

#include "memo_path.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "common/md5.h"
#include "fmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

PG_FUNCTION_INFO_V1(plcpp_memo_version);
PG_FUNCTION_INFO_V1(plcpp_memo_search_path);
PG_FUNCTION_INFO_V1(plcpp_memo_schema_name);
}

namespace {

// The value of the last search_path entry of proconfig (the one in effect), or nullptr.
const char *configured_path(HeapTuple proc_tuple) {
  bool isnull;
  Datum config = SysCacheGetAttr(PROCOID, proc_tuple, Anum_pg_proc_proconfig, &isnull);
  if (isnull) return nullptr;
  Datum *items;
  bool *nulls;
  int n;
  deconstruct_array(DatumGetArrayTypeP(config), TEXTOID, -1, false, TYPALIGN_INT, &items, &nulls,
                    &n);
  const char *path = nullptr;
  for (int i = 0; i < n; ++i) {
    if (nulls[i]) continue;
    char *setting = TextDatumGetCString(items[i]);
    if (strncmp(setting, "search_path=", 12) == 0) path = setting + 12;
  }
  return path;
}

// A schema anybody may create objects in (PUBLIC has CREATE): anybody can put a table, view,
// function or operator in front of those of the schemas after it, and have the owner run it.
bool public_can_create(const char *schema) {
  Oid ns = get_namespace_oid(schema, true);
  if (!OidIsValid(ns)) return false;
  HeapTuple tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(ns));
  if (!HeapTupleIsValid(tup)) return false;
  bool isnull, found = false;
  Datum acl_datum = SysCacheGetAttr(NAMESPACEOID, tup, Anum_pg_namespace_nspacl, &isnull);
  if (!isnull) { // NULL: the default, only the owner creates
    Acl *acl = DatumGetAclP(acl_datum);
    const AclItem *items = ACL_DAT(acl);
    for (int i = 0; i < ACL_NUM(acl); ++i)
      if (items[i].ai_grantee == ACL_ID_PUBLIC && (ACLITEM_GET_PRIVS(items[i]) & ACL_CREATE))
        found = true;
  }
  ReleaseSysCache(tup);
  return found;
}

} // namespace

const char *plcpp_memo_path(HeapTuple proc_tuple, const char **problem) {
  *problem = nullptr;
  const char *path = configured_path(proc_tuple);
  if (!path) {
    *problem = "it has no SET search_path";
    return nullptr;
  }
  // SET search_path = '' is stored as "": only pg_catalog (and, implicitly first, pg_temp).
  if (path[0] == '\0' || strcmp(path, "\"\"") == 0) return "pg_temp";
  List *names;
  if (!SplitIdentifierString(pstrdup(path), ',', &names)) {
    *problem = psprintf("its search_path (%s) is not a list of schema names", path);
    return nullptr;
  }
  ListCell *lc;
  foreach (lc, names) {
    const char *name = static_cast<const char *>(lfirst(lc));
    // pg_temp_N names a session's temporary schema directly: as bad as pg_temp first.
    bool temp = strcmp(name, "pg_temp") == 0 || strncmp(name, "pg_temp_", 8) == 0;
    if (temp && lnext(names, lc) != nullptr) {
      *problem = psprintf("its search_path (%s) searches pg_temp before other schemas", path);
      return nullptr;
    }
    if (temp && strcmp(name, "pg_temp") != 0) {
      *problem = psprintf("its search_path (%s) names a session's temporary schema", path);
      return nullptr;
    }
    if (temp) return path; // last: as it should be
  }
  return psprintf("%s, pg_temp", path);
}

void plcpp_memo_warn_open_schemas(const char *name, const char *path) {
  List *names;
  if (!SplitIdentifierString(pstrdup(path), ',', &names)) return;
  ListCell *lc;
  foreach (lc, names) {
    const char *schema = static_cast<const char *>(lfirst(lc));
    if (public_can_create(schema))
      ereport(WARNING,
              (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
               errmsg("memoized function \"%s\" searches schema \"%s\", where every role may "
                      "create objects",
                      name, schema),
               errdetail("Any role can put a table, view, function or operator there that its "
                         "query would use, and have it run as the function's owner."),
               errhint("REVOKE CREATE ON SCHEMA %s FROM PUBLIC, or leave it out of the "
                       "function's search_path.",
                       quote_identifier(schema))));
  }
}

void plcpp_memo_check_path(HeapTuple proc_tuple, const char *name, const char **path_out) {
  const char *problem;
  const char *path = plcpp_memo_path(proc_tuple, &problem);
  if (!path)
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
             errmsg("memoized function \"%s\" must set a safe search_path: %s", name, problem),
             errdetail("Its views are built, refreshed and read as the function's owner, whoever "
                       "calls: with the caller's search_path, the caller would choose what the "
                       "names in its query mean."),
             errhint("Add SET search_path = public, pg_temp to CREATE FUNCTION: the schemas its "
                     "query reads (writable only by trusted roles), pg_temp last or left out.")));
  *path_out = path;
}

char *plcpp_memo_version(Oid fn_oid, Oid owner, const char *path) {
  char *definition =
      TextDatumGetCString(DirectFunctionCall1(pg_get_functiondef, ObjectIdGetDatum(fn_oid)));
  char *versioned = psprintf("%s\n-- owner: %s\n-- search_path: %s", definition,
                             GetUserNameFromId(owner, false), path);
  char *md5 = static_cast<char *>(palloc(33));
  const char *md5_error = nullptr;
  if (!pg_md5_hash(versioned, strlen(versioned), md5, &md5_error))
    ereport(ERROR,
            (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not compute MD5: %s", md5_error)));
  return md5;
}

// plcpp.memo_version(fn regprocedure) RETURNS text: the version plcpp.memo_registry records
// for fn's views now; NULL if fn is gone or may not be memoized (no safe search_path).
Datum plcpp_memo_version(PG_FUNCTION_ARGS) {
  Oid fn = PG_GETARG_OID(0);
  HeapTuple tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
  if (!HeapTupleIsValid(tup)) PG_RETURN_NULL();
  const char *problem;
  const char *path = plcpp_memo_path(tup, &problem);
  Oid owner = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tup))->proowner;
  ReleaseSysCache(tup);
  if (!path) PG_RETURN_NULL();
  PG_RETURN_TEXT_P(cstring_to_text(plcpp_memo_version(fn, owner, path)));
}

// plcpp.memo_search_path(fn regprocedure) RETURNS text: the path fn's query runs under (its
// SET search_path, pg_temp last); NULL if fn is gone or has no safe one.
Datum plcpp_memo_search_path(PG_FUNCTION_ARGS) {
  Oid fn = PG_GETARG_OID(0);
  HeapTuple tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
  if (!HeapTupleIsValid(tup)) PG_RETURN_NULL();
  const char *problem;
  const char *path = plcpp_memo_path(tup, &problem);
  ReleaseSysCache(tup);
  if (!path) PG_RETURN_NULL();
  PG_RETURN_TEXT_P(cstring_to_text(path));
}

// plcpp.memo_schema() RETURNS name: plcpp.memo_schema. Being in this library, a call loads
// it, so the setting is the real one even in a session that has not run plcpp code yet
// (current_setting('plcpp.memo_schema') fails there, or returns a placeholder anyone can set).
Datum plcpp_memo_schema_name(PG_FUNCTION_ARGS) {
  const char *schema = plcpp_memo_schema && plcpp_memo_schema[0] ? plcpp_memo_schema : "plcpp_memo";
  PG_RETURN_DATUM(DirectFunctionCall1(namein, CStringGetDatum(schema)));
}
