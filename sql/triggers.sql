-- Trigger functions: trigger() describes the event; a body returns a row, skip(), or falls off
-- the end (the operation proceeds unchanged).
CREATE FUNCTION trig_show_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hnt = PG_EXCEPTION_HINT;
  RAISE NOTICE E'sqlstate=% message=%\ndetail=%\nhint=%', st, msg, det, hnt;
END $$;

-- BEFORE ROW INSERT/UPDATE/DELETE: modify the new row, skip(), or let it through
CREATE TABLE trig_items (id int, name text, n int);
CREATE FUNCTION trig_items_before() RETURNS trigger LANGUAGE plcpp AS $$
  const auto &t = trigger();
  notice(t.name(), ": ", t.when(), " ", t.level(), " ", t.event(), " on ", t.table_schema(), ".",
         t.table_name(), ", ", t.args().size(), " args");
  if (t.event() == "DELETE") {
    if (t.old_row().get<int32_t>("id") == 2) return skip();   // id 2 cannot be deleted
    return {};                                                  // the old row: delete it
  }
  auto r = t.new_row();
  if (r.is_null("name")) return skip();                         // rows without a name vanish
  r.set("name", std::string(r.get<std::string_view>("name")) + "!");
  r.set("n", r.get<std::optional<int32_t>>("n").value_or(0) + 100);
  return r;
$$;
CREATE TRIGGER trig_items_b BEFORE INSERT OR UPDATE OR DELETE ON trig_items
  FOR EACH ROW EXECUTE FUNCTION trig_items_before();
INSERT INTO trig_items VALUES (1, 'a', 1), (2, 'b', NULL), (3, NULL, 3);
SELECT * FROM trig_items ORDER BY id;
UPDATE trig_items SET n = n + 1 RETURNING *;
SELECT * FROM trig_items ORDER BY id;
DELETE FROM trig_items;
SELECT * FROM trig_items ORDER BY id;
DROP TRIGGER trig_items_b ON trig_items;

-- falling off the end: the operation proceeds unchanged (new row for INSERT/UPDATE, old for
-- DELETE)
CREATE FUNCTION trig_pass() RETURNS trigger LANGUAGE plcpp AS $$
  notice("pass ", trigger().event());
$$;
CREATE TRIGGER trig_pass BEFORE INSERT OR UPDATE OR DELETE ON trig_items
  FOR EACH ROW EXECUTE FUNCTION trig_pass();
INSERT INTO trig_items VALUES (10, 'x', 1) RETURNING *;
UPDATE trig_items SET n = 2 WHERE id = 10 RETURNING *;
DELETE FROM trig_items WHERE id = 10 RETURNING *;
SELECT count(*) FROM trig_items WHERE id = 10;
DROP TRIGGER trig_pass ON trig_items;
-- returning new_row() / old_row() unmodified
CREATE FUNCTION trig_keep_old() RETURNS trigger LANGUAGE plcpp AS $$
  return trigger().old_row();     // an UPDATE that changes nothing
$$;
CREATE TRIGGER trig_keep_old BEFORE UPDATE ON trig_items
  FOR EACH ROW EXECUTE FUNCTION trig_keep_old();
UPDATE trig_items SET name = 'changed', n = -1 WHERE id = 2 RETURNING *;
DROP TRIGGER trig_keep_old ON trig_items;

-- trigger arguments (tgargs), always text
CREATE TABLE trig_args_t (v text);
CREATE FUNCTION trig_args() RETURNS trigger LANGUAGE plcpp AS $$
  std::string a;
  for (const auto &s : trigger().args()) a += "[" + s + "]";
  auto r = trigger().new_row();
  r.set("v", std::to_string(trigger().args().size()) + " " + a);
  return r;
$$;
CREATE TRIGGER trig_args_1 BEFORE INSERT ON trig_args_t
  FOR EACH ROW EXECUTE FUNCTION trig_args('x', 'y z', '', 42, 1.5);
