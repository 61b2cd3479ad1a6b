// runtime/pg_call.cpp — PostgreSQL ERROR -> plcpp::sql_error, the only PG_TRY of the runtime.
#include "pg_call.h"

#include <string>

#include "pg.h"

namespace plcpp::detail {
namespace {

ErrorData *pending_error = nullptr;

[[noreturn]] void throw_from(ErrorData *edata) {
  sql_error e(unpack_sql_state(edata->sqlerrcode), edata->message ? edata->message : "",
              edata->detail ? edata->detail : "", edata->hint ? edata->hint : "");
  e.set_pg_error_data(edata);
  throw e;
}

} // namespace

void pg_call_raw(void (*fn)(void *), void *arg) {
  if (pending_error) throw_from(pending_error);

  MemoryContext caller_context = CurrentMemoryContext;
  ErrorData *caught = nullptr;
  PG_TRY();
  { fn(arg); }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller_context);
    caught = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();

  if (caught) {
    pending_error = caught;
    throw_from(caught);
  }
}

void *take_pending_error() noexcept {
  ErrorData *e = pending_error;
  pending_error = nullptr;
  return e;
}

void clear_pending_error() noexcept {
  pending_error = nullptr;
}

} // namespace plcpp::detail
