-- Session store (issue 19, item 9): values shared by the functions of one session, as
-- PL/Python's GD; a body's own state across calls is a `static`, as PL/Python's SD.
CREATE FUNCTION put_int(k text, v int8) RETURNS void LANGUAGE plcpp STRICT AS $$
  session_store().set(k, v);
$$;
CREATE FUNCTION put_text(k text, v text) RETURNS void LANGUAGE plcpp AS $$
  session_store().set(*k, v);   // v: std::optional<std::string_view>, NULL stored as NULL
$$;
CREATE FUNCTION get_text(k text) RETURNS text LANGUAGE plcpp STRICT AS $$
  // an unset key is nullopt; a stored NULL read as std::optional is nullopt as well
  auto v = session_store().get<std::optional<std::string>>(k);
  if (!v) return "(not set)";
  return v->value_or("(NULL)");
$$;
CREATE FUNCTION get_int(k text) RETURNS int8 LANGUAGE plcpp STRICT AS $$
  return session_store().get<int64_t>(k);   // nullopt: SQL NULL
$$;
CREATE FUNCTION store_keys() RETURNS text LANGUAGE plcpp AS $$
  std::string out = std::to_string(session_store().size()) + ":";
  for (const auto &k : session_store().keys()) out += " " + k;
  return out;
$$;

-- one function stores, another reads (PL/Python: GD['x'] = ... in f, GD['x'] in g)
SELECT put_int('counter', 41), put_text('greeting', 'hello'), put_text('nothing', NULL);
SELECT get_int('counter') + 1 AS counter, get_text('greeting'), get_text('nothing'),
       get_text('absent'), get_int('absent') IS NULL AS absent_is_null;
SELECT store_keys();
-- a text argument (a view into the call's memory) was stored as an owning copy: it is
-- intact in later calls and statements, after the caller's memory is long gone
SELECT put_text('big', repeat('x', 100000) || 'end');
SELECT length(get_text('big')), right(get_text('big'), 3);
-- values are read through the same conversions as query results; values set by a DO block
-- outlive it (its code is unloaded when it ends)
DO LANGUAGE plcpp $$
  auto &s = session_store();
  notice("counter as text: ", *s.get<std::string>("counter"),
         ", as int32: ", *s.get<int32_t>("counter"), ", as double: ", *s.get<double>("counter"));
  s.set("pi", 3.25);
  s.set("when", date{std::chrono::year(2024) / 2 / 29});
  s.set("blob", std::vector<std::byte>{std::byte{1}, std::byte{255}});
  s.set("list", std::vector<std::optional<int32_t>>{1, std::nullopt, 3});
  s.set("amount", numeric("12.50"));
$$;
DO LANGUAGE plcpp $$
  auto &s = session_store();
  auto list = *s.get<std::vector<std::optional<int32_t>>>("list");
  notice("pi=", *s.get<double>("pi"), " when=", *s.get<std::string>("when"),
         " blob=", s.get<std::vector<std::byte>>("blob")->size(), " bytes, list[1] is null: ",
         !list[1], " amount=", s.get<numeric>("amount")->to_string());
$$;
-- composite values (generated structs) round-trip as well
CREATE TYPE pair AS (a int, b text);
CREATE FUNCTION put_pair(p pair) RETURNS void LANGUAGE plcpp STRICT AS $$
  session_store().set("pair", p);
$$;
CREATE FUNCTION get_pair() RETURNS pair LANGUAGE plcpp AS $$
  return session_store().get<pair>("pair");
$$;
SELECT put_pair(ROW(7, 'seven'));
SELECT * FROM get_pair();

-- CREATE OR REPLACE and DROP of the function that stored a value do not touch it: values are
-- plain data of the session, not of the function's code
CREATE OR REPLACE FUNCTION put_int(k text, v int8) RETURNS void LANGUAGE plcpp STRICT AS $$
  session_store().set(k, v * 100);
$$;
SELECT get_int('counter') AS still_41;
SELECT put_int('counter', 2);
SELECT get_int('counter') AS replaced_code_stores_200;
DROP FUNCTION put_pair(pair);
SELECT (get_pair()).b AS after_drop;

-- not transactional, as GD: a rollback (or a rolled-back subtransaction) does not undo set()
BEGIN;
SELECT put_text('in_tx', 'kept');
ROLLBACK;
SELECT get_text('in_tx') AS survives_rollback;
CREATE FUNCTION set_then_fail() RETURNS void LANGUAGE plcpp AS $$
  try {
    spi::subtransaction([] {
      session_store().set("in_subtx", 5);
      error("rolled back");
    });
  } catch (const sql_error &) {
  }
$$;
SELECT set_then_fail();
SELECT get_int('in_subtx') AS survives_subtransaction_rollback;

-- erase and clear give the memory back (the store has its own memory context)
CREATE FUNCTION store_bytes() RETURNS int8 LANGUAGE sql AS $$
  SELECT total_bytes FROM pg_backend_memory_contexts WHERE name = 'PL/C++ session store'
$$;
SELECT store_bytes() > 100000 AS holds_the_big_value;
DO LANGUAGE plcpp $$
  notice("erase big: ", session_store().erase("big"), ", again: ", session_store().erase("big"));
  for (int i = 0; i < 1000; ++i) session_store().set("k", std::string(10000, 'y'));
$$;
SELECT store_bytes() < 100000 AS freed_and_not_grown;
-- SD: a static local keeps one body's state across calls of the session
CREATE FUNCTION calls() RETURNS int LANGUAGE plcpp AS $$
  static int n = 0;
  return ++n;
$$;
SELECT calls(), calls(), calls();

-- bad input: a stored value read as a type it does not convert to is an error, not garbage
DO LANGUAGE plcpp $$ session_store().set("word", "abc"); $$;
DO LANGUAGE plcpp $$ notice(*session_store().get<int32_t>("word")); $$;
-- a stored NULL read as a non-optional type (22004)
DO LANGUAGE plcpp $$ notice(*session_store().get<std::string>("nothing")); $$;
-- an int8 too large for int32 (22003)
SELECT put_int('huge', 100000000);
DO LANGUAGE plcpp $$ notice(*session_store().get<int32_t>("huge")); $$;
-- a type without an SQL form cannot be stored: compile error at CREATE FUNCTION
CREATE FUNCTION store_map() RETURNS void LANGUAGE plcpp AS $$
  session_store().set("m", std::map<int, int>{});
$$;

DO LANGUAGE plcpp $$ session_store().clear(); $$;
SELECT store_keys();
SELECT put_int('left_behind', 1);
-- another session has its own, empty store
\c
SELECT get_int('left_behind') IS NULL AS new_session_is_empty, store_keys();
