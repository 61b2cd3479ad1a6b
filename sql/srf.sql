-- Set-returning functions: yield(), return sql(...), return a result, return a container.
CREATE TYPE srf_pt AS (x int, label text);

-- SETOF scalar via yield(value)
CREATE FUNCTION srf_squares(n int) RETURNS SETOF int LANGUAGE plcpp STRICT AS $$
  for (int i = 1; i <= n; ++i) yield(i * i);
$$;
SELECT * FROM srf_squares(4);
SELECT srf_squares FROM srf_squares(0);          -- no rows
-- NULL rows: yield(std::nullopt) / an empty optional
CREATE FUNCTION srf_nulls() RETURNS SETOF text LANGUAGE plcpp AS $$
  yield("a");
  yield(std::nullopt);
  yield(std::optional<std::string>{});
  yield(std::string_view("d"));
$$;
SELECT v, v IS NULL AS is_null FROM srf_nulls() WITH ORDINALITY AS t(v, n) ORDER BY n;

-- RETURNS TABLE: yield(a, b) and yield(out_row{...}) (members are std::optional)
CREATE FUNCTION srf_table(n int) RETURNS TABLE(i int, sq text) LANGUAGE plcpp STRICT AS $$
  for (int k = 1; k <= n; ++k)
    if (k % 2) yield(k, std::to_string(k * k));
    else yield(out_row{k, std::nullopt});
$$;
SELECT * FROM srf_table(4);
SELECT i, sq IS NULL AS sq_null FROM srf_table(2);
-- a row as a std::tuple
CREATE FUNCTION srf_tuple() RETURNS TABLE(a int8, b float8) LANGUAGE plcpp AS $$
  yield(std::tuple<int64_t, double>{1, 0.5});
  yield(std::make_tuple(2, 1.25));           // int and double convert to the column types
$$;
SELECT * FROM srf_tuple();
-- yield with the wrong number of values does not compile
CREATE FUNCTION srf_arity() RETURNS TABLE(a int, b text) LANGUAGE plcpp AS $$
  yield(1);
$$;
-- a value PostgreSQL cannot assign to the column is a runtime error
CREATE FUNCTION srf_badvalue() RETURNS SETOF int LANGUAGE plcpp AS $$
  yield(std::string("12"));
$$;
SELECT * FROM srf_badvalue();
-- ...but an assignment cast applies (double and int into numeric)
CREATE FUNCTION srf_numeric() RETURNS SETOF numeric LANGUAGE plcpp AS $$
  yield(1.5);
  yield(2);
$$;
SELECT * FROM srf_numeric();

-- SETOF composite: yield(pt{...}) or yield(values...)
CREATE FUNCTION srf_points() RETURNS SETOF srf_pt LANGUAGE plcpp AS $$
  yield(srf_pt{1, "a"});
  yield(srf_pt{2, std::nullopt});
  yield(3, "c");
$$;
SELECT * FROM srf_points();
SELECT (p).x, (p).label FROM (SELECT srf_points() AS p) s;

-- return sql(...): RETURN QUERY with parameters
CREATE FUNCTION srf_query(lo int, hi int) RETURNS SETOF srf_pt LANGUAGE plcpp STRICT AS $$
  return sql("select g, 'n' || g from generate_series($1, $2) g", lo, hi);
$$;
SELECT * FROM srf_query(2, 4);
SELECT count(*) FROM srf_query(5, 1);
-- the query's columns must match the result type: 42804, as in PL/pgSQL
CREATE FUNCTION srf_show_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
  RAISE NOTICE E'sqlstate=% message=%\ndetail=%', st, msg, det;
END $$;
CREATE FUNCTION srf_mismatch(which int) RETURNS SETOF srf_pt LANGUAGE plcpp STRICT AS $$
  if (which == 1) return sql("select 1, 2");
  if (which == 2) return sql("select 'a'::text, 1");
  return sql("select 1");
$$;
SELECT srf_show_error('SELECT * FROM srf_mismatch(1)');
SELECT srf_show_error('SELECT * FROM srf_mismatch(2)');
SELECT srf_show_error('SELECT * FROM srf_mismatch(3)');
SELECT * FROM srf_mismatch(3);
-- a data-modifying query with RETURNING is fine; without RETURNING there are no rows to return
CREATE TABLE srf_ins (v int);
CREATE FUNCTION srf_insert(ret bool) RETURNS SETOF int LANGUAGE plcpp STRICT AS $$
  if (ret) return sql("insert into srf_ins values (1), (2) returning v * 10");
  return sql("insert into srf_ins values (3)");
$$;
SELECT * FROM srf_insert(true);
SELECT * FROM srf_insert(false);
-- STABLE: the query is read-only
CREATE FUNCTION srf_insert_stable() RETURNS SETOF int LANGUAGE plcpp STABLE AS $$
  return sql("insert into srf_ins values (4) returning v");
