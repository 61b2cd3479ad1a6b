-- [[plcpp::result_cache]] (DESIGN §3): a result shared by all sessions, served while nothing it
-- read has changed. The test server preloads plcpp (shared_preload_libraries); several
-- sessions, REPEATABLE READ and the never-stale stress test are in test/server/result_cache_test.sh.
-- Without shared_preload_libraries = 'plcpp' (no shared memory) a function with the attribute
-- runs uncached with one WARNING per session: that is checked, and the rest is skipped
-- (expected/result_cache_1.out).
SELECT current_setting('shared_preload_libraries') ~ 'plcpp' AS preloaded \gset
\if :preloaded
\else
\echo 'NOTICE: plcpp is not preloaded: checking that result_cache runs uncached; the cache checks are skipped'
CREATE TABLE rc_counter(n int);
INSERT INTO rc_counter VALUES (0);
CREATE FUNCTION rc_uncached(x int) RETURNS int LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  return x + spi::query_one<int32_t>("select n from rc_counter").value();
$$;
SELECT rc_uncached(1), rc_uncached(1);
UPDATE rc_counter SET n = 10;
SELECT rc_uncached(1) AS fresh;   -- computed again, and no second WARNING
SELECT count(*) AS stats FROM plcpp.result_cache_stats;
SELECT plcpp.result_cache_flush() AS flushed;
DROP FUNCTION rc_uncached(int);
DROP TABLE rc_counter;
\quit
\endif

CREATE TABLE rc_emp(id int PRIMARY KEY, name text, salary int, dept int);
INSERT INTO rc_emp SELECT i, 'emp' || i, 1000 + i, i % 3 FROM generate_series(1, 30) i;
CREATE ROLE rc_reader;
GRANT SELECT ON rc_emp TO rc_reader;
CREATE SCHEMA rc_a;
CREATE SCHEMA rc_b;
CREATE TABLE rc_a.label(v text);
CREATE TABLE rc_b.label(v text);
INSERT INTO rc_a.label VALUES ('from a');
INSERT INTO rc_b.label VALUES ('from b');
CREATE TABLE rc_clock(t int);
INSERT INTO rc_clock VALUES (1);

-- Every function first: creating a function invalidates every entry (it may be called by one).
CREATE FUNCTION rc_salary(emp int) RETURNS int LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  return spi::query_one<int32_t>("select salary from rc_emp where id = $1", emp).value_or(-1);
$$;
CREATE FUNCTION rc_dept_total(dept int) RETURNS bigint LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  int64_t total = 0;  // through the cached rc_salary: its dependencies become ours
  for (auto row : spi::query("select id from rc_emp where dept = $1 order by id", dept))
    total += spi::query_one<int32_t>("select rc_salary($1)", row.get<int32_t>(0)).value();
  return total;
$$;
CREATE FUNCTION rc_concat(a text, b text) RETURNS text LANGUAGE plcpp IMMUTABLE AS $$
  [[plcpp::result_cache]]
  std::string out(a ? *a : std::string_view("<null>"));
  out += "|";
  out += b ? *b : std::string_view("<null>");
  return out;
$$;
CREATE FUNCTION rc_whoami() RETURNS boolean LANGUAGE plcpp STABLE AS $$
  [[plcpp::result_cache]]
  return spi::query_one<bool>("select current_user = 'rc_reader'").value();
$$;
CREATE FUNCTION rc_label() RETURNS text LANGUAGE plcpp STABLE AS $$
  [[plcpp::result_cache]]
  return spi::query_one<std::string>("select v from label").value();  // unqualified
$$;
CREATE FUNCTION rc_declared() RETURNS int LANGUAGE plcpp IMMUTABLE AS $$
  [[plcpp::result_cache(relies_on = "rc_clock, public.rc_emp")]]
  return 42;  // reads nothing: relies_on makes writes to rc_clock or rc_emp invalidate it
$$;
CREATE FUNCTION rc_emp_row(emp int) RETURNS rc_emp LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  return spi::query_one<rc_emp>("select e from rc_emp e where id = $1", emp).value();
$$;
CREATE FUNCTION rc_pair(emp int, OUT name text, OUT doubled int) LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  auto r = spi::query("select name, salary * 2 from rc_emp where id = $1", emp);
  return out_row{r[0].get<std::string>(0), r[0].get<int32_t>(1)};
