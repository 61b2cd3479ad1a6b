// result_cache/result_cache.cpp — the store of the shared result cache (DESIGN §3).
//
// Shared memory holds 32 partitions; a key's hash picks one. Each partition has its own LWLock,
// a hash table of entries, and a pool of 256-byte blocks holding each entry's record (its
// dependencies, witness, key and value). A hit takes its partition's lock shared, compares the
// key, checks the dependencies (atomic reads) and copies the value: hits on different keys
// share no lock, hits on one key only a shared one. Eviction is CLOCK (an approximation of LRU,
// as in PostgreSQL's buffer manager): a hit sets the entry's usage count, the clock hand
// decrements it, and evicts an entry at zero.
//
// Concurrent misses on one key: the first inserts a placeholder ("building") holding the key and
// a tag, under a session-level advisory lock on (database, its pid, tag); the others find the
// placeholder, wait on that lock in share mode — a heavyweight lock, so cancel, timeouts and
// the deadlock detector apply — and look again. A builder that fails removes its placeholder
// (at once, or in the abort callbacks); one that died leaves a placeholder whose lock is free,
// which the next waiter takes over.
#include <algorithm>

#include "result_cache.h"

extern "C" {
#include "access/xact.h"
#include "common/hashfn.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

int plcpp_result_cache_mode = rc_on;
int plcpp_result_cache_size_kb = 65536;
int plcpp_result_cache_max_result = 65536;

namespace {

constexpr int npartitions = 32;
constexpr int block_size = 256;
constexpr int nfunctions = 1024;       // functions with statistics
constexpr uint16 lock_field4 = 0x5243; // "RC": tells plcpp's advisory locks from users'

struct block {
  int32 next;
  char data[block_size - sizeof(int32)];
};
constexpr int block_payload = sizeof(block::data);

enum : uint8 { entry_free, entry_building, entry_ready };

struct entry {
  int32 next; // bucket chain, or the free list
  uint8 state;
  bool isnull;
  uint16 ndeps, nwitness;
  pg_atomic_uint32 usage;
  uint64 hash;
  Oid db, fn;
  int builder_pid;
  uint32 builder_tag;
  uint32 key_len, value_len, bytes; // bytes: the whole record
  TransactionId floor;
  int32 first_block;
};

struct partition {
  LWLock lock;
  int32 free_entry, free_block, nfree_blocks;
  uint32 hand;
};

struct function_stats {
  Oid db, fn; // fn InvalidOid: unused
  pg_atomic_uint64 hits, misses, invalidations, evictions;
};

struct shared_header {
  int nentries, nblocks, nbuckets; // per partition
  Size partition_stride;
  LWLock stats_lock;
  pg_atomic_uint32 next_tag;
  function_stats stats[nfunctions];
};

shared_header *header = nullptr;
char *partitions_base = nullptr;
shmem_request_hook_type prev_shmem_request = nullptr;
shmem_startup_hook_type prev_shmem_startup = nullptr;

struct geometry {
  int nentries, nblocks, nbuckets;
  Size stride;
};

geometry geometry_for(int size_kb) {
  Size per_partition = static_cast<Size>(size_kb) * 1024 / npartitions;
  geometry g;
  g.nblocks = static_cast<int>(per_partition * 4 / 5 / sizeof(block));
  g.nentries = std::max(16, g.nblocks / 2);
  g.nbuckets = 16;
  while (g.nbuckets < g.nentries)
    g.nbuckets *= 2;
  g.stride = MAXALIGN(sizeof(partition)) + MAXALIGN(sizeof(int32) * g.nbuckets) +
             MAXALIGN(sizeof(entry) * g.nentries) + MAXALIGN(sizeof(block) * g.nblocks);
  return g;
}

partition *part(int i) {
  return reinterpret_cast<partition *>(partitions_base + header->partition_stride * i);
}
int32 *buckets(partition *p) {
  return reinterpret_cast<int32 *>(reinterpret_cast<char *>(p) + MAXALIGN(sizeof(partition)));
}
entry *entries(partition *p) {
  return reinterpret_cast<entry *>(reinterpret_cast<char *>(buckets(p)) +
                                   MAXALIGN(sizeof(int32) * header->nbuckets));
}
block *blocks(partition *p) {
  return reinterpret_cast<block *>(reinterpret_cast<char *>(entries(p)) +
                                   MAXALIGN(sizeof(entry) * header->nentries));
}
int partition_of(uint64 hash) {
  return static_cast<int>(hash % npartitions);
}
int32 &bucket_of(partition *p, uint64 hash) {
  return buckets(p)[(hash >> 8) & static_cast<uint64>(header->nbuckets - 1)];
}

void request_shmem(void) {
  if (prev_shmem_request) prev_shmem_request();
  geometry g = geometry_for(plcpp_result_cache_size_kb);
  Size size = add_size(MAXALIGN(sizeof(shared_header)), mul_size(g.stride, npartitions));
  RequestAddinShmemSpace(add_size(size, ct_shmem_size()));
}

void init_partition(partition *p) {
  LWLockInitialize(&p->lock, header->stats_lock.tranche);
  p->hand = 0;
  for (int i = 0; i < header->nbuckets; ++i)
    buckets(p)[i] = -1;
  entry *e = entries(p);
  for (int i = 0; i < header->nentries; ++i) {
    e[i].state = entry_free;
    e[i].next = i + 1 < header->nentries ? i + 1 : -1;
    pg_atomic_init_u32(&e[i].usage, 0);
  }
  p->free_entry = 0;
  block *b = blocks(p);
  for (int i = 0; i < header->nblocks; ++i)
    b[i].next = i + 1 < header->nblocks ? i + 1 : -1;
  p->free_block = header->nblocks > 0 ? 0 : -1;
  p->nfree_blocks = header->nblocks;
}

void startup_shmem(void) {
  if (prev_shmem_startup) prev_shmem_startup();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  geometry g = geometry_for(plcpp_result_cache_size_kb);
  bool found;
  Size size = add_size(MAXALIGN(sizeof(shared_header)), mul_size(g.stride, npartitions));
  auto *base = static_cast<char *>(ShmemInitStruct("plcpp result cache", size, &found));
  header = reinterpret_cast<shared_header *>(base);
  partitions_base = base + MAXALIGN(sizeof(shared_header));
  if (!found) {
    header->nentries = g.nentries;
    header->nblocks = g.nblocks;
    header->nbuckets = g.nbuckets;
    header->partition_stride = g.stride;
    LWLockInitialize(&header->stats_lock, LWLockNewTrancheId());
    pg_atomic_init_u32(&header->next_tag, 1);
    for (auto &s : header->stats) {
      s.db = s.fn = InvalidOid;
      pg_atomic_init_u64(&s.hits, 0);
      pg_atomic_init_u64(&s.misses, 0);
      pg_atomic_init_u64(&s.invalidations, 0);
      pg_atomic_init_u64(&s.evictions, 0);
    }
    for (int i = 0; i < npartitions; ++i)
      init_partition(part(i));
  }
  LWLockRegisterTranche(header->stats_lock.tranche, "plcpp_result_cache");
  ct_shmem_init();
  LWLockRelease(AddinShmemInitLock);
}

// --- statistics ---------------------------------------------------------------------------

// The statistics slot of (this database, fn), made if `make`; nullptr if none (or full).
// Slots are never freed and their key is written before it is published (fn last, after a
// barrier), so looking one up takes no lock; only making one takes the exclusive lock.
function_stats *stats_of(Oid fn, bool make) {
  uint32 start = hash_bytes_uint32(fn ^ (MyDatabaseId * 0x9e3779b1u)) % nfunctions;
  for (int i = 0; i < nfunctions; ++i) {
    function_stats &s = header->stats[(start + i) % nfunctions];
    Oid slot_fn = s.fn;
    pg_read_barrier();
    if (slot_fn == fn && s.db == MyDatabaseId) return &s;
    if (!OidIsValid(slot_fn)) break;
  }
  if (!make) return nullptr;
  function_stats *found = nullptr;
  LWLockAcquire(&header->stats_lock, LW_EXCLUSIVE);
  for (int i = 0; i < nfunctions; ++i) {
    function_stats &s = header->stats[(start + i) % nfunctions];
    if (s.fn == fn && s.db == MyDatabaseId) {
      found = &s;
      break;
    }
    if (!OidIsValid(s.fn)) {
      s.db = MyDatabaseId;
      pg_write_barrier();
      s.fn = fn;
      found = &s;
      break;
    }
  }
  LWLockRelease(&header->stats_lock);
  return found;
}

void count_shared(Oid fn, pg_atomic_uint64 function_stats::*counter) {
  if (function_stats *s = stats_of(fn, true)) pg_atomic_fetch_add_u64(&(s->*counter), 1);
}

struct local_count {
  Oid fn;
  uint64 hits, misses;
};
local_count local_counts[16];
int nlocal_counts = 0;

void flush_counts(void) {
  for (int i = 0; i < nlocal_counts; ++i) {
    function_stats *s = stats_of(local_counts[i].fn, true);
    if (!s) continue;
    if (local_counts[i].hits) pg_atomic_fetch_add_u64(&s->hits, local_counts[i].hits);
    if (local_counts[i].misses) pg_atomic_fetch_add_u64(&s->misses, local_counts[i].misses);
  }
  nlocal_counts = 0;
}

// --- entries -----------------------------------------------------------------------------

void copy_out(partition *p, const entry &e, char *out) {
  uint32 left = e.bytes;
  for (int32 b = e.first_block; left > 0; b = blocks(p)[b].next) {
    uint32 n = std::min(left, static_cast<uint32>(block_payload));
    memcpy(out, blocks(p)[b].data, n);
    out += n;
    left -= n;
  }
}

// Record layout: deps, witness xids, key, value.
Size record_prefix(int ndeps, int nwitness) {
  return sizeof(ct_dep) * ndeps + sizeof(TransactionId) * nwitness;
}

void unlink_entry(partition *p, int32 index) {
  entry *es = entries(p);
  int32 *link = &bucket_of(p, es[index].hash);
  while (*link != index)
    link = &es[*link].next;
  *link = es[index].next;
}

void free_blocks(partition *p, entry &e) {
  int32 b = e.first_block;
  while (b >= 0) {
    int32 next = blocks(p)[b].next;
    blocks(p)[b].next = p->free_block;
    p->free_block = b;
    ++p->nfree_blocks;
    b = next;
  }
  e.first_block = -1;
  e.bytes = 0;
}

// Under the exclusive lock.
void remove_entry(partition *p, int32 index) {
  entry &e = entries(p)[index];
  unlink_entry(p, index);
  free_blocks(p, e);
  e.state = entry_free;
  e.next = p->free_entry;
  p->free_entry = index;
}

// CLOCK: evicts ready entries until `blocks_needed` blocks and an entry are free.
bool make_room(partition *p, int blocks_needed, bool need_entry) {
  entry *es = entries(p);
  for (int steps = 0; steps < 4 * header->nentries; ++steps) {
    if (p->nfree_blocks >= blocks_needed && (!need_entry || p->free_entry >= 0)) return true;
    int32 i = static_cast<int32>(p->hand++ % header->nentries);
    if (es[i].state != entry_ready) continue;
    uint32 usage = pg_atomic_read_u32(&es[i].usage);
    if (usage > 0) {
      pg_atomic_write_u32(&es[i].usage, usage - 1);
      continue;
    }
    Oid fn = es[i].fn;
    remove_entry(p, i);
    count_shared(fn, &function_stats::evictions);
  }
  return p->nfree_blocks >= blocks_needed && (!need_entry || p->free_entry >= 0);
}

// Writes `bytes` of data into newly allocated blocks of entry e (room made already).
void store(partition *p, entry &e, const char *data, uint32 bytes) {
  e.first_block = -1;
  e.bytes = bytes;
  int32 *link = &e.first_block;
  while (bytes > 0) {
    int32 b = p->free_block;
    p->free_block = blocks(p)[b].next;
    --p->nfree_blocks;
    uint32 n = std::min(bytes, static_cast<uint32>(block_payload));
    memcpy(blocks(p)[b].data, data, n);
    data += n;
    bytes -= n;
    *link = b;
    link = &blocks(p)[b].next;
  }
  *link = -1;
}

int blocks_for(uint32 bytes) {
  return static_cast<int>((bytes + block_payload - 1) / block_payload);
}

// A record copied out of the blocks (grows; TopMemoryContext).
char *scratch = nullptr;
Size scratch_size = 0;

char *scratch_for(Size bytes) {
  if (bytes > scratch_size) {
    Size size = std::max(bytes, std::max(scratch_size * 2, static_cast<Size>(1024)));
    char *grown = static_cast<char *>(MemoryContextAlloc(TopMemoryContext, size));
    if (scratch) pfree(scratch);
    scratch = grown;
    scratch_size = size;
  }
  return scratch;
}

// The entry for key in p (any state), or -1; its record is then in `scratch`. The key is
// compared byte for byte.
int32 find(partition *p, const rc_key &key) {
  entry *es = entries(p);
  for (int32 i = bucket_of(p, key.hash); i >= 0; i = es[i].next) {
    entry &e = es[i];
    if (e.hash != key.hash || e.fn != key.fn || e.db != MyDatabaseId || e.key_len != key.len)
      continue;
    copy_out(p, e, scratch_for(e.bytes));
    if (memcmp(scratch + record_prefix(e.ndeps, e.nwitness), key.data, key.len) == 0) return i;
  }
  return -1;
}

// A ready entry's record into `out` if still valid for `reader`; the value is palloc'd.
bool serve(partition *p, const entry &e, const char *record, Snapshot reader, rc_record *out) {
  out->ndeps = e.ndeps;
  memcpy(out->deps, record, sizeof(ct_dep) * e.ndeps);
  out->witness.n = e.nwitness;
  memcpy(out->witness.xids, record + sizeof(ct_dep) * e.ndeps, sizeof(TransactionId) * e.nwitness);
  out->witness.floor = e.floor;
  if (!ct_still_valid(out->deps, out->ndeps, &out->witness, reader)) return false;
  if (ct_wrote_any(out->deps, out->ndeps)) return false;
  out->isnull = e.isnull;
  out->value_len = e.value_len;
  char *value = static_cast<char *>(palloc(std::max(e.value_len, 1u)));
  memcpy(value, record + record_prefix(e.ndeps, e.nwitness) + e.key_len, e.value_len);
  out->value = value;
  return true;
}

// Builds started by this backend and not yet ended, for the abort callbacks.
struct open_build {
  rc_build *build; // identity only: after an error its frame is gone
  int partition;
  int32 entry;
  uint32 tag;
  LOCKTAG lock;
  SubTransactionId subid;
};
open_build builds[32];
int nbuilds = 0;

void set_tag(LOCKTAG *tag, int pid, uint32 build_tag) {
  SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, static_cast<uint32>(pid), build_tag, lock_field4);
}

// Removes this backend's placeholder, unless a flush took it already.
void remove_placeholder(int pi, int32 index, uint32 tag) {
  partition *p = part(pi);
  LWLockAcquire(&p->lock, LW_EXCLUSIVE);
  entry &e = entries(p)[index];
  if (e.state == entry_building && e.builder_pid == MyProcPid && e.builder_tag == tag)
    remove_entry(p, index);
  LWLockRelease(&p->lock);
}

void end_build(rc_build *build, bool remove) {
  if (build->partition < 0) return;
  if (remove) remove_placeholder(build->partition, build->entry, build->tag);
  for (int i = nbuilds - 1; i >= 0; --i)
    if (builds[i].build == build) {
      LockRelease(&builds[i].lock, ExclusiveLock, true);
      builds[i] = builds[--nbuilds];
      break;
    }
  build->partition = -1;
}

// Errors unwind builds: their placeholders and locks go (the session lock survives an abort).
void abort_builds(SubTransactionId from) {
  for (int i = nbuilds - 1; i >= 0; --i)
    if (builds[i].subid >= from) {
      open_build &b = builds[i];
      remove_placeholder(b.partition, b.entry, b.tag);
      LockRelease(&b.lock, ExclusiveLock, true);
      builds[i] = builds[--nbuilds];
    }
}

void xact_callback(XactEvent event, void *) noexcept {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) abort_builds(0);
  if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE)
    flush_counts();
}

