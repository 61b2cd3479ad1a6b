-- [[plcpp::memoize]]: a set-returning function that materializes its rows per key (seed 000,
-- DESIGN §2). Concurrency, purging thousands of views and pg_dump: test/server/memo_test.sh.
\set VERBOSITY default
CREATE TABLE memo_annotation (id serial PRIMARY KEY, group_id text, user_id int, body text);
INSERT INTO memo_annotation (group_id, user_id, body)
  SELECT 'g' || (i % 10), i % 7, 'note ' || i FROM generate_series(1, 2000) i;

CREATE FUNCTION memo_panel(_group text) RETURNS TABLE(user_id int, annotations bigint)
LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select user_id, count(*) from memo_annotation where group_id = $1 group by 1",
             _group);
$$;

-- The first call builds the view, the second reads it; both give the query's rows.
SELECT * FROM memo_panel('g1') ORDER BY 1;
SELECT view_name, function, key, rows, builds, hits FROM plcpp.memo;
SELECT * FROM memo_panel('g1') ORDER BY 1;
SELECT view_name, rows, builds, hits, bytes > 0 AS sized FROM plcpp.memo;
-- identical to the unmemoized query, both ways
(SELECT * FROM memo_panel('g1')
 EXCEPT ALL SELECT user_id, count(*) FROM memo_annotation WHERE group_id = 'g1' GROUP BY 1)
UNION ALL
(SELECT user_id, count(*) FROM memo_annotation WHERE group_id = 'g1' GROUP BY 1
 EXCEPT ALL SELECT * FROM memo_panel('g1'));
-- the view is a real materialized view in plcpp_memo, owned by the function's owner
SELECT c.relkind, n.nspname, pg_get_userbyid(c.relowner) AS owner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname = 'memo_panel__g1_' || right((SELECT view_name FROM plcpp.memo), 12);
-- a hit reads the view, not the table: change the table, the view still answers
DELETE FROM memo_annotation WHERE group_id = 'g1' AND user_id = 0;
SELECT count(*) AS panel_rows FROM memo_panel('g1');

-- Keys: distinct views whatever the case, punctuation, length or encoding; NULL is not ''.
CREATE FUNCTION memo_echo(k text) RETURNS SETOF text LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select $1 || '|' || coalesce($1, '<null>')", k);
$$;
SELECT left(k, 12) AS k, left((SELECT * FROM memo_echo(k)), 25) AS memoized
  FROM unnest(ARRAY['abc', 'ABC', 'a-b-c', 'a b c', '', NULL, 'null', 'é', '日本語', repeat('z', 300)]) k;
SELECT count(*) AS views, count(DISTINCT view_name) AS distinct_names,
       max(octet_length(view_name)) <= 63 AS fit
  FROM plcpp.memo WHERE function = 'public.memo_echo(pg_catalog.text)';
SELECT key, view_name FROM plcpp.memo
 WHERE function = 'public.memo_echo(pg_catalog.text)' AND (key = '{NULL}' OR key = '{""}' OR key = '{null}')
 ORDER BY view_name;
-- a second round is all hits, with the same answers
SELECT k, (SELECT * FROM memo_echo(k)) AS memoized
  FROM unnest(ARRAY['abc', 'ABC', '', NULL]) k;
SELECT sum(hits) AS hits, sum(builds) AS builds FROM plcpp.memo
 WHERE function = 'public.memo_echo(pg_catalog.text)';

-- Hostile keys are data: quotes, $1, comments, statement separators, backslashes.
SELECT * FROM memo_echo($k$x'); DROP TABLE memo_annotation; --$k$);
SELECT * FROM memo_echo('$1 /* $2 */ -- $3');
SELECT * FROM memo_echo(E'back\\slash\\'' \n newline');
SET standard_conforming_strings = off;
SELECT * FROM memo_echo(E'back\\slash\\'' again');
RESET standard_conforming_strings;
SELECT count(*) AS still_there FROM memo_annotation;
-- the query text's own $n inside strings, identifiers and comments are left alone
CREATE FUNCTION memo_dollars(a int) RETURNS TABLE(s text, n int) LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql(R"(select '$1' as "$1", $1 /* $1 */ + 1 as n -- $1
              )", a);
$$;
SELECT * FROM memo_dollars(41);
SELECT * FROM memo_dollars(41);

-- key = "...": only some arguments make the key.
CREATE FUNCTION memo_keyed(g text, label text) RETURNS TABLE(g text, label text)
LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(key = "g")]]
  return sql("select $1, $2", g, label);
