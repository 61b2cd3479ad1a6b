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

CREATE FUNCTION plcpp.compile_cache_entries(
    OUT function text, OUT key text, OUT size bigint, OUT compiled_at timestamptz,
    OUT compile_ms double precision, OUT hits bigint, OUT last_used timestamptz)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'plcpp_compile_cache_entries' LANGUAGE C STRICT VOLATILE;

-- One row per compiled function version in plcpp.cache_dir, shared by all databases:
-- `function` is the signature it was first compiled for, `hits` how many times a session
-- loaded it instead of compiling.
CREATE VIEW plcpp.compile_cache AS
  SELECT * FROM plcpp.compile_cache_entries() ORDER BY compiled_at, key;

CREATE FUNCTION plcpp.compile_cache_purge(older_than interval DEFAULT NULL) RETURNS integer
  AS 'MODULE_PATHNAME', 'plcpp_compile_cache_purge' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION plcpp.compile_cache_purge(interval) IS
  'Removes compiled code not used for older_than (all if NULL); returns how many entries';

REVOKE ALL ON FUNCTION plcpp.compile_cache_entries() FROM PUBLIC;
REVOKE ALL ON FUNCTION plcpp.compile_cache_purge(interval) FROM PUBLIC;
REVOKE ALL ON plcpp.compile_cache FROM PUBLIC;