void subxact_callback(SubXactEvent event, SubTransactionId sub, SubTransactionId, void *) noexcept {
  if (event == SUBXACT_EVENT_ABORT_SUB) abort_builds(sub);
}

} // namespace

void rc_preload(void) {
  prev_shmem_request = shmem_request_hook;
  shmem_request_hook = request_shmem;
  prev_shmem_startup = shmem_startup_hook;
  shmem_startup_hook = startup_shmem;
  ct_install_hooks();
  RegisterXactCallback(xact_callback, nullptr);
  RegisterSubXactCallback(subxact_callback, nullptr);
}

bool rc_available(void) {
  return header != nullptr;
}

bool rc_lookup(const rc_key &key, Snapshot reader, rc_record *out) {
  partition *p = part(partition_of(key.hash));
  bool hit = false;
  LWLockAcquire(&p->lock, LW_SHARED);
  int32 i = find(p, key);
  if (i >= 0 && entries(p)[i].state == entry_ready) {
    entry &e = entries(p)[i];
    hit = serve(p, e, scratch, reader, out);
    if (hit && pg_atomic_read_u32(&e.usage) < 5) pg_atomic_fetch_add_u32(&e.usage, 1);
  }
  LWLockRelease(&p->lock);
  if (hit) ct_reads_add_to_open(out->deps, out->ndeps);
  return hit;
}

