-- Composite types: generated structs for named composites and table row types, plcpp::record
-- for generic records, OUT parameters (struct out_row).
CREATE FUNCTION comp_show_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hnt = PG_EXCEPTION_HINT;
  RAISE NOTICE E'sqlstate=% message=%\ndetail=%\nhint=%', st, msg, det, hnt;
END $$;

-- a composite argument and result: members are std::optional (NULL attributes)
CREATE TYPE comp_pt AS (x int, label text);
CREATE FUNCTION comp_double(p comp_pt) RETURNS comp_pt LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(p.x), std::optional<int32_t>>);
  static_assert(std::is_same_v<decltype(p.label), std::optional<std::string>>);
  return comp_pt{p.x ? *p.x * 2 : -1,
                 p.label ? std::string(*p.label) + "!" : std::string("none")};
$$;
SELECT comp_double(ROW(3, 'a')::comp_pt);
SELECT comp_double(ROW(NULL, NULL)::comp_pt);        -- NULL attributes arrive as nullopt
SELECT comp_double(NULL) IS NULL AS strict_null;     -- a NULL composite: STRICT skips the call
SELECT (comp_double(ROW(21, 'b'))).*;
SELECT (comp_double(ROW(21, 'b'))).label;
-- NULL attributes in a returned composite
CREATE FUNCTION comp_partial(x int) RETURNS comp_pt LANGUAGE plcpp AS $$
  if (!x) return comp_pt{};                          // all attributes NULL
  return comp_pt{x, std::nullopt};
$$;
SELECT comp_partial(5), (comp_partial(5)).label IS NULL AS label_null;
SELECT comp_partial(NULL), comp_partial(NULL) IS NULL AS all_null;
-- not STRICT: a NULL composite argument is an empty std::optional<comp_pt>
CREATE FUNCTION comp_maybe(p comp_pt) RETURNS text LANGUAGE plcpp AS $$
  if (!p) return "no row";
  return "x=" + (p->x ? std::to_string(*p->x) : std::string("null"));
$$;
SELECT comp_maybe(NULL), comp_maybe(ROW(NULL, 'q')), comp_maybe(ROW(7, NULL));
-- returning std::nullopt is a NULL composite
CREATE FUNCTION comp_none() RETURNS comp_pt LANGUAGE plcpp AS $$ return std::nullopt; $$;
SELECT comp_none() IS NULL AS is_null;

-- a table's row type: a NOT NULL column is a plain member
CREATE TABLE comp_tab (id int NOT NULL, name text, score float8);
INSERT INTO comp_tab VALUES (1, 'one', 1.5), (2, NULL, NULL);
CREATE FUNCTION comp_describe(r comp_tab) RETURNS text LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(r.id), int32_t>);
  static_assert(std::is_same_v<decltype(r.name), std::optional<std::string>>);
  return std::to_string(r.id) + ":" + r.name.value_or("?") + ":" +
         (r.score ? std::to_string(*r.score) : "null");
$$;
SELECT comp_describe(t) FROM comp_tab t ORDER BY id;
CREATE FUNCTION comp_make(i int) RETURNS comp_tab LANGUAGE plcpp STRICT AS $$
  return comp_tab{i, "made", std::nullopt};
$$;
SELECT * FROM comp_make(5);
-- a table with a dropped column: the struct has the live columns only
CREATE TABLE comp_dropped (a int, junk text, b text NOT NULL);
ALTER TABLE comp_dropped DROP COLUMN junk;
INSERT INTO comp_dropped VALUES (1, 'x');
CREATE FUNCTION comp_bump(r comp_dropped) RETURNS comp_dropped LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(r.b), std::string>);
  return comp_dropped{r.a ? *r.a + 1 : 0, r.b + "y"};
$$;
SELECT comp_bump(t) FROM comp_dropped t;
SELECT (comp_bump(t)).* FROM comp_dropped t;

-- attributes of other types: domain and enum (text form, plcpp::datum), array, numeric
CREATE DOMAIN comp_posint AS int CHECK (VALUE > 0);
CREATE TYPE comp_mood AS ENUM ('sad', 'happy');
CREATE TYPE comp_mix AS (d comp_posint, m comp_mood, tags text[], n numeric);
CREATE FUNCTION comp_cheer(v comp_mix, next_d int) RETURNS comp_mix LANGUAGE plcpp STRICT AS $$
  comp_mix out = v;
  out.m = datum{"happy"};
  if (out.tags) out.tags->push_back("new");
  out.d = datum{std::to_string(next_d)};
  return out;
