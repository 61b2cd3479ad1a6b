/* plcpp--1.0.sql */
\echo Use "CREATE EXTENSION plcpp" to load this file. \quit

CREATE FUNCTION plcpp_call_handler() RETURNS language_handler
  AS 'MODULE_PATHNAME' LANGUAGE C;

CREATE FUNCTION plcpp_inline_handler(internal) RETURNS void
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT;

CREATE FUNCTION plcpp_validator(oid) RETURNS void
  AS 'MODULE_PATHNAME' LANGUAGE C STRICT;

-- Untrusted, like plpython3u: a body is arbitrary native code, so only superusers create them.
CREATE LANGUAGE plcpp
  HANDLER plcpp_call_handler
  INLINE plcpp_inline_handler
  VALIDATOR plcpp_validator;

COMMENT ON LANGUAGE plcpp IS 'PL/C++ procedural language';

-- The schema of plcpp's SQL-visible objects (DESIGN: plcpp.compile_cache, plcpp.memo, ...).
CREATE SCHEMA plcpp;
COMMENT ON SCHEMA plcpp IS 'PL/C++: compiled-code cache, memoization and result cache';
GRANT USAGE ON SCHEMA plcpp TO PUBLIC; -- each object below says who may use it

CREATE FUNCTION plcpp.compile_cache_entries(
    OUT function text, OUT key text, OUT size bigint, OUT compiled_at timestamptz,
    OUT compile_ms double precision, OUT hits bigint, OUT last_used timestamptz,
    OUT opt_level integer)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'plcpp_compile_cache_entries' LANGUAGE C STRICT VOLATILE;

-- One row per compiled function version in plcpp.cache_dir, shared by all databases:
-- `function` is the signature it was first compiled for, `hits` how many times a session
-- loaded it instead of compiling, `opt_level` the -O level it was compiled at (0 for the
-- first code of plcpp.tiered_compilation, until its optimized build replaces it).
CREATE VIEW plcpp.compile_cache AS
  SELECT * FROM plcpp.compile_cache_entries() ORDER BY compiled_at, key;

CREATE FUNCTION plcpp.compile_cache_purge(older_than interval DEFAULT NULL) RETURNS integer
  AS 'MODULE_PATHNAME', 'plcpp_compile_cache_purge' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION plcpp.compile_cache_purge(interval) IS
  'Removes compiled code not used for older_than (all if NULL); returns how many entries';

REVOKE ALL ON FUNCTION plcpp.compile_cache_entries() FROM PUBLIC;
REVOKE ALL ON FUNCTION plcpp.compile_cache_purge(interval) FROM PUBLIC;
REVOKE ALL ON plcpp.compile_cache FROM PUBLIC;

-- Shared result cache (DESIGN §3): [[plcpp::result_cache]] functions share results in shared
-- memory (needs shared_preload_libraries = 'plcpp'). Hits and misses of a session are added
-- when its transaction ends.
CREATE FUNCTION plcpp.result_cache_stats_rows(
    OUT function regprocedure, OUT entries bigint, OUT bytes bigint, OUT hits bigint,
    OUT misses bigint, OUT invalidations bigint, OUT evictions bigint)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'plcpp_result_cache_stats' LANGUAGE C STRICT VOLATILE;
CREATE VIEW plcpp.result_cache_stats AS
  SELECT * FROM plcpp.result_cache_stats_rows() ORDER BY function::text;
CREATE FUNCTION plcpp.result_cache_flush(fn regprocedure DEFAULT NULL) RETURNS bigint
  AS 'MODULE_PATHNAME', 'plcpp_result_cache_flush' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION plcpp.result_cache_flush(regprocedure) IS
  'Removes the result cache entries of fn (of every function of this database if NULL); returns how many';
REVOKE ALL ON FUNCTION plcpp.result_cache_flush(regprocedure) FROM PUBLIC;