INSERT INTO trig_args_t VALUES (NULL) RETURNING v;
DROP TRIGGER trig_args_1 ON trig_args_t;
CREATE TRIGGER trig_args_0 BEFORE INSERT ON trig_args_t FOR EACH ROW EXECUTE FUNCTION trig_args();
INSERT INTO trig_args_t VALUES (NULL) RETURNING v;

-- AFTER ROW: the returned value is ignored, even skip() or a row of another shape; an audit
-- log written with SPI
CREATE TABLE trig_acct (id int PRIMARY KEY, balance int NOT NULL);
CREATE TABLE trig_audit (acct_id int, op text, old_balance int, new_balance int, by text);
CREATE FUNCTION trig_audit() RETURNS trigger LANGUAGE plcpp AS $$
  const auto &t = trigger();
  std::optional<int32_t> id, old_balance, new_balance;
  if (t.event() != "INSERT") {
    id = t.old_row().get<int32_t>("id");
    old_balance = t.old_row().get<int32_t>("balance");
  }
  if (t.event() != "DELETE") {
    id = t.new_row().get<int32_t>("id");
    new_balance = t.new_row().get<int32_t>("balance");
  }
  spi::exec("insert into trig_audit values ($1, $2, $3, $4, $5)", id, t.event(), old_balance,
            new_balance, t.name() + " " + t.when() + " " + t.level());
  if (t.event() == "UPDATE") return spi::query("select 1, 'x'::text, now()")[0].to_record();
  return skip();
$$;
CREATE TRIGGER trig_audit AFTER INSERT OR UPDATE OR DELETE ON trig_acct
  FOR EACH ROW EXECUTE FUNCTION trig_audit();
INSERT INTO trig_acct VALUES (1, 10), (2, 20);
UPDATE trig_acct SET balance = balance + 5 WHERE id = 1;
DELETE FROM trig_acct WHERE id = 2;
SELECT * FROM trig_acct ORDER BY id;
SELECT * FROM trig_audit ORDER BY acct_id, op;

-- a query error inside a trigger fails the whole statement: nothing is half-written
CREATE FUNCTION trig_check() RETURNS trigger LANGUAGE plcpp AS $$
  int32_t b = trigger().new_row().get<int32_t>("balance");
  if (b < 0) spi::exec("select 1 / 0");
$$;
CREATE TRIGGER trig_check BEFORE INSERT OR UPDATE ON trig_acct
  FOR EACH ROW EXECUTE FUNCTION trig_check();
INSERT INTO trig_acct VALUES (3, 30), (4, 40), (5, -1);
UPDATE trig_acct SET balance = balance - 20;   -- would make account 1 negative
SELECT * FROM trig_acct ORDER BY id;
SELECT count(*) AS audit_rows FROM trig_audit;
-- catching the error without a subtransaction does not help: the statement still fails
CREATE OR REPLACE FUNCTION trig_check() RETURNS trigger LANGUAGE plcpp AS $$
  int32_t b = trigger().new_row().get<int32_t>("balance");
  try {
    if (b < 0) spi::exec("select 1 / 0");
  } catch (const sql_error &) {
    return skip();
  }
$$;
INSERT INTO trig_acct VALUES (6, 60), (7, -70);
SELECT count(*) AS accounts, (SELECT count(*) FROM trig_audit) AS audit_rows FROM trig_acct;
-- inside spi::subtransaction the failed row can be skipped and the statement goes on
CREATE OR REPLACE FUNCTION trig_check() RETURNS trigger LANGUAGE plcpp AS $$
  int32_t b = trigger().new_row().get<int32_t>("balance");
  try {
    spi::subtransaction([&] {
      if (b < 0) spi::exec("select 1 / 0");
    });
  } catch (const sql_error &e) {
    notice("skipping row: ", e.sqlstate(), " ", e.message());
    return skip();
  }
