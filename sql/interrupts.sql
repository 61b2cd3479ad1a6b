-- Loops in bodies stop on statement_timeout (and pg_cancel_backend: test/server/cache_test.sh):
-- checks at every loop back-edge raise query_canceled (57014) as a C++ exception.
\set VERBOSITY default
-- (the timeout is set around each call only: compiling may take longer than it on a cold cache)

CREATE FUNCTION spin_while() RETURNS int LANGUAGE plcpp AS $$ while (true) {} $$;
SET statement_timeout = '300ms';
SELECT spin_while();
RESET statement_timeout;
-- nothing in it can throw but the check (Clang would call it nounwind)
CREATE FUNCTION spin_quiet(a int) RETURNS int LANGUAGE plcpp AS $$
  if (a) for (;;) {}
  return std::nullopt;
$$;
SET statement_timeout = '300ms';
SELECT spin_quiet(1);
RESET statement_timeout;

CREATE FUNCTION spin_for(n bigint) RETURNS bigint LANGUAGE plcpp AS $$
  std::uint64_t h = 1469598103934665603ull;
  for (std::int64_t i = 0; i != n; ++i) h = (h ^ static_cast<std::uint64_t>(i)) * 1099511628211ull;
  return static_cast<std::int64_t>(h & 0x7fffffff);
$$;
SELECT spin_for(1000) > 0 AS finite_loop_works;
SET statement_timeout = '300ms';
SELECT spin_for(-1); -- runs (practically) forever
RESET statement_timeout;

CREATE FUNCTION spin_goto() RETURNS int LANGUAGE plcpp AS $$
  volatile int x = 0;
again:
  x = x + 1;
  goto again;
$$;
SET statement_timeout = '300ms';
SELECT spin_goto();
RESET statement_timeout;

-- in a noexcept lambda called by a std algorithm's comparator
CREATE FUNCTION spin_nested() RETURNS int LANGUAGE plcpp AS $$
  auto inner = [](int k) noexcept { volatile int y = k; while (y >= 0) y = y + 1 - 1; return (int)y; };
  std::vector<int> v{3, 1, 2};
  std::sort(v.begin(), v.end(), [&](int a, int b) { return inner(a) < b; });
  return v[0];
$$;
SET statement_timeout = '300ms';
SELECT spin_nested();
RESET statement_timeout;

-- objects with destructors live across the loop: they are unwound, the session goes on
CREATE FUNCTION spin_with_objects() RETURNS int LANGUAGE plcpp AS $$
  std::vector<std::string> names(1000, std::string(100, 'x'));
  std::map<int, std::string> m;
  for (int i = 0;; i = (i + 1) % 1000) m[i] = names[i];
$$;
SET statement_timeout = '300ms';
SELECT spin_with_objects();
RESET statement_timeout;

-- catching the cancellation does not help: the next back-edge throws it again and the call
-- ends with it (as PL/pgSQL's WHEN OTHERS does not catch query_canceled)
CREATE FUNCTION spin_catching() RETURNS int LANGUAGE plcpp AS $$
  int caught = 0;
  for (;;) {
    try {
      for (;;) {}
    } catch (const plcpp::sql_error &e) {
      ++caught;
    }
  }
$$;
SET statement_timeout = '300ms';
SELECT spin_catching();
RESET statement_timeout;

-- the same, inside spi::subtransaction: rolled back, and still the end of the call
CREATE FUNCTION spin_in_subtransaction() RETURNS int LANGUAGE plcpp AS $$
  for (;;) {
    try {
      spi::subtransaction([] { for (;;) {} });
    } catch (...) {
    }
  }
$$;
SET statement_timeout = '300ms';
SELECT spin_in_subtransaction();
RESET statement_timeout;

-- an SRF that yields forever
CREATE FUNCTION spin_srf() RETURNS SETOF int LANGUAGE plcpp AS $$
  for (int i = 0;; ++i) yield(i);
$$;
SET statement_timeout = '300ms';
SELECT count(*) FROM spin_srf();
RESET statement_timeout;

-- a DO block
SET statement_timeout = '300ms';
DO LANGUAGE plcpp $$ for (;;) {} $$;
RESET statement_timeout;

-- the session is healthy afterwards, and the SQLSTATE is query_canceled
SELECT spin_for(10) > 0 AS still_works;
SET statement_timeout = '100ms';
DO $$
BEGIN
  PERFORM spin_while();
EXCEPTION WHEN query_canceled THEN
  RAISE NOTICE 'caught %', SQLSTATE;
END $$;
RESET statement_timeout;
-- a loop in cleanup code runs to its end while the interrupt unwinds (no second exception)
CREATE FUNCTION spin_cleanup() RETURNS int LANGUAGE plcpp AS $$
  struct slow_cleanup {
    std::vector<std::string> items = std::vector<std::string>(200000, std::string(40, 'y'));
  } big[4];
  for (;;) {}
$$;
SET statement_timeout = '300ms';
SELECT spin_cleanup();
RESET statement_timeout;
SELECT spin_for(10) > 0 AS still_works;
