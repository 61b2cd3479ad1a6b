// handler/build_attributes.cpp — the attributes a function may carry ([[plcpp::memoize]],
// [[plcpp::result_cache]]), parsed by jit/attributes.cpp and checked here against the body's
// signature (build_input); what needs the catalog is checked by compile_attributes.cpp.
// No PostgreSQL header, like build.cpp; it stays in handler/ because it fills build.h's types.
#include "build_internal.h"

#include <cstring>

using namespace build_detail;

namespace {

// The options of [[plcpp::memoize(...)]] (DESIGN §2), checked here where only the body and
// the signature are needed; ttl and grant are checked by compile_attributes.cpp against the
// catalog.
const char *const memoize_options[] = {"ttl", "grant", "key", "refresh", "invalidate"};

plcpp::jit::diagnostic attribute_error(const plcpp::jit::attribute &a, std::string message) {
  plcpp::jit::diagnostic d;
  d.in_body = true;
  d.line = a.line;
  d.column = a.column;
  d.message = std::move(message);
  return d;
}

// key = "a, b": argument names (or $1, $2 for unnamed ones) -> argument indices.
bool parse_key(const plcpp::jit::attribute &a, const std::string &list, const build_input &in,
               std::vector<int> &indices) {
  std::string names;
  for (int i = 0; i < in.nargs; ++i)
    names += (i ? ", " : "") +
             (in.arg_names[i][0] ? std::string(in.arg_names[i]) : "$" + std::to_string(i + 1));
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(pos, comma - pos);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    int found = -1;
    for (int i = 0; i < in.nargs && found < 0; ++i)
      if (item == in.arg_names[i] || item == "$" + std::to_string(i + 1)) found = i;
    if (found < 0) {
      report.diagnostics.push_back(
          attribute_error(a, "plcpp::memoize(key = \"" + list + "\"): \"" + item +
                                 "\" is not an argument of the function (arguments: " +
                                 (names.empty() ? "none" : names) + ")"));
      return false;
    }
    for (int k : indices)
      if (k == found) {
        report.diagnostics.push_back(attribute_error(a, "plcpp::memoize(key = \"" + list +
                                                            "\") names \"" + item + "\" twice"));
        return false;
      }
    indices.push_back(found);
    pos = comma + 1;
  }
  return true;
}

bool check_memoize(const plcpp::jit::attribute &a, const build_input &in) {
  if (in.kind != build_kind::set_returning) {
    report.diagnostics.push_back(attribute_error(
        a, "plcpp::memoize needs a set-returning function (RETURNS SETOF ... or RETURNS TABLE "
           "(...)) whose body returns sql(...)"));
    memcpy(report.sqlstate, "42P13", 6);
    return false;
  }
  if (!in.is_volatile) {
    report.diagnostics.push_back(
        attribute_error(a, "plcpp::memoize needs a VOLATILE function: its first call with a new "
                           "key creates a materialized view"));
    memcpy(report.sqlstate, "42P13", 6);
    return false;
  }
  memo.on = true;
  memo.line = a.line;
  memo.column = a.column;
  for (int i = 0; i < in.nargs; ++i)
    memo.key_args.push_back(i);
  for (const auto &o : a.options) {
    bool known = false;
    for (const char *k : memoize_options)
      known = known || o.name == k;
    if (!known) {
      report.diagnostics.push_back(
          attribute_error(a, "unknown option \"" + o.name +
                                 "\" of plcpp::memoize (options: ttl, grant, key, refresh, "
                                 "invalidate)"));
      return false;
    }
    if (o.name == "key") {
      memo.key_args.clear();
      if (!parse_key(a, o.value, in, memo.key_args)) return false;
    } else if (o.name == "refresh") {
      if (o.value != "concurrently" && o.value != "exclusive") {
        report.diagnostics.push_back(attribute_error(
            a, "plcpp::memoize(refresh = \"" + o.value +
                   "\"): expected \"exclusive\" (the default) or \"concurrently\""));
        return false;
      }
      memo.refresh_concurrently = o.value == "concurrently";
    } else if (o.name == "invalidate") {
      if (o.value != "never" && o.value != "on_change") {
        report.diagnostics.push_back(
            attribute_error(a, "plcpp::memoize(invalidate = \"" + o.value +
                                   "\"): expected \"never\" (the default) or \"on_change\""));
        return false;
      }
      memo.on_change = o.value == "on_change";
    } else if (o.name == "ttl") {
      memo.ttl = o.value;
    } else if (o.name == "grant") {
      memo.grant = o.value;
    }
  }
  return true;
}

// [[plcpp::result_cache]] (DESIGN §3): on a function that returns one value and does not
// change the database, so that its result depends only on its arguments and what it reads.
bool check_result_cache(const plcpp::jit::attribute &a, const build_input &in) {
  auto refuse = [&](const std::string &message, const char *sqlstate) {
    report.diagnostics.push_back(attribute_error(a, message));
    memcpy(report.sqlstate, sqlstate, 6);
    return false;
  };
  if (in.kind != build_kind::scalar)
    return refuse(
        "plcpp::result_cache needs a function that returns one value (not a set-returning "
        "or trigger function); set-returning functions can use plcpp::memoize",
        "42P13");
  if (in.is_volatile)
    return refuse("plcpp::result_cache needs a STABLE or IMMUTABLE function: the result of a "
                  "VOLATILE one may change between calls with the same arguments",
                  "42P13");
  if (in.result_type == 0 && !in.out_row)
    return refuse("plcpp::result_cache needs a function that returns a value (not void)", "42P13");
  if (in.result_type == 2249 && !in.out_row) // RECORDOID
    return refuse("plcpp::result_cache cannot cache an anonymous record (RETURNS record): its "
                  "row type is the caller's column definition list; declare OUT parameters or "
                  "return a named composite type",
                  "42P13");
  if (memo.on) return refuse("plcpp::result_cache and plcpp::memoize cannot be combined", "42P13");
  result_cache.on = true;
  result_cache.line = a.line;
  result_cache.column = a.column;
  for (const auto &o : a.options) {
    if (o.name != "relies_on") {
      report.diagnostics.push_back(attribute_error(
          a, "unknown option \"" + o.name + "\" of plcpp::result_cache (options: relies_on)"));
      return false;
    }
    result_cache.relies_on = o.value;
  }
  return true;
}

} // namespace

namespace build_detail {

// Attributes a function may carry; anything else is rejected at its own position rather than
// silently ignored.
bool check_attributes(const std::vector<plcpp::jit::attribute> &attrs, const build_input &in) {
  bool ok = true;
  for (const auto &a : attrs) {
    if (a.name == "memoize") {
      if (memo.on) {
        report.diagnostics.push_back(attribute_error(a, "plcpp::memoize is given twice"));
        ok = false;
      } else {
        ok = check_memoize(a, in) && ok;
      }
    } else if (a.name == "result_cache") {
      if (result_cache.on) {
        report.diagnostics.push_back(attribute_error(a, "plcpp::result_cache is given twice"));
        ok = false;
      } else {
        ok = check_result_cache(a, in) && ok;
      }
    } else {
      report.diagnostics.push_back(
          attribute_error(a, "unknown attribute plcpp::" + a.name +
                                 " (known attributes: plcpp::memoize, plcpp::result_cache)"));
      ok = false;
    }
  }
  return ok;
}

} // namespace build_detail
