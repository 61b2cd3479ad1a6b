// result_cache/change_tracking.cpp — the change tracking behind the shared result cache (DESIGN
// §3).
//
// The invariant: a result computed on snapshot S is published only if S saw every committed
// change to every relation it read, and served to a reader R only if nothing it read changed
// since and R sees everything S saw. How:
//
// * Every relation written since the server started has a slot in shared memory with a version
//   and the xids of its recent writers. A writing transaction, at XACT_EVENT_PRE_COMMIT (or
//   PRE_PREPARE) — before its changes become visible to anyone — adds its xid to the slot of
//   every relation it wrote and gives the slot a new version. Versions come from one 64-bit
//   clock, so a slot never shows a version twice, even after it is reused for another relation.
// * "S is current for r": no xid in r's list is in S's in-progress set (XidInMVCCSnapshot), and
//   every xid up to r's overflow floor precedes S.xmin. A writer W of r either committed before
//   S was taken (then S sees it), or it is in S's in-progress set: it was running when S was
//   taken, and its xid is in the list or below the floor from its PRE_COMMIT on, which precedes
//   its visibility. Xids leave a list only (a) when they precede the global xmin horizon: then
//   every snapshot that exists or will exist sees them, or (b) into the floor when the list is
//   full. A relation whose slot was reused (too many relations) keeps its writers in the
//   global eviction floor, which a new slot starts from; if transactions can be prepared, the
//   first slots after a restart start from the next xid (prepared ones from before the restart
//   may commit later).
// * Publishing reads, per dependency under its spinlock, the version and the list, and checks S
//   current; the entry keeps the versions and the xids it saw (the witness). Serving checks the
//   versions (one atomic read each, no lock) and that R's snapshot sees the witness: any later
//   writer changed a version; any earlier one is in the witness or below a floor.
// * Writes are found by the executor (result relations, ON CONFLICT, MERGE, writable CTEs,
//   triggers and foreign-key actions, which run through the executor too), by utility statements
//   (TRUNCATE, COPY FROM, REFRESH MATERIALIZED VIEW, ALTER TABLE including ATTACH and DETACH
//   PARTITION, GRANT and REVOKE on tables) and by object access (ALTER and DROP of relations;
//   rules and policies count for their relation). A written relation counts with its partition
//   ancestors and all its inheritance descendants. Unattributable changes (DDL on functions,
//   other grants, role membership, TRUNCATE ... CASCADE, more than 128 relations) bump the
//   global slot, on which every entry depends. A rolled-back transaction bumps nothing; a
//   rolled-back subtransaction's writes still count (over-invalidating is allowed, serving stale
//   results is not).
#include "change_tracking.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/twophase.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "parser/parsetree.h"
#include "storage/lwlock.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/utility.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace {

constexpr int slot_xids = 8;
constexpr int nslots = 4096;

struct slot {
  slock_t mutex;
  bool used;
  Oid db, rel;
  pg_atomic_uint64 version;
  int nxids;
  TransactionId xids[slot_xids];
  TransactionId floor; // every xid up to it may have written (InvalidTransactionId: none)
};

struct slot_key {
  Oid db, rel;
};
struct map_entry {
  slot_key key;
  int32 slot;
};

struct shared_state {
  LWLock lock;            // the relation -> slot map; shared to look up, exclusive to add
  pg_atomic_uint64 clock; // source of every version
  uint64 epoch;           // this server start (memo views keep versions in a table)
  TransactionId evicted;  // the highest writer of a reused slot (under lock, exclusive)
  bool evicted_set;       // false until the first slot is made after startup
  int next_victim;        // round robin over slots when all are used
  slot slots[nslots];
};

shared_state *shared = nullptr;
HTAB *slot_map = nullptr;

// This transaction's writes (relids, with partition ancestors and inheritance descendants).
Oid written[128];
int nwritten = 0;
bool written_all = false;

// Open computations, innermost last, with the subtransaction each began in.
struct open_reads {
  ct_reads *reads;
  SubTransactionId subid;
};
open_reads computations[32];
int nopen = 0;

ExecutorStart_hook_type prev_executor_start = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;
object_access_hook_type prev_object_access = nullptr;

