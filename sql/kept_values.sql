-- issue 18 item 2: values that point into a call's memory, kept in a static and used by a
-- later call, raise SQLSTATE 55000 (or, for sql_error, are owned) instead of reading freed
-- memory. Every statement after a use checks that the backend lived.

-- A trigger keeps its row (PL/Python's SD["last"] = TD["new"]).
CREATE TABLE kept_t (id int, name text);
CREATE FUNCTION keep_row() RETURNS trigger LANGUAGE plcpp AS $$
  static std::optional<plcpp::record> last;
  std::string out = "first row";
  if (last) {
    out = "kept: " + std::to_string(last->size()) + " columns, name null? " +
          (last->is_null("name") ? "yes" : "no");
    try {
      out += ", name " + last->get<std::string>("name");
    } catch (const plcpp::sql_error &e) {
      out += ", get: " + e.sqlstate() + " " + e.message();
    }
    try {
      last->set("id", 7);
    } catch (const plcpp::sql_error &e) {
      out += ", set: " + e.sqlstate();
    }
  }
  notice(out);
  last = trigger().new_row();
$$;
CREATE TRIGGER keep_row BEFORE INSERT ON kept_t FOR EACH ROW EXECUTE FUNCTION keep_row();
INSERT INTO kept_t VALUES (1, repeat('a', 3000)), (2, 'b');
INSERT INTO kept_t VALUES (3, 'c');
SELECT 1 AS alive;
SELECT id, length(name) FROM kept_t ORDER BY id;

-- Returning the kept row from a later call: 55000, not a row of freed memory.
CREATE FUNCTION return_kept_row() RETURNS trigger LANGUAGE plcpp AS $$
  static std::optional<plcpp::record> last;
  if (last) return *last;
  last = trigger().new_row();
$$;
CREATE TABLE kept_r (id int, name text);
CREATE TRIGGER return_kept_row BEFORE INSERT ON kept_r FOR EACH ROW
  EXECUTE FUNCTION return_kept_row();
INSERT INTO kept_r VALUES (1, 'one');
INSERT INTO kept_r VALUES (2, 'two');
SELECT 1 AS alive;
SELECT * FROM kept_r;

-- A record argument and a query row as a record, kept.
CREATE FUNCTION keep_record(r record) RETURNS text LANGUAGE plcpp AS $$
  static std::optional<plcpp::record> arg, queried;
  std::string out;
  if (arg) {
    for (auto *k : {&*arg, &*queried}) {
      try {
        out += k->get<std::string>(0) + "; ";
      } catch (const plcpp::sql_error &e) {
        out += e.sqlstate() + " " + e.message() + "; ";
      }
    }
  }
  arg = *r;
  queried = spi::query("select repeat('q', 100) as q, 2 as n")[0].to_record();
  return out + "now " + arg->get<std::string>(0) + " / " + queried->get<std::string>(0).substr(0, 3);
$$;
SELECT keep_record(ROW('first'::text, 1));
SELECT keep_record(ROW('second'::text, 2));
-- Two calls in one statement: the second call finds the first call's records dead too.
SELECT keep_record(ROW(x::text, 1)) FROM generate_series(1, 2) x;

-- A result and a row, kept.
CREATE FUNCTION keep_result(phase int) RETURNS text LANGUAGE plcpp STRICT AS $$
  static plcpp::result kept;
  static std::optional<plcpp::row> kept_row;
  if (phase == 1) {
    kept = spi::query("values ('abc'::text), ('def')"); // VALUES: a fixed order
    kept_row = kept[1];
    return std::string(kept_row->get<std::string_view>(0));
  }
  std::string out;
  try {
    out += std::to_string(kept.size());
  } catch (const plcpp::sql_error &e) {
    out += e.sqlstate() + " " + e.message();
  }
  try {
    out += " / " + kept_row->get<std::string>(0);
  } catch (const plcpp::sql_error &e) {
    out += " / " + e.sqlstate();
  }
  return out;
$$;
SELECT keep_result(1);
SELECT keep_result(2);
SELECT 1 AS alive;

-- A query as a value (its parameters are datums of the call), kept and run later.
CREATE FUNCTION keep_sql_query(phase int) RETURNS SETOF text LANGUAGE plcpp STRICT AS $$
  static std::optional<plcpp::sql_query> q;
  if (phase == 1) q.emplace("select $1 || '!'", std::string(200, 'x'));
  return *q;
$$;
SELECT length(keep_sql_query(1));
SELECT length(keep_sql_query(2));
SELECT 1 AS alive;

-- A sql_error from PostgreSQL, kept and thrown again by a later call: the client gets the
-- original SQLSTATE and message (the exception owns them), not a report from freed memory.
CREATE FUNCTION keep_error(phase int) RETURNS text LANGUAGE plcpp STRICT AS $$
  static std::optional<plcpp::sql_error> kept;
  if (phase == 1) {
    try {
      spi::subtransaction([] { spi::exec("select 1 / 0"); });
    } catch (const plcpp::sql_error &e) {
      kept = e;
    }
    return kept->sqlstate() + " " + kept->message();
  }
  throw *kept;
$$;
SELECT keep_error(1);
DO $$ BEGIN
  PERFORM keep_error(2);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'caught % %', SQLSTATE, SQLERRM;
END $$;
SELECT keep_error(2);
-- Thrown again in the call that caught it, the error is PostgreSQL's full report.
CREATE FUNCTION rethrow_now() RETURNS void LANGUAGE plcpp AS $$
  try {
    spi::subtransaction([] { spi::exec("select 1 / 0"); });
  } catch (const plcpp::sql_error &e) {
    throw;
  }
$$;
SELECT rethrow_now();
SELECT 1 AS alive;

-- Arguments own their data (text, varchar, name, bpchar as std::string, bytea as
-- std::vector<std::byte>, arrays of them as plcpp::array<std::string>): kept in a static the
-- natural way (auto, a container of the argument's type), they are right in every later
-- call. (They were views into the call's memory, and such a static read freed memory.) Each
-- call passes a long value that is freed when its statement ends, and the later calls run
-- after other allocations that would reuse that memory.
CREATE FUNCTION keep_args(t text, v varchar, n name, c char(4), b bytea, a text[])
RETURNS text LANGUAGE plcpp STRICT AS $$
  static_assert(std::is_same_v<decltype(t), std::string>);
  static_assert(std::is_same_v<decltype(b), std::vector<std::byte>>);
  static_assert(std::is_same_v<decltype(a), plcpp::array<std::string>>);
  static std::optional<std::tuple<decltype(t), decltype(v), decltype(n), decltype(c),
                                  decltype(b), decltype(a)>> kept;
  static std::vector<decltype(t)> seen;
  std::string out = "none";
  if (kept) {
    const auto &[kt, kv, kn, kc, kb, ka] = *kept;
    out = std::to_string(kt.size()) + " " + kt.substr(0, 3) + " " + kv.substr(0, 3) + " " + kn +
          " [" + kc + "] " + std::to_string(kb.size()) + " " +
          std::to_string(std::to_integer<int>(kb.back())) + " " + ka.back()->substr(0, 3) + " " +
          std::to_string(ka.back()->size()) + " seen";
    for (const auto &s : seen) out += " " + s.substr(0, 2);
  }
  kept.emplace(t, v, n, c, b, a);
  seen.push_back(t);
  return out;
$$;
SELECT keep_args(repeat('a', 5000), repeat('v', 3000), 'first', 'ab', decode(repeat('01', 4000), 'hex'),
                 ARRAY['x', repeat('y', 4000)]);
SELECT count(*) FROM (SELECT repeat(md5(g::text), 100) FROM generate_series(1, 2000) g) junk;
SELECT keep_args(repeat('b', 6000), 'w', 'second', 'c', '\x02'::bytea, ARRAY['z']);
SELECT keep_args('c', 'u', 'third', 'dd', '\x03'::bytea, ARRAY['q']);
SELECT 1 AS alive;
-- A std::string_view a body makes of an argument is a view of that argument (a local of the
-- call, like any function parameter in C++), valid while the call runs: here, it is used only
-- within the call.
CREATE FUNCTION view_in_call(t text) RETURNS int LANGUAGE plcpp STRICT AS $$
  std::string_view head(t);
  head = head.substr(0, 2);
  return static_cast<int>(head.size() + t.size());
$$;
SELECT view_in_call('hello');
