-- spi::subtransaction: the C++ twin of PL/pgSQL's BEGIN ... EXCEPTION block (DESIGN §1).
-- sx_error() runs a statement and prints what the client would receive.
CREATE FUNCTION sx_error(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text;
BEGIN
  EXECUTE stmt;
  RAISE NOTICE 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hnt = PG_EXCEPTION_HINT;
  RAISE NOTICE E'sqlstate=% message=%\ndetail=%\nhint=%', st, msg, det, hnt;
END $$;

CREATE TABLE sx (id int PRIMARY KEY, note text);
CREATE FUNCTION sx_ids() RETURNS text LANGUAGE sql AS
  $$ SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '(none)') FROM sx $$;

-- a failed query rolls back the subtransaction's work only; caught outside, the body goes on
CREATE FUNCTION sx_basic() RETURNS text LANGUAGE plcpp AS $$
  spi::exec("insert into sx values (1, 'before')");
  try {
    spi::subtransaction([&] {
      spi::exec("insert into sx values (2, 'inside')");
      spi::exec("insert into sx values (1, 'duplicate')");
      notice("not reached");
    });
  } catch (const sql_error& e) {
    notice("caught ", e.sqlstate(), ": ", e.message(), " (", e.detail(), ")");
  }
  spi::exec("insert into sx values (3, 'after')");
  return *spi::query_one<std::string>("select sx_ids()");
$$;
SELECT sx_basic();
SELECT * FROM sx ORDER BY id;
TRUNCATE sx;

-- a subtransaction that succeeds keeps its work, and returns the lambda's value
CREATE FUNCTION sx_keep() RETURNS text LANGUAGE plcpp AS $$
  int n = spi::subtransaction([&] {
    return static_cast<int>(spi::exec("insert into sx select g, 'kept' from generate_series(1, 3) g"));
  });
  std::string s = spi::subtransaction([&] { return std::string("a string"); });
  spi::subtransaction([&] { spi::exec("insert into sx values (4, 'void lambda')"); });
  // a result made inside a subtransaction that commits stays valid
  result r = spi::subtransaction([&] { return spi::query("select id from sx order by id"); });
  return std::to_string(n) + " / " + s + " / " + std::to_string(r.size()) + " rows, last " +
         r[r.size() - 1].get<std::string>(0);
$$;
SELECT sx_keep();
SELECT * FROM sx ORDER BY id;
TRUNCATE sx;

-- any exception rolls back: a C++ exception, error(), a failed conversion
CREATE FUNCTION sx_cpp_exceptions() RETURNS text LANGUAGE plcpp AS $$
  try {
    spi::subtransaction([&] {
      spi::exec("insert into sx values (1, 'runtime_error')");
      throw std::runtime_error("plain C++");
    });
  } catch (const std::runtime_error& e) {
    notice("caught std::runtime_error: ", e.what());
  }
  try {
    spi::subtransaction([&] {
      spi::exec("insert into sx values (2, 'error()')");
      error("raised by error()", {.sqlstate = "22023", .hint = "a hint"});
    });
  } catch (const sql_error& e) {
    notice("caught sql_error ", e.sqlstate(), ": ", e.message(), " hint: ", e.hint());
  }
  try {
    spi::subtransaction([&] {
      spi::exec("insert into sx values (3, null)");
      return spi::query("select note from sx where id = 3")[0].get<std::string>(0);
    });
  } catch (const sql_error& e) {
    notice("caught sql_error ", e.sqlstate(), ": ", e.message());
  }
  try {
    spi::subtransaction([&] { throw 42; });
  } catch (int v) {
    notice("caught int ", v);
  }
  spi::exec("insert into sx values (4, 'after all that')");
  return *spi::query_one<std::string>("select sx_ids()");
$$;
SELECT sx_cpp_exceptions();

