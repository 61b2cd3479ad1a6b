-- Run by the driver on every server before any workload: the languages and a helper.
CREATE EXTENSION IF NOT EXISTS plcpp;
CREATE EXTENSION IF NOT EXISTS plpython3u;

-- Whether EXPLAIN (VERBOSE) of a query mentions a word: verify steps use it to check that a
-- SQL function is (or is not) inlined, i.e. that the plan no longer names it.
CREATE OR REPLACE FUNCTION bench_plan_mentions(query text, word text) RETURNS bool
LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
    IF position(word IN line) > 0 THEN RETURN true; END IF;
  END LOOP;
  RETURN false;
END $$;
