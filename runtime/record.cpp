// runtime/record.cpp — composite values: generated structs and plcpp::record.
#include <plcpp/record.hpp>

#include "assign.h"
#include "call_state.h"
#include "pg_call.h"
#include "record_fill.h"

#include "pg.h"

extern "C" {
#include "access/htup_details.h"
#include "access/tupconvert.h"
#include "funcapi.h"
#include "utils/typcache.h"
}

namespace plcpp::detail {
namespace {

[[noreturn]] void throw_mismatch(const char *type_name, const char *actual_type) {
  throw sql_error("42804", std::string("a value of type ") + actual_type +
                               " cannot be read as struct " + type_name);
}

[[noreturn]] void throw_changed(const char *type_name, int expected, int actual) {
  throw sql_error("42804",
                  std::string("composite type ") + type_name + " has " + std::to_string(actual) +
                      " attributes, but the function was compiled for " + std::to_string(expected),
                  "The type was altered after the function was compiled.",
                  "Run CREATE OR REPLACE FUNCTION to recompile it.");
}

int live_attributes(TupleDesc desc) {
  int n = 0;
  for (int i = 0; i < desc->natts; ++i)
    if (!TupleDescAttr(desc, i)->attisdropped) ++n;
  return n;
}

} // namespace

record_fields record_open(raw_datum d, Oid type, int size, const char *type_name) {
  Datum *values;
  bool *nulls;
  Oid *types;
  int live = -1;
  const char *actual_name = nullptr;
  pg_call([&] {
    HeapTupleHeader h = DatumGetHeapTupleHeader(d);
    Oid actual = HeapTupleHeaderGetTypeId(h);
    // Another named type is not this struct, even with the same shape; an anonymous row
    // (ROW(...)) is read by position.
    if (type != RECORDOID && actual != type && actual != RECORDOID) {
      actual_name = format_type_be(actual);
      return;
    }
    TupleDesc desc = lookup_rowtype_tupdesc(actual, HeapTupleHeaderGetTypMod(h));
    live = live_attributes(desc);
    if (live != size && actual != type) actual_name = format_type_be(actual);
    if (live == size) {
      HeapTupleData tuple;
      tuple.t_len = HeapTupleHeaderGetDatumLength(h);
      ItemPointerSetInvalid(&tuple.t_self);
      tuple.t_tableOid = InvalidOid;
      tuple.t_data = h;
      Datum *all = static_cast<Datum *>(palloc(sizeof(Datum) * desc->natts));
      bool *all_nulls = static_cast<bool *>(palloc(sizeof(bool) * desc->natts));
      heap_deform_tuple(&tuple, desc, all, all_nulls);
      values = static_cast<Datum *>(palloc(sizeof(Datum) * (size + 1)));
      nulls = static_cast<bool *>(palloc(sizeof(bool) * (size + 1)));
      types = static_cast<Oid *>(palloc(sizeof(Oid) * (size + 1)));
      for (int i = 0, j = 0; i < desc->natts; ++i) {
        Form_pg_attribute a = TupleDescAttr(desc, i);
        if (a->attisdropped) continue;
        values[j] = all[i];
        nulls[j] = all_nulls[i];
        types[j++] = a->atttypid;
      }
    }
    ReleaseTupleDesc(desc);
  });
  if (actual_name && live < 0) throw_mismatch(type_name, actual_name);
  if (actual_name)
    throw sql_error("42804", std::string("a row of ") + std::to_string(live) +
                                 " columns cannot be read as struct " + type_name + " of " +
                                 std::to_string(size) + " members");
  if (live != size) throw_changed(type_name, size, live);
  return {reinterpret_cast<const raw_datum *>(values), nulls, types};
}

raw_datum record_build(Oid type, const raw_datum *values, const bool *nulls, int size) {
  int live = -1;
  raw_datum out = 0;
  const char *name = nullptr;
  // RECORDOID: the OUT-parameter row of the running function (struct out_row).
  TupleDesc own = type == RECORDOID ? call().result_desc : nullptr;
  if (type == RECORDOID && !own)
    throw sql_error("42804", "out_row can only be returned by the function that declares it");
  pg_call([&] {
    TupleDesc desc = own ? own : lookup_rowtype_tupdesc(type, -1);
    live = live_attributes(desc);
    if (live == size) {
      Datum *all = static_cast<Datum *>(palloc0(sizeof(Datum) * (desc->natts + 1)));
      bool *all_nulls = static_cast<bool *>(palloc(sizeof(bool) * (desc->natts + 1)));
      for (int i = 0, j = 0; i < desc->natts; ++i) {
        if (TupleDescAttr(desc, i)->attisdropped) {
          all_nulls[i] = true;
          continue;
        }
        all[i] = values[j];
        all_nulls[i] = nulls[j++];
        // As an SQL assignment to the member: its typmod, its domain's constraints.
        Form_pg_attribute a = TupleDescAttr(desc, i);
        all[i] = assign_checks_c(all[i], all_nulls[i], a->atttypid, a->atttypmod);
      }
      out = HeapTupleGetDatum(heap_form_tuple(desc, all, all_nulls));
    } else {
      name = format_type_be(type);
    }
    if (!own) ReleaseTupleDesc(desc);
  });
  if (live != size) throw_changed(name, size, live);
  return out;
}

void fill_record(record &r, HeapTuple tuple, TupleDesc desc, Oid type) {
  int n = desc->natts;
  r.type_ = type;
  r.descriptor_ = desc;
  r.call_ = call_id();
  r.names_.resize(n);
  r.types_.resize(n);
  r.typmods_.resize(n);
  r.values_.assign(n, 0);
  r.nulls_.assign(n, 1);
  Datum *values = reinterpret_cast<Datum *>(r.values_.data());
  bool *nulls = pg_call([&] {
    bool *flags = static_cast<bool *>(palloc(sizeof(bool) * (n + 1)));
    heap_deform_tuple(tuple, desc, values, flags);
    return flags;
  });
  for (int i = 0; i < n; ++i) {
    Form_pg_attribute a = TupleDescAttr(desc, i);
    r.names_[i] = a->attisdropped ? "" : NameStr(a->attname);
    r.types_[i] = a->atttypid;
    r.typmods_[i] = a->atttypmod;
    r.nulls_[i] = nulls[i] || a->attisdropped;
  }
}

void record_load(record &r, raw_datum d) {
  HeapTupleData *tuple;
  TupleDesc desc;
  pg_call([&] {
    HeapTupleHeader h = DatumGetHeapTupleHeader(d);
    TupleDesc cached =
        lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(h), HeapTupleHeaderGetTypMod(h));
    desc = CreateTupleDescCopy(cached);
    ReleaseTupleDesc(cached);
    tuple = static_cast<HeapTupleData *>(palloc(sizeof(HeapTupleData)));
    tuple->t_len = HeapTupleHeaderGetDatumLength(h);
    ItemPointerSetInvalid(&tuple->t_self);
    tuple->t_tableOid = InvalidOid;
    tuple->t_data = h;
  });
  fill_record(r, tuple, desc, HeapTupleHeaderGetTypeId(tuple->t_data));
}