$$;
SELECT * FROM memo_keyed('g1', 'first');
SELECT * FROM memo_keyed('g1', 'second'); -- same key: the first call's rows
SELECT key FROM plcpp.memo WHERE function LIKE 'public.memo_keyed%';

-- Several arguments of several types, and a query with no argument at all.
CREATE FUNCTION memo_multi(a int, b date, c bool) RETURNS TABLE(a int, b date, c bool)
LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select $1 + 1, $2 + 1, not $3", a, b, c);
$$;
SELECT * FROM memo_multi(1, '2024-02-28', true);
SELECT * FROM memo_multi(1, '2024-02-28', true);
SELECT key, view_name ~ '^memo_multi__1_2024_02_28_t_[0-9a-f]{12}$' AS named
  FROM plcpp.memo WHERE function LIKE 'public.memo_multi%';
-- a date key is written in one style: another DateStyle finds the same view
SET datestyle = 'German';
SELECT * FROM memo_multi(1, '28.02.2024', true);
RESET datestyle;
SELECT key, hits FROM plcpp.memo WHERE function LIKE 'public.memo_multi%';
CREATE FUNCTION memo_const() RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select generate_series(1, 3)");
$$;
SELECT * FROM memo_const();
SELECT view_name ~ '^memo_const__[0-9a-f]{12}$' AS named, key FROM plcpp.memo
 WHERE function LIKE 'public.memo_const%';

-- Read-only transactions: a miss returns the rows without materializing anything.
BEGIN READ ONLY;
SELECT count(*) AS rows FROM memo_panel('g2');
SELECT count(*) AS hit_still_works FROM memo_panel('g1');
COMMIT;
SELECT count(*) AS g2_views FROM plcpp.memo WHERE key = '{g2}';

-- ttl: a view older than its ttl is refreshed on its next call.
CREATE FUNCTION memo_clock(k int) RETURNS SETOF bigint LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(ttl = "0 seconds")]]
  return sql("select count(*) from memo_annotation where user_id = $1", k);
$$;
SELECT * FROM memo_clock(3);
INSERT INTO memo_annotation (group_id, user_id) VALUES ('gx', 3);
SELECT * FROM memo_clock(3); -- a new transaction: the view is past its ttl, refreshed
SELECT builds, rows FROM plcpp.memo WHERE function LIKE 'public.memo_clock%';
-- within one transaction now() stands still: a hit
BEGIN;
SELECT * FROM memo_clock(3);
SELECT * FROM memo_clock(3);
COMMIT;

-- CREATE OR REPLACE: views of the old definition are never served; the next call rebuilds.
CREATE OR REPLACE FUNCTION memo_panel(_group text) RETURNS TABLE(user_id int, annotations bigint)
LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select user_id, -count(*) from memo_annotation where group_id = $1 group by 1",
             _group);
$$;
SELECT * FROM memo_panel('g1') ORDER BY 1 LIMIT 2;
SELECT builds FROM plcpp.memo WHERE function LIKE 'public.memo_panel%';

-- A registered view whose exact key differs (what a hash collision would look like) is never
-- served: the call returns its own key's rows.
UPDATE plcpp.memo_registry SET key = '{someone else}' WHERE key = '{abc}';
SELECT * FROM memo_echo('abc');
SELECT key FROM plcpp.memo_registry WHERE view_name LIKE 'memo_echo__abc_%' ORDER BY 1;
UPDATE plcpp.memo_registry SET key = '{abc}' WHERE key = '{someone else}';

-- The view belongs to the function's owner, whoever calls; grant roles can read it.
CREATE ROLE regress_memo_owner;
CREATE ROLE regress_memo_caller;
CREATE ROLE regress_memo_reader;
GRANT SELECT ON memo_annotation TO regress_memo_owner;
GRANT CREATE ON SCHEMA plcpp_memo TO regress_memo_owner;
CREATE FUNCTION memo_owned(_group text) RETURNS TABLE(user_id int, annotations bigint)
LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(grant = "regress_memo_reader")]]
  return sql("select user_id, count(*) from memo_annotation where group_id = $1 group by 1",
             _group);
