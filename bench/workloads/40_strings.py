"""String work: upper(reverse(s)) of md5(i::text), once per row, plus md5 alone as a baseline.

Every language receives the md5 string as a text argument and returns a new text: the cost
measured is the call, the text conversions both ways and the string work. C and plcpp reverse
bytes and upper-case ASCII (hex digits need no locale); plcpp's body is what a user writes
(std::string, reverse iterators).
"""
from model import Case, Target, Workload

SETUP = r"""
CREATE OR REPLACE FUNCTION str_c(s text) RETURNS text IMMUTABLE STRICT
  LANGUAGE C AS '$libdir/plcpp_bench', 'bench_c_str';
CREATE OR REPLACE FUNCTION str_plcpp(s text) RETURNS text IMMUTABLE STRICT LANGUAGE plcpp AS $$
  std::string out(s.rbegin(), s.rend());
  for (char &c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
$$;
CREATE OR REPLACE FUNCTION str_plpgsql(s text) RETURNS text IMMUTABLE STRICT LANGUAGE plpgsql AS $$
BEGIN
  RETURN upper(reverse(s));
END $$;
CREATE OR REPLACE FUNCTION str_plpython(s text) RETURNS text IMMUTABLE STRICT LANGUAGE plpython3u AS $$
return s[::-1].upper()
$$;
CREATE OR REPLACE FUNCTION str_sql(s text) RETURNS text IMMUTABLE STRICT LANGUAGE sql AS $$
  SELECT upper(reverse(s))
$$;
"""

VERIFY = """
SELECT bool_and(str_c(m) = x AND str_plcpp(m) = x AND str_plpgsql(m) = x
                AND str_plpython(m) = x AND str_sql(m) = x)
FROM (SELECT md5(g::text) AS m, upper(reverse(md5(g::text))) AS x
        FROM generate_series(-1000, 1000) g) t;
SELECT NOT bench_plan_mentions('SELECT count(str_sql(md5(s.id::text))) FROM generate_series(1, 10) s(id)',
                               'str_sql');
"""


def workload(s):
    series = f"generate_series(1, {s.str_calls}) s(id)"
    cases = [Case("md5 alone: count(md5(s.id::text))",
                  f"SELECT count(md5(s.id::text)) FROM {series}", "baseline", ref="C")]
    for label, name in [("C", "str_c"), ("plcpp", "str_plcpp"), ("PL/pgSQL", "str_plpgsql"),
                        ("PL/Python", "str_plpython"), ("SQL (inlined)", "str_sql")]:
        lang = label.split()[0]
        cases.append(Case(label, f"SELECT count({name}(md5(s.id::text))) FROM {series}", lang,
                          ref=None if lang == "C" else "C",
                          target=Target(ratio=1.1) if lang == "plcpp" else None))
    return Workload(
        title=f"Strings: f(md5(i::text)) = upper(reverse(...)), {s.str_calls:,} calls",
        description=f"`SELECT count(f(md5(s.id::text))) FROM generate_series(1, {s.str_calls:,})` "
                    "with `f(s text) RETURNS text`. Much of the time is md5 itself (the "
                    "baseline row); the rest is the call, the conversions and the string work.",
        setup=SETUP, verify=VERIFY, cases=cases)
