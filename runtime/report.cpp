// runtime/report.cpp — a message and its fields as one ereport (see report.h). Its own file, so
// that the LOCATION clients see in verbose mode (report.cpp:line) does not move with edits to
// the code around it.
#include "report.h"

#include "pg.h"

namespace plcpp::detail {

void ereport_with_fields(int elevel, const report_text &r) {
  auto set = [](const char *s) { return s && *s; };
  const char *s = r.sqlstate;
  ereport(elevel,
          (s ? errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])) : 0,
           errmsg_internal("%s", r.message), set(r.detail) ? errdetail_internal("%s", r.detail) : 0,
           set(r.hint) ? errhint("%s", r.hint) : 0,
           set(r.schema) ? err_generic_string(PG_DIAG_SCHEMA_NAME, r.schema) : 0,
           set(r.table) ? err_generic_string(PG_DIAG_TABLE_NAME, r.table) : 0,
           set(r.column) ? err_generic_string(PG_DIAG_COLUMN_NAME, r.column) : 0,
           set(r.datatype) ? err_generic_string(PG_DIAG_DATATYPE_NAME, r.datatype) : 0,
           set(r.constraint) ? err_generic_string(PG_DIAG_CONSTRAINT_NAME, r.constraint) : 0));
}

} // namespace plcpp::detail
