-- Error and message fields (issue 19, item 4): PL/pgSQL's RAISE ... USING SCHEMA, TABLE,
-- COLUMN, DATATYPE, CONSTRAINT and GET STACKED DIAGNOSTICS, both ways.
-- fields() runs a statement and prints every field a PL/pgSQL handler sees.
CREATE FUNCTION fields(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text; sch text; tbl text; col text; typ text;
        con text; ctx text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
      hnt = PG_EXCEPTION_HINT, sch = SCHEMA_NAME, tbl = TABLE_NAME, col = COLUMN_NAME,
      typ = PG_DATATYPE_NAME, con = CONSTRAINT_NAME, ctx = PG_EXCEPTION_CONTEXT;
  RAISE NOTICE E'sqlstate=% message=% detail=% hint=%\nschema=% table=% column=% datatype=% constraint=%\ncontext=%',
    st, msg, det, hnt, sch, tbl, col, typ, con, split_part(ctx, E'\n', 1);
END $$;

-- error() with every field, as PL/pgSQL's
--   RAISE EXCEPTION 'bad row' USING ERRCODE = '23514', SCHEMA = 'app', TABLE = 'orders', ...
CREATE FUNCTION raise_all() RETURNS int LANGUAGE plcpp AS $$
  error("bad row", {.sqlstate = "23514", .detail = "qty was -1", .hint = "Use a positive qty.",
                    .schema = "app", .table = "orders", .column = "qty", .datatype = "ef_posint",
                    .constraint = "orders_qty_check"});
$$;
SELECT fields('SELECT raise_all()');
-- the same in PL/pgSQL, for comparison: identical fields
DO $$ BEGIN
  RAISE EXCEPTION 'bad row' USING ERRCODE = '23514', DETAIL = 'qty was -1',
    HINT = 'Use a positive qty.', SCHEMA = 'app', TABLE = 'orders', COLUMN = 'qty',
    DATATYPE = 'ef_posint', CONSTRAINT = 'orders_qty_check';
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'plpgsql sees the same: %', (SELECT 1);
END $$;
-- the client gets them too (psql shows them in verbose mode)
\set VERBOSITY verbose
SELECT raise_all();
\set VERBOSITY default
-- some fields only; the old three-field form still compiles and works; an empty SQLSTATE
-- means the default (P0001, as RAISE without ERRCODE)
CREATE FUNCTION raise_some(n int) RETURNS int LANGUAGE plcpp STRICT AS $$
  if (n == 1) error("one", {.sqlstate = "22023", .detail = "d", .hint = "h"});
  if (n == 2) error("two", {.table = "t2", .constraint = "c2"});
  if (n == 3) error("three", {.sqlstate = "", .column = "c3"});
  return n;
$$;
SELECT fields('SELECT raise_some(1)');
SELECT fields('SELECT raise_some(2)');
SELECT fields('SELECT raise_some(3)');

-- PostgreSQL's own errors: sql_error exposes the fields the server set (PL/pgSQL's
-- GET STACKED DIAGNOSTICS ... SCHEMA_NAME, TABLE_NAME, ... in an EXCEPTION block)
CREATE DOMAIN ef_posint AS int CHECK (VALUE > 0);
CREATE TABLE orders (id int PRIMARY KEY, qty int NOT NULL CONSTRAINT qty_positive CHECK (qty > 0),
                     n ef_posint);
CREATE FUNCTION try_insert(stmt text) RETURNS text LANGUAGE plcpp STRICT AS $$
  try {
    spi::subtransaction([&] { spi::exec(std::string(stmt)); });
    return "ok";
  } catch (const sql_error &e) {
    return e.sqlstate() + " schema=" + e.schema_name() + " table=" + e.table_name() +
           " column=" + e.column_name() + " datatype=" + e.datatype_name() +
           " constraint=" + e.constraint_name() + " context=" +
           e.context().substr(0, e.context().find('\n'));
  }