$$;
SELECT comp_cheer(ROW(1, 'sad', ARRAY['a', NULL], 1.50)::comp_mix, 2);
-- the domain's constraint is checked on the way back
SELECT comp_cheer(ROW(1, 'sad', NULL, NULL)::comp_mix, 0);

-- a nested composite: a type with composite attributes
CREATE TYPE comp_line AS (a comp_pt, b comp_pt, tag text);
CREATE FUNCTION comp_swap(l comp_line) RETURNS comp_line LANGUAGE plcpp STRICT AS $$
  comp_line out = l;
  std::swap(out.a, out.b);
  if (out.a) out.a->label = "swapped";
  return out;
$$;
SELECT comp_swap(ROW(ROW(1, 'a'), ROW(2, 'b'), 't')::comp_line);
SELECT comp_swap(ROW(NULL, ROW(2, 'b'), NULL)::comp_line);
SELECT (comp_swap(ROW(ROW(1, 'a b'), NULL, 'x')::comp_line)).b.label;
CREATE FUNCTION comp_line_text(l comp_line) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::string s = l.tag.value_or("-") + ":";
  for (const auto &p : {l.a, l.b})
    s += p ? std::to_string(p->x.value_or(-1)) + "/" + p->label.value_or("-") + " " : "null ";
  return s;
$$;
SELECT comp_line_text(ROW(ROW(1, 'a'), ROW(NULL, NULL), NULL)::comp_line);
SELECT comp_line_text(ROW(NULL, ROW(3, 'c'), 'z')::comp_line);
CREATE FUNCTION comp_line_make(n int) RETURNS comp_line LANGUAGE plcpp STRICT AS $$
  return comp_line{comp_pt{n, "first"}, std::nullopt, "made"};
$$;
SELECT comp_line_make(9);

-- arrays of composites: pt[] is plcpp::array<pt>, a std::vector<std::optional<pt>>
CREATE FUNCTION comp_sum(ps comp_pt[]) RETURNS int LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(ps), plcpp::array<comp_pt>>);
  static_assert(std::is_base_of_v<std::vector<std::optional<comp_pt>>, decltype(ps)>);
  int s = 0;
  for (const auto &p : ps)
    if (p && p->x) s += *p->x;
  return s;
$$;
SELECT comp_sum(ARRAY[ROW(1, 'a'), NULL, ROW(NULL, 'c'), ROW(4, 'd')]::comp_pt[]);
SELECT comp_sum('{}'::comp_pt[]);
CREATE FUNCTION comp_series(n int) RETURNS comp_pt[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<comp_pt>> v;
  for (int i = 0; i < n; ++i) v.push_back(comp_pt{i, "p" + std::to_string(i)});
  v.push_back(std::nullopt);
  return v;
$$;
SELECT comp_series(2);
SELECT (comp_series(3))[2].label, array_length(comp_series(3), 1);

-- types named like plcpp names: the type's struct wins in the body, plcpp's stays qualified
CREATE TYPE interval_pair AS (lo interval, hi interval);
CREATE FUNCTION comp_flip(p interval_pair) RETURNS interval_pair LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(p.lo), std::optional<plcpp::interval>>);
  return interval_pair{p.hi, p.lo};
$$;
SELECT comp_flip(ROW('1 day', '2 hours')::interval_pair);
CREATE TYPE result AS (ok bool, msg text);
CREATE FUNCTION comp_result(b bool) RETURNS result LANGUAGE plcpp STRICT AS $$
  plcpp::result r = spi::query("select 1 union all select 2");
  return result{b, std::to_string(r.size()) + " rows"};
$$;
SELECT comp_result(true);
SELECT comp_result(false);
CREATE TYPE public.record AS (a int);
CREATE FUNCTION comp_named_record(r public.record, g pg_catalog.record) RETURNS public.record
LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(g), plcpp::record>);
  return record{*r.a + g.get<int32_t>(0)};
$$;
SELECT comp_named_record(ROW(41)::public.record, ROW(1));
CREATE TYPE public.date AS (y int, m int);
CREATE FUNCTION comp_named_date(d public.date, real_date pg_catalog.date) RETURNS public.date
LANGUAGE plcpp STRICT AS $$
  plcpp::date rd = real_date;
  static_cast<void>(rd);
  return date{*d.y + 1, *d.m};
