-- self(): the running function describes itself (DESIGN §1 and seed 000: "discover its own name").
-- intro_who(): everything self() says, on one line.
CREATE FUNCTION intro_who(a int, b text) RETURNS text LANGUAGE plcpp AS $$
  const function_info &s = self();
  std::string out = s.name() + "|" + s.schema() + "|" + s.signature() + "|" + s.volatility() +
                    "|" + (s.is_strict() ? "strict" : "not strict") + "|" +
                    (s.returns_set() ? "set" : "not set");
  for (std::size_t i = 0; i < s.arg_names().size(); ++i)
    out += "|" + s.arg_names()[i] + ":" + s.arg_types()[i];
  return out;
$$;
SELECT intro_who(1, 'x');
-- oid() is the function's pg_proc oid
CREATE FUNCTION intro_oid() RETURNS oid LANGUAGE plcpp AS $$ return self().oid(); $$;
SELECT intro_oid() > 0 AS positive, intro_oid() = 'intro_oid()'::regprocedure AS is_own_oid;
-- the name is exactly the SQL name: the seed's memoized-view naming needs no tricks
CREATE FUNCTION intro_questions_for_group(_group_id text) RETURNS text
LANGUAGE plcpp STRICT AS $$
  std::string view = self().name() + "_" + std::string(_group_id);
  for (auto &c : view) c = std::tolower(static_cast<unsigned char>(c));
  return view;
$$;
SELECT intro_questions_for_group('P1mQaEEp');

-- overloaded functions: same name, signature() tells them apart
CREATE FUNCTION intro_ov(a int) RETURNS text LANGUAGE plcpp AS $$ return self().signature(); $$;
CREATE FUNCTION intro_ov(a text) RETURNS text LANGUAGE plcpp AS $$ return self().signature(); $$;
CREATE FUNCTION intro_ov(a int, b int) RETURNS text LANGUAGE plcpp AS $$
  return self().signature();
$$;
CREATE FUNCTION intro_ov() RETURNS text LANGUAGE plcpp AS $$ return self().signature(); $$;
SELECT intro_ov(1), intro_ov('x'), intro_ov(1, 2), intro_ov();
SELECT intro_ov(1) <> intro_ov('x') AS distinct_signatures;

-- unnamed arguments are "", types are formatted SQL type names (no typmods: pg_proc has none)
CREATE FUNCTION intro_types(int, varchar(10), numeric(5, 2), timestamptz, int[], named text,
                            char(3), double precision, flag bool) RETURNS text
LANGUAGE plcpp AS $$
  std::string out = std::to_string(self().arg_names().size()) + " args";
  for (std::size_t i = 0; i < self().arg_names().size(); ++i)
    out += "\n  [" + self().arg_names()[i] + "] " + self().arg_types()[i];
  return out;
$$;
SELECT intro_types(1, 'a', 1, now(), '{1}', 'b', 'c', 1, true);
-- OUT, INOUT, DEFAULT and VARIADIC: arg_names/arg_types list the input arguments only
CREATE FUNCTION intro_args(a int, INOUT b text, OUT c int, d float8 DEFAULT 1.5,
                           VARIADIC rest int[] DEFAULT '{}') LANGUAGE plcpp AS $$
  std::string out = self().signature();
  for (std::size_t i = 0; i < self().arg_names().size(); ++i)
    out += "|" + self().arg_names()[i] + ":" + self().arg_types()[i];
  return out_row{out, static_cast<int32_t>(self().arg_types().size())};
$$;
SELECT * FROM intro_args(1, 'x');
SELECT * FROM intro_args(1, 'x', 2, 3, 4);

-- a schema-qualified function in another schema, with names that need quoting
CREATE SCHEMA "Intro Schema";
CREATE FUNCTION "Intro Schema"."Mixed Case"(x int) RETURNS text LANGUAGE plcpp AS $$
  return self().name() + "|" + self().schema() + "|" + self().signature();
$$;
SELECT "Intro Schema"."Mixed Case"(1);
CREATE SCHEMA intro_other;
CREATE FUNCTION intro_other.intro_ov(a int) RETURNS text LANGUAGE plcpp AS $$
  return self().schema() + " " + self().signature();
$$;
SELECT intro_other.intro_ov(1), intro_ov(1);

-- volatility(): immutable / stable / volatile; is_strict()
CREATE FUNCTION intro_imm(x int) RETURNS text LANGUAGE plcpp IMMUTABLE STRICT AS $$
  return self().volatility() + (self().is_strict() ? " strict" : " not strict");
$$;
CREATE FUNCTION intro_stable(x int) RETURNS text LANGUAGE plcpp STABLE AS $$
  return self().volatility() + (self().is_strict() ? " strict" : " not strict");
$$;
CREATE FUNCTION intro_vol(x int) RETURNS text LANGUAGE plcpp VOLATILE CALLED ON NULL INPUT AS $$
  return self().volatility() + (self().is_strict() ? " strict" : " not strict");
