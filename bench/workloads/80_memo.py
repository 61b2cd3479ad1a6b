"""Memoization (seed 000, DESIGN §2): the dashboard panel of one group of annotations.

The plain panel query scans the annotations (a sequential scan, as in the seed); a memo hit
reads the group's materialized view through the memoized function; the reference is a plain
`SELECT` of that view, the least any cache in a view can cost. Each timed statement is one
client round trip, as a dashboard issues it. "first call" builds a new view on every run (a
nonce argument makes every key new), so it is the miss path end to end: lock, registry, CREATE
MATERIALIZED VIEW of the query, registry insert, read back.
"""
from model import Case, Target, Workload

SETUP = r"""
DROP TABLE IF EXISTS memo_annotation CASCADE;
CREATE TABLE memo_annotation AS
  SELECT i AS id, 'group-' || (i % 1000) AS group_id, ((i::bigint * 7919) % 5000)::int AS user_id,
         timestamptz '2026-01-01' + (i % 365) * interval '1 day' AS created
    FROM generate_series(1, :memo_rows) i;
ANALYZE memo_annotation;
CREATE OR REPLACE FUNCTION memo_panel(_group text)
RETURNS TABLE(user_id int, annotations bigint, last_seen timestamptz) LANGUAGE plcpp STRICT
SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select user_id, count(*), max(created) from memo_annotation "
             "where group_id = $1 group by 1 order by 2 desc, 1 limit 10", _group);
$$;
CREATE OR REPLACE FUNCTION memo_panel_build(_group text, nonce bigint)
RETURNS TABLE(user_id int, annotations bigint, last_seen timestamptz) LANGUAGE plcpp STRICT
SET search_path = public, pg_temp AS $$
  [[plcpp::memoize]]
  return sql("select user_id, count(*), max(created) from memo_annotation "
             "where group_id = $1 group by 1 order by 2 desc, 1 limit 10", _group);
$$;
DROP SEQUENCE IF EXISTS memo_nonce;
CREATE SEQUENCE memo_nonce;
SELECT count(*) FROM memo_panel('group-42');
DO $$ BEGIN
  EXECUTE format('CREATE OR REPLACE VIEW memo_view AS SELECT * FROM plcpp_memo.%I',
                 (SELECT view_name FROM plcpp.memo WHERE key = '{group-42}'));
END $$;
"""

VERIFY = """
SELECT (SELECT count(*) FROM memo_panel('group-42')) = (SELECT count(*) FROM memo_view);
SELECT (SELECT sum(annotations) FROM memo_panel('group-42')) =
       (SELECT sum(n) FROM (SELECT count(*) AS n FROM memo_annotation WHERE group_id = 'group-42'
                            GROUP BY user_id ORDER BY 1 DESC, user_id LIMIT 10) t);
"""

PANEL = ("SELECT user_id, count(*), max(created) FROM memo_annotation "
         "WHERE group_id = 'group-42' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10")


def workload(s):
    return Workload(
        title=f"Memoization: a dashboard panel over {s.memo_rows:,} annotations, 1,000 groups",
        description="One statement per run. `memo hit` is `SELECT count(*) FROM "
                    "memo_panel('group-42')`, `view read` the same count straight from its "
                    "materialized view, `plain query` the panel's query, `first call` a memoized "
                    "call with a new key each run (it builds a view).",
        setup=SETUP, verify=VERIFY,
        cases=[
            Case("view read (SELECT from the view)", "SELECT count(*) FROM memo_view", "SQL"),
            Case("memo hit", "SELECT count(*) FROM memo_panel('group-42')", "plcpp",
                 ref="view read (SELECT from the view)", target=Target(ratio=1.5)),
            Case("plain query", f"SELECT count(*) FROM ({PANEL}) t", "SQL",
                 ref="view read (SELECT from the view)"),
            Case("first call (builds the view)",
                 "SELECT count(*) FROM memo_panel_build('group-42', nextval('memo_nonce'))",
                 "plcpp", ref="plain query"),
        ])
