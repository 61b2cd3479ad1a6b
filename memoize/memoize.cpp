// memoize/memoize.cpp — serving a [[plcpp::memoize]] call (DESIGN §2).
//
// One call, after the body returned sql(q):
//   key    the text output of the key arguments (NULL stays NULL)
//   name   memo_name.h: <function>__<readable key>_<hash>, in plcpp.memo_schema
//   hit    the registry (plcpp.memo_registry) has the view for this exact key, built by this
//          version of the function and not past its ttl, and the view can be locked: its rows
//   miss   read-only transaction or standby: q's rows, nothing written. Otherwise, under a
//          transaction-level advisory lock on the name's hash, look again (another session
//          may just have built it), then build (or refresh, or rebuild) the view in the
//          caller's transaction and return its rows.
//
// Who does what: the registry belongs to the extension's owner and is read and written as
// that role; views are created, refreshed, dropped and read as the function's owner, so their
// contents and owner do not depend on the caller (the function acts like SECURITY DEFINER for
// its query). So all of it runs under the search_path the owner chose, the function's own SET
// search_path with pg_temp last (memoize/memo_path.cpp; issue 17): a caller's schemas,
// functions, operators or temporary tables never take part. Our own SQL names every operator
// and function with its schema all the same.
//
// Concurrency: a reader locks the view (AccessShareLock) before trusting the registry row that
// sent it there, so plcpp.memo_purge (which drops the view, then commits) either waits for the
// reader or has already removed both the view and its row. Builders of one name serialize on
// the advisory lock; the loser re-reads the registry with a new snapshot and finds the view.
// Under REPEATABLE READ a view committed after the snapshot is invisible to it, so such a
// caller gets the query's rows instead.
#include "memoize.h"

#include <plcpp/srf.hpp>

#include "memo_name.h"
#include "../runtime/pg_call.h"
#include "../result_cache/result_cache.h"
#include "../runtime/result_data.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <unordered_map>

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "portability/instr_time.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace plcpp::detail {
namespace {

// Everything below runs inside one pg_call: plain C that may ereport.
struct memo_call {
  call_state *state;
  const memo_spec *spec;
  const char *schema, *view;
  std::uint64_t hash;
  Datum key;             // text[] of the exact key
  SPIPlanPtr *read_plan; // this view's "SELECT * FROM", kept for the session
  // the query
  const char *src;
  int n;
  const Oid *types;
  const raw_datum *values;
  const char *nulls;
  // invalidate = "on_change": the registry's record of what the view's build read
  const char *sources;
};

enum class registry_state { none, fresh, stale, other_key, old_version };

template <class F> void as_user(Oid user, F &&f) {
  Oid saved_user;
  int saved_context;
  GetUserIdAndSecContext(&saved_user, &saved_context);
  SetUserIdAndSecContext(user, saved_context | SECURITY_LOCAL_USERID_CHANGE);
  PG_TRY();
  { f(); }
  PG_FINALLY();
  { SetUserIdAndSecContext(saved_user, saved_context); }
  PG_END_TRY();
}

Oid registry_owner() {
  Oid ns = get_namespace_oid("plcpp", true);
  Oid rel = OidIsValid(ns) ? get_relname_relid("memo_registry", ns) : InvalidOid;
  HeapTuple tup = OidIsValid(rel) ? SearchSysCache1(RELOID, ObjectIdGetDatum(rel)) : nullptr;
  if (!HeapTupleIsValid(tup))
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("the plcpp memo registry plcpp.memo_registry does not exist"),
                    errhint("CREATE EXTENSION plcpp creates it.")));
  Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tup))->relowner;
  ReleaseSysCache(tup);
  return owner;
}

// A plan of our own, kept for the session (re-planned by the plan cache after DDL).
SPIPlanPtr saved_plan(SPIPlanPtr &plan, const char *sql, int n, Oid *types) {
  if (plan) return plan;
  SPIPlanPtr p = SPI_prepare(sql, n, types);
  if (!p)
    elog(ERROR, "SPI_prepare failed for plcpp's memo registry: %s",
         SPI_result_code_string(SPI_result));
  SPI_keepplan(p);
  plan = p;
  return plan;
}

