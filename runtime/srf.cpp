// runtime/srf.cpp — rows of a set-returning body into the call's tuplestore.
#include <plcpp/srf.hpp>

#include "call_state.h"
#include "pg_call.h"
#include "result_data.h"

extern "C" {
#include "access/htup_details.h"
#include "access/tupconvert.h"
#include "executor/tuptable.h"
#include "nodes/params.h"
#include "tcop/dest.h"
}

namespace plcpp::detail {

call_state &srf_call() {
  call_state &c = call();
  if (!c.tuplestore)
    throw sql_error("42P13", "yield() and returning rows need a set-returning function", "",
                    "Declare the function RETURNS SETOF ... or RETURNS TABLE (...).");
  return c;
}

namespace {

const char *mismatch = "structure of query does not match function result type";

// A DestReceiver that appends the query's rows to the tuplestore, converting them by
// position as PL/pgSQL's RETURN QUERY does (dropped columns; types must match).
struct tuplestore_receiver {
  DestReceiver pub;
  call_state *call;
  TupleConversionMap *map;
  TupleTableSlot *out;
};

void receiver_startup(DestReceiver *self, int, TupleDesc desc) {
  auto *r = reinterpret_cast<tuplestore_receiver *>(self);
  r->map = convert_tuples_by_position(desc, r->call->tuple_desc, gettext_noop(mismatch));
  if (r->map) r->out = MakeSingleTupleTableSlot(r->call->tuple_desc, &TTSOpsVirtual);
}

bool receiver_receive(TupleTableSlot *slot, DestReceiver *self) {
  auto *r = reinterpret_cast<tuplestore_receiver *>(self);
  if (r->map) slot = execute_attr_map_slot(r->map->attrMap, slot, r->out);
  tuplestore_puttupleslot(r->call->tuplestore, slot);
  return true;
}

void receiver_shutdown(DestReceiver *self) {
  auto *r = reinterpret_cast<tuplestore_receiver *>(self);
  if (r->out) ExecDropSingleTupleTableSlot(r->out);
  r->out = nullptr;
}

void receiver_destroy(DestReceiver *) {}

} // namespace

void emit_row(const raw_datum *values, const bool *nulls, int n) {
  call_state &c = srf_call();
  // Dropped columns of the result type are not in the generated yield: they are NULL.
  int natts = c.tuple_desc->natts;
  Tuplestorestate *ts = c.tuplestore;
  TupleDesc desc = c.tuple_desc;
  pg_call([=] {
    int live = 0;
    for (int i = 0; i < natts; ++i)
      if (!TupleDescAttr(desc, i)->attisdropped) ++live;
    if (live != n)
      ereport(ERROR,
              (errcode(ERRCODE_DATATYPE_MISMATCH), errmsg("%s", mismatch),
               errdetail("The function was compiled for %d columns, the result has %d.", n, live),
               errhint("Run CREATE OR REPLACE FUNCTION to recompile it.")));
    if (live == natts) {
      tuplestore_putvalues(ts, desc, reinterpret_cast<Datum *>(const_cast<raw_datum *>(values)),
                           const_cast<bool *>(nulls));
      return;
    }
    Datum *all = static_cast<Datum *>(palloc0(sizeof(Datum) * natts));
    bool *all_nulls = static_cast<bool *>(palloc(sizeof(bool) * natts));
    for (int i = 0, j = 0; i < natts; ++i) {
      if (TupleDescAttr(desc, i)->attisdropped) {
        all_nulls[i] = true;
        continue;
      }
      all[i] = values[j];
      all_nulls[i] = nulls[j++];
    }
    tuplestore_putvalues(ts, desc, all, all_nulls);
  });
}

void emit_record(const record &r) {
  call_state &c = srf_call();
  auto desc = static_cast<TupleDesc>(const_cast<void *>(r.descriptor_));
  if (!desc) throw sql_error("22004", "an empty plcpp::record cannot be yielded");
  int n = static_cast<int>(r.size());
  const raw_datum *values = r.values_.data();
  const unsigned char *flags = r.nulls_.data();
  Tuplestorestate *ts = c.tuplestore;
  TupleDesc out = c.tuple_desc;
  scratch_scope scratch;
  pg_call([=] {
    // As PL/pgSQL's RETURN NEXT of a record: converted by position, types must match.
    TupleConversionMap *map = convert_tuples_by_position(
        desc, out, gettext_noop("wrong record type supplied to yield()"));
    bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * (n + 1)));
    for (int i = 0; i < n; ++i)
      nulls[i] = flags[i] != 0;
    Datum *v = reinterpret_cast<Datum *>(const_cast<raw_datum *>(values));
    if (!map) {
      tuplestore_putvalues(ts, out, v, nulls);
      return;
    }
    tuplestore_puttuple(ts, execute_attr_map_tuple(heap_form_tuple(desc, v, nulls), map));
  });
}

