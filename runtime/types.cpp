// runtime/types.cpp — varlena conversions the inline traits of types.hpp call into.
#include <plcpp/types.hpp>

#include "pg_call.h"

#include "pg.h"

extern "C" {
#include "utils/fmgrprotos.h"
}

namespace plcpp::detail {

std::string_view text_view(datum d) {
  auto *v = reinterpret_cast<struct varlena *>(d);
  // Compressed or out-of-line values need detoasting (palloc, may raise); others are read in
  // place, with no PG_TRY on the common path.
  if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v))
    v = pg_call([=] { return pg_detoast_datum_packed(v); });
  return {VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)};
}

datum text_datum(std::string_view s) {
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

std::string_view name_view(datum d) {
  const char *s = NameStr(*DatumGetName(d));
  return {s, strnlen(s, NAMEDATALEN)};
}

datum name_datum(std::string_view s) {
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

} // namespace plcpp::detail
