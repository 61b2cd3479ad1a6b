// runtime/numeric.cpp — plcpp::numeric arithmetic with the server's numeric functions.
#include <plcpp/numeric.hpp>
#include <plcpp/spi.hpp>

#include "pg_call.h"

#include "pg.h"

extern "C" {
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
}

namespace plcpp::detail {
namespace {

Datum parse(const std::string &text) {
  const char *s = text.c_str();
  return pg_call([=] {
    return DirectFunctionCall3(numeric_in, CStringGetDatum(s), ObjectIdGetDatum(InvalidOid),
                               Int32GetDatum(-1));
  });
}

std::string print(Datum d) {
  const char *s = pg_call([=] { return DatumGetCString(DirectFunctionCall1(numeric_out, d)); });
  return s;
}

} // namespace

std::string numeric_canonical(std::string_view text) {
  scratch_scope scratch; // intermediate Datums are freed when the value is copied out
  return print(parse(std::string(text)));
}

std::string numeric_from_double(double v) {
  scratch_scope scratch; // intermediate Datums are freed when the value is copied out
  return print(pg_call([=] { return DirectFunctionCall1(float8_numeric, Float8GetDatum(v)); }));
}

std::string numeric_binary(char op, const std::string &a, const std::string &b) {
  scratch_scope scratch; // intermediate Datums are freed when the value is copied out
  Datum x = parse(a), y = parse(b);
  PGFunction f = op == '+'   ? numeric_add
                 : op == '-' ? numeric_sub
                 : op == '*' ? numeric_mul
                 : op == '/' ? numeric_div
                             : numeric_mod;
  return print(pg_call([=] { return DirectFunctionCall2(f, x, y); }));
}

int numeric_compare(const std::string &a, const std::string &b) {
  scratch_scope scratch; // intermediate Datums are freed when the value is copied out
  Datum x = parse(a), y = parse(b);
  return pg_call([=] { return DatumGetInt32(DirectFunctionCall2(numeric_cmp, x, y)); });
}

double numeric_to_double(const std::string &a) {
  scratch_scope scratch; // intermediate Datums are freed when the value is copied out
  Datum x = parse(a);
  return pg_call([=] { return DatumGetFloat8(DirectFunctionCall1(numeric_float8, x)); });
}

std::int64_t numeric_to_int64(const std::string &a) {
  scratch_scope scratch; // intermediate Datums are freed when the value is copied out
  Datum x = parse(a);
  return pg_call([=] { return DatumGetInt64(DirectFunctionCall1(numeric_int8, x)); });
}

} // namespace plcpp::detail