$$;
SELECT comp_named_date(ROW(2024, 5)::public.date, '2020-01-01');
-- a type or attribute name that is not a C++ name is refused at CREATE FUNCTION
CREATE TYPE comp_kw AS ("class" int);
CREATE FUNCTION comp_uses_kw(k comp_kw) RETURNS int LANGUAGE plcpp AS $$ return 1; $$;
CREATE TYPE "comp bad" AS (a int);
CREATE FUNCTION comp_uses_bad(k "comp bad") RETURNS int LANGUAGE plcpp AS $$ return 1; $$;

-- OUT parameters of a function that does not return a set: return out_row{...}
CREATE FUNCTION comp_divmod(a int, b int, OUT q int, OUT r int) LANGUAGE plcpp STRICT AS $$
  if (b == 0) return out_row{std::nullopt, a};
  return out_row{a / b, a % b};
$$;
SELECT * FROM comp_divmod(17, 5);
SELECT comp_divmod(17, 0), (comp_divmod(17, 0)).q IS NULL AS q_null;
SELECT (comp_divmod(9, 2)).r;
-- called per row; then replaced with other OUT columns: the new row type is used
SELECT sum((comp_divmod(g, 7)).r) FROM generate_series(1, 1000) g;
DROP FUNCTION comp_divmod(int, int);
CREATE FUNCTION comp_divmod(a int, b int, OUT q int, OUT r int, OUT label text)
LANGUAGE plcpp STRICT AS $$
  return out_row{a / b, a % b, std::to_string(a) + "/" + std::to_string(b)};
$$;
SELECT * FROM comp_divmod(17, 5);
-- INOUT: an input and a result column
CREATE FUNCTION comp_inout(INOUT a int, OUT b text) LANGUAGE plcpp STRICT AS $$
  return out_row{a * 10, std::nullopt};
$$;
SELECT * FROM comp_inout(2);
-- a single OUT parameter is a plain scalar result
CREATE FUNCTION comp_one_out(a int, OUT only_one text) LANGUAGE plcpp STRICT AS $$
  return "#" + std::to_string(a);
$$;
SELECT comp_one_out(3);
-- an anonymous record (records.sql): std::nullopt is NULL
CREATE FUNCTION comp_anon() RETURNS record LANGUAGE plcpp AS $$ return std::nullopt; $$;
SELECT comp_anon() IS NULL AS is_null;

-- a composite value read from a query: row.get<pt>(i), query_one<pt> (pt in the signature)
CREATE TABLE comp_points (id int, p comp_pt);
INSERT INTO comp_points VALUES (1, ROW(10, 'ten')), (2, NULL), (3, ROW(NULL, NULL));
CREATE FUNCTION comp_fetch(i int) RETURNS comp_pt LANGUAGE plcpp STRICT AS $$
  auto r = spi::query("select p from comp_points where id = $1", i);
  return r[0].get<std::optional<comp_pt>>(0);
$$;
SELECT comp_fetch(1);
SELECT comp_fetch(2) IS NULL AS null_row;
SELECT comp_fetch(3);                                -- (,): a row, all attributes NULL
CREATE FUNCTION comp_label_of(i int, unused comp_pt) RETURNS text LANGUAGE plcpp AS $$
  auto r = spi::query("select p from comp_points where id = $1", *i);
  comp_pt p = r[0].get<comp_pt>(0);
  return p.label.value_or("-");
$$;
SELECT comp_label_of(1, NULL);
SELECT comp_label_of(3, NULL);
-- a NULL composite needs std::optional<comp_pt>
SELECT comp_show_error('SELECT comp_label_of(2, NULL)');
CREATE FUNCTION comp_one() RETURNS comp_pt LANGUAGE plcpp AS $$
  auto p = spi::query_one<comp_pt>("select row(7, 'x')::comp_pt");
  p->x = *p->x + 1;
  return p;
$$;
SELECT comp_one();
-- a composite as a query parameter
CREATE FUNCTION comp_store(i int, p comp_pt) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  return spi::exec("insert into comp_points values ($1, $2)", i, comp_pt{i * 10, "via param"});
$$;
SELECT comp_store(4, ROW(0, ''));
SELECT * FROM comp_points WHERE id = 4;
CREATE FUNCTION comp_param(p comp_pt) RETURNS text LANGUAGE plcpp STRICT AS $$
  return *spi::query_one<std::string>("select ($1).label || '/' || ($1).x", p);
