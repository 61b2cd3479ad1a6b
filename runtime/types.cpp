// runtime/types.cpp — the conversions the inline traits of types.hpp call into: varlena
// values, assignment casts, type I/O, and the errors of failed conversions.
#include <plcpp/datetime.hpp>
#include <plcpp/oids.hpp>
#include <plcpp/types.hpp>

#include <plcpp/spi.hpp>

#include "assign.h"
#include "pg_call.h"

#include "pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
}

namespace plcpp::detail {

static_assert(oids::bool_ == BOOLOID && oids::bytea == BYTEAOID && oids::name == NAMEOID &&
              oids::int8 == INT8OID && oids::int2 == INT2OID && oids::int4 == INT4OID &&
              oids::text == TEXTOID && oids::oid == OIDOID && oids::json == JSONOID &&
              oids::float4 == FLOAT4OID && oids::float8 == FLOAT8OID &&
              oids::unknown == UNKNOWNOID && oids::bpchar == BPCHAROID &&
              oids::varchar == VARCHAROID && oids::date == DATEOID && oids::time == TIMEOID &&
              oids::timestamp == TIMESTAMPOID && oids::timestamptz == TIMESTAMPTZOID &&
              oids::interval == INTERVALOID && oids::numeric == NUMERICOID &&
              oids::uuid == UUIDOID && oids::record == RECORDOID && oids::jsonb == JSONBOID);
static_assert(oids::bool_array == BOOLARRAYOID && oids::bytea_array == BYTEAARRAYOID &&
              oids::name_array == NAMEARRAYOID && oids::int2_array == INT2ARRAYOID &&
              oids::int4_array == INT4ARRAYOID && oids::text_array == TEXTARRAYOID &&
              oids::int8_array == INT8ARRAYOID && oids::float4_array == FLOAT4ARRAYOID &&
              oids::float8_array == FLOAT8ARRAYOID && oids::oid_array == OIDARRAYOID &&
              oids::json_array == JSONARRAYOID && oids::bpchar_array == BPCHARARRAYOID &&
              oids::varchar_array == VARCHARARRAYOID && oids::date_array == DATEARRAYOID &&
              oids::time_array == TIMEARRAYOID && oids::timestamp_array == TIMESTAMPARRAYOID &&
              oids::timestamptz_array == TIMESTAMPTZARRAYOID &&
              oids::interval_array == INTERVALARRAYOID && oids::numeric_array == NUMERICARRAYOID &&
              oids::uuid_array == UUIDARRAYOID && oids::jsonb_array == JSONBARRAYOID &&
              oids::record_array == RECORDARRAYOID);

namespace {

struct varlena *detoasted(raw_datum d) {
  auto *v = reinterpret_cast<struct varlena *>(d);
  // Compressed or out-of-line values need detoasting (palloc, may raise); others are read in
  // place, with no PG_TRY on the common path.
  if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v))
    v = pg_call([=] { return pg_detoast_datum_packed(v); });
  return v;
}

std::string type_name(Oid type) {
  const char *name = pg_call([=] { return format_type_be(type); });
  return name;
}

// One assignment-cast pathway, cached per (from, to) pair for the backend.
struct coercion {
  Oid from = InvalidOid, to = InvalidOid;
  CoercionPathType path;
  FmgrInfo func;
};
constexpr int coercion_cache_size = 32;
coercion coercion_cache[coercion_cache_size];
int coercion_next = 0;

const coercion &find_coercion(Oid from, Oid to) {
  for (const auto &c : coercion_cache)
    if (c.from == from && c.to == to) return c;
  coercion &c = coercion_cache[coercion_next];
  coercion_next = (coercion_next + 1) % coercion_cache_size;
  c.from = InvalidOid;
  Oid funcid = InvalidOid;
  CoercionPathType path = pg_call([&] {
    CoercionPathType p = find_coercion_pathway(getBaseType(to), from, COERCION_ASSIGNMENT, &funcid);
    if (p == COERCION_PATH_FUNC) fmgr_info_cxt(funcid, &c.func, TopMemoryContext);
    return p;
  });
  if (path == COERCION_PATH_NONE)
    throw sql_error(
        "42804", "cannot convert a value of type " + type_name(from) + " to type " + type_name(to),
        "PostgreSQL has no assignment cast between them.",
        "Read or pass the value as a C++ type that matches the SQL type.");
  c.path = path;
  c.to = to;
  c.from = from;
  return c;
}

} // namespace

std::string_view text_view(raw_datum d) {
  struct varlena *v = detoasted(d);
  return {VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)};
}

raw_datum text_datum(std::string_view s) {
  const char *data = s.data();
  int len = static_cast<int>(s.size());
  if (s.size() > MaxAllocSize - VARHDRSZ)
    throw sql_error("54000", "string of " + std::to_string(s.size()) +
                                 " bytes is too long for a text value");
  // Rejects NUL bytes and invalid encoding with the server's own message (SQLSTATE 22021).
  return pg_call([=] {
    pg_verifymbstr(data, len, false);
    return PointerGetDatum(cstring_to_text_with_len(data, len));
  });
}

