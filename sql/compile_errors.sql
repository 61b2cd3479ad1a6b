-- Bodies that do not compile are rejected at CREATE FUNCTION with Clang's messages and the
-- line/column inside the body as written; nothing is left half-created.
SELECT count(*) AS functions_before FROM pg_proc WHERE prolang = (SELECT oid FROM pg_language WHERE lanname = 'plcpp') \gset

-- undefined name, and a missing ';' two lines later: both reported
CREATE FUNCTION ce_undefined(x int) RETURNS int LANGUAGE plcpp AS $$
  int y = 2;
  return z + 1
$$;
-- syntax error
CREATE FUNCTION ce_syntax() RETURNS int LANGUAGE plcpp AS $$
  for (int i = 0; i < 10; i++ {
  }
  return 0;
$$;
-- wrong return type
CREATE FUNCTION ce_return_type() RETURNS int LANGUAGE plcpp AS $$
  return "not an int";
$$;
CREATE FUNCTION ce_void_returns() RETURNS void LANGUAGE plcpp AS $$
  return 1;
$$;
-- falling off the end of a non-void body
CREATE FUNCTION ce_no_return(x int) RETURNS int LANGUAGE plcpp STRICT AS $$
  if (x > 0) return 1;
$$;
-- an empty body for a function that returns a value
CREATE FUNCTION ce_empty() RETURNS int LANGUAGE plcpp AS $$ $$;
-- a STRICT argument is not optional; a non-STRICT one is
CREATE FUNCTION ce_not_optional(x int) RETURNS int LANGUAGE plcpp STRICT AS $$
  return x.value_or(0);
$$;
CREATE FUNCTION ce_optional(x int) RETURNS int LANGUAGE plcpp AS $$
  return x + 1;
$$;
-- errors after a hoisted #include keep their line numbers
CREATE FUNCTION ce_after_include() RETURNS int LANGUAGE plcpp AS $$
#include <deque>
  std::deque<int> d;

  return d.nope();
$$;
-- multibyte characters before the error: the caret still lands on it
CREATE FUNCTION ce_unicode() RETURNS text LANGUAGE plcpp AS $$
  std::string s = "ünïcödé"; return s + undefined_thing;
$$;
-- an error limit keeps reports bounded
CREATE FUNCTION ce_many() RETURNS int LANGUAGE plcpp AS $$
  a1; a2; a3; a4; a5; a6; a7; a8; a9; a10; a11; a12; a13; a14; a15;
  return 0;
$$;

-- argument names must be usable C++ parameter names
CREATE FUNCTION ce_keyword(class int) RETURNS int LANGUAGE plcpp AS $$ return 0; $$;
CREATE FUNCTION ce_reserved(plcpp_frame int) RETURNS int LANGUAGE plcpp AS $$ return 0; $$;
CREATE FUNCTION ce_quoted("my arg" int) RETURNS int LANGUAGE plcpp AS $$ return 0; $$;

-- types plcpp cannot pass: clear errors, not crashes
CREATE FUNCTION ce_poly(n anyelement) RETURNS int LANGUAGE plcpp AS $$ return 0; $$;
CREATE FUNCTION ce_record() RETURNS record LANGUAGE plcpp AS $$ return 1; $$;
CREATE FUNCTION ce_evt(x int) RETURNS event_trigger LANGUAGE plcpp AS $$ $$;
CREATE TYPE ce_badname AS ("two words" int);
CREATE FUNCTION ce_bad_member(v ce_badname) RETURNS int LANGUAGE plcpp AS $$ return 0; $$;
DROP TYPE ce_badname;
-- a wrong return type is a C++ error, shown where the body says it
CREATE FUNCTION ce_ret_date() RETURNS date LANGUAGE plcpp AS $$ return 0; $$;
CREATE FUNCTION ce_setof() RETURNS SETOF int LANGUAGE plcpp AS $$ return 0; $$;

-- attributes: only at the start of the body, only known names
CREATE FUNCTION ce_attr_late() RETURNS int LANGUAGE plcpp AS $$
  int x = 1;
  [[plcpp::memoize]] return x;
$$;
CREATE FUNCTION ce_attr_unknown() RETURNS int LANGUAGE plcpp AS $$
  [[plcpp::fast]]
  return 1;
$$;
CREATE FUNCTION ce_attr_malformed() RETURNS int LANGUAGE plcpp AS $$
  [[plcpp::memoize(ttl "1 day")]]
  return 1;
$$;
CREATE FUNCTION ce_attr_memoize() RETURNS int LANGUAGE plcpp AS $$
  [[plcpp::memoize(ttl = "24 hours")]]
  return 1;
$$;
-- "[[plcpp::" inside a string or a comment is not an attribute
CREATE FUNCTION attr_in_string() RETURNS text LANGUAGE plcpp AS $$
  // [[plcpp::memoize]] in a comment
  return R"([[plcpp::memoize]])";
$$;
SELECT attr_in_string();

-- none of the rejected functions exists (attr_in_string is the only one created)
SELECT count(*) - :functions_before AS functions_created
FROM pg_proc WHERE prolang = (SELECT oid FROM pg_language WHERE lanname = 'plcpp');

-- with check_function_bodies off, the error comes at the first call instead
SET check_function_bodies = off;
CREATE FUNCTION ce_deferred() RETURNS int LANGUAGE plcpp AS $$ return nope; $$;
RESET check_function_bodies;
SELECT ce_deferred();
SELECT ce_deferred();   -- still an error, never stale code
DROP FUNCTION ce_deferred();

-- compiler warnings in the body are shown at CREATE FUNCTION
CREATE FUNCTION warns() RETURNS int LANGUAGE plcpp AS $$
  int unused_but_set;
  unused_but_set = 1;
  int x = 1;
  return x == x ? 1 : 0;
$$;
SELECT warns();