bool written_has(Oid rel) {
  for (int i = nwritten - 1; i >= 0; --i)
    if (written[i] == rel) return true;
  return false;
}

void written_add(Oid rel) {
  if (written_all || written_has(rel)) return;
  if (nwritten == static_cast<int>(lengthof(written))) {
    written_all = true;
    return;
  }
  written[nwritten++] = rel;
}

// The first reason a computation's result cannot be published is the one reported.
void mark_unpublishable(ct_reads *reads, const char *why) {
  if (reads->unpublishable) return;
  reads->unpublishable = true;
  reads->why = why;
}

void mark_open_unpublishable(const char *why) {
  for (int i = 0; i < nopen; ++i)
    mark_unpublishable(computations[i].reads, why);
}

void record_write(Oid rel) {
  if (!OidIsValid(rel)) return;
  for (int i = 0; i < nopen; ++i) // a memo build writes its own view: that is no read
    if (!computations[i].reads->allow_writes)
      mark_unpublishable(computations[i].reads, "the computation wrote a relation");
  if (written_all || written_has(rel)) return;
  written_add(rel);
  char kind = get_rel_relkind(rel);
  if (kind == '\0') return; // gone already
  if (get_rel_relispartition(rel)) {
    ListCell *lc;
    foreach (lc, get_partition_ancestors(rel))
      written_add(lfirst_oid(lc));
  }
  if (has_subclass(rel)) {
    ListCell *lc;
    foreach (lc, find_all_inheritors(rel, NoLock, nullptr))
      written_add(lfirst_oid(lc));
  }
}

bool same_snapshot(Snapshot a, Snapshot b) {
  if (a == b) return true;
  if (!a || !b || a->snapshot_type != b->snapshot_type || a->xmin != b->xmin ||
      a->xmax != b->xmax || a->xcnt != b->xcnt || a->subxcnt != b->subxcnt ||
      a->suboverflowed != b->suboverflowed)
    return false;
  return memcmp(a->xip, b->xip, sizeof(TransactionId) * a->xcnt) == 0 &&
         memcmp(a->subxip, b->subxip, sizeof(TransactionId) * a->subxcnt) == 0;
}

void note_reads(QueryDesc *qd) {
  for (int i = 0; i < nopen; ++i)
    if (!computations[i].reads->snapshot && qd->snapshot) {
      computations[i].reads->snapshot = RegisterSnapshot(qd->snapshot);
      computations[i].reads->registered = true;
    }
  for (int i = 0; i < nopen; ++i)
    if (!same_snapshot(qd->snapshot, computations[i].reads->snapshot))
      mark_unpublishable(computations[i].reads, "a query ran on another snapshot");
  ListCell *lc;
  foreach (lc, qd->plannedstmt->rtable) {
    auto *rte = static_cast<RangeTblEntry *>(lfirst(lc));
    if (rte->rtekind != RTE_RELATION) continue;
    if (rte->relkind == RELKIND_FOREIGN_TABLE)
      mark_open_unpublishable("it read a foreign table");
    else if (IsCatalogRelationOid(rte->relid))
      mark_open_unpublishable("it read a system catalog");
    else if (get_rel_persistence(rte->relid) == RELPERSISTENCE_TEMP)
      mark_open_unpublishable("it read a temporary table");
    for (int i = 0; i < nopen; ++i)
      ct_reads_add(computations[i].reads, rte->relid);
  }
}

void executor_start(QueryDesc *qd, int eflags) {
  if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY)) {
    PlannedStmt *ps = qd->plannedstmt;
    ListCell *lc;
    foreach (lc, ps->resultRelations)
      record_write(rt_fetch(lfirst_int(lc), ps->rtable)->relid);
    if (nopen > 0) note_reads(qd);
  }
  if (prev_executor_start)
    prev_executor_start(qd, eflags);
  else
    standard_ExecutorStart(qd, eflags);
}

Oid relid_of(RangeVar *rv) {
  return rv ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;
}

// Statements that change a relation's rows without the executor. Recorded before they run: if
// they fail, the transaction (or subtransaction) is rolled back and at most over-invalidates.
Oid partition_of_command(AlterTableStmt *stmt) {
  ListCell *lc;
  foreach (lc, stmt->cmds) {
    auto *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
    if (cmd->subtype == AT_AttachPartition || cmd->subtype == AT_DetachPartition ||
        cmd->subtype == AT_DetachPartitionFinalize)
      return relid_of(reinterpret_cast<PartitionCmd *>(cmd->def)->name);
  }
  return InvalidOid;
}