$$;
CREATE FUNCTION rc_repeat(n int) RETURNS text LANGUAGE plcpp IMMUTABLE STRICT AS $$
  [[plcpp::result_cache]]
  return std::string(static_cast<size_t>(n), 'x');
$$;
CREATE FUNCTION rc_temp_count() RETURNS bigint LANGUAGE plcpp STABLE AS $$
  [[plcpp::result_cache]]
  return spi::query_one<int64_t>("select count(*) from rc_temp").value();
$$;
CREATE FUNCTION rc_version() RETURNS text LANGUAGE plcpp IMMUTABLE AS $$
  [[plcpp::result_cache]]
  return "first";
$$;
CREATE TEMP TABLE rc_temp AS SELECT 1 AS x;
CREATE FUNCTION rc_stats(f regprocedure) RETURNS text LANGUAGE sql AS $$
  SELECT format('entries=%s hits=%s misses=%s', entries, hits, misses)
    FROM plcpp.result_cache_stats WHERE function = f
$$;
SELECT plcpp.result_cache_flush() >= 0 AS flushed;

-- First call computes, later calls (this statement or the next) are hits.
SELECT rc_salary(5), rc_salary(5), rc_salary(6);
SELECT rc_salary(5);
SELECT rc_stats('rc_salary(int)');

-- A committed change to the table invalidates; the next call computes the new value.
UPDATE rc_emp SET salary = salary + 1 WHERE id = 30;
SELECT rc_salary(5);
SELECT rc_stats('rc_salary(int)');
SELECT invalidations >= 1 AS invalidated FROM plcpp.result_cache_stats
 WHERE function = 'rc_salary(int)'::regprocedure;
UPDATE rc_emp SET salary = 2005 WHERE id = 5;
SELECT rc_salary(5), rc_salary(5);

-- A rolled-back change invalidates nothing; an uncommitted one is seen by its own transaction
-- (which neither reads nor publishes entries of that table).
BEGIN;
UPDATE rc_emp SET salary = 1 WHERE id = 5;
SELECT rc_salary(5) AS own_write_seen, rc_salary(6) AS own_write_seen_too;
ROLLBACK;
SELECT rc_salary(5) AS after_rollback;
SELECT rc_stats('rc_salary(int)');

-- Nested calls: rc_dept_total depends on rc_emp through rc_salary's entries.
SELECT rc_dept_total(2), rc_dept_total(2);
UPDATE rc_emp SET salary = salary + 100 WHERE id = 2;
SELECT rc_dept_total(2) = (SELECT sum(salary) FROM rc_emp WHERE dept = 2) AS nested_fresh;

-- Arguments: NULLs, and values that concatenate alike, are different keys.
SELECT rc_concat('ab', 'c'), rc_concat('a', 'bc'), rc_concat(NULL, 'c'), rc_concat('', 'c'),
       rc_concat('ab', 'c');
SELECT rc_stats('rc_concat(text, text)');

-- The role is part of the key (unless SECURITY DEFINER), and so is search_path.
SELECT rc_whoami() AS as_owner;
SET ROLE rc_reader;
SELECT rc_whoami() AS as_reader;
RESET ROLE;
SELECT rc_whoami() AS as_owner_again;
SET search_path = rc_a, public;
SELECT rc_label();
SET search_path = rc_b, public;
SELECT rc_label();
RESET search_path;

-- Privileges and row-level policies change what a role may read: its entries go.
SET ROLE rc_reader;
SELECT rc_salary(11) AS reader_cached;
RESET ROLE;
REVOKE SELECT ON rc_emp FROM rc_reader;
SET ROLE rc_reader;
SELECT rc_salary(11) AS after_revoke;  -- an error, not the cached value
RESET ROLE;
GRANT SELECT ON rc_emp TO rc_reader;
ALTER TABLE rc_emp ENABLE ROW LEVEL SECURITY;
CREATE POLICY rc_policy ON rc_emp FOR SELECT TO rc_reader USING (true);
SET ROLE rc_reader;
SELECT rc_salary(11), rc_salary(11) AS reader_cached_again;
RESET ROLE;
ALTER POLICY rc_policy ON rc_emp USING (salary < 1011);
SET ROLE rc_reader;
SELECT rc_salary(11) AS hidden_by_policy;
RESET ROLE;
DROP POLICY rc_policy ON rc_emp;
ALTER TABLE rc_emp DISABLE ROW LEVEL SECURITY;

