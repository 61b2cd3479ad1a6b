// runtime/quote.cpp — quote_ident / quote_literal through the server's own functions.
#include <plcpp/quote.hpp>

#include "pg_call.h"

#include "pg.h"

namespace plcpp {
namespace {

// A NUL-terminated copy of s, checked as the server checks any text it receives: valid in
// the database encoding, no NUL byte (22021). A NUL would otherwise cut the quoted string
// short without a word.
std::string checked_text(std::string_view s) {
  std::string copy(s);
  const char *data = copy.c_str();
  int len = static_cast<int>(copy.size());
  if (copy.size() > MaxAllocSize / 2 - 3)
    throw sql_error("54000",
                    "string of " + std::to_string(s.size()) + " bytes is too long to quote");
  detail::pg_call([=] { pg_verifymbstr(data, len, false); });
  return copy;
}

// Copies a palloc'd result out and frees it: a loop of a million quotes leaves no garbage in
// the call's memory.
std::string take(char *p) {
  std::string out(p);
  detail::pg_call([=] { pfree(p); });
  return out;
}

} // namespace

std::string quote_ident(std::string_view name) {
  std::string text = checked_text(name);
  const char *in = text.c_str();
  const char *q = detail::pg_call([=] { return quote_identifier(in); });
  if (q == in) return text; // nothing to quote: the server returned its argument
  return take(const_cast<char *>(q));
}

std::string quote_literal(std::string_view value) {
  std::string text = checked_text(value);
  const char *in = text.c_str();
  return take(detail::pg_call([=] { return quote_literal_cstr(in); }));
}

namespace detail {

std::string cast_text(raw_datum d, Oid type) {
  return std::string(text_view(coerce(d, type, oids::text)));
}

} // namespace detail
} // namespace plcpp
