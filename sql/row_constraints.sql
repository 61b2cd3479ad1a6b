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

-- Arrays of a typmod'd type: the typmod applies to each element (22001, rounding, padding),
-- as PL/pgSQL's NEW.col := ... does; dimensions, lower bounds and NULL elements are kept.
CREATE TABLE typmod_arr (id int, v varchar(3)[], n numeric(5,2)[], c char(2)[]);
CREATE FUNCTION typmod_arr_trg() RETURNS trigger LANGUAGE plcpp AS $$
  plcpp::record row = trigger().new_row();
  const auto &what = trigger().args()[0];
  using S = std::optional<std::string>;
  if (what == "v_ok") row.set("v", std::vector<S>{"ab", std::nullopt, "abc", "xy   "});
  if (what == "v_long") row.set("v", std::vector<S>{"ab", "abcdef"});
  if (what == "v_2d") row.set("v", std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "dddd"}});
  if (what == "n") row.set("n", std::vector<double>{3.14159, 2.5, -0.005});
  if (what == "n_big") row.set("n", std::vector<double>{1, 12345.0});
  if (what == "c") row.set("c", std::vector<std::string>{"a", "bc"});
  if (what == "bounds") row.set("n", plcpp::array<plcpp::numeric>({2}, {plcpp::numeric("1.234"), std::nullopt}, {5}));
  return row;
$$;
CREATE FUNCTION typmod_arr_try(what text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER t BEFORE INSERT ON typmod_arr FOR EACH ROW EXECUTE FUNCTION typmod_arr_trg(%L)', what);
  BEGIN
    INSERT INTO typmod_arr (id) VALUES (1);
  EXCEPTION WHEN OTHERS THEN
    DROP TRIGGER t ON typmod_arr;
    RETURN SQLSTATE || ': ' || SQLERRM;
  END;
  DROP TRIGGER t ON typmod_arr;
  RETURN 'ok';
END $$;
SELECT w, typmod_arr_try(w) FROM unnest(ARRAY['v_ok', 'v_long', 'v_2d', 'n', 'n_big', 'c', 'bounds']) w;
SELECT v, n, c, array_dims(n) AS n_dims, (SELECT array_agg(octet_length(e)) FROM unnest(c) e) AS c_bytes
  FROM typmod_arr ORDER BY v IS NULL, n IS NULL, c IS NULL, array_dims(n);
-- PL/pgSQL says the same for the failing ones
CREATE FUNCTION typmod_arr_plpgsql() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.v := ARRAY['ab', 'abcdef']; RETURN NEW; END $$;
CREATE TRIGGER typmod_arr_plpgsql BEFORE INSERT ON typmod_arr FOR EACH ROW EXECUTE FUNCTION typmod_arr_plpgsql();
SELECT sqlstate_of('INSERT INTO typmod_arr (id) VALUES (2)');
DROP TRIGGER typmod_arr_plpgsql ON typmod_arr;
-- A row from a query returned as the trigger's row, and a composite result with such an
-- attribute: the element typmod too.
CREATE FUNCTION typmod_arr_query() RETURNS trigger LANGUAGE plcpp AS $$
  return spi::query("select 3 as id, array['long one']::text[]::varchar[] as v, "
                    "array[1.005]::numeric[] as n, null::char(2)[] as c")[0].to_record();
$$;
CREATE TRIGGER typmod_arr_query BEFORE INSERT ON typmod_arr FOR EACH ROW EXECUTE FUNCTION typmod_arr_query();
SELECT sqlstate_of('INSERT INTO typmod_arr (id) VALUES (3)');
DROP TRIGGER typmod_arr_query ON typmod_arr;
CREATE TYPE typmod_arr_pair AS (v varchar(3)[], n numeric(5,2)[]);
CREATE FUNCTION typmod_arr_pair_of(s text) RETURNS typmod_arr_pair LANGUAGE plcpp STRICT AS $$
  return typmod_arr_pair{std::vector<std::string>{std::string(s)}, std::vector<double>{1.237}};
$$;
SELECT typmod_arr_pair_of('ab'), sqlstate_of('SELECT typmod_arr_pair_of(''abcd'')');
-- A function's text[] result inserted into the column: PostgreSQL's own assignment.
CREATE FUNCTION typmod_arr_texts() RETURNS text[] LANGUAGE plcpp AS $$
  return std::vector<std::string>{"toolong"};
$$;
SELECT sqlstate_of('INSERT INTO typmod_arr (id, v) SELECT 4, typmod_arr_texts()');
SELECT count(*) AS rows_stored FROM typmod_arr;

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
