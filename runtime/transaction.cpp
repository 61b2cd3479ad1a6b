// runtime/transaction.cpp — spi::commit/rollback: transaction control in CALL and DO.
//
// As PL/pgSQL and PL/Python do, the handler connects SPI non-atomic when the call may end
// transactions (a CALL or DO outside a transaction block: CallContext / InlineCodeBlock
// ->atomic is false); SPI_commit and SPI_rollback then end the transaction and start a new
// one. What lives in memory of the ended transaction must not be used after it:
//   - the call's state, scratch memory and pending error live in the caller's context (the
//     portal's, for CALL and DO), which outlives the transaction;
//   - SPI's own contexts of a non-atomic connection hang below the portal's context too;
//   - query results are freed here first (a result read later raises 55000, not a
//     use-after-free; freeing also keeps a long batch loop's memory flat);
//   - cursors (portals) of the transaction are closed by the commit or rollback (a fetch
//     raises 34000), as PL/pgSQL's OPENed cursors;
//   - prepared statements (SPI_keepplan) belong to no transaction and survive.
// A failing COMMIT (a deferred constraint) has rolled back and started a new transaction
// inside SPI before it raises; the error then ends the call, as in PL/pgSQL.
#include <plcpp/spi.hpp>

#include "call_state.h"
#include "pg_call.h"
#include "result_data.h"

namespace plcpp::detail {
namespace {

void end_transaction(bool commit, bool chain) {
  call_state &c = call();
  const char *what = commit ? "commit" : "roll back";
  if (!c.nonatomic)
    throw sql_error("2D000", "invalid transaction termination",
                    std::string("A PL/C++ body can ") + what +
                        " its transaction only in a procedure called by CALL, or a DO block, "
                        "run outside a transaction block (not in a function, nor inside BEGIN "
                        "... COMMIT).");
  if (c.subxact_depth > 0)
    throw sql_error("2D000", std::string("cannot ") + what + " while a subtransaction is active",
                    "spi::commit() and spi::rollback() cannot run inside spi::subtransaction.");
  spi_connect();
  free_results(c);
  pg_call([=] {
    if (commit)
      chain ? SPI_commit_and_chain() : SPI_commit();
    else
      chain ? SPI_rollback_and_chain() : SPI_rollback();
  });
}

} // namespace
} // namespace plcpp::detail

namespace plcpp::spi {

void commit() {
  detail::end_transaction(true, false);
}
void rollback() {
  detail::end_transaction(false, false);
}
void commit_and_chain() {
  detail::end_transaction(true, true);
}
void rollback_and_chain() {
  detail::end_transaction(false, true);
}

} // namespace plcpp::spi