rc_claim_result rc_claim(const rc_key &key, Snapshot reader, rc_record *out, rc_build *build) {
  int pi = partition_of(key.hash);
  partition *p = part(pi);
  int waited_pid = 0;
  uint32 waited_tag = 0;
  bool waited = false;
  // The session lock is taken before the placeholder is visible, so a waiter never finds a
  // placeholder whose lock is free unless its builder is gone.
  uint32 tag = pg_atomic_fetch_add_u32(&header->next_tag, 1);
  LOCKTAG mine;
  set_tag(&mine, MyProcPid, tag);
  for (;;) {
    LWLockAcquire(&p->lock, LW_EXCLUSIVE);
    int32 i = find(p, key);
    if (i >= 0) {
      entry &e = entries(p)[i];
      if (e.state == entry_ready) {
        if (serve(p, e, scratch, reader, out)) {
          LWLockRelease(&p->lock);
          ct_reads_add_to_open(out->deps, out->ndeps);
          return rc_claim_result::hit;
        }
        if (!ct_versions_unchanged(out->deps, out->ndeps)) {
          // Changed since it was published (not merely too new for this reader): it goes.
          Oid fn = e.fn;
          remove_entry(p, i);
          count_shared(fn, &function_stats::invalidations);
          i = -1;
        } else {
          LWLockRelease(&p->lock); // valid, but not for this reader or this transaction
          return rc_claim_result::compute_only;
        }
      } else if (e.builder_pid == MyProcPid) {
        LWLockRelease(&p->lock); // this backend is computing it: a recursive call
        return rc_claim_result::compute_only;
      } else if (waited && e.builder_pid == waited_pid && e.builder_tag == waited_tag) {
        remove_entry(p, i); // its builder is gone: its lock was free
        i = -1;
      } else {
        waited_pid = e.builder_pid;
        waited_tag = e.builder_tag;
        LWLockRelease(&p->lock);
        LOCKTAG theirs;
        set_tag(&theirs, waited_pid, waited_tag);
        (void)LockAcquire(&theirs, ShareLock, false, false);
        LockRelease(&theirs, ShareLock, false);
        waited = true;
        continue;
      }
    }
    if (waited) { // the builder could not publish: compute, without making others wait
      LWLockRelease(&p->lock);
      return rc_claim_result::compute;
    }
    if (nbuilds == static_cast<int>(lengthof(builds)) || !make_room(p, blocks_for(key.len), true)) {
      LWLockRelease(&p->lock);
      return rc_claim_result::compute;
    }
    // The lock is free (its tag is new): LockAcquire returns at once; no LWLock is waited on
    // while holding ours except the lock manager's own.
    (void)LockAcquire(&mine, ExclusiveLock, true, false);
    int32 index = p->free_entry;
    entry &e = entries(p)[index];
    p->free_entry = e.next;
    e.state = entry_building;
    e.hash = key.hash;
    e.db = MyDatabaseId;
    e.fn = key.fn;
    e.builder_pid = MyProcPid;
    e.builder_tag = tag;
    e.ndeps = e.nwitness = 0;
    e.key_len = key.len;
    e.value_len = 0;
    e.isnull = false;
    e.floor = InvalidTransactionId;
    pg_atomic_write_u32(&e.usage, 1);
    store(p, e, key.data, key.len);
    e.next = bucket_of(p, key.hash);
    bucket_of(p, key.hash) = index;
    LWLockRelease(&p->lock);
    build->partition = pi;
    build->entry = index;
    build->tag = tag;
    builds[nbuilds++] = open_build{build, pi, index, tag, mine, GetCurrentSubTransactionId()};
    return rc_claim_result::build;
  }
}

