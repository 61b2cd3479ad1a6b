// result_cache/change_tracking.h — which relations changed, and which snapshots can see the change,
// for the shared result cache (DESIGN §3). Shared memory, so only with
// shared_preload_libraries = 'plcpp'; plain C over PostgreSQL (may ereport), no C++ library.
#pragma once

#include "../runtime/pg.h"

extern "C" {
#include "utils/snapshot.h"
}

// One tracked relation ("slot"): its version and the recent transactions that wrote it.
// Slot 0 stands for "anything": DDL on functions, rules and policies, TRUNCATE ... CASCADE,
// and transactions that wrote too many relations to list bump it; every entry depends on it.
constexpr int ct_global_slot = 0;

// What a published entry remembers of one dependency.
struct ct_dep {
  int32 slot;
  Oid rel;
  uint64 version;
};

// The xids whose commits a reader's snapshot must see before an entry may be served to it:
// every writer listed for a dependency when the entry was published, and a floor (every xid up
// to it must be finished for the reader).
constexpr int ct_max_witnesses = 16;
struct ct_witness {
  int n;
  TransactionId xids[ct_max_witnesses];
  TransactionId floor; // InvalidTransactionId: none
};

Size ct_shmem_size(void);
void ct_shmem_init(void); // under AddinShmemInitLock
// Executor, utility and object-access hooks and the transaction callbacks (preload only).
void ct_install_hooks(void);

// Read tracking: while a result-cache computation runs, every plan executed reports the
// relations it reads to each open computation (nested ones included).
struct ct_reads {
  int n;
  Oid rels[64];
  bool unpublishable; // a foreign, temporary or catalog relation, another snapshot, a write
  const char *why;    // for DEBUG1
  Snapshot snapshot;  // the computation's snapshot S
  bool registered;    // snapshot registered by note_reads (memo builds)
  bool allow_writes;  // memo builds write their own view
};
void ct_reads_push(ct_reads *reads);
void ct_reads_pop(ct_reads *reads);
void ct_reads_add(ct_reads *reads, Oid rel);
// A nested result-cache hit read these relations without running a plan.
void ct_reads_add_to_open(const ct_dep *deps, int n);

// Memo views (invalidate = "on_change"): the versions of what a build read, as text kept in
// the registry ("<epoch>:<relid>=<version>,..."; the epoch changes at every server start,
// so a view built before a restart counts as changed), and whether they still hold.
// reads->snapshot is taken from the first plan if nullptr (and registered until ct_sources).
char *ct_sources(ct_reads *reads, Oid except);
bool ct_sources_unchanged(const char *sources);
// The relations listed in sources (palloc'd), for "this transaction wrote one of them".
int ct_sources_relations(const char *sources, Oid **rels);

// Publishing: true if `snapshot` is current for every relation (and the global slot), filling
// deps[0..n] (deps[0] is the global slot) with the versions read, and the witness.
bool ct_capture(const Oid *rels, int n, Snapshot snapshot, ct_dep *deps, ct_witness *witness);
// Nothing any dependency changed since the versions were read.
bool ct_versions_unchanged(const ct_dep *deps, int n);
// Serving: every version unchanged and the reader's snapshot sees every witness.
bool ct_still_valid(const ct_dep *deps, int n, const ct_witness *witness, Snapshot snapshot);
// This transaction wrote one of the relations (or something unlisted): neither read nor publish.
bool ct_wrote_any(const ct_dep *deps, int n);
bool ct_wrote_any_rel(const Oid *rels, int n);