void check_spi(int rc, const char *what) {
  if (rc < 0) elog(ERROR, "plcpp memoize: %s failed: %s", what, SPI_result_code_string(rc));
}

// invalidate = "on_change" needs the change tracking of shared_preload_libraries.
bool tracks_changes(const memo_call &mc) {
  static bool warned = false;
  if (!mc.spec->on_change) return false;
  if (rc_available()) return true;
  if (!warned) {
    warned = true;
    ereport(WARNING,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("plcpp::memoize(invalidate = \"on_change\") is inactive: plcpp is not in "
                    "shared_preload_libraries"),
             errdetail("Views are served as if invalidate = \"never\" in this session."),
             errhint("Add plcpp to shared_preload_libraries in postgresql.conf and restart the "
                     "server.")));
  }
  return false;
}

registry_state look_up(memo_call &mc, Oid admin) {
  static SPIPlanPtr plan = nullptr;
  static Oid types[] = {NAMEOID, NAMEOID, TEXTARRAYOID, TEXTOID, TEXTOID};
  const char *sql =
      "SELECT key OPERATOR(pg_catalog.=) $3, version OPERATOR(pg_catalog.=) $4, "
      "COALESCE(refreshed_at OPERATOR(pg_catalog.<) "
      "(pg_catalog.now() OPERATOR(pg_catalog.-) $5::pg_catalog.interval), false), sources "
      "FROM plcpp.memo_registry "
      "WHERE schema_name OPERATOR(pg_catalog.=) $1 AND view_name OPERATOR(pg_catalog.=) $2";
  Datum values[5] = {DirectFunctionCall1(namein, CStringGetDatum(mc.schema)),
                     DirectFunctionCall1(namein, CStringGetDatum(mc.view)), mc.key,
                     CStringGetTextDatum(mc.spec->version),
                     mc.spec->ttl ? CStringGetTextDatum(mc.spec->ttl) : Datum(0)};
  char nulls[5] = {' ', ' ', ' ', ' ', mc.spec->ttl ? ' ' : 'n'};
  registry_state result = registry_state::none;
  as_user(admin, [&] {
    check_spi(SPI_execute_plan(saved_plan(plan, sql, 5, types), values, nulls, false, 1),
              "registry lookup");
    if (SPI_processed == 0) return;
    bool isnull;
    HeapTuple row = SPI_tuptable->vals[0];
    TupleDesc desc = SPI_tuptable->tupdesc;
    if (!DatumGetBool(SPI_getbinval(row, desc, 1, &isnull)))
      result = registry_state::other_key;
    else if (!DatumGetBool(SPI_getbinval(row, desc, 2, &isnull)))
      result = registry_state::old_version;
    else if (DatumGetBool(SPI_getbinval(row, desc, 3, &isnull)))
      result = registry_state::stale;
    else
      result = registry_state::fresh;
    mc.sources = SPI_getvalue(row, desc, 4); // nullptr if NULL
  });
  // Rebuilt once anything its query read has changed (or the server restarted since).
  if (result == registry_state::fresh && tracks_changes(mc) &&
      (!mc.sources || !ct_sources_unchanged(mc.sources)))
    result = registry_state::stale;
  return result;
}

