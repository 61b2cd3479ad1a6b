-- issue 18 item 7: a domain over a type that has a C++ type arrives as plcpp::domain<T> (its
-- base value, plus .text as plcpp::datum had it); returned or stored, its NOT NULL, CHECK and
-- base typmod hold (23502, 23514, 22001), as in PL/pgSQL.

CREATE FUNCTION dm_state(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE DOMAIN dm_posint AS int CHECK (VALUE > 0);
CREATE DOMAIN dm_nn AS int NOT NULL;
CREATE DOMAIN dm_code AS text CHECK (VALUE ~ '^[a-z]+$');
CREATE DOMAIN dm_short AS varchar(3);
CREATE DOMAIN dm_price AS numeric(7, 2) CHECK (VALUE >= 0);
CREATE DOMAIN dm_small AS dm_posint CHECK (VALUE < 100);   -- a domain over a domain
CREATE DOMAIN dm_pair AS int[] CHECK (cardinality(VALUE) = 2);
CREATE TYPE dm_pt AS (x int, y int);
CREATE DOMAIN dm_ptd AS dm_pt CHECK ((VALUE).x <= (VALUE).y);
CREATE TYPE dm_mood AS ENUM ('sad', 'ok');
CREATE DOMAIN dm_moodd AS dm_mood;

-- The C++ types a body sees.
CREATE FUNCTION dm_types(a dm_posint, b dm_code, c dm_price, d dm_small, e dm_pair, f dm_ptd,
                         g dm_moodd, h dm_posint[]) RETURNS text LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(a), plcpp::domain<int32_t>>);
  static_assert(std::is_same_v<decltype(b), plcpp::domain<std::string>>);
  static_assert(std::is_same_v<decltype(c), plcpp::domain<plcpp::numeric>>);
  static_assert(std::is_same_v<decltype(d), plcpp::domain<int32_t>>);
  static_assert(std::is_same_v<decltype(e), plcpp::domain<plcpp::array<int32_t>>>);
  static_assert(std::is_same_v<decltype(f), plcpp::domain<dm_pt>>);
  static_assert(std::is_same_v<decltype(g), plcpp::datum>);   // base without a C++ type: text form
  static_assert(std::is_same_v<decltype(h), plcpp::array<plcpp::domain<int32_t>>>);
  return "ok";
$$;
SELECT dm_types(1, 'a', 1, 1, '{1,2}', ROW(1, 2), 'ok', '{1}');

-- Read as the base type: arithmetic on a domain over int (STRICT and not).
CREATE FUNCTION dm_add(a dm_posint, b int) RETURNS int LANGUAGE plcpp STRICT AS $$
  int32_t twice = a * 2;
  return a + b + twice - a.value() * 2;
$$;
SELECT dm_add(3, 4), dm_add(10, -3);
CREATE FUNCTION dm_add_opt(a dm_posint) RETURNS text LANGUAGE plcpp AS $$
  if (!a) return "null";
  return std::to_string(*a + 1) + " text " + a->text;
$$;
SELECT dm_add_opt(41), dm_add_opt(NULL);

-- String operations on a domain over text; .text is the same string.
CREATE FUNCTION dm_str(s dm_code) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::string up = s;
  for (auto &c : up) c = static_cast<char>(std::toupper(c));
  return up + " " + std::to_string(s->size()) + " " + s.value().substr(1) + " " + s.text +
         (s == "abc" ? " is abc" : " is not abc") + (s.text == s.value() ? "" : " MISMATCH");
$$;
SELECT dm_str('abc'), dm_str('hello');

-- A domain over numeric(7,2): the server's exact arithmetic on the base value.
CREATE FUNCTION dm_total(p dm_price, qty int) RETURNS numeric LANGUAGE plcpp STRICT AS $$
  return p.value() * plcpp::numeric(qty) + plcpp::numeric("0.005");
$$;
SELECT dm_total(19.99, 3), dm_total(0, 1);

-- Returning a domain from a base-type expression: the constraints are checked.
CREATE FUNCTION dm_dec(n dm_posint) RETURNS dm_posint LANGUAGE plcpp STRICT AS $$
  return n - 1;
$$;
SELECT dm_dec(5), pg_typeof(dm_dec(5));
SELECT dm_state('SELECT dm_dec(1)');            -- 0: CHECK, 23514
CREATE FUNCTION dm_not_null(n int) RETURNS dm_nn LANGUAGE plcpp AS $$
  if (!n) return std::nullopt;
  return *n * 10;
$$;
SELECT dm_not_null(4);
SELECT dm_state('SELECT dm_not_null(NULL)');    -- NOT NULL, 23502
-- as PL/pgSQL says
CREATE FUNCTION dm_not_null_plpgsql(n int) RETURNS dm_nn LANGUAGE plpgsql AS $$
BEGIN RETURN n; END $$;
SELECT dm_state('SELECT dm_not_null_plpgsql(NULL)');
CREATE FUNCTION dm_wide(n int8) RETURNS dm_posint LANGUAGE plcpp STRICT AS $$
  return n;                                     // int64_t into a domain over int4
