-- The non-scalar types of DESIGN §4: numeric, date/time, json/jsonb, uuid, bytea, and
-- everything else in text form (plcpp::datum); SPI parameters and row.get<T> conversions.
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'PST8PDT';
SET IntervalStyle = 'postgres';
-- ty_error() runs a statement and prints the error the client would receive.
CREATE FUNCTION ty_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
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
-- numeric: exact, in the server's canonical text form
--
CREATE FUNCTION ty_num(a numeric) RETURNS numeric LANGUAGE plcpp STRICT AS $$ return a; $$;
CREATE FUNCTION ty_num_text(a numeric) RETURNS text LANGUAGE plcpp STRICT AS $$
  return a.to_string();
$$;
SELECT x, ty_num(x), ty_num(x)::text = x::text AS same_text, ty_num_text(x) = x::text AS to_string
FROM (VALUES ('0'::numeric), ('-0.000'), ('1.50'), ('-42.125'), ('NaN'), ('Infinity'),
             ('-Infinity'), ('123456789012345678901234567890.123456789012345678901234567890'),
             ('0.000000000000000000000000000001'), ('1e-20')) v(x);
-- very large precision and scale survive unchanged
SELECT ty_num(10::numeric ^ 1000 + 1) = 10::numeric ^ 1000 + 1 AS big_int,
       length(ty_num_text(10::numeric ^ 1000)) AS digits,
       ty_num(1 / 7::numeric(1000, 999)) = 1 / 7::numeric(1000, 999) AS big_scale;
SELECT ty_num(NULL) IS NULL AS strict_null;
-- non-STRICT: a NULL numeric is std::nullopt
CREATE FUNCTION ty_num_or(a numeric, dflt numeric) RETURNS numeric LANGUAGE plcpp AS $$
  return a ? *a : dflt;
$$;
SELECT ty_num_or(NULL, 7.25), ty_num_or(1.5, 7.25), ty_num_or(NULL, NULL) IS NULL AS both_null;

-- arithmetic is the server's: exact, with SQL's scale rules
CREATE FUNCTION ty_num_op(a numeric, op text, b numeric) RETURNS numeric LANGUAGE plcpp STRICT AS $$
  switch (op[0]) {
  case '+': return a + b;
  case '-': return a - b;
  case '*': return a * b;
  case '/': return a / b;
  case '%': return a % b;
  }
  error("unknown operator");
$$;
SELECT ty_num_op(0.1, '+', 0.2) AS sum, ty_num_op(0.1, '+', 0.2) = 0.3 AS exact,
       ty_num_op(1.10, '*', 2.00) AS product, ty_num_op(1, '/', 3) AS third,
       ty_num_op(10, '/', 4) AS quarter, ty_num_op(7.5, '%', 2) AS remainder,
       ty_num_op(-5, '-', 0.001) AS difference;
-- every result equals SQL's, digit for digit
SELECT a, b, ty_num_op(a, '+', b)::text = (a + b)::text AS plus,
       ty_num_op(a, '-', b)::text = (a - b)::text AS minus,
       ty_num_op(a, '*', b)::text = (a * b)::text AS times,
       ty_num_op(a, '/', b)::text = (a / b)::text AS divide,
       ty_num_op(a, '%', b)::text = (a % b)::text AS modulo
FROM (VALUES (1::numeric, 3::numeric), (2, 3), (1.000, 0.3), (123456789.123456789, -0.0007),
             (1e30, 7), ('NaN', 2), ('Infinity', 2), (-17, 5.5)) v(a, b);
SELECT ty_error('SELECT ty_num_op(1, ''/'', 0)');
SELECT ty_error('SELECT ty_num_op(1, ''%'', 0)');
-- compound assignment and mixing with integers
CREATE FUNCTION ty_num_sum(n int) RETURNS numeric LANGUAGE plcpp STRICT AS $$
  numeric s;                      // default: 0
  for (int i = 1; i <= n; ++i) s += numeric("0.01") * i;
  return s;
$$;
SELECT ty_num_sum(100), ty_num_sum(100) = (SELECT sum(0.01 * i) FROM generate_series(1, 100) i);

-- comparison follows numeric_cmp: 1.0 = 1.00, NaN equals NaN and sorts above everything
CREATE FUNCTION ty_num_cmp(a numeric, b numeric) RETURNS int LANGUAGE plcpp STRICT AS $$
  auto c = a <=> b;
  if (c < 0) return -1;
  if (c > 0) return 1;
  return a == b ? 0 : 99;
$$;
SELECT a, b, ty_num_cmp(a, b), ty_num_cmp(a, b) = sign(a - b) OR a = 'NaN' OR b = 'NaN' AS agrees
FROM (VALUES (1.0::numeric, 1.00::numeric), (0.1, 0.10000000000000000001), (-2, -3), ('NaN', 'NaN'),
             ('NaN', 1e20), (1e20, 'Infinity'), ('-Infinity', -1e20)) v(a, b);

-- conversions: from strings, doubles and integers; to double and int64
CREATE FUNCTION ty_num_parse(s text) RETURNS numeric LANGUAGE plcpp STRICT AS $$
  return numeric(s);
