#!/usr/bin/env bash
# test/server/upgrade_test.sh — releases and upgrades (issue 21): a database created with the
# previous released version and then `ALTER EXTENSION plcpp UPDATE` has exactly the objects of
# a fresh install of the current version (members by pg_describe_object, and their definitions:
# functions, views, table columns, constraints, indexes, policies, grants, comments, the
# language and the event trigger), and its functions, memo views and registry rows survive the
# update and still work. Also checks that META.json (PGXN) agrees with plcpp.control.
# Runs against the private server of scripts/server.sh (sourced by the caller, server
# started). Prints "ok N - name" / "not ok N - name" lines (TAP).
set -u
export PGOPTIONS="-c client_min_messages=warning"
cd "$(dirname "$0")/../.."
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
PREVIOUS=1.0 # the last released version (its install script is frozen)
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/#   /'; }
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi
}
old() { "${PSQL[@]}" -d plcpp_upgrade_old -c "$1" 2>&1; }
new() { "${PSQL[@]}" -d plcpp_upgrade_new -c "$1" 2>&1; }
out=$(mktemp -d /tmp/plcpp-upgrade.XXXXXX)
trap 'rm -rf "$out"' EXIT
current=$(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" plcpp.control)

# 1. META.json: valid for PGXN's Meta Spec 1.0.0 (the fields it requires, their forms) and
# the same version as plcpp.control.
meta=$(python3 - "$current" <<'EOF' 2>&1
import json, os, re, sys
current = sys.argv[1]
m = json.load(open("META.json"))
semver = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z-]+)?$")
licenses = {"agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd",
            "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit",
            "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5", "postgresql", "qpl_1_0",
            "ssleay", "sun", "zlib", "open_source", "restricted", "unrestricted", "unknown"}
problems = []
for key in ("name", "abstract", "maintainer", "license", "provides", "meta-spec", "version"):
    if key not in m:
        problems.append("missing " + key)
if m.get("meta-spec", {}).get("version") != "1.0.0":
    problems.append("meta-spec.version is not 1.0.0")
if not semver.match(m.get("version", "")):
    problems.append("version is not a semantic version")
want = current + ".0" if current.count(".") == 1 else current
if m.get("version") != want:
    problems.append("version %s, plcpp.control says %s" % (m.get("version"), current))
lic = m.get("license")
if not (lic in licenses or isinstance(lic, dict) or
        (isinstance(lic, list) and all(l in licenses for l in lic))):
    problems.append("license %r is not one of the spec's" % (lic,))
if not isinstance(m.get("maintainer"), (str, list)):
    problems.append("maintainer must be a string or a list")
if m.get("release_status", "stable") not in ("stable", "testing", "unstable"):
    problems.append("release_status")
for ext, p in m.get("provides", {}).items():
    if not os.path.exists(p.get("file", "")):
        problems.append("provides.%s.file %s does not exist" % (ext, p.get("file")))
    if not semver.match(p.get("version", "")) or p.get("version") != want:
        problems.append("provides.%s.version %s" % (ext, p.get("version")))
for phase in m.get("prereqs", {}).values():
    for rel in phase.values():
        for name, v in rel.items():
            if not (v == 0 or (isinstance(v, str) and re.match(
                    r"^\s*((==|!=|>=|<=|>|<)\s*)?\d+\.\d+\.\d+(\s*,\s*(==|!=|>=|<=|>|<)\s*"
                    r"\d+\.\d+\.\d+)*\s*$", v))):
                problems.append("prereq %s: %r is not a version range" % (name, v))
print("; ".join(problems) or "valid")
EOF
)
check "META.json is valid PGXN metadata and says version $current" "valid" "$meta"

# Packaging: `make install DESTDIR=...` stages the files pg_config's layout puts them in, and
# no installed file refers to the staging directory (a relocatable tree).
stage=$out/stage
if make -s install DESTDIR="$stage" >"$out/install.log" 2>&1; then
  missing=""
  for f in "$(pg_config --pkglibdir)/plcpp.so" "$(pg_config --pkglibdir)/plcpp_compiler.so" \
    "$(pg_config --sharedir)/extension/plcpp.control" \
    "$(pg_config --sharedir)/extension/plcpp--$PREVIOUS.sql" \
    "$(pg_config --sharedir)/extension/plcpp--$PREVIOUS--$current.sql" \
    "$(pg_config --sharedir)/extension/plcpp--$current.sql" \
    "$(pg_config --sharedir)/plcpp/include/plcpp/plcpp.hpp"; do
    [ -f "$stage$f" ] || missing="$missing $f"
  done
  check "make install DESTDIR=... stages every file" "" "$missing"
  check "no staged file refers to the staging directory" "" \
    "$(grep -rl "$stage" "$stage" 2>/dev/null)"