$$;
ALTER FUNCTION memo_owned(text) OWNER TO regress_memo_owner;
SET ROLE regress_memo_caller;
SELECT count(*) AS rows FROM memo_owned('g3'); -- the caller cannot read memo_annotation
SELECT count(*) AS rows FROM memo_owned('g3');
SELECT view_name FROM plcpp.memo; -- not the caller's views
RESET ROLE;
SELECT pg_get_userbyid(c.relowner) AS owner,
       has_table_privilege('regress_memo_reader', c.oid, 'SELECT') AS reader_can,
       has_table_privilege('regress_memo_caller', c.oid, 'SELECT') AS caller_can
  FROM pg_class c JOIN plcpp.memo m ON m.view_name = c.relname
 WHERE m.function LIKE 'public.memo_owned%';
SET ROLE regress_memo_owner;
SELECT function, key FROM plcpp.memo; -- the owner sees its own views
RESET ROLE;

-- The validator: memoize only where it can work, options checked.
CREATE FUNCTION memo_bad(a int) RETURNS int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]] return a;
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp STABLE SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]] return sql("select $1", a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(ttl = "1 day", colour = "blue")]] return sql("select $1", a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(key = "a, b")]] return sql("select $1", a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(refresh = "sometimes")]] return sql("select $1", a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(invalidate = "sometimes")]] return sql("select $1", a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(ttl = "a fortnight")]] return sql("select $1", a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(grant = "regress_nobody")]] return sql("select $1", a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]] [[plcpp::memoize]] return sql("select $1", a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  int x = a;
  [[plcpp::memoize]] return sql("select $1", x);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  yield(a);
$$;
CREATE FUNCTION memo_bad(a int) RETURNS SETOF int LANGUAGE plcpp SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return spi::query("select $1", a);
$$;
DO LANGUAGE plcpp $$ [[plcpp::memoize]] notice("x"); $$;
SELECT count(*) AS memo_bad_functions FROM pg_proc WHERE proname = 'memo_bad';

-- Purge and refresh, in batches (CALL outside a transaction block).
CALL plcpp.memo_purge(fn => 'memo_echo(text)', key_like => 'a%');
SELECT key FROM plcpp.memo WHERE function LIKE 'public.memo_echo%' AND key::text LIKE '{a%' ORDER BY 1;
CALL plcpp.memo_warm('memo_panel(text)', ARRAY['g4', 'g5', 'g6'], batch => 2);
SELECT key, builds FROM plcpp.memo WHERE function LIKE 'public.memo_panel%' ORDER BY key;
CALL plcpp.memo_warm('memo_multi(int, date, bool)', ARRAY[['2', '2020-01-01', 'false']]);
SELECT * FROM memo_multi(2, '2020-01-01', false); -- warmed: a hit
SELECT key, hits FROM plcpp.memo WHERE function LIKE 'public.memo_multi%' ORDER BY key;
CALL plcpp.memo_warm('memo_multi(int, date, bool)', ARRAY['2']);
CALL plcpp.memo_warm('memo_multi(int, date, bool)',
  keys_query => $$select 3, date '2021-06-01', true union all select 4, null, false$$);
SELECT key FROM plcpp.memo WHERE function LIKE 'public.memo_multi%' ORDER BY key;
CALL plcpp.memo_refresh(fn => 'memo_panel(text)', batch => 1);
SELECT key, builds FROM plcpp.memo WHERE function LIKE 'public.memo_panel%' ORDER BY key;
BEGIN;
CALL plcpp.memo_purge();
ROLLBACK;
CALL plcpp.memo_purge(batch => 0);

-- DROP FUNCTION: its views go with it.
SELECT count(*) AS views FROM pg_class WHERE relname LIKE 'memo_dollars__%';
DROP FUNCTION memo_dollars(int);
SELECT count(*) AS registered FROM plcpp.memo_registry WHERE function LIKE 'public.memo_dollars%';
SELECT count(*) AS views FROM pg_class WHERE relname LIKE 'memo_dollars__%';

CALL plcpp.memo_purge();
SELECT count(*) AS registered FROM plcpp.memo_registry;
SELECT count(*) AS views FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'plcpp_memo';
-- and everything is rebuilt on demand
SELECT count(*) AS rows FROM memo_panel('g1');
SELECT count(*) AS registered FROM plcpp.memo_registry;

DROP FUNCTION memo_owned(text);
REVOKE ALL ON memo_annotation FROM regress_memo_owner;
REVOKE CREATE ON SCHEMA plcpp_memo FROM regress_memo_owner;
DROP ROLE regress_memo_owner;
DROP ROLE regress_memo_caller;
DROP ROLE regress_memo_reader;
