#!/usr/bin/env bash
# test/server/memo_security_test.sh — issue 17: nobody hijacks a memoized function or the
# result cache. Two roles in real sessions: the victim (a superuser owning the functions) and
# alice, a login role with a schema of her own, who plants views, functions, operators and
# temporary tables and sets her search_path to reach them. For each way plcpp runs SQL as
# another role (a call building, refreshing or reading a view as the owner; memo_warm,
# memo_refresh, memo_purge; the result cache) it asserts that alice gains nothing (never a
# superuser; her planted function never ran as anyone but herself: it writes a marker row and
# a WARNING) and that the victim is never served her rows. Runs against the private server of
# scripts/server.sh (sourced by the caller, server started). TAP output.
set -u
export PGOPTIONS="-c client_min_messages=warning"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
db=plcpp_memo_sec
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi
}
q() { "${PSQL[@]}" -d $db -c "$1" 2>&1; }                    # the bootstrap superuser
victim() { "${PSQL[@]}" -U sec_victim -d $db -c "$1" 2>&1; } # a new session each time
alice() { "${PSQL[@]}" -U sec_alice -d $db "$@" 2>&1; }      # -c ... -c ...: one session
# Nothing planted ever ran as another role, and alice is no superuser.
pwned() { q "SELECT coalesce(string_agg(DISTINCT who::text, ','), '') FROM public.pwned
             WHERE who <> 'sec_alice'"; }
alice_super() { q "SELECT rolsuper FROM pg_roles WHERE rolname = 'sec_alice'"; }
no_warning() { # NAME OUTPUT: alice's planted code raises WARNING "pwned as <role>"
  if grep -q "pwned as" <<<"$2"; then not_ok "$1" "$(grep "pwned as" <<<"$2" | head -3)"; else ok "$1"; fi
}

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
"${PSQL[@]}" -d postgres -c "DROP ROLE IF EXISTS sec_alice" -c "DROP ROLE IF EXISTS sec_victim" \
  -c "DROP ROLE IF EXISTS sec_nopriv" >/dev/null 2>&1
"${PSQL[@]}" -d postgres -c "CREATE ROLE sec_victim SUPERUSER LOGIN" \
  -c "CREATE ROLE sec_alice LOGIN" -c "CREATE ROLE sec_nopriv LOGIN" >/dev/null
q "CREATE EXTENSION plcpp" >/dev/null
q "CREATE SCHEMA alice AUTHORIZATION sec_alice;
   CREATE SCHEMA sec_alice AUTHORIZATION sec_alice; -- her \"\$user\"
   CREATE TABLE public.pwned (who name, what text);
   GRANT SELECT, INSERT ON public.pwned TO PUBLIC;
   CREATE TABLE public.annotation (group_id text, user_id int);
   INSERT INTO public.annotation SELECT 'g' || (i % 10), i % 7 FROM generate_series(1, 700) i;
   CREATE TABLE public.employees (id int PRIMARY KEY, salary int);
   INSERT INTO public.employees VALUES (1, 100), (2, 200);
   GRANT SELECT ON public.employees TO sec_alice;
   ALTER TABLE public.annotation OWNER TO sec_victim;
   ALTER TABLE public.employees OWNER TO sec_victim" >/dev/null
# The true answer of panel(g): 7 users, 10 annotations each.
truth="7|70"

victim "CREATE FUNCTION public.panel(_group text) RETURNS TABLE(user_id int, n bigint)
        LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS \$\$
          [[plcpp::memoize]]
          return sql(\"select user_id, count(*) from annotation where group_id = \$1 group by 1\",
                     _group);
        \$\$" >/dev/null
# The same with a path that leaves pg_temp out: plcpp appends it, so a caller's temporary
# table is never searched first.
victim "CREATE FUNCTION public.panel_nt(_group text) RETURNS TABLE(user_id int, n bigint)
        LANGUAGE plcpp STRICT SET search_path = public AS \$\$
          [[plcpp::memoize]]
          return sql(\"select user_id, count(*) from annotation where group_id = \$1 group by 1\",
                     _group);
        \$\$" >/dev/null
# A memoized query that calls a SQL function, whose body is parsed when it runs (at every
# build and REFRESH): it must see the function's path then too.
victim "CREATE FUNCTION public.group_size(g text) RETURNS bigint LANGUAGE sql STABLE AS
          'select count(*) from annotation where group_id = g';
        CREATE FUNCTION public.sized(_group text) RETURNS TABLE(n bigint)
        LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS \$\$
          [[plcpp::memoize]]
          return sql(\"select group_size(\$1)\", _group);
        \$\$" >/dev/null

# alice's traps: a function that says it ran (and tries to make her superuser), and, in her
# schema, an annotation view, an operator = for text and for int, a group_size and an
# employees view that call it.
alice -c "CREATE FUNCTION alice.pwn() RETURNS bool LANGUAGE plpgsql AS \$f\$
  BEGIN
    RAISE WARNING 'pwned as %', current_user;
    BEGIN INSERT INTO public.pwned VALUES (current_user, 'ran'); EXCEPTION WHEN others THEN NULL; END;
    BEGIN EXECUTE 'ALTER ROLE sec_alice SUPERUSER'; EXCEPTION WHEN others THEN NULL; END;
    RETURN true;
  END \$f\$;
  CREATE VIEW alice.annotation AS
    SELECT 'g7'::text AS group_id, 666 AS user_id FROM generate_series(1, 3) WHERE alice.pwn();
  CREATE FUNCTION alice.eq(text, text) RETURNS bool LANGUAGE sql AS 'SELECT alice.pwn()';
  CREATE OPERATOR alice.= (LEFTARG = text, RIGHTARG = text, FUNCTION = alice.eq);
  CREATE FUNCTION alice.eqi(int, int) RETURNS bool LANGUAGE sql AS 'SELECT alice.pwn()';
  CREATE OPERATOR alice.= (LEFTARG = int, RIGHTARG = int, FUNCTION = alice.eqi);
  CREATE FUNCTION alice.group_size(g text) RETURNS bigint LANGUAGE sql
    AS 'SELECT 666::bigint WHERE alice.pwn()';
  CREATE VIEW alice.employees AS SELECT 1 AS id, 999999 AS salary WHERE alice.pwn();
  CREATE VIEW sec_alice.employees AS SELECT * FROM alice.employees;" >/dev/null
check "setup: alice is no superuser, nothing ran" "f|" "$(alice_super)|$(pwned)"

# 1. A call: alice's path finds her objects first; her temporary annotation table (searched
# first when a path does not name pg_temp) holds fake rows. The view is built as the victim.
hostile_session=(-c "CREATE TEMP TABLE annotation AS SELECT 'g7'::text AS group_id, 999 AS user_id"
                 -c "SET search_path = alice, pg_catalog, public")
r=$(alice "${hostile_session[@]}" -c "SELECT count(*), sum(n) FROM panel('g7')")
check "call: alice's first call (a build as the owner) gets the true rows" "$truth" "$(tail -1 <<<"$r")"
no_warning "call: no planted function ran during the build" "$r"
r=$(alice "${hostile_session[@]}" -c "SELECT count(*), sum(n) FROM panel('g7')")
check "call: alice's second call (a read as the owner) gets the true rows" "$truth" "$(tail -1 <<<"$r")"
r=$(alice "${hostile_session[@]}" -c "BEGIN READ ONLY" -c "SELECT count(*), sum(n) FROM panel('g8')" -c "COMMIT")
check "call: a read-only miss (no build) gets the true rows" "$truth" "$(tail -1 <<<"$r")"
r=$(alice "${hostile_session[@]}" -c "SELECT count(*), sum(n) FROM panel_nt('g7')")
check "call: a path without pg_temp: the build does not read alice's temporary table" "$truth" \
  "$(tail -1 <<<"$r")"
r=$(alice "${hostile_session[@]}" -c "BEGIN READ ONLY" -c "SELECT count(*), sum(n) FROM panel_nt('g8')" -c "COMMIT")
check "call: ... nor does a read-only miss" "$truth" "$(tail -1 <<<"$r")"
r=$(alice "${hostile_session[@]}" -c "SELECT n FROM sized('g7')")
check "call: a SQL function in the query resolves under the function's path" 70 "$(tail -1 <<<"$r")"
check "call: alice gained nothing (not superuser, no planted code ran)" "f|" "$(alice_super)|$(pwned)"
check "call: the victim is served the true rows" "$truth" "$(victim "SELECT count(*), sum(n) FROM panel('g7')")"
check "call: the view holds no row of alice's" 0 \
  "$(victim "SELECT count(*) FROM panel('g7') WHERE user_id = 666 OR user_id = 999")"
check "call: views belong to the victim" "sec_victim" \
  "$(q "SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner)::text, ',') FROM pg_class c
        JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'plcpp_memo'")"

