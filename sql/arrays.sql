-- Arrays: std::vector<std::optional<T>> in, std::vector<T> or std::vector<std::optional<T>> out.
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'PST8PDT';
CREATE FUNCTION ar_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hnt = PG_EXCEPTION_HINT;
  RAISE NOTICE E'sqlstate=% message=%\ndetail=%\nhint=%', st, msg, det, hnt;
END $$;

--
-- int[]: NULL elements are std::nullopt
--
CREATE FUNCTION ar_int(a int[]) RETURNS int[] LANGUAGE plcpp STRICT AS $$ return a; $$;
CREATE FUNCTION ar_int_describe(a int[]) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::string out = std::to_string(a.size()) + ":";
  for (const auto &e : a) out += e ? " " + std::to_string(*e) : std::string(" null");
  return out;
$$;
SELECT a, ar_int(a), ar_int(a) IS NOT DISTINCT FROM a AS round_trip, ar_int_describe(a)
FROM (VALUES ('{1,2,3}'::int[]), ('{}'), ('{NULL}'), ('{NULL,5,NULL}'), ('{-2147483648,2147483647}'))
  v(a);
SELECT ar_int(NULL) IS NULL AS strict_null;
-- not STRICT: the whole array is std::optional too
CREATE FUNCTION ar_int_count(a int[]) RETURNS int LANGUAGE plcpp AS $$
  if (!a) return -1;
  return static_cast<int32_t>(std::count_if(a->begin(), a->end(), [](auto &e) { return e.has_value(); }));
$$;
SELECT ar_int_count(NULL), ar_int_count('{}'), ar_int_count('{1,NULL,3}');

-- returning std::vector<int> (no NULLs possible) and std::vector<std::optional<int>>
CREATE FUNCTION ar_range(n int) RETURNS int[] LANGUAGE plcpp STRICT AS $$
  std::vector<int> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 1);
  return v;
