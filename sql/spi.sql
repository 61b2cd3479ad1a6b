-- SPI from C++ bodies (DESIGN §1): spi::query, query_one, exec, prepare, cursor.
-- spi_error() runs a statement and prints what the client would receive.
CREATE FUNCTION spi_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text; ctx text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
  RAISE NOTICE E'sqlstate=% message=%\ndetail=%\nhint=%\ncontext=%', st, msg, det, hnt,
    split_part(ctx, E'\n', 1);
END $$;

CREATE TABLE spi_items (id int PRIMARY KEY, name text NOT NULL, price numeric(8,2), qty int);
INSERT INTO spi_items VALUES (1, 'apple', 0.50, 10), (2, 'pear', 0.75, NULL),
                             (3, 'plum', NULL, 7), (4, 'fig', 2.10, 3);

-- parameters are $1, $2, ... typed from their C++ types
CREATE FUNCTION spi_param_types() RETURNS SETOF text LANGUAGE plcpp AS $$
  auto r = spi::query("select pg_typeof($1)::text as t1, $1 + 1 as v1,"
                      "       pg_typeof($2)::text as t2, $2 + 1 as v2,"
                      "       pg_typeof($3)::text as t3, $3 || '!' as v3,"
                      "       pg_typeof($4)::text as t4, $4 || '?' as v4,"
                      "       pg_typeof($5)::text as t5, $5 * 2 as v5,"
                      "       pg_typeof($6)::text as t6, not $6 as v6,"
                      "       pg_typeof($7)::text as t7, $7 as v7",
                      int32_t{41}, int64_t{1} << 40, std::string("std::string"), "const char*",
                      1.25, true, std::string_view("view"));
  for (std::size_t i = 0; i < r.columns(); i += 2)
    yield(std::string(r.column_name(i + 1)) + " " + r[0].get<std::string>(i) + " = " +
          r[0].get<std::string>(i + 1));
$$;
SELECT * FROM spi_param_types();

-- values are never spliced into the text: a quote in a parameter is just data
CREATE FUNCTION spi_echo(s text) RETURNS text LANGUAGE plcpp STRICT AS $$
  return *spi::query_one<std::string>("select $1 || $2", s, std::string("'); drop table spi_items; --"));
$$;
SELECT spi_echo('x'), (SELECT count(*) FROM spi_items) AS items_still_there;

-- NULL parameters: std::optional without a value, or a bare std::nullopt (typed by the query)
CREATE FUNCTION spi_null_params() RETURNS text LANGUAGE plcpp AS $$
  std::optional<int32_t> none, some = 5;
  std::optional<std::string> no_text;
  auto r = spi::query("select $1 is null as a, $2 as b, $3 is null as c, pg_typeof($3)::text as d,"
                      " coalesce($4, -1) as e",
                      none, some, no_text, std::nullopt);
  auto row = r[0];
  return std::to_string(row.get<bool>("a")) + " " + std::to_string(row.get<int32_t>("b")) + " " +
         std::to_string(row.get<bool>("c")) + " " + row.get<std::string>("d") + " " +
         std::to_string(row.get<int32_t>("e"));
$$;
SELECT spi_null_params();