# 2. memo_warm: alice may call panel, but warming is for its owners; keys_query never runs.
r=$(alice -c "CALL plcpp.memo_warm('panel(text)', keys_query => 'select group_id from alice.annotation')")
check "memo_warm: alice is refused for a function she does not own" 1 \
  "$(grep -c 'permission denied for function panel(text)' <<<"$r")"
no_warning "memo_warm: alice's keys_query never ran" "$r"
r=$(victim "CALL plcpp.memo_warm('panel(text)', ARRAY['g1', 'g2'])")
check "memo_warm: the owner warms, true rows" "$truth" "$(victim "SELECT count(*), sum(n) FROM panel('g1')")"
check "memo_warm: alice gained nothing" "f|" "$(alice_super)|$(pwned)"

# 3. A view registered before this rule, hijacked at its build (as plcpp 1.0 allowed): it
# reads alice.annotation, so every REFRESH would run alice.pwn() as its owner. Its version
# is 1.0's (no path in it): the victim's next call rebuilds it, memo_refresh drops it.
hijack() { # build the hijacked view as 1.0 did (as the owner, alice's path) and register it
  q "DROP MATERIALIZED VIEW IF EXISTS plcpp_memo.$1;
     SET ROLE sec_victim;
     SET search_path = alice, public;
     SET client_min_messages = error;
     CREATE MATERIALIZED VIEW plcpp_memo.$1 (user_id, n) AS
       SELECT user_id, count(*) FROM annotation WHERE group_id = '$2' GROUP BY 1;
     RESET ROLE; RESET search_path;
     ALTER ROLE sec_alice NOSUPERUSER; -- what the 1.0 build gave her
     DELETE FROM public.pwned;
     INSERT INTO plcpp.memo_registry (schema_name, view_name, function, key, version,
                                      created_at, refreshed_at, build_ms, rows)
     SELECT 'plcpp_memo', '$1', 'public.panel(pg_catalog.text)', '{$2}',
            md5(pg_get_functiondef(p.oid) || E'\n-- owner: ' || pg_get_userbyid(p.proowner)),
            now(), now(), 1, 1
       FROM pg_proc p WHERE p.oid = 'public.panel(text)'::regprocedure
     ON CONFLICT (schema_name, view_name) DO UPDATE SET version = EXCLUDED.version" >/dev/null
}
view_g7=$(q "SELECT view_name FROM plcpp.memo_registry WHERE key = '{g7}' AND function LIKE 'public.panel(%'")
hijack "$view_g7" g7
check "1.0 view: planted as the issue describes (alice's rows in the victim's view)" 3 \
  "$(q "SELECT n FROM plcpp_memo.$view_g7 WHERE user_id = 666")"
