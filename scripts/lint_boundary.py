#!/usr/bin/env python3
"""scripts/lint_boundary.py — a CI check of the C/C++ boundary rules (DESIGN §5, issue 21).

pgrx gets these guarantees from Rust's type system; plcpp gets an approximation from this
script. It reads the C++ sources that include PostgreSQL headers (handler/, runtime/, memoize/,
result_cache/) and flags:

  (a) raise-under-destructors: a call of a PostgreSQL function that can ereport(ERROR) (the
      names in PG_RAISES below), made outside a pg_call / pg_cleanup lambda, in a function that
      has a local (or by-value parameter) of a C++ type with a destructor declared before it.
      An ERROR there longjmps over the frame and the destructor never runs (a leak at best,
      a lock or a half-built container left behind at worst).
  (b) string-in-noexcept: std::string construction (a declaration, std::string(...),
      std::to_string, .str(), string concatenation with a std::string) in a noexcept function
      or an extern "C" one (PG_FUNCTION_ARGS, extern "C" blocks), outside a try block:
      std::bad_alloc there is std::terminate (noexcept) or a C++ exception crossing C frames.

It is a heuristic (a brace matcher over comment- and string-stripped text, per function, no
call graph): it finds the common mistakes, not all of them, and a finding may be safe. Safe
findings go to scripts/lint_boundary.allow, one per line:

    <rule> <file>:<function>   # why it is safe (required)

Exit status 0 when every finding is allowed; 1 otherwise. Allowlist entries that match nothing
are reported (they are stale) but do not fail the check.
Usage: scripts/lint_boundary.py [--list] [files...]   (--list prints allowed findings too)
Every run first lints a built-in sample with known findings (self-test) and fails if the
heuristics no longer find exactly those.
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DIRS = ["handler", "runtime", "memoize", "result_cache"]
ALLOW = os.path.join(ROOT, "scripts", "lint_boundary.allow")

# PostgreSQL functions and macros that can raise (allocation, catalog lookups, SPI, fmgr,
# detoasting, locks, ...). Prefixes end with "\w*". Not exhaustive: extend when a new family
# of calls appears.
PG_RAISES = [
    r"ereport", r"elog", r"palloc\w*", r"repalloc\w*", r"pstrdup", r"pnstrdup", r"psprintf",
    r"MemoryContextAlloc\w*", r"MemoryContextStrdup", r"AllocSetContextCreate\w*",
    r"SPI_\w+", r"SearchSysCache\w*", r"SysCacheGetAttr\w*", r"DirectFunctionCall\w*",
    r"OidFunctionCall\w*", r"FunctionCall\d\w*", r"InputFunctionCall", r"OutputFunctionCall",
    r"ReceiveFunctionCall", r"SendFunctionCall", r"OidInputFunctionCall",
    r"OidOutputFunctionCall", r"fmgr_info\w*", r"CStringGetTextDatum", r"TextDatumGetCString",
    r"text_to_cstring\w*", r"cstring_to_text\w*", r"format_type\w*", r"format_procedure\w*",
    r"getTypeInputInfo", r"getTypeOutputInfo", r"getTypeBinary\w+Info", r"get_typlenbyval\w*",
    r"get_typtype", r"get_element_type", r"get_array_type", r"get_namespace_name\w*",
    r"get_func_\w+", r"get_call_result_type", r"get_role_oid", r"lookup_rowtype_tupdesc\w*",
    r"lookup_type_cache", r"heap_form_tuple", r"heap_modify_tuple\w*", r"heap_copytuple\w*",
    r"heap_getattr", r"heap_deform_tuple", r"construct_\w*array\w*", r"deconstruct_array\w*",
    r"makeStringInfo", r"initStringInfo", r"appendStringInfo\w*", r"appendBinaryStringInfo\w*",
    r"tuplestore_\w+", r"BlessTupleDesc", r"CreateTemplateTupleDesc", r"TupleDescInitEntry\w*",
    r"CreateTupleDescCopy\w*", r"TypeGetTupleDesc", r"InitMaterializedSRF", r"LockAcquire\w*",
    r"LockRelationOid", r"CopyErrorData", r"ReThrowError", r"PG_RE_THROW", r"pg_re_throw",
    r"ThrowErrorData", r"BeginInternalSubTransaction", r"ReleaseCurrentSubTransaction",
    r"RollbackAndReleaseCurrentSubTransaction", r"CommandCounterIncrement",
    r"GetUserNameFromId", r"getObjectIdentity\w*", r"RangeVarGetRelid\w*",
    r"stringToQualifiedNameList", r"makeRangeVarFromNameList", r"pg_detoast_datum\w*",
    r"PG_DETOAST_DATUM\w*", r"DatumGetTextPP?", r"DatumGetByteaPP?", r"DatumGetArrayTypeP\w*",
    r"lappend\w*", r"lcons\w*", r"list_make\w*", r"list_copy\w*", r"hash_create",
    r"hash_search\w*", r"CHECK_FOR_INTERRUPTS", r"pg_verify_mbstr\w*",
    r"numeric_\w+", r"int8_numeric", r"int4_numeric", r"float8_numeric", r"pq_\w+",
    r"GetCurrentTransactionId", r"SplitIdentifierString", r"ExecuteQuery\w*",
]
PG_CALL_RE = re.compile(r"(?<![\w.>:])(" + "|".join(PG_RAISES) + r")\s*\(")

# C++ types whose objects have destructors (by value: references and pointers do not count).
DTOR_TYPES = (r"(?:std::(?:string|wstring|vector|unique_ptr|shared_ptr|map|multimap|"
              r"unordered_map|set|unordered_set|function|ostringstream|stringstream|"
              r"istringstream|optional|list|deque|lock_guard|unique_lock|scoped_lock|any|"
              r"variant|filesystem::path|regex)\b(?:\s*<[^;{}]*?>)?"
              r"|plcpp::(?:sql_error|result|row|statement|cursor|record|datum|numeric)\b)")
DTOR_DECL_RE = re.compile(r"(?:^|[;{}(,]|\n)\s*(?:static\s+)?(?:const\s+)?" + DTOR_TYPES +
                          r"\s+(\w+)\s*(?:=|\{|\(|;|,|\))")

# (b): std::string built (not referenced or viewed).
STRING_BUILD_RE = re.compile(
    r"std::string\s+\w+\s*(?:=|\{|\(|;)"           # a declaration (with or without a value)
    r"|std::string\s*[({]"                          # a temporary
    r"|std::to_string\s*\("
    r"|\.str\s*\(\s*\)"
    r"|std::string\s*\(\s*\)\s*\+|\+\s*std::string\b")

PG_CALL_WRAPPERS = re.compile(r"\b(pg_call|pg_cleanup|pg_call_raw|pg_call_noexcept)\s*\(")
KEYWORDS_NOT_FUNCTIONS = re.compile(r"\b(if|for|while|switch|catch|return|do|else|sizeof)\s*$")


def strip(text):
    """Comments and string/char literal contents become spaces (newlines and lengths kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            if end < 0:
                out.append(c)
                i += 1
                continue
            end += len(m.group(1)) + 2
            out.append('R"' + re.sub(r"[^\n]", " ", text[i + 2:end - 1]) + '"')
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def match_brace(s, i, open_c="{", close_c="}"):
    depth = 0
    for j in range(i, len(s)):
        if s[j] == open_c:
            depth += 1
        elif s[j] == close_c:
            depth -= 1
            if depth == 0:
                return j
    return len(s) - 1


def functions(s):
    """Yields (name, header, body_start, body_end, extern_c) for each function definition."""
    stack = []  # extern "C" flags of the enclosing transparent scopes
    i, last = 0, 0
    n = len(s)
    extern_c = False
    while i < n:
        c = s[i]
        if c in ";":
            last = i + 1
        elif c == "}":
            if stack:
                extern_c = stack.pop()
            last = i + 1
        elif c == "{":
            header = s[last:i]
            h = header.strip()
            if re.search(r'\bextern\s*"\s*"\s*$', h) or re.match(r"(inline\s+)?namespace\b", h) \
                    or re.match(r"(template\s*<[^{]*>\s*)?(struct|class|union)\b[^=(]*$", h):
                stack.append(extern_c)
                if "extern" in h:
                    extern_c = True
                i += 1
                last = i
                continue
            m = re.search(r"([~\w:]+)\s*\(", h)
            paren = h.rfind(")")
            if m and paren > 0 and not KEYWORDS_NOT_FUNCTIONS.search(h[:m.start(1)] + m.group(1)) \
                    and not re.search(r"=\s*$", h) and not re.match(r"(enum)\b", h):
                end = match_brace(s, i)
                name = m.group(1)
                yield name, h, i, end, extern_c or bool(re.match(r'extern\s*"', h))
                i = end + 1
                last = i
                continue
            # enum, initializer, or something else: skip it whole
            i = match_brace(s, i) + 1
            last = i
            continue
        i += 1


def blank_regions(body, opener_re, with_parens=True):
    """Blanks the argument lists of calls matching opener_re (pg_call(...)) or try blocks."""
    out = list(body)
    for m in opener_re.finditer(body):
        start = m.end() - 1
        end = match_brace(body, start, "(", ")") if with_parens else match_brace(body, start)
        for k in range(start, end + 1):
            if out[k] != "\n":
                out[k] = " "
    return "".join(out)


def raises(body, paren):
    """elog/ereport at a level below ERROR returns: look at the first argument."""
    args = body[paren:match_brace(body, paren, "(", ")")]
    level = args[1:].split(",", 1)[0]
    if re.search(r"\b(ERROR|FATAL|PANIC|elevel|level)\b", level):
        return True
    return not re.search(r"\b(DEBUG[1-5]|LOG|LOG_SERVER_ONLY|COMMERROR|INFO|NOTICE|WARNING)\b",
                         level)


def line_of(s, pos):
    return s.count("\n", 0, pos) + 1


def lint_file(path, rel):
    text = open(path, encoding="utf-8").read()
    if "extern \"C\"" not in text and "pg.h" not in text and "postgres.h" not in text \
            and "plcpp.h" not in text:
        return []  # no PostgreSQL in this file
    s = strip(text)
    findings = []
    for name, header, start, end, extern_c in functions(s):
        body = s[start:end + 1]
        # (a)
        unwrapped = blank_regions(body, PG_CALL_WRAPPERS)
        params = header[header.find("("):]
        decls = [(m.start(), m.group(1)) for m in DTOR_DECL_RE.finditer(unwrapped)]
        param_dtor = [m.group(1) for m in DTOR_DECL_RE.finditer(params + ";")]
        for m in PG_CALL_RE.finditer(unwrapped):
            if m.group(1) in ("elog", "ereport") and not raises(unwrapped, m.end() - 1):
                continue
            live = [d for pos, d in decls if pos < m.start()] + param_dtor
            if live:
                findings.append(("raise-under-destructors", rel, name,
                                 line_of(s, start + m.start()),
                                 "%s() can ereport while %s is live" % (m.group(1), live[-1])))
                break  # one finding per function is enough to look at it
        # (b)
        is_noexcept = re.search(r"\)\s*(const\s*)?noexcept\s*(\(\s*true\s*\))?\s*"
                                r"(override\s*)?(->[^{]*)?$", header) is not None
        if "PG_FUNCTION_ARGS" in header:
            extern_c = True
        if is_noexcept or extern_c:
            outside_try = blank_regions(body, re.compile(r"\btry\s*\{"), with_parens=False)
            m = STRING_BUILD_RE.search(outside_try)
            if m:
                findings.append(("string-in-noexcept", rel, name, line_of(s, start + m.start()),
                                 "std::string built in %s function outside a try block" %
                                 ("a noexcept" if is_noexcept else 'an extern "C"')))
    return findings


def load_allow():
    allowed = {}
    if not os.path.exists(ALLOW):
        return allowed
    for n, line in enumerate(open(ALLOW, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entry, _, why = line.partition("#")
        parts = entry.split()
        if len(parts) != 2 or not why.strip():
            sys.exit("%s:%d: expected '<rule> <file>:<function>  # why it is safe'" % (ALLOW, n))
        allowed[(parts[0], parts[1])] = False
    return allowed


# --self-test: the check must find what it is for (and not what it is not for), so that a
# regression of the heuristics cannot turn it into a check that passes everything.
SELF_TEST = r'''
extern "C" {
PG_FUNCTION_INFO_V1(entry);
}
namespace {
// comments do not count: std::string s; palloc(1);
void leaks(int x) {
  std::string s = "x";
  char *p = pstrdup(s.c_str());                          // finding 1
}
void wrapped() {
  std::vector<int> v{1};
  plcpp::detail::pg_call([&] { return palloc(10); });  // inside pg_call: fine
}
void by_value(std::string s) { elog(ERROR, "%s", s.c_str()); }  // finding 2
void logs() { std::string s; elog(LOG, "returns"); }              // LOG returns: fine
void plain() { char *p = palloc(1); std::string late; }          // declared after: fine
int throws() noexcept { std::string s = "a"; return 1; }         // finding 3
int guarded() noexcept { try { std::string s = "a"; } catch (...) {} return 1; }  // fine
const char *text = "void z() { std::string s; palloc(1); }";     // a literal: fine
}
Datum entry(PG_FUNCTION_ARGS) { auto t = std::to_string(3); PG_RETURN_NULL(); }  // finding 4
struct S { void m() { std::map<int, int> m; SPI_connect(); } };  // finding 5
'''
SELF_TEST_EXPECTED = {("raise-under-destructors", "leaks"), ("raise-under-destructors", "by_value"),
                      ("string-in-noexcept", "throws"), ("string-in-noexcept", "entry"),
                      ("raise-under-destructors", "m")}


def self_test():
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(SELF_TEST)
    try:
        got = {(rule, fn) for rule, _, fn, _, _ in lint_file(f.name, "self_test.cpp")}
    finally:
        os.unlink(f.name)
    if got != SELF_TEST_EXPECTED:
        print("lint_boundary: self-test FAILED: missed %s, wrongly flagged %s" %
              (sorted(SELF_TEST_EXPECTED - got), sorted(got - SELF_TEST_EXPECTED)))
        return False
    return True


def main(argv):
    if not self_test():
        return 1
    show_all = "--list" in argv
    files = [a for a in argv if not a.startswith("--")]
    explicit = bool(files)
    if not files:
        for d in DIRS:
            for dirpath, _, names in os.walk(os.path.join(ROOT, d)):
                files += [os.path.join(dirpath, f) for f in sorted(names) if f.endswith(".cpp")]
    allowed = load_allow()
    bad = ok = 0
    for path in sorted(files):
        rel = os.path.relpath(os.path.abspath(path), ROOT)
        for rule, f, fn, line, msg in lint_file(path, rel):
            key = (rule, "%s:%s" % (f, fn))
            if key in allowed:
                allowed[key] = True
                ok += 1
                if show_all:
                    print("%s:%d: %s: %s [%s, allowed]" % (f, line, fn, msg, rule))
            else:
                bad += 1
                print("%s:%d: %s: %s [%s]" % (f, line, fn, msg, rule))
    for (rule, where), used in allowed.items():
        if not used and not explicit:
            print("lint_boundary: stale allowlist entry (matches nothing): %s %s" % (rule, where))
    print("lint_boundary: %d finding(s), %d allowed" % (bad, ok))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