void register_view(const memo_call &mc, Oid admin, double build_ms, uint64 rows, bool rebuilt,
                   const char *sources) {
  static SPIPlanPtr insert = nullptr, refreshed = nullptr;
  static Oid insert_types[] = {NAMEOID, NAMEOID,   TEXTOID, TEXTARRAYOID,
                               TEXTOID, FLOAT8OID, INT8OID, TEXTOID};
  static Oid refresh_types[] = {NAMEOID, NAMEOID, FLOAT8OID, INT8OID, TEXTOID};
  Datum values[8] = {DirectFunctionCall1(namein, CStringGetDatum(mc.schema)),
                     DirectFunctionCall1(namein, CStringGetDatum(mc.view)),
                     CStringGetTextDatum(mc.spec->identity),
                     mc.key,
                     CStringGetTextDatum(mc.spec->version),
                     Float8GetDatum(build_ms),
                     Int64GetDatum(static_cast<int64>(rows)),
                     sources ? CStringGetTextDatum(sources) : Datum(0)};
  char nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', sources ? ' ' : 'n'};
  as_user(admin, [&] {
    if (rebuilt) {
      const char *sql =
          "INSERT INTO plcpp.memo_registry AS r (schema_name, view_name, function, key, version, "
          "created_at, refreshed_at, build_ms, rows, builds, sources) "
          "VALUES ($1, $2, $3, $4, $5, pg_catalog.now(), pg_catalog.now(), $6, $7, 1, $8) "
          "ON CONFLICT (schema_name, view_name) DO UPDATE SET function = EXCLUDED.function, "
          "key = EXCLUDED.key, version = EXCLUDED.version, created_at = EXCLUDED.created_at, "
          "refreshed_at = EXCLUDED.refreshed_at, build_ms = EXCLUDED.build_ms, "
          "rows = EXCLUDED.rows, builds = r.builds OPERATOR(pg_catalog.+) 1, "
          "sources = EXCLUDED.sources";
      check_spi(SPI_execute_plan(saved_plan(insert, sql, 8, insert_types), values, nulls, false, 0),
                "registry insert");
    } else {
      const char *sql = "UPDATE plcpp.memo_registry SET refreshed_at = pg_catalog.now(), "
                        "build_ms = $3, rows = $4, builds = builds OPERATOR(pg_catalog.+) 1, "
                        "sources = $5 WHERE schema_name OPERATOR(pg_catalog.=) $1 "
                        "AND view_name OPERATOR(pg_catalog.=) $2";
      Datum v[5] = {values[0], values[1], values[5], values[6], values[7]};
      char n[5] = {' ', ' ', ' ', ' ', nulls[7]};
      check_spi(SPI_execute_plan(saved_plan(refreshed, sql, 5, refresh_types), v, n, false, 0),
                "registry update");
    }
  });
}

const char *qualified(const memo_call &mc) {
  return quote_qualified_identifier(mc.schema, mc.view);
}

// Locks the view against DROP for the rest of the transaction; false if it does not exist
// (never built, or purged since the registry was read).
bool lock_view(const memo_call &mc) {
  RangeVar *rv = makeRangeVar(const_cast<char *>(mc.schema), const_cast<char *>(mc.view), -1);
  return OidIsValid(
      RangeVarGetRelidExtended(rv, AccessShareLock, RVR_MISSING_OK, nullptr, nullptr));
}

bool view_exists(const memo_call &mc) {
  Oid ns = get_namespace_oid(mc.schema, true);
  return OidIsValid(ns) && OidIsValid(get_relname_relid(mc.view, ns));
}

// A hit runs a saved plan: parsing and planning "SELECT * FROM view" would cost as much as
// the rest of the hit. The plan cache re-plans it if the view is rebuilt.
void read_view(const memo_call &mc) {
  as_user(mc.spec->owner, [&] {
    SPIPlanPtr plan =
        saved_plan(*mc.read_plan, psprintf("SELECT * FROM %s", qualified(mc)), 0, nullptr);
    check_spi(plan_into_tuplestore(mc.state, plan, false), "reading the memo view");
  });
}

// A miss that writes nothing (read-only, standby, ...) still runs the query as the owner, as
// a build would: the same rows, whoever calls.
void run_query(const memo_call &mc) {
  as_user(mc.spec->owner, [&] {
    check_spi(query_into_tuplestore(mc.state, mc.src, mc.n, mc.types, mc.values, mc.nulls,
                                    mc.state->read_only),
              "the memoized query");
  });
}