else
  not_ok "make install DESTDIR=..." "$(tail -5 "$out/install.log")"
fi

# 2. The scripts: the frozen previous install script and an update path to the current one.
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS plcpp_upgrade_old" \
  -c "DROP DATABASE IF EXISTS plcpp_upgrade_new" -c "CREATE DATABASE plcpp_upgrade_old" \
  -c "CREATE DATABASE plcpp_upgrade_new" >/dev/null
check "an update path $PREVIOUS -> $current is installed" "t" \
  "$(old "SELECT path IS NOT NULL FROM pg_extension_update_paths('plcpp')
           WHERE source = '$PREVIOUS' AND target = '$current'")"

# 3. A database on the previous version, with functions, a memo view and its registry row.
old "CREATE EXTENSION plcpp VERSION '$PREVIOUS'" >/dev/null
check "CREATE EXTENSION plcpp VERSION '$PREVIOUS'" "$PREVIOUS" \
  "$(old "SELECT extversion FROM pg_extension WHERE extname = 'plcpp'")"
old "CREATE TABLE annotation (group_id text, user_id int);
     INSERT INTO annotation SELECT 'g' || (i % 3), i % 5 FROM generate_series(1, 60) i;
     CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE plcpp IMMUTABLE STRICT AS \$\$
       return x + 1; \$\$;
     CREATE FUNCTION shout(s text) RETURNS text LANGUAGE plcpp AS \$\$
       if (!s) return std::nullopt;
       std::string out(*s);
       for (auto &c : out) c = std::toupper(c);
       return out; \$\$;
     CREATE FUNCTION panel(_group text) RETURNS TABLE(user_id int, n bigint)
     LANGUAGE plcpp STRICT SET search_path = public, pg_temp AS \$\$
       [[plcpp::memoize]]
       return sql(\"select user_id, count(*) from annotation where group_id = \$1 group by 1\",
                  _group);
     \$\$;" >/dev/null
before=$(old "SELECT count(*), sum(n) FROM panel('g1')")
registry_before=$(old "SELECT view_name, key, created_at, builds FROM plcpp.memo_registry")
check "the memoized function built its view on $PREVIOUS" "1|1" \
  "$(old "SELECT count(*), sum(builds) FROM plcpp.memo WHERE function LIKE 'public.panel(%'")"

# 4. ALTER EXTENSION plcpp UPDATE, and a fresh install of the current version to compare with.
check "ALTER EXTENSION plcpp UPDATE reaches $current" "$current" \
  "$(old "ALTER EXTENSION plcpp UPDATE" >/dev/null;
     old "SELECT extversion FROM pg_extension WHERE extname = 'plcpp'")"
new "CREATE EXTENSION plcpp" >/dev/null
check "CREATE EXTENSION plcpp installs $current" "$current" \
  "$(new "SELECT extversion FROM pg_extension WHERE extname = 'plcpp'")"

# The extension's members and, for each kind, what defines them (no oids: names only).
describe() { # describe DB FILE
  "${PSQL[@]}" -d "$1" -F ' | ' >"$2" 2>&1 <<'EOF'
CREATE TEMP VIEW members AS
  SELECT classid, objid, objsubid FROM pg_depend
   WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
     AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'plcpp');
\echo == members
SELECT pg_describe_object(classid, objid, objsubid) FROM members ORDER BY 1;
\echo == functions
SELECT p.oid::regprocedure, p.proacl, pg_get_functiondef(p.oid), obj_description(p.oid, 'pg_proc')
  FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
 ORDER BY 1::text;
\echo == relations
SELECT c.oid::regclass, c.relkind, c.relacl, c.relrowsecurity, c.relforcerowsecurity,
       c.reloptions, obj_description(c.oid, 'pg_class'),
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END
  FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
 ORDER BY 1::text;
\echo == columns
SELECT c.oid::regclass, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attacl
  FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 ORDER BY 1::text, 2;
\echo == constraints and indexes
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
 ORDER BY 1::text, 2;
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index
 WHERE indrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
 ORDER BY 1::text;
