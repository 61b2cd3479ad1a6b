-- issue 18 item 9: C++ integer arithmetic wraps; plcpp::checked<T> raises 22003 like SQL.
CREATE FUNCTION sqlstate_of_checked(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

-- Plain int32_t wraps (documented); checked<int32_t> raises, as int4 arithmetic does.
CREATE FUNCTION plain_mul(a int, b int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
$$;
CREATE FUNCTION checked_mul(a int, b int) RETURNS int LANGUAGE plcpp STRICT AS $$
  return checked<int32_t>(a) * b;
$$;
SELECT plain_mul(65536, 65536), checked_mul(1000, 1000);
SELECT checked_mul(65536, 65536);
SELECT 65536 * 65536;  -- what SQL says

CREATE FUNCTION checked_ops(op text, a bigint, b bigint) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  checked<int64_t> x = a, y = b;
  if (op == "+") return x + y;
  if (op == "-") return x - y;
  if (op == "*") return x * y;
  if (op == "/") return x / y;
  if (op == "%") return x % y;
  if (op == "neg") return -x;
  if (op == "+=") { x += y; return x; }
  if (op == "++") { ++x; return x; }
  if (op == "--") { x--; return x; }
  error("unknown op");
$$;
SELECT op, a, b, sqlstate_of_checked(format('SELECT checked_ops(%L, %s, %s)', op, a, b)) AS result
FROM (VALUES ('+', 9223372036854775807, 1), ('-', -9223372036854775808, 1),
             ('*', 4294967296, 4294967296), ('/', -9223372036854775808, -1),
             ('/', 1, 0), ('%', 1, 0), ('neg', -9223372036854775808, 0),
             ('+=', 9223372036854775800, 100), ('++', 9223372036854775807, 0),
             ('--', -9223372036854775808, 0)) v(op, a, b) ORDER BY 1, 2;
-- in range: the plain result
SELECT checked_ops('+', 2, 3), checked_ops('-', 2, 3), checked_ops('*', -4, 3),
       checked_ops('/', -7, 2), checked_ops('%', -7, 2), checked_ops('%', -9223372036854775808, -1),
       checked_ops('neg', 5, 0), checked_ops('++', 1, 0), checked_ops('--', 1, 0);

-- A sum that would wrap, and mixing types: an int64_t operand out of int32 range raises.
CREATE FUNCTION checked_sum(v int[]) RETURNS int LANGUAGE plcpp STRICT AS $$
  checked<int32_t> s = 0;
  for (auto e : v) if (e) s += *e;
  return s;
$$;
SELECT checked_sum(ARRAY[1, 2, 3]);
SELECT checked_sum(ARRAY[2147483647, 1]);
CREATE FUNCTION checked_mixed(a int, b bigint) RETURNS int LANGUAGE plcpp STRICT AS $$
  return checked<int32_t>(a) + b;
$$;
SELECT checked_mixed(1, 2);
SELECT checked_mixed(1, 3000000000);
-- Returned into a narrower result type: range-checked (22003), not truncated.
CREATE FUNCTION checked_narrow(a bigint) RETURNS int LANGUAGE plcpp STRICT AS $$
  return checked<int64_t>(a) * 2;
$$;
SELECT checked_narrow(21);
SELECT checked_narrow(2000000000);
-- As a query parameter.
CREATE FUNCTION checked_param(a int) RETURNS int LANGUAGE plcpp STRICT AS $$
  checked<int32_t> x = a;
  return *spi::query_one<int32_t>("select $1 + 1", x);
$$;
SELECT checked_param(41);
SELECT 1 AS alive;