// One byte appended per hit to <plcpp.cache_dir>/memo/<database oid>/<view>.hits: works in
// read-only transactions and on standbys, costs no WAL, and never blocks; the file's size is
// the count and its mtime the last hit (plcpp.memo_hits()). Best effort.
void count_hit(const memo_call &mc) {
  if (!plcpp_cache_dir || !plcpp_cache_dir[0]) return;
  char path[MAXPGPATH];
  snprintf(path, sizeof path, "%s/memo/%u/%s.hits", plcpp_cache_dir, MyDatabaseId, mc.view);
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {
    char dir[MAXPGPATH];
    snprintf(dir, sizeof dir, "%s/memo", plcpp_cache_dir);
    (void)mkdir(plcpp_cache_dir, 0700);
    (void)mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/memo/%u", plcpp_cache_dir, MyDatabaseId);
    (void)mkdir(dir, 0700);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  }
  if (fd < 0) return;
  char one = 1;
  (void)!write(fd, &one, 1);
  close(fd);
}

bool has_unique_index(const memo_call &mc) {
  const char *sql =
      psprintf("SELECT 1 FROM pg_catalog.pg_index WHERE indrelid OPERATOR(pg_catalog.=) "
               "%s::pg_catalog.regclass AND indisunique AND indisvalid AND "
               "indpred IS NULL",
               quote_literal_cstr(qualified(mc)));
  check_spi(SPI_execute(sql, true, 1), "looking for a unique index");
  return SPI_processed > 0;
}

// The columns of the view: the function's result columns, so that a query whose columns
// share a name (select 1, 1) still makes a view.
const char *column_list(const memo_call &mc) {
  StringInfoData cols;
  initStringInfo(&cols);
  TupleDesc desc = mc.state->tuple_desc;
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute a = TupleDescAttr(desc, i);
    if (a->attisdropped) continue;
    appendStringInfo(&cols, "%s%s", cols.len ? ", " : "", quote_identifier(NameStr(a->attname)));
  }
  return cols.data;
}

// Runs `statement` (the view's CREATE or REFRESH); with invalidate = "on_change", returns the
// versions of what it read (ct_sources), else nullptr.
template <class F> const char *tracking_reads(const memo_call &mc, F &&statement) {
  if (!tracks_changes(mc)) {
    statement();
    return nullptr;
  }
  ct_reads *reads = static_cast<ct_reads *>(palloc0(sizeof(ct_reads)));
  reads->allow_writes = true;
  ct_reads_push(reads);
  statement();
  ct_reads_pop(reads);
  // The view's own rule lists the view among what it reads: its refresh is no change.
  RangeVar *rv = makeRangeVar(const_cast<char *>(mc.schema), const_cast<char *>(mc.view), -1);
  return ct_sources(reads, RangeVarGetRelid(rv, NoLock, true));
}

double elapsed_ms(instr_time start) {
  instr_time now;
  INSTR_TIME_SET_CURRENT(now);
  INSTR_TIME_SUBTRACT(now, start);
  return INSTR_TIME_GET_MILLISEC(now);
}

void build_view(const memo_call &mc, Oid admin, bool exists) {
  const memo_spec &m = *mc.spec;
  char *query = memo_bind_literals(mc.src, mc.n, mc.types, mc.values, mc.nulls);
  const char *name = qualified(mc);
  const char *create =
      psprintf("CREATE MATERIALIZED VIEW %s (%s) AS %s\nWITH DATA", name, column_list(mc), query);
  instr_time start;
  INSTR_TIME_SET_CURRENT(start);
  uint64 rows = 0;
  const char *sources = nullptr;
  as_user(m.owner, [&] {
    if (exists) // built by an older version of the function, or not registered (a restore)
      check_spi(SPI_execute(psprintf("DROP MATERIALIZED VIEW %s", name), false, 0),
                "dropping the old memo view");
    sources = tracking_reads(
        mc, [&] { check_spi(SPI_execute(create, false, 0), "creating the memo view"); });
    rows = SPI_processed;
    for (int i = 0; i < m.ngrants; ++i)
      check_spi(
          SPI_execute(psprintf("GRANT SELECT ON %s TO %s", name, quote_identifier(m.grants[i])),
                      false, 0),
          "granting the memo view");
  });
  register_view(mc, admin, elapsed_ms(start), rows, true, sources);
}

