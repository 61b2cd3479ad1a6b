-- Plan invalidation (seeds 001, 002): plans kept across calls follow DDL, as the server's plan
-- cache does for PL/pgSQL since 8.3. Ad-hoc queries are planned at each call; a statement from
-- spi::prepare held in a static is re-planned when what it uses changes.
CREATE FUNCTION pi_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RAISE NOTICE 'sqlstate=% message=%', st, msg;
END $$;

-- seed 001, the canonical example: create, use and drop a temp table, twice in one session
CREATE FUNCTION test_func() RETURNS text LANGUAGE plcpp AS $$
  spi::exec("create temp table tt as select 'hello world!'::text as greeting");
  auto greeting = *spi::query_one<std::string>("select * from tt");
  spi::exec("drop table tt");
  return greeting;
$$;
SELECT test_func();
SELECT test_func();
-- the same with the SELECT prepared once and kept: the second call's tt is a new relation
CREATE FUNCTION test_func_kept(v int) RETURNS text LANGUAGE plcpp STRICT AS $$
  spi::exec("create temp table tt as select $1 as n, 'hello world!'::text as greeting", v);
  static auto st = spi::prepare("select n, greeting from tt");
  auto r = st.query();
  spi::exec("drop table tt");
  return std::to_string(r[0].get<int32_t>("n")) + " " + r[0].get<std::string>("greeting");
