-- Recursion in bodies (issue 18): every function written in a body checks at its entry the
-- stack depth against max_stack_depth (54001, as PL/pgSQL) and pending interrupts, so that
-- unbounded recursion is an error, not a SIGSEGV that restarts the server, and deep but
-- finite recursion stops on statement_timeout (jit/interrupt_pass.h).
\set VERBOSITY default
-- Each unbounded recursion stores its result in a volatile after the call: without that the
-- optimizer may turn `return self(self, k + 1) + 1` into a loop (tail recursion with an
-- accumulator), which never overflows (and is cancellable like any loop).

-- a recursive generic lambda, without bound
CREATE FUNCTION deep_generic(n int) RETURNS int LANGUAGE plcpp STRICT AS $$
  static volatile int sink;
  auto down = [](auto &self, int k) -> int { int r = self(self, k + 1); sink = r; return r + 1; };
  return down(down, n);
$$;
SELECT deep_generic(0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'backend alive' AS after_generic_lambda;

-- through std::function
CREATE FUNCTION deep_function(n int) RETURNS int LANGUAGE plcpp STRICT AS $$
  static volatile int sink;
  std::function<int(int)> down = [&](int k) { int r = down(k + 1); sink = r; return r + 1; };
  return down(n);
$$;
SELECT deep_function(0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- a member function of a local class (a nested function)
CREATE FUNCTION deep_member(n int) RETURNS int LANGUAGE plcpp STRICT AS $$
  struct walker {
    volatile int sink;
    int step(int k) { int r = step(k + 1); sink = r; return r * 2 + 1; }
  };
  return walker{}.step(n);
$$;
SELECT deep_member(0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- a template instantiated with the body's own type: a recursive function template through a
-- generic lambda that takes a large frame (one more kind of frame, 4 kB each)
CREATE FUNCTION deep_template(n int) RETURNS int LANGUAGE plcpp STRICT AS $$
  auto down = [](auto &self, auto k) -> decltype(k) {
    volatile char pad[4096];
    pad[k % 4096] = 1;
    auto r = self(self, k + 1);
    pad[1] = 1;
    return r + pad[0];
  };
  return static_cast<int>(down(down, static_cast<std::int64_t>(n)));
$$;
SELECT deep_template(0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- the error can be caught in the body like any other (the recursion has unwound by then)
CREATE FUNCTION deep_caught(n int) RETURNS text LANGUAGE plcpp STRICT AS $$
  static volatile int sink;
  std::function<int(int)> down = [&](int k) { int r = down(k + 1); sink = r; return r + 1; };
  try {
    return std::to_string(down(n));
  } catch (const plcpp::sql_error &e) {
    return e.sqlstate() + " " + e.message();
  }
$$;
SELECT deep_caught(0);

-- the limit follows max_stack_depth (SET between calls): 2000 levels fit in the default
-- 2MB, not in 100kB
CREATE FUNCTION depth(n int) RETURNS int LANGUAGE plcpp STRICT AS $$
  std::function<int(int)> down = [&](int k) { return k == 0 ? 0 : down(k - 1) + 1; };
  return down(n);
$$;
SELECT depth(2000);
SET max_stack_depth = '100kB';
SELECT depth(100);
SELECT depth(2000);
RESET max_stack_depth;
SELECT depth(2000);

-- deep but finite recursion stops on statement_timeout (57014): naive fib(60) would run for
-- hours; the timeout is set around the call only (compiling may take longer than it)
CREATE FUNCTION fib(n int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  auto f = [](auto &self, std::int64_t k) -> std::int64_t {
    return k < 2 ? k : self(self, k - 1) + self(self, k - 2);
  };
  return f(f, n);
$$;
SELECT fib(20);
-- (terse: the line the context names depends on which call the cancel lands in)
\set VERBOSITY terse
SET statement_timeout = '300ms';
SELECT fib(60);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET statement_timeout;
\set VERBOSITY default

-- and through std::function
CREATE FUNCTION fib_function(n int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  std::function<std::int64_t(std::int64_t)> f = [&](std::int64_t k) -> std::int64_t {
    return k < 2 ? k : f(k - 1) + f(k - 2);
  };
  return f(n);
$$;
\set VERBOSITY terse
SET statement_timeout = '300ms';
SELECT fib_function(60);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET statement_timeout;
\set VERBOSITY default

SELECT 'backend alive' AS at_the_end, fib(10) AS fib_10;