\echo == policies
SELECT schemaname, tablename, policyname, permissive, roles, cmd, qual, with_check
  FROM pg_policies
 WHERE (schemaname || '.' || tablename)::regclass IN
       (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
 ORDER BY 1, 2, 3;
\echo == schemas, language, event triggers, types
SELECT n.nspname, n.nspacl, obj_description(n.oid, 'pg_namespace')
  FROM members m JOIN pg_namespace n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
 ORDER BY 1;
SELECT l.lanname, l.lanpltrusted, l.lanplcallfoid::regprocedure, l.laninline::regprocedure,
       l.lanvalidator::regprocedure, l.lanacl, obj_description(l.oid, 'pg_language')
  FROM members m JOIN pg_language l ON m.classid = 'pg_language'::regclass AND l.oid = m.objid;
SELECT e.evtname, e.evtevent, e.evtfoid::regprocedure, e.evtenabled, e.evttags
  FROM members m JOIN pg_event_trigger e
    ON m.classid = 'pg_event_trigger'::regclass AND e.oid = m.objid ORDER BY 1;
SELECT t.oid::regtype, t.typtype FROM members m
  JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid ORDER BY 1::text;
\echo == configuration tables
SELECT array(SELECT unnest(extconfig)::regclass::text ORDER BY 1), extcondition, extrelocatable,
       extnamespace::regnamespace
  FROM pg_extension WHERE extname = 'plcpp';
EOF
}
describe plcpp_upgrade_old "$out/updated.txt"
describe plcpp_upgrade_new "$out/fresh.txt"
members=$(grep -c . "$out/fresh.txt")
if [ "$(sed -n '/^== members/,/^== functions/p' "$out/fresh.txt" | grep -vc '^==')" -gt 20 ] &&
  diff <(sed -n '/^== members/,/^== functions/p' "$out/fresh.txt") \
    <(sed -n '/^== members/,/^== functions/p' "$out/updated.txt") >"$out/members.diff"; then
  ok "updated and fresh installs have the same members (pg_depend 'e', pg_describe_object)"
else
  not_ok "updated and fresh installs have the same members" "$(head -20 "$out/members.diff")"
fi
if [ "$members" -gt 100 ] && diff "$out/fresh.txt" "$out/updated.txt" >"$out/all.diff"; then
  ok "... and the same definitions ($members lines: functions, views, columns, policies, grants)"
else
  not_ok "updated and fresh installs have the same definitions" \
    "$(head -40 "$out/all.diff")"
fi
if grep -qE '^psql:|ERROR:' "$out/fresh.txt" "$out/updated.txt"; then
  not_ok "describing both installs raised no error" "$(grep -m3 -E '^psql:|ERROR:' "$out"/*.txt)"
else
  ok "describing both installs raised no error"
fi

# 5. What the database held survives the update and still works.
check "plcpp functions still work after the update" "42|HELLO" \
  "$(old "SELECT add_one(41), shout('hello')")"
case "$registry_before" in
  "panel__g1_"*"|{g1}|"*"|1") registry_after=$(old "SELECT view_name, key, created_at, builds
                                                     FROM plcpp.memo_registry") ;;
  *) registry_after="(no registry row before the update: $registry_before)" ;;
esac
check "the memo registry row survived unchanged" "$registry_before" "$registry_after"
# (The memoized function sets its search_path: this build's validator requires it, issue 17,
# whatever version of the SQL objects is installed.)
check "the memoized function is served from its old view (same rows, a hit, no rebuild)" \
  "$before|1|1" \
  "$(old "SELECT count(*), sum(n) FROM panel('g1')" | tr '\n' ' ' | sed 's/ $//')|$(
     old "SELECT sum(builds), sum(hits) FROM plcpp.memo WHERE function LIKE 'public.panel(%'")"
check "a new key still builds a view after the update" "2" \
  "$(old "SELECT count(*) FROM panel('g2')" >/dev/null;
     old "SELECT count(*) FROM plcpp.memo WHERE function LIKE 'public.panel(%'")"
# (compile_all of every schema: this database has 3 plcpp functions, the regression database
# hundreds, which is why this check is here.)
check "the update's new objects work on the updated database (compile_all(): 3 functions)" \
  "3|0" "$(old "SELECT count(*), count(*) FILTER (WHERE status = 'failed') FROM plcpp.compile_all()")"

"${PSQL[@]}" -d postgres -c "DROP DATABASE plcpp_upgrade_old" \
  -c "DROP DATABASE plcpp_upgrade_new" >/dev/null 2>&1