$$;
INSERT INTO trig_acct VALUES (6, 60), (7, -70), (8, 80);
SELECT * FROM trig_acct ORDER BY id;
SELECT acct_id, op, new_balance FROM trig_audit WHERE acct_id >= 6 ORDER BY acct_id;
-- a C++ exception in a trigger also fails the statement
CREATE OR REPLACE FUNCTION trig_check() RETURNS trigger LANGUAGE plcpp AS $$
  if (trigger().new_row().get<int32_t>("balance") > 1000)
    throw std::runtime_error("too rich");
$$;
UPDATE trig_acct SET balance = balance * 100;
SELECT * FROM trig_acct ORDER BY id;

-- statement-level BEFORE and AFTER triggers (and TRUNCATE, statement-level only)
CREATE TABLE trig_stmt (id int, v text);
CREATE TABLE trig_stmt_log (seq serial, msg text);
CREATE FUNCTION trig_stmt_log() RETURNS trigger LANGUAGE plcpp AS $$
  const auto &t = trigger();
  std::string a;
  for (const auto &s : t.args()) a += "[" + s + "]";
  spi::exec("insert into trig_stmt_log(msg) values ($1)",
            t.when() + " " + t.level() + " " + t.event() + " " + t.table_name() + " " + a);
  return skip();   // ignored at statement level
$$;
CREATE TRIGGER trig_stmt_b BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON trig_stmt
  FOR EACH STATEMENT EXECUTE FUNCTION trig_stmt_log('before');
CREATE TRIGGER trig_stmt_a AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trig_stmt
  FOR EACH STATEMENT EXECUTE FUNCTION trig_stmt_log('after');
INSERT INTO trig_stmt VALUES (1, 'a'), (2, 'b');
UPDATE trig_stmt SET v = 'c' WHERE false;       -- statement triggers fire for zero rows too
DELETE FROM trig_stmt WHERE id = 1;
TRUNCATE trig_stmt;
SELECT count(*) FROM trig_stmt;
SELECT msg FROM trig_stmt_log ORDER BY seq;
-- no rows at statement level: 55000
CREATE FUNCTION trig_stmt_rows() RETURNS trigger LANGUAGE plcpp AS $$
  const auto &t = trigger();
  try {
    t.new_row();
  } catch (const sql_error &e) {
    notice(e.sqlstate(), " ", e.message());
  }
  try {
    t.old_row();
  } catch (const sql_error &e) {
    notice(e.sqlstate(), " ", e.message());
  }
$$;
CREATE TRIGGER trig_stmt_rows BEFORE INSERT OR TRUNCATE ON trig_stmt
  FOR EACH STATEMENT EXECUTE FUNCTION trig_stmt_rows();
INSERT INTO trig_stmt VALUES (3, 'c');
TRUNCATE trig_stmt;
SELECT count(*) FROM trig_stmt;

-- INSTEAD OF triggers make a view writable
CREATE TABLE trig_base (id int PRIMARY KEY, v text);
CREATE VIEW trig_view AS SELECT id, v, upper(v) AS uv FROM trig_base;
CREATE FUNCTION trig_view_io() RETURNS trigger LANGUAGE plcpp AS $$
  const auto &t = trigger();
  notice(t.when(), " ", t.level(), " ", t.event(), " on ", t.table_name());
  if (t.event() == "INSERT") {
    spi::exec("insert into trig_base values ($1, $2)", t.new_row().get<int32_t>("id"),
              t.new_row().get<std::string>("v"));
    auto r = t.new_row();
    r.set("uv", std::string("INSERTED"));    // what RETURNING sees
    return r;
  }
  if (t.event() == "UPDATE") {
    spi::exec("update trig_base set v = $2 where id = $1", t.old_row().get<int32_t>("id"),
              t.new_row().get<std::string>("v"));
    return t.new_row();
  }
  if (t.old_row().get<int32_t>("id") == 1) return skip();   // not done: not counted
  spi::exec("delete from trig_base where id = $1", t.old_row().get<int32_t>("id"));
  return t.old_row();
