-- plcpp 1.0 -> 1.1. Version 1.0 is released: plcpp--1.0.sql is never edited again; every change
-- of plcpp's SQL objects from now on goes here (and into plcpp--1.1.sql, the fresh install).
\echo Use "ALTER EXTENSION plcpp UPDATE TO '1.1'" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- Issue 17: memoized functions cannot be hijacked through search_path, owners and the admin
-- procedures. A memoized function must SET its own search_path (the validator refuses it
-- otherwise); its query is parsed, built, refreshed and read under that path with pg_temp last
-- (memoize/memo_path.cpp), and the version of its views covers the path too.
--
-- Who runs what (README, "Memoization"):
--   a call          the view is built, refreshed and read as the function's owner, under the
--                   function's path; a miss that writes nothing (read-only transaction,
--                   standby) runs the query as the caller, under the same path
--   memo_warm       as its caller, who must own the function (be a member of its owner); it
--                   calls the function, which builds as above
--   memo_refresh    as its caller, on the views it owns only (the registry's row security;
--                   REFRESH checks ownership); PostgreSQL runs the view's query as the view's
--                   owner, and plcpp sets the function's path for it
--   memo_purge      as its caller, on the views it owns only
--   memo_on_drop    event trigger, SECURITY DEFINER (the extension's owner), fixed path: drops
--                   the views registered for a dropped function, runs no user SQL
-- ---------------------------------------------------------------------------------------------

-- The version plcpp.memo_registry records for fn's views now: md5 of its definition, its
-- owner's name and its path; NULL if fn is gone or has no safe search_path.
CREATE FUNCTION plcpp.memo_version(fn regprocedure) RETURNS text
  AS 'MODULE_PATHNAME', 'plcpp_memo_version' LANGUAGE C STABLE STRICT;
-- The path fn's query runs under: its SET search_path, pg_temp last; NULL if it has none.
CREATE FUNCTION plcpp.memo_search_path(fn regprocedure) RETURNS text
  AS 'MODULE_PATHNAME', 'plcpp_memo_search_path' LANGUAGE C STABLE STRICT;
-- plcpp.memo_schema, read by plcpp's own library: a call loads it, so this works in a session
-- that has run no plcpp code yet (where current_setting('plcpp.memo_schema') fails).
CREATE FUNCTION plcpp.memo_schema() RETURNS name
  AS 'MODULE_PATHNAME', 'plcpp_memo_schema_name' LANGUAGE C STABLE;

-- 1.0 computed the version in SQL without the path: views registered by 1.0 now carry a
-- version no function has, so they are rebuilt at their next call, dropped by memo_refresh.
CREATE OR REPLACE FUNCTION plcpp.memo_current_version(identity text) RETURNS text
  LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT plcpp.memo_version(to_regprocedure(identity))
  $$;

-- As 1.0, with the memo schema read through plcpp.memo_schema().
CREATE OR REPLACE PROCEDURE plcpp.memo_purge(fn regprocedure DEFAULT NULL,
                                             older_than interval DEFAULT NULL,
                                             key_like text DEFAULT NULL, batch integer DEFAULT 100)
LANGUAGE plpgsql AS $$
DECLARE
  ident text := plcpp.memo_function_identity(fn);
  memo_schema name := plcpp.memo_schema();
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
    -- Row security: only the rows of views the caller owns (or that no longer exist).
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
                WHERE n.nspname = memo_schema AND c.relkind = 'm'
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

-- As 1.0, and REFRESH runs under the function's own path (what the view's query resolves at
-- run time, the bodies of SQL and PL/pgSQL functions it calls, sees what the build saw), not
-- the caller's. The path is set only around REFRESH: the procedure's own statements run as the
-- caller, under the caller's path, as any procedure does.
CREATE OR REPLACE PROCEDURE plcpp.memo_refresh(fn regprocedure DEFAULT NULL,
                                               older_than interval DEFAULT NULL,
                                               batch integer DEFAULT 100)
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
  caller_path text;