r=$(victim "SELECT count(*), sum(n) FROM panel('g7')")
check "1.0 view: the victim's call is not served it (rebuilt: true rows)" "$truth" "$r"
check "1.0 view: ... and the rebuild ran nothing of alice's" "f|" "$(alice_super)|$(pwned)"
hijack "$view_g7" g7
r=$(victim "CALL plcpp.memo_refresh()")
no_warning "1.0 view: memo_refresh by the superuser does not refresh it (nothing of alice's ran)" "$r"
check "1.0 view: ... it drops it instead" 0 \
  "$(q "SELECT count(*) FROM pg_class WHERE relname = '$view_g7'")"
check "1.0 view: alice gained nothing" "f|" "$(alice_super)|$(pwned)"

# 4. memo_refresh by the superuser, whose own session path is alice's: REFRESH runs under the
# function's path, so the SQL function in sized()'s view still finds public.group_size.
victim "SELECT * FROM sized('g3')" >/dev/null
q "INSERT INTO public.annotation VALUES ('g3', 1)" >/dev/null
r=$("${PSQL[@]}" -U sec_victim -d $db -c "SET search_path = alice, public" -c "CALL plcpp.memo_refresh()" 2>&1)
no_warning "memo_refresh: nothing planted ran during REFRESH" "$r"
check "memo_refresh: the refreshed view has the true rows" 71 "$(victim "SELECT n FROM sized('g3')")"
check "memo_refresh: alice gained nothing" "f|" "$(alice_super)|$(pwned)"