$$;
CREATE TRIGGER trig_view_io INSTEAD OF INSERT OR UPDATE OR DELETE ON trig_view
  FOR EACH ROW EXECUTE FUNCTION trig_view_io();
INSERT INTO trig_view VALUES (1, 'a', NULL), (2, 'b', 'ignored');
INSERT INTO trig_view VALUES (3, 'c', NULL) RETURNING *;
UPDATE trig_view SET v = v || v WHERE id >= 2 RETURNING *;
DELETE FROM trig_view RETURNING *;
SELECT * FROM trig_view ORDER BY id;
-- an INSTEAD OF trigger that falls off the end: the row counts as processed, nothing is written
CREATE OR REPLACE FUNCTION trig_view_io() RETURNS trigger LANGUAGE plcpp AS $$ $$;
INSERT INTO trig_view VALUES (9, 'z', NULL) RETURNING *;
UPDATE trig_view SET v = 'q' RETURNING *;
DELETE FROM trig_view RETURNING *;
SELECT * FROM trig_view ORDER BY id;

-- rows that do not exist: old_row() of an INSERT, new_row() of a DELETE (55000)
CREATE TABLE trig_err (id int, v text);
CREATE TABLE trig_other (id int, v text);
INSERT INTO trig_other VALUES (99, 'other');
CREATE FUNCTION trig_err() RETURNS trigger LANGUAGE plcpp AS $$
  const auto &t = trigger();
  const std::string &mode = t.args().at(0);
  if (mode == "old_row") t.old_row();
  if (mode == "new_row") return t.new_row();
  if (mode == "wrong") return spi::query("select 'x'::text, 1")[0].to_record();
  if (mode == "fewer") return spi::query("select 1")[0].to_record();
  if (mode == "same_shape") return spi::query("select * from trig_other")[0].to_record();
  if (mode == "no_column") {
    auto r = t.new_row();
    r.set("nope", 1);
    return r;
  }
  if (mode == "bad_value") {
    auto r = t.new_row();
    r.set("id", std::string("abc"));
    return r;
  }
  if (mode == "out_of_range") {
    auto r = t.new_row();
    r.set("id", int64_t(1) << 40);
    return r;
  }
  if (mode == "set_null") {
    auto r = t.new_row();
    r.set("id", std::optional<int32_t>{});
    return r;
  }
  return {};
$$;
CREATE TRIGGER trig_err BEFORE INSERT OR DELETE ON trig_err
  FOR EACH ROW EXECUTE FUNCTION trig_err('old_row');
SELECT trig_show_error($$INSERT INTO trig_err VALUES (1, 'a')$$);
DROP TRIGGER trig_err ON trig_err;
INSERT INTO trig_err VALUES (1, 'a');
CREATE TRIGGER trig_err BEFORE DELETE ON trig_err
  FOR EACH ROW EXECUTE FUNCTION trig_err('new_row');
SELECT trig_show_error($$DELETE FROM trig_err$$);
DROP TRIGGER trig_err ON trig_err;
-- returning a row of the wrong structure: 42804
CREATE TRIGGER trig_err BEFORE INSERT ON trig_err FOR EACH ROW EXECUTE FUNCTION trig_err('wrong');
SELECT trig_show_error($$INSERT INTO trig_err VALUES (2, 'b')$$);
DROP TRIGGER trig_err ON trig_err;
CREATE TRIGGER trig_err BEFORE INSERT ON trig_err FOR EACH ROW EXECUTE FUNCTION trig_err('fewer');
SELECT trig_show_error($$INSERT INTO trig_err VALUES (2, 'b')$$);
DROP TRIGGER trig_err ON trig_err;
-- a row of another table with the same column types is accepted (as in PL/pgSQL)
CREATE TRIGGER trig_err BEFORE INSERT ON trig_err
  FOR EACH ROW EXECUTE FUNCTION trig_err('same_shape');
INSERT INTO trig_err VALUES (2, 'b') RETURNING *;
DROP TRIGGER trig_err ON trig_err;
-- set(): an unknown column (42703), a value PostgreSQL cannot assign, out of range, NULL
CREATE TRIGGER trig_err BEFORE INSERT ON trig_err
  FOR EACH ROW EXECUTE FUNCTION trig_err('no_column');
