-- Errors name the body line (issue 20): counted as in compile errors (line 1 is the line of
-- $$), for a C++ exception thrown in the body, one thrown inside the standard library, an SQL
-- error raised by a runtime call, nested and recursive calls, and at -O0 and -O2.
\set VERBOSITY default
CREATE FUNCTION el_throw(a int) RETURNS int STRICT LANGUAGE plcpp AS $$
  int x = a * 2;
  if (x > 10)
    throw std::runtime_error("too big");
  return x;
$$;
SELECT el_throw(3);
SELECT el_throw(30);
-- an SQL error from a runtime call: the line of the call
CREATE FUNCTION el_sql(a int) RETURNS int STRICT LANGUAGE plcpp AS $$
  int x = a;

  auto n = spi::exec("SELECT 1/" + std::to_string(x - 1));
  return x + static_cast<int>(n);
$$;
SELECT el_sql(1);
-- thrown inside libstdc++ (vector::at): the line of the body's call
CREATE FUNCTION el_at(a int) RETURNS int STRICT LANGUAGE plcpp AS $$
#include <vector>
  std::vector<int> v(3);
  return v.at(a);
$$;
SELECT el_at(5);
-- from a lambda and a helper called by the body
CREATE FUNCTION el_lambda(a int) RETURNS int STRICT LANGUAGE plcpp AS $$
  auto check = [](int v) {
    if (v < 0) throw std::invalid_argument("negative");
    return v;
  };
  int y = a + 1;
  return check(y - 10);
$$;
SELECT el_lambda(3);
-- nested: each function names its own line
CREATE FUNCTION el_outer() RETURNS int LANGUAGE plcpp AS $$
  // a comment on line 2
  spi::exec("SELECT el_throw(50)");
  return 1;
$$;
SELECT el_outer();
-- recursive: each level its own line
CREATE FUNCTION el_rec(n int) RETURNS int STRICT LANGUAGE plcpp AS $$
  if (n == 0)
    spi::exec("SELECT 1/0");
  spi::exec("SELECT el_rec(" + std::to_string(n - 1) + ")");
  return n;
$$;
SELECT el_rec(2);
-- an error caught in the body, then another thrown: the second one's line
CREATE FUNCTION el_rethrow() RETURNS int LANGUAGE plcpp AS $$
  try {
    throw std::runtime_error("first");
  } catch (const std::exception &) {
  }
  throw std::runtime_error("second");
$$;
SELECT el_rethrow();
-- plcpp::error raised by the body itself
CREATE FUNCTION el_raise(a int) RETURNS int STRICT LANGUAGE plcpp AS $$
  if (a > 0)
    error("positive: " + std::to_string(a));
  return 0;
$$;
SELECT el_raise(1);
-- optimized code (-O2, inlining): the same lines
SET plcpp.tiered_compilation = off;
CREATE FUNCTION el_o2(a int) RETURNS int STRICT LANGUAGE plcpp AS $$
#include <vector>
  std::vector<int> v{1, 2, 3};
  int sum = 0;
  for (int i : v) sum += i;
  if (a > sum)
    throw std::out_of_range("over " + std::to_string(sum));
  return v.at(a);
$$;
SELECT el_o2(1);
SELECT el_o2(7);
SELECT el_o2(4);
-- a runtime call in tail position at -O2 stays a call: the body's frame names the line
CREATE FUNCTION el_tail() RETURNS void LANGUAGE plcpp AS $$
  // line 2
  spi::exec("SELECT 1/0");
$$;
SELECT el_tail();
RESET plcpp.tiered_compilation;
-- a DO block
DO LANGUAGE plcpp $$
  int unused = 0;
  (void)unused;
  throw std::logic_error("in a DO block");
$$;
-- a returned value that does not fit the result type: the line of the return
CREATE FUNCTION el_result() RETURNS smallint LANGUAGE plcpp AS $$
  return 100000;
$$;
SELECT el_result();
-- the line of an earlier error is never reused for a later one (here a domain's CHECK on the
-- result, after the body returned)
CREATE DOMAIN el_small AS int CHECK (VALUE < 10);
CREATE FUNCTION el_dom(a int) RETURNS el_small STRICT LANGUAGE plcpp AS $$
  if (a < 0)
    throw std::runtime_error("negative");
  return a;
$$;
SELECT el_dom(-1);
SELECT el_dom(50);
