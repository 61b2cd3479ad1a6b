-- Anonymous records (RETURNS record, RETURNS SETOF record) with the caller's column
-- definition list, and unnamed OUT parameters. Each case names the PL/pgSQL or PL/Python
-- behaviour it mirrors.
CREATE FUNCTION rec_show_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
  RAISE NOTICE E'sqlstate=% message=%\ndetail=%', st, msg, det;
END $$;
CREATE TABLE rec_src (a int, b text, c float8);
INSERT INTO rec_src VALUES (1, 'one', 1.5), (2, 'two', NULL), (3, NULL, 3.5);

-- SETOF record, return sql(...): PL/pgSQL's RETURN QUERY in a function RETURNS SETOF record
CREATE FUNCTION rec_query(lim int) RETURNS SETOF record LANGUAGE plcpp STRICT AS $$
  return sql("select a, b from rec_src where a <= $1 order by a", lim);
$$;
SELECT * FROM rec_query(2) AS t(x int, y text);
-- the caller's columns do not match the query's: 42804 (RETURN QUERY: "structure of query
-- does not match function result type")
SELECT * FROM rec_query(2) AS t(x int, y int);
SELECT * FROM rec_query(2) AS t(x int);
-- without a column definition list: PostgreSQL's own error
SELECT * FROM rec_query(2);

-- SETOF record, yield(record): PL/pgSQL's RETURN NEXT of a record variable
CREATE FUNCTION rec_yield_rows() RETURNS SETOF record LANGUAGE plcpp AS $$
  for (auto row : spi::query("select a, b, c from rec_src order by a"))
    yield(row.to_record());
$$;
SELECT * FROM rec_yield_rows() AS t(a int, b text, c float8);
-- a row of a result is yielded as its record
CREATE FUNCTION rec_yield_row() RETURNS SETOF record LANGUAGE plcpp AS $$
  for (auto row : spi::query("select b, a from rec_src where a < 3 order by a")) yield(row);
$$;
SELECT * FROM rec_yield_row() AS t(b text, a int);
-- PL/pgSQL: "wrong record type supplied in RETURN NEXT" (42804)
SELECT rec_show_error('SELECT * FROM rec_yield_rows() AS t(a int, b text, c int)');
SELECT rec_show_error('SELECT * FROM rec_yield_rows() AS t(a int, b text)');

-- SETOF record, yield(values...): each value converted to its column's type (PL/Python:
-- a sequence per row, converted to the caller's columns)
CREATE FUNCTION rec_yield_values(n int) RETURNS SETOF record LANGUAGE plcpp STRICT AS $$
  for (int i = 1; i <= n; ++i) yield(i, "row " + std::to_string(i), std::optional<double>());
$$;
SELECT * FROM rec_yield_values(2) AS t(i int, label text, d float8);
-- assignment casts as in PL/pgSQL's RETURN NEXT of values: int into bigint and numeric, text
-- into varchar
SELECT * FROM rec_yield_values(1) AS t(i bigint, label varchar(10), d numeric);
-- wrong count (42804), and a value with no assignment cast to its column (42804)
SELECT rec_show_error('SELECT * FROM rec_yield_values(1) AS t(i int, label text)');
SELECT rec_show_error('SELECT * FROM rec_yield_values(1) AS t(i int, label int, d float8)');
-- a container of tuples is returned through the same yield
CREATE FUNCTION rec_container() RETURNS SETOF record LANGUAGE plcpp AS $$
  return std::vector<std::tuple<int, std::string>>{{1, "a"}, {2, "b"}};
$$;
SELECT * FROM rec_container() AS t(n int, s text);
-- a result: its rows, checked as sql(...)'s
CREATE FUNCTION rec_result() RETURNS SETOF record LANGUAGE plcpp AS $$
  return spi::query("select b, a from rec_src where b is not null order by a");
$$;
SELECT * FROM rec_result() AS t(b text, a int);
SELECT * FROM rec_result() AS t(a int, b text);

-- RETURNS record (one row): return row.to_record() (PL/pgSQL: RETURN r, r a record variable)
CREATE FUNCTION rec_one(k int) RETURNS record LANGUAGE plcpp STRICT AS $$
  auto r = spi::query("select a, b, c from rec_src where a = $1", k);
  if (r.empty()) return std::nullopt;           // NULL, as RETURN NULL
  return r[0].to_record();
$$;
SELECT * FROM rec_one(1) AS t(a int, b text, c float8);
SELECT * FROM rec_one(9) AS t(a int, b text, c float8);
SELECT rec_one(2);                              -- in the select list: an anonymous row
SELECT rec_one(9) IS NULL AS null_record;
-- the caller's columns differ: PL/pgSQL "returned record type does not match expected record
-- type" (42804)
SELECT rec_show_error('SELECT * FROM rec_one(1) AS t(a int, b text, c text)');
SELECT rec_show_error('SELECT * FROM rec_one(1) AS t(a int, b text)');
-- a row of a table as a record, and a record argument passed through
CREATE FUNCTION rec_echo(r record) RETURNS record LANGUAGE plcpp STRICT AS $$ return r; $$;
SELECT * FROM rec_echo(ROW(1, 'x'::text)) AS t(n int, s text);
SELECT t.* FROM rec_src s, rec_echo(s) AS t(a int, b text, c float8) WHERE s.a = 3;
SELECT rec_show_error('SELECT * FROM rec_echo(ROW(1, 2)) AS t(n int, s text)');
-- a table row with a dropped column converts over its live columns (PL/pgSQL: the same)
CREATE TABLE rec_dropped (a int, junk text, b text);
ALTER TABLE rec_dropped DROP COLUMN junk;
INSERT INTO rec_dropped VALUES (1, 'x');
SELECT t.* FROM rec_dropped d, rec_echo(d) AS t(a int, b text);
-- many rows through yield(values...): the tuplestore spills past work_mem
CREATE FUNCTION rec_many(n int) RETURNS SETOF record LANGUAGE plcpp STRICT AS $$
  for (int i = 0; i < n; ++i) yield(i, std::to_string(i));
$$;
SELECT count(*), sum(a), max(length(b)) FROM rec_many(200000) AS t(a bigint, b text);
-- bad input: [[plcpp::result_cache]] cannot keep a row whose type is the caller's (42P13)
CREATE FUNCTION rec_cached(k int) RETURNS record LANGUAGE plcpp STABLE STRICT AS $$
  [[plcpp::result_cache]]
  return spi::query("select a, b from rec_src where a = $1", k)[0].to_record();
$$;

-- Unnamed OUT parameters: PostgreSQL names the columns column1, column2, ...; they are the
-- members of struct out_row (PL/pgSQL: unnamed OUT parameters are $2, $3 ...; PL/Python
-- returns a sequence for them)
CREATE FUNCTION rec_unnamed_out(int, OUT int, OUT text) LANGUAGE plcpp STRICT AS $$
  return out_row{$1 * 2, "x" + std::to_string($1)};
$$;
SELECT * FROM rec_unnamed_out(21);
SELECT rec_unnamed_out(1);
-- the members are named after the columns
CREATE FUNCTION rec_unnamed_members(int, OUT int, OUT text) LANGUAGE plcpp STRICT AS $$
  out_row r;
  r.column1 = $1;
  r.column2 = "named column2";
  return r;
$$;
SELECT * FROM rec_unnamed_members(5);
-- mixed named and unnamed: a column is named by its position among the OUT parameters
CREATE FUNCTION rec_mixed_out(a int, OUT doubled int, OUT text, OUT float8) LANGUAGE plcpp
STRICT AS $$
  return out_row{a * 2, "t", 0.5};
$$;
SELECT * FROM rec_mixed_out(4);
-- set-returning, with yield(out_row) and yield(values...)
CREATE FUNCTION rec_unnamed_srf(n int, OUT int, OUT text) RETURNS SETOF record LANGUAGE plcpp
STRICT AS $$
  for (int i = 1; i <= n; ++i) {
    if (i % 2) yield(out_row{i, "odd"});
    else yield(i, "even");
  }
$$;
SELECT * FROM rec_unnamed_srf(3);
-- an unnamed INOUT parameter is $1 in the body and column1 in the result
CREATE PROCEDURE rec_inout(INOUT int) LANGUAGE plcpp AS $$ return out_row{*$1 + 1}; $$;
CALL rec_inout(41);
-- bad input: an unnamed OUT parameter whose generated name is also a named one's
CREATE FUNCTION rec_clash(OUT column2 int, OUT text) LANGUAGE plcpp AS $$ return {}; $$;