void process_utility(PlannedStmt *pstmt, const char *query, bool read_only_tree,
                     ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *env,
                     DestReceiver *dest, QueryCompletion *qc) {
  Node *stmt = pstmt->utilityStmt;
  Oid partition_changed = InvalidOid;
  switch (nodeTag(stmt)) {
  case T_TruncateStmt: {
    auto *t = reinterpret_cast<TruncateStmt *>(stmt);
    ListCell *lc;
    foreach (lc, t->relations)
      record_write(relid_of(static_cast<RangeVar *>(lfirst(lc))));
    if (t->behavior == DROP_CASCADE) written_all = true; // the cascade is not listed
    break;
  }
  case T_CopyStmt: {
    auto *c = reinterpret_cast<CopyStmt *>(stmt);
    if (c->is_from) record_write(relid_of(c->relation));
    break;
  }
  case T_RefreshMatViewStmt:
    record_write(relid_of(reinterpret_cast<RefreshMatViewStmt *>(stmt)->relation));
    break;
  case T_GrantStmt: {
    // Privileges decide whether a role may read at all (object access does not report them).
    auto *g = reinterpret_cast<GrantStmt *>(stmt);
    if (g->targtype == ACL_TARGET_OBJECT && g->objtype == OBJECT_TABLE) {
      ListCell *lc;
      foreach (lc, g->objects)
        record_write(relid_of(static_cast<RangeVar *>(lfirst(lc))));
    } else if (g->targtype != ACL_TARGET_DEFAULTS) {
      written_all = true; // all tables in a schema, functions, schemas, ...
    }
    break;
  }
  case T_GrantRoleStmt:
    written_all = true; // membership changes what every member may read
    break;
  case T_AlterTableStmt:
    // Any ALTER TABLE of the relation (object access does not report ATTACH and DETACH
    // PARTITION on the parent), and the partition attached or detached.
    record_write(relid_of(reinterpret_cast<AlterTableStmt *>(stmt)->relation));
    partition_changed = partition_of_command(reinterpret_cast<AlterTableStmt *>(stmt));
    record_write(partition_changed);
    break;
  default:
    break;
  }
  if (prev_process_utility)
    prev_process_utility(pstmt, query, read_only_tree, context, params, env, dest, qc);
  else
    standard_ProcessUtility(pstmt, query, read_only_tree, context, params, env, dest, qc);
  // DETACH PARTITION CONCURRENTLY commits and finishes in a second transaction: that one
  // changes the parent too.
  if (OidIsValid(partition_changed) && IsTransactionState()) {
    record_write(partition_changed);
    record_write(relid_of(reinterpret_cast<AlterTableStmt *>(stmt)->relation));
  }
}

// The relation of a rule or policy (its new row included: SnapshotSelf).
Oid relation_of(Oid class_id, Oid object_id) {
  bool rule = class_id == RewriteRelationId;
  Relation catalog = table_open(class_id, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, rule ? Anum_pg_rewrite_oid : Anum_pg_policy_oid, BTEqualStrategyNumber, F_OIDEQ,
              ObjectIdGetDatum(object_id));
  SysScanDesc scan = systable_beginscan(catalog, rule ? RewriteOidIndexId : PolicyOidIndexId, true,
                                        SnapshotSelf, 1, &key);
  HeapTuple tuple = systable_getnext(scan);
  Oid rel = InvalidOid;
  if (HeapTupleIsValid(tuple))
    rel = rule ? reinterpret_cast<Form_pg_rewrite>(GETSTRUCT(tuple))->ev_class
               : reinterpret_cast<Form_pg_policy>(GETSTRUCT(tuple))->polrelid;
  systable_endscan(scan);
  table_close(catalog, AccessShareLock);
  if (!OidIsValid(rel)) written_all = true; // not found: count it as anything
  return rel;
}