$$;
SELECT comp_param(ROW(5, 'five'));

-- generic `record` arguments: plcpp::record, by index or name
CREATE FUNCTION comp_generic(r record) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::string s;
  for (std::size_t i = 0; i < r.size(); ++i)
    s += std::string(r.column_name(i)) + "=" +
         (r.is_null(i) ? std::string("null") : r.get<std::string>(i)) + ";";
  return s;
$$;
SELECT comp_generic(ROW(1, 'x', NULL));
SELECT comp_generic(t) FROM comp_tab t ORDER BY id;
SELECT comp_generic(ROW(3, 'a')::comp_pt);
CREATE FUNCTION comp_generic_get(r record, col text) RETURNS text LANGUAGE plcpp STRICT AS $$
  return r.get<std::optional<std::string>>(col).value_or("NULL") + " at " +
         std::to_string(r.index_of(col));
$$;
SELECT comp_generic_get(t, 'name') FROM comp_tab t ORDER BY id;
SELECT comp_show_error($$SELECT comp_generic_get(ROW(1, 2)::comp_pt, 'nope')$$);
CREATE FUNCTION comp_generic_at(r record, i int) RETURNS int LANGUAGE plcpp STRICT AS $$
  return r.get<int32_t>(static_cast<std::size_t>(i));
$$;
SELECT comp_generic_at(ROW(5, 6), 1);
SELECT comp_show_error('SELECT comp_generic_at(ROW(5, 6), 2)');
SELECT comp_show_error('SELECT comp_generic_at(ROW(NULL, 6), 0)');

-- ALTER TYPE after the function was compiled: an error that says so, until CREATE OR REPLACE
CREATE TYPE comp_alt AS (a int, b text);
CREATE FUNCTION comp_altered(v comp_alt) RETURNS comp_alt LANGUAGE plcpp STRICT AS $$
  return comp_alt{v.a, "seen"};
$$;
SELECT comp_altered(ROW(1, 'x'));
ALTER TYPE comp_alt ADD ATTRIBUTE c int;
SELECT comp_show_error($$SELECT comp_altered(ROW(1, 'x', 3))$$);
CREATE OR REPLACE FUNCTION comp_altered(v comp_alt) RETURNS comp_alt LANGUAGE plcpp STRICT AS $$
  return comp_alt{v.a, "seen", v.c};
$$;
SELECT comp_altered(ROW(1, 'x', 3));
ALTER TYPE comp_alt DROP ATTRIBUTE b;
SELECT comp_show_error($$SELECT comp_altered(ROW(1, 3))$$);
CREATE OR REPLACE FUNCTION comp_altered(v comp_alt) RETURNS comp_alt LANGUAGE plcpp STRICT AS $$
  return comp_alt{v.a, v.c ? *v.c + 1 : 0};
$$;
SELECT comp_altered(ROW(1, 3));

-- the types named like plcpp and catalog names do not outlive this test
DROP FUNCTION comp_flip, comp_result, comp_named_date, comp_named_record;
DROP TYPE public.record, public.date, result, interval_pair;

-- a value is read as a struct only if it is of that type (or an anonymous row of its shape)
CREATE TYPE comp_other AS (x int, label text);
CREATE TYPE comp_two AS (x int, label text);
-- (a struct exists for the types in the signature: comp_two is named by the unused argument)
CREATE FUNCTION comp_read_as(q text, unused comp_two DEFAULT NULL) RETURNS text
LANGUAGE plcpp AS $$
  auto v = spi::query(*q)[0].get<comp_two>(0);
  return std::to_string(v.x.value_or(-1)) + "/" + v.label.value_or("-");
$$;
SELECT comp_read_as($$select row(1, 'a')::comp_two$$);
SELECT comp_read_as($$select row(2, 'b')$$);
SELECT comp_show_error($$SELECT comp_read_as('select row(3, ''c'')::comp_other')$$);
SELECT comp_show_error($$SELECT comp_read_as('select row(4, ''d'', 5)')$$);
-- out_row is the struct of OUT parameters: a type of that name is refused
CREATE TYPE out_row AS (z int);
SELECT comp_show_error($$CREATE FUNCTION comp_outrow(a out_row, OUT x int, OUT y int) LANGUAGE plcpp AS 'return out_row{1, 2};'$$);
DROP TYPE out_row;