$$;
SELECT intro_imm(1), intro_stable(1), intro_vol(1);
SELECT intro_imm(NULL) IS NULL AS strict_skipped, intro_vol(NULL);
-- ALTER FUNCTION changes what self() reports (the function is described again)
ALTER FUNCTION intro_vol(int) IMMUTABLE;
SELECT intro_vol(1);
ALTER FUNCTION intro_vol(int) STABLE;
SELECT intro_vol(1);
CREATE FUNCTION intro_noargs() RETURNS text LANGUAGE plcpp AS $$
  return self().is_strict() ? "strict" : "not strict";
$$;
SELECT intro_noargs();
ALTER FUNCTION intro_noargs() STRICT;
SELECT intro_noargs();

-- returns_set(): true in a set-returning function (SETOF and RETURNS TABLE)
CREATE FUNCTION intro_srf(n int) RETURNS SETOF text LANGUAGE plcpp STABLE STRICT AS $$
  for (int i = 0; i < n; ++i)
    yield(self().name() + (self().returns_set() ? " set " : " not set ") + self().volatility());
$$;
SELECT * FROM intro_srf(2);
CREATE FUNCTION intro_table(n int) RETURNS TABLE(a int, b text) LANGUAGE plcpp AS $$
  yield(self().returns_set() ? 1 : 0, self().signature() + " " +
                                      std::to_string(self().arg_names().size()));
$$;
SELECT * FROM intro_table(1);
SELECT intro_who(NULL, NULL) LIKE '%|not set|%' AS scalar_not_set;

-- nested calls: each body sees itself, and the outer one again after the inner returns
CREATE FUNCTION intro_inner() RETURNS text LANGUAGE plcpp AS $$ return self().name(); $$;
CREATE FUNCTION intro_outer() RETURNS text LANGUAGE plcpp AS $$
  std::string before = self().name();
  auto inner = spi::query_one<std::string>("select intro_inner()");
  return before + " > " + *inner + " > " + self().name();
$$;
SELECT intro_outer();
-- self() in a trigger function
CREATE TABLE intro_t (v text);
CREATE FUNCTION intro_trig() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  r.set("v", self().name() + " " + self().signature() + " " +
                 std::to_string(self().arg_names().size()));
  return r;
$$;
CREATE TRIGGER intro_trig BEFORE INSERT ON intro_t FOR EACH ROW EXECUTE FUNCTION intro_trig();
INSERT INTO intro_t VALUES ('x');
SELECT * FROM intro_t;

-- a DO block
DO LANGUAGE plcpp $$
  const auto &s = self();
  notice("name=", s.name(), " schema=[", s.schema(), "] signature=", s.signature(), " oid=",
         s.oid(), " volatility=", s.volatility(), " strict=", s.is_strict(),
         " set=", s.returns_set(), " args=", s.arg_names().size(), "/", s.arg_types().size());
$$;
-- a DO block run from a function: its own self(), not the caller's
CREATE FUNCTION intro_runs_do() RETURNS text LANGUAGE plcpp AS $$
  spi::exec("do language plcpp $b$ notice(\"inside: \", self().name()); $b$");
  return self().name();
$$;
SELECT intro_runs_do();

-- CREATE OR REPLACE: the new version describes the new definition
CREATE FUNCTION intro_replaced(x int) RETURNS text LANGUAGE plcpp AS $$
  return "v1 " + self().signature() + " " + self().volatility() +
         (self().is_strict() ? " strict" : " not strict");
$$;
SELECT intro_replaced(1);
CREATE OR REPLACE FUNCTION intro_replaced(x int) RETURNS text LANGUAGE plcpp IMMUTABLE STRICT AS $$
  return "v2 " + self().signature() + " " + self().volatility() +
         (self().is_strict() ? " strict" : " not strict");
$$;
SELECT intro_replaced(1);
-- replaced in a transaction that rolls back: the old description is back
BEGIN;
CREATE OR REPLACE FUNCTION intro_replaced(x int) RETURNS text LANGUAGE plcpp STABLE AS $$
  return "v3 " + self().volatility();
$$;
SELECT intro_replaced(1);
ROLLBACK;
SELECT intro_replaced(1);

-- renamed and moved: name(), schema() and signature() follow the catalog
CREATE FUNCTION intro_renamed() RETURNS text LANGUAGE plcpp AS $$
  return self().name() + " " + self().schema() + " " + self().signature();
$$;
SELECT intro_renamed();
ALTER FUNCTION intro_renamed() RENAME TO intro_renamed2;
SELECT intro_renamed2();
ALTER FUNCTION intro_renamed2() SET SCHEMA intro_other;
SELECT intro_other.intro_renamed2();
-- renamed inside a transaction that rolls back
BEGIN;
ALTER FUNCTION intro_other.intro_renamed2() RENAME TO intro_renamed3;
SELECT intro_other.intro_renamed3();
ROLLBACK;
SELECT intro_other.intro_renamed2();

DROP FUNCTION intro_other.intro_ov(int), intro_other.intro_renamed2(), "Intro Schema"."Mixed Case"(int);
DROP SCHEMA "Intro Schema", intro_other;
