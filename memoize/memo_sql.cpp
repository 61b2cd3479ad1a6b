// memoize/memo_sql.cpp — a memo view's query: sql(...)'s text with its parameters bound as
// quoted literals (DESIGN §2, step 4), because CREATE MATERIALIZED VIEW takes no parameters.
//
// The $n to replace are found by PostgreSQL's own lexer (the scanner the parser uses, with the
// session's standard_conforming_strings), so a "$1" inside a string, a quoted identifier, a
// comment or a dollar-quoted body is left alone. Each value goes through its type's output
// function and quote_literal, then is cast back to its type: whatever a key contains, it is
// data, never SQL.
#include "memoize.h"

extern "C" {
#include "lib/stringinfo.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace plcpp::detail {

char *memo_bind_literals(const char *src, int n, const Oid *types, const raw_datum *values,
                         const char *nulls) {
  core_yy_extra_type extra;
  core_yyscan_t scanner = scanner_init(src, &extra, &ScanKeywords, ScanKeywordTokens);
  StringInfoData out;
  initStringInfo(&out);
  int copied = 0; // bytes of src already in out
  for (;;) {
    core_YYSTYPE value;
    int location;
    int token = core_yylex(&value, &location, scanner);
    if (token == 0) break;
    if (token != PARAM) continue;
    int number = value.ival;
    if (number < 1 || number > n)
      ereport(ERROR,
              (errcode(ERRCODE_UNDEFINED_PARAMETER), errmsg("there is no parameter $%d", number),
               errdetail("The query of the memoized function has %d parameter%s.", n,
                         n == 1 ? "" : "s")));
    int end = location + 1; // past '$' and the digits
    while (src[end] >= '0' && src[end] <= '9')
      ++end;
    appendBinaryStringInfo(&out, src + copied, location - copied);
    copied = end;
    int i = number - 1;
    Oid type = types[i];
    appendStringInfoChar(&out, '(');
    if (nulls[i] == 'n') {
      appendStringInfoString(&out, "NULL");
    } else if (type == UNKNOWNOID) { // an untyped literal: the query decides its type
      appendStringInfoString(&out, quote_literal_cstr(DatumGetCString(values[i])));
    } else {
      Oid output;
      bool varlena;
      getTypeOutputInfo(type, &output, &varlena);
      appendStringInfoString(
          &out, quote_literal_cstr(OidOutputFunctionCall(output, static_cast<Datum>(values[i]))));
    }
    if (type != UNKNOWNOID) appendStringInfo(&out, "::%s", format_type_be_qualified(type));
    appendStringInfoChar(&out, ')');
  }
  scanner_finish(scanner);
  appendStringInfoString(&out, src + copied);
  return out.data;
}

} // namespace plcpp::detail
