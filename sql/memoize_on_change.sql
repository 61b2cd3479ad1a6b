-- [[plcpp::memoize(invalidate = "on_change")]]: a view is rebuilt after a committed change to
-- what its query read. It uses the result cache's change tracking, so it needs
-- shared_preload_libraries = 'plcpp'; on a server without it the attribute acts as
-- invalidate = "never" with one WARNING per session, which is what this test checks there
-- (expected/memoize_on_change_1.out).
SELECT current_setting('shared_preload_libraries') ~ 'plcpp' AS preloaded \gset
CREATE TABLE memo_source(g text, v int);
INSERT INTO memo_source SELECT 'g' || (i % 3), i FROM generate_series(1, 30) i;
CREATE FUNCTION memo_tracked(_g text) RETURNS TABLE(n bigint, total bigint) LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(invalidate = "on_change")]]
  return sql("select count(*), sum(v) from memo_source where g = $1", _g);
$$;
\if :preloaded
SELECT * FROM memo_tracked('g1');
SELECT * FROM memo_tracked('g1');
SELECT builds, sources ~ '^[0-9]+:0=[0-9]+,[0-9]+=[0-9]+$' AS tracked FROM plcpp.memo_registry
 WHERE function LIKE 'public.memo_tracked%';
INSERT INTO memo_source VALUES ('g2', 1000);   -- another key's rows: still a change
SELECT * FROM memo_tracked('g1');
SELECT builds FROM plcpp.memo WHERE function LIKE 'public.memo_tracked%';
BEGIN;
INSERT INTO memo_source VALUES ('g1', 500);    -- this transaction sees its own change
SELECT * FROM memo_tracked('g1');
ROLLBACK;
SELECT * FROM memo_tracked('g1');              -- nothing committed: still the view
SELECT builds FROM plcpp.memo WHERE function LIKE 'public.memo_tracked%';
UPDATE memo_source SET v = v + 1 WHERE g = 'g1';
SELECT * FROM memo_tracked('g1');
SELECT builds FROM plcpp.memo WHERE function LIKE 'public.memo_tracked%';
\else
\echo 'NOTICE: plcpp is not preloaded: checking that on_change acts as never; the change-tracking checks are skipped'
SELECT * FROM memo_tracked('g1');
INSERT INTO memo_source VALUES ('g1', 1000);   -- a change: still the view, no second WARNING
SELECT * FROM memo_tracked('g1');
SELECT builds, sources IS NULL AS untracked FROM plcpp.memo_registry
 WHERE function LIKE 'public.memo_tracked%';
\endif
DROP FUNCTION memo_tracked(text);
DROP TABLE memo_source;