SELECT trig_show_error($$INSERT INTO trig_err VALUES (3, 'c')$$);
DROP TRIGGER trig_err ON trig_err;
CREATE TRIGGER trig_err BEFORE INSERT ON trig_err
  FOR EACH ROW EXECUTE FUNCTION trig_err('bad_value');
SELECT trig_show_error($$INSERT INTO trig_err VALUES (3, 'c')$$);
DROP TRIGGER trig_err ON trig_err;
CREATE TRIGGER trig_err BEFORE INSERT ON trig_err
  FOR EACH ROW EXECUTE FUNCTION trig_err('out_of_range');
SELECT trig_show_error($$INSERT INTO trig_err VALUES (3, 'c')$$);
DROP TRIGGER trig_err ON trig_err;
CREATE TRIGGER trig_err BEFORE INSERT ON trig_err
  FOR EACH ROW EXECUTE FUNCTION trig_err('set_null');
INSERT INTO trig_err VALUES (3, 'c') RETURNING *, id IS NULL AS id_null;
DROP TRIGGER trig_err ON trig_err;
SELECT * FROM trig_err ORDER BY id;

-- trigger() outside a trigger function: 55000
CREATE FUNCTION trig_not_a_trigger() RETURNS text LANGUAGE plcpp AS $$
  return trigger().name();
$$;
SELECT trig_show_error('SELECT trig_not_a_trigger()');
DO LANGUAGE plcpp $$ trigger(); $$;
-- a trigger function called directly is not in a trigger either
SELECT trig_show_error('SELECT trig_pass()');

-- a table with a dropped column: the record keeps its place (name ""), set() by name works
CREATE TABLE trig_dropped (a int, junk text, b text);
ALTER TABLE trig_dropped DROP COLUMN junk;
CREATE FUNCTION trig_dropped() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  std::string cols;
  for (std::size_t i = 0; i < r.size(); ++i) cols += "[" + std::string(r.column_name(i)) + "]";
  notice("columns ", cols, ", b at ", r.index_of("b"));
  r.set("b", "set:" + r.get<std::string>("b"));
  return r;
$$;
CREATE TRIGGER trig_dropped BEFORE INSERT OR UPDATE ON trig_dropped
  FOR EACH ROW EXECUTE FUNCTION trig_dropped();
INSERT INTO trig_dropped VALUES (1, 'x') RETURNING *;
UPDATE trig_dropped SET b = 'y' RETURNING *;