-- Memoization (DESIGN §2): [[plcpp::memoize]] functions build one materialized view per key in
-- plcpp_memo (GUC plcpp.memo_schema) and register it in plcpp.memo_registry.
CREATE SCHEMA plcpp_memo;
COMMENT ON SCHEMA plcpp_memo IS
  'Materialized views of [[plcpp::memoize]] functions; see plcpp.memo, plcpp.memo_purge()';
-- Roles named in memoize(grant = ...) read the views directly; creating objects here is for
-- superusers (and function owners they grant CREATE to).
GRANT USAGE ON SCHEMA plcpp_memo TO PUBLIC;

-- One row per view. `function` is the function's identity (public.f(text)), `key` the exact
-- key (the text output of the key arguments, NULL kept), `version` an md5 of the function's
-- definition and owner: a view built by another version is never served. The data is dumped
-- with the database (pg_dump), so a restored database serves its restored views.
CREATE TABLE plcpp.memo_registry (
  schema_name name NOT NULL,
  view_name name NOT NULL,
  function text NOT NULL,
  key text[] NOT NULL,
  version text NOT NULL,
  created_at timestamptz NOT NULL,
  refreshed_at timestamptz NOT NULL,
  build_ms double precision NOT NULL,
  rows bigint NOT NULL,
  builds bigint NOT NULL DEFAULT 1,
  sources text, -- invalidate = "on_change": the versions of what the build read (internal)
  PRIMARY KEY (schema_name, view_name)
);
CREATE INDEX memo_registry_function ON plcpp.memo_registry (function);
SELECT pg_catalog.pg_extension_config_dump('plcpp.memo_registry', '');

-- plcpp writes the registry as its owner. Other roles see, refresh and remove the rows of the
-- views they own (by membership), and the rows of views that no longer exist: so the owner of
-- a memoized function can always purge its views, and nobody can register a view.
CREATE FUNCTION plcpp.memo_view_is_mine(schema_name name, view_name name) RETURNS boolean
  LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT pg_has_role(c.relowner, 'USAGE')
                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = schema_name AND c.relname = view_name), true)
  $$;
ALTER TABLE plcpp.memo_registry ENABLE ROW LEVEL SECURITY;
CREATE POLICY memo_owner ON plcpp.memo_registry
  USING (plcpp.memo_view_is_mine(schema_name, view_name));
GRANT SELECT, DELETE ON plcpp.memo_registry TO PUBLIC;
GRANT UPDATE (refreshed_at, build_ms, rows, builds) ON plcpp.memo_registry TO PUBLIC;

CREATE FUNCTION plcpp.memo_hits(OUT view_name name, OUT hits bigint, OUT last_hit timestamptz)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'plcpp_memo_hits' LANGUAGE C STRICT VOLATILE;
-- Removes the hit counter of a view that no longer exists (after a purge).
CREATE FUNCTION plcpp.memo_forget_hits(schema_name name, view_name name) RETURNS void
  AS 'MODULE_PATHNAME', 'plcpp_memo_forget_hits' LANGUAGE C STRICT VOLATILE;

-- The registry with sizes and hit counts (hits are counted outside the database, so that a
-- hit writes nothing: they work in read-only transactions and on standbys).
CREATE VIEW plcpp.memo WITH (security_invoker = true) AS
  SELECT r.schema_name, r.view_name, r.function, r.key, r.created_at, r.refreshed_at,
         r.build_ms, r.rows, r.builds,
         pg_catalog.pg_total_relation_size(c.oid) AS bytes,
         coalesce(h.hits, 0) AS hits, h.last_hit
    FROM plcpp.memo_registry r
    LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = r.schema_name
    LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = r.view_name
    LEFT JOIN plcpp.memo_hits() h ON h.view_name = r.view_name;
GRANT SELECT ON plcpp.memo TO PUBLIC;

CREATE VIEW plcpp.memo_stats WITH (security_invoker = true) AS
  SELECT function, count(*) AS views, sum(rows)::bigint AS rows, sum(bytes)::bigint AS bytes,
         sum(hits)::bigint AS hits, sum(builds)::bigint AS builds, max(last_hit) AS last_hit,
         min(refreshed_at) AS oldest, max(refreshed_at) AS newest
    FROM plcpp.memo GROUP BY function;