$$;
SELECT dm_wide(7);
SELECT dm_state('SELECT dm_wide(10000000000)'); -- does not fit: 22003, not a wrapped value
SELECT dm_state('SELECT dm_wide(-7)');          -- fits, but the CHECK fails: 23514
-- a domain over a domain: both CHECKs
CREATE FUNCTION dm_small_of(n int) RETURNS dm_small LANGUAGE plcpp STRICT AS $$
  return n;
$$;
SELECT dm_small_of(99), dm_state('SELECT dm_small_of(100)'), dm_state('SELECT dm_small_of(0)');
-- a domain over varchar(3): the base typmod holds (22001; trailing spaces are cut to fit, as in SQL)
CREATE FUNCTION dm_short_of(s text) RETURNS dm_short LANGUAGE plcpp STRICT AS $$
  return s;                                     // a std::string_view argument
$$;
SELECT dm_short_of('abc'), dm_short_of('ab   ') || '|' AS cut, dm_state('SELECT dm_short_of(''abcd'')');
CREATE FUNCTION dm_short_plpgsql(s text) RETURNS dm_short LANGUAGE plpgsql AS $$
BEGIN RETURN s; END $$;
SELECT dm_state('SELECT dm_short_plpgsql(''abcd'')');
-- a domain over varchar(3)[]: the typmod of each element; a domain over that domain too
CREATE DOMAIN dm_shorts AS varchar(3)[];
CREATE DOMAIN dm_shorts2 AS dm_shorts CHECK (cardinality(VALUE) < 3);
CREATE FUNCTION dm_shorts_of(a text[]) RETURNS dm_shorts LANGUAGE plcpp STRICT AS $$
  return a;
$$;
CREATE FUNCTION dm_shorts2_of(a text[]) RETURNS dm_shorts2 LANGUAGE plcpp STRICT AS $$
  return std::vector<std::optional<std::string>>(a.begin(), a.end());
$$;
SELECT dm_shorts_of('{ab,NULL,"x    "}'), dm_state('SELECT dm_shorts_of(''{ab,abcd}'')'),
       dm_shorts2_of('{ab}'), dm_state('SELECT dm_shorts2_of(''{abcd}'')'),
       dm_state('SELECT dm_shorts2_of(''{a,b,c}'')');
-- numeric(7,2) rounds; the CHECK sees the rounded value
CREATE FUNCTION dm_price_of(v float8) RETURNS dm_price LANGUAGE plcpp STRICT AS $$
  return plcpp::numeric(v);
$$;
SELECT dm_price_of(2.345), dm_price_of(-0.001), dm_state('SELECT dm_price_of(-0.01)'),
       dm_state('SELECT dm_price_of(123456)');

-- The text form still works: reading .text, returning a plcpp::datum.
CREATE FUNCTION dm_text_way(n dm_posint) RETURNS dm_posint LANGUAGE plcpp STRICT AS $$
  return datum{std::to_string(std::stoi(n.text) + 1)};
$$;
SELECT dm_text_way(41);
CREATE FUNCTION dm_text_bad(s text) RETURNS dm_posint LANGUAGE plcpp STRICT AS $$
  return datum{std::string(s)};
$$;
SELECT dm_text_bad('8'), dm_state('SELECT dm_text_bad(''-8'')'), dm_state('SELECT dm_text_bad(''eight'')');
-- code written for domains as datums: a domain converts to plcpp::datum (its text form)
CREATE FUNCTION dm_as_datum(n dm_posint) RETURNS text LANGUAGE plcpp STRICT AS $$
  plcpp::datum read = n;
  plcpp::datum built = plcpp::domain<int32_t>(n + 1);
  std::vector<plcpp::datum> both{read, built};
  return both[0].text + " " + both[1].text;
$$;
SELECT dm_as_datum(41);
-- a domain built from text reads as its base value too
CREATE FUNCTION dm_from_text() RETURNS int LANGUAGE plcpp AS $$
  plcpp::domain<int32_t> d = datum{"20"};
  return d + 1;
$$;
SELECT dm_from_text();

-- A domain over an array: read as plcpp::array, returned with its CHECK.
CREATE FUNCTION dm_pair_sum(p dm_pair) RETURNS int LANGUAGE plcpp STRICT AS $$
  int s = 0;
  for (const auto &e : p.value()) s += e.value_or(0);
  return s + static_cast<int>(p->size()) * 100;
$$;
SELECT dm_pair_sum('{3,4}'), dm_pair_sum('{5,NULL}');
CREATE FUNCTION dm_pair_of(n int) RETURNS dm_pair LANGUAGE plcpp STRICT AS $$
  std::vector<int32_t> v(static_cast<std::size_t>(n), 7);
  return plcpp::array<int32_t>(v);