void object_access(ObjectAccessType access, Oid class_id, Oid object_id, int sub_id, void *arg) {
  if (prev_object_access) prev_object_access(access, class_id, object_id, sub_id, arg);
  if (access != OAT_POST_CREATE && access != OAT_POST_ALTER && access != OAT_DROP) return;
  if (class_id == RelationRelationId) {
    if (access != OAT_POST_CREATE) record_write(object_id); // a new relation has no readers
  } else if (class_id == RewriteRelationId || class_id == PolicyRelationId) {
    // A view's query, a rule or a row-level policy: a change of what its relation returns.
    record_write(relation_of(class_id, object_id));
  } else if (class_id == ProcedureRelationId) {
    // A function any computation may call: unattributable.
    written_all = true;
    mark_open_unpublishable("a function changed");
  }
}

// Writers since the server started are all tracked (they make slots), except transactions
// prepared before a restart, which may still commit: with prepared transactions possible, the
// first slots start from the next xid. Later slots start from the highest evicted writer.
TransactionId initial_floor(void) {
  if (!shared->evicted_set) {
    TransactionId next = ReadNextTransactionId();
    TransactionIdRetreat(next);
    shared->evicted = max_prepared_xacts > 0 ? next : InvalidTransactionId;
    shared->evicted_set = true;
  }
  return shared->evicted;
}

TransactionId later_of(TransactionId a, TransactionId b) {
  if (!TransactionIdIsValid(a)) return b;
  if (!TransactionIdIsValid(b)) return a;
  return TransactionIdFollows(a, b) ? a : b;
}

// Under the exclusive map lock.
int32 make_slot(const slot_key &key) {
  int found = -1;
  for (int i = 1; i < nslots && found < 0; ++i)
    if (!shared->slots[i].used) found = i;
  TransactionId floor = initial_floor();
  if (found < 0) { // reuse one: its writers join the eviction floor
    shared->next_victim = shared->next_victim % (nslots - 1) + 1;
    found = shared->next_victim;
    slot &victim = shared->slots[found];
    TransactionId highest = victim.floor;
    for (int i = 0; i < victim.nxids; ++i)
      highest = later_of(highest, victim.xids[i]);
    shared->evicted = floor = later_of(shared->evicted, highest);
    slot_key old{victim.db, victim.rel};
    hash_search(slot_map, &old, HASH_REMOVE, nullptr);
  }
  slot &s = shared->slots[found];
  SpinLockAcquire(&s.mutex);
  s.used = true;
  s.db = key.db;
  s.rel = key.rel;
  s.nxids = 0;
  s.floor = floor;
  pg_atomic_write_u64(&s.version, pg_atomic_add_fetch_u64(&shared->clock, 1));
  SpinLockRelease(&s.mutex);
  bool dummy;
  auto *e = static_cast<map_entry *>(hash_search(slot_map, &key, HASH_ENTER, &dummy));
  e->slot = found;
  return found;
}

// Slots of `rels` (creating missing ones), with the map lock held on return (shared if nothing
// was missing, else exclusive).
void find_slots(const Oid *rels, int n, int32 *slots) {
  LWLockAcquire(&shared->lock, LW_SHARED);
  bool missing = false;
  for (int i = 0; i < n; ++i) {
    slot_key key{MyDatabaseId, rels[i]};
    auto *e = static_cast<map_entry *>(hash_search(slot_map, &key, HASH_FIND, nullptr));
    slots[i] = e ? e->slot : -1;
    missing = missing || !e;
  }
  if (!missing) return;
  LWLockRelease(&shared->lock);
  LWLockAcquire(&shared->lock, LW_EXCLUSIVE);
  // Until no slot is made: a slot made for one relation may reuse the one found for another.
  for (bool made = true; made;) {
    made = false;
    for (int i = 0; i < n; ++i) {
      slot_key key{MyDatabaseId, rels[i]};
      auto *e = static_cast<map_entry *>(hash_search(slot_map, &key, HASH_FIND, nullptr));
      if (e) {
        slots[i] = e->slot;
      } else {
        slots[i] = make_slot(key);
        made = true;
      }
    }
  }
}

