// memoize/memoize.h — [[plcpp::memoize]]: a set-returning function that materializes its
// query's rows per key as a materialized view (DESIGN §2). Internal.
//
// The handler describes a memoized function once per compiled version (memo_spec) and makes it
// part of every call's call_state; the body's returned sql(...) then reaches emit_memoized()
// (memoize.cpp), which serves the view, builds it, refreshes it or, where nothing may be
// written (read-only transaction, standby), runs the query.
#pragma once

#include "../runtime/call_state.h"

// GUCs (handler/guc.cpp).
extern char *plcpp_memo_schema; // plcpp.memo_schema: where views are built
extern char *plcpp_cache_dir;   // plcpp.cache_dir: hit counters live under it

namespace plcpp::detail {

// Plain data in TopMemoryContext, made by handler/compile_attributes.cpp.
struct memo_spec {
  Oid owner;               // views are built and read as the function's owner
  const char *fn_name;     // proname: the readable start of view names
  const char *identity;    // "public.f(text)": the function in the registry and in the hash
  const char *version;     // md5 of the definition, owner and search_path: a replaced
                           // function's views are never served
  const char *search_path; // the function's SET search_path, pg_temp last: the only path
                           // its query is parsed, built, refreshed and read under
  const char *ttl;         // interval text, or nullptr: views live until purged
  int ngrants;
  const char *const *grants; // roles that get SELECT on the views
  bool refresh_concurrently;
  bool on_change; // invalidate = "on_change": stale once a relation its query read changed
  int nkeys;
  const int *key_args; // argument indices making the key
  const Oid *key_types;
  bool fixed_style; // a key type's text depends on DateStyle, TimeZone, ...: fix them
};

// Plain C, may ereport: src with $1..$n replaced by (quoted literal::type).
char *memo_bind_literals(const char *src, int n, const Oid *types, const raw_datum *values,
                         const char *nulls);

} // namespace plcpp::detail
