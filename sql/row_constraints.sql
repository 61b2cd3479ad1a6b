-- issue 18 items 6 and 7: values set into rows get the column's typmod and domain constraints
-- applied, as an SQL assignment does (PL/pgSQL: NEW.col := ...).

-- The SQLSTATE a statement raises (NULL if none).
CREATE FUNCTION sqlstate_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;

-- Typmods in a BEFORE trigger: varchar(3) raises 22001, numeric(5,2) and timestamp(0) round.
CREATE TABLE typmod_t (v varchar(3), n numeric(5,2), ts timestamp(0), c char(4), b bit(3));
CREATE FUNCTION typmod_trg() RETURNS trigger LANGUAGE plcpp AS $$
  plcpp::record row = trigger().new_row();
  const auto &args = trigger().args();
  if (args[0] == "v") row.set("v", std::string("abcdef"));
  if (args[0] == "v_spaces") row.set("v", std::string("ab    "));
  if (args[0] == "n") row.set("n", 3.14159);
  if (args[0] == "n_big") row.set("n", 12345.0);
  if (args[0] == "ts") row.set("ts", plcpp::datum{"2024-01-02 03:04:05.678"});
  if (args[0] == "c") row.set("c", std::string("xy"));
  if (args[0] == "b") row.set("b", plcpp::datum{"1"});
  return row;
$$;
CREATE TRIGGER typmod_trg BEFORE INSERT ON typmod_t FOR EACH ROW EXECUTE FUNCTION typmod_trg('v');
INSERT INTO typmod_t VALUES ('a', 1, now(), 'a', '101');
SELECT sqlstate_of($$INSERT INTO typmod_t VALUES ('a', 1, now(), 'a', '101')$$);
DROP TRIGGER typmod_trg ON typmod_t;
CREATE TRIGGER typmod_trg BEFORE INSERT ON typmod_t FOR EACH ROW EXECUTE FUNCTION typmod_trg('v_spaces');
INSERT INTO typmod_t VALUES ('a', 1, '2000-01-01', 'a', '101');
DROP TRIGGER typmod_trg ON typmod_t;
CREATE TRIGGER typmod_trg BEFORE INSERT ON typmod_t FOR EACH ROW EXECUTE FUNCTION typmod_trg('n');
INSERT INTO typmod_t VALUES ('b', 1, '2000-01-01', 'b', '101');
DROP TRIGGER typmod_trg ON typmod_t;
CREATE TRIGGER typmod_trg BEFORE INSERT ON typmod_t FOR EACH ROW EXECUTE FUNCTION typmod_trg('n_big');
INSERT INTO typmod_t VALUES ('c', 1, '2000-01-01', 'c', '101');
DROP TRIGGER typmod_trg ON typmod_t;
CREATE TRIGGER typmod_trg BEFORE INSERT ON typmod_t FOR EACH ROW EXECUTE FUNCTION typmod_trg('ts');
INSERT INTO typmod_t VALUES ('d', 1, '2000-01-01', 'd', '101');
DROP TRIGGER typmod_trg ON typmod_t;
CREATE TRIGGER typmod_trg BEFORE INSERT ON typmod_t FOR EACH ROW EXECUTE FUNCTION typmod_trg('c');
INSERT INTO typmod_t VALUES ('e', 1, '2000-01-01', 'e', '101');
DROP TRIGGER typmod_trg ON typmod_t;
CREATE TRIGGER typmod_trg BEFORE INSERT ON typmod_t FOR EACH ROW EXECUTE FUNCTION typmod_trg('b');
INSERT INTO typmod_t VALUES ('f', 1, '2000-01-01', 'f', '101');
DROP TRIGGER typmod_trg ON typmod_t;
SELECT v, n, ts, octet_length(c) AS c_bytes, b FROM typmod_t ORDER BY v;

-- A row from a query returned as the trigger's row: the table's typmods still apply.
CREATE TABLE typmod_q (v varchar(3));
CREATE FUNCTION typmod_from_query() RETURNS trigger LANGUAGE plcpp AS $$
  return spi::query("select 'toolong'::text::varchar as v")[0].to_record();
$$;
CREATE TRIGGER typmod_from_query BEFORE INSERT ON typmod_q FOR EACH ROW
  EXECUTE FUNCTION typmod_from_query();
INSERT INTO typmod_q VALUES ('ok');
SELECT count(*) FROM typmod_q;

-- A composite result: the typmods of its type's attributes.
CREATE TYPE typmod_pair AS (v varchar(3), n numeric(5,2));
CREATE FUNCTION typmod_pair_ok() RETURNS typmod_pair LANGUAGE plcpp AS $$
  return typmod_pair{std::string("ab"), plcpp::numeric("2.555")};
