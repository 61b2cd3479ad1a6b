-- Scalar types in both directions (DESIGN §4), STRICT vs non-STRICT NULL handling, void.
CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE plcpp IMMUTABLE STRICT AS $$
  return x + 1;
$$;
SELECT add_one(41), add_one(NULL) IS NULL AS strict_null, add_one(2147483646);

CREATE FUNCTION t_bool(b bool) RETURNS bool LANGUAGE plcpp STRICT AS $$ return !b; $$;
CREATE FUNCTION t_int2(v int2) RETURNS int2 LANGUAGE plcpp STRICT AS $$ return v - 1; $$;
CREATE FUNCTION t_int8(v int8) RETURNS int8 LANGUAGE plcpp STRICT AS $$ return v * 2; $$;
CREATE FUNCTION t_float4(v float4) RETURNS float4 LANGUAGE plcpp STRICT AS $$ return v / 2; $$;
CREATE FUNCTION t_float8(v float8) RETURNS float8 LANGUAGE plcpp STRICT AS $$
  return std::sqrt(v);
$$;
CREATE FUNCTION t_oid(v oid) RETURNS oid LANGUAGE plcpp STRICT AS $$ return v + 1; $$;
SELECT t_bool(true), t_bool(false), t_int2(-32767::int2), t_int8(4611686018427387903),
       t_float4(3.5), t_float8(2), t_oid(4294967294);
-- negative values survive the Datum round trip (sign extension)
SELECT t_int2(-5::int2), t_int8(-21), t_float4(-1.5), t_float8('Infinity'), t_float8('NaN');

-- text, varchar, bpchar arrive as std::string_view; any of string, string_view, const char*
-- may be returned.
CREATE FUNCTION shout(s text) RETURNS text LANGUAGE plcpp AS $$
  if (!s) return std::nullopt;                 // not STRICT: arguments arrive as std::optional
  std::string out(*s);
  for (auto& c : out) c = std::toupper(c);
  return out;
$$;
SELECT shout('hello, world'), shout(NULL) IS NULL AS null_in_null_out, shout('');
CREATE FUNCTION t_len(v varchar, c char(5)) RETURNS int LANGUAGE plcpp STRICT AS $$
  return static_cast<int32_t>(v.size() * 100 + c.size());
$$;
SELECT t_len('abc', 'xy');
CREATE FUNCTION t_view(s text) RETURNS text LANGUAGE plcpp STRICT AS $$
  return s.substr(1, 3);                       // std::string_view into the argument
$$;
CREATE FUNCTION t_cstr(b bool) RETURNS varchar LANGUAGE plcpp STRICT AS $$
  return b ? "yes" : "no";                     // const char*
$$;
SELECT t_view('abcdef'), t_cstr(true), t_cstr(false);
-- multibyte text passes through unchanged; long (toasted, compressed) values are detoasted
SELECT shout('grüße, ☃');
CREATE FUNCTION t_size(s text) RETURNS int8 LANGUAGE plcpp STRICT AS $$ return s.size(); $$;
CREATE TEMP TABLE big AS SELECT repeat('abc', 1000000) AS v;
SELECT t_size(v), t_size(v) = octet_length(v) FROM big;
-- name: fixed width, truncated at 63 bytes like any name
CREATE FUNCTION t_name(n name) RETURNS name LANGUAGE plcpp STRICT AS $$
  return std::string(n) + std::string(100, 'x');
$$;
SELECT t_name('ab'), length(t_name('ab'));

-- non-STRICT: every argument is a std::optional
CREATE FUNCTION coalesce_sum(a int, b int) RETURNS int LANGUAGE plcpp AS $$
  if (!a && !b) return std::nullopt;
  return a.value_or(0) + b.value_or(0);
$$;
SELECT coalesce_sum(1, 2), coalesce_sum(NULL, 2), coalesce_sum(1, NULL),
       coalesce_sum(NULL, NULL) IS NULL AS both_null;
-- a STRICT function may still return NULL
CREATE FUNCTION maybe(x int) RETURNS int LANGUAGE plcpp STRICT AS $$
  if (x < 0) return std::nullopt;
  return x;
$$;
SELECT maybe(5), maybe(-5) IS NULL AS negative_is_null;

-- unnamed arguments are $1, $2, ...
CREATE FUNCTION unnamed(int, int) RETURNS int LANGUAGE plcpp STRICT AS $$ return $1 * $2; $$;
SELECT unnamed(6, 7);

-- RETURNS void
CREATE FUNCTION say(msg text) RETURNS void LANGUAGE plcpp STRICT AS $$
  notice("said: ", msg);
$$;
SELECT say('x');
SELECT say(NULL);  -- STRICT: not called, no notice

-- the body may start with #include lines (moved to file scope)
CREATE FUNCTION matches(s text, re text) RETURNS bool LANGUAGE plcpp STRICT AS $$
#include <regex>
  return std::regex_search(std::string(s), std::regex(std::string(re)));
$$;
SELECT matches('plcpp 2026', '[0-9]{4}'), matches('plcpp', '^x');

-- a 20-line body with the standard library
CREATE FUNCTION word_stats(s text) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::map<std::string, int> counts;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) counts[word]++;
    word.clear();
  };
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      word += static_cast<char>(std::tolower(c));
    else
      flush();
  }
  flush();
  std::vector<std::pair<std::string, int>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  std::ostringstream out;
  for (size_t i = 0; i < v.size() && i < 3; ++i)
    out << (i ? ", " : "") << v[i].first << "=" << v[i].second;
  return out.str();
$$;
SELECT word_stats('the cat and the hat and the bat');

-- one function called over many rows
SELECT count(*), sum(add_one(g)) FROM generate_series(1, 100000) g;
