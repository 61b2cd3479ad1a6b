-- plcpp.compile_all(schema): compiles, ahead of their first call, the functions whose code the
-- compiled-code cache does not have (after pg_restore, an upgrade, or a purge), one row per
-- function; a function that does not compile is reported and the others go on.
-- Tiered compilation off until its own check below: its optimizer worker stores objects in the
-- background, so what the cache holds would depend on timing.
SET plcpp.tiered_compilation = off;
CREATE SCHEMA ca;
CREATE FUNCTION ca.a_core(x int) RETURNS int LANGUAGE plcpp STRICT AS $$ return x + 1; $$;
CREATE FUNCTION ca.c_regular(s text) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::string out(s);
  std::reverse(out.begin(), out.end());
  return out;
$$;
CREATE FUNCTION ca.d_trigger() RETURNS trigger LANGUAGE plcpp AS $$ return trigger().new_row(); $$;
CREATE PROCEDURE ca.e_proc(n int) LANGUAGE plcpp AS $$ notice("e_proc ", n.value_or(0)); $$;
-- Created with check_function_bodies off (as pg_restore does): it never compiled.
SET check_function_bodies = off;
CREATE FUNCTION ca.b_broken(x int) RETURNS int LANGUAGE plcpp STRICT AS $$ return x + nope; $$;
RESET check_function_bodies;

-- An empty cache (as in a restored cluster): every good function is compiled.
SELECT plcpp.compile_cache_purge() >= 0 AS emptied;
SELECT function, status, elapsed_ms >= 0 AS timed, message
  FROM plcpp.compile_all('ca');
-- Nothing left to compile: the cache has them all (the broken one still fails).
SELECT function, status, message IS NOT NULL AS has_message FROM plcpp.compile_all('ca');
-- The functions work, and the compiled code is in the cache.
SELECT ca.a_core(41), ca.c_regular('abc');
CALL ca.e_proc(3);
SELECT count(*) AS cached FROM plcpp.compile_cache WHERE function LIKE 'ca.%';

-- Tiered (the default): after a purge a core unit compiles at -O2 at once, a regular body
-- compiles -O0 code and queues its -O2 build for the optimizer worker.
RESET plcpp.tiered_compilation;
SELECT plcpp.compile_cache_purge() > 0 AS purged;
SELECT function, status FROM plcpp.compile_all('ca') WHERE status <> 'failed';

-- All schemas (NULL): test/server/upgrade_test.sh (here it would compile the hundreds of
-- functions the other tests left).
-- A fixed function (replaced without its validator) compiles, once; a function that is not
-- PL/C++, or a missing schema, is refused.
SET plcpp.tiered_compilation = off;
SET check_function_bodies = off;
CREATE OR REPLACE FUNCTION ca.b_broken(x int) RETURNS int LANGUAGE plcpp STRICT AS $$
  return x + 2; $$;
RESET check_function_bodies;
SELECT plcpp.compile('ca.b_broken(int)'), ca.b_broken(1);
SELECT plcpp.compile('ca.b_broken(int)') AS again;
SELECT plcpp.compile('lower(text)');
SELECT * FROM plcpp.compile_all('no_such_schema');
SELECT * FROM plcpp.compile_all('pg_catalog');

-- Superusers only.
CREATE ROLE ca_user;
SET ROLE ca_user;
SELECT * FROM plcpp.compile_all('ca');
SELECT plcpp.compile('lower(text)');
RESET ROLE;
DROP ROLE ca_user;
DROP SCHEMA ca CASCADE;
