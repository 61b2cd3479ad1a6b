-- Issue 17: a memoized function's query is parsed, built, refreshed and read under the
-- search_path its owner chose (its own SET search_path, pg_temp last), never the caller's.
-- Attacks with two real roles in several sessions: test/server/memo_security_test.sh.
\set VERBOSITY default
CREATE TABLE mp_t (g text, v int);
INSERT INTO mp_t VALUES ('a', 1), ('a', 2), ('b', 3);

-- No SET search_path: refused at CREATE FUNCTION, with what to write instead.
CREATE FUNCTION mp_bad(_g text) RETURNS SETOF int LANGUAGE plcpp AS $$
  [[plcpp::memoize]]
  return sql("select v from mp_t where g = $1", _g);
$$;
-- pg_temp searched first, or anywhere but last, or a session's temporary schema by name
CREATE FUNCTION mp_bad(_g text) RETURNS SETOF int LANGUAGE plcpp
SET search_path = pg_temp, public AS $$
  [[plcpp::memoize]]
  return sql("select v from mp_t where g = $1", _g);
$$;
CREATE FUNCTION mp_bad(_g text) RETURNS SETOF int LANGUAGE plcpp
SET search_path = public, "pg_temp", pg_catalog AS $$
  [[plcpp::memoize]]
  return sql("select v from mp_t where g = $1", _g);
$$;
CREATE FUNCTION mp_bad(_g text) RETURNS SETOF int LANGUAGE plcpp
SET search_path = public, pg_temp_1 AS $$
  [[plcpp::memoize]]
  return sql("select v from mp_t where g = $1", _g);
$$;
SELECT count(*) AS mp_bad_functions FROM pg_proc WHERE proname = 'mp_bad';

-- Accepted: pg_temp last, or left out (then appended), or an empty path (pg_catalog only).
CREATE FUNCTION mp_ok(_g text) RETURNS SETOF int LANGUAGE plcpp
SET search_path = public AS $$
  [[plcpp::memoize]]
  return sql("select v from mp_t where g = $1 order by v", _g);
$$;
CREATE FUNCTION mp_last(_g text) RETURNS SETOF int LANGUAGE plcpp
SET search_path = "$user", public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select v from mp_t where g = $1 order by v", _g);
$$;
CREATE FUNCTION mp_empty(_g text) RETURNS SETOF int LANGUAGE plcpp
SET search_path = '' AS $$
  [[plcpp::memoize]]
  return sql("select v from public.mp_t where g = $1 order by v", _g);
$$;
-- A schema in which every role may create objects: accepted, with a WARNING.
CREATE SCHEMA mp_open;
GRANT CREATE ON SCHEMA mp_open TO PUBLIC;
CREATE FUNCTION mp_open(_g text) RETURNS SETOF int LANGUAGE plcpp
SET search_path = mp_open, public AS $$
  [[plcpp::memoize]]
  return sql("select v from mp_t where g = $1 order by v", _g);
$$;
DROP FUNCTION mp_open(text);
DROP SCHEMA mp_open;
SELECT p::regprocedure AS fn, plcpp.memo_search_path(p) AS path,
       plcpp.memo_version(p) ~ '^[0-9a-f]{32}$' AS versioned
  FROM unnest(ARRAY['mp_ok(text)', 'mp_last(text)', 'mp_empty(text)']::regprocedure[]) p;
SELECT plcpp.memo_search_path('plcpp.memo_function_identity(regprocedure)') AS sql_function_path,
       plcpp.memo_search_path('pg_catalog.now()') AS no_path;

