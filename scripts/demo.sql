\echo '== plcpp demo: C++ function bodies, compiled by Clang in a process of their own, run as native code'
CREATE EXTENSION plcpp;
\timing on
\echo '-- 1. A scalar function. CREATE FUNCTION compiles it (the very first compile also builds the'
\echo '--    precompiled runtime header once per cluster).'
CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE plcpp IMMUTABLE STRICT AS $$
  return x + 1;
$$;
SELECT add_one(41);
\echo '-- 2. NULL-aware text function (not STRICT: arguments arrive as std::optional).'
CREATE FUNCTION shout(s text) RETURNS text LANGUAGE plcpp AS $$
  if (!s) return std::nullopt;
  std::string out(*s);
  for (auto& c : out) c = std::toupper(c);
  return out;
$$;
SELECT shout('hello from c++'), shout(NULL) IS NULL AS null_stays_null;
\echo '-- 3. The standard library is there: word counts with std::map and std::stable_sort.'
CREATE FUNCTION top_words(s text, n int) RETURNS text LANGUAGE plcpp IMMUTABLE STRICT AS $$
  std::map<std::string, int> counts;
  std::string word;
  for (char c : std::string(s) + " ") {
    if (std::isalpha(static_cast<unsigned char>(c))) word += std::tolower(c);
    else if (!word.empty()) { counts[word]++; word.clear(); }
  }
  std::vector<std::pair<std::string, int>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  std::ostringstream out;
  for (int i = 0; i < n && i < (int)v.size(); ++i) out << (i ? " " : "") << v[i].first << ":" << v[i].second;
  return out.str();
$$;
SELECT top_words('the quick brown fox jumps over the lazy dog; the dog sleeps', 3);
\echo '-- 4. A million calls: native code per row.'
SELECT sum(add_one(g)) FROM generate_series(1, 1000000) g;
\echo '-- 5. A body that does not compile is rejected at CREATE FUNCTION, with the position in the body.'
CREATE FUNCTION broken(x int) RETURNS int LANGUAGE plcpp AS $$
  int y = x * 2;
  return y + z;
$$;
\echo '-- 6. C++ exceptions become SQL errors (SQLSTATE 38000); error() raises any SQLSTATE.'
CREATE FUNCTION checked_div(a int, b int) RETURNS int LANGUAGE plcpp STRICT AS $$
  if (b == 0) error("division by zero", {.sqlstate = "22012", .hint = "Pass a non-zero b."});
  if (a < 0) throw std::domain_error("negative dividend");
  return a / b;
$$;
SELECT checked_div(10, 0);
SELECT checked_div(-1, 1);
SELECT checked_div(10, 3) AS the_backend_lives;
\echo '-- 7. Volatility is honoured: IMMUTABLE with a constant argument runs once, VOLATILE per row.'
CREATE FUNCTION f_imm(v int) RETURNS int LANGUAGE plcpp IMMUTABLE AS $$ notice("IMMUTABLE RAN"); return v; $$;
CREATE FUNCTION f_vol(v int) RETURNS int LANGUAGE plcpp VOLATILE AS $$ notice("VOLATILE RAN"); return v; $$;
SELECT 1 FROM generate_series(1, 3) WHERE f_imm(10) = 10 AND f_vol(10) = 10;
\echo '-- 8. DO blocks.'
DO LANGUAGE plcpp $$
  std::vector<double> xs{3, 1, 4, 1, 5, 9, 2, 6};
  double mean = std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
  notice("mean of ", xs.size(), " values: ", mean);
$$;
\echo '-- 9. Queries: typed parameters, typed columns, a set-returning function (RETURNS TABLE).'
CREATE TABLE annotation(id serial PRIMARY KEY, group_id text, user_id int);
INSERT INTO annotation(group_id, user_id)
  SELECT 'g' || (g % 3), g % 17 FROM generate_series(1, 30000) g;