void bump(slot &s, TransactionId xid, TransactionId horizon) {
  SpinLockAcquire(&s.mutex);
  if (TransactionIdIsValid(horizon)) {
    int kept = 0;
    for (int i = 0; i < s.nxids; ++i)
      if (!TransactionIdPrecedes(s.xids[i], horizon)) s.xids[kept++] = s.xids[i];
    s.nxids = kept;
    if (TransactionIdIsValid(s.floor) && TransactionIdPrecedes(s.floor, horizon))
      s.floor = InvalidTransactionId;
  }
  bool listed = false;
  for (int i = 0; i < s.nxids; ++i)
    listed = listed || s.xids[i] == xid;
  if (!listed) {
    if (s.nxids == slot_xids) { // the oldest moves into the floor
      int oldest = 0;
      for (int i = 1; i < s.nxids; ++i)
        if (TransactionIdPrecedes(s.xids[i], s.xids[oldest])) oldest = i;
      s.floor = later_of(s.floor, s.xids[oldest]);
      s.xids[oldest] = s.xids[--s.nxids];
    }
    s.xids[s.nxids++] = xid;
  }
  pg_atomic_write_u64(&s.version, pg_atomic_add_fetch_u64(&shared->clock, 1));
  SpinLockRelease(&s.mutex);
}

// XACT_EVENT_PRE_COMMIT / PRE_PREPARE: before this transaction's changes become visible.
void publish_writes(void) {
  if (nwritten == 0 && !written_all) return;
  TransactionId xid = GetTopTransactionIdIfAny();
  if (!TransactionIdIsValid(xid)) return; // it changed nothing after all
  int32 slots[lengthof(written)];
  find_slots(written, nwritten, slots); // writers make slots: their lists are then complete
  TransactionId horizon = InvalidTransactionId;
  bool full = shared->slots[ct_global_slot].nxids >= slot_xids - 1;
  for (int i = 0; i < nwritten; ++i)
    full = full || shared->slots[slots[i]].nxids >= slot_xids - 1; // a hint, read unlocked
  if (full) horizon = GetOldestNonRemovableTransactionId(nullptr);
  if (written_all) bump(shared->slots[ct_global_slot], xid, horizon);
  for (int i = 0; i < nwritten; ++i)
    bump(shared->slots[slots[i]], xid, horizon);
  if (TransactionIdIsValid(horizon) && LWLockHeldByMeInMode(&shared->lock, LW_EXCLUSIVE) &&
      shared->evicted_set && TransactionIdPrecedes(shared->evicted, horizon))
    shared->evicted = InvalidTransactionId;
  LWLockRelease(&shared->lock);
}

void forget_writes(void) {
  nwritten = 0;
  written_all = false;
}

void xact_callback(XactEvent event, void *) noexcept {
  switch (event) {
  case XACT_EVENT_PRE_COMMIT:
  case XACT_EVENT_PRE_PREPARE:
    publish_writes();
    break;
  case XACT_EVENT_COMMIT:
  case XACT_EVENT_ABORT:
  case XACT_EVENT_PREPARE:
  case XACT_EVENT_PARALLEL_COMMIT:
  case XACT_EVENT_PARALLEL_ABORT:
    forget_writes();
    nopen = 0;
    break;
  default:
    break;
  }
}

void subxact_callback(SubXactEvent event, SubTransactionId sub, SubTransactionId, void *) noexcept {
  if (event != SUBXACT_EVENT_ABORT_SUB) return;
  while (nopen > 0 && computations[nopen - 1].subid >= sub)
    --nopen; // computations unwound by the error
}

bool current_for(const slot &copy, Snapshot s, ct_witness *w) {
  if (TransactionIdIsValid(copy.floor) && !TransactionIdPrecedes(copy.floor, s->xmin)) return false;
  w->floor = later_of(w->floor, copy.floor);
  for (int i = 0; i < copy.nxids; ++i) {
    TransactionId xid = copy.xids[i];
    if (XidInMVCCSnapshot(xid, s)) return false;
    if (TransactionIdPrecedes(xid, s->xmin)) { // finished before S: the floor covers it
      w->floor = later_of(w->floor, xid);
      continue;
    }
    bool listed = false;
    for (int k = 0; k < w->n; ++k)
      listed = listed || w->xids[k] == xid;
    if (listed) continue;
    if (w->n < ct_max_witnesses)
      w->xids[w->n++] = xid;
    else
      w->floor = later_of(w->floor, xid);
  }
  return true;
}

} // namespace