void rc_publish(rc_build *build, const rc_key &key, const rc_record &record) {
  int pi = partition_of(key.hash);
  partition *p = part(pi);
  Size prefix = record_prefix(record.ndeps, record.witness.n);
  uint32 bytes = static_cast<uint32>(prefix + key.len + record.value_len);
  char *data = static_cast<char *>(palloc(bytes));
  memcpy(data, record.deps, sizeof(ct_dep) * record.ndeps);
  memcpy(data + sizeof(ct_dep) * record.ndeps, record.witness.xids,
         sizeof(TransactionId) * record.witness.n);
  memcpy(data + prefix, key.data, key.len);
  if (record.value_len) memcpy(data + prefix + key.len, record.value, record.value_len);

  LWLockAcquire(&p->lock, LW_EXCLUSIVE);
  int32 index = -1;
  if (build->partition == pi) {
    entry &e = entries(p)[build->entry];
    if (e.state == entry_building && e.builder_pid == MyProcPid && e.builder_tag == build->tag)
      index = build->entry; // still ours (not flushed)
  }
  int32 other = find(p, key);
  if (index < 0 && other >= 0) {
    if (entries(p)[other].state == entry_building) { // someone else builds it: theirs wins
      LWLockRelease(&p->lock);
      end_build(build, false);
      return;
    }
    remove_entry(p, other); // an older result, replaced by this newer one
  }
  if (index >= 0) free_blocks(p, entries(p)[index]);
  bool room = make_room(p, blocks_for(bytes), index < 0);
  if (!room) {
    if (index >= 0) remove_entry(p, index);
    LWLockRelease(&p->lock);
    end_build(build, false);
    return;
  }
  if (index < 0) {
    index = p->free_entry;
    p->free_entry = entries(p)[index].next;
    entry &e = entries(p)[index];
    e.hash = key.hash;
    e.db = MyDatabaseId;
    e.fn = key.fn;
    e.next = bucket_of(p, key.hash);
    bucket_of(p, key.hash) = index;
  }
  entry &e = entries(p)[index];
  e.builder_pid = 0;
  e.builder_tag = 0;
  e.ndeps = static_cast<uint16>(record.ndeps);
  e.nwitness = static_cast<uint16>(record.witness.n);
  e.floor = record.witness.floor;
  e.key_len = key.len;
  e.value_len = record.value_len;
  e.isnull = record.isnull;
  pg_atomic_write_u32(&e.usage, 1);
  store(p, e, data, bytes);
  e.state = entry_ready;
  LWLockRelease(&p->lock);
  pfree(data);
  end_build(build, false);
}

