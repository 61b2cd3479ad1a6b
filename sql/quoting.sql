-- Quoting helpers (issue 19, item 5): quote_ident, quote_literal, quote_nullable, as
-- PostgreSQL's SQL functions of those names (and PL/pgSQL's format('%I', '%L')).
CREATE FUNCTION qi(s text) RETURNS text LANGUAGE plcpp STRICT AS $$ return quote_ident(s); $$;
CREATE FUNCTION ql(s text) RETURNS text LANGUAGE plcpp STRICT AS $$ return quote_literal(s); $$;
CREATE FUNCTION qn(s text) RETURNS text LANGUAGE plcpp AS $$ return quote_nullable(s); $$;
CREATE TABLE samples (s text);
INSERT INTO samples VALUES (''), ('abc'), ('Abc'), ('a b'), ('a"b'), ('"'), ('1abc'), ('_x'),
  ('x1_$'), ('select'), ('user'), ('int'), ('between'), ('abs'), ('name'), ('é'), ('a''b'),
  (E'a\\b'), (E'\\'), ('O''Reilly'), (E'two\nlines'), (repeat('z', 100)), ('ünï "cødé"'),
  ('; drop table samples; --');
-- every sample gives exactly what the SQL function gives (keywords: reserved ones and
-- type/function names quoted, unreserved ones not; backslashes: the E'' form)
SELECT s, qi(s), ql(s), qn(s) FROM samples WHERE length(s) < 30;
SELECT count(*) AS samples, count(*) FILTER (WHERE qi(s) = quote_ident(s)) AS ident_same,
       count(*) FILTER (WHERE ql(s) = quote_literal(s)) AS literal_same,
       count(*) FILTER (WHERE qn(s) = quote_nullable(s)) AS nullable_same
FROM samples;
-- NULL: quote_nullable gives the keyword NULL, as SQL's quote_nullable(NULL)
SELECT qn(NULL), quote_nullable(NULL);
-- quote_all_identifiers is honoured, as by SQL's quote_ident
SET quote_all_identifiers = on;
SELECT qi('abc'), quote_ident('abc');
RESET quote_all_identifiers;

-- other values quote through their SQL text, as quote_literal(anyelement)/quote_nullable
DO LANGUAGE plcpp $$
  notice(quote_literal(42), " ", quote_literal(-1.5), " ", quote_literal(true), " ",
         quote_literal(numeric("12.50")), " ", quote_literal(date{std::chrono::year(2024) / 2 / 29}),
         " ", quote_literal(datum{"it's"}), " ", quote_nullable(std::optional<int>{}), " ",
         quote_nullable(std::optional<int>{7}), " ", quote_nullable(std::nullopt), " ",
         quote_nullable(std::string("x")));
$$;
SELECT quote_literal(42), quote_literal(-1.5), quote_literal(true), quote_literal(12.50),
       quote_literal(date '2024-02-29');

-- dynamic SQL built with them round-trips hostile names and values (PL/pgSQL's
-- EXECUTE format('CREATE TABLE %I ...', name))
CREATE FUNCTION make_table(name text, val text) RETURNS text LANGUAGE plcpp STRICT AS $$
  spi::exec("CREATE TABLE " + quote_ident(name) + " (v text DEFAULT " + quote_literal(val) + ")");
  spi::exec("INSERT INTO " + quote_ident(name) + " DEFAULT VALUES");
  return *spi::query_one<std::string>("SELECT v FROM " + quote_ident(name));
$$;
SELECT make_table('Tab"le; drop', E'it''s a \\ test') = E'it''s a \\ test' AS round_trip;
SELECT * FROM "Tab""le; drop";

-- bad input: text with a NUL byte or invalid in the database encoding is refused (22021), as
-- the server refuses such text anywhere; it is never cut short silently
CREATE FUNCTION quote_bad(which int) RETURNS text LANGUAGE plcpp STRICT AS $$
  if (which == 1) return quote_ident(std::string_view("ab\0; drop", 9));
  if (which == 2) return quote_literal(std::string_view("ab\0cd", 5));
  return quote_literal("a\xff");
$$;
SELECT quote_bad(1);
SELECT quote_bad(2);
SELECT quote_bad(3);
-- bad input: quote_literal of a possibly-NULL value does not compile (SQL's quote_literal(NULL)
-- is NULL and nulls the whole statement): the message says to use quote_nullable
CREATE FUNCTION quote_null(s text) RETURNS text LANGUAGE plcpp AS $$
  return "x = " + quote_literal(s);
$$;
CREATE FUNCTION quote_nullopt() RETURNS text LANGUAGE plcpp AS $$
  return quote_literal(std::nullopt);
$$;