$$;
SELECT test_func_kept(1);
SELECT test_func_kept(2);
SELECT test_func_kept(3);
-- the temp table survives in the session when the function does not drop it; truncating
-- and refilling it (seed 002's workaround) works as well
CREATE FUNCTION test_func_truncate(v int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  if (!*spi::query_one<bool>("select to_regclass('pg_temp.tmptab') is not null"))
    spi::exec("create temp table tmptab (n int)");
  else
    spi::exec("truncate tmptab");
  static auto fill = spi::prepare<int32_t>("insert into tmptab select generate_series(1, $1)");
  fill.exec(v);
  return *spi::query_one<int64_t>("select sum(n) from tmptab");
$$;
SELECT test_func_truncate(3);
SELECT test_func_truncate(4);
DROP TABLE tmptab;
SELECT test_func_truncate(5);

-- Plans really are cached below: generic plans from the first execution.
SET plan_cache_mode = force_generic_plan;

-- a prepared statement reused after ALTER TABLE, DROP TABLE and CREATE TABLE
CREATE TABLE pi_t (a int, b text);
INSERT INTO pi_t VALUES (1, 'one'), (2, 'two');
CREATE FUNCTION pi_read(lo int) RETURNS SETOF text LANGUAGE plcpp STRICT AS $$
  static auto st = spi::prepare<int32_t>("select pg_typeof(a)::text as a_type, * from pi_t"
                                         " where a >= $1 order by a");
  auto r = st.query(lo);
  std::string header;
  for (std::size_t c = 0; c < r.columns(); ++c) header += std::string(c ? "," : "") +
                                                          std::string(r.column_name(c));
  yield(header);
  for (auto row : r) {
    std::string line;
    for (std::size_t c = 0; c < r.columns(); ++c)
      line += std::string(c ? "," : "") +
              row.get<std::optional<std::string>>(c).value_or("NULL");
    yield(line);
  }
$$;
SELECT * FROM pi_read(0);
-- a new column: SELECT * now has three
ALTER TABLE pi_t ADD COLUMN c int DEFAULT 7;
SELECT * FROM pi_read(0);
-- a column's type changes
ALTER TABLE pi_t ALTER COLUMN a TYPE bigint;
INSERT INTO pi_t VALUES (5000000000, 'big', 8);
SELECT * FROM pi_read(2);
-- a dropped column disappears
ALTER TABLE pi_t DROP COLUMN b;
SELECT * FROM pi_read(0);
-- the table is dropped: the error is about the table, not a stale plan
DROP TABLE pi_t;
SELECT pi_error('SELECT * FROM pi_read(0)');
-- ...and a new table of the same name (a new relation, other columns) is found
CREATE TABLE pi_t (z text, a numeric);
INSERT INTO pi_t VALUES ('new table', 2.5);
SELECT * FROM pi_read(0);
-- renamed away and back
ALTER TABLE pi_t RENAME TO pi_t_old;
SELECT pi_error('SELECT * FROM pi_read(0)');
CREATE TABLE pi_t (a int);
INSERT INTO pi_t VALUES (42);
SELECT * FROM pi_read(0);
DROP TABLE pi_t, pi_t_old;

-- the same for a statement that writes: UPDATE through a kept plan after DDL
CREATE TABLE pi_w (id int PRIMARY KEY, n int);
INSERT INTO pi_w VALUES (1, 0), (2, 0);
CREATE FUNCTION pi_bump(id int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  static auto st = spi::prepare<int32_t>("update pi_w set n = n + 1 where id = $1");
  return st.exec(id);
$$;
SELECT pi_bump(1);
ALTER TABLE pi_w ADD COLUMN note text;
SELECT pi_bump(1);
CREATE INDEX pi_w_n ON pi_w (n);
SELECT pi_bump(2);
DROP TABLE pi_w;
CREATE TABLE pi_w (id int, n int);
INSERT INTO pi_w VALUES (1, 100), (1, 200);
SELECT pi_bump(1);
SELECT * FROM pi_w ORDER BY n;
DROP TABLE pi_w;

-- a function used by a kept plan is replaced: the plan follows (an inlined SQL function, so a
-- stale plan would still compute the old expression)
CREATE FUNCTION pi_rate(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
CREATE FUNCTION pi_apply(x int) RETURNS int LANGUAGE plcpp STRICT AS $$
  static auto st = spi::prepare<int32_t>("select pi_rate($1)");
  return *st.query(x)[0].get<std::optional<int32_t>>(0);
$$;
SELECT pi_apply(10);
CREATE OR REPLACE FUNCTION pi_rate(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 100';
SELECT pi_apply(10);
DROP FUNCTION pi_rate(int);
SELECT pi_error('SELECT pi_apply(10)');
CREATE FUNCTION pi_rate(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT -x';
SELECT pi_apply(10);

-- search_path: the same text names another table, and the kept plan follows
CREATE SCHEMA pi_s1;
CREATE SCHEMA pi_s2;
CREATE TABLE pi_s1.pi_where (here text);
CREATE TABLE pi_s2.pi_where (here text);
INSERT INTO pi_s1.pi_where VALUES ('schema one');
INSERT INTO pi_s2.pi_where VALUES ('schema two');
CREATE FUNCTION pi_which() RETURNS text LANGUAGE plcpp AS $$
  static auto st = spi::prepare("select here from pi_where");
  return st.query()[0].get<std::string>(0);
$$;
SET search_path = pi_s1, public;
SELECT pi_which();
SET search_path = pi_s2, public;
SELECT pi_which();
RESET search_path;
SELECT pi_error('SELECT pi_which()');
DROP SCHEMA pi_s1, pi_s2 CASCADE;

RESET plan_cache_mode;

-- seed 002: a dynamic query whose result type changes between iterations of a loop. The
-- value is read at each iteration from the type it has then.
CREATE FUNCTION foo() RETURNS SETOF text LANGUAGE plcpp AS $$
  for (const char* type : {"integer", "varchar", "numeric", "bigint", "text", "real"}) {
    std::string v;
    for (auto r : spi::query(std::string("select 1::") + type + " as _x, pg_typeof(1::" + type +
                             ")::text as t"))
      v = r.get<std::string>("_x") + " as " + r.get<std::string>("t");
    yield(v);
  }
$$;
SELECT * FROM foo();
-- the same through a numeric C++ type: each type converts (by assignment cast if needed)
CREATE FUNCTION foo_num() RETURNS double precision LANGUAGE plcpp AS $$
  double total = 0;
  for (const char* type : {"integer", "numeric", "bigint", "real", "smallint", "float8"})
    total += *spi::query_one<double>(std::string("select 1.5::") + type + " as _x");
  return total;   // 2 + 1.5 + 2 + 1.5 + 2 + 1.5
$$;
SELECT foo_num();
-- a cursor over a query whose column type changed under a kept statement
CREATE TABLE pi_c (v int);
INSERT INTO pi_c SELECT generate_series(1, 5);
CREATE FUNCTION pi_cursor_sum() RETURNS text LANGUAGE plcpp AS $$
  static auto st = spi::prepare("select v from pi_c order by v");
  std::string out;
  for (auto row : st.cursor()) out += row.get<std::string>(0) + " ";
  return out;
$$;
SELECT pi_cursor_sum();
ALTER TABLE pi_c ALTER COLUMN v TYPE numeric;
UPDATE pi_c SET v = v + 0.5;
SELECT pi_cursor_sum();
ALTER TABLE pi_c ALTER COLUMN v TYPE text;
UPDATE pi_c SET v = 'v' || v;
SELECT pi_cursor_sum();
DROP TABLE pi_c;

-- seed 002's 'now': a constant is folded when the query is analyzed. A query run ad hoc is
-- analyzed at every call; a kept plan keeps its constants (as a PREPAREd statement does), so a
-- value that must be computed per call is passed as a parameter (or written as now()).
CREATE TABLE pi_log (how text, ts timestamptz);
CREATE FUNCTION pi_stamp() RETURNS void LANGUAGE plcpp AS $$
  spi::exec("insert into pi_log values ('ad hoc literal', 'now')");
  static auto kept_literal = spi::prepare("insert into pi_log values ('kept literal', 'now')");
  kept_literal.exec();
  static auto kept_param = spi::prepare<std::string>(
      "insert into pi_log values ('kept parameter', $1::timestamptz)");
  kept_param.exec("now");
  static auto kept_typed = spi::prepare<timestamptz>(
      "insert into pi_log values ('kept timestamptz parameter', $1)");
  kept_typed.exec(*spi::query_one<timestamptz>("select now()"));
  static auto kept_now = spi::prepare("insert into pi_log values ('kept now()', now())");
  kept_now.exec();
$$;
BEGIN;
SELECT pi_stamp();
SELECT pi_stamp();   -- same transaction: same now() for all
COMMIT;
SELECT pg_sleep(0.01);
BEGIN;
SELECT pi_stamp();   -- a later transaction
COMMIT;
SELECT how, count(*) AS rows, count(DISTINCT ts) AS distinct_times,
       bool_and(ts <= now()) AS not_in_future
  FROM pi_log GROUP BY how ORDER BY how;
-- all but the kept literal share exactly the two transactions' times; the kept literal is the
-- first transaction's
SELECT count(DISTINCT ts) AS two_times FROM pi_log WHERE how <> 'kept literal';
SELECT (SELECT max(ts) FROM pi_log WHERE how = 'kept literal') =
       (SELECT min(ts) FROM pi_log WHERE how = 'ad hoc literal') AS frozen_at_first_call;
DROP TABLE pi_log;
