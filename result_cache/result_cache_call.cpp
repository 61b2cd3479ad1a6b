// result_cache/result_cache_call.cpp — one call of a [[plcpp::result_cache]] function (DESIGN §3):
// key, lookup, and on a miss the computation with its reads tracked, then publication.
// Plain C over PostgreSQL: it may ereport, and holds no C++ objects.
//
// The cache is used only where a result computed once can be served to anyone who asks for the
// same key: not on a standby (nothing tracks the primary's writes here), not in SERIALIZABLE
// transactions (a hit would skip the predicate locks of the reads), not without an active
// snapshot. The key is the function's oid and pg_proc row version (xmin and tid), the argument
// values as bytes, the calling role (unless SECURITY DEFINER), the collation and search_path.
#include "../handler/plcpp.h"

#include "result_cache.h"

extern "C" {
#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "utils/expandeddatum.h"
#include "utils/snapmgr.h"
}

namespace {

bool warned_not_preloaded = false;

void append_datum(StringInfo buf, Datum value, int16 len, bool byval) {
  if (byval) {
    char bytes[sizeof(Datum)];
    store_att_byval(bytes, value, len);
    appendBinaryStringInfo(buf, bytes, len);
  } else if (len > 0) {
    appendBinaryStringInfo(buf, DatumGetPointer(value), len);
  } else if (len == -1) { // the value, whatever its header or compression
    struct varlena *v =
        pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(value)));
    uint32 n = VARSIZE_ANY_EXHDR(v);
    appendBinaryStringInfo(buf, reinterpret_cast<const char *>(&n), sizeof n);
    appendBinaryStringInfo(buf, VARDATA_ANY(v), n);
  } else {
    const char *s = DatumGetCString(value);
    appendBinaryStringInfo(buf, s, static_cast<int>(strlen(s)) + 1);
  }
}

rc_key make_key(FunctionCallInfo fcinfo, plcpp_function *fn) {
  const plcpp_rc_spec *spec = fn->rc;
  StringInfoData buf;
  initStringInfo(&buf);
  Oid role = spec->secdef ? InvalidOid : GetUserId();
  appendBinaryStringInfo(&buf, reinterpret_cast<const char *>(&fn->fn_xmin), sizeof fn->fn_xmin);
  appendBinaryStringInfo(&buf, reinterpret_cast<const char *>(&fn->fn_tid), sizeof fn->fn_tid);
  appendBinaryStringInfo(&buf, reinterpret_cast<const char *>(&role), sizeof role);
  appendBinaryStringInfo(&buf, reinterpret_cast<const char *>(&fcinfo->fncollation),
                         sizeof fcinfo->fncollation);
  const char *path = namespace_search_path ? namespace_search_path : "";
  appendBinaryStringInfo(&buf, path, static_cast<int>(strlen(path)) + 1);
  for (int i = 0; i < spec->nargs; ++i) {
    bool isnull = fcinfo->args[i].isnull;
    appendStringInfoChar(&buf, isnull ? 'n' : 'v');
    if (!isnull) append_datum(&buf, fcinfo->args[i].value, spec->arg_len[i], spec->arg_byval[i]);
  }
  rc_key key;
  key.fn = fn->fn_oid;
  key.data = buf.data;
  key.len = static_cast<uint32>(buf.len);
  key.hash =
      hash_bytes_extended(reinterpret_cast<const unsigned char *>(buf.data), buf.len, fn->fn_oid);
  return key;
}

// The result as bytes: a by-value Datum, a fixed-length value, or a flat varlena (expanded
// objects flattened, toasted values fetched and decompressed).
bool value_bytes(plcpp_function *fn, Datum result, bool isnull, rc_record *rec) {
  rec->isnull = isnull;
  rec->value = nullptr;
  rec->value_len = 0;
  if (isnull) return true;
  const plcpp_rc_spec *spec = fn->rc;
  if (spec->result_byval) {
    char *bytes = static_cast<char *>(palloc(sizeof(Datum)));
    memcpy(bytes, &result, sizeof(Datum));
    rec->value = bytes;
    rec->value_len = sizeof(Datum);
  } else if (spec->result_len > 0) {
    rec->value = DatumGetPointer(result);
    rec->value_len = spec->result_len;
  } else if (spec->result_len == -1) {
    struct varlena *v = reinterpret_cast<struct varlena *>(DatumGetPointer(result));
    if (VARATT_IS_EXTERNAL_EXPANDED(v)) {
      ExpandedObjectHeader *eoh = DatumGetEOHP(result);
      Size size = EOH_get_flat_size(eoh);
      void *flat = palloc(size);
      EOH_flatten_into(eoh, flat, size);
      v = static_cast<struct varlena *>(flat);
    } else if (VARATT_IS_EXTENDED(v)) {
      v = detoast_attr(v);
    }
    rec->value = reinterpret_cast<const char *>(v);
    rec->value_len = VARSIZE_ANY(v);
  } else {
    rec->value = DatumGetCString(result);
    rec->value_len = static_cast<uint32>(strlen(rec->value) + 1);
  }
  return rec->value_len <= static_cast<uint32>(plcpp_result_cache_max_result);
}

