-- Errors both ways across the C++/PostgreSQL boundary.
-- show_error() runs a statement and prints what the client would receive.
CREATE FUNCTION show_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text; ctx text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
  RAISE NOTICE E'sqlstate=% message=%\ndetail=%\nhint=%\ncontext=%', st, msg, det, hnt,
    split_part(ctx, E'\n', 1);
END $$;

-- a C++ exception: SQLSTATE 38000, what() as the message, context names the function
CREATE FUNCTION thrower(x int) RETURNS int LANGUAGE plcpp STRICT AS $$
  if (x > 0) throw std::runtime_error("boom " + std::to_string(x));
  return x;
$$;
SELECT show_error('SELECT thrower(3)');
SELECT thrower(3);
SELECT thrower(0);   -- the backend lives and the function works again
-- destructors run while the exception unwinds
CREATE FUNCTION raii() RETURNS int LANGUAGE plcpp AS $$
  struct guard { ~guard() { notice("guard destroyed"); } } g;
  throw std::out_of_range("unwound");
$$;
SELECT show_error('SELECT raii()');

-- error(): any SQLSTATE, detail, hint
CREATE FUNCTION validate(age int) RETURNS int LANGUAGE plcpp STRICT AS $$
  if (age < 0)
    error("age must not be negative", {.sqlstate = "22023", .detail = "age was " +
          std::to_string(age), .hint = "Pass zero or more."});
  if (age > 200) error("implausible age");
  return age;
$$;
SELECT show_error('SELECT validate(-1)');
SELECT show_error('SELECT validate(300)');
SELECT validate(-1);
SELECT validate(30);
-- an invalid SQLSTATE is itself an error, not undefined behaviour
CREATE FUNCTION bad_state() RETURNS int LANGUAGE plcpp AS $$
  error("x", {.sqlstate = "nope"});
$$;
SELECT show_error('SELECT bad_state()');
-- a plcpp error caught by PL/pgSQL is an ordinary SQL error
DO $$ BEGIN PERFORM validate(-5); EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'caught by plpgsql: %', SQLERRM; END $$;

-- absurd allocations: std::bad_alloc -> 53200, the backend lives
CREATE FUNCTION hog(n int8) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  std::vector<char> v(static_cast<std::size_t>(n));
  asm volatile("" : : "r"(v.data()) : "memory");  // C++ lets Clang elide unused allocations
  return static_cast<int64_t>(v.size());
$$;
SELECT show_error('SELECT hog(1::int8 << 50)');
SELECT hog(10000000) AS ten_megabytes_are_fine;
CREATE FUNCTION too_long() RETURNS int8 LANGUAGE plcpp AS $$
  std::string s;
  s.reserve(s.max_size() + 1);
  return 0;
$$;
SELECT show_error('SELECT too_long()');
SELECT add_one(1) AS still_alive;

-- returning text that is not valid in the database encoding: the server's own error
CREATE FUNCTION bad_utf8() RETURNS text LANGUAGE plcpp AS $$ return std::string("a\xff"); $$;
SELECT show_error('SELECT bad_utf8()');
CREATE FUNCTION nul_byte() RETURNS text LANGUAGE plcpp AS $$
  return std::string("a\0b", 3);
$$;
SELECT show_error('SELECT nul_byte()');
-- a PostgreSQL error inside an API call is a plcpp::sql_error the body can catch...
CREATE FUNCTION catch_it() RETURNS text LANGUAGE plcpp AS $$
  std::string seen;
  try {
    detail::text_datum("\xff");   // internal API; any runtime call that fails behaves alike
  } catch (const sql_error& e) {
    seen = e.sqlstate();           // even notice() here would rethrow the pending error
  }
  return "went on after " + seen;
$$;
-- ...but outside a subtransaction the call cannot go on: the original error is raised.
SELECT show_error('SELECT catch_it()');
-- other exception types caught inside the body are fine
CREATE FUNCTION catch_std() RETURNS text LANGUAGE plcpp AS $$
  try { throw std::logic_error("inner"); } catch (const std::exception& e) {
    return std::string("recovered from ") + e.what();
  }
$$;
SELECT catch_std();
-- an error in a nested plcpp call reaches the outer caller unchanged
CREATE FUNCTION outer_call() RETURNS int LANGUAGE plpgsql AS $$
BEGIN RETURN thrower(7); END $$;
SELECT show_error('SELECT outer_call()');