$$;
CREATE FUNCTION ar_odd_nulls(n int) RETURNS int[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<int>> v;
  for (int i = 1; i <= n; ++i) v.push_back(i % 2 ? std::nullopt : std::optional<int>(i));
  return v;
$$;
SELECT ar_range(5), ar_range(0), ar_range(0) = '{}' AS empty_is_empty,
       array_ndims(ar_range(0)) IS NULL AS zero_dims, ar_odd_nulls(5), ar_odd_nulls(1);
-- a vector of another integer type is returned element by element
CREATE FUNCTION ar_int8_to_int4(a int8[]) RETURNS int[] LANGUAGE plcpp STRICT AS $$
  std::vector<int64_t> v;
  for (auto &e : a) v.push_back(e.value_or(0));
  return v;
$$;
SELECT ar_int8_to_int4('{1,NULL,-3,2147483647,-2147483648}');
-- smallint[] and bigint[]
CREATE FUNCTION ar_sum_small(a int2[]) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  int64_t s = 0;
  for (auto &e : a) s += e.value_or(0);
  return s;
$$;
CREATE FUNCTION ar_big(a int8[]) RETURNS int8[] LANGUAGE plcpp STRICT AS $$
  std::reverse(a.begin(), a.end());
  return a;
$$;
SELECT ar_sum_small('{32767,32767,NULL,-1}'), ar_big('{9223372036854775807,NULL,-9223372036854775808}');

--
-- arrays of the other element types
--
CREATE FUNCTION ar_text(a text[]) RETURNS text[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<std::string>> out;
  for (auto &e : a) {
    if (!e) { out.push_back(std::nullopt); continue; }
    std::string s(*e);
    for (auto &c : s) c = std::toupper(c);
    out.push_back(s + "!");
  }
  return out;
$$;
SELECT ar_text('{a,"b c",NULL,"","with \"quote\"","NULL"}'), ar_text('{}'), ar_text('{☃}');
CREATE FUNCTION ar_join(a varchar[]) RETURNS varchar LANGUAGE plcpp STRICT AS $$
  std::string out;
  for (auto &e : a) out += std::string(e.value_or("?")) + ";";
  return out;
$$;
SELECT ar_join('{x,NULL,yz}'::varchar[]), ar_join('{}');
CREATE FUNCTION ar_float8(a float8[]) RETURNS float8[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<double>> out;
  for (auto &e : a) out.push_back(e ? std::optional<double>(*e * 2) : std::nullopt);
  return out;
$$;
SELECT ar_float8('{1.5,-0.25,NULL,Infinity,-Infinity,NaN,1e300}');
CREATE FUNCTION ar_float4(a float4[]) RETURNS float4[] LANGUAGE plcpp STRICT AS $$
  std::vector<float> out;
  for (auto &e : a) out.push_back(e.value_or(-1.0f) / 4);
  return out;
$$;
SELECT ar_float4('{1,NULL,3.5}');
CREATE FUNCTION ar_bool(a bool[]) RETURNS bool[] LANGUAGE plcpp STRICT AS $$
  std::vector<bool> out;            // std::vector<bool> works despite being a bitset
  for (auto &e : a) out.push_back(!e.value_or(false));
  return out;
$$;
CREATE FUNCTION ar_bool_opt(a bool[]) RETURNS bool[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<bool>> out;
  for (auto &e : a) out.push_back(e ? std::optional<bool>(!*e) : std::nullopt);
  return out;
$$;
SELECT ar_bool('{true,false,NULL}'), ar_bool_opt('{true,false,NULL}'), ar_bool('{}');
CREATE FUNCTION ar_numeric(a numeric[]) RETURNS numeric[] LANGUAGE plcpp STRICT AS $$
  numeric sum;
  std::vector<std::optional<numeric>> out;
  for (auto &e : a) {
    if (e) sum += *e;
    out.push_back(e ? std::optional<numeric>(sum) : std::nullopt);
  }
  return out;
$$;
SELECT ar_numeric('{0.1,0.2,NULL,1e-20,-0.3,NaN}'), ar_numeric('{123456789012345678901234567890.5}');
CREATE FUNCTION ar_date(a date[]) RETURNS date[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<plcpp::date>> out;
  for (auto &e : a) out.push_back(e ? std::optional<plcpp::date>(*e + std::chrono::days(1)) : std::nullopt);
  return out;
$$;
SELECT ar_date('{1999-12-31,1969-12-31,NULL,0001-12-31 BC,2024-02-28}');
CREATE FUNCTION ar_ts(a timestamp[], b timestamptz[], c interval[]) RETURNS text
LANGUAGE plcpp STRICT AS $$
  std::string out;
  for (auto &e : a) out += (e ? std::to_string(e->time_since_epoch().count()) : "null") + " ";
  for (auto &e : b) out += (e ? std::to_string(e->time_since_epoch().count()) : "null") + " ";
  for (auto &e : c) out += (e ? std::to_string(e->months) + "m" + std::to_string(e->days) + "d" +
                                    std::to_string(e->time.count()) + "us" : "null") + " ";
  return out;
$$;
SELECT ar_ts('{1970-01-01 00:00:01,NULL}', '{1970-01-01 00:00:00+00,-infinity}',
             '{1 mon 2 days 3 seconds,NULL}');
CREATE FUNCTION ar_uuid(a uuid[]) RETURNS uuid[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<uuid>> out(a.rbegin(), a.rend());
  out.push_back(uuid::parse("00000000-0000-0000-0000-000000000001"));
  return out;
$$;
SELECT ar_uuid('{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}');
CREATE FUNCTION ar_jsonb(a jsonb[]) RETURNS jsonb[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<json>> out;
  int i = 0;
  for (auto &e : a) {
    ++i;
    if (!e) { out.push_back(std::nullopt); continue; }
    json j = *e;
    if (j.is_object()) j["i"] = i;
    out.push_back(j);
  }
  return out;
$$;
SELECT ar_jsonb(ARRAY['{"a": 1}'::jsonb, NULL, '[1, 2]', '"s"', 'null', '{}']);
-- a json[] argument; returning json[] from a vector of json
CREATE FUNCTION ar_json_keys(a json[]) RETURNS json[] LANGUAGE plcpp STRICT AS $$
  std::vector<json> out;
  for (auto &e : a)
    if (e && e->is_object()) {
      json keys = json::array();
      for (auto &[k, v] : e->items()) keys.push_back(k);
      out.push_back(keys);
    }
  return out;
$$;
SELECT ar_json_keys(ARRAY['{"b": 1, "a": 2}'::json, NULL, '3']);
CREATE FUNCTION ar_bytea(a bytea[]) RETURNS int8[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<int64_t>> out;
  for (auto &e : a) out.push_back(e ? std::optional<int64_t>(e->size()) : std::nullopt);
  return out;
$$;
SELECT ar_bytea(ARRAY['\x'::bytea, '\x0000ff', NULL]);
CREATE FUNCTION ar_make_bytea(n int) RETURNS bytea[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::vector<std::byte>> out;
  for (int i = 0; i < n; ++i) out.emplace_back(static_cast<size_t>(i), std::byte{0xab});
  return out;
$$;
SELECT ar_make_bytea(3);

--
-- element types in text form: enums, domains, ranges
--
CREATE TYPE ar_color AS ENUM ('red', 'green', 'blue');
CREATE FUNCTION ar_next_colors(a ar_color[]) RETURNS ar_color[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<datum>> out;
  for (auto &e : a) {
    if (!e) out.push_back(std::nullopt);
    else out.push_back(datum{e->text == "red" ? "green" : e->text == "green" ? "blue" : "red"});
  }
  return out;
$$;
SELECT ar_next_colors('{red,green,blue,NULL}'), pg_typeof(ar_next_colors('{}'));
CREATE FUNCTION ar_bad_color() RETURNS ar_color[] LANGUAGE plcpp AS $$
  return std::vector<datum>{{"red"}, {"purple"}};
$$;
SELECT ar_error('SELECT ar_bad_color()');
CREATE DOMAIN ar_digit AS int CHECK (VALUE BETWEEN 0 AND 9);
CREATE FUNCTION ar_digits(n int8) RETURNS ar_digit[] LANGUAGE plcpp STRICT AS $$
  std::vector<datum> out;                 // most significant digit first; -1 for a minus sign
  if (n < 0) out.push_back(datum{"-1"});
  for (char c : std::to_string(n < 0 ? -n : n)) out.push_back(datum{std::string(1, c)});
  return out;
$$;
SELECT ar_digits(90210), pg_typeof(ar_digits(7)), ar_digits(0);
SELECT ar_error('SELECT ar_digits(-5)');   -- each element is checked against the domain
CREATE FUNCTION ar_ranges(a int4range[]) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::string out;
  for (auto &e : a) out += (e ? e->text : "null") + ";";
  return out;
$$;
SELECT ar_ranges('{"[1,3]",empty,NULL,"(,5)"}');

--
-- what arrays cannot be
--
-- multidimensional arguments arrive as plcpp::array (issue 19; they raised 0A000 before):
-- iterated flat in storage order (as PL/pgSQL's FOREACH), returned unchanged; a vector built
-- from their elements is one-dimensional (sql/md_arrays.sql has the rest)
SELECT ar_int('{{1,2},{3,4}}'), ar_int_describe('{{{1}}}'), ar_text('{{a},{b}}');
-- a non-default lower bound arrives in lower_bounds() and is kept when the argument is
-- returned (as PL/pgSQL's RETURN a)
SELECT a, ar_int_describe(a), ar_int(a), array_lower(ar_int(a), 1) AS lower_bound_now
FROM (VALUES ('[0:2]={1,2,3}'::int[]), ('[-5:-4]={7,NULL}'), ('[10:10]={42}')) v(a);

--
-- arrays as query parameters and as results of queries
--
CREATE FUNCTION ar_param_len(n int) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::vector<int> v(static_cast<size_t>(n), 7);
  auto r = spi::query("select array_length($1, 1), cardinality($1), pg_typeof($1)::text,"
                      " coalesce(array_sum, 0) from (select sum(x) array_sum from unnest($1) x) s",
                      v);
  return std::to_string(r[0].get<std::optional<int32_t>>(0).value_or(-1)) + " " +
         std::to_string(r[0].get<int32_t>(1)) + " " + r[0].get<std::string>(2) + " " +
         std::to_string(r[0].get<int64_t>(3));
$$;
SELECT n, ar_param_len(n) FROM (VALUES (3), (0), (1000)) v(n);
-- each C++ element type gives the matching SQL array type
CREATE FUNCTION ar_param_types() RETURNS text LANGUAGE plcpp AS $$
  using namespace std::chrono;
  auto r = spi::query(
      "select pg_typeof($1)::text || ' ' || $1::text, pg_typeof($2)::text || ' ' || $2::text,"
      " pg_typeof($3)::text || ' ' || $3::text, pg_typeof($4)::text || ' ' || $4::text,"
      " pg_typeof($5)::text || ' ' || $5::text, pg_typeof($6)::text || ' ' || $6::text,"
      " pg_typeof($7)::text || ' ' || $7::text, pg_typeof($8)::text || ' ' || $8::text,"
      " pg_typeof($9)::text || ' ' || $9::text",
      std::vector<std::optional<int>>{1, std::nullopt}, std::vector<int64_t>{1LL << 40},
      std::vector<std::string>{"a b", "\"q\""}, std::vector<double>{0.5},
      std::vector<bool>{true, false}, std::vector<numeric>{numeric("1.10")},
      std::vector<plcpp::date>{sys_days{year{2000} / 2 / 29}},
      std::vector<uuid>{uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")},
      std::vector<json>{json{{"k", nullptr}}, json(1)});
  std::string out;
  for (size_t i = 0; i < r.columns(); ++i) out += (i ? "\n" : "") + r[0].get<std::string>(i);
  return out;
$$;
SELECT ar_param_types();
-- text-form elements are text[]; the query casts them
CREATE FUNCTION ar_param_datums() RETURNS text LANGUAGE plcpp AS $$
  std::vector<datum> v{{"green"}, {"red"}};
  auto r = spi::query("select pg_typeof($1)::text, (select max(c) from unnest($1::ar_color[]) c)::text", v);
  return r[0].get<std::string>(0) + " " + r[0].get<std::string>(1);
$$;
SELECT ar_param_datums();
-- an empty vector is an empty array
CREATE FUNCTION ar_param_empty() RETURNS text LANGUAGE plcpp AS $$
  auto r = spi::query("select $1 = '{}'::text[], cardinality($1), array_ndims($1) is null",
                      std::vector<std::string>{});
  return std::to_string(r[0].get<bool>(0)) + std::to_string(r[0].get<int>(1)) +
         std::to_string(r[0].get<bool>(2));
$$;
SELECT ar_param_empty();

-- get<std::vector<...>>: any array column; elements convert like scalars
CREATE FUNCTION ar_get(q text, as_type text) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto r = spi::query(q);
  auto row = r[0];
  std::string out;
  auto add = [&](const std::string &s) { out += (out.empty() ? "" : ",") + s; };
  if (as_type == "int") for (int32_t e : row.get<std::vector<int32_t>>(0)) add(std::to_string(e));
  if (as_type == "int64") for (int64_t e : row.get<std::vector<int64_t>>(0)) add(std::to_string(e));
  if (as_type == "int16") for (int16_t e : row.get<std::vector<int16_t>>(0)) add(std::to_string(e));
  if (as_type == "optional")
    for (auto &e : row.get<std::vector<std::optional<int32_t>>>(0))
      add(e ? std::to_string(*e) : "null");
  if (as_type == "string") for (auto &e : row.get<std::vector<std::string>>(0)) add("'" + e + "'");
  if (as_type == "double") for (double e : row.get<std::vector<double>>(0)) add(std::to_string(e));
  if (as_type == "numeric") for (auto &e : row.get<std::vector<numeric>>(0)) add(e.to_string());
  if (as_type == "datum") for (auto &e : row.get<std::vector<datum>>(0)) add(e.text);
  if (as_type == "json") for (auto &e : row.get<std::vector<json>>(0)) add(e.dump());
  if (as_type == "optional vector") {
    auto v = row.get<std::optional<std::vector<int32_t>>>(0);
    add(v ? std::to_string(v->size()) + " elements" : "no array");
  }
  return "[" + out + "]";
$$;
SELECT q, t, ar_get(q, t)
FROM (VALUES ('select ''{1,2,3}''::int[]', 'int'), ('select ''{}''::int[]', 'int'),
             ('select array[1, 2]::int8[]', 'int'),            -- bigint[] read as int32_t
             ('select array[5]::int2[]', 'int64'),
             ('select ''{1,NULL}''::int[]', 'optional'),
             ('select array_agg(g order by g) from generate_series(1, 5) g', 'int'),
             ('select ''{10,20}''::int[]', 'string'),          -- elements by assignment cast
             ('select ''{1.50,NaN}''::numeric[]', 'datum'),
             ('select ''{1.5,2}''::numeric[]', 'double'),
             ('select ''{0.1,3}''::float8[]', 'numeric'),
             ('select ''{red,blue}''::ar_color[]', 'datum'),
             ('select ''{red,blue}''::ar_color[]', 'string'),
             ('select array[''{"a":1}''::jsonb, ''[]'']', 'json'),
             ('select ''[0:1]={7,8}''::int[]', 'int'),
             ('select null::int[]', 'optional vector'),
             ('select ''{}''::int[]', 'optional vector')) v(q, t);
-- a NULL element read as a non-optional element: 22004
SELECT ar_error('SELECT ar_get(''select ''''{1,NULL,3}''''::int[]'', ''int'')');
SELECT ar_error('SELECT ar_get(''select ''''{a,NULL}''''::text[]'', ''string'')');
-- a NULL array read as a vector: 22004
SELECT ar_error('SELECT ar_get(''select null::int[]'', ''int'')');
-- elements out of range, without a cast, multidimensional
SELECT ar_error('SELECT ar_get(''select array[3000000000]'', ''int'')');
SELECT ar_error('SELECT ar_get(''select array[40000]'', ''int16'')');
SELECT ar_error('SELECT ar_get(''select ''''{a}''''::text[]'', ''int'')');
SELECT ar_error('SELECT ar_get(''select ''''{{1},{2}}''''::int[]'', ''int'')');

--
-- large arrays: 100 000 elements each way (only aggregates printed)
--
CREATE FUNCTION ar_stats(a float8[]) RETURNS text LANGUAGE plcpp STRICT AS $$
  double sum = 0;
  size_t nulls = 0;
  for (auto &e : a) {
    if (e) sum += *e;
    else ++nulls;
  }
  return std::to_string(a.size()) + " elements, " + std::to_string(nulls) + " nulls, sum " +
         std::to_string(static_cast<int64_t>(sum));
$$;
SELECT ar_stats(array_agg(CASE WHEN g % 1000 = 0 THEN NULL ELSE g END::float8))
FROM generate_series(1, 100000) g;
SELECT cardinality(ar_range(100000)) AS n, (SELECT sum(x) FROM unnest(ar_range(100000)) x) AS sum,
       ar_range(100000) = (SELECT array_agg(g ORDER BY g) FROM generate_series(1, 100000) g) AS same;
WITH s AS MATERIALIZED (SELECT ar_odd_nulls(100000) a)
SELECT cardinality(a) AS n, (SELECT count(*) FILTER (WHERE x IS NULL) FROM unnest(a) x) AS nulls,
       (SELECT sum(x) FROM unnest(a) x) AS sum, a[99999] IS NULL AS odd_null, a[100000] AS last
FROM s;
SELECT cardinality(ar_text(array_agg(g::text))) AS n,
       (SELECT count(*) FROM unnest(ar_text(array_agg(g::text))) t WHERE t LIKE '%!') AS suffixed
FROM generate_series(1, 100000) g;
CREATE FUNCTION ar_big_param() RETURNS int8 LANGUAGE plcpp AS $$
  std::vector<int64_t> v(100000);
  std::iota(v.begin(), v.end(), int64_t{1});
  return *spi::query_one<int64_t>("select sum(x)::int8 from unnest($1) x", v);
$$;
SELECT ar_big_param();
