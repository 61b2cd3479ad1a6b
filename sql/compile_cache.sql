-- Compiled code is cached on disk (plcpp.cache_dir) and shared by sessions: a new session
-- loads it instead of compiling. (Restarts, damaged files, an unwritable directory and
-- concurrent first calls: test/server/cache_test.sh.)
-- The cache outlives databases: start from an empty one so that counts are this test's own.
SELECT plcpp.compile_cache_purge() >= 0 AS emptied;
CREATE FUNCTION cache_probe(a int) RETURNS int LANGUAGE plcpp STRICT AS $$ return a * 7; $$;
SELECT cache_probe(6);
SELECT count(*) AS entries, min(hits) AS hits, bool_and(size > 1000) AS sized,
       bool_and(compile_ms > 0) AS timed, bool_and(length(key) = 32) AS keyed,
       bool_and(compiled_at <= now() AND last_used <= now()) AS dated,
       min(opt_level) AS opt_level -- a core unit (return a * 7): -O2 at once, not tiered
  FROM plcpp.compile_cache WHERE function = 'cache_probe(integer)';

-- a new session loads it from the cache: one hit, no new entry
\c
SELECT cache_probe(6);
SELECT count(*) AS entries, min(hits) AS hits
  FROM plcpp.compile_cache WHERE function = 'cache_probe(integer)';

-- a replaced body is a new entry; the old one stays until purged
CREATE OR REPLACE FUNCTION cache_probe(a int) RETURNS int LANGUAGE plcpp STRICT AS $$
  return a * 8; $$;
SELECT cache_probe(6);
SELECT count(*) AS entries FROM plcpp.compile_cache WHERE function = 'cache_probe(integer)';

-- warnings are shown again when CREATE FUNCTION finds the code in the cache
CREATE FUNCTION cache_warns() RETURNS int LANGUAGE plcpp AS $$ int unused = 2.5; return 1; $$;
DROP FUNCTION cache_warns();
CREATE FUNCTION cache_warns() RETURNS int LANGUAGE plcpp AS $$ int unused = 2.5; return 1; $$;

-- a function whose static objects have constructors and destructors behaves the same when
-- loaded from the cache
CREATE FUNCTION cache_static() RETURNS text LANGUAGE plcpp AS $$
  static std::string greeting = std::string("hello, ") + "static";
  static int calls = 0;
  return greeting + " " + std::to_string(++calls);
$$;
SELECT cache_static(), cache_static();
\c
SELECT cache_static(), cache_static();
-- replaced: the old version's static destructors run, the new one starts afresh
CREATE OR REPLACE FUNCTION cache_static() RETURNS text LANGUAGE plcpp AS $$
  static std::string greeting = "replaced";
  return greeting;
$$;
SELECT cache_static();

-- purge: everything unused for an hour stays, everything goes with NULL
SELECT plcpp.compile_cache_purge('1 hour') AS purged_old;
SELECT count(*) > 0 AS still_there FROM plcpp.compile_cache WHERE function = 'cache_probe(integer)';
SELECT plcpp.compile_cache_purge() > 0 AS purged_all;
-- (counting one function: the background worker may still be storing optimized code)
SELECT count(*) AS left_after_purge FROM plcpp.compile_cache WHERE function = 'cache_probe(integer)';
-- code already loaded keeps running; a new session compiles again
SELECT cache_probe(6);
\c
SELECT cache_probe(6);
SELECT count(*) AS entries FROM plcpp.compile_cache WHERE function = 'cache_probe(integer)';

-- only superusers see or purge the cache
CREATE ROLE cache_outsider;
SET ROLE cache_outsider;
SELECT count(*) FROM plcpp.compile_cache;
SELECT plcpp.compile_cache_purge();
RESET ROLE;
DROP ROLE cache_outsider;
SHOW plcpp.cache_dir;
SHOW plcpp.opt_level;
SHOW plcpp.tiered_compilation;