-- The caller's search_path, schemas, operators and temporary tables take no part: a caller
-- whose path finds another mp_t first, with an operator = that matches everything, and a
-- temporary mp_t (searched first when a path does not name pg_temp), gets the true rows.
CREATE SCHEMA mp_evil;
CREATE TABLE mp_evil.mp_t (g text, v int);
INSERT INTO mp_evil.mp_t VALUES ('a', 666);
CREATE FUNCTION mp_evil.always(text, text) RETURNS bool LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR mp_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mp_evil.always);
CREATE TEMP TABLE mp_t (g text, v int);
INSERT INTO mp_t VALUES ('a', 999);
SET search_path = mp_evil, pg_catalog, public;
SELECT * FROM mp_ok('a');                   -- builds the view
SELECT * FROM mp_ok('a');                   -- reads it
BEGIN READ ONLY;
SELECT * FROM mp_ok('b');                   -- a miss that writes nothing: the query's rows
COMMIT;
SELECT * FROM mp_empty('a');
SHOW search_path;                           -- the caller's path is back
RESET search_path;
SELECT key, rows FROM plcpp.memo WHERE function = 'public.mp_ok(pg_catalog.text)';
DROP TABLE pg_temp.mp_t;

-- The version covers the path: ALTER FUNCTION ... SET search_path rebuilds the views, and
-- the registry's version is the function's current one.
SELECT builds FROM plcpp.memo WHERE function = 'public.mp_ok(pg_catalog.text)';
ALTER FUNCTION mp_ok(text) SET search_path = public, pg_catalog;
SELECT * FROM mp_ok('a');
SELECT builds, version = plcpp.memo_current_version(function) AS current
  FROM plcpp.memo_registry WHERE function = 'public.mp_ok(pg_catalog.text)';
SELECT plcpp.memo_search_path('mp_ok(text)') AS altered_path;
-- ALTER FUNCTION ... RESET search_path (no validator runs): the next call refuses.
ALTER FUNCTION mp_ok(text) RESET search_path;
SELECT * FROM mp_ok('a');
SELECT plcpp.memo_version('mp_ok(text)') IS NULL AS no_version;
-- memo_refresh drops views of a function that may no longer be memoized: never refreshed
CALL plcpp.memo_refresh(fn => 'mp_ok(text)');
SELECT count(*) AS mp_ok_views FROM plcpp.memo WHERE function = 'public.mp_ok(pg_catalog.text)';
ALTER FUNCTION mp_ok(text) SET search_path = public;

-- A view registered by plcpp 1.0 (its version had no path; it may have been built from a
-- caller's path) is never served: the next call rebuilds it; memo_refresh drops it.
SELECT * FROM mp_last('a');
UPDATE plcpp.memo_registry r
   SET version = md5(pg_get_functiondef('mp_last(text)'::regprocedure) || E'\n-- owner: ' ||
                     pg_get_userbyid(p.proowner))
  FROM pg_proc p WHERE p.oid = 'mp_last(text)'::regprocedure
   AND r.function = 'public.mp_last(pg_catalog.text)';
SELECT * FROM mp_last('a');
SELECT builds, version = plcpp.memo_current_version(function) AS current
  FROM plcpp.memo_registry WHERE function = 'public.mp_last(pg_catalog.text)';
UPDATE plcpp.memo_registry SET version = 'from 1.0' WHERE function = 'public.mp_last(pg_catalog.text)';
CALL plcpp.memo_refresh(fn => 'mp_last(text)');
SELECT count(*) AS mp_last_views FROM plcpp.memo WHERE function = 'public.mp_last(pg_catalog.text)';

-- memo_refresh runs REFRESH under the function's path and gives the caller's back.
SELECT * FROM mp_ok('b');
SET search_path = mp_evil, public;
CALL plcpp.memo_refresh(fn => 'mp_ok(text)');
SHOW search_path;
RESET search_path;

-- check_function_bodies = off (pg_dump's restore) skips the validator: the first call refuses.
SET check_function_bodies = off;
CREATE FUNCTION mp_restored(_g text) RETURNS SETOF int LANGUAGE plcpp AS $$
  [[plcpp::memoize]]
  return sql("select v from mp_t where g = $1", _g);
$$;
RESET check_function_bodies;
SELECT * FROM mp_restored('a');

-- plcpp.memo_schema(): the setting, read by plcpp's library
SELECT plcpp.memo_schema();

DROP FUNCTION mp_ok(text), mp_last(text), mp_empty(text), mp_restored(text);
SELECT count(*) AS mp_views FROM plcpp.memo WHERE function LIKE 'public.mp\_%';
DROP SCHEMA mp_evil CASCADE;
DROP TABLE mp_t;
