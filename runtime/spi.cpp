// runtime/spi.cpp — spi::query/exec/prepare/cursor/subtransaction and result access.
#include <plcpp/spi.hpp>

#include "call_state.h"
#include "pg_call.h"
#include "record_fill.h"
#include "result_data.h"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "parser/parse_param.h"
#include "utils/lsyscache.h"
#include "utils/portal.h"
#include "utils/resowner.h"
}

namespace plcpp::detail {
namespace {

[[noreturn]] void throw_spi(int rc) {
  if (rc == SPI_ERROR_TRANSACTION)
    throw sql_error("0A000", "transaction control is not allowed in a PL/C++ query",
                    "COMMIT, ROLLBACK and SAVEPOINT cannot run through spi::query.",
                    "Use spi::commit() or spi::rollback() in a procedure, spi::subtransaction for "
                    "a block that can roll back on its own.");
  if (rc == SPI_ERROR_COPY)
    throw sql_error("0A000", "COPY to or from the client is not allowed in a PL/C++ query");
  throw sql_error("XX000", std::string("SPI failed: ") + SPI_result_code_string(rc));
}

void link_result(call_state &c, result_data *r) noexcept {
  r->owner = &c;
  r->subxact = GetCurrentSubTransactionId();
  r->next = c.results;
  if (c.results) c.results->prev = r;
  c.results = r;
}

void unlink(result_data *r) noexcept {
  if (!r->owner) return;
  if (r->prev)
    r->prev->next = r->next;
  else
    r->owner->results = r->next;
  if (r->next) r->next->prev = r->prev;
  r->owner = nullptr;
  r->prev = r->next = nullptr;
}

const result_data &alive(const result_data *d) {
  if (!d) throw std::logic_error("plcpp::result used after it was moved from");
  if (!d->alive)
    throw sql_error("55000", "query result used after it became invalid",
                    "A result is valid until the end of the call that ran the query, until the "
                    "spi::subtransaction that ran it rolls back, or until its transaction ends "
                    "(spi::commit, spi::rollback).",
                    "Copy the values you need into C++ variables.");
  return *d;
}

// The plan of a statement prepared while unwinding_after_error(): never run (kept in a
// static, it would outlive the call that could not plan it).
char unplanned;

[[noreturn]] void throw_unplanned() {
  throw sql_error("55000", "statement was not prepared",
                  "It was prepared while an error unwound the call that prepared it.");
}

Portal find_portal(const std::string &name) {
  const char *n = name.c_str();
  Portal p = pg_call([=] { return SPI_cursor_find(n); });
  if (!p)
    throw sql_error("34000", "cursor \"" + name + "\" does not exist",
                    "It was closed, or the transaction or subtransaction that opened it ended.");
  return p;
}

// Parameters of type unknown (a bare std::nullopt, a plcpp::datum) get their type from the
// query, as PREPARE without types does: the plan is made with variable parameters, then the
// text of each plcpp::datum is read by the input function of the type the parser chose.
struct inferred_types {
  Oid *types;
  int n;
};

void infer_setup(ParseState *pstate, void *arg) {
  auto *p = static_cast<inferred_types *>(arg);
  setup_parse_variable_parameters(pstate, &p->types, &p->n);
}

} // namespace

bool any_unknown(int n, const Oid *types) {
  for (int i = 0; i < n; ++i)
    if (types[i] == UNKNOWNOID) return true;
  return false;
}

// Inside pg_call: the plan and its parameter list (to free with SPI_freeplan).
SPIPlanPtr prepare_inferring(const char *src, int n, const Oid *types, const raw_datum *values,
                             const char *nulls, ParamListInfo *params) {
  // palloc'd: the plan keeps the pointer for re-parsing if it is revalidated.
  auto *found = static_cast<inferred_types *>(palloc(sizeof(inferred_types)));
  *found = {static_cast<Oid *>(palloc0(sizeof(Oid) * (n + 1))), n};
  inferred_types &inferred = *found;
  for (int i = 0; i < n; ++i)
    inferred.types[i] = types[i] == UNKNOWNOID ? InvalidOid : types[i];
  SPIPrepareOptions options;
  memset(&options, 0, sizeof options);
  options.parserSetup = infer_setup;
  options.parserSetupArg = found;
  options.parseMode = RAW_PARSE_DEFAULT;
  SPIPlanPtr plan = SPI_prepare_extended(src, &options);
  if (!plan)
    elog(ERROR, "SPI_prepare failed for \"%s\": %s", src, SPI_result_code_string(SPI_result));
  ParamListInfo list = makeParamList(n);
  for (int i = 0; i < n; ++i) {
    Oid type = i < inferred.n && inferred.types[i] != InvalidOid ? inferred.types[i] : UNKNOWNOID;
    ParamExternData *p = &list->params[i];
    p->isnull = nulls[i] == 'n';
    p->value = static_cast<Datum>(values[i]);
    p->pflags = PARAM_FLAG_CONST;
    p->ptype = type;
    if (types[i] == UNKNOWNOID && !p->isnull && type != UNKNOWNOID) {
      Oid func, ioparam;
      getTypeInputInfo(type, &func, &ioparam);
      p->value = OidInputFunctionCall(func, DatumGetCString(p->value), ioparam, -1);
    }
  }
  *params = list;
  return plan;
}

void result_ref(const result_data *d) noexcept {
  if (d) ++const_cast<result_data *>(d)->refs;
}

void result_unref(const result_data *cd) noexcept {
  auto *d = const_cast<result_data *>(cd);
  if (!d || --d->refs > 0) return;
  if (d->alive && d->table) {
    if (d->own_table)
      MemoryContextDelete(d->table->tuptabcxt);
    else
      SPI_freetuptable(d->table);
  }
  unlink(d);
  delete d;
}

result_data *take_spi_result(call_state &c) {
  SPITupleTable *table = SPI_tuptable;
  uint64 processed = SPI_processed;
  SPI_tuptable = nullptr;
  auto *r = new result_data;
  r->table = table;
  r->processed = processed;
  link_result(c, r);
  return r;
}

void invalidate_results(call_state &c, SubTransactionId subxact) noexcept {
  for (result_data *r = c.results, *next; r; r = next) {
    next = r->next;
    if (r->subxact >= subxact) {
      unlink(r);
      r->alive = false;
      r->table = nullptr; // freed by the subtransaction's rollback
    }
  }
}

void free_results(call_state &c) noexcept {
  for (result_data *r = c.results, *next; r; r = next) {
    next = r->next;
    SPITupleTable *table = r->table;
    bool own = r->own_table; // a table plcpp built (cursor::fetch's join): not SPI's to free
    if (table)
      pg_cleanup([=] {
        if (own)
          MemoryContextDelete(table->tuptabcxt);
        else
          SPI_freetuptable(table);
      });
    unlink(r);
    r->alive = false;
    r->table = nullptr;
  }
}

// What a query returns when it is not run (unwinding_after_error): no rows, no columns.
result_data *empty_result(call_state &c) {
  auto *r = new result_data;
  link_result(c, r);
  return r;
}

result_data *run_query(std::string_view sql, int n, const Oid *types, const raw_datum *values,
                       const char *nulls) {
  call_state &c = call();
  if (unwinding_after_error()) return empty_result(c);
  spi_connect();
  std::string text(sql);
  const char *src = text.c_str();
  bool ro = c.read_only;
  bool infer = any_unknown(n, types);
  int rc = pg_call([=] {
    if (n == 0) return SPI_execute(src, ro, 0);
    if (infer) {
      ParamListInfo params;
      SPIPlanPtr plan = prepare_inferring(src, n, types, values, nulls, &params);
      int result = SPI_execute_plan_with_paramlist(plan, params, ro, 0);
      SPI_freeplan(plan);
      return result;
    }
    return SPI_execute_with_args(src, n, const_cast<Oid *>(types),
                                 reinterpret_cast<Datum *>(const_cast<raw_datum *>(values)), nulls,
                                 ro, 0);
  });
  if (rc < 0) throw_spi(rc);
  return take_spi_result(c);
}

void *plan_prepare(std::string_view sql, int n, const Oid *types) {
  // Not planned: a statement that runs no query (unwinding_after_error).
  if (unwinding_after_error()) return &unplanned;
  spi_connect();
  std::string text(sql);
  const char *src = text.c_str();
  return pg_call([=] {
    SPIPlanPtr plan = SPI_prepare(src, n, const_cast<Oid *>(types));
    if (!plan)
      elog(ERROR, "SPI_prepare failed for \"%s\": %s", src, SPI_result_code_string(SPI_result));
    // Saved in CacheMemoryContext and managed by the plan cache: kept across calls and
    // re-planned after DDL on the objects it uses.
    SPI_keepplan(plan);
    return static_cast<void *>(plan);
  });
}

void plan_free(void *plan) noexcept {
  if (!plan || plan == &unplanned) return;
  // A destructor cannot throw: an error here ends the call when the body returns.
  pg_cleanup([=] { SPI_freeplan(static_cast<SPIPlanPtr>(plan)); });
}

result_data *plan_run(void *plan, const raw_datum *values, const char *nulls) {
  call_state &c = call();
  if (unwinding_after_error()) return empty_result(c);
  if (plan == &unplanned) throw_unplanned();
  spi_connect();
  bool ro = c.read_only;
  int rc = pg_call([=] {
    return SPI_execute_plan(static_cast<SPIPlanPtr>(plan),
                            reinterpret_cast<Datum *>(const_cast<raw_datum *>(values)), nulls, ro,
                            0);
  });
  if (rc < 0) throw_spi(rc);
  return take_spi_result(c);
}

std::string cursor_open(std::string_view sql, void *plan, int n, const Oid *types,
                        const raw_datum *values, const char *nulls) {
  call_state &c = call();
  if (unwinding_after_error()) return {}; // a closed cursor: fetch returns no rows
  if (plan == &unplanned) throw_unplanned();
  spi_connect();
  std::string text(sql);
  const char *src = text.c_str();
  bool ro = c.read_only;
  bool infer = !plan && any_unknown(n, types);
  const char *name = pg_call([=] {
    Datum *v = reinterpret_cast<Datum *>(const_cast<raw_datum *>(values));
    if (infer) {
      ParamListInfo params;
      SPIPlanPtr adhoc = prepare_inferring(src, n, types, values, nulls, &params);
      Portal p = SPI_cursor_open_with_paramlist(nullptr, adhoc, params, ro);
      SPI_freeplan(adhoc);
      return p->name;
    }
    Portal p = plan ? SPI_cursor_open(nullptr, static_cast<SPIPlanPtr>(plan), v, nulls, ro)
                    : SPI_cursor_open_with_args(nullptr, src, n, const_cast<Oid *>(types), v, nulls,
                                                ro, 0);
    return p->name;
  });
  return name;
}

void throw_param_count(std::size_t expected, std::size_t given) {
  throw sql_error("42601", "prepared statement takes " + std::to_string(expected) + " parameter" +
                               (expected == 1 ? "" : "s") + ", but " + std::to_string(given) +
                               (given == 1 ? " was" : " were") + " given");
}

subxact_token subxact_begin() {
  call_state &c = call();
  spi_connect(); // before the subtransaction: a rollback must not take the connection along
  subxact_token t{CurrentResourceOwner, CurrentMemoryContext, 0};
  t.id = pg_call([] {
    BeginInternalSubTransaction(nullptr);
    return GetCurrentSubTransactionId();
  });
  ++c.subxact_depth;
  return t;
}

void subxact_commit(const subxact_token &t) {
  call_state &c = call();
  // The body swallowed an error inside the subtransaction: it cannot commit. Roll it back and
  // let that error leave spi::subtransaction, as if the body had not caught it.
  if (void *swallowed = pending_error_since(c.subxact_depth)) {
    subxact_abort(t);
    throw_error_data(swallowed);
  }
  // If even the release fails, its error is unforgivable: no outer subtransaction may
  // pretend to recover from it.
  if (!pg_cleanup([] { ReleaseCurrentSubTransaction(); }))
    throw_error_data(current_pending_error());
  CurrentResourceOwner = static_cast<ResourceOwner>(t.owner);
  --c.subxact_depth;
}

void subxact_abort(const subxact_token &t) noexcept {
  call_state &c = *current_call;
  // Results made inside are freed by the rollback; errors raised inside are forgiven.
  invalidate_results(c, static_cast<SubTransactionId>(t.id));
  int depth = --c.subxact_depth;
  forgive_pending_error(depth);
  // If even the rollback fails, its error becomes the call's unforgivable pending error: the
  // exception in flight still unwinds the body, and the handler raises that error.
  pg_cleanup([] { RollbackAndReleaseCurrentSubTransaction(); });
  MemoryContextSwitchTo(static_cast<MemoryContext>(t.context));
  CurrentResourceOwner = static_cast<ResourceOwner>(t.owner);
}

} // namespace plcpp::detail