bool is_composite_type(Oid type) {
  return type == RECORDOID || pg_call([=] { return type_is_rowtype(type); });
}

std::string_view name_view(raw_datum d) {
  const char *s = NameStr(*DatumGetName(d));
  return {s, strnlen(s, NAMEDATALEN)};
}

raw_datum name_datum(std::string_view s) {
  const char *data = s.data();
  int len = static_cast<int>(s.size());
  return pg_call([=] {
    pg_verifymbstr(data, len, false);
    // name is fixed-width: truncate at a character boundary, as namein does.
    int clipped = pg_mbcliplen(data, len, NAMEDATALEN - 1);
    Name n = static_cast<Name>(palloc0(NAMEDATALEN));
    memcpy(NameStr(*n), data, clipped);
    return NameGetDatum(n);
  });
}

std::span<const std::byte> bytea_view(raw_datum d) {
  struct varlena *v = detoasted(d);
  return {reinterpret_cast<const std::byte *>(VARDATA_ANY(v)), VARSIZE_ANY_EXHDR(v)};
}

raw_datum bytea_datum(std::span<const std::byte> s) {
  if (s.size() > MaxAllocSize - VARHDRSZ)
    throw sql_error("54000", "bytea value of " + std::to_string(s.size()) + " bytes is too long");
  const std::byte *data = s.data();
  size_t len = s.size();
  return pg_call([=] {
    auto *v = static_cast<bytea *>(palloc(len + VARHDRSZ));
    SET_VARSIZE(v, len + VARHDRSZ);
    memcpy(VARDATA(v), data, len);
    return PointerGetDatum(v);
  });
}

raw_datum fixed_datum(const void *data, std::size_t size) {
  return pg_call([=] {
    void *p = palloc(size);
    memcpy(p, data, size);
    return PointerGetDatum(p);
  });
}

raw_datum coerce(raw_datum d, Oid from, Oid to) {
  if (from == to) return d;
  const coercion &c = find_coercion(from, to);
  switch (c.path) {
  case COERCION_PATH_RELABELTYPE:
    break;
  case COERCION_PATH_FUNC: {
    const FmgrInfo *f = &c.func;
    // Length-coercion functions take (value, typmod, explicit); others ignore extra args.
    d = pg_call([=] {
      return FunctionCall3(const_cast<FmgrInfo *>(f), d, Int32GetDatum(-1), BoolGetDatum(false));
    });
    break;
  }
  default: // via text I/O (also array coercions, element by element through the text form)
    d = input_text(output_text(d, from), to);
    return d;
  }
  // A domain target still needs what the domain adds to its base type: the base typmod (a
  // domain over varchar(3): 22001) and its NOT NULL and CHECK constraints, checked as an
  // assignment does (assign.h; was a round trip through the text form, 1.2 us a value).
  std::int32_t typmod = -1;
  Oid base = pg_call([&] { return getBaseTypeAndTypmod(to, &typmod); });
  if (base != to) {
    d = assign_checks(d, false, base, typmod);
    d = assign_checks(d, false, to, -1);
  }
  return d;
}

Oid base_type(Oid type) {
  return pg_call([=] { return getBaseType(type); });
}

std::string output_text(raw_datum d, Oid type) {
  scratch_scope scratch; // the C string is copied out, then freed with the scratch memory
  const char *s = pg_call([=] {
    Oid func;
    bool varlena;
    getTypeOutputInfo(type, &func, &varlena);
    return OidOutputFunctionCall(func, d);
  });
  return s;
}

raw_datum input_text(std::string_view s, Oid type) {
  std::string text(s); // NUL-terminated
  const char *data = text.c_str();
  int len = static_cast<int>(text.size());
  return pg_call([=] {
    pg_verifymbstr(data, len, false);
    Oid func, ioparam;
    getTypeInputInfo(type, &func, &ioparam);
    return OidInputFunctionCall(func, const_cast<char *>(data), ioparam, -1);
  });
}

void throw_null_into(const char *cpp_type, const place &where) {
  std::string what = where.kind;
  if (!where.name.empty()) what += " \"" + std::string(where.name) + "\"";
  throw sql_error("22004", "null value in " + what + " cannot be read as " + cpp_type, "",
                  std::string("Read it as std::optional<") + cpp_type +
                      ">, or test is_null() first.");
}

void throw_datetime_out_of_range(Oid type) {
  throw sql_error("22008", type_name(type) + " out of range");
}

void throw_result_out_of_range(const char *from, const char *to) {
  throw sql_error("22003", std::string("value out of range: the ") + from +
                               " returned does not fit the function's " + to + " result");
}

void throw_out_of_range(const char *cpp_type, Oid sql_type) {
  throw sql_error("22003", std::string("value out of range converting between ") + cpp_type +
                               " and SQL type " + type_name(sql_type));
}

} // namespace plcpp::detail