const Oid *result_column_types(int n) {
  call_state &c = srf_call();
  TupleDesc desc = c.tuple_desc;
  if (desc->natts != n)
    throw sql_error("42804", "wrong number of values supplied to yield()",
                    "The result has " + std::to_string(desc->natts) + " column" +
                        (desc->natts == 1 ? "" : "s") + ", yield() was given " + std::to_string(n) +
                        ".");
  if (!c.column_types) {
    MemoryContext context = c.caller_context;
    Oid *types = pg_call(
        [=] { return static_cast<Oid *>(MemoryContextAlloc(context, sizeof(Oid) * (n + 1))); });
    for (int i = 0; i < n; ++i)
      types[i] = TupleDescAttr(desc, i)->atttypid;
    c.column_types = types;
  }
  return c.column_types;
}

// SPI options that send the rows to the call's tuplestore.
static SPIExecuteOptions tuplestore_options(call_state *state, ParamListInfo params,
                                            bool read_only) {
  auto *r = static_cast<tuplestore_receiver *>(palloc0(sizeof(tuplestore_receiver)));
  r->pub.receiveSlot = receiver_receive;
  r->pub.rStartup = receiver_startup;
  r->pub.rShutdown = receiver_shutdown;
  r->pub.rDestroy = receiver_destroy;
  r->pub.mydest = DestNone;
  r->call = state;
  SPIExecuteOptions options;
  memset(&options, 0, sizeof options);
  options.params = params;
  options.read_only = read_only;
  options.must_return_tuples = true; // "query has no destination" for INSERT without RETURNING
  options.dest = &r->pub;
  return options;
}

int query_into_tuplestore(call_state *state, const char *src, int n, const Oid *types,
                          const raw_datum *values, const char *nulls, bool read_only) {
  ParamListInfo params = nullptr;
  SPIPlanPtr plan = nullptr;
  if (any_unknown(n, types)) {
    plan = prepare_inferring(src, n, types, values, nulls, &params);
  } else if (n > 0) {
    params = makeParamList(n);
    for (int i = 0; i < n; ++i) {
      ParamExternData *p = &params->params[i];
      p->value = static_cast<Datum>(values[i]);
      p->isnull = nulls[i] == 'n';
      p->pflags = PARAM_FLAG_CONST;
      p->ptype = types[i];
    }
  }
  SPIExecuteOptions options = tuplestore_options(state, params, read_only);
  if (!plan) return SPI_execute_extended(src, &options);
  int result = SPI_execute_plan_extended(plan, &options);
  SPI_freeplan(plan);
  return result;
}

int plan_into_tuplestore(call_state *state, SPIPlanPtr plan, bool read_only) {
  SPIExecuteOptions options = tuplestore_options(state, nullptr, read_only);
  return SPI_execute_plan_extended(plan, &options);
}

void emit_query(const sql_query &q) {
  call_state &c = srf_call();
  q.check_alive();
  spi_connect();
  int n = static_cast<int>(q.types().size());
  const Oid *types = q.types().data();
  const raw_datum *values = q.values().data();
  const char *nulls = q.nulls().data();
  const char *src = q.text().c_str();
  call_state *state = &c;
  int rc = pg_call(
      [=] { return query_into_tuplestore(state, src, n, types, values, nulls, state->read_only); });
  if (rc < 0) throw sql_error("XX000", std::string("SPI failed: ") + SPI_result_code_string(rc));
}

void emit_result(const plcpp::result &res) {
  call_state &c = srf_call();
  (void)res.size(); // raises if the result was moved from or is no longer valid
  result_data *d = res.data();
  if (!d->table) return;
  SPITupleTable *table = d->table;
  Tuplestorestate *ts = c.tuplestore;
  TupleDesc out = c.tuple_desc;
  pg_call([=] {
    TupleConversionMap *map =
        convert_tuples_by_position(table->tupdesc, out, gettext_noop(mismatch));
    for (uint64 i = 0; i < table->numvals; ++i) {
      HeapTuple t = table->vals[i];
      if (map) t = execute_attr_map_tuple(t, map);
      tuplestore_puttuple(ts, t);
    }
  });
}

} // namespace plcpp::detail
