-- Runtime calls from destructors while an error unwinds the body (issue 18, item 4): they
-- must not throw out of the destructor (std::terminate ends the session) nor run PostgreSQL
-- code after the error, and the client gets the original error.
\set VERBOSITY default

-- notice() in a destructor while a PostgreSQL error (22012) unwinds the body: dropped, and
-- the call ends with the original error
CREATE FUNCTION notice_in_dtor() RETURNS int LANGUAGE plcpp AS $$
  struct logger { ~logger() { notice("logger destroyed"); } } l;
  spi::exec("SELECT 1/0");
  return 1;
$$;
SELECT notice_in_dtor();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT 'session alive' AS after_notice_in_dtor;

-- a query in a destructor while the error unwinds: not run (a sequence does not roll back:
-- it would show), no rows, no throw
CREATE SEQUENCE unwinding_seq;
CREATE FUNCTION query_in_dtor() RETURNS int LANGUAGE plcpp AS $$
  struct cleaner {
    ~cleaner() {
      auto r = spi::query("SELECT nextval('unwinding_seq')");
      auto p = spi::prepare<std::int32_t>("SELECT nextval('unwinding_seq') + $1");
      auto r2 = p.query(1);
      if (r.size() != 0 || r2.size() != 0) notice("rows while unwinding");
    }
  } c;
  spi::exec("SELECT 1/0");
  return 1;
$$;
SELECT query_in_dtor();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT is_called AS sequence_used FROM unwinding_seq;

-- an open cursor and a kept plan are cleaned up while the error unwinds; the client gets
-- the original error
CREATE FUNCTION cursor_then_error() RETURNS int LANGUAGE plcpp AS $$
  auto cur = spi::cursor("SELECT g FROM generate_series(1, 10) g");
  auto stmt = spi::prepare<std::int32_t>("SELECT $1 + 1");
  auto first = cur.fetch(2);
  spi::exec("SELECT 1/0");
  return 1;
$$;
SELECT cursor_then_error();
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- a C++ exception (no PostgreSQL error): destructors still log and still query
CREATE FUNCTION cpp_exception_dtor() RETURNS int LANGUAGE plcpp AS $$
  struct cleaner {
    ~cleaner() {
      auto n = spi::query_one<std::int64_t>("SELECT count(*) FROM generate_series(1, 3)");
      notice("cleaner counted ", n.value_or(-1));
    }
  } c;
  throw std::runtime_error("plain C++");
$$;
SELECT cpp_exception_dtor();

-- the body swallows a PostgreSQL error outside spi::subtransaction and loops on: the cancel
-- that stops it does not replace the error that started it all
CREATE FUNCTION swallow_then_spin() RETURNS int LANGUAGE plcpp AS $$
  try {
    spi::exec("SELECT 1/0");
  } catch (const plcpp::sql_error &) {
  }
  for (;;) {}
$$;
SET statement_timeout = '300ms';
SELECT swallow_then_spin();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET statement_timeout;

SELECT 'session alive' AS at_the_end;

-- Cancel inside a loop (issue 18, item 5), the bound on what is not unwound: the check at a
-- loop's back-edge is a plain call, so the locals of the function that contains the loop are
-- not destroyed; those of its callers are (the call into the looping function is an invoke
-- with their cleanups, also once inlined). A lock or kept plan held across a loop that may be
-- cancelled belongs in a caller of the loop: here the body, with the loop in a lambda.
CREATE FUNCTION locked_spin(spin bool) RETURNS int LANGUAGE plcpp STRICT AS $$
  static std::mutex m;
  static int released = 0;
  struct tracked {
    ~tracked() { ++released; }
  };
  if (!spin) {
    if (!m.try_lock()) return -1; // still locked: a call that locks it would deadlock
    m.unlock();
    return released;
  }
  std::lock_guard<std::mutex> g(m);
  tracked t;
  auto loop = [] { volatile int x = 0; for (;;) x = x + 1; };
  loop();
  return 0;
$$;
SET statement_timeout = '300ms';
SELECT locked_spin(true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT locked_spin(false) AS destructors_ran; -- 1: the guard and the tracker were destroyed
SET statement_timeout = '300ms';
SELECT locked_spin(true); -- does not deadlock
RESET statement_timeout;
SELECT locked_spin(false) AS destructors_ran;

-- the documented leak: the same objects in the frame of the loop itself stay alive
CREATE FUNCTION locked_spin_same_frame(spin bool) RETURNS int LANGUAGE plcpp STRICT AS $$
  static std::mutex m;
  if (!spin) {
    if (!m.try_lock()) return -1;
    m.unlock();
    return 0;
  }
  std::lock_guard<std::mutex> g(m);
  volatile int x = 0;
  for (;;) x = x + 1;
$$;
SET statement_timeout = '300ms';
SELECT locked_spin_same_frame(true);
RESET statement_timeout;
SELECT locked_spin_same_frame(false) AS still_locked;