Size ct_shmem_size(void) {
  return add_size(MAXALIGN(sizeof(shared_state)), hash_estimate_size(nslots, sizeof(map_entry)));
}

void ct_shmem_init(void) {
  bool found;
  shared = static_cast<shared_state *>(
      ShmemInitStruct("plcpp change tracking", sizeof(shared_state), &found));
  if (!found) {
    LWLockInitialize(&shared->lock, LWLockNewTrancheId());
    pg_atomic_init_u64(&shared->clock, 1);
    shared->epoch = static_cast<uint64>(GetCurrentTimestamp());
    shared->evicted = InvalidTransactionId;
    shared->evicted_set = false;
    shared->next_victim = 0;
    for (int i = 0; i < nslots; ++i) {
      SpinLockInit(&shared->slots[i].mutex);
      shared->slots[i].used = i == ct_global_slot;
      shared->slots[i].db = shared->slots[i].rel = InvalidOid;
      shared->slots[i].nxids = 0;
      shared->slots[i].floor = InvalidTransactionId;
      pg_atomic_init_u64(&shared->slots[i].version, 1);
    }
  }
  LWLockRegisterTranche(shared->lock.tranche, "plcpp_change_tracking");
  HASHCTL info;
  info.keysize = sizeof(slot_key);
  info.entrysize = sizeof(map_entry);
  slot_map =
      ShmemInitHash("plcpp change tracking map", nslots, nslots, &info, HASH_ELEM | HASH_BLOBS);
}

void ct_install_hooks(void) {
  prev_executor_start = ExecutorStart_hook;
  ExecutorStart_hook = executor_start;
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = process_utility;
  prev_object_access = object_access_hook;
  object_access_hook = object_access;
  RegisterXactCallback(xact_callback, nullptr);
  RegisterSubXactCallback(subxact_callback, nullptr);
}

void ct_reads_push(ct_reads *reads) {
  if (nopen == static_cast<int>(lengthof(computations)))
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("result-cached PL/C++ functions are nested too deeply")));
  computations[nopen].reads = reads;
  computations[nopen].subid = GetCurrentSubTransactionId();
  ++nopen;
}

void ct_reads_pop(ct_reads *reads) {
  if (nopen > 0 && computations[nopen - 1].reads == reads) --nopen;
}

void ct_reads_add(ct_reads *reads, Oid rel) {
  for (int i = 0; i < reads->n; ++i)
    if (reads->rels[i] == rel) return;
  if (reads->n == static_cast<int>(lengthof(reads->rels))) {
    mark_unpublishable(reads, "it read more than 64 relations");
    return;
  }
  reads->rels[reads->n++] = rel;
}

void ct_reads_add_to_open(const ct_dep *deps, int n) {
  for (int i = 0; i < nopen; ++i)
    for (int k = 0; k < n; ++k)
      if (deps[k].slot != ct_global_slot) ct_reads_add(computations[i].reads, deps[k].rel);
}

bool ct_capture(const Oid *rels, int n, Snapshot snapshot, ct_dep *deps, ct_witness *witness) {
  int32 slots[lengthof(ct_reads::rels)];
  Assert(n <= static_cast<int>(lengthof(slots)));
  find_slots(rels, n, slots);
  witness->n = 0;
  witness->floor = InvalidTransactionId;
  bool current = true;
  for (int i = -1; i < n && current; ++i) {
    int32 index = i < 0 ? ct_global_slot : slots[i];
    slot &s = shared->slots[index];
    slot copy;
    SpinLockAcquire(&s.mutex);
    copy.nxids = s.nxids;
    memcpy(copy.xids, s.xids, sizeof copy.xids);
    copy.floor = s.floor;
    uint64 version = pg_atomic_read_u64(&s.version);
    SpinLockRelease(&s.mutex);
    deps[i + 1] = ct_dep{index, i < 0 ? InvalidOid : rels[i], version};
    current = current_for(copy, snapshot, witness);
  }
  LWLockRelease(&shared->lock);
  return current;
}

bool ct_versions_unchanged(const ct_dep *deps, int n) {
  for (int i = 0; i < n; ++i)
    if (pg_atomic_read_u64(&shared->slots[deps[i].slot].version) != deps[i].version) return false;
  return true;
}

