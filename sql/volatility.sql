-- The seed articles' notice-counting experiments (seeds 003, 004), in plcpp: PostgreSQL decides
-- how often a function runs from its volatility and strictness, exactly as for PL/pgSQL.
CREATE FUNCTION f_imm(myvar int) RETURNS int LANGUAGE plcpp IMMUTABLE AS $$
  notice("IMMUTABLE RAN!");
  return myvar;
$$;
CREATE FUNCTION f_vol(myvar int) RETURNS int LANGUAGE plcpp VOLATILE AS $$
  notice("VOLATILE RAN!");
  return myvar;
$$;
CREATE FUNCTION f_stable(myvar int) RETURNS int LANGUAGE plcpp STABLE AS $$
  notice("STABLE RAN!");
  return myvar;
$$;

-- constant arguments: the IMMUTABLE call is folded at plan time (runs once), VOLATILE per row
SELECT 1 FROM generate_series(1, 5) AS s(id) WHERE f_imm(10) = 10 AND f_vol(10) = 10;
-- variable arguments: both run per row
SELECT 1 FROM generate_series(1, 5) AS s(id)
 WHERE f_imm(s.id % 2) = s.id % 2 AND f_vol(s.id % 2) = s.id % 2;

-- seed 004: STABLE with a constant argument in the select list runs per row; IMMUTABLE once
SELECT f_stable(1) FROM generate_series(1, 3);
SELECT f_imm(1) FROM generate_series(1, 3);
-- STABLE compared with an indexed column: evaluated by the planner's estimate and once for
-- the index scan, not once per row
CREATE TABLE vt (id int PRIMARY KEY);
INSERT INTO vt SELECT generate_series(1, 1000);
ANALYZE vt;
SET enable_seqscan = off;
SELECT id FROM vt WHERE id = f_stable(5);
RESET enable_seqscan;

-- STRICT with a NULL argument: never runs, even VOLATILE
CREATE FUNCTION f_vol_strict(myvar int) RETURNS int LANGUAGE plcpp VOLATILE STRICT AS $$
  notice("STRICT VOLATILE RAN!");
  return myvar;
$$;
SELECT count(f_vol_strict(NULL)) FROM generate_series(1, 5);
SELECT count(f_vol_strict(1)) FROM generate_series(1, 2);

-- the planner sees the declared volatility
EXPLAIN (COSTS OFF) SELECT * FROM vt WHERE id = f_imm(3);
SELECT provolatile, proisstrict FROM pg_proc WHERE proname IN ('f_imm', 'f_vol', 'f_stable', 'f_vol_strict') ORDER BY proname;
-- an IMMUTABLE plcpp function can back an expression index
CREATE FUNCTION twice(x int) RETURNS int LANGUAGE plcpp IMMUTABLE STRICT AS $$ return 2 * x; $$;
CREATE INDEX vt_twice ON vt (twice(id));
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM vt WHERE twice(id) = 20;
SELECT id FROM vt WHERE twice(id) = 20;
RESET enable_seqscan;
DROP TABLE vt;