-- nested subtransactions
CREATE FUNCTION sx_nested(fail_inner bool, fail_outer bool) RETURNS text LANGUAGE plcpp STRICT AS $$
  spi::exec("delete from sx");
  try {
    spi::subtransaction([&] {
      spi::exec("insert into sx values (10, 'outer')");
      try {
        spi::subtransaction([&] {
          spi::exec("insert into sx values (11, 'inner')");
          if (fail_inner) spi::exec("select 1 / 0");
        });
      } catch (const sql_error& e) {
        notice("inner failed: ", e.message());
      }
      spi::exec("insert into sx values (12, 'outer again')");
      if (fail_outer) error("outer fails");
    });
  } catch (const sql_error& e) {
    notice("outer failed: ", e.message());
  }
  return *spi::query_one<std::string>("select sx_ids()");
$$;
SELECT sx_nested(false, false) AS all_kept;
SELECT sx_nested(true, false) AS inner_rolled_back;
SELECT sx_nested(false, true) AS outer_takes_inner_along;
SELECT sx_nested(true, true) AS nothing;
-- three levels, each catching the one below
CREATE FUNCTION sx_deep(depth int) RETURNS text LANGUAGE plcpp STRICT AS $$
  std::function<void(int)> level = [&](int d) {
    spi::exec("insert into sx values ($1, 'level')", d);
    if (d == depth) spi::exec("insert into sx values ($1, 'duplicate')", d);
    try {
      spi::subtransaction([&] { level(d + 1); });
    } catch (const sql_error& e) {
      notice("level ", d, " caught ", e.sqlstate());
    }
  };
  spi::exec("delete from sx");
  try { spi::subtransaction([&] { level(1); }); } catch (const sql_error&) { notice("top caught"); }
  return *spi::query_one<std::string>("select sx_ids()");
$$;
SELECT sx_deep(3);
TRUNCATE sx;

-- many subtransactions in a loop, every third one failing
CREATE FUNCTION sx_loop(n int) RETURNS text LANGUAGE plcpp STRICT AS $$
  int ok = 0, failed = 0;
  for (int i = 1; i <= n; ++i) {
    try {
      spi::subtransaction([&] {
        spi::exec("insert into sx values ($1, 'loop')", i);
        if (i % 3 == 0) spi::exec("insert into sx values ($1, 'again')", i);
      });
      ++ok;
    } catch (const sql_error& e) {
      if (e.sqlstate() != "23505") throw;
      ++failed;
    }
  }
  return std::to_string(ok) + " ok, " + std::to_string(failed) + " failed, " +
         std::to_string(*spi::query_one<int64_t>("select count(*) from sx")) + " rows, " +
         std::to_string(*spi::query_one<int64_t>("select count(*) from sx where id % 3 = 0")) +
         " multiples of 3";
$$;
SELECT sx_loop(3000);
TRUNCATE sx;

-- results and cursors made inside a subtransaction that rolls back are gone: using them is an
-- error, not a read of freed memory; results made before it are unaffected
INSERT INTO sx VALUES (1, 'one'), (2, 'two');
CREATE FUNCTION sx_stale() RETURNS void LANGUAGE plcpp AS $$
  result before = spi::query("select note from sx order by id");
  std::optional<result> inside;
  std::optional<plcpp::cursor> cur;
  try {
    spi::subtransaction([&] {
      inside.emplace(spi::query("select note from sx order by id"));
      cur.emplace(spi::cursor("select note from sx order by id"));
      throw std::runtime_error("roll back");
    });
  } catch (const std::runtime_error&) {}
  notice("before: ", before.size(), " rows, first ", before[0].get<std::string>(0));
  try {
    notice("inside: ", inside->size());
  } catch (const sql_error& e) {
    notice("inside: ", e.sqlstate(), " ", e.message());
  }
  try {
    notice("cursor: ", cur->fetch(1).size());
  } catch (const sql_error& e) {
    notice("cursor: ", e.sqlstate(), e.message().ends_with("does not exist") ? " does not exist" : "?");
  }
  // the body can still query
  notice("after: ", *spi::query_one<int64_t>("select count(*) from sx"));