void refresh_view(const memo_call &mc, Oid admin) {
  const memo_spec &m = *mc.spec;
  instr_time start;
  INSTR_TIME_SET_CURRENT(start);
  uint64 rows = 0;
  const char *sources = nullptr;
  as_user(m.owner, [&] {
    bool concurrently = m.refresh_concurrently && has_unique_index(mc);
    sources = tracking_reads(mc, [&] {
      check_spi(SPI_execute(psprintf("REFRESH MATERIALIZED VIEW %s%s",
                                     concurrently ? "CONCURRENTLY " : "", qualified(mc)),
                            false, 0),
                "refreshing the memo view");
    });
    // REFRESH reports no row count.
    check_spi(SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s", qualified(mc)), false, 1),
              "counting the memo view");
    bool isnull;
    rows = static_cast<uint64>(
        DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)));
  });
  register_view(mc, admin, elapsed_ms(start), rows, false, sources);
}

void serve(memo_call &mc) {
  Oid admin = registry_owner();
  registry_state state = look_up(mc, admin);
  // This transaction changed what the view was built from: the view cannot show it.
  if (mc.sources && tracks_changes(mc)) {
    Oid *rels;
    int n = ct_sources_relations(mc.sources, &rels);
    if (ct_wrote_any_rel(rels, n)) {
      run_query(mc);
      return;
    }
  }
  if (state == registry_state::fresh && lock_view(mc)) {
    read_view(mc);
    count_hit(mc);
    return;
  }
  // Another key has this name (a 48-bit hash collision): never serve its rows.
  if (state == registry_state::other_key || RecoveryInProgress() || XactReadOnly) {
    run_query(mc);
    return;
  }

  LOCKTAG tag;
  SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(mc.hash >> 32),
                       static_cast<uint32>(mc.hash), 0x4d4d);
  (void)LockAcquire(&tag, ExclusiveLock, false, false); // released at transaction end

  state = look_up(mc, admin); // a new snapshot (READ COMMITTED): a build that just committed
  bool exists = view_exists(mc);
  if (state == registry_state::fresh && exists && lock_view(mc)) {
    read_view(mc);
    count_hit(mc);
    return;
  }
  if (state == registry_state::other_key ||
      (exists && state == registry_state::none && IsolationUsesXactSnapshot())) {
    // Built and committed after this transaction's snapshot: its rows are invisible here.
    run_query(mc);
    return;
  }
  if (state == registry_state::stale && exists)
    refresh_view(mc, admin);
  else
    build_view(mc, admin, exists);
  read_view(mc);
}

// The exact key: the text output of each key argument, NULL kept. Types whose text depends
// on settings (dates, timestamps, intervals, floats, bytea) are written in one fixed style,
// so that a key names the same view whatever the caller's DateStyle or TimeZone.
memo::key_values key_of(const call_state &c) {
  const memo_spec &m = *c.memo;
  const NullableDatum *args = c.fcinfo->args;
  char **texts = pg_call([&m, args] {
    int level = 0;
    if (m.fixed_style) {
      level = NewGUCNestLevel();
      const char *settings[][2] = {{"datestyle", "ISO, YMD"},
                                   {"intervalstyle", "postgres"},
                                   {"timezone", "UTC"},
                                   {"extra_float_digits", "1"},
                                   {"bytea_output", "hex"}};
      for (auto &kv : settings)
        (void)set_config_option(kv[0], kv[1], PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                                false);
    }
    auto **out = static_cast<char **>(palloc0(sizeof(char *) * (m.nkeys + 1)));
    for (int i = 0; i < m.nkeys; ++i) {
      const NullableDatum &arg = args[m.key_args[i]];
      if (arg.isnull) continue;
      Oid output;
      bool varlena;
      getTypeOutputInfo(m.key_types[i], &output, &varlena);
      out[i] = OidOutputFunctionCall(output, arg.value);
    }
    if (m.fixed_style) AtEOXact_GUC(true, level);
    return out;
  });
  memo::key_values key;
  for (int i = 0; i < m.nkeys; ++i)
    key.emplace_back(texts[i] ? std::optional<std::string>(texts[i]) : std::nullopt);
  return key;
}