GRANT SELECT ON plcpp.memo_stats TO PUBLIC;

-- The identity plcpp registers a function under.
CREATE FUNCTION plcpp.memo_function_identity(fn regprocedure) RETURNS text
  LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT (pg_identify_object('pg_proc'::regclass, fn, 0)).identity
  $$;

-- The management procedures run as their caller, with the caller's search_path: the views'
-- queries are parsed with it (no SET clause either, which would forbid their COMMITs).

-- Drops matching views, one batch per transaction: one transaction can drop only about 2,000
-- views with the default max_locks_per_transaction (the seed's "out of shared memory"), a
-- batch of 100 takes a few hundred locks. Must be CALLed outside a transaction block.
-- key_like is matched against the key values joined by ',' (NULL as 'NULL'). With no filter
-- at all, views left in plcpp_memo without a registry row are dropped too.
CREATE PROCEDURE plcpp.memo_purge(fn regprocedure DEFAULT NULL, older_than interval DEFAULT NULL,
                                  key_like text DEFAULT NULL, batch integer DEFAULT 100)
LANGUAGE plpgsql AS $$
DECLARE
  ident text := plcpp.memo_function_identity(fn);
  last_schema name := '';
  last_view name := '';
  r record;
  dropped bigint := 0;
  failed bigint := 0;
  seen integer;
BEGIN
  IF batch IS NULL OR batch < 1 THEN
    RAISE EXCEPTION 'batch must be at least 1' USING ERRCODE = '22023';
  END IF;
  LOOP
    seen := 0;
    FOR r IN SELECT m.schema_name, m.view_name FROM plcpp.memo_registry m
              WHERE (m.schema_name, m.view_name) > (last_schema, last_view)
                AND (fn IS NULL OR m.function = ident)
                AND (older_than IS NULL OR m.refreshed_at < now() - older_than)
                AND (key_like IS NULL OR array_to_string(m.key, ',', 'NULL') LIKE key_like)
              ORDER BY m.schema_name, m.view_name LIMIT batch
    LOOP
      seen := seen + 1;
      last_schema := r.schema_name;
      last_view := r.view_name;
      BEGIN
        EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I.%I', r.schema_name, r.view_name);
        DELETE FROM plcpp.memo_registry m
         WHERE m.schema_name = r.schema_name AND m.view_name = r.view_name;
        PERFORM plcpp.memo_forget_hits(r.schema_name, r.view_name);
        dropped := dropped + 1;
      EXCEPTION WHEN OTHERS THEN
        failed := failed + 1;
        RAISE WARNING 'could not drop memo view %.%: %', r.schema_name, r.view_name, SQLERRM;
      END;
    END LOOP;
    EXIT WHEN seen = 0;
    COMMIT;
  END LOOP;
  IF fn IS NULL AND older_than IS NULL AND key_like IS NULL THEN
    LOOP -- views without a registry row (a dropped function's, or a failed purge's)
      seen := 0;
      FOR r IN SELECT n.nspname, c.relname FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_setting('plcpp.memo_schema') AND c.relkind = 'm'
                  AND pg_has_role(c.relowner, 'USAGE')
                  AND NOT EXISTS (SELECT 1 FROM plcpp.memo_registry m
                                   WHERE m.schema_name = n.nspname AND m.view_name = c.relname)
                LIMIT batch
      LOOP
        seen := seen + 1;
        EXECUTE format('DROP MATERIALIZED VIEW %I.%I', r.nspname, r.relname);
        PERFORM plcpp.memo_forget_hits(r.nspname, r.relname);
        dropped := dropped + 1;
      END LOOP;
      EXIT WHEN seen = 0;
      COMMIT;
    END LOOP;
  END IF;
  RAISE NOTICE 'plcpp.memo_purge: % view(s) dropped%', dropped,
    CASE WHEN failed > 0 THEN format(', %s failed', failed) ELSE '' END;
END $$;

-- Refreshes matching views (REFRESH MATERIALIZED VIEW), one batch per transaction. Views of
-- an older version of their function are dropped instead: the next call rebuilds them.
CREATE PROCEDURE plcpp.memo_refresh(fn regprocedure DEFAULT NULL,
                                    older_than interval DEFAULT NULL, batch integer DEFAULT 100)
LANGUAGE plpgsql AS $$
DECLARE
  ident text := plcpp.memo_function_identity(fn);
  last_schema name := '';
  last_view name := '';
  r record;
  refreshed bigint := 0;
  dropped bigint := 0;
  seen integer;
  started timestamptz;
  n bigint;
BEGIN
  IF batch IS NULL OR batch < 1 THEN
    RAISE EXCEPTION 'batch must be at least 1' USING ERRCODE = '22023';
  END IF;
  LOOP
    seen := 0;
    FOR r IN SELECT m.schema_name, m.view_name, m.version,
                    plcpp.memo_current_version(m.function) AS current_version
               FROM plcpp.memo_registry m
              WHERE (m.schema_name, m.view_name) > (last_schema, last_view)
                AND (fn IS NULL OR m.function = ident)
                AND (older_than IS NULL OR m.refreshed_at < now() - older_than)
              ORDER BY m.schema_name, m.view_name LIMIT batch
    LOOP
      seen := seen + 1;
      last_schema := r.schema_name;
      last_view := r.view_name;
      IF r.current_version IS DISTINCT FROM r.version THEN
        EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I.%I', r.schema_name, r.view_name);
        DELETE FROM plcpp.memo_registry m
         WHERE m.schema_name = r.schema_name AND m.view_name = r.view_name;
        dropped := dropped + 1;
        CONTINUE;
      END IF;
      started := clock_timestamp();
      EXECUTE format('REFRESH MATERIALIZED VIEW %I.%I', r.schema_name, r.view_name);
      EXECUTE format('SELECT count(*) FROM %I.%I', r.schema_name, r.view_name) INTO n;
      UPDATE plcpp.memo_registry m
         SET refreshed_at = now(), rows = n, builds = m.builds + 1,
             build_ms = extract(epoch FROM clock_timestamp() - started) * 1000
       WHERE m.schema_name = r.schema_name AND m.view_name = r.view_name;
      refreshed := refreshed + 1;
    END LOOP;
    EXIT WHEN seen = 0;
    COMMIT;
  END LOOP;
  RAISE NOTICE 'plcpp.memo_refresh: % view(s) refreshed, % of older function versions dropped',
    refreshed, dropped;
END $$;

-- The version plcpp.memo_registry would record for a function now (NULL if it is gone): an
-- md5 of its definition and its owner's name (handler/compile.cpp computes the same).
CREATE FUNCTION plcpp.memo_current_version(identity text) RETURNS text
  LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT md5(pg_get_functiondef(p.oid) || E'\n-- owner: ' || pg_get_userbyid(p.proowner))
      FROM pg_proc p WHERE p.oid = to_regprocedure(identity)
  $$;

-- Builds views ahead of their first reader (a scheduled job warming the busiest keys): calls
-- fn once per key, one batch per transaction. For a function of one argument `keys` lists
-- its values; for several, each row of a two-dimensional `keys` is one call's arguments.
-- keys_query is the alternative for CALL, which takes no subquery: a query whose rows are the
-- arguments, e.g. 'select group_id from annotation group by 1 order by count(*) desc limit 100'.
CREATE PROCEDURE plcpp.memo_warm(fn regprocedure, keys text[] DEFAULT NULL,
                                 batch integer DEFAULT 100, keys_query text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  p pg_catalog.pg_proc;
  call text;
  args text;
  calls bigint := 0;
  i integer;
  j integer;
BEGIN
  SELECT * INTO p FROM pg_catalog.pg_proc WHERE oid = fn;
  IF p.pronargs = 0 THEN
    RAISE EXCEPTION 'plcpp.memo_warm: % has no arguments to warm', fn USING ERRCODE = '22023';
  END IF;
  IF batch IS NULL OR batch < 1 THEN
    RAISE EXCEPTION 'batch must be at least 1' USING ERRCODE = '22023';
  END IF;
  IF keys_query IS NOT NULL THEN
    IF keys IS NOT NULL THEN
      RAISE EXCEPTION 'plcpp.memo_warm: pass keys or keys_query, not both' USING ERRCODE = '22023';
    END IF;
    SELECT string_agg(format('c%s::text', k), ', '), string_agg(format('c%s', k), ', ')
      INTO args, call FROM generate_series(1, p.pronargs) k;
    EXECUTE format(CASE WHEN p.pronargs = 1 THEN 'SELECT array_agg(%s) FROM (%s) q(%s)'
                        ELSE 'SELECT array_agg(ARRAY[%s]) FROM (%s) q(%s)' END,
                   args, keys_query, call) INTO keys;
  END IF;
  IF keys IS NULL OR cardinality(keys) = 0 THEN
    RAISE NOTICE 'plcpp.memo_warm: no key to warm';
    RETURN;
  END IF;
  IF (p.pronargs = 1 AND array_ndims(keys) <> 1) OR (p.pronargs > 1 AND
      (array_ndims(keys) <> 2 OR array_length(keys, 2) <> p.pronargs)) THEN
    RAISE EXCEPTION 'plcpp.memo_warm: keys do not match the arguments of %', fn
      USING ERRCODE = '22023',
            HINT = 'Pass a one-dimensional array for a function of one argument, else one row '
                   'of arguments per call: ARRAY[[''a'', ''1''], [''b'', ''2'']].';
  END IF;
  FOR i IN array_lower(keys, 1) .. array_upper(keys, 1) LOOP
    args := '';
    FOR j IN 0 .. p.pronargs - 1 LOOP
      args := args || CASE WHEN j > 0 THEN ', ' ELSE '' END ||
              format('%L::%s', CASE WHEN p.pronargs = 1 THEN keys[i] ELSE keys[i][j + 1] END,
                     format_type(p.proargtypes[j], NULL));
    END LOOP;
    call := format('SELECT count(*) FROM %I.%I(%s)', p.pronamespace::regnamespace::text,
                   p.proname, args);
    EXECUTE call;
    calls := calls + 1;
    IF calls % batch = 0 THEN
      COMMIT;
    END IF;
  END LOOP;
  RAISE NOTICE 'plcpp.memo_warm: % key(s) of % warmed', calls, fn;
END $$;

-- DROP FUNCTION (or DROP SCHEMA ... CASCADE): the function's registry rows go, so its views
-- are never served again; the views themselves are dropped too when there are at most 1,000
-- (more would need more locks than one transaction may hold: plcpp.memo_purge() drops the
-- rest in batches).
CREATE FUNCTION plcpp.memo_on_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  f record;
  v record;
  n bigint;
BEGIN
  FOR f IN SELECT object_identity FROM pg_event_trigger_dropped_objects()
            WHERE object_type = 'function' LOOP
    SELECT count(*) INTO n FROM plcpp.memo_registry WHERE function = f.object_identity;
    CONTINUE WHEN n = 0;
    FOR v IN DELETE FROM plcpp.memo_registry WHERE function = f.object_identity
             RETURNING schema_name, view_name LOOP
      IF n <= 1000 THEN
        EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I.%I', v.schema_name, v.view_name);
      END IF;
    END LOOP;
    IF n > 1000 THEN
      RAISE NOTICE '% memo views of % are left in place', n, f.object_identity
        USING HINT = 'CALL plcpp.memo_purge() drops them in batches.';
    END IF;
  END LOOP;
END $$;
CREATE EVENT TRIGGER plcpp_memo_on_drop ON sql_drop EXECUTE FUNCTION plcpp.memo_on_drop();