$$;
SELECT sx_stale();
-- ...and those made in a subtransaction that commits survive a later sibling's rollback
CREATE FUNCTION sx_sibling_result() RETURNS void LANGUAGE plcpp AS $$
  result kept = spi::subtransaction([&] { return spi::query("select note from sx order by id"); });
  try {
    spi::subtransaction([&] {
      spi::query("select note from sx");
      spi::exec("select 1 / 0");
    });
  } catch (const sql_error& e) {
    notice("sibling failed: ", e.message());
  }
  notice("kept: ", kept.size(), " rows, first ", kept[0].get<std::string>(0));
$$;
SELECT sx_sibling_result();
CREATE FUNCTION sx_sibling_cursor() RETURNS void LANGUAGE plcpp AS $$
  auto cur = spi::subtransaction([&] { return spi::cursor("select note from sx order by id"); });
  try {
    spi::subtransaction([&] { spi::exec("select 1 / 0"); });
  } catch (const sql_error& e) {
    notice("sibling failed: ", e.message());
  }
  auto r = cur.fetch(5);
  notice("cursor: ", r.size(), " rows, first ", r[0].get<std::string>(0));
$$;
SELECT sx_sibling_cursor();
TRUNCATE sx;

-- a failed query outside a subtransaction cannot be recovered from: the next query raises the
-- original error again, with a hint; so does returning normally
CREATE FUNCTION sx_no_subxact(then_query bool) RETURNS text LANGUAGE plcpp STRICT AS $$
  try {
    spi::exec("insert into sx values (1, 'x'), (1, 'y')");
  } catch (const sql_error& e) {
    if (!then_query) return "swallowed " + e.sqlstate();
  }
  spi::exec("insert into sx values (2, 'z')");
  return "went on";
$$;
SELECT sx_error('SELECT sx_no_subxact(true)');
SELECT sx_error('SELECT sx_no_subxact(false)');
SELECT sx_no_subxact(true);
SELECT count(*) AS nothing_inserted FROM sx;
-- the caught exception, rethrown by the second query, is the same error
CREATE FUNCTION sx_rethrown() RETURNS text LANGUAGE plcpp AS $$
  std::string first;
  try { spi::exec("select 1 / 0"); } catch (const sql_error& e) { first = e.message(); }
  try {
    spi::exec("select 1");
  } catch (const sql_error& e) {
    if (e.sqlstate() == "22012" && e.message() == first && !e.hint().empty()) throw;
    throw std::logic_error("a different error: " + e.message());
  }
  return "not reached";
$$;
SELECT sx_error('SELECT sx_rethrown()');

-- an error inside a subtransaction that the body does not catch reaches the client unchanged
CREATE FUNCTION sx_uncaught() RETURNS void LANGUAGE plcpp AS $$
  spi::exec("insert into sx values (1, 'outside')");
  spi::subtransaction([&] {
    spi::exec("insert into sx values (2, 'inside')");
    spi::exec("insert into sx values (2, 'inside again')");
  });
$$;
SELECT sx_error('SELECT sx_uncaught()');
SELECT sx_uncaught();
SELECT count(*) AS nothing_inserted FROM sx;
CREATE FUNCTION sx_uncaught_custom() RETURNS void LANGUAGE plcpp AS $$
  spi::subtransaction([&] {
    error("custom", {.sqlstate = "P0002", .detail = "from inside", .hint = "as given"});
  });
$$;
SELECT sx_error('SELECT sx_uncaught_custom()');
CREATE FUNCTION sx_uncaught_cpp() RETURNS void LANGUAGE plcpp AS $$
  spi::subtransaction([&] { throw std::invalid_argument("from a lambda"); });
$$;
SELECT sx_error('SELECT sx_uncaught_cpp()');

-- with PL/pgSQL: a PL/pgSQL EXCEPTION block around a plcpp function rolls back its work
CREATE FUNCTION sx_writer(fail bool) RETURNS int LANGUAGE plcpp STRICT AS $$
  spi::exec("insert into sx values (100, 'writer')");
  try {
    spi::subtransaction([&] { spi::exec("insert into sx values (100, 'duplicate')"); });
  } catch (const sql_error& e) {
    notice("writer caught ", e.sqlstate());
  }
  spi::exec("insert into sx values (101, 'writer')");
  if (fail) error("writer fails", {.sqlstate = "22012"});
  return 2;
