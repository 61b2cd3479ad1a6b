// handler/type_desc.cpp — the SQL types a function uses, described for the build (compile.h).
// May ereport; plain data only.
#include "compile.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}

#include "../jit/source.h"

namespace {

using compile_detail::type_table;

const char *get_typ_name(Oid oid) {
  HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(oid));
  if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for type %u", oid);
  const char *name = pstrdup(NameStr(reinterpret_cast<Form_pg_type>(GETSTRUCT(tup))->typname));
  ReleaseSysCache(tup);
  return name;
}

bool listed(const type_table &t, Oid oid) {
  for (int i = 0; i < t.n; ++i)
    if (t.items[i].oid == oid) return true;
  return false;
}

type_desc &append(type_table &t, Oid oid, char kind) {
  if (t.n == t.capacity) {
    t.capacity *= 2;
    t.items = static_cast<type_desc *>(repalloc(t.items, sizeof(type_desc) * t.capacity));
  }
  type_desc &d = t.items[t.n++];
  memset(&d, 0, sizeof d);
  d.oid = oid;
  d.kind = kind;
  return d;
}

void check_identifier(const char *name, const char *what, Oid type) {
  const char *why = plcpp::jit::invalid_parameter_name(name);
  if (why)
    ereport(ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("type %s cannot be used in a PL/C++ function: %s \"%s\" is not a C++ "
                    "name (%s)",
                    format_type_be(type), what, name, why),
             errhint("PL/C++ declares a struct for a composite type; rename the %s.", what)));
}

} // namespace

namespace compile_detail {

void describe(type_table &t, Oid oid, int depth) {
  if (listed(t, oid)) return;
  if (depth > 16)
    ereport(ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("type %s nests composite types too deeply for PL/C++", format_type_be(oid))));
  if (plcpp::jit::is_builtin_type(oid)) {
    append(t, oid, 'b');
    return;
  }
  char typtype = get_typtype(oid);
  if (typtype == TYPTYPE_PSEUDO)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("PL/C++ functions cannot use type %s", format_type_be(oid)),
                    errhint("Polymorphic and pseudo-types are not supported; declare a concrete "
                            "type.")));
  Oid element = get_element_type(oid);
  if (element != InvalidOid) {
    describe(t, element, depth + 1);
    append(t, oid, 'a').element = element;
    return;
  }
  if (typtype == TYPTYPE_DOMAIN) { // plcpp::domain<base's C++ type>, or text form (build.cpp)
    Oid base = getBaseType(oid);
    describe(t, base, depth + 1);
    append(t, oid, 'd').element = base;
    return;
  }
  if (typtype != TYPTYPE_COMPOSITE) { // enums, ranges, user types: text form
    append(t, oid, 't');
    return;
  }
  const char *name = get_typ_name(oid);
  check_identifier(name, "type name", oid);
  for (int i = 0; i < t.n; ++i)
    if (t.items[i].kind == 'c' && strcmp(t.items[i].name, name) == 0)
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("types %s and %s cannot both be used in one PL/C++ function",
                             format_type_be(t.items[i].oid), format_type_be(oid)),
                      errdetail("Both would be declared as struct %s.", name)));
  if (strcmp(name, "out_row") == 0 || strcmp(name, "yield") == 0)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("type %s cannot be used in a PL/C++ function: %s is a name of the "
                           "generated code (struct out_row, function yield)",
                           format_type_be(oid), name),
                    errhint("Rename the type.")));
  TupleDesc desc = lookup_rowtype_tupdesc_copy(oid, -1);
  int live = 0;
  auto **names = static_cast<const char **>(palloc0(sizeof(char *) * (desc->natts + 1)));
  auto *types = static_cast<Oid *>(palloc0(sizeof(Oid) * (desc->natts + 1)));
  auto *not_null = static_cast<bool *>(palloc0(sizeof(bool) * (desc->natts + 1)));
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute a = TupleDescAttr(desc, i);
    if (a->attisdropped) continue;
    check_identifier(NameStr(a->attname), "attribute", oid);
    describe(t, a->atttypid, depth + 1);
    names[live] = pstrdup(NameStr(a->attname));
    types[live] = a->atttypid;
    not_null[live++] = a->attnotnull;
  }
  type_desc &d = append(t, oid, 'c');
  d.name = name;
  d.array_oid = get_array_type(oid);
  d.nfields = live;
  d.field_names = names;
  d.field_types = types;
  d.field_not_null = not_null;
}

// A trigger function has no signature to declare the structs of its rows' composite columns:
// a standalone composite type (CREATE TYPE ... AS (...), in the search path) that the body
// names gets its struct, so `row.get<address>("home")` and `row.set("home", address{...})`
// work. Table row types are left out: their names are too often variable names as well.
void describe_named_composites(type_table &t, const char *body) {
  for (const char *p = body; *p;) {
    if (isdigit(static_cast<unsigned char>(*p))) { // a number, with its suffix (1e5f, 0x1Au)
      while (isalnum(static_cast<unsigned char>(*p)) || *p == '_')
        ++p;
      continue;
    }
    if (!(isalpha(static_cast<unsigned char>(*p)) || *p == '_')) {
      ++p;
      continue;
    }
    const char *start = p;
    while (isalnum(static_cast<unsigned char>(*p)) || *p == '_')
      ++p;
    if (p - start >= NAMEDATALEN) continue;
    char *name = pnstrdup(start, p - start);
    Oid oid = TypenameGetTypid(name);
    if (OidIsValid(oid) && !listed(t, oid) && get_typtype(oid) == TYPTYPE_COMPOSITE &&
        get_rel_relkind(get_typ_typrelid(oid)) == RELKIND_COMPOSITE_TYPE &&
        plcpp::jit::code_names(body, name))
      describe(t, oid, 0);
    pfree(name);
  }
}

} // namespace compile_detail
