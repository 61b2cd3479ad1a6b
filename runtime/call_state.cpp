// runtime/call_state.cpp — the current call, its lazily connected SPI and scratch memory.
#include "call_state.h"

#include <plcpp/spi.hpp>

#include "pg_call.h"
#include "result_data.h"

extern "C" {
#include "executor/spi.h"
}

namespace plcpp::detail {

call_state *current_call = nullptr;

namespace {
std::uint64_t last_call_id = 0;
}

void enter_call(call_state &state, call_state *outer) noexcept {
  state.id = ++last_call_id;
  state.outer = outer;
  current_call = &state;
}

std::uint64_t call_id() noexcept {
  return current_call ? current_call->id : 0;
}

bool call_alive(std::uint64_t id) noexcept {
  // Calls nest: the live ones are the current call and those it runs inside.
  for (const call_state *c = current_call; c; c = c->outer)
    if (c->id == id) return true;
  return false;
}

void check_alive(std::uint64_t id, const char *what) {
  if (id != 0 && call_alive(id)) return;
  throw sql_error("55000", std::string(what) + " used after the call that made it ended",
                  "Its values live in the memory of that call (a row, an argument, a query "
                  "result), which is freed when the call returns.",
                  "Keep copies across calls: std::string, std::vector and other C++ values, "
                  "not records, rows, results or views.");
}

call_state &call() {
  if (!current_call)
    throw sql_error("55000", "the PL/C++ runtime was used outside a function call",
                    "It is available only while a PL/C++ function or DO block runs.");
  return *current_call;
}

void spi_connect() {
  call_state &c = call();
  if (c.spi_connected) return;
  // Connect in the caller's context: SPI_finish returns to the context current at
  // SPI_connect, which must outlive the call (not the scratch context of a query).
  MemoryContext caller = c.caller_context;
  TriggerData *trigger = c.trigger_data;
  int options = c.nonatomic ? SPI_OPT_NONATOMIC : 0;
  int rc = pg_call([=] {
    MemoryContextSwitchTo(caller);
    int result = SPI_connect_ext(options);
    // Transition tables (REFERENCING NEW TABLE AS ...) become visible to queries.
    if (result == SPI_OK_CONNECT && trigger) SPI_register_trigger_data(trigger);
    return result;
  });
  if (rc != SPI_OK_CONNECT)
    throw sql_error("XX000", std::string("SPI_connect failed: ") + SPI_result_code_string(rc));
  c.spi_connected = true; // pg_call switched back from SPI's context to the caller's
}

void end_call(call_state &state) noexcept {
  // Results still alive (held in a static) point into SPI memory that SPI_finish frees.
  for (result_data *r = state.results; r; r = r->next) {
    r->table = nullptr;
    r->alive = false;
    r->owner = nullptr;
  }
  state.results = nullptr;
  delete state.trigger;
  state.trigger = nullptr;
  delete state.event_trigger;
  state.event_trigger = nullptr;
  if (state.scratch) MemoryContextDelete(state.scratch);
  state.scratch = nullptr;
}

scratch_scope::scratch_scope() {
  call_state &c = call();
  if (!c.scratch) {
    MemoryContext parent = c.caller_context;
    c.scratch = pg_call(
        [=] { return AllocSetContextCreate(parent, "PL/C++ scratch", ALLOCSET_SMALL_SIZES); });
  }
  ++c.scratch_depth;
  saved_ = MemoryContextSwitchTo(c.scratch);
}

scratch_scope::~scratch_scope() {
  call_state &c = *current_call;
  MemoryContextSwitchTo(static_cast<MemoryContext>(saved_));
  if (--c.scratch_depth == 0) MemoryContextReset(c.scratch);
}

} // namespace plcpp::detail