# 5. A function alice owns (an owner the superuser chose), with a path she chose: a REFRESH
# of its views by the superuser runs her code as her (PostgreSQL runs REFRESH as the view's
# owner), never as the superuser. And in a fresh session alice refreshes, warms and purges
# only her own views.
q "GRANT CREATE ON SCHEMA plcpp_memo TO sec_alice;
   GRANT SELECT ON public.annotation TO sec_alice;
   CREATE FUNCTION public.alice_panel(_group text) RETURNS TABLE(user_id int, n bigint)
   LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS \$\$
     [[plcpp::memoize]]
     return sql(\"select user_id, count(*) from annotation where group_id = \$1 group by 1\",
                _group);
   \$\$;
   ALTER FUNCTION public.alice_panel(text) OWNER TO sec_alice" >/dev/null
r=$(alice -c "ALTER FUNCTION public.alice_panel(text) SET search_path = alice, pg_catalog, public")
r=$(alice -c "CALL plcpp.memo_warm('alice_panel(text)', ARRAY['g7', 'g5'])")
check "memo_warm: alice warms her own function in a fresh session" 2 \
  "$(q "SELECT count(*) FROM plcpp.memo WHERE function LIKE 'public.alice_panel(%'")"
check "memo_warm: ... her views belong to her" "sec_alice" \
  "$(q "SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner)::text, ',') FROM pg_class c
        JOIN plcpp.memo m ON m.view_name = c.relname WHERE m.function LIKE 'public.alice_panel(%'")"
q "DELETE FROM public.pwned" >/dev/null
r=$(victim "CALL plcpp.memo_refresh()")
check "memo_refresh by the superuser: alice's code ran (in her view)..." t \
  "$(q "SELECT count(*) > 0 FROM public.pwned WHERE who = 'sec_alice'")"
check "... as alice only: she gained nothing" "f|" "$(alice_super)|$(pwned)"
victim_builds() { q "SELECT sum(builds) FROM plcpp.memo_registry WHERE function LIKE 'public.panel(%'"; }
before=$(victim_builds)
check "memo_refresh: works for alice in a fresh session" 1 \
  "$(grep -c 'memo_refresh: 2 view(s) refreshed' <<<"$(alice -c "SET client_min_messages = notice" -c "CALL plcpp.memo_refresh()")")"
