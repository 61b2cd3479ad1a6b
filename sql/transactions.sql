-- Transaction control in procedures (CALL) and DO blocks: spi::commit(), spi::rollback() and
-- their _and_chain forms, as PL/pgSQL's COMMIT / ROLLBACK [AND CHAIN] and PL/Python's
-- plpy.commit() / plpy.rollback(). pg_regress runs each statement outside a transaction block,
-- so CALL and DO may end their transaction here.
CREATE TABLE tx_t (i int, note text);

-- mirrors PL/pgSQL's transaction_test1: commit even rows, roll back odd ones
CREATE PROCEDURE tx_evens() LANGUAGE plcpp AS $$
  for (int i = 0; i < 10; ++i) {
    spi::exec("insert into tx_t values ($1, 'loop')", i);
    if (i % 2 == 0)
      spi::commit();
    else
      spi::rollback();
  }
$$;
CALL tx_evens();
SELECT i FROM tx_t ORDER BY i;
TRUNCATE tx_t;

-- a DO block outside a transaction block may commit too (PL/pgSQL's transaction_test2 as DO)
DO LANGUAGE plcpp $$
  for (int i = 0; i < 4; ++i) {
    spi::exec("insert into tx_t values ($1, 'do')", i);
    if (i == 1) spi::commit();
  }
  spi::rollback();                      // 2 and 3 are gone
$$;
SELECT i, note FROM tx_t ORDER BY i;
TRUNCATE tx_t;

-- each commit starts a new transaction: a new xid after each (PL/pgSQL: txid_current differs)
CREATE TABLE tx_xids (x xid8);
CREATE PROCEDURE tx_new_xacts() LANGUAGE plcpp AS $$
  for (int i = 0; i < 3; ++i) {
    spi::exec("insert into tx_xids values (pg_current_xact_id())");
    spi::commit();
  }
$$;
CALL tx_new_xacts();
SELECT count(DISTINCT x) AS distinct_xids FROM tx_xids;

-- the work before an error that ends the procedure stays committed (PL/pgSQL: the same)
CREATE PROCEDURE tx_then_fail() LANGUAGE plcpp AS $$
  spi::exec("insert into tx_t values (1, 'kept')");
  spi::commit();
  spi::exec("insert into tx_t values (2, 'lost')");
  spi::exec("select 1 / 0");
$$;
CALL tx_then_fail();
SELECT i, note FROM tx_t ORDER BY i;
TRUNCATE tx_t;

-- AND CHAIN: the next transaction keeps the isolation level and access mode (PL/pgSQL's
-- COMMIT AND CHAIN test); plain commit() returns to the defaults
CREATE PROCEDURE tx_chain() LANGUAGE plcpp AS $$
  spi::commit();                        // a fresh transaction: SET TRANSACTION comes first
  spi::exec("set transaction isolation level repeatable read");
  spi::commit_and_chain();
  notice("after commit_and_chain: ", *spi::query_one<std::string>("show transaction_isolation"));
  spi::rollback_and_chain();
  notice("after rollback_and_chain: ", *spi::query_one<std::string>("show transaction_isolation"));
  spi::commit();
  notice("after commit: ", *spi::query_one<std::string>("show transaction_isolation"));
$$;
CALL tx_chain();
-- read only, chained: a write after the chained commit is refused (25006)
CREATE PROCEDURE tx_chain_ro() LANGUAGE plcpp AS $$
  spi::commit();
  spi::exec("set transaction read only");
  spi::commit_and_chain();
  spi::exec("insert into tx_t values (1, 'read only?')");
$$;
CALL tx_chain_ro();
SELECT count(*) FROM tx_t;

-- prepared statements survive commit and rollback (SPI_keepplan plans belong to no
-- transaction, as PL/pgSQL's cached plans)
CREATE PROCEDURE tx_prepared() LANGUAGE plcpp AS $$
  auto ins = spi::prepare<int32_t>("insert into tx_t values ($1, 'prepared')");
  ins.exec(1);
  spi::commit();
  ins.exec(2);
  spi::rollback();
  ins.exec(3);
  spi::commit();
$$;
CALL tx_prepared();
SELECT i, note FROM tx_t ORDER BY i;
TRUNCATE tx_t;

-- a result of the ended transaction is not readable afterwards (55000, not freed memory);
-- values copied into C++ variables are (PL/pgSQL and PL/Python keep copies in variables)
INSERT INTO tx_t VALUES (7, 'seven');
CREATE PROCEDURE tx_result_after_commit() LANGUAGE plcpp AS $$
  auto r = spi::query("select i, note from tx_t");
  std::string note(r[0].get<std::string_view>("note"));
  spi::commit();
  notice("copied before the commit: ", note);
  notice("result after the commit: ", r[0].get<std::string_view>("note"));
$$;
CALL tx_result_after_commit();
TRUNCATE tx_t;
-- a cursor of the ended transaction is closed (as a PL/pgSQL cursor opened with OPEN): 34000
CREATE PROCEDURE tx_cursor_after_commit() LANGUAGE plcpp AS $$
  auto c = spi::cursor("select i from generate_series(1, 10) i");
  notice("first batch: ", c.fetch(3).size(), " rows");
  spi::commit();
  c.fetch(3);
$$;
CALL tx_cursor_after_commit();
-- the pattern that works instead: a batch per transaction, keyed (seed's memo_purge)
CREATE TABLE tx_jobs (id int PRIMARY KEY, done bool DEFAULT false);
INSERT INTO tx_jobs SELECT g FROM generate_series(1, 25) g;
CREATE PROCEDURE tx_batches(batch int) LANGUAGE plcpp AS $$
  int batches = 0;
  for (;;) {
    auto n = spi::exec("update tx_jobs set done = true where id in "
                       "(select id from tx_jobs where not done order by id limit $1)", batch);
    if (n == 0) break;
    ++batches;
    spi::commit();
  }
  notice(batches, " batches");
$$;
CALL tx_batches(10);
SELECT count(*) FILTER (WHERE done) AS done FROM tx_jobs;

-- a commit that fails (a deferred constraint) rolls back and ends the call with its error,
-- as PL/pgSQL's COMMIT; the work committed before it stays
CREATE TABLE tx_parent (id int PRIMARY KEY);
CREATE TABLE tx_child (pid int REFERENCES tx_parent DEFERRABLE INITIALLY DEFERRED);
CREATE PROCEDURE tx_deferred() LANGUAGE plcpp AS $$
  spi::exec("insert into tx_parent values (1)");
  spi::exec("insert into tx_child values (1)");
  spi::commit();
  spi::exec("insert into tx_child values (2)");   // no parent 2: fails at commit
  spi::commit();
  notice("not reached");
$$;
CALL tx_deferred();
SELECT * FROM tx_child;

-- a procedure called by a plcpp procedure through spi: atomic, as PL/Python's plpy.execute
CREATE PROCEDURE tx_inner() LANGUAGE plcpp AS $$ spi::commit(); $$;
DO LANGUAGE plcpp $$ spi::exec("call tx_inner()"); $$;
-- a plcpp procedure called by a PL/pgSQL procedure's CALL: non-atomic, it may commit
CREATE PROCEDURE tx_outer_plpgsql() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tx_t VALUES (1, 'from plpgsql');
  CALL tx_inner();
  ROLLBACK;
END $$;
CALL tx_outer_plpgsql();
SELECT i, note FROM tx_t ORDER BY i;
TRUNCATE tx_t;

-- bad input: where a transaction cannot end, 2D000 (PL/pgSQL: "invalid transaction
-- termination")
-- in a function
CREATE FUNCTION tx_in_function() RETURNS int LANGUAGE plcpp AS $$ spi::commit(); return 1; $$;
SELECT tx_in_function();
CREATE FUNCTION tx_rollback_in_function() RETURNS void LANGUAGE plcpp AS $$ spi::rollback(); $$;
SELECT tx_rollback_in_function();
-- a CALL inside a transaction block
BEGIN;
CALL tx_inner();
ROLLBACK;
-- a DO block inside a transaction block
BEGIN;
DO LANGUAGE plcpp $$ spi::commit_and_chain(); $$;
ROLLBACK;
-- inside spi::subtransaction (PL/pgSQL: COMMIT inside a block with an EXCEPTION clause)
CREATE PROCEDURE tx_in_subxact() LANGUAGE plcpp AS $$
  spi::subtransaction([] { spi::commit(); });
$$;
CALL tx_in_subxact();
-- caught, the 2D000 of a refused commit leaves the transaction intact
CREATE FUNCTION tx_caught() RETURNS text LANGUAGE plcpp AS $$
  try {
    spi::rollback();
  } catch (const sql_error &e) {
    return std::string(e.sqlstate()) + " " + e.message();
  }
  return "no error";
$$;
SELECT tx_caught();
-- a function called by a procedure is atomic even when the procedure is not
CREATE PROCEDURE tx_calls_function() LANGUAGE plcpp AS $$
  spi::query("select tx_in_function()");
$$;
CALL tx_calls_function();
-- COMMIT through spi::exec is refused with a hint (use spi::commit)
CREATE PROCEDURE tx_sql_commit() LANGUAGE plcpp AS $$ spi::exec("commit"); $$;
CALL tx_sql_commit();

-- arguments live in the CALL's memory, not the transaction's: read after commits (PL/pgSQL:
-- procedure parameters survive COMMIT), INOUT returned after them
CREATE PROCEDURE tx_args(INOUT s text, n int) LANGUAGE plcpp AS $$
  spi::commit();
  spi::rollback();
  return out_row{std::string(*s) + " x" + std::to_string(*n)};
$$;
CALL tx_args(repeat('long text ', 3), 2);

-- a long batch loop keeps memory flat: 2000 transactions with a result each
CREATE PROCEDURE tx_many() LANGUAGE plcpp AS $$
  for (int i = 0; i < 2000; ++i) {
    auto r = spi::query("select repeat('x', 1000) from generate_series(1, 10)");
    spi::commit();
  }
  notice("done");
$$;
CALL tx_many();