BEGIN
  IF batch IS NULL OR batch < 1 THEN
    RAISE EXCEPTION 'batch must be at least 1' USING ERRCODE = '22023';
  END IF;
  LOOP
    seen := 0;
    FOR r IN SELECT m.schema_name, m.view_name, m.version,
                    plcpp.memo_current_version(m.function) AS current_version,
                    plcpp.memo_search_path(to_regprocedure(m.function)) AS path
               FROM plcpp.memo_registry m
              WHERE (m.schema_name, m.view_name) > (last_schema, last_view)
                AND (fn IS NULL OR m.function = ident)
                AND (older_than IS NULL OR m.refreshed_at < now() - older_than)
              ORDER BY m.schema_name, m.view_name LIMIT batch
    LOOP
      seen := seen + 1;
      last_schema := r.schema_name;
      last_view := r.view_name;
      -- Another version (or a view registered by plcpp 1.0, or a function that may no longer
      -- be memoized): dropped, never refreshed.
      IF r.current_version IS NULL OR r.path IS NULL
         OR r.current_version IS DISTINCT FROM r.version THEN
        EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I.%I', r.schema_name, r.view_name);
        DELETE FROM plcpp.memo_registry m
         WHERE m.schema_name = r.schema_name AND m.view_name = r.view_name;
        dropped := dropped + 1;
        CONTINUE;
      END IF;
      started := clock_timestamp();
      caller_path := pg_catalog.current_setting('search_path');
      PERFORM pg_catalog.set_config('search_path', r.path, true);
      EXECUTE pg_catalog.format('REFRESH MATERIALIZED VIEW %I.%I', r.schema_name, r.view_name);
      PERFORM pg_catalog.set_config('search_path', caller_path, true);
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

-- As 1.0, for the function's owners only (members of its owning role): the calls build views
-- as that owner. keys_query runs as the caller, under the caller's path (it is the caller's).
CREATE OR REPLACE PROCEDURE plcpp.memo_warm(fn regprocedure, keys text[] DEFAULT NULL,
                                            batch integer DEFAULT 100,
                                            keys_query text DEFAULT NULL)
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
  IF NOT pg_catalog.pg_has_role(p.proowner, 'USAGE') THEN
    RAISE EXCEPTION 'plcpp.memo_warm: permission denied for function %', fn
      USING ERRCODE = '42501',
            DETAIL = 'Only the owner of a memoized function (or a member of its role) warms its views.';
  END IF;
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
                     pg_catalog.format_type(p.proargtypes[j], NULL));
    END LOOP;
    -- (regnamespace's text is already quoted where needed: %s, not %I as in 1.0)
    call := format('SELECT pg_catalog.count(*) FROM %s.%I(%s)',
                   p.pronamespace::regnamespace::text, p.proname, args);
    EXECUTE call;
    calls := calls + 1;
    IF calls % batch = 0 THEN
      COMMIT;
    END IF;
  END LOOP;
  RAISE NOTICE 'plcpp.memo_warm: % key(s) of % warmed', calls, fn;
END $$;

-- Issue 21: compile ahead of the first call (after pg_restore, an upgrade or a cache purge).
-- plcpp.compile(fn) builds one function as its validator does and returns 'cached' (its code
-- was in the compiled-code cache), 'compiled', or 'queued' (-O0 code compiled, its -O2 build
-- queued for the optimizer worker: plcpp.tiered_compilation).
CREATE FUNCTION plcpp.compile(fn regprocedure) RETURNS text
  AS 'MODULE_PATHNAME', 'plcpp_compile_function' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION plcpp.compile(regprocedure) IS
  'Compiles a PL/C++ function unless the compiled-code cache has it; returns cached, compiled or queued';
REVOKE ALL ON FUNCTION plcpp.compile(regprocedure) FROM PUBLIC;

-- Every plcpp function of this database (of `schema` if given), one row each: status as
-- plcpp.compile() says, or 'failed' with the error in `message` (the others still compile:
-- each function runs in a subtransaction). No SET search_path: relies_on names resolve as at
-- CREATE FUNCTION, in the caller's search_path.
CREATE FUNCTION plcpp.compile_all(schema name DEFAULT NULL, OUT function regprocedure,
                                  OUT status text, OUT elapsed_ms double precision,
                                  OUT message text)
  RETURNS SETOF record LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  nsp oid;
  fn oid;
  started timestamptz;
BEGIN
  IF schema IS NOT NULL THEN
    SELECT n.oid INTO nsp FROM pg_catalog.pg_namespace n WHERE n.nspname = schema;
    IF nsp IS NULL THEN
      RAISE EXCEPTION 'schema "%" does not exist', schema USING ERRCODE = '3F000';
    END IF;
  END IF;
  FOR fn IN SELECT p.oid FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_language l ON l.oid = p.prolang
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
             WHERE l.lanname = 'plcpp' AND (nsp IS NULL OR p.pronamespace = nsp)
             ORDER BY n.nspname, p.proname, p.oid LOOP
    function := fn;
    message := NULL;
    started := pg_catalog.clock_timestamp();
    BEGIN
      status := plcpp.compile(fn);
    EXCEPTION WHEN OTHERS THEN
      status := 'failed';
      message := SQLERRM;
    END;
    elapsed_ms := extract(epoch FROM pg_catalog.clock_timestamp() - started) * 1000;
    RETURN NEXT;
  END LOOP;
END $$;
COMMENT ON FUNCTION plcpp.compile_all(name) IS
  'Compiles every PL/C++ function (of schema) that the compiled-code cache does not have';
REVOKE ALL ON FUNCTION plcpp.compile_all(name) FROM PUBLIC;