$$;
SELECT * FROM srf_insert_stable();
SELECT * FROM srf_ins ORDER BY v;
-- yielded rows come first, then the returned query's
CREATE FUNCTION srf_both() RETURNS SETOF int LANGUAGE plcpp AS $$
  yield(1);
  yield(2);
  return sql("values (3), (4)"); // VALUES: never parallel, so its order is fixed
$$;
SELECT * FROM srf_both();

-- return spi::query(...): the rows of an executed query
CREATE FUNCTION srf_result(n int) RETURNS TABLE(a int, b text) LANGUAGE plcpp STRICT AS $$
  return spi::query("select g, repeat('x', g) from generate_series(1, $1) g", n);
$$;
SELECT * FROM srf_result(3);
SELECT count(*) FROM srf_result(0);
CREATE FUNCTION srf_result_mismatch() RETURNS TABLE(a int, b text) LANGUAGE plcpp AS $$
  return spi::query("select 'x'::text, 1");
$$;
SELECT srf_show_error('SELECT * FROM srf_result_mismatch()');
-- a loop over a query that yields (DESIGN §1's top_users shape)
CREATE TABLE srf_annotation (group_id text, user_id int);
INSERT INTO srf_annotation VALUES ('g1', 1), ('g1', 2), ('g1', 2), ('g1', 3), ('g1', 3), ('g1', 3),
  ('g2', 7);
CREATE FUNCTION srf_top_users(_group text, n int) RETURNS TABLE(user_id int, annotations bigint)
LANGUAGE plcpp STABLE STRICT AS $$
  for (auto row : spi::query("select user_id, count(*) from srf_annotation "
                             "where group_id = $1 group by 1 order by 2 desc limit $2", _group, n))
    yield(row.get<int32_t>(0), row.get<int64_t>(1));
$$;
SELECT * FROM srf_top_users('g1', 2);
SELECT * FROM srf_top_users('g2', 5);
SELECT count(*) FROM srf_top_users('none', 5);

-- return a container: each element is one row
CREATE FUNCTION srf_vec_scalar() RETURNS SETOF text LANGUAGE plcpp AS $$
  return std::vector<std::string>{"x", "y", "z"};
$$;
SELECT * FROM srf_vec_scalar();
CREATE FUNCTION srf_vec_optional() RETURNS SETOF int LANGUAGE plcpp AS $$
  return std::vector<std::optional<int>>{1, std::nullopt, 3};
$$;
SELECT v, v IS NULL AS is_null FROM srf_vec_optional() WITH ORDINALITY AS t(v, n) ORDER BY n;
CREATE FUNCTION srf_vec_tuple() RETURNS TABLE(a int, b text) LANGUAGE plcpp AS $$
  return std::vector<std::tuple<int, std::string>>{{1, "one"}, {2, "two"}};
$$;
SELECT * FROM srf_vec_tuple();
CREATE FUNCTION srf_vec_struct() RETURNS TABLE(a int, b text) LANGUAGE plcpp AS $$
  std::vector<out_row> v;
  v.push_back({5, "five"});
  v.push_back({6, std::nullopt});
  return v;
$$;
SELECT a, b, b IS NULL AS b_null FROM srf_vec_struct();
CREATE FUNCTION srf_vec_composite() RETURNS SETOF srf_pt LANGUAGE plcpp AS $$
  return std::vector<srf_pt>{{10, "ten"}, {20, "twenty"}};
$$;
SELECT * FROM srf_vec_composite();
CREATE FUNCTION srf_vec_empty() RETURNS SETOF int LANGUAGE plcpp AS $$
  return std::vector<int>{};
$$;
SELECT count(*) FROM srf_vec_empty();

-- empty set: a body that yields nothing
CREATE FUNCTION srf_empty() RETURNS SETOF int LANGUAGE plcpp AS $$ $$;
SELECT count(*) FROM srf_empty();
-- STRICT with a NULL argument: no rows, the body does not run
CREATE FUNCTION srf_strict(n int) RETURNS SETOF int LANGUAGE plcpp STRICT AS $$
  notice("body ran");
  yield(n);
$$;
SELECT count(*) FROM srf_strict(NULL);
SELECT * FROM srf_strict(7);
-- not STRICT: the argument is std::optional
CREATE FUNCTION srf_lenient(n int) RETURNS SETOF text LANGUAGE plcpp AS $$
  yield(n ? "got " + std::to_string(*n) : std::string("got NULL"));
$$;
SELECT * FROM srf_lenient(NULL);
SELECT * FROM srf_lenient(1);

-- in the select list
SELECT srf_squares(3);
SELECT srf_squares(3), 'x' AS other;
SELECT srf_table(2);
-- once per outer row (LATERAL): each call has its own rows
SELECT g, s FROM generate_series(1, 3) g, LATERAL srf_squares(g) s ORDER BY 1, 2;
-- a scroll cursor reads the rows backwards (random-access tuplestore)
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT * FROM srf_squares(5);
FETCH LAST FROM c;
FETCH PRIOR FROM c;
FETCH ABSOLUTE 1 FROM c;
COMMIT;
SELECT * FROM srf_squares(1000) LIMIT 2;
-- an error after some rows were yielded: the statement fails, no rows returned
CREATE FUNCTION srf_fails_at(n int, stop int) RETURNS SETOF int LANGUAGE plcpp STRICT AS $$
  for (int i = 1; i <= n; ++i) {
    if (i == stop) error("stop at " + std::to_string(i));
    yield(i);
  }
$$;
SELECT * FROM srf_fails_at(2, 3);
SELECT * FROM srf_fails_at(5, 3);
SELECT * FROM srf_fails_at(3, 0);

-- a million rows, past work_mem (the tuplestore spills to disk)
CREATE FUNCTION srf_many(n int) RETURNS SETOF int8 LANGUAGE plcpp STRICT AS $$
  for (int64_t i = 1; i <= n; ++i) yield(i);
$$;
SET work_mem = '64kB';
SELECT count(*), sum(x) FROM srf_many(1000000) x;
CREATE FUNCTION srf_many_query(n int) RETURNS SETOF int8 LANGUAGE plcpp STRICT AS $$
  return sql("select g::int8 from generate_series(1, $1) g", n);
$$;
SELECT count(*), sum(x), min(x), max(x) FROM srf_many_query(1000000) x;
RESET work_mem;

-- a composite result type with a dropped column
CREATE TABLE srf_dc (a int, b text, c int);
CREATE FUNCTION srf_dropped() RETURNS SETOF srf_dc LANGUAGE plcpp AS $$
  yield(srf_dc{1, "one", 10});
  yield(2, "two", 20);
$$;
SELECT * FROM srf_dropped();
ALTER TABLE srf_dc DROP COLUMN b;
-- compiled for three columns: the type changed, recompile
SELECT srf_show_error('SELECT * FROM srf_dropped()');
CREATE OR REPLACE FUNCTION srf_dropped() RETURNS SETOF srf_dc LANGUAGE plcpp AS $$
  yield(srf_dc{1, 10});
  yield(2, 20);
$$;
SELECT * FROM srf_dropped();
INSERT INTO srf_dc VALUES (9, 90);
CREATE FUNCTION srf_dropped_query() RETURNS SETOF srf_dc LANGUAGE plcpp AS $$
  return sql("select * from srf_dc union all select 7, 70");
$$;
SELECT * FROM srf_dropped_query();
CREATE FUNCTION srf_dropped_result() RETURNS SETOF srf_dc LANGUAGE plcpp AS $$
  return spi::query("select 8, 80");
$$;
SELECT * FROM srf_dropped_result();
ALTER TYPE srf_pt ADD ATTRIBUTE extra int;
ALTER TYPE srf_pt DROP ATTRIBUTE label;
CREATE OR REPLACE FUNCTION srf_points() RETURNS SETOF srf_pt LANGUAGE plcpp AS $$
  yield(srf_pt{1, 100});
  yield(2, std::nullopt);
$$;
SELECT * FROM srf_points();

-- yield outside a set-returning function does not compile...
CREATE FUNCTION srf_not_set() RETURNS int LANGUAGE plcpp AS $$ yield(1); return 1; $$;
DO LANGUAGE plcpp $$ yield(1); $$;
-- ...and the runtime refuses rows from a function that does not return a set (internal API)
CREATE FUNCTION srf_not_set() RETURNS int LANGUAGE plcpp AS $$
  detail::emit_query(sql("select 1"));
  return 1;
$$;
SELECT srf_show_error('SELECT srf_not_set()');
-- SETOF void is refused
CREATE FUNCTION srf_void() RETURNS SETOF void LANGUAGE plcpp AS $$ $$;

-- two calls that query through SPI in one target list: each call leaves the memory context
-- as it found it (the second call must not run in memory the first one freed)
CREATE FUNCTION srf_spi_rows(n int) RETURNS SETOF int LANGUAGE plcpp STRICT AS $$
  return spi::query("select generate_series(1, $1)", n);
$$;
SELECT srf_spi_rows(2) AS a, srf_spi_rows(3) AS b;
CREATE FUNCTION srf_spi_count(n int) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  return *spi::query_one<int64_t>("select count(*) from srf_squares($1)", n);
$$;
SELECT srf_spi_count(3) AS three, srf_spi_count(4) AS four;