Datum datum_of(FunctionCallInfo fcinfo, plcpp_function *fn, const rc_record &rec) {
  fcinfo->isnull = rec.isnull;
  if (rec.isnull) return static_cast<Datum>(0);
  if (fn->rc->result_byval) {
    Datum d;
    memcpy(&d, rec.value, sizeof d);
    return d;
  }
  if (fn->out_row) {
    // A row of OUT parameters is a record whose typmod this backend assigned (BlessTupleDesc):
    // the one stored may be another backend's.
    TupleDesc desc = plcpp_out_row_desc(fcinfo, fn);
    auto *tuple = reinterpret_cast<HeapTupleHeader>(const_cast<char *>(rec.value));
    HeapTupleHeaderSetTypeId(tuple, desc->tdtypeid);
    HeapTupleHeaderSetTypMod(tuple, desc->tdtypmod);
  }
  return PointerGetDatum(rec.value);
}

} // namespace

void plcpp_result_cache_preload(void) {
  rc_preload();
}

Datum plcpp_rc_call(FunctionCallInfo fcinfo, plcpp_function *fn) {
  if (!rc_available()) {
    if (!warned_not_preloaded) {
      warned_not_preloaded = true;
      ereport(WARNING,
              (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
               errmsg("plcpp::result_cache is inactive: plcpp is not in shared_preload_libraries"),
               errdetail("Functions with the attribute run uncached in this session."),
               errhint("Add plcpp to shared_preload_libraries in postgresql.conf and restart the "
                       "server.")));
    }
    return plcpp_call_body(fcinfo, fn);
  }
  if (plcpp_result_cache_mode == rc_off || RecoveryInProgress() || IsolationIsSerializable() ||
      !ActiveSnapshotSet())
    return plcpp_call_body(fcinfo, fn);

  Snapshot snapshot = GetActiveSnapshot();
  rc_key key = make_key(fcinfo, fn);
  rc_record *rec = static_cast<rc_record *>(palloc(sizeof(rc_record)));
  bool bypass = plcpp_result_cache_mode == rc_bypass;
  if (!bypass && rc_lookup(key, snapshot, rec)) {
    rc_count(fn->fn_oid, true);
    return datum_of(fcinfo, fn, *rec);
  }
  rc_build build;
  rc_claim_result claim = bypass ? rc_claim_result::compute : rc_claim(key, snapshot, rec, &build);
  if (claim == rc_claim_result::hit) {
    rc_count(fn->fn_oid, true);
    return datum_of(fcinfo, fn, *rec);
  }
  rc_count(fn->fn_oid, false);

  // An error in the body unwinds this frame: the abort callbacks close the reads and the build.
  ct_reads *reads = static_cast<ct_reads *>(palloc0(sizeof(ct_reads)));
  reads->snapshot = snapshot;
  for (int i = 0; i < fn->rc->nrelies; ++i)
    ct_reads_add(reads, fn->rc->relies[i]);
  ct_reads_push(reads);
  Datum result = plcpp_call_body(fcinfo, fn);
  ct_reads_pop(reads);

  if (claim == rc_claim_result::compute_only) return result;
  const char *why = reads->why;
  if (!reads->unpublishable && ct_wrote_any_rel(reads->rels, reads->n))
    why = "this transaction wrote a relation it read";
  else if (!reads->unpublishable && !value_bytes(fn, result, fcinfo->isnull, rec))
    why = "the result is larger than plcpp.result_cache_max_result";
  else if (!reads->unpublishable) {
    rec->ndeps = reads->n + 1;
    if (!ct_capture(reads->rels, reads->n, snapshot, rec->deps, &rec->witness))
      why = "its snapshot does not see a committed change to what it read";
    else
      why = nullptr;
  }
  if (why) {
    elog(DEBUG1, "plcpp: result of %s not cached: %s", fn->signature, why);
    rc_abandon(&build);
  } else {
    rc_publish(&build, key, *rec);
  }
  return result;
}
