// result_cache/result_cache.h — the shared result cache's store (DESIGN §3): entries in shared
// memory, partitioned, each partition with its own LWLock, blocks and CLOCK eviction.
// Plain C over PostgreSQL (may ereport); result_cache/result_cache_call.cpp drives it per call.
#pragma once

#include "change_tracking.h"

// GUCs (handler/guc.cpp).
extern int plcpp_result_cache_mode; // rc_mode
extern int plcpp_result_cache_size_kb;
extern int plcpp_result_cache_max_result;
enum rc_mode { rc_on, rc_off, rc_bypass };

// shared_preload_libraries: reserve and attach the shared memory; install the hooks.
void rc_preload(void);
// True once this backend is attached (preloaded); false without shared_preload_libraries.
bool rc_available(void);

// A key: the bytes that decide the result, and their hash.
struct rc_key {
  Oid fn;
  const char *data;
  uint32 len;
  uint64 hash;
};

// A result, and what it depended on.
struct rc_record {
  int ndeps;
  ct_dep deps[lengthof(ct_reads::rels) + 1];
  ct_witness witness;
  bool isnull;
  const char *value;
  uint32 value_len;
};

// The build of one key by this backend, from rc_claim to rc_publish / rc_abandon. Others that
// miss the same key wait for it on a heavyweight lock (so the deadlock detector sees them).
struct rc_build {
  int partition = -1;
  int32 entry = -1;
  uint32 tag = 0;
};

// Looks the key up for `reader`; on a valid entry copies the value (palloc) into *out and
// reports the entry's dependencies to open computations. Shared lock only.
bool rc_lookup(const rc_key &key, Snapshot reader, rc_record *out);

enum class rc_claim_result {
  hit,          // *out filled, as rc_lookup
  build,        // this backend computes and publishes; others wait
  compute,      // compute, and publish if nobody else did meanwhile (the builder could not)
  compute_only, // compute, publish nothing: a recursive call, or an entry valid but not for
                // this reader (too new for its snapshot, or a dependency it wrote)
};
rc_claim_result rc_claim(const rc_key &key, Snapshot reader, rc_record *out, rc_build *build);
// Stores the record (replacing the build's placeholder) and ends the build.
void rc_publish(rc_build *build, const rc_key &key, const rc_record &record);
// Ends the build without a result (not publishable, too large, or an error).
void rc_abandon(rc_build *build);

// Statistics: hits and misses are counted locally and added at transaction end.
void rc_count(Oid fn, bool hit);
struct rc_function_stats {
  Oid fn;
  int64 entries, bytes, hits, misses, invalidations, evictions;
};
// Every function of this database with statistics; palloc'd array.
int rc_stats(rc_function_stats **out);
// Removes the entries of `fn` (InvalidOid: of every function of this database).
int64 rc_flush(Oid fn);