void rc_abandon(rc_build *build) {
  end_build(build, true);
}

void rc_count(Oid fn, bool hit) {
  for (int i = 0; i < nlocal_counts; ++i)
    if (local_counts[i].fn == fn) {
      (hit ? local_counts[i].hits : local_counts[i].misses)++;
      return;
    }
  if (nlocal_counts == static_cast<int>(lengthof(local_counts))) flush_counts();
  local_counts[nlocal_counts] = local_count{fn, hit ? 1u : 0u, hit ? 0u : 1u};
  ++nlocal_counts;
}

int rc_stats(rc_function_stats **out) {
  flush_counts(); // this session's own counts, so that a test sees them at once
  auto *result = static_cast<rc_function_stats *>(palloc0(sizeof(rc_function_stats) * nfunctions));
  int n = 0;
  LWLockAcquire(&header->stats_lock, LW_SHARED);
  for (auto &s : header->stats)
    if (OidIsValid(s.fn) && s.db == MyDatabaseId) {
      rc_function_stats &r = result[n++];
      r.fn = s.fn;
      r.hits = static_cast<int64>(pg_atomic_read_u64(&s.hits));
      r.misses = static_cast<int64>(pg_atomic_read_u64(&s.misses));
      r.invalidations = static_cast<int64>(pg_atomic_read_u64(&s.invalidations));
      r.evictions = static_cast<int64>(pg_atomic_read_u64(&s.evictions));
    }
  LWLockRelease(&header->stats_lock);
  for (int pi = 0; pi < npartitions; ++pi) {
    partition *p = part(pi);
    LWLockAcquire(&p->lock, LW_SHARED);
    entry *es = entries(p);
    for (int i = 0; i < header->nentries; ++i) {
      if (es[i].state != entry_ready || es[i].db != MyDatabaseId) continue;
      for (int k = 0; k < n; ++k)
        if (result[k].fn == es[i].fn) {
          result[k].entries++;
          result[k].bytes += es[i].bytes;
          break;
        }
    }
    LWLockRelease(&p->lock);
  }
  *out = result;
  return n;
}

int64 rc_flush(Oid fn) {
  int64 removed = 0;
  for (int pi = 0; pi < npartitions; ++pi) {
    partition *p = part(pi);
    LWLockAcquire(&p->lock, LW_EXCLUSIVE);
    entry *es = entries(p);
    for (int i = 0; i < header->nentries; ++i)
      if (es[i].state == entry_ready && es[i].db == MyDatabaseId &&
          (!OidIsValid(fn) || es[i].fn == fn)) {
        remove_entry(p, i);
        ++removed;
      }
    LWLockRelease(&p->lock);
  }
  return removed;
}