-- a bare std::nullopt takes the column's type
CREATE FUNCTION spi_insert_nulls(id int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  return spi::exec("insert into spi_items values ($1, $2, $3, $4)", id, "nothing", std::nullopt,
                   std::optional<int32_t>{});
$$;
SELECT spi_insert_nulls(5);
SELECT * FROM spi_items WHERE id = 5;

-- a result: size(), columns(), column_name(), r[i], get<T> by index and by name, is_null,
-- range-for over rows
CREATE FUNCTION spi_walk() RETURNS SETOF text LANGUAGE plcpp AS $$
  auto r = spi::query("select id, name, price, qty from spi_items order by id");
  std::string names;
  for (std::size_t c = 0; c < r.columns(); ++c) names += std::string(c ? "," : "") +
                                                           std::string(r.column_name(c));
  yield("rows=" + std::to_string(r.size()) + " columns=" + std::to_string(r.columns()) +
        " names=" + names + " row size=" + std::to_string(r[0].size()) +
        " empty=" + std::to_string(r.empty()));
  for (auto row : r) {
    std::string line = std::to_string(row.get<int32_t>(0)) + " " +
                       std::string(row.get<std::string_view>("name"));
    line += row.is_null("price") ? " price=NULL" : " price=" + row.get<std::string>("price");
    line += row.is_null(3) ? " qty=NULL" : " qty=" + std::to_string(row.get<int64_t>(3));
    auto q = row.get<std::optional<int32_t>>("qty");
    line += q ? " opt=" + std::to_string(*q) : " opt=nullopt";
    yield(line);
  }
$$;
SELECT * FROM spi_walk();

-- get<T> converts by PostgreSQL's assignment cast when T does not read the column's type
CREATE FUNCTION spi_coerce() RETURNS text LANGUAGE plcpp AS $$
  auto r = spi::query("select 12::int2 as s, 3000000000::int8 as big, 2.5::numeric as n,"
                      " 7 as i, 'abc'::varchar as v, 1.5::float4 as f, count(*) as cnt"
                      " from spi_items");
  auto row = r[0];
  return std::to_string(row.get<int64_t>("s")) + " " + std::to_string(row.get<double>("big")) +
         " " + std::to_string(row.get<double>("n")) + " " + row.get<std::string>("i") + " " +
         row.get<std::string>("v") + " " + std::to_string(row.get<double>("f")) + " " +
         std::to_string(row.get<int32_t>("cnt"));
$$;
SELECT spi_coerce();

-- an empty result
DO LANGUAGE plcpp $$
  auto r = spi::query("select * from spi_items where id < 0");
  int n = 0;
  for (auto row : r) ++n;
  notice("size=", r.size(), " empty=", r.empty(), " columns=", r.columns(), " iterations=", n);
$$;

-- query_one: the first column of the first row; no row or NULL -> std::nullopt
CREATE FUNCTION spi_price(id int) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto p = spi::query_one<double>("select price from spi_items where id = $1", id);
  return p ? std::to_string(*p) : std::string("nullopt");
$$;
SELECT id, spi_price(id) FROM (VALUES (1), (3), (99)) AS v(id);  -- found, NULL, no row
CREATE FUNCTION spi_count() RETURNS bigint LANGUAGE plcpp AS $$
  return *spi::query_one<int64_t>("select count(*) from spi_items");
$$;
SELECT spi_count();

-- exec: rows affected by INSERT, UPDATE, DELETE (and rows returned by SELECT)
CREATE FUNCTION spi_exec_counts() RETURNS SETOF text LANGUAGE plcpp AS $$
  yield("create: " + std::to_string(spi::exec("create temp table spi_tmp (a int)")));
  yield("insert: " + std::to_string(spi::exec("insert into spi_tmp select generate_series(1, $1)", 25)));
  yield("update: " + std::to_string(spi::exec("update spi_tmp set a = -a where a % $1 = 0", 5)));
  yield("update none: " + std::to_string(spi::exec("update spi_tmp set a = 0 where a > 1000")));
  yield("delete: " + std::to_string(spi::exec("delete from spi_tmp where a < 0")));
  yield("select: " + std::to_string(spi::exec("select * from spi_tmp where a <= 3")));
  auto r = spi::query("insert into spi_tmp values (100), (200) returning a * 2 as doubled");
  yield("returning: affected " + std::to_string(r.rows_affected()) + ", rows " +
        std::to_string(r.size()) + ", first " + r[0].get<std::string>("doubled"));
  yield("drop: " + std::to_string(spi::exec("drop table spi_tmp")));
$$;
SELECT * FROM spi_exec_counts();

-- a VOLATILE function sees its own writes
CREATE FUNCTION spi_own_writes() RETURNS text LANGUAGE plcpp AS $$
  auto before = *spi::query_one<int64_t>("select count(*) from spi_items");
  spi::exec("insert into spi_items values (10, 'kiwi', 1, 1), (11, 'lime', 2, 2)");
  auto after = *spi::query_one<int64_t>("select count(*) from spi_items");
  spi::exec("update spi_items set qty = qty + 100 where id = 10");
  auto qty = *spi::query_one<int32_t>("select qty from spi_items where id = 10");
  spi::exec("delete from spi_items where id in (10, 11)");
  auto last = *spi::query_one<int64_t>("select count(*) from spi_items");
  return std::to_string(before) + " -> " + std::to_string(after) + " (qty " +
         std::to_string(qty) + ") -> " + std::to_string(last);
$$;
SELECT spi_own_writes();

-- STABLE and IMMUTABLE functions query read-only, as PL/pgSQL does
CREATE FUNCTION spi_stable_insert() RETURNS bigint LANGUAGE plcpp STABLE AS $$
  return spi::exec("insert into spi_items values (20, 'nope', 1, 1)");
$$;
SELECT spi_error('SELECT spi_stable_insert()');
SELECT spi_stable_insert();
CREATE FUNCTION spi_immutable_update() RETURNS bigint LANGUAGE plcpp IMMUTABLE AS $$
  return spi::exec("update spi_items set qty = 0");
$$;
SELECT spi_error('SELECT spi_immutable_update()');
-- reading is fine
CREATE FUNCTION spi_stable_read() RETURNS bigint LANGUAGE plcpp STABLE AS $$
  return *spi::query_one<int64_t>("select sum(qty) from spi_items");
$$;
SELECT spi_stable_read();
SELECT count(*) AS not_inserted FROM spi_items WHERE id = 20;

-- cursors: fetch(n) in batches, an empty result at the end
CREATE FUNCTION spi_batches(n int, batch int) RETURNS SETOF text LANGUAGE plcpp STRICT AS $$
  auto c = spi::cursor("select g from generate_series(1, $1) g order by g", n);
  for (;;) {
    auto r = c.fetch(static_cast<std::size_t>(batch));
    std::string line = "batch of " + std::to_string(r.size()) + ":";
    for (auto row : r) line += " " + std::to_string(row.get<int32_t>(0));
    yield(line);
    if (r.empty()) break;
  }
$$;
SELECT * FROM spi_batches(10, 3);
SELECT * FROM spi_batches(0, 5);
-- range-for over a cursor (1000 rows at a time): 100k rows summed with bounded memory
CREATE FUNCTION spi_cursor_sum(n int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  int64_t sum = 0, rows = 0;
  for (auto row : spi::cursor("select g::int8 from generate_series(1, $1) g", n)) {
    sum += row.get<int64_t>(0);
    ++rows;
  }
  if (rows != n) error("wrong row count " + std::to_string(rows));
  return sum;
$$;
SELECT spi_cursor_sum(100000), 100000::int8 * 100001 / 2 AS expected;
SELECT n, spi_cursor_sum(n), n::int8 * (n + 1) / 2 AS expected
  FROM (VALUES (0), (1), (999), (1000), (1001), (2500)) AS v(n);
-- a closed cursor
DO LANGUAGE plcpp $$
  auto c = spi::cursor("select 1");
  c.close();
  try { c.fetch(1); } catch (const sql_error& e) { notice(e.sqlstate(), ": ", e.message()); }
$$;

-- prepared statements: planned once, kept across calls in a static
CREATE FUNCTION spi_name_of(id int) RETURNS text LANGUAGE plcpp STRICT AS $$
  static auto st = spi::prepare<int32_t>("select name from spi_items where id = $1");
  static int calls = 0;
  ++calls;
  auto r = st.query(id);
  return std::to_string(calls) + ":" + (r.empty() ? std::string("none") : r[0].get<std::string>(0));
$$;
SELECT spi_name_of(1);
SELECT spi_name_of(99);
SELECT spi_name_of(4);
SELECT spi_name_of(id) FROM spi_items ORDER BY id;
-- statement.exec and statement.cursor
CREATE FUNCTION spi_stmt_exec(lo int, hi int) RETURNS text LANGUAGE plcpp STRICT AS $$
  static auto bump = spi::prepare<int32_t, int32_t>(
      "update spi_items set qty = coalesce(qty, 0) + 1 where id between $1 and $2");
  static auto list = spi::prepare<int32_t>("select id, qty from spi_items where id <= $1 order by id");
  std::string out = "updated " + std::to_string(bump.exec(lo, hi)) + " (takes " +
                    std::to_string(bump.param_count()) + "):";
  auto c = list.cursor(hi);
  for (auto r = c.fetch(2); !r.empty(); r = c.fetch(2))
    for (auto row : r) out += " " + row.get<std::string>(0) + "=" + row.get<std::string>(1);
  return out;
$$;
SELECT spi_stmt_exec(1, 2);
SELECT spi_stmt_exec(2, 4);
-- NULL parameters of a prepared statement; its parameter types convert the C++ values
CREATE FUNCTION spi_stmt_null(q int) RETURNS text LANGUAGE plcpp AS $$
  static auto st = spi::prepare<std::optional<int32_t>, int64_t>(
      "select coalesce($1::text, 'null') || '/' || pg_typeof($2)::text");
  return *st.query(q, 7)[0].get<std::optional<std::string>>(0);
$$;
SELECT q, spi_stmt_null(q) FROM (VALUES (1), (NULL)) AS v(q);

-- a prepared statement given the wrong number of parameters: a clear error
CREATE FUNCTION spi_wrong_count(n int) RETURNS text LANGUAGE plcpp STRICT AS $$
  static auto st = spi::prepare<int32_t>("select name from spi_items where id = $1");
  if (n == 0) return st.query()[0].get<std::string>(0);
  if (n == 1) return st.query(1)[0].get<std::string>(0);
  return st.query(1, 2)[0].get<std::string>(0);
$$;
SELECT spi_error('SELECT spi_wrong_count(0)');
SELECT spi_error('SELECT spi_wrong_count(2)');
SELECT spi_wrong_count(1);
-- ad-hoc queries too: more parameters than the query uses, or fewer
SELECT spi_error($$DO LANGUAGE plcpp 'spi::query("select $1 + $2", 1);'$$);
-- (unused parameters are allowed, as in PREPARE p(int, int) AS SELECT 1)
SELECT spi_error($$DO LANGUAGE plcpp 'spi::query("select 1", 1, 2);'$$);

-- a failed query: the error reaches the client unchanged, SQLSTATE, detail and all
CREATE FUNCTION spi_dup(id int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  return spi::exec("insert into spi_items values ($1, 'dup', 1, 1)", id);
$$;
SELECT spi_error('SELECT spi_dup(1)');
SELECT spi_dup(1);
SELECT spi_error($$DO LANGUAGE plcpp 'spi::query_one<int32_t>("select 1 / 0");'$$);
SELECT spi_error($$DO LANGUAGE plcpp 'spi::query("select * from no_such_table");'$$);
SELECT spi_error($$DO LANGUAGE plcpp 'spi::query("selec 1");'$$);
-- caught in C++, the exception carries the same fields (inside spi::subtransaction, so that
-- the body may go on: see subtransactions.sql)
CREATE FUNCTION spi_caught_fields() RETURNS void LANGUAGE plcpp AS $$
  try {
    spi::subtransaction([] { spi::exec("insert into spi_items values (1, 'dup', 1, 1)"); });
  } catch (const sql_error& e) {
    notice("sqlstate=", e.sqlstate(), " message=", e.message(), " detail=", e.detail(),
           " hint=", e.hint());
  }
$$;
SELECT spi_caught_fields();
-- transaction control is not allowed through SPI
SELECT spi_error($$DO LANGUAGE plcpp 'spi::exec("commit");'$$);

-- a parameter of the wrong type for the query: the server's error
CREATE FUNCTION spi_bad_param() RETURNS text LANGUAGE plcpp AS $$
  return *spi::query_one<std::string>("select name from spi_items where id = $1", std::string("1"));
$$;
SELECT spi_error('SELECT spi_bad_param()');
CREATE FUNCTION spi_bad_insert() RETURNS bigint LANGUAGE plcpp AS $$
  return spi::exec("insert into spi_items values ($1, 'x', 1, 1)", true);
$$;
SELECT spi_error('SELECT spi_bad_insert()');

-- reading a result wrongly
CREATE FUNCTION spi_misread(what int) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto r = spi::query("select id, name, null::int as nothing, price, true as flag"
                      " from spi_items where id = 2");
  auto row = r[0];
  switch (what) {
  case 1: return row.get<std::string>("nmae");                 // no such column
  case 2: return std::to_string(row.get<int32_t>(5));          // index out of range
  case 3: return std::to_string(row.get<int32_t>("nothing"));  // NULL into int32_t
  case 4: return std::to_string(row.get<int32_t>("flag"));     // bool -> int: no assignment cast
  case 5: return std::to_string(row.get<int32_t>("name"));     // text -> int: no assignment cast
  case 6: return std::to_string(row.get<bool>("id"));          // int -> bool: explicit cast only
  case 7: return std::to_string(r[1].get<int32_t>(0));         // row out of range
  case 8: return std::to_string(*spi::query_one<int16_t>("select 100000"));  // out of range
  }
  return "ok";
$$;
SELECT spi_error('SELECT spi_misread(1)');
SELECT spi_error('SELECT spi_misread(2)');
SELECT spi_error('SELECT spi_misread(3)');
SELECT spi_error('SELECT spi_misread(4)');
SELECT spi_error('SELECT spi_misread(5)');
SELECT spi_error('SELECT spi_misread(6)');
SELECT spi_error('SELECT spi_misread(7)');
SELECT spi_error('SELECT spi_misread(8)');
SELECT spi_misread(0);
SELECT spi_misread(3);
-- query_one<T> of a NULL is std::nullopt, never 22004
CREATE FUNCTION spi_one_null() RETURNS text LANGUAGE plcpp AS $$
  auto v = spi::query_one<int32_t>("select null::int from spi_items where id = 2");
  return v ? "value" : "nullopt";
$$;
SELECT spi_one_null();

-- a function calling another plcpp function through SPI; both use SPI
CREATE FUNCTION spi_outer() RETURNS text LANGUAGE plcpp AS $$
  std::string out;
  for (auto row : spi::query("select id, spi_name_of(id) as n from spi_items where id <= 2 order by id"))
    out += row.get<std::string>("n").substr(row.get<std::string>("n").find(':')) + " ";
  return out + std::to_string(*spi::query_one<int64_t>("select count(*) from spi_items"));
$$;
SELECT spi_outer();

-- a result kept past the end of its call: an error, not a read of freed memory
CREATE FUNCTION spi_keep_result() RETURNS text LANGUAGE plcpp AS $$
  static std::optional<result> kept;
  if (!kept) {
    kept.emplace(spi::query("select name from spi_items order by id"));
    return "kept " + std::to_string(kept->size()) + " rows, first " + (*kept)[0].get<std::string>(0);
  }
  return "still " + std::to_string(kept->size()) + " rows";
$$;
SELECT spi_keep_result();
SELECT spi_error('SELECT spi_keep_result()');

DROP TABLE spi_items;