$$;
SELECT try_insert('INSERT INTO orders VALUES (1, 0)');          -- check constraint
SELECT try_insert('INSERT INTO orders VALUES (1, NULL)');       -- not-null: the column
SELECT try_insert('INSERT INTO orders VALUES (1, 1, -5)');      -- domain: the data type
SELECT try_insert('INSERT INTO orders VALUES (1, 1)');
SELECT try_insert('INSERT INTO orders VALUES (1, 1)');          -- unique: the constraint
SELECT try_insert('SELECT 1/0');                                -- no object: all empty
-- errors raised by PL/pgSQL and caught in C++: the fields and PL/pgSQL's context lines
CREATE FUNCTION pg_raiser() RETURNS void LANGUAGE plpgsql AS $$ BEGIN
  RAISE EXCEPTION 'from plpgsql' USING TABLE = 'tp', DATATYPE = 'dp';
END $$;
SELECT try_insert('SELECT pg_raiser()');

-- uncaught, or rethrown with `throw;`, a server error reaches the caller unchanged (the
-- guard rethrows the server's own report: every field survives)
CREATE FUNCTION uncaught() RETURNS void LANGUAGE plcpp AS $$
  spi::exec("INSERT INTO orders VALUES (2, -1)");
$$;
SELECT fields('SELECT uncaught()');
CREATE FUNCTION rethrown() RETURNS void LANGUAGE plcpp AS $$
  try {
    spi::subtransaction([] { spi::exec("INSERT INTO orders VALUES (2, -1)"); });
  } catch (const sql_error &e) {
    notice("caught ", e.constraint_name(), ", rethrowing");
    throw;
  }
$$;
SELECT fields('SELECT rethrown()');
-- re-raised as a new error() with the caught fields, as PL/pgSQL's RAISE ... USING TABLE = tbl
CREATE FUNCTION reraised() RETURNS void LANGUAGE plcpp AS $$
  try {
    spi::subtransaction([] { spi::exec("INSERT INTO orders VALUES (2, -1)"); });
  } catch (const sql_error &e) {
    error("order rejected: " + e.message(), {.sqlstate = e.sqlstate(), .schema = e.schema_name(),
          .table = e.table_name(), .constraint = e.constraint_name()});
  }
$$;
SELECT fields('SELECT reraised()');
-- a copy of a server error thrown later keeps its fields too
CREATE FUNCTION copied() RETURNS void LANGUAGE plcpp AS $$
  std::optional<sql_error> saved;
  try {
    spi::subtransaction([] { spi::exec("INSERT INTO orders VALUES (3, NULL)"); });
  } catch (const sql_error &e) {
    saved = e;
  }
  throw *saved;
$$;
SELECT fields('SELECT copied()');

-- report(): a message at any severity with the same fields, as PL/pgSQL's
--   RAISE NOTICE 'msg' USING DETAIL = ..., TABLE = ...
DO LANGUAGE plcpp $$
  report(severity::notice, "notice with fields", {.detail = "a detail", .hint = "a hint"});
  report(severity::warning, "a warning");
  report(severity::info, "info");
  report(severity::log, "not shown: below client_min_messages");
  report(severity::debug, "not shown either");
$$;
\set VERBOSITY verbose
DO LANGUAGE plcpp $$
  report(severity::notice, "verbose", {.sqlstate = "01P01", .schema = "s", .table = "t",
                                       .column = "c", .datatype = "d", .constraint = "k"});
  report(severity::warning, "default SQLSTATE of a warning");
$$;
\set VERBOSITY default
SET client_min_messages = debug1;
DO LANGUAGE plcpp $$
  report(severity::log, "log shown now");
  report(severity::debug, "debug shown now");
$$;
RESET client_min_messages;

-- bad input: an unknown field is a compile error at CREATE FUNCTION (42601)
CREATE FUNCTION unknown_field() RETURNS void LANGUAGE plcpp AS $$
  error("x", {.tabel = "t"});
$$;
-- fields out of order: C++20 designated initializers follow the declaration order
CREATE FUNCTION out_of_order() RETURNS void LANGUAGE plcpp AS $$
  report(severity::notice, "x", {.table = "t", .schema = "s"});
$$;
-- an invalid SQLSTATE in report() is an error (38000, std::invalid_argument), not a message
CREATE FUNCTION bad_report_state() RETURNS void LANGUAGE plcpp AS $$
  report(severity::notice, "x", {.sqlstate = "12"});
$$;
SELECT fields('SELECT bad_report_state()');
-- a field with an embedded NUL or invalid bytes does not crash: the server cuts at the NUL,
-- and it still arrives as one message
DO LANGUAGE plcpp $$ report(severity::notice, "m", {.table = std::string_view("ab\0cd", 5)}); $$;
