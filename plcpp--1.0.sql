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