$$;
SELECT ty_num_parse('  12.50  '), ty_num_parse('-1E3'), ty_num_parse('nan'), ty_num_parse('-inf');
SELECT ty_error('SELECT ty_num_parse(''abc'')');
SELECT ty_error('SELECT ty_num_parse('''')');
SELECT ty_error('SELECT ty_num_parse(''1.5.5'')');
CREATE FUNCTION ty_num_from(k text) RETURNS numeric LANGUAGE plcpp STRICT AS $$
  if (k == "double") return numeric(0.1);
  if (k == "third") return numeric(1.0 / 3);
  if (k == "nan") return numeric(std::nan(""));
  if (k == "inf") return numeric(-std::numeric_limits<double>::infinity());
  if (k == "int32") return numeric(std::numeric_limits<int32_t>::min());
  if (k == "int64") return numeric(std::numeric_limits<int64_t>::max());
  return numeric();
$$;
SELECT k, ty_num_from(k)
FROM unnest(ARRAY['double', 'third', 'nan', 'inf', 'int32', 'int64', 'default']) k;
CREATE FUNCTION ty_num_int64(a numeric) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  return a.to_int64();
$$;
CREATE FUNCTION ty_num_double(a numeric) RETURNS float8 LANGUAGE plcpp STRICT AS $$
  return a.to_double();
$$;
-- to_int64 rounds like numeric::int8 (half away from zero)
SELECT x, ty_num_int64(x), ty_num_int64(x) = x::int8 AS as_sql
FROM (VALUES (2.5::numeric), (-2.5), (2.4999), (9223372036854775807), (-9223372036854775808)) v(x);
SELECT ty_error('SELECT ty_num_int64(9223372036854775808)');
SELECT ty_error('SELECT ty_num_int64(-9223372036854775808.5)');
SELECT ty_error('SELECT ty_num_int64(''NaN'')');
SELECT ty_num_double(0.1) = 0.1::float8 AS tenth, ty_num_double(1e308) = 1e308::float8 AS big,
       ty_num_double('NaN') = 'NaN'::float8 AS nan,
       ty_num_double('-Infinity') = '-Infinity'::float8 AS minus_inf,
       ty_num_double(-0.000) AS zero;
-- as numeric::float8 does, a value beyond double's range is an error, not 0 or infinity
SELECT ty_error('SELECT ty_num_double(1e400)');
-- numeric(double) is the server's float8::numeric (15 significant digits)
CREATE FUNCTION ty_num_ret_double(x float8) RETURNS numeric LANGUAGE plcpp STRICT AS $$
  return numeric(x * 2);
$$;
SELECT ty_num_ret_double(1.25), ty_num_ret_double(1e20), ty_num_ret_double(0.15),
       ty_num_ret_double(0.15) = (0.15::float8 * 2)::numeric AS as_sql;
-- numeric into a column with a typmod: the server rounds (scale 2) or rejects (precision)
CREATE TEMP TABLE ty_money (amount numeric(6, 2));
INSERT INTO ty_money VALUES (ty_num(1.005)), (ty_num(-2.499));
SELECT amount FROM ty_money ORDER BY amount;
SELECT ty_error('INSERT INTO ty_money VALUES (ty_num(123456.7))');

--
-- date, timestamp, timestamptz: std::chrono, counted from 1970 while PostgreSQL counts from 2000
--
CREATE FUNCTION ty_date_days(d date) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  if (d == plcpp::date::max()) return std::numeric_limits<int64_t>::max();
  if (d == plcpp::date::min()) return std::numeric_limits<int64_t>::min();
  return d.time_since_epoch().count();
$$;
CREATE FUNCTION ty_date(d date) RETURNS date LANGUAGE plcpp STRICT AS $$ return d; $$;
SELECT d, ty_date_days(d) AS days_since_1970, ty_date_days(d) = d - '1970-01-01' AS as_sql,
       ty_date(d) = d AS round_trip
FROM (VALUES ('1970-01-01'::date), ('1969-12-31'), ('2000-01-01'), ('1999-12-31'),
             ('1900-02-28'), ('0001-01-01'), ('0001-12-31 BC'), ('4714-11-24 BC'),
             ('2038-01-19'), ('5874897-12-31')) v(d);
SELECT d, ty_date_days(d), ty_date(d) = d AS round_trip, ty_date(d)::text
FROM (VALUES ('infinity'::date), ('-infinity')) v(d);
-- calendar fields via std::chrono::year_month_day (proleptic Gregorian; year 0 is 1 BC)
CREATE FUNCTION ty_date_fields(d date) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::chrono::year_month_day ymd{d};
  std::chrono::weekday wd{d};
  return std::to_string(int(ymd.year())) + "/" + std::to_string(unsigned(ymd.month())) + "/" +
         std::to_string(unsigned(ymd.day())) + " dow " + std::to_string(wd.c_encoding());
$$;
SELECT d, ty_date_fields(d),
       ty_date_fields(d) = concat_ws('/', extract(year FROM d) + (d < '0001-01-01')::int,
                                    extract(month FROM d), extract(day FROM d))
                           || ' dow ' || extract(dow FROM d) AS as_sql
FROM (VALUES ('1970-01-01'::date), ('1969-07-20'), ('2000-02-29'), ('1900-03-01'),
             ('0001-12-31 BC'), ('0044-03-15 BC'), ('2024-12-31')) v(d);
-- arithmetic with std::chrono durations and calendar types
CREATE FUNCTION ty_date_add(d date, n int) RETURNS date LANGUAGE plcpp STRICT AS $$
  return d + std::chrono::days(n);
$$;
CREATE FUNCTION ty_date_diff(a date, b date) RETURNS int LANGUAGE plcpp STRICT AS $$
  return static_cast<int32_t>((a - b).count());
$$;
CREATE FUNCTION ty_last_of_month(y int, m int) RETURNS date LANGUAGE plcpp STRICT AS $$
  using namespace std::chrono;
  return sys_days{year{y} / month{unsigned(m)} / last};
$$;
SELECT ty_date_add('1999-12-31', 1), ty_date_add('1970-01-01', -1), ty_date_add('2024-02-28', 366),
       ty_date_add('2024-02-28', 366) = '2024-02-28'::date + 366 AS as_sql,
       ty_date_diff('2000-01-01', '1970-01-01'), ty_date_diff('1901-01-01', '2001-01-01'),
       ty_last_of_month(2024, 2), ty_last_of_month(1900, 2), ty_last_of_month(-100, 12);
CREATE FUNCTION ty_date_inf(positive bool) RETURNS date LANGUAGE plcpp STRICT AS $$
  return positive ? plcpp::date::max() : plcpp::date::min();
$$;
SELECT ty_date_inf(true), ty_date_inf(false), ty_date_inf(true) = 'infinity'::date AS inf;
-- a date too far for PostgreSQL's int32 day count
CREATE FUNCTION ty_date_far(n int8) RETURNS date LANGUAGE plcpp STRICT AS $$
  return plcpp::date{std::chrono::days(n)};
$$;
SELECT ty_error('SELECT ty_date_far(3000000000)');
SELECT ty_error('SELECT ty_date_far(-3000000000)');

CREATE FUNCTION ty_ts_us(t timestamp) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  return t.time_since_epoch().count();
$$;
CREATE FUNCTION ty_ts(t timestamp) RETURNS timestamp LANGUAGE plcpp STRICT AS $$ return t; $$;
SELECT t, ty_ts_us(t) AS us_since_1970, ty_ts_us(t) = extract(epoch FROM t) * 1000000 AS as_sql,
       ty_ts(t) = t AS round_trip
FROM (VALUES ('1970-01-01 00:00:00'::timestamp), ('1969-12-31 23:59:59.999999'),
             ('2000-01-01 00:00:00'), ('1999-12-31 23:59:59.999999'), ('2000-01-01 00:00:00.000001'),
             ('1900-01-01 12:34:56.5'), ('0001-01-01 00:00:00'), ('4714-11-24 00:00:00 BC'),
             ('290000-01-01 00:00:00')) v(t);
SELECT t, ty_ts_us(t), ty_ts(t) = t AS round_trip
FROM (VALUES ('infinity'::timestamp), ('-infinity')) v(t);
-- timestamp arithmetic with durations; floor/ceil to whole units
CREATE FUNCTION ty_ts_add(t timestamp, us int8) RETURNS timestamp LANGUAGE plcpp STRICT AS $$
  return t + std::chrono::microseconds(us);
$$;
CREATE FUNCTION ty_ts_floor(t timestamp) RETURNS timestamp LANGUAGE plcpp STRICT AS $$
  return std::chrono::floor<std::chrono::hours>(t);
$$;
CREATE FUNCTION ty_ts_date(t timestamp) RETURNS date LANGUAGE plcpp STRICT AS $$
  auto days = std::chrono::floor<std::chrono::days>(t);
  return plcpp::date{days.time_since_epoch()};
$$;
SELECT ty_ts_add('1999-12-31 23:00', 3600000000), ty_ts_add('1970-01-01', -1),
       ty_ts_add('2024-03-10 01:59:59', 25 * 3600000000::int8),
       ty_ts_floor('1969-12-31 23:30:00.25'), ty_ts_floor('2000-01-01 00:59:59.999999'),
       ty_ts_date('1969-12-31 23:59:59.999999'), ty_ts_date('1960-06-01 00:00'),
       ty_ts_date('2020-02-29 23:59');
SELECT ty_error('SELECT ty_ts_add(''2000-01-01'', 9223372036854775807)');

CREATE FUNCTION ty_tstz_us(t timestamptz) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  return t.time_since_epoch().count();
$$;
CREATE FUNCTION ty_tstz(t timestamptz) RETURNS timestamptz LANGUAGE plcpp STRICT AS $$
  return t;
$$;
-- a timestamptz is an instant: the session time zone does not change the C++ value
SELECT t, ty_tstz_us(t), ty_tstz_us(t) = extract(epoch FROM t) * 1000000 OR NOT isfinite(t) AS as_sql,
       ty_tstz(t) = t AS round_trip
FROM (VALUES ('1970-01-01 00:00:00+00'::timestamptz), ('1969-12-31 16:00:00-08'),
             ('2000-01-01 00:00:00 UTC'), ('1950-06-15 12:00:00.123456+02'),
             ('infinity'), ('-infinity')) v(t);
SET TimeZone = 'Asia/Kolkata';
SELECT ty_tstz_us('2000-01-01 00:00:00 UTC'), ty_tstz('2000-01-01 00:00:00 UTC');
SET TimeZone = 'PST8PDT';
-- timestamp <-> timestamptz in C++ means UTC (as AT TIME ZONE 'UTC' does)
CREATE FUNCTION ty_tstz_utc(t timestamptz) RETURNS timestamp LANGUAGE plcpp STRICT AS $$
  return plcpp::timestamp{t.time_since_epoch()};
$$;
SELECT ty_tstz_utc('2001-02-03 04:05:06-08'),
       ty_tstz_utc('2001-02-03 04:05:06-08') = '2001-02-03 04:05:06-08'::timestamptz AT TIME ZONE 'UTC';
-- system_clock time points of coarser precision are returned as they are (seconds, days);
-- finer ones (system_clock::now() counts nanoseconds) after a cast to microseconds
CREATE FUNCTION ty_tstz_of(k text) RETURNS timestamptz LANGUAGE plcpp STRICT AS $$
  using namespace std::chrono;
  if (k == "seconds") return sys_seconds{seconds{86400}};
  if (k == "days") return sys_days{year{2000} / 1 / 1};
  if (k == "nanos") return floor<microseconds>(sys_time<nanoseconds>{nanoseconds{1999}});
  if (k == "minus_nanos") return floor<microseconds>(sys_time<nanoseconds>{nanoseconds{-1}});
  if (k == "now") return time_point_cast<microseconds>(system_clock::now());
  return std::nullopt;
$$;
SELECT k, ty_tstz_of(k), ty_tstz_us(ty_tstz_of(k))
FROM unnest(ARRAY['seconds', 'days', 'nanos', 'minus_nanos']) k;
SELECT abs(extract(epoch FROM ty_tstz_of('now') - clock_timestamp())) < 60 AS now_is_now;
-- as a query parameter, any system_clock time point is a timestamptz (floored to 1 µs)
CREATE FUNCTION ty_tstz_param(k text) RETURNS text LANGUAGE plcpp STRICT AS $$
  using namespace std::chrono;
  auto show = [](auto tp) {
    plcpp::result r = spi::query("select pg_typeof($1)::text, extract(epoch from $1)::text", tp);
    return r[0].get<std::string>(0) + " " + r[0].get<std::string>(1);
  };
  if (k == "nanos") return show(sys_time<nanoseconds>{nanoseconds{-1500}});
  if (k == "seconds") return show(sys_seconds{seconds{-86400}});
  return show(system_clock::now()).substr(0, 24);
$$;
SELECT k, ty_tstz_param(k) FROM unnest(ARRAY['nanos', 'seconds', 'now']) k;
-- a SQL timestamptz read as a system_clock time point of another precision
CREATE FUNCTION ty_tstz_seconds(n int8) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  auto r = spi::query("select to_timestamp($1)", n);
  return r[0].get<std::chrono::sys_seconds>(0).time_since_epoch().count();
$$;
SELECT n, ty_tstz_seconds(n) FROM (VALUES (1234567890::int8), (-1)) v(n);

-- interval: months, days and microseconds kept apart, as PostgreSQL keeps them
CREATE FUNCTION ty_iv_fields(i interval) RETURNS text LANGUAGE plcpp STRICT AS $$
  return std::to_string(i.months) + " months, " + std::to_string(i.days) + " days, " +
         std::to_string(i.time.count()) + " us";
$$;
CREATE FUNCTION ty_iv(i interval) RETURNS interval LANGUAGE plcpp STRICT AS $$ return i; $$;
SELECT i, ty_iv_fields(i), ty_iv(i)::text = i::text AS round_trip
FROM (VALUES ('0'::interval), ('1 year 2 months 3 days 04:05:06.789'), ('-1 day +2 hours'),
             ('36 hours'), ('1.5 days'), ('-178000000 years'), ('00:00:00.000001'),
             ('1 mon -1 day -00:00:00.000001')) v(i);
CREATE FUNCTION ty_iv_make(m int, d int, us int8) RETURNS interval LANGUAGE plcpp STRICT AS $$
  return plcpp::interval{m, d, std::chrono::microseconds(us)};
$$;
SELECT ty_iv_make(14, 3, 3600000000), ty_iv_make(0, -1, -1), ty_iv_make(0, 0, 0),
       ty_iv_make(1, 0, 0) = '30 days'::interval AS month_is_30_days_in_sql;
CREATE FUNCTION ty_iv_hours(i interval) RETURNS float8 LANGUAGE plcpp STRICT AS $$
  using namespace std::chrono;
  return duration_cast<duration<double, std::ratio<3600>>>(i.time).count();
$$;
SELECT ty_iv_hours('1 day 90 minutes'), ty_iv_hours('-00:00:36');

--
-- json and jsonb: nlohmann::json
--
CREATE FUNCTION ty_jsonb(j jsonb) RETURNS jsonb LANGUAGE plcpp STRICT AS $$ return j; $$;
CREATE FUNCTION ty_json(j json) RETURNS json LANGUAGE plcpp STRICT AS $$ return j; $$;
SELECT j, ty_jsonb(j), ty_jsonb(j) = j AS round_trip
FROM (VALUES ('{"a": 1, "b": [true, false, null], "c": {"d": "e"}}'::jsonb), ('[]'), ('{}'),
             ('null'), ('"text"'), ('-0.5'), ('1e3'), ('18446744073709551615'),
             ('-9223372036854775808'), ('"\u00e9\t\"quoted\" \\ ☃"'), ('[[[[[[1]]]]]]')) v(j);
-- json (text) arrives parsed: keys come back sorted, a duplicate key keeps its last value,
-- whitespace is normalized
SELECT ty_json('{"b": 1, "a": 2,   "c": [1,  2]}'), ty_json('{"k": 1, "k": 2}'),
       ty_jsonb('{"b": 1, "a": 2}');
-- read, modify, return
CREATE FUNCTION ty_json_edit(j jsonb) RETURNS jsonb LANGUAGE plcpp STRICT AS $$
  j["count"] = j.value("count", 0) + 1;
  j["tags"].push_back("seen");
  j.erase("secret");
  return j;
$$;
SELECT ty_json_edit('{"count": 41, "tags": ["a"], "secret": "x", "keep": {"n": null}}'),
       ty_json_edit('{}');
CREATE FUNCTION ty_json_get(j json, key text) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto it = j.find(std::string(key));
  if (it == j.end()) return std::nullopt;
  return it->is_string() ? it->get<std::string>() : it->dump();
$$;
SELECT ty_json_get('{"name": "Ada", "age": 36}', 'name'), ty_json_get('{"age": 36}', 'age'),
       ty_json_get('{"age": 36}', 'nope') IS NULL AS missing;
-- JSON null is a value, not SQL NULL
CREATE FUNCTION ty_json_null(sqlnull bool) RETURNS jsonb LANGUAGE plcpp STRICT AS $$
  if (sqlnull) return std::nullopt;
  return json(nullptr);
$$;
SELECT ty_json_null(false), ty_json_null(false) IS NULL AS is_sql_null,
       ty_json_null(true) IS NULL AS is_sql_null;
-- built in C++ and returned as json and as jsonb
CREATE FUNCTION ty_json_build(n int) RETURNS json LANGUAGE plcpp STRICT AS $$
  json j = {{"n", n}, {"squares", json::array()}, {"pi", 3.25}, {"ok", true}};
  for (int i = 1; i <= n; ++i) j["squares"].push_back(i * i);
  return j;
$$;
CREATE FUNCTION ty_jsonb_build(n int) RETURNS jsonb LANGUAGE plcpp STRICT AS $$
  return json::object({{"n", n}, {"s", std::string(n, 'x')}, {"nan", std::nan("")}});
$$;
SELECT ty_json_build(4), ty_jsonb_build(3);  -- NaN has no JSON form: nlohmann writes null
-- invalid UTF-8 cannot be serialized: nlohmann's exception becomes SQLSTATE 38000
CREATE FUNCTION ty_json_bad_utf8() RETURNS jsonb LANGUAGE plcpp AS $$
  return json(std::string("a\xff"));
$$;
SELECT ty_error('SELECT ty_json_bad_utf8()');
-- \u0000 is valid json but not valid jsonb: the server rejects it on the way back
CREATE FUNCTION ty_json_nul(want_jsonb bool) RETURNS text LANGUAGE plcpp STRICT AS $$
  json j = std::string("a\0b", 3);
  if (want_jsonb) return spi::query("select $1::text", j)[0].get<std::string>(0);
  return j.dump();
$$;
SELECT ty_json_nul(false);
SELECT ty_error('SELECT ty_json_nul(true)');
-- a json value as a query parameter is jsonb
CREATE FUNCTION ty_json_param() RETURNS text LANGUAGE plcpp AS $$
  json j = {{"z", 1}, {"a", {1, 2}}};
  auto r = spi::query("select pg_typeof($1)::text, $1 -> 'a' ->> 1, $1::json", j);
  return std::string(r[0].get<std::string_view>(0)) + " " + r[0].get<std::string>(1) + " " +
         r[0].get<json>(2).dump();
$$;
SELECT ty_json_param();

--
-- uuid
--
CREATE FUNCTION ty_uuid(u uuid) RETURNS uuid LANGUAGE plcpp STRICT AS $$ return u; $$;
CREATE FUNCTION ty_uuid_text(u uuid) RETURNS text LANGUAGE plcpp STRICT AS $$
  return u.to_string() + " first=" + std::to_string(u.bytes[0]) + " last=" +
         std::to_string(u.bytes[15]);
$$;
SELECT u, ty_uuid(u) = u AS round_trip, ty_uuid_text(u)
FROM (VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid),
             ('00000000-0000-0000-0000-000000000000'), ('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF')) v(u);
CREATE FUNCTION ty_uuid_parse(s text) RETURNS uuid LANGUAGE plcpp STRICT AS $$
  return uuid::parse(s);
$$;
SELECT ty_uuid_parse('{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}'),
       ty_uuid_parse('a0eebc999c0b4ef8bb6d6bb9bd380a11'),
       ty_uuid_parse('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11') = 'a0eebc999c0b4ef8bb6d6bb9bd380a11'::uuid
         AS same;
SELECT ty_error('SELECT ty_uuid_parse(''not-a-uuid'')');
SELECT ty_error('SELECT ty_uuid_parse(''a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1'')');
SELECT ty_error('SELECT ty_uuid_parse(''a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1122'')');
-- C++ ordering of plcpp::uuid agrees with SQL's
CREATE FUNCTION ty_uuid_less(a uuid, b uuid) RETURNS bool LANGUAGE plcpp STRICT AS $$
  return a < b;
$$;
SELECT count(*) AS pairs, count(*) FILTER (WHERE ty_uuid_less(a, b) = (a < b)) AS agree
FROM (VALUES ('00000000-0000-0000-0000-000000000001'::uuid), ('10000000-0000-0000-0000-000000000000'),
             ('ffffffff-0000-0000-0000-000000000000'), ('7fffffff-ffff-ffff-ffff-ffffffffffff'),
             ('80000000-0000-0000-0000-000000000000')) a(a),
     (VALUES ('00000000-0000-0000-0000-000000000001'::uuid), ('10000000-0000-0000-0000-000000000000'),
             ('ffffffff-0000-0000-0000-000000000000'), ('7fffffff-ffff-ffff-ffff-ffffffffffff'),
             ('80000000-0000-0000-0000-000000000000')) b(b);
-- gen_random_uuid() values survive the trip (not printed)
SELECT count(*) FILTER (WHERE ty_uuid(u) = u AND ty_uuid_parse(u::text) = u) AS ok
FROM (SELECT gen_random_uuid() u FROM generate_series(1, 100)) s;

--
-- bytea: std::span<const std::byte> in, std::vector<std::byte> out
--
CREATE FUNCTION ty_bytea_rev(b bytea) RETURNS bytea LANGUAGE plcpp STRICT AS $$
  return std::vector<std::byte>(b.rbegin(), b.rend());
$$;
CREATE FUNCTION ty_bytea_info(b bytea) RETURNS text LANGUAGE plcpp STRICT AS $$
  unsigned long sum = 0, zeros = 0;
  for (std::byte x : b) {
    sum += std::to_integer<unsigned>(x);
    zeros += x == std::byte{0};
  }
  return std::to_string(b.size()) + " bytes, sum " + std::to_string(sum) + ", zeros " +
         std::to_string(zeros);
$$;
SELECT b, ty_bytea_rev(b), ty_bytea_info(b)
FROM (VALUES (''::bytea), ('\x00'), ('\x000102ff00'), ('abc'), ('\xdeadbeef')) v(b);
-- 1 MB in, 1 MB out
CREATE FUNCTION ty_bytea_make(n int) RETURNS bytea LANGUAGE plcpp STRICT AS $$
  std::vector<std::byte> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[i] = static_cast<std::byte>(i % 251);
  return v;
$$;
SELECT length(ty_bytea_make(1048576)) AS len,
       md5(ty_bytea_make(1048576)) = md5((SELECT string_agg(set_byte('\x00'::bytea, 0, i % 251), ''
                                          ORDER BY i) FROM generate_series(0, 1048575) i)) AS same,
       ty_bytea_info(ty_bytea_make(1048576)),
       ty_bytea_rev(ty_bytea_rev(ty_bytea_make(1048576))) = ty_bytea_make(1048576) AS twice_reversed;
-- a toasted (compressed) bytea argument is detoasted
CREATE TEMP TABLE ty_blob AS SELECT decode(repeat('00ff', 524288), 'hex') AS b;
SELECT ty_bytea_info(b), pg_column_size(b) < length(b) AS compressed FROM ty_blob;
CREATE FUNCTION ty_bytea_empty() RETURNS bytea LANGUAGE plcpp AS $$
  return std::vector<std::byte>{};
$$;
SELECT ty_bytea_empty() = ''::bytea AS empty, ty_bytea_empty() IS NULL AS is_null;

--
-- other types in text form: plcpp::datum
--
CREATE TYPE ty_mood AS ENUM ('sad', 'ok', 'happy');
CREATE FUNCTION ty_cheer(m ty_mood) RETURNS ty_mood LANGUAGE plcpp STRICT AS $$
  if (m.text == "sad") return datum{"ok"};
  return datum{"happy"};
$$;
SELECT ty_cheer('sad'), ty_cheer('ok'), pg_typeof(ty_cheer('happy')),
       ty_cheer('sad') < 'happy'::ty_mood AS enum_order;
CREATE FUNCTION ty_to_mood(s text) RETURNS ty_mood LANGUAGE plcpp STRICT AS $$
  return datum{std::string(s)};
$$;
SELECT ty_error('SELECT ty_to_mood(''ecstatic'')');
CREATE DOMAIN ty_posint AS int CHECK (VALUE > 0);
CREATE FUNCTION ty_dec(n ty_posint) RETURNS ty_posint LANGUAGE plcpp STRICT AS $$
  return datum{std::to_string(std::stoi(n.text) - 1)};
$$;
SELECT ty_dec(5), pg_typeof(ty_dec(5));
SELECT ty_error('SELECT ty_dec(1)');   -- 0 violates the CHECK constraint on return
SELECT ty_error('SELECT ty_dec(0)');   -- the argument is checked before the call
CREATE DOMAIN ty_code AS text CHECK (VALUE ~ '^[A-Z]{3}$');
CREATE FUNCTION ty_code_of(s text) RETURNS ty_code LANGUAGE plcpp STRICT AS $$
  std::string up(s);
  for (auto &c : up) c = std::toupper(c);
  return datum{up};
$$;
SELECT ty_code_of('eur');
SELECT ty_error('SELECT ty_code_of(''euro'')');
-- ranges, network addresses, geometry, bit strings, "char", tsvector, macaddr, xml
CREATE FUNCTION ty_text_of(r int4range, a inet, p point, b varbit, c "char", t tsvector,
                           m macaddr, x xml) RETURNS text LANGUAGE plcpp STRICT AS $$
  return r.text + " | " + a.text + " | " + p.text + " | " + b.text + " | " + c.text + " | " +
         t.text + " | " + m.text + " | " + x.text;
$$;
SELECT ty_text_of('[1,5]', '192.168.0.1/24', '(1.5,-2)', B'1011', 'z', 'b a a',
                  '08:00:2b:01:02:03', '<a>x</a>');
CREATE FUNCTION ty_widen(r int4range) RETURNS int4range LANGUAGE plcpp STRICT AS $$
  // "[lo,hi)" -> "[lo-1,hi+1]", canonicalized by the server
  auto comma = r.text.find(',');
  int lo = std::stoi(r.text.substr(1, comma - 1));
  int hi = std::stoi(r.text.substr(comma + 1));
  return datum{"[" + std::to_string(lo - 1) + "," + std::to_string(hi + 1) + "]"};
$$;
SELECT ty_widen('[1,5)'), ty_widen('[1,5]'), ty_widen('(0,1]');
CREATE FUNCTION ty_net(a inet, bits int) RETURNS cidr LANGUAGE plcpp STRICT AS $$
  auto slash = a.text.find('/');
  return datum{a.text.substr(0, slash) + "/" + std::to_string(bits)};
$$;
SELECT ty_net('10.1.2.3', 32), ty_net('::1', 128);
SELECT ty_error('SELECT ty_net(''10.1.2.3'', 8)');  -- cidr rejects host bits
SELECT ty_error('SELECT ty_widen(''empty'')');      -- std::stoi throws: 38000
-- a datum argument that is NULL (not STRICT) arrives as std::nullopt
CREATE FUNCTION ty_datum_opt(m ty_mood) RETURNS text LANGUAGE plcpp AS $$
  return m ? "mood " + m->text : std::string("no mood");
$$;
SELECT ty_datum_opt('ok'), ty_datum_opt(NULL);

--
-- query parameters of these C++ types
--
CREATE FUNCTION ty_params() RETURNS text LANGUAGE plcpp AS $$
  using namespace std::chrono;
  std::vector<std::byte> bytes{std::byte{0}, std::byte{255}};
  std::span<const std::byte> view(bytes);
  auto r = spi::query(
      "select $1::text, pg_typeof($1)::text, $2::text, pg_typeof($2)::text, $3::text,"
      " pg_typeof($3)::text, $4::text, pg_typeof($4)::text, $5::text, pg_typeof($5)::text,"
      " $6::text, pg_typeof($6)::text, $7::text, pg_typeof($7)::text, $8::text,"
      " pg_typeof($8)::text, $9::text, pg_typeof($9)::text",
      numeric("1.5"), plcpp::date{year{1999} / 12 / 31},
      plcpp::timestamp{local_days{year{1960} / 2 / 29} + hours{13} + microseconds{5}},
      plcpp::timestamptz{sys_days{year{2000} / 1 / 1}},
      plcpp::interval{1, 2, seconds{3}}, uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
      bytes, view, json{{"k", 1}});
  std::string out;
  for (size_t i = 0; i < r.columns(); i += 2)
    out += (i ? "\n" : "") + r[0].get<std::string>(i) + " :: " + r[0].get<std::string>(i + 1);
  return out;
$$;
SELECT ty_params();
-- numeric parameters compute exactly in SQL
CREATE FUNCTION ty_param_sum() RETURNS numeric LANGUAGE plcpp AS $$
  return *spi::query_one<numeric>("select $1 + $2 + $3", numeric("0.1"), numeric("0.2"),
                                  numeric("1e-30"));
$$;
SELECT ty_param_sum();
-- plcpp::datum is an untyped literal: the server infers its type from the query
CREATE FUNCTION ty_param_datum(q text, v text) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto r = spi::query(q, datum{std::string(v)});
  return r[0].get<std::string>(0);
$$;
SELECT q, v, ty_param_datum(q, v)
FROM (VALUES ('select pg_typeof($1 + 1)::text', '41'), ('select ($1 + 1)::text', '41'),
             ('select ($1::ty_mood > ''sad'')::text', 'ok'),
             ('select ($1 = ''ok''::ty_mood)::text', 'ok'),
             ('select upper($1::int4range)::text', '[3,7]'),
             ('select ($1 << ''10.0.0.0/8''::inet)::text', '10.1.2.3'),
             ('select make_date($1, 2, 29)::text', '2024'),
             ('select pg_typeof($1)::text', 'no type to infer')) v(q, v);
SELECT ty_error('SELECT ty_param_datum(''select ($1 + 1)::text'', ''forty-one'')');
SELECT ty_error('SELECT ty_param_datum(''select ($1::ty_mood)::text'', ''ecstatic'')');
SELECT ty_error('SELECT ty_param_datum(''select $1::ty_posint::text'', ''-4'')');
-- std::nullopt is an untyped NULL; an empty std::optional<T> is a NULL of T's type
CREATE FUNCTION ty_param_null() RETURNS text LANGUAGE plcpp AS $$
  auto r = spi::query("select $1::int is null, coalesce($1, 5), pg_typeof($2)::text, $2 is null,"
                      " coalesce($3, 'sad'::ty_mood)::text",
                      std::nullopt, std::optional<numeric>{}, std::nullopt);
  return std::to_string(r[0].get<bool>(0)) + " " + std::to_string(r[0].get<int32_t>(1)) + " " +
         r[0].get<std::string>(2) + " " + std::to_string(r[0].get<bool>(3)) + " " +
         r[0].get<std::string>(4);
$$;
SELECT ty_param_null();

--
-- row.get<T>: conversions between a column's type and the C++ type asked for
--
CREATE FUNCTION ty_get(q text, as_type text) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto r = spi::query(q);
  auto row = r[0];
  if (as_type == "int16") return std::to_string(row.get<int16_t>(0));
  if (as_type == "int32") return std::to_string(row.get<int32_t>(0));
  if (as_type == "int64") return std::to_string(row.get<int64_t>(0));
  if (as_type == "float") {
    std::ostringstream o;
    o << row.get<float>(0);
    return o.str();
  }
  if (as_type == "double") {
    std::ostringstream o;
    o.precision(17);
    o << row.get<double>(0);
    return o.str();
  }
  if (as_type == "bool") return row.get<bool>(0) ? "true" : "false";
  if (as_type == "string") return row.get<std::string>(0);
  if (as_type == "numeric") return row.get<numeric>(0).to_string();
  if (as_type == "date") return std::to_string(row.get<plcpp::date>(0).time_since_epoch().count());
  if (as_type == "timestamp")
    return std::to_string(row.get<plcpp::timestamp>(0).time_since_epoch().count());
  if (as_type == "timestamptz")
    return std::to_string(row.get<plcpp::timestamptz>(0).time_since_epoch().count());
  if (as_type == "json") return row.get<json>(0).dump();
  if (as_type == "uuid") return row.get<uuid>(0).to_string();
  if (as_type == "datum") return row.get<datum>(0).text;
  if (as_type == "optional")
    return row.get<std::optional<int32_t>>(0) ? "value" : "nullopt";
  error("unknown type " + std::string(as_type));
$$;
-- widening and narrowing integers (range-checked)
SELECT q, t, ty_get(q, t)
FROM (VALUES ('select 2147483647::int4', 'int64'), ('select 12345::int8', 'int32'),
             ('select -32768::int4', 'int16'), ('select 7::int2', 'int64'),
             ('select count(*) from generate_series(1, 10)', 'int32')) v(q, t);
SELECT ty_error('SELECT ty_get(''select 2147483648::int8'', ''int32'')');
SELECT ty_error('SELECT ty_get(''select -2147483649::int8'', ''int32'')');
SELECT ty_error('SELECT ty_get(''select 40000'', ''int16'')');
-- other types go through PostgreSQL's assignment cast: int to string, numeric to double, ...
SELECT q, t, ty_get(q, t)
FROM (VALUES ('select 42', 'string'), ('select 1.5::numeric', 'double'),
             ('select 2.5::float8', 'int32'),          -- float8 -> int4 rounds half to even
             ('select 3.5::numeric', 'int64'),         -- numeric -> int8 rounds half away
             ('select 0.1::float8', 'float'), ('select 7::int8', 'double'),
             ('select 7', 'numeric'), ('select 0.1::float8', 'numeric'),
             ('select ''abc''::varchar', 'string'), ('select ''abc''::name', 'string'),
             ('select true', 'string'), ('select ''2000-01-02''::date', 'string'),
             ('select ''2000-01-02 03:00''::timestamp', 'date'),
             ('select ''1970-01-02''::date', 'timestamp'),
             ('select ''{"b": 1, "a": [2]}''::json', 'json'),
             ('select ''a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11''::uuid', 'uuid'),
             ('select gen_random_uuid() is not null', 'bool'),
             ('select ''[1,2]''::int4range', 'datum'), ('select 12.50::numeric', 'datum'),
             ('select null::int', 'optional'), ('select 3', 'optional')) v(q, t);
-- numeric out of int64's and double's range: the cast's own error
SELECT ty_error('SELECT ty_get(''select 1e19::numeric'', ''int64'')');
SELECT ty_error('SELECT ty_get(''select 1e400::numeric'', ''double'')');
-- text is not read as a number: PostgreSQL has no assignment cast from text to int, so the
-- error is 42804 for any text, digits or not (PL/pgSQL would parse it; plcpp asks you to be
-- explicit); likewise text to json, int to uuid
SELECT ty_error('SELECT ty_get(''select ''''42''''::text'', ''int32'')');
SELECT ty_error('SELECT ty_get(''select ''''forty-two''''::text'', ''int32'')');
SELECT ty_error('SELECT ty_get(''select ''''{}''''::text'', ''json'')');
SELECT ty_error('SELECT ty_get(''select 1'', ''uuid'')');
-- an assignment cast that exists but is lossy is applied (timestamptz to date, in the
-- session time zone): checked without printing the current date
SELECT ty_get('select ''2000-01-01 07:00:00+00''::timestamptz', 'date') AS utc_morning_is_pst_eve;
-- bpchar is read as stored, with its padding (the bpchar-to-text cast would strip it)
SELECT ty_get('select ''ab ''::char(4)', 'string') || '|' AS bpchar_as_string;
-- NULL into a non-optional: 22004, and the hint names the way out
SELECT ty_error('SELECT ty_get(''select null::int as qty'', ''int32'')');
SELECT ty_error('SELECT ty_get(''select null::numeric'', ''numeric'')');
SELECT ty_error('SELECT ty_get(''select null::jsonb'', ''json'')');
SELECT ty_error('SELECT ty_get(''select null::int4range'', ''datum'')');
-- columns by name, of several types in one row; an unknown name is 42703
CREATE FUNCTION ty_get_named(col text) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto r = spi::query("select 1.25::numeric as price, '2020-01-01'::date as day, "
                      "'ok'::ty_mood as mood, null::uuid as id");
  std::string s = r[0].get<numeric>("price").to_string() + " " +
                  std::to_string(r[0].get<plcpp::date>("day").time_since_epoch().count()) + " " +
                  r[0].get<datum>("mood").text + " " +
                  (r[0].get<std::optional<uuid>>("id") ? "id" : "no id");
  if (!col.empty()) s += " " + r[0].get<std::string>(col);
  return s;
$$;
SELECT ty_get_named('');
SELECT ty_get_named('mood');
SELECT ty_error('SELECT ty_get_named(''nope'')');

-- values that do not fit the declared result are refused (22003), not truncated
CREATE FUNCTION ty_narrow(v int8) RETURNS int LANGUAGE plcpp STRICT AS $$ return v; $$;
SELECT ty_narrow(2147483647);
SELECT ty_error('SELECT ty_narrow(3000000000)');
CREATE FUNCTION ty_narrow_float(v float8) RETURNS int LANGUAGE plcpp STRICT AS $$ return v; $$;
SELECT ty_narrow_float(12.9);
SELECT ty_error('SELECT ty_narrow_float(1e10)');
SELECT ty_error($$SELECT ty_narrow_float('NaN')$$);
CREATE FUNCTION ty_narrow_real(v float8) RETURNS float4 LANGUAGE plcpp STRICT AS $$ return v; $$;
SELECT ty_narrow_real(1.5), ty_narrow_real('Infinity');
SELECT ty_error('SELECT ty_narrow_real(1e300)');
CREATE FUNCTION ty_narrow_array(v int8[]) RETURNS int[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<int64_t>> out;
  for (auto &x : v) out.push_back(x ? std::optional<int64_t>(*x * 2) : std::nullopt);
  return out;
$$;
SELECT ty_narrow_array(ARRAY[1, NULL, 3]);
SELECT ty_error('SELECT ty_narrow_array(ARRAY[2000000000])');
-- reading float8 as float is range-checked too
CREATE FUNCTION ty_read_float(q text) RETURNS text LANGUAGE plcpp STRICT AS $$
  return std::to_string(spi::query(q)[0].get<float>(0));
$$;
SELECT ty_read_float('select 0.5::float8');
SELECT ty_error($$SELECT ty_read_float('select 1e300::float8')$$);
-- dates and timestamps outside PostgreSQL's ranges are refused on return (22008)
CREATE FUNCTION ty_far_ts(us int8) RETURNS timestamp LANGUAGE plcpp STRICT AS $$
  return plcpp::timestamp(std::chrono::microseconds(us));
$$;
SELECT ty_far_ts(0);
SELECT ty_error('SELECT ty_far_ts(-300000000000000000)');
-- timestamps past the range of std::chrono's int64 microseconds since 1970 are refused on read
CREATE FUNCTION ty_read_ts(t timestamp) RETURNS text LANGUAGE plcpp STRICT AS $$
  return std::to_string(t.time_since_epoch().count() > 0);
$$;
SELECT ty_read_ts('2100-01-01');
SELECT ty_error($$SELECT ty_read_ts('294276-12-31 23:59:59.999999')$$);
-- a system_clock time point finer than microseconds is a timestamptz result (floored)
CREATE FUNCTION ty_now() RETURNS timestamptz LANGUAGE plcpp AS $$
  return std::chrono::system_clock::now();
$$;
SELECT abs(extract(epoch FROM ty_now() - now())) < 3600 AS close_to_now;
-- a non-array read as std::vector: 42804, not garbage
CREATE FUNCTION ty_not_array(q text) RETURNS int LANGUAGE plcpp STRICT AS $$
  return (int)spi::query(q)[0].get<std::vector<int32_t>>(0).size();
$$;
SELECT ty_not_array('select array[1,2,3]');
SELECT ty_error($$SELECT ty_not_array('select 5')$$);
SELECT ty_error($$SELECT ty_not_array('select ''hello''::text')$$);
-- a row outlives the temporary result it came from
CREATE FUNCTION ty_row_of_temporary() RETURNS int LANGUAGE plcpp AS $$
  auto row = spi::query("select 41 + 1")[0];
  return row.get<int32_t>(0);
$$;
SELECT ty_row_of_temporary();
-- several SPI-using calls in one row
SELECT ty_row_of_temporary() + ty_row_of_temporary() AS two_calls, ty_not_array('select array[1]') AS third;
-- a value cast into a domain column keeps its value and the domain's check
CREATE DOMAIN ty_price AS numeric(10, 2) CHECK (VALUE >= 0);
CREATE TABLE ty_priced (p ty_price);
CREATE FUNCTION ty_price_in(v float8) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  return (int64_t)spi::exec("insert into ty_priced values ($1::float8::numeric::ty_price)", v);
$$;
CREATE FUNCTION ty_price_set() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  r.set("p", 9.99);
  return r;
$$;
CREATE TRIGGER ty_price_set BEFORE INSERT ON ty_priced FOR EACH ROW EXECUTE FUNCTION ty_price_set();
SELECT ty_price_in(1);
SELECT * FROM ty_priced;
CREATE FUNCTION ty_price_neg() RETURNS trigger LANGUAGE plcpp AS $$
  auto r = trigger().new_row();
  r.set("p", -1.5);
  return r;
$$;
DROP TRIGGER ty_price_set ON ty_priced;
CREATE TRIGGER ty_price_neg BEFORE INSERT ON ty_priced FOR EACH ROW EXECUTE FUNCTION ty_price_neg();
SELECT ty_error('SELECT ty_price_in(1)');
-- a scalar column read as a record or a struct: 42804, not a crash
CREATE FUNCTION ty_int_as_record() RETURNS int LANGUAGE plcpp AS $$
  return (int)spi::query("select 5")[0].get<plcpp::record>(0).size();
$$;
SELECT ty_error('SELECT ty_int_as_record()');
-- untyped parameters of a returned sql(...) get their type from the query
CREATE TYPE ty_mood2 AS ENUM ('low', 'high');
CREATE FUNCTION ty_sql_datum() RETURNS SETOF ty_mood2 LANGUAGE plcpp AS $$
  return sql("select m from unnest(enum_range(null::ty_mood2)) m where m >= $1 or $2 is null",
             plcpp::datum{"high"}, std::nullopt);
$$;
SELECT * FROM ty_sql_datum();
-- std is not a usable argument name (the generated code says std::)
SELECT ty_error($$CREATE FUNCTION ty_std(std int) RETURNS int LANGUAGE plcpp AS 'return 1;'$$);
