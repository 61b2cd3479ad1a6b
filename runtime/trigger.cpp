// runtime/trigger.cpp — trigger(): the firing event and its rows; what a trigger body returns.
#include <plcpp/trigger.hpp>

#include "assign.h"
#include "call_state.h"
#include "pg_call.h"
#include "record_fill.h"

extern "C" {
#include "access/htup_details.h"
#include "parser/parse_coerce.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace plcpp {
namespace {

detail::call_state &trigger_call() {
  detail::call_state &c = detail::call();
  if (!c.trigger_data)
    throw sql_error("55000", "trigger() is available only in a trigger function", "",
                    "Declare the function RETURNS trigger.");
  return c;
}

trigger_info *describe(TriggerData *td) {
  auto info = std::make_unique<trigger_info>();
  TriggerEvent ev = td->tg_event;
  info->name_ = td->tg_trigger->tgname;
  info->event_ = TRIGGER_FIRED_BY_INSERT(ev)   ? "INSERT"
                 : TRIGGER_FIRED_BY_UPDATE(ev) ? "UPDATE"
                 : TRIGGER_FIRED_BY_DELETE(ev) ? "DELETE"
                                               : "TRUNCATE";
  info->when_ = TRIGGER_FIRED_BEFORE(ev)  ? "BEFORE"
                : TRIGGER_FIRED_AFTER(ev) ? "AFTER"
                                          : "INSTEAD OF";
  info->level_ = TRIGGER_FIRED_FOR_ROW(ev) ? "ROW" : "STATEMENT";
  Relation rel = td->tg_relation;
  info->table_name_ = RelationGetRelationName(rel);
  Oid nsp = RelationGetNamespace(rel);
  const char *schema = detail::pg_call([=] { return get_namespace_name(nsp); });
  info->table_schema_ = schema ? schema : "";
  for (int i = 0; i < td->tg_trigger->tgnargs; ++i)
    info->args_.emplace_back(td->tg_trigger->tgargs[i]);
  if (TRIGGER_FIRED_FOR_ROW(ev)) {
    TupleDesc desc = RelationGetDescr(rel);
    Oid type = rel->rd_rel->reltype;
    // tg_trigtuple is the new row of an INSERT, the old row of UPDATE and DELETE.
    bool insert = TRIGGER_FIRED_BY_INSERT(ev), update = TRIGGER_FIRED_BY_UPDATE(ev);
    if (td->tg_trigtuple) {
      auto r = std::make_unique<record>();
      detail::fill_record(*r, td->tg_trigtuple, desc, type);
      (insert ? info->new_ : info->old_) = std::move(r);
    }
    if (update && td->tg_newtuple) {
      info->new_ = std::make_unique<record>();
      detail::fill_record(*info->new_, td->tg_newtuple, desc, type);
    }
  }
  return info.release();
}

[[noreturn]] void no_row(const trigger_info &t, const char *which) {
  throw sql_error("55000",
                  std::string(which) + " is not available in a " + t.level() + "-level " +
                      t.event() + " trigger",
                  "",
                  "old_row() exists for UPDATE and DELETE, new_row() for INSERT and UPDATE, "
                  "both only in FOR EACH ROW triggers.");
}

} // namespace

const trigger_info &trigger() {
  detail::call_state &c = trigger_call();
  if (!c.trigger) c.trigger = describe(c.trigger_data);
  return *c.trigger;
}

const record &trigger_info::old_row() const {
  if (!old_) no_row(*this, "old_row()");
  return *old_;
}

const record &trigger_info::new_row() const {
  if (!new_) no_row(*this, "new_row()");
  return *new_;
}

const event_trigger_info &event_trigger() {
  detail::call_state &c = detail::call();
  if (!c.event_trigger_data)
    throw sql_error("55000", "event_trigger() is available only in an event trigger function", "",
                    "Declare the function RETURNS event_trigger.");
  if (!c.event_trigger) {
    auto info = std::make_unique<event_trigger_info>();
    info->event_ = c.event_trigger_data->event;
    info->tag_ = GetCommandTagName(c.event_trigger_data->tag);
    c.event_trigger = info.release();
  }
  return *c.event_trigger;
}

namespace detail {

raw_datum trigger_return(const trigger_result &r) {
  call_state &c = trigger_call();
  TriggerData *td = c.trigger_data;
  TriggerEvent ev = td->tg_event;
  if (TRIGGER_FIRED_AFTER(ev) || !TRIGGER_FIRED_FOR_ROW(ev)) return 0; // value ignored
  if (r.is_skip()) return 0;
  if (!r.row()) {
    HeapTuple t = TRIGGER_FIRED_BY_UPDATE(ev) ? td->tg_newtuple : td->tg_trigtuple;
    return PointerGetDatum(t);
  }
  const record &row = *r.row();
  check_alive(row.call_, "plcpp::record");
  Relation rel = td->tg_relation;
  TupleDesc desc = RelationGetDescr(rel);
  int n = static_cast<int>(row.size());
  bool same = n == desc->natts;
  for (int i = 0; same && i < n; ++i)
    same = row.column_type(static_cast<std::size_t>(i)) == TupleDescAttr(desc, i)->atttypid;
  if (!same)
    throw sql_error("42804",
                    "returned row structure does not match the structure of the "
                    "triggering table",
                    "", "Return new_row(), old_row() or a copy of one of them.");
  const raw_datum *values = row.values_.data();
  const unsigned char *flags = row.nulls_.data();
  const std::int32_t *typmods = row.typmods_.data();
  bool known_typmods = row.typmods_.size() == static_cast<std::size_t>(n);
  return pg_call([=] {
    bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * (n + 1)));
    Datum *datums = static_cast<Datum *>(palloc(sizeof(Datum) * (n + 1)));
    for (int i = 0; i < n; ++i) {
      nulls[i] = flags[i] != 0;
      datums[i] = static_cast<Datum>(values[i]);
      // record::set applied the column's typmod to the trigger's own rows; a row from
      // elsewhere (a query's row) may come with another typmod: apply the table's.
      Form_pg_attribute a = TupleDescAttr(desc, i);
      if (a->atttypmod >= 0 && (!known_typmods || typmods[i] != a->atttypmod))
        datums[i] = assign_checks_c(datums[i], nulls[i], a->atttypid, a->atttypmod);
    }
    HeapTuple t = heap_form_tuple(desc, datums, nulls);
    return PointerGetDatum(t);
  });
}

} // namespace detail
} // namespace plcpp