// Saved read plans by "schema.view", bounded: a session that reads many views keeps the last
// few hundred.
std::unordered_map<std::string, SPIPlanPtr> read_plans;

SPIPlanPtr *read_plan_slot(const std::string &schema, const std::string &view) {
  if (read_plans.size() >= 256) {
    for (auto &entry : read_plans)
      if (entry.second) pg_cleanup([&] { SPI_freeplan(entry.second); });
    read_plans.clear();
  }
  return &read_plans[schema + "." + view];
}

} // namespace

void emit_memoized(const sql_query &q) {
  call_state &c = srf_call();
  q.check_alive();
  if (!c.memo || !c.fcinfo) { // not reached: the wrapper calls this only for memoized bodies
    emit_query(q);
    return;
  }
  spi_connect();
  scratch_scope scratch;
  memo::key_values key = key_of(c);
  const memo_spec &m = *c.memo;
  std::string view = memo::view_name(m.fn_name, m.identity, key);

  // The key as text[] for the registry (in the call's memory: it lives as long as the call).
  std::vector<const char *> elems;
  for (const auto &v : key)
    elems.push_back(v ? v->c_str() : nullptr);
  int nkeys = static_cast<int>(elems.size());
  const char *const *elem_ptr = elems.data();
  const char *schema = plcpp_memo_schema && plcpp_memo_schema[0] ? plcpp_memo_schema : "plcpp_memo";
  memo_call mc{};
  mc.read_plan = read_plan_slot(schema, view);

  mc.state = &c;
  mc.spec = &m;
  mc.view = view.c_str();
  mc.hash = memo::key_hash(m.identity, key);
  mc.src = q.text().c_str();
  mc.n = static_cast<int>(q.types().size());
  mc.types = q.types().data();
  mc.values = q.values().data();
  mc.nulls = q.nulls().data();
  memo_call *call = &mc;
  MemoryContext call_memory = c.caller_context;
  pg_call([=] {
    MemoryContext old = MemoryContextSwitchTo(call_memory);
    Datum *datums = static_cast<Datum *>(palloc0(sizeof(Datum) * (nkeys + 1)));
    bool *isnull = static_cast<bool *>(palloc0(sizeof(bool) * (nkeys + 1)));
    for (int i = 0; i < nkeys; ++i) {
      isnull[i] = elem_ptr[i] == nullptr;
      if (!isnull[i]) datums[i] = CStringGetTextDatum(elem_ptr[i]);
    }
    int dims[1] = {nkeys}, lbs[1] = {1};
    call->key = PointerGetDatum(nkeys == 0 ? construct_empty_array(TEXTOID)
                                           : construct_md_array(datums, isnull, 1, dims, lbs,
                                                                TEXTOID, -1, false, TYPALIGN_INT));
    call->schema =
        pstrdup(plcpp_memo_schema && plcpp_memo_schema[0] ? plcpp_memo_schema : "plcpp_memo");
    MemoryContextSwitchTo(old);
    // Everything below (our own SQL, the view's CREATE, REFRESH and read, the query of a
    // miss) runs under the function's own path with pg_temp last (memoize/memo_path.cpp),
    // never the caller's. fmgr has usually set it already (it is the function's SET clause).
    int level = NewGUCNestLevel();
    if (!namespace_search_path || strcmp(namespace_search_path, call->spec->search_path) != 0)
      (void)set_config_option("search_path", call->spec->search_path, PGC_USERSET, PGC_S_SESSION,
                              GUC_ACTION_SAVE, true, 0, false);
    serve(*call);
    AtEOXact_GUC(true, level);
  });
}

} // namespace plcpp::detail
