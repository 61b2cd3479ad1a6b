// runtime/pg_call.h — the one door from C++ into PostgreSQL functions that can raise.
//
// pg_call(f) runs f under PG_TRY (in pg_call.cpp). If PostgreSQL raises an ERROR inside, the
// error is caught, copied and flushed, and a plcpp::sql_error is thrown once PG_TRY's frame is
// gone, so C++ destructors run normally. f must touch plain data only: a longjmp out of
// PostgreSQL skips f's own frame.
//
// Outside a subtransaction a caught error cannot be recovered from (locks, buffers, the
// transaction state may be inconsistent), so it becomes the call's *pending error*: every later
// pg_call throws it again without entering PostgreSQL, and the handler raises it when the body
// returns, even if the body swallowed the exception. Inside spi::subtransaction the error
// belongs to the subtransaction: rolling it back forgives it.
#pragma once

#include <plcpp/errors.hpp>

#include <type_traits>
#include <utility>

namespace plcpp::detail {

// Runs fn(arg) under PG_TRY; throws sql_error if it raised.
PLCPP_API void pg_call_raw(void (*fn)(void *), void *arg);

template <class F> auto pg_call(F &&f) {
  using R = decltype(f());
  if constexpr (std::is_void_v<R>) {
    pg_call_raw([](void *p) { (*static_cast<std::remove_reference_t<F> *>(p))(); }, &f);
  } else {
    static_assert(std::is_trivially_copyable_v<R>, "pg_call results must be plain data");
    struct ctx {
      std::remove_reference_t<F> *f;
      R result;
    } c{&f, R{}};
    pg_call_raw(
        [](void *p) {
          auto *c = static_cast<ctx *>(p);
          c->result = (*c->f)();
        },
        &c);
    return c.result;
  }
}

// For cleanup that cannot throw (destructors, rollback): runs fn(arg) under PG_TRY and returns
// false if PostgreSQL raised; the error then becomes the call's unforgivable pending error,
// unless one is pending already: the first error is the one the client gets.
PLCPP_API bool pg_call_noexcept(void (*fn)(void *), void *arg) noexcept;
template <class F> bool pg_cleanup(F &&f) noexcept {
  return pg_call_noexcept([](void *p) { (*static_cast<std::remove_reference_t<F> *>(p))(); }, &f);
}

// A PostgreSQL error is pending and an exception is unwinding the body: the runtime call
// comes from a destructor, which must not throw (std::terminate) and has no business running
// PostgreSQL code after the error. Messages are dropped and queries return an empty result;
// the call ends with the pending error anyway.
bool unwinding_after_error() noexcept;

// The pending error of the current call (an ErrorData*), or nullptr; see above. The handler
// clears it when a call starts and takes it when the body returns.
void *take_pending_error() noexcept;
void clear_pending_error() noexcept;
// Called after rolling back to subtransaction depth `depth`: errors raised deeper are gone.
void forgive_pending_error(int depth) noexcept;
void *current_pending_error() noexcept;
// The pending error if it was raised at subtransaction depth >= depth, else nullptr.
void *pending_error_since(int depth) noexcept;
// Throws the sql_error for an ErrorData* (without making it pending).
[[noreturn]] void throw_error_data(void *edata);

} // namespace plcpp::detail