-- a partitioned table: the row trigger fires on the partition, which table_name() reports
CREATE TABLE trig_parted (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE trig_parted_lo PARTITION OF trig_parted FOR VALUES FROM (0) TO (10);
CREATE TABLE trig_parted_hi PARTITION OF trig_parted FOR VALUES FROM (10) TO (20);
CREATE FUNCTION trig_parted() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  r.set("v", trigger().table_name() + "/" + trigger().name());
  return r;
$$;
CREATE TRIGGER trig_parted BEFORE INSERT ON trig_parted
  FOR EACH ROW EXECUTE FUNCTION trig_parted();
INSERT INTO trig_parted VALUES (1), (15);
SELECT tableoid::regclass, * FROM trig_parted ORDER BY k;

-- WHEN: the function runs only for the rows the condition selects
CREATE TABLE trig_when (v int);
CREATE FUNCTION trig_when() RETURNS trigger LANGUAGE plcpp AS $$
  notice("skipping ", trigger().new_row().get<int32_t>("v"));
  return skip();
$$;
CREATE TRIGGER trig_when BEFORE INSERT ON trig_when
  FOR EACH ROW WHEN (NEW.v < 0) EXECUTE FUNCTION trig_when();
INSERT INTO trig_when VALUES (1), (-1), (2);
SELECT * FROM trig_when ORDER BY v;

-- nested: a trigger whose SPI fires another plcpp trigger; each sees its own trigger()
CREATE TABLE trig_outer (v text);
CREATE TABLE trig_inner (v text);
CREATE FUNCTION trig_inner() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  r.set("v", r.get<std::string>("v") + " (" + trigger().name() + " on " + trigger().table_name() +
                 ")");
  return r;
$$;
CREATE TRIGGER trig_inner BEFORE INSERT ON trig_inner FOR EACH ROW EXECUTE FUNCTION trig_inner();
CREATE FUNCTION trig_outer() RETURNS trigger LANGUAGE plcpp AS $$
  std::string before = trigger().name();
  spi::exec("insert into trig_inner values ($1)", trigger().new_row().get<std::string>("v"));
  auto r = trigger().new_row();
  r.set("v", before + " then " + trigger().name() + " on " + trigger().table_name());
  return r;
$$;
CREATE TRIGGER trig_outer BEFORE INSERT ON trig_outer FOR EACH ROW EXECUTE FUNCTION trig_outer();
INSERT INTO trig_outer VALUES ('hello');
SELECT * FROM trig_outer;
SELECT * FROM trig_inner;

-- event triggers are supported (event_triggers.sql)
CREATE FUNCTION trig_event() RETURNS event_trigger LANGUAGE plcpp AS $$ $$;

-- transition tables are visible to the trigger's queries
CREATE TABLE trig_tt (v int);
CREATE FUNCTION trig_tt_count() RETURNS trigger LANGUAGE plcpp AS $$
  notice("inserted ", *spi::query_one<int64_t>("select count(*) from newrows"),
         " rows, sum ", *spi::query_one<int64_t>("select sum(v) from newrows"));
$$;
CREATE TRIGGER trig_tt AFTER INSERT ON trig_tt REFERENCING NEW TABLE AS newrows
  FOR EACH STATEMENT EXECUTE FUNCTION trig_tt_count();
INSERT INTO trig_tt SELECT g FROM generate_series(1, 10) g;

-- Setting a row's columns (issue 19): from text (plcpp::datum, read by the column type's input
-- function, as PL/Python's TD["new"]["col"] = "text") or from any C++ value, converted by
-- PostgreSQL's assignment cast (as PL/pgSQL's NEW.col := value)
CREATE TYPE trig_addr AS (street text, zip int);
CREATE TABLE trig_set (id int, n int, label text, price numeric, flags int[], home trig_addr,
                       d date, note varchar(5));
CREATE FUNCTION trig_setter() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  r.set("n", datum{"42"});                   // text form into int
  r.set("label", 7);                         // int into text (assignment cast)
  r.set("price", 2.5);                       // double into numeric
  r.set("flags", std::vector<int>{1, 2});    // a vector into int[]
  r.set("d", datum{"2024-02-29"});           // text form into date
  r.set("home", datum{"(Main St,12345)"});   // text form into a composite column
  r.set(7, std::nullopt);                    // by index, NULL
  return r;
$$;
CREATE TRIGGER trig_setter BEFORE INSERT ON trig_set FOR EACH ROW EXECUTE FUNCTION trig_setter();
INSERT INTO trig_set (id, note) VALUES (1, 'x') RETURNING *;
DROP TRIGGER trig_setter ON trig_set;
-- bad input: text the column's type does not read (22P02), a value with no assignment cast
-- (42804), a value out of the column's range (22003), a varchar too long (22001), an unknown
-- column (42703): each names the problem as PL/pgSQL's assignment would
CREATE FUNCTION trig_bad_set() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  auto what = trigger().args()[0];
  if (what == "text") r.set("n", datum{"forty-two"});
  if (what == "cast") r.set("d", 1.5);
  if (what == "range") r.set("n", int64_t{1} << 40);
  if (what == "length") r.set("note", std::string("too long"));
  if (what == "column") r.set("nope", 1);
  return r;