$$;
SELECT dm_pair_of(2), dm_state('SELECT dm_pair_of(3)');
-- A domain over a composite: read as its struct, returned with its CHECK.
CREATE FUNCTION dm_pt_swap(p dm_ptd) RETURNS dm_ptd LANGUAGE plcpp STRICT AS $$
  dm_pt q = p;
  std::swap(q.x, q.y);
  return q;
$$;
SELECT dm_pt_swap(ROW(1, 1)), dm_state('SELECT dm_pt_swap(ROW(1, 2))');
CREATE FUNCTION dm_pt_sum(p dm_ptd) RETURNS int LANGUAGE plcpp STRICT AS $$
  return p->x.value_or(0) + p->y.value_or(0);
$$;
SELECT dm_pt_sum(ROW(2, 5));
-- An array of a domain: elements are domains; each returned element is checked.
CREATE FUNCTION dm_arr_inc(a dm_posint[]) RETURNS dm_posint[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::optional<int32_t>> out;
  for (const auto &e : a) out.push_back(e ? std::optional<int32_t>(*e - 1) : std::nullopt);
  return out;
$$;
SELECT dm_arr_inc('{2,NULL,5}'), dm_state('SELECT dm_arr_inc(''{3,1}'')');
-- A composite attribute of a domain type.
CREATE TYPE dm_item AS (qty dm_posint, code dm_code);
CREATE FUNCTION dm_item_next(i dm_item) RETURNS dm_item LANGUAGE plcpp STRICT AS $$
  dm_item out = i;
  if (out.qty) out.qty = *out.qty + 1;
  if (out.code) out.code = out.code->value() + "x";
  return out;
$$;
SELECT dm_item_next(ROW(1, 'a')), dm_item_next(ROW(NULL, NULL));
CREATE FUNCTION dm_item_bad() RETURNS dm_item LANGUAGE plcpp AS $$
  return dm_item{0, std::string("ok")};
$$;
SELECT dm_state('SELECT dm_item_bad()');

-- Set-returning functions and OUT parameters of a domain type: each row is checked.
CREATE FUNCTION dm_countdown(n int) RETURNS SETOF dm_posint LANGUAGE plcpp STRICT AS $$
  for (int i = n; i >= 0; --i) yield(i);
$$;
SELECT dm_state('SELECT * FROM dm_countdown(2)');
SELECT * FROM dm_countdown(-1);   -- no rows, nothing to check
CREATE FUNCTION dm_out(n int, OUT a dm_posint, OUT b dm_code) LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(out_row::a), std::optional<plcpp::domain<int32_t>>>);
  return out_row{n, std::string("x")};
$$;
SELECT * FROM dm_out(3);
SELECT dm_state('SELECT * FROM dm_out(0)');
-- An array of a domain over text: .text and value() of each element.
CREATE FUNCTION dm_codes(a dm_code[]) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::string out;
  for (const auto &e : a) out += e ? e->text + "|" + e->value() + ";" : "null;";
  return out;
$$;
SELECT dm_codes(ARRAY['a', 'bb', NULL]::dm_code[]);

-- As a query parameter a domain value is its base type's (int4 here, so $1 + 1 works).
CREATE FUNCTION dm_param(n dm_posint) RETURNS text LANGUAGE plcpp STRICT AS $$
  return *spi::query_one<std::string>("select ($1 + 1)::text || ' ' || pg_typeof($1)", n);
$$;
SELECT dm_param(41);
-- Read from a query and set into a trigger row as a domain.
CREATE TABLE dm_t (id int, p dm_posint, c dm_code);
CREATE FUNCTION dm_trg() RETURNS trigger LANGUAGE plcpp AS $$
  auto row = trigger().new_row();
  auto p = row.get<plcpp::domain<int32_t>>("p");
  row.set("p", plcpp::domain<int32_t>(p - 10));
  return row;
$$;
CREATE TRIGGER dm_trg BEFORE INSERT ON dm_t FOR EACH ROW EXECUTE FUNCTION dm_trg();
INSERT INTO dm_t VALUES (1, 15, 'a');
SELECT dm_state($$INSERT INTO dm_t VALUES (2, 10, 'b')$$);   -- 0 breaks the CHECK
SELECT * FROM dm_t;

-- A domain value owns its data: kept in a static, it is right in a later call.
CREATE FUNCTION dm_keep(s dm_code) RETURNS text LANGUAGE plcpp STRICT AS $$
  static std::optional<plcpp::domain<std::string>> kept;
  std::string out = kept ? kept->value() + "/" + kept->text : "none";
  kept = s;
  return out;
$$;
SELECT dm_keep(repeat('k', 3000)) IS NOT NULL AS first;
SELECT length(dm_keep('next')) AS kept_length;
SELECT dm_keep('last');
SELECT 1 AS alive;
