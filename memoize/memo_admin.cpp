// memoize/memo_admin.cpp — SQL functions over memo hit counters (memoize/memoize.cpp counts
// a hit by appending one byte to <plcpp.cache_dir>/memo/<database oid>/<view>.hits):
// plcpp.memo_hits() behind the plcpp.memo view, and plcpp.memo_forget_hits() for purges.
// Plain C over PostgreSQL's file API (AllocateDir, which ereports and cleans up on error).
#include "../handler/plcpp.h"

#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include "catalog/namespace.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(plcpp_memo_hits);
PG_FUNCTION_INFO_V1(plcpp_memo_forget_hits);
}

static void hits_dir(char *path, size_t size) {
  snprintf(path, size, "%s/memo/%u", plcpp_cache_dir, MyDatabaseId);
}

// memo_hits(OUT view_name name, OUT hits bigint, OUT last_hit timestamptz)
Datum plcpp_memo_hits(PG_FUNCTION_ARGS) {
  InitMaterializedSRF(fcinfo, 0);
  auto *rsi = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
  char dir_path[MAXPGPATH];
  hits_dir(dir_path, sizeof dir_path);
  DIR *dir = AllocateDir(dir_path);
  if (!dir && errno == ENOENT) return (Datum)0; // no hit yet
  struct dirent *de;
  while ((de = ReadDir(dir, dir_path)) != nullptr) {
    size_t len = strlen(de->d_name);
    if (len <= 5 || len - 5 >= NAMEDATALEN || strcmp(de->d_name + len - 5, ".hits") != 0) continue;
    char path[MAXPGPATH];
    snprintf(path, sizeof path, "%s/%s", dir_path, de->d_name);
    struct stat st;
    if (stat(path, &st) != 0) continue; // purged meanwhile
    NameData name;
    memset(&name, 0, sizeof name);
    memcpy(NameStr(name), de->d_name, len - 5);
    Datum values[3] = {NameGetDatum(&name), Int64GetDatum(static_cast<int64>(st.st_size)),
                       TimestampTzGetDatum(time_t_to_timestamptz(st.st_mtime))};
    bool nulls[3] = {false, false, false};
    tuplestore_putvalues(rsi->setResult, rsi->setDesc, values, nulls);
  }
  FreeDir(dir);
  return (Datum)0;
}

// memo_forget_hits(schema_name name, view_name name): removes the counter of a view that no
// longer exists (a live view's counter is kept, whoever asks).
Datum plcpp_memo_forget_hits(PG_FUNCTION_ARGS) {
  const char *schema = NameStr(*PG_GETARG_NAME(0));
  const char *view = NameStr(*PG_GETARG_NAME(1));
  Oid ns = get_namespace_oid(schema, true);
  if (OidIsValid(ns) && OidIsValid(get_relname_relid(view, ns))) PG_RETURN_VOID();
  if (strchr(view, '/') || strcmp(view, "..") == 0) PG_RETURN_VOID();
  char dir_path[MAXPGPATH], path[MAXPGPATH];
  hits_dir(dir_path, sizeof dir_path);
  snprintf(path, sizeof path, "%s/%s.hits", dir_path, view);
  (void)unlink(path);
  PG_RETURN_VOID();
}