CREATE FUNCTION top_users(_group text, n int) RETURNS TABLE(user_id int, annotations bigint)
LANGUAGE plcpp STABLE STRICT AS $$
  for (auto row : spi::query("select user_id, count(*) from annotation where group_id = $1 "
                             "group by 1 order by 2 desc, 1 limit $2", _group, n))
    yield(row.get<int32_t>(0), row.get<int64_t>(1));
$$;
SELECT * FROM top_users('g1', 3);
\echo '-- 10. Who am I: self(), no stack inspection.'
CREATE FUNCTION whoami(a int, b text) RETURNS text LANGUAGE plcpp STABLE AS $$
  return self().schema() + "." + self().name() + " = " + self().signature() + ", " + self().volatility();
$$;
SELECT whoami(1, 'x');
\echo '-- 11. A trigger that stamps rows, and spi::subtransaction (PL/pgSQL''s EXCEPTION block).'
ALTER TABLE annotation ADD COLUMN note text;
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plcpp AS $$
  auto row = trigger().new_row();
  row.set("note", "checked by " + self().name());
  return row;
$$;
CREATE TRIGGER stamp BEFORE INSERT ON annotation FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE FUNCTION insert_or_skip(id int) RETURNS text LANGUAGE plcpp STRICT AS $$
  try {
    spi::subtransaction([&] { spi::exec("insert into annotation(id, group_id, user_id) values ($1, 'g9', 1)", id); });
    return "inserted";
  } catch (const sql_error &e) {
    return "skipped: " + e.sqlstate() + " " + e.message();
  }
$$;
SELECT insert_or_skip(100001), insert_or_skip(100001);
SELECT id, note FROM annotation WHERE id = 100001;
\echo '-- 12. Memoization (seed 000): a dashboard panel per group, materialized per key.'
\echo '--     400,000 annotations in 1,000 groups; the panel query scans them all.'
\timing off
CREATE TABLE big_annotation AS
  SELECT i AS id, 'group-' || (i % 1000) AS group_id, ((i::bigint * 7919) % 5000)::int AS user_id,
         md5(i::text) AS body, timestamptz '2026-01-01' + (i % 365) * interval '1 day' AS created
    FROM generate_series(1, 400000) i;
ANALYZE big_annotation;
CREATE FUNCTION panel(_group text)
RETURNS TABLE(user_id int, annotations bigint, last_seen timestamptz)
LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS $$
  [[plcpp::memoize(ttl = "24 hours")]]
  return sql("select user_id, count(*), max(created) from big_annotation "
             "where group_id = $1 group by 1 order by 2 desc, 1 limit 5", _group);
$$;
\timing on
\echo '-- the plain query:'
SELECT user_id, count(*), max(created) FROM big_annotation
 WHERE group_id = 'group-42' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5;
\echo '-- first call: runs the query and builds plcpp_memo.panel__group_42_<hash>:'
SELECT * FROM panel('group-42');
\echo '-- second call (any session): reads the view:'
SELECT * FROM panel('group-42');
SELECT * FROM panel('group-42');
\timing off
SELECT view_name, key, rows, round(build_ms::numeric, 1) AS build_ms, hits, bytes FROM plcpp.memo;
\echo '-- a scheduled job warms the busiest groups ahead of their readers (a commit per batch):'
CALL plcpp.memo_warm('panel(text)', batch => 10, keys_query =>
  'select group_id from big_annotation group by 1 order by count(*) desc, 1 limit 25');
SELECT function, views, rows, hits, builds FROM plcpp.memo_stats;
\echo '-- keys are data: this one builds a view named after it, and drops nothing:'
SELECT count(*) FROM panel($k$x'); DROP TABLE big_annotation; --$k$);
SELECT view_name, key FROM plcpp.memo WHERE key::text LIKE '%DROP%';
\echo '-- and purge drops views in batches (tens of thousands would not fit one transaction):'
CALL plcpp.memo_purge(fn => 'panel(text)', batch => 10);
SELECT count(*) AS views_left FROM plcpp.memo;
