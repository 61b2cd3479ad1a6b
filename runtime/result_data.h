// runtime/result_data.h — the runtime side of plcpp::result (internal).
#pragma once

#include "call_state.h"

extern "C" {
#include "executor/spi.h"
}

namespace plcpp::detail {

// One SPI result. Live results of a call are linked in call_state::results, so that the end
// of the call, or the rollback of the subtransaction that made them, can mark them dead
// (their SPITupleTable is freed by SPI then): a dead result raises instead of reading freed
// memory. Allocated with new, deleted by plcpp::result.
struct result_data {
  SPITupleTable *table = nullptr; // null for commands that return no rows
  uint64 processed = 0;
  bool alive = true;
  int refs = 1;                 // the result object and its rows (single-threaded: a plain counter)
  SubTransactionId subxact = 0; // the subtransaction that ran the query
  // The table was built by plcpp (cursor::fetch after range-for), not by SPI: freed by deleting
  // its memory context, a child of SPI's procedure context (so SPI_finish frees it too).
  bool own_table = false;
  call_state *owner = nullptr;
  result_data *prev = nullptr, *next = nullptr;
};

// Wraps SPI_tuptable/SPI_processed after a successful SPI call.
result_data *take_spi_result(call_state &c);
// A result with no rows and no columns, for a query that was not run.
result_data *empty_result(call_state &c);
// Marks dead the results made in subtransaction `subxact` or later ones: as SPI itself, which
// frees their tuple tables when `subxact` rolls back (ids grow within a transaction, so a
// committed sibling's results survive).
void invalidate_results(call_state &c, SubTransactionId subxact) noexcept;

// Frees every live result of the call and marks it dead (before its transaction ends).
void free_results(call_state &c) noexcept;

// Parameters of type unknown (std::nullopt, plcpp::datum) need their type from the query.
bool any_unknown(int n, const Oid *types);
// Inside pg_call: plans `src` inferring those types; returns the plan (free it with
// SPI_freeplan) and the parameter list with the values converted to the inferred types.
SPIPlanPtr prepare_inferring(const char *src, int n, const Oid *types, const raw_datum *values,
                             const char *nulls, ParamListInfo *params);

// The current call, which must be set-returning (else an error saying so).
call_state &srf_call();
// Plain C (may ereport; inside pg_call): runs src with the given parameters and appends its
// rows to the call's tuplestore, converted by position to the result type as RETURN QUERY
// does. Returns SPI's result code.
int query_into_tuplestore(call_state *state, const char *src, int n, const Oid *types,
                          const raw_datum *values, const char *nulls, bool read_only);
// The same for a prepared plan without parameters.
int plan_into_tuplestore(call_state *state, SPIPlanPtr plan, bool read_only);

} // namespace plcpp::detail