-- relies_on adds dependencies the queries do not show.
SELECT rc_declared(), rc_declared();
UPDATE rc_clock SET t = t + 1;
SELECT rc_declared();
SELECT rc_stats('rc_declared()');

-- Composite results: a named type and OUT parameters.
SELECT rc_emp_row(7), rc_emp_row(7);
SELECT (rc_emp_row(7)).name;
SELECT * FROM rc_pair(8);
SELECT * FROM rc_pair(8);
SELECT rc_stats('rc_pair(int)');

-- plcpp.result_cache: off computes and stores nothing; bypass computes and stores.
SELECT plcpp.result_cache_flush('rc_repeat(int)');
SET plcpp.result_cache = off;
SELECT rc_repeat(3);
SELECT rc_stats('rc_repeat(int)') AS off_stores_nothing;
SET plcpp.result_cache = bypass;
SELECT rc_repeat(3), rc_repeat(3);
SELECT rc_stats('rc_repeat(int)') AS bypass_stores;
RESET plcpp.result_cache;
SELECT rc_repeat(3);
SELECT rc_stats('rc_repeat(int)') AS then_hits;

-- Results larger than plcpp.result_cache_max_result are not stored.
SET plcpp.result_cache_max_result = 100;
SELECT length(rc_repeat(1000)), length(rc_repeat(1000)), length(rc_repeat(50));
SELECT rc_stats('rc_repeat(int)');
RESET plcpp.result_cache_max_result;

-- Temporary tables are private to a session: results that read one are never shared.
SELECT rc_temp_count(), rc_temp_count();
SELECT rc_stats('rc_temp_count()');

-- SERIALIZABLE transactions do not use the cache (a hit would skip predicate locking).
SELECT rc_stats('rc_salary(int)') AS before_serializable;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT rc_salary(9), rc_salary(9);
COMMIT;
SELECT rc_stats('rc_salary(int)') AS after_serializable;

-- TRUNCATE and DDL invalidate.
SELECT rc_salary(10);
ALTER TABLE rc_emp ADD COLUMN note text;
SELECT rc_salary(10);
TRUNCATE rc_emp;
SELECT rc_salary(10) AS after_truncate;

-- A replaced function never serves its old results.
SELECT rc_version();
CREATE OR REPLACE FUNCTION rc_version() RETURNS text LANGUAGE plcpp IMMUTABLE AS $$
  [[plcpp::result_cache]]
  return "second";
$$;
SELECT rc_version();

-- flush
SELECT rc_repeat(4), rc_repeat(5);
SELECT plcpp.result_cache_flush('rc_repeat(int)') >= 2 AS flushed_some;
SELECT entries FROM plcpp.result_cache_stats WHERE function = 'rc_repeat(int)'::regprocedure;

-- Where the attribute is refused.
CREATE FUNCTION rc_bad1(a int) RETURNS int LANGUAGE plcpp AS $$
  [[plcpp::result_cache]]
  return a;
$$;
CREATE FUNCTION rc_bad2(a int) RETURNS SETOF int LANGUAGE plcpp STABLE AS $$
  [[plcpp::result_cache]]
  yield(a);
$$;
CREATE FUNCTION rc_bad3(a int) RETURNS void LANGUAGE plcpp STABLE AS $$
  [[plcpp::result_cache]]
$$;
CREATE FUNCTION rc_bad4(a int) RETURNS int LANGUAGE plcpp STABLE AS $$
  [[plcpp::result_cache(ttl = "1 hour")]]
  return a;
$$;
CREATE FUNCTION rc_bad5(a int) RETURNS int LANGUAGE plcpp STABLE AS $$
  [[plcpp::result_cache(relies_on = "no_such_table")]]
  return a;
$$;
DROP SCHEMA rc_a, rc_b CASCADE;
DROP TABLE rc_emp, rc_clock CASCADE;
DROP FUNCTION rc_salary, rc_dept_total, rc_concat, rc_whoami, rc_label, rc_declared, rc_pair,
  rc_repeat, rc_temp_count, rc_version, rc_stats;
DROP ROLE rc_reader;