$$;
SELECT * FROM typmod_pair_ok();
CREATE FUNCTION typmod_pair_long() RETURNS typmod_pair LANGUAGE plcpp AS $$
  return typmod_pair{std::string("abcd"), plcpp::numeric("1")};
$$;
SELECT * FROM typmod_pair_long();

-- Domains: a scalar result with NOT NULL and CHECK, as PL/pgSQL raises 23502 / 23514.
CREATE DOMAIN posint AS int NOT NULL CHECK (VALUE > 0);
CREATE FUNCTION dom_result(x int) RETURNS posint LANGUAGE plcpp AS $$
  if (!x) return std::nullopt;
  return plcpp::datum{std::to_string(*x)};
$$;
SELECT dom_result(5);
SELECT dom_result(NULL);
SELECT dom_result(-1);
SELECT sqlstate_of('SELECT dom_result(NULL)'), sqlstate_of('SELECT dom_result(-1)');
-- PL/pgSQL says the same
CREATE FUNCTION dom_result_plpgsql(x int) RETURNS posint LANGUAGE plpgsql AS $$
BEGIN RETURN x; END $$;
SELECT dom_result_plpgsql(NULL);
SELECT dom_result_plpgsql(-1);

-- A composite result with a domain member.
CREATE TYPE dom_pair AS (a posint, b text);
CREATE FUNCTION dom_pair_of(x int) RETURNS dom_pair LANGUAGE plcpp AS $$
  dom_pair p;
  if (x) p.a = plcpp::datum{std::to_string(*x)};
  p.b = "b";
  return p;
$$;
SELECT * FROM dom_pair_of(3);
SELECT * FROM dom_pair_of(NULL);
SELECT * FROM dom_pair_of(0);
SELECT sqlstate_of('SELECT dom_pair_of(NULL)'), sqlstate_of('SELECT dom_pair_of(0)');

-- Values set into a trigger row of a table with domain columns.
CREATE DOMAIN short_code AS text CHECK (length(VALUE) <= 3);
CREATE TABLE dom_t (id int, p posint, s short_code);
CREATE FUNCTION dom_trg() RETURNS trigger LANGUAGE plcpp AS $$
  plcpp::record row = trigger().new_row();
  const auto &what = trigger().args()[0];
  if (what == "p_null") row.set("p", std::nullopt);
  if (what == "p_neg") row.set("p", -4);
  if (what == "p_ok") row.set("p", 4);
  if (what == "s_long") row.set("s", std::string("abcd"));
  return row;
$$;
CREATE TRIGGER dom_trg BEFORE INSERT ON dom_t FOR EACH ROW EXECUTE FUNCTION dom_trg('p_null');
INSERT INTO dom_t VALUES (1, 1, 'a');
SELECT sqlstate_of($$INSERT INTO dom_t VALUES (1, 1, 'a')$$);
DROP TRIGGER dom_trg ON dom_t;
CREATE TRIGGER dom_trg BEFORE INSERT ON dom_t FOR EACH ROW EXECUTE FUNCTION dom_trg('p_neg');
INSERT INTO dom_t VALUES (2, 1, 'a');
DROP TRIGGER dom_trg ON dom_t;
CREATE TRIGGER dom_trg BEFORE INSERT ON dom_t FOR EACH ROW EXECUTE FUNCTION dom_trg('s_long');
INSERT INTO dom_t VALUES (3, 1, 'a');
DROP TRIGGER dom_trg ON dom_t;
CREATE TRIGGER dom_trg BEFORE INSERT ON dom_t FOR EACH ROW EXECUTE FUNCTION dom_trg('p_ok');
INSERT INTO dom_t VALUES (4, 1, 'a');
SELECT * FROM dom_t;

-- A failed set() leaves the record unchanged (caught around a subtransaction: the check is
-- PostgreSQL's, so its error is recoverable only there, as for any query).
CREATE FUNCTION dom_set_caught() RETURNS trigger LANGUAGE plcpp AS $$
  plcpp::record row = trigger().new_row();
  try {
    spi::subtransaction([&] { row.set("p", -1); });
  } catch (const plcpp::sql_error &e) {
    notice("set failed: ", e.sqlstate());
  }
  return row;
$$;
DROP TRIGGER dom_trg ON dom_t;
CREATE TRIGGER dom_set_caught BEFORE INSERT ON dom_t FOR EACH ROW EXECUTE FUNCTION dom_set_caught();
INSERT INTO dom_t VALUES (5, 9, 'z');
SELECT * FROM dom_t ORDER BY id;
SELECT 1 AS alive;
