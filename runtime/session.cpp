// runtime/session.cpp — the session store (plcpp/session.hpp).
//
// Entries live in std::map nodes owned by plcpp.so; their values are datums copied into one
// memory context of the session ("PL/C++ session store", a child of TopMemoryContext), freed
// one by one when replaced or erased. Only plain data is kept: no pointer into a call's memory,
// no code of a body (which CREATE OR REPLACE unloads).
#include <plcpp/session.hpp>

#include <map>

#include "pg_call.h"

#include "pg.h"

extern "C" {
#include "access/detoast.h"
#include "access/heaptoast.h"
#include "access/htup_details.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
}

namespace plcpp {
namespace {

struct entry {
  Oid type = InvalidOid;
  bool isnull = true;
  bool byval = true;
  int16 len = 0;
  Datum value = 0;
};

std::map<std::string, entry, std::less<>> entries;
MemoryContext store_context = nullptr;

// Frees an entry's copy (PostgreSQL's pfree raises only on a corrupt pointer).
void release(const entry &e) {
  if (e.isnull || e.byval) return;
  void *p = DatumGetPointer(e.value);
  detail::pg_call([=] { pfree(p); });
}

// A self-contained copy in `into`: toasted values and composite values with toasted fields
// are flattened first, so that nothing refers to a table's TOAST data either.
Datum copy_value(Datum d, Oid type, bool byval, int16 len, MemoryContext into) {
  MemoryContext old = MemoryContextSwitchTo(into);
  Datum out;
  if (byval) {
    out = d;
  } else if (len == -1) {
    struct varlena *v = reinterpret_cast<struct varlena *>(DatumGetPointer(d));
    if (VARATT_IS_EXTERNAL_EXPANDED(v)) {
      out = datumCopy(d, false, -1); // flattens an expanded object
    } else if (VARATT_IS_EXTENDED(v)) {
      out = PointerGetDatum(detoast_attr(v));
    } else {
      out = datumCopy(d, false, -1);
    }
    if (type_is_rowtype(type)) {
      HeapTupleHeader h = DatumGetHeapTupleHeader(out);
      if (HeapTupleHeaderHasExternal(h)) {
        TupleDesc desc =
            lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(h), HeapTupleHeaderGetTypMod(h));
        Datum flat = toast_flatten_tuple_to_datum(h, HeapTupleHeaderGetDatumLength(h), desc);
        ReleaseTupleDesc(desc);
        pfree(DatumGetPointer(out));
        out = flat;
      }
    }
  } else {
    out = datumCopy(d, false, len);
  }
  MemoryContextSwitchTo(old);
  return out;
}

} // namespace

namespace detail {

void session_put(std::string_view key, raw_datum d, bool isnull, Oid type) {
  entry e;
  e.type = type;
  e.isnull = isnull;
  if (!isnull) {
    pg_call([&] {
      if (!store_context)
        store_context =
            AllocSetContextCreate(TopMemoryContext, "PL/C++ session store", ALLOCSET_SMALL_SIZES);
      get_typlenbyval(type, &e.len, &e.byval);
      e.value = copy_value(d, type, e.byval, e.len, store_context);
    });
  }
  auto it = entries.find(key);
  if (it == entries.end()) {
    try {
      entries.emplace(std::string(key), e);
    } catch (...) {
      release(e);
      throw;
    }
  } else {
    entry old = it->second;
    it->second = e;
    release(old);
  }
}

bool session_fetch(std::string_view key, raw_datum &d, bool &isnull, Oid &type) {
  auto it = entries.find(key);
  if (it == entries.end()) return false;
  const entry &e = it->second;
  type = e.type;
  isnull = e.isnull;
  d = e.value;
  // A copy in the call's memory: a view read from it stays valid even if the body then
  // replaces or erases the key.
  if (!e.isnull && !e.byval) {
    Datum v = e.value;
    int16 len = e.len;
    d = pg_call([=] { return datumCopy(v, false, len); });
  }
  return true;
}

} // namespace detail

bool session_map::contains(std::string_view key) const {
  return entries.find(key) != entries.end();
}

bool session_map::erase(std::string_view key) {
  auto it = entries.find(key);
  if (it == entries.end()) return false;
  entry old = it->second;
  entries.erase(it);
  release(old);
  return true;
}

void session_map::clear() {
  while (!entries.empty())
    erase(entries.begin()->first);
}

std::size_t session_map::size() const {
  return entries.size();
}

std::vector<std::string> session_map::keys() const {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const auto &kv : entries)
    out.push_back(kv.first);
  return out;
}

session_map &session_store() {
  static session_map store;
  return store;
}

} // namespace plcpp