$$;
CREATE TRIGGER trig_bad BEFORE INSERT ON trig_set FOR EACH ROW EXECUTE FUNCTION trig_bad_set('text');
SELECT trig_show_error('INSERT INTO trig_set (id) VALUES (2)');
DROP TRIGGER trig_bad ON trig_set;
CREATE TRIGGER trig_bad BEFORE INSERT ON trig_set FOR EACH ROW EXECUTE FUNCTION trig_bad_set('cast');
SELECT trig_show_error('INSERT INTO trig_set (id) VALUES (2)');
DROP TRIGGER trig_bad ON trig_set;
CREATE TRIGGER trig_bad BEFORE INSERT ON trig_set FOR EACH ROW EXECUTE FUNCTION trig_bad_set('range');
SELECT trig_show_error('INSERT INTO trig_set (id) VALUES (2)');
DROP TRIGGER trig_bad ON trig_set;
CREATE TRIGGER trig_bad BEFORE INSERT ON trig_set FOR EACH ROW EXECUTE FUNCTION trig_bad_set('length');
SELECT trig_show_error('INSERT INTO trig_set (id) VALUES (2)');
DROP TRIGGER trig_bad ON trig_set;
CREATE TRIGGER trig_bad BEFORE INSERT ON trig_set FOR EACH ROW EXECUTE FUNCTION trig_bad_set('column');
SELECT trig_show_error('INSERT INTO trig_set (id) VALUES (2)');
DROP TRIGGER trig_bad ON trig_set;
SELECT count(*) FROM trig_set WHERE id = 2;

-- composite columns of trigger rows as their generated structs: a composite type (CREATE TYPE
-- ... AS) that the body names is declared as a struct (PL/Python: a composite column is a
-- dict; PL/pgSQL: NEW.home is a row with fields)
CREATE FUNCTION trig_struct() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  auto home = r.get<std::optional<trig_addr>>("home");
  if (!home) {
    r.set("home", trig_addr{"Unknown", 0});                 // a struct into the column
  } else {
    home->zip = home->zip.value_or(0) + 1;                  // read, change, write back
    home->street = home->street.value_or("?") + " (moved)";
    r.set("home", *home);
  }
  return r;
$$;
CREATE TRIGGER trig_struct BEFORE INSERT OR UPDATE ON trig_set
  FOR EACH ROW EXECUTE FUNCTION trig_struct();
INSERT INTO trig_set (id) VALUES (3) RETURNING id, home;
UPDATE trig_set SET n = 1 WHERE id = 3 RETURNING id, home, (home).zip;
INSERT INTO trig_set (id, home) VALUES (4, ROW(NULL, NULL)) RETURNING id, home;
-- the composite type altered after the function was compiled: 42804 asking to recompile
ALTER TYPE trig_addr ADD ATTRIBUTE country text;
SELECT trig_show_error('UPDATE trig_set SET n = 2 WHERE id = 3');
DROP TRIGGER trig_struct ON trig_set;
-- a composite column read as a generic record works without naming the type
CREATE FUNCTION trig_home_record() RETURNS trigger LANGUAGE plcpp AS $$
  auto home = trigger().new_row().get<record>("home");
  notice("street ", home.get<std::optional<std::string>>("street").value_or("-"), ", ",
         home.size(), " attributes");
$$;
CREATE TRIGGER trig_home_record BEFORE UPDATE ON trig_set
  FOR EACH ROW EXECUTE FUNCTION trig_home_record();
UPDATE trig_set SET n = 3 WHERE id = 3;
DROP TRIGGER trig_home_record ON trig_set;
-- bad input: a struct of another composite type into the column (42804)
CREATE TYPE trig_xy AS (a int, b int);
CREATE FUNCTION trig_wrong_struct() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  r.set("home", trig_xy{1, 2});
  return r;
$$;
CREATE TRIGGER trig_wrong_struct BEFORE INSERT ON trig_set
  FOR EACH ROW EXECUTE FUNCTION trig_wrong_struct();
SELECT trig_show_error('INSERT INTO trig_set (id) VALUES (5)');