$$;
CREATE FUNCTION sx_plpgsql_caller(fail bool) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sx VALUES (1, 'plpgsql');
  BEGIN
    PERFORM sx_writer(fail);
  EXCEPTION WHEN division_by_zero THEN
    RAISE NOTICE 'plpgsql caught: % (%)', SQLERRM, SQLSTATE;
  END;
  INSERT INTO sx VALUES (2, 'plpgsql');
  RETURN sx_ids();
END $$;
SELECT sx_plpgsql_caller(false);
TRUNCATE sx;
SELECT sx_plpgsql_caller(true);
TRUNCATE sx;
-- a plcpp subtransaction around a PL/pgSQL function that has its own EXCEPTION block, which
-- catches an error from a nested plcpp function
CREATE FUNCTION sx_inner_cpp(v int) RETURNS int LANGUAGE plcpp STRICT AS $$
  spi::exec("insert into sx values ($1, 'inner plcpp')", v);
  if (v < 0) spi::exec("insert into sx values ($1, 'duplicate')", v);
  return v;
$$;
CREATE FUNCTION sx_middle_plpgsql(v int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sx VALUES (abs(v) + 1000, 'plpgsql');
  BEGIN
    PERFORM sx_inner_cpp(v);
  EXCEPTION WHEN unique_violation THEN
    RETURN 'plpgsql caught ' || SQLSTATE;
  END;
  IF v = 0 THEN RAISE EXCEPTION 'zero' USING ERRCODE = 'data_exception'; END IF;
  RETURN 'plpgsql ok';
END $$;
CREATE FUNCTION sx_outer_cpp() RETURNS text LANGUAGE plcpp AS $$
  std::string out;
  for (int v : {1, -2, 0, 3}) {
    try {
      out += spi::subtransaction([&] {
        return *spi::query_one<std::string>("select sx_middle_plpgsql($1)", v);
      });
    } catch (const sql_error& e) {
      out += "plcpp caught " + e.sqlstate() + " (" + e.message() + ")";
    }
    out += "; ";
  }
  return out + *spi::query_one<std::string>("select sx_ids()");
$$;
SELECT sx_outer_cpp();
TRUNCATE sx;

-- a subtransaction in a DO block, and in a STABLE function (read-only, like PL/pgSQL's)
DO LANGUAGE plcpp $$
  try {
    spi::subtransaction([&] {
      spi::exec("insert into sx values (7, 'do')");
      spi::exec("select 1 / 0");
    });
  } catch (const sql_error& e) {
    notice("DO caught ", e.sqlstate(), "; rows: ", *spi::query_one<int64_t>("select count(*) from sx"));
  }
$$;
CREATE FUNCTION sx_stable() RETURNS text LANGUAGE plcpp STABLE AS $$
  try {
    spi::subtransaction([&] { spi::exec("insert into sx values (8, 'stable')"); });
  } catch (const sql_error& e) {
    return "stable caught " + e.sqlstate() + ": " + e.message();
  }
  return "inserted";
$$;
SELECT sx_stable();
SELECT count(*) AS still_empty FROM sx;

DROP TABLE sx;
DROP FUNCTION sx_ids();

-- an error swallowed inside the subtransaction's own lambda (no nested subtransaction): the
-- subtransaction cannot commit, the call ends with the error, and the session goes on
CREATE FUNCTION sx_swallowed_inside() RETURNS text LANGUAGE plcpp AS $$
  spi::subtransaction([&] {
    try { spi::exec("select 1 / 0"); } catch (const sql_error&) {}
  });
  return "not reached";
$$;
\set VERBOSITY terse
SELECT sx_swallowed_inside();
\set VERBOSITY default
SELECT 1 AS session_usable;