namespace plcpp {

using detail::alive;

std::size_t row::size() const {
  const auto &d = alive(d_);
  return d.table ? static_cast<std::size_t>(d.table->tupdesc->natts) : 0;
}

std::size_t row::index_of(std::string_view name) const {
  const auto &d = alive(d_);
  TupleDesc desc = d.table ? d.table->tupdesc : nullptr;
  int n = desc ? desc->natts : 0;
  for (int i = 0; i < n; ++i) {
    Form_pg_attribute a = TupleDescAttr(desc, i);
    if (!a->attisdropped && name == NameStr(a->attname)) return static_cast<std::size_t>(i);
  }
  std::string columns;
  for (int i = 0; i < n; ++i)
    columns += std::string(i ? ", " : "") + NameStr(TupleDescAttr(desc, i)->attname);
  throw sql_error("42703",
                  "column \"" + std::string(name) + "\" does not exist in the query result",
                  "The result's columns are: " + columns + ".");
}

detail::cell row::cell(std::size_t col) const {
  const auto &d = alive(d_);
  std::size_t n = d.table ? static_cast<std::size_t>(d.table->tupdesc->natts) : 0;
  if (col >= n)
    throw sql_error("42703",
                    "column index " + std::to_string(col) +
                        " is out of range: the query result has " + std::to_string(n) + " column" +
                        (n == 1 ? "" : "s"),
                    "", "Column indexes start at 0.");
  TupleDesc desc = d.table->tupdesc;
  Form_pg_attribute a = TupleDescAttr(desc, static_cast<int>(col));
  bool isnull;
  Datum v = heap_getattr(d.table->vals[index_], static_cast<int>(col) + 1, desc, &isnull);
  return {static_cast<detail::raw_datum>(v), isnull, a->atttypid, NameStr(a->attname)};
}

record row::to_record() const {
  const auto &d = alive(d_);
  record r;
  if (!d.table) return r;
  // The record outlives the result: copy the tuple and its descriptor into the call's memory.
  HeapTuple source = d.table->vals[index_];
  TupleDesc source_desc = d.table->tupdesc;
  HeapTuple tuple;
  TupleDesc desc;
  detail::pg_call([&] {
    tuple = heap_copytuple(source);
    desc = CreateTupleDescCopy(source_desc);
  });
  detail::fill_record(r, tuple, desc, RECORDOID);
  return r;
}

std::size_t result::size() const {
  const auto &d = alive(d_);
  return d.table ? static_cast<std::size_t>(d.table->numvals) : 0;
}

std::uint64_t result::rows_affected() const {
  return alive(d_).processed;
}

std::size_t result::columns() const {
  const auto &d = alive(d_);
  return d.table ? static_cast<std::size_t>(d.table->tupdesc->natts) : 0;
}

std::string_view result::column_name(std::size_t col) const {
  if (col >= columns()) throw std::out_of_range("column index out of range");
  return NameStr(TupleDescAttr(d_->table->tupdesc, static_cast<int>(col))->attname);
}

Oid result::column_type(std::size_t col) const {
  if (col >= columns()) throw std::out_of_range("column index out of range");
  return TupleDescAttr(d_->table->tupdesc, static_cast<int>(col))->atttypid;
}

row result::operator[](std::size_t i) const {
  if (i >= size())
    throw std::out_of_range("row " + std::to_string(i) + " of a result of " +
                            std::to_string(size()) + " rows");
  return row(d_, i);
}

result::iterator result::begin() const {
  alive(d_);
  return iterator(d_, 0);
}

result::iterator result::end() const {
  return iterator(d_, size());
}

void result::release() noexcept {
  detail::result_unref(d_);
  d_ = nullptr;
}

namespace {

// The next up-to-n rows of the portal, as SPI reads them.
detail::result_data *portal_fetch(const std::string &name, std::size_t n) {
  detail::call_state &c = detail::call();
  if (detail::unwinding_after_error()) return detail::empty_result(c);
  if (name.empty()) throw sql_error("34000", "cursor is closed");
  detail::spi_connect(); // a cursor kept in a static is fetched by a later call
  Portal p = detail::find_portal(name);
  long count = static_cast<long>(std::min<std::size_t>(n, LONG_MAX));
  detail::pg_call([=] { SPI_cursor_fetch(p, true, count); });
  return detail::take_spi_result(c);
}

// Rows [from, from + count) of `ahead` followed by the rows of `more` (may be null), copied
// into a table of their own: a result that fetch() returns while range-for's read-ahead
// buffer still holds rows the loop did not reach.
detail::result_data *join_rows(const detail::result_data &ahead, std::size_t from,
                               std::size_t count, const detail::result_data *more) {
  detail::call_state &c = detail::call();
  SPITupleTable *first = ahead.table, *second = more ? more->table : nullptr;
  std::size_t extra = second ? static_cast<std::size_t>(second->numvals) : 0;
  SPITupleTable *table = detail::pg_call([=] {
    MemoryContext cxt = AllocSetContextCreate(MemoryContextGetParent(first->tuptabcxt),
                                              "PL/C++ cursor rows", ALLOCSET_DEFAULT_SIZES);
    MemoryContext old = MemoryContextSwitchTo(cxt);
    auto *t = static_cast<SPITupleTable *>(palloc0(sizeof(SPITupleTable)));
    t->tuptabcxt = cxt;
    t->tupdesc = CreateTupleDescCopy(first->tupdesc);
    t->alloced = count + extra;
    t->vals = static_cast<HeapTuple *>(palloc(sizeof(HeapTuple) * (count + extra + 1)));
    for (std::size_t i = 0; i < count; ++i)
      t->vals[t->numvals++] = heap_copytuple(first->vals[from + i]);
    for (std::size_t i = 0; i < extra; ++i)
      t->vals[t->numvals++] = heap_copytuple(second->vals[i]);
    t->subid = GetCurrentSubTransactionId();
    MemoryContextSwitchTo(old);
    return t;
  });
  auto *r = new detail::result_data;
  r->table = table;
  r->processed = table->numvals;
  r->own_table = true;
  detail::link_result(c, r);
  return r;
}

} // namespace

namespace {

// Rows range-for read ahead in a call that has ended (a cursor kept in a static, its loop left
// with break) were freed with that call, and the portal is past them: say so rather than skip.
void check_ahead(const result &ahead) {
  const detail::result_data *d = ahead.data();
  if (d && !d->alive)
    throw sql_error("55000", "rows of the cursor that a loop read ahead are no longer available",
                    "Range-for reads 1000 rows ahead; a loop left with break in an earlier call "
                    "(or a rolled back subtransaction) left rows behind that were freed with it.",
                    "For a cursor kept across calls, read it with fetch(n).");
}

} // namespace

result cursor::fetch(std::size_t n) {
  std::size_t left = ahead_next_ < ahead_size_ ? ahead_size_ - ahead_next_ : 0;
  if (left) check_ahead(ahead_);
  if (left == 0) {
    ahead_ = result(); // bounded memory: the read-ahead buffer is done with
    ahead_size_ = ahead_next_ = 0;
    return result(portal_fetch(name_, n));
  }
  // Rows range-for read ahead come first: the portal is already past them.
  std::size_t take = std::min(n, left);
  result more;
  if (n > take) more = result(portal_fetch(name_, n - take));
  result joined(join_rows(detail::alive(ahead_.data()), ahead_next_, take, more.data()));
  ahead_next_ += take;
  if (ahead_next_ == ahead_size_) {
    ahead_ = result();
    ahead_size_ = ahead_next_ = 0;
  }
  return joined;
}

void cursor::ahead_fill() {
  if (ahead_next_ < ahead_size_) {
    check_ahead(ahead_);
    return;
  }
  ahead_ = result(); // release the consumed batch before reading the next one
  ahead_size_ = ahead_next_ = 0;
  ahead_ = result(portal_fetch(name_, 1000));
  ahead_size_ = ahead_.size();
}

void cursor::close() noexcept {
  if (name_.empty()) return;
  const char *n = name_.c_str();
  // After a PostgreSQL error nothing more runs in PostgreSQL for the portal: the abort that
  // follows closes it (SPI cursors do not outlive their transaction).
  if (detail::current_pending_error()) {
    name_.clear();
    return;
  }
  // A destructor cannot throw: an error here (a cancel) ends the call when the body returns.
  detail::pg_cleanup([=] {
    Portal p = SPI_cursor_find(n);
    if (p) SPI_cursor_close(p);
  });
  name_.clear();
}

} // namespace plcpp
