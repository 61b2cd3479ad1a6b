-- A compiled function is kept per backend and recompiled after CREATE OR REPLACE only.
CREATE FUNCTION version_of() RETURNS int LANGUAGE plcpp AS $$ return 1; $$;
SELECT version_of();
CREATE OR REPLACE FUNCTION version_of() RETURNS int LANGUAGE plcpp AS $$ return 2; $$;
SELECT version_of();
-- within one statement that already started, the function is stable; next statement sees v3
CREATE OR REPLACE FUNCTION version_of() RETURNS int LANGUAGE plcpp AS $$ return 3; $$;
SELECT version_of() FROM generate_series(1, 2);
-- a replacement that does not compile is rejected and the old version keeps working
CREATE OR REPLACE FUNCTION version_of() RETURNS int LANGUAGE plcpp AS $$ return nope; $$;
SELECT version_of();
-- replaced inside a transaction that rolls back: the old code is back
BEGIN;
CREATE OR REPLACE FUNCTION version_of() RETURNS int LANGUAGE plcpp AS $$ return 4; $$;
SELECT version_of();
ROLLBACK;
SELECT version_of();
-- ALTER FUNCTION (a new pg_proc row version) does not change the code
ALTER FUNCTION version_of() STABLE;
SELECT version_of();
-- renamed: the error context names it by its new name
CREATE FUNCTION fails() RETURNS int LANGUAGE plcpp AS $$ throw std::runtime_error("x"); $$;
SELECT fails();
ALTER FUNCTION fails() RENAME TO fails_renamed;
SELECT fails_renamed();
-- replaced by a statement of the calling function: the very next call runs the new code
CREATE FUNCTION self_replace() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $r$CREATE OR REPLACE FUNCTION version_of() RETURNS int LANGUAGE plcpp AS 'return 5;'$r$;
  RETURN version_of();
END $$;
SELECT self_replace(), version_of();
DROP FUNCTION version_of();
-- plcpp.opt_level applies to functions compiled afterwards; out-of-range values are refused
SET plcpp.opt_level = 5;
SET plcpp.opt_level = 0;
CREATE FUNCTION at_o0(x int) RETURNS int LANGUAGE plcpp STRICT AS $$ return x * 3; $$;
SELECT at_o0(14);
RESET plcpp.opt_level;
SHOW plcpp.opt_level;