raw_datum record_datum(const record &r, Oid type) {
  auto desc = static_cast<TupleDesc>(const_cast<void *>(r.descriptor_));
  if (!desc) throw sql_error("22004", "an empty plcpp::record cannot be converted to a row");
  check_alive(r.call_, "plcpp::record");
  int n = static_cast<int>(r.size());
  const raw_datum *values = r.values_.data();
  const unsigned char *flags = r.nulls_.data();
  Oid own_type = r.type_;
  return pg_call([&] {
    TupleDesc target = desc;
    if (type != InvalidOid && type != RECORDOID && type != own_type) {
      TupleDesc cached = lookup_rowtype_tupdesc(type, -1);
      bool same = cached->natts == n;
      for (int i = 0; same && i < n; ++i)
        same = TupleDescAttr(cached, i)->atttypid == TupleDescAttr(desc, i)->atttypid;
      if (!same) {
        ReleaseTupleDesc(cached);
        ereport(ERROR,
                (errcode(ERRCODE_DATATYPE_MISMATCH),
                 errmsg("record does not match the columns of type %s", format_type_be(type))));
      }
      target = CreateTupleDescCopy(cached);
      ReleaseTupleDesc(cached);
    } else if (own_type == RECORDOID) {
      target = BlessTupleDesc(desc);
    }
    bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * (n + 1)));
    Datum *datums = static_cast<Datum *>(palloc(sizeof(Datum) * (n + 1)));
    for (int i = 0; i < n; ++i) {
      nulls[i] = flags[i] != 0;
      datums[i] = static_cast<Datum>(values[i]);
      // Another row type with the same column types may declare other typmods.
      int32 typmod = TupleDescAttr(target, i)->atttypmod;
      if (target != desc && typmod != TupleDescAttr(desc, i)->atttypmod)
        datums[i] =
            assign_checks_c(datums[i], nulls[i], TupleDescAttr(target, i)->atttypid, typmod);
    }
    return HeapTupleGetDatum(heap_form_tuple(target, datums, nulls));
  });
}