bool ct_still_valid(const ct_dep *deps, int n, const ct_witness *w, Snapshot snapshot) {
  if (!ct_versions_unchanged(deps, n)) return false;
  if (TransactionIdIsValid(w->floor) && !TransactionIdPrecedes(w->floor, snapshot->xmin))
    return false;
  for (int i = 0; i < w->n; ++i)
    if (XidInMVCCSnapshot(w->xids[i], snapshot)) return false;
  return true;
}

bool ct_wrote_any(const ct_dep *deps, int n) {
  if (written_all) return true;
  if (nwritten == 0) return false;
  for (int i = 0; i < n; ++i)
    if (deps[i].slot != ct_global_slot && written_has(deps[i].rel)) return true;
  return false;
}

bool ct_wrote_any_rel(const Oid *rels, int n) {
  if (written_all) return true;
  for (int i = 0; i < n && nwritten > 0; ++i)
    if (written_has(rels[i])) return true;
  return false;
}

char *ct_sources(ct_reads *reads, Oid except) {
  Oid rels[lengthof(ct_reads::rels)];
  int n = 0;
  for (int i = 0; i < reads->n; ++i)
    if (reads->rels[i] != except) rels[n++] = reads->rels[i];
  ct_dep deps[lengthof(ct_reads::rels) + 1];
  ct_witness witness;
  bool current = !reads->unpublishable && reads->snapshot &&
                 ct_capture(rels, n, reads->snapshot, deps, &witness);
  if (reads->registered) UnregisterSnapshot(reads->snapshot);
  reads->registered = false;
  reads->snapshot = nullptr;
  if (!current) return pstrdup(""); // never unchanged: rebuilt on the next call
  StringInfoData buf;
  initStringInfo(&buf);
  appendStringInfo(&buf, UINT64_FORMAT ":", shared->epoch);
  for (int i = 0; i <= n; ++i)
    appendStringInfo(&buf, "%s%u=" UINT64_FORMAT, i ? "," : "", deps[i].rel, deps[i].version);
  return buf.data;
}

namespace {
// Parses "<epoch>:<rel>=<version>,..." (the first is the global slot, rel 0); -1 if malformed.
int parse_sources(const char *sources, uint64 *epoch, Oid *rels, uint64 *versions, int max) {
  char *end;
  *epoch = strtoull(sources, &end, 10);
  if (*end != ':') return -1;
  int n = 0;
  const char *p = end + 1;
  while (*p) {
    if (n == max) return -1;
    unsigned long rel = strtoul(p, &end, 10);
    if (*end != '=') return -1;
    versions[n] = strtoull(end + 1, &end, 10);
    rels[n++] = static_cast<Oid>(rel);
    if (*end == ',')
      ++end;
    else if (*end)
      return -1;
    p = end;
  }
  return n;
}
} // namespace

bool ct_sources_unchanged(const char *sources) {
  Oid rels[lengthof(ct_reads::rels) + 1];
  uint64 versions[lengthof(rels)];
  uint64 epoch;
  int n = parse_sources(sources, &epoch, rels, versions, lengthof(rels));
  if (n < 1 || epoch != shared->epoch || rels[0] != InvalidOid) return false;
  if (pg_atomic_read_u64(&shared->slots[ct_global_slot].version) != versions[0]) return false;
  int32 slots[lengthof(rels)];
  find_slots(rels + 1, n - 1, slots);
  bool unchanged = true;
  for (int i = 1; i < n && unchanged; ++i)
    unchanged = pg_atomic_read_u64(&shared->slots[slots[i - 1]].version) == versions[i];
  LWLockRelease(&shared->lock);
  return unchanged;
}

int ct_sources_relations(const char *sources, Oid **out) {
  Oid rels[lengthof(ct_reads::rels) + 1];
  uint64 versions[lengthof(rels)];
  uint64 epoch;
  int n = parse_sources(sources, &epoch, rels, versions, lengthof(rels));
  *out = static_cast<Oid *>(palloc(sizeof(Oid) * (n > 1 ? n - 1 : 1)));
  for (int i = 1; i < n; ++i)
    (*out)[i - 1] = rels[i];
  return n > 1 ? n - 1 : 0;
}
