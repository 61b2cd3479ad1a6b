-- plcpp 1.0 -> 1.1. Version 1.0 is released: plcpp--1.0.sql is never edited again; every change
-- of plcpp's SQL objects from now on goes here (and into plcpp--1.1.sql, the fresh install).
\echo Use "ALTER EXTENSION plcpp UPDATE TO '1.1'" to load this file. \quit

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
