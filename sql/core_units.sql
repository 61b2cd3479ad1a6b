-- Core units (jit/core_unit.h): STRICT functions over bool, int2/4/8 and float4/8 whose body
-- is plain arithmetic compile against plcpp/core.hpp only. They must behave exactly like
-- regular units.
CREATE FUNCTION core_add(a int, b smallint) RETURNS bigint LANGUAGE plcpp IMMUTABLE STRICT AS $$
return std::int64_t(a) + b;
$$;
SELECT core_add(2147483647, 1::smallint), core_add(NULL, 1::smallint) IS NULL AS strict_null;
-- the returned value is range-checked as in any body (SQLSTATE 22003)
CREATE FUNCTION core_scale(a int, d float8) RETURNS int LANGUAGE plcpp STRICT AS $$
return d * a;
$$;
SELECT core_scale(2, 1.5);
\set VERBOSITY default
SELECT core_scale(2, 1e300);
CREATE FUNCTION core_narrow(d float8) RETURNS real LANGUAGE plcpp STRICT AS $$ return d; $$;
SELECT core_narrow(0.5), core_narrow('infinity');
SELECT core_narrow(1e300);
CREATE FUNCTION core_flag(a bigint, b real) RETURNS boolean LANGUAGE plcpp STRICT AS $$
return a > 0 && b < 0.5f;
$$;
SELECT core_flag(1, 0.25), core_flag(-1, 0.25), core_flag(1, 1);
-- a name the core header lacks: the regular unit is compiled instead, and works
CREATE FUNCTION core_pi(r float8) RETURNS float8 LANGUAGE plcpp STRICT AS $$ return M_PI * r * r; $$;
SELECT round(core_pi(1)::numeric, 6);
-- errors are those of the regular unit
CREATE FUNCTION core_typo(a int) RETURNS int LANGUAGE plcpp STRICT AS $$
return a + undeclared_name;
$$;
-- loops in core units are interruptible too
CREATE FUNCTION core_spin(a int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
std::int64_t s = 0;
while (true) s += a;
return s;
$$;
SET statement_timeout = '100ms';
SELECT core_spin(1);
RESET statement_timeout;
SELECT core_add(1, 2::smallint) AS still_alive;