check "memo_refresh: alice refreshed none of the victim's views" "$before" "$(victim_builds)"
victim_views() { q "SELECT count(*) FROM plcpp.memo_registry WHERE function NOT LIKE 'public.alice_panel(%'"; }
before=$(victim_views)
r=$(alice -c "CALL plcpp.memo_purge()")
check "memo_purge: works for alice in a fresh session (no plcpp code run before)" "" \
  "$(grep -i 'error' <<<"$r")"
check "memo_purge: alice's views are gone" 0 \
  "$(q "SELECT count(*) FROM plcpp.memo_registry WHERE function LIKE 'public.alice_panel(%'")"
check "memo_purge: the victim's views are all there" "$before" "$(victim_views)"
check "memo_purge: ... and readable" "$truth" "$(victim "SELECT count(*), sum(n) FROM panel('g7')")"
check "admin procedures: alice gained nothing" "f" "$(alice_super)"

# 6. The result cache: keys hold the role (unless SECURITY DEFINER) and the search_path;
# results that read a temporary table are never stored.
q "CREATE FUNCTION public.salary(id int) RETURNS int LANGUAGE plcpp STABLE STRICT AS \$\$
     [[plcpp::result_cache]]
     return spi::query_one<int32_t>(\"select salary from employees where id = \$1\", id).value_or(-1);
   \$\$;
   CREATE FUNCTION public.salary_definer(id int) RETURNS int LANGUAGE plcpp STABLE STRICT
   SECURITY DEFINER AS \$\$
     [[plcpp::result_cache]]
     return spi::query_one<int32_t>(\"select salary from employees where id = \$1\", id).value_or(-1);
   \$\$;
   ALTER FUNCTION public.salary(int) OWNER TO sec_victim;
   ALTER FUNCTION public.salary_definer(int) OWNER TO sec_victim;
   SELECT plcpp.result_cache_flush()" >/dev/null
q "DELETE FROM public.pwned" >/dev/null
# alice's schema is her "\$user": the same path text as everybody's default finds her view.
r=$(alice -c "SELECT salary(1)")
check "result cache: alice's own default path (\"\$user\" = alice) gives her view's row" 999999 "$(tail -1 <<<"$r")"
check "result cache: ... the victim with the same path text gets the true row" 100 "$(victim "SELECT salary(1)")"
r=$(alice -c "SET search_path = alice, pg_catalog, public" -c "SELECT salary(2)")
check "result cache: the victim is not served alice's operator's result" 200 "$(victim "SELECT salary(2)")"
r=$(alice -c "CREATE TEMP TABLE employees AS SELECT 1 AS id, 555 AS salary" -c "SELECT salary_definer(1)")
check "result cache (SECURITY DEFINER, no role in the key): alice's temp table gives her 555" 555 \
  "$(tail -1 <<<"$r")"
check "result cache: ... never stored: the victim gets the true row" 100 "$(victim "SELECT salary_definer(1)")"
r=$(alice -c "CREATE TEMP VIEW employees AS SELECT 2 AS id, 777 AS salary" -c "SELECT salary_definer(2)")
check "result cache: a temporary view is never stored either" 200 "$(victim "SELECT salary_definer(2)")"
r=$("${PSQL[@]}" -U sec_nopriv -d $db -c "SELECT salary(1)" 2>&1)
check "result cache: a role without SELECT gets an error, not the victim's cached row" 1 \
  "$(grep -c 'permission denied for table employees' <<<"$r")"
check "result cache: alice's view ran only as alice" "f|" "$(alice_super)|$(pwned)"
check "result cache: the victim's entries are the true ones" "100|200|100|200" \
  "$(victim "SELECT salary(1), salary(2), salary_definer(1), salary_definer(2)")"

q "SELECT plcpp.result_cache_flush()" >/dev/null
"${PSQL[@]}" -d postgres -c "DROP DATABASE $db" >/dev/null
"${PSQL[@]}" -d postgres -c "DROP ROLE sec_alice" -c "DROP ROLE sec_victim" -c "DROP ROLE sec_nopriv" >/dev/null
echo "1..$n"