raw_datum record_result(call_frame *f, std::optional<record> &r) {
  f->result_isnull = !r;
  if (!r) return 0;
  raw_datum own = record_datum(*r, RECORDOID); // the record's own (blessed) row type
  FunctionCallInfo fcinfo = call().fcinfo;
  if (!fcinfo) return own;
  return pg_call([=] {
    TupleDesc expected;
    // select f(): no column definition list, the record goes out as it is.
    if (get_call_result_type(fcinfo, nullptr, &expected) != TYPEFUNC_COMPOSITE) return own;
    HeapTupleHeader h = DatumGetHeapTupleHeader(own);
    TupleDesc desc =
        lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(h), HeapTupleHeaderGetTypMod(h));
    // The returned tuple must carry a registered row type: bless a copy of the caller's.
    TupleDesc out = BlessTupleDesc(CreateTupleDescCopy(expected));
    TupleConversionMap *map = convert_tuples_by_position(
        desc, out, gettext_noop("returned record type does not match expected record type"));
    ReleaseTupleDesc(desc);
    if (!map) return own;
    HeapTupleData tuple;
    tuple.t_len = HeapTupleHeaderGetDatumLength(h);
    ItemPointerSetInvalid(&tuple.t_self);
    tuple.t_tableOid = InvalidOid;
    tuple.t_data = h;
    return HeapTupleGetDatum(execute_attr_map_tuple(&tuple, map));
  });
}

} // namespace plcpp::detail

namespace plcpp {

std::size_t record::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name && !name.empty()) return i;
  std::string columns;
  for (const auto &n : names_)
    if (!n.empty()) columns += (columns.empty() ? "" : ", ") + n;
  throw sql_error("42703", "record has no column \"" + std::string(name) + "\"",
                  "Its columns are: " + columns + ".");
}

void record::check(std::size_t i) const {
  if (i >= names_.size())
    throw sql_error("42703", "column index " + std::to_string(i) +
                                 " is out of range: the record has " +
                                 std::to_string(names_.size()) + " columns");
  detail::check_alive(call_, "plcpp::record");
}

void record::store(std::size_t i, detail::raw_datum d, bool isnull) {
  std::int32_t typmod = i < typmods_.size() ? typmods_[i] : -1;
  // Checked before anything changes: a failed assignment leaves the record as it was.
  d = detail::assign_checks(d, isnull, types_[i], typmod);
  values_[i] = d;
  nulls_[i] = isnull;
  // The new value lives in the current call's memory: the record is now valid while this
  // call runs (which is inside the record's own call, checked above, so no shorter).
  call_ = detail::call_id();
}

} // namespace plcpp
