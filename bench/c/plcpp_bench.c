/*
 * plcpp_bench.c — the benchmark workloads as native C functions (bench/c/Makefile).
 * The reference every other language is compared with: no interpreter, no conversions
 * beyond the fmgr's, no interrupt checks in the loops (as most C extensions).
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "common/md5.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

/* Call overhead: identity, declared VOLATILE, STABLE and IMMUTABLE by the workload. */
PG_FUNCTION_INFO_V1(bench_c_identity);
Datum
bench_c_identity(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_INT32(0));
}

static int32
fib(int32 n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/* CPU: recursive fib(n). */
PG_FUNCTION_INFO_V1(bench_c_fib);
Datum
bench_c_fib(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(fib(PG_GETARG_INT32(0)));
}

/* CPU: sum of (i * i) % 7 for i in 1..n. */
PG_FUNCTION_INFO_V1(bench_c_arith);
Datum
bench_c_arith(PG_FUNCTION_ARGS)
{
	int64		n = PG_GETARG_INT64(0);
	int64		s = 0;

	for (int64 i = 1; i <= n; i++)
		s += (i * i) % 7;
	PG_RETURN_INT64(s);
}

/*
 * Strings: upper(reverse(s)) of an md5 hex string (ASCII, so bytes are characters and
 * upper-casing needs no locale).
 */
PG_FUNCTION_INFO_V1(bench_c_str);
Datum
bench_c_str(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	const char *src = VARDATA_ANY(in);
	int			len = VARSIZE_ANY_EXHDR(in);
	text	   *out = (text *) palloc(VARHDRSZ + len);
	char	   *p = VARDATA(out);

	SET_VARSIZE(out, VARHDRSZ + len);
	for (int k = 0; k < len; k++)
	{
		char		c = src[len - 1 - k];

		p[k] = (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
	}
	PG_RETURN_TEXT_P(out);
}

/*
 * SPI: n prepared point lookups of bench_kv (keys 1..rows), the plan prepared once per
 * backend and kept (SPI_keepplan), read-only as a STABLE function's queries are.
 */
PG_FUNCTION_INFO_V1(bench_c_lookups);
Datum
bench_c_lookups(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	int32		n = PG_GETARG_INT32(0);
	int32		rows = PG_GETARG_INT32(1);
	int64		sum = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan == NULL)
	{
		Oid			argtype = INT4OID;
		SPIPlanPtr	p = SPI_prepare("SELECT v FROM bench_kv WHERE k = $1", 1, &argtype);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		plan = p;
	}
	for (int32 i = 0; i < n; i++)
	{
		Datum		key = Int32GetDatum(i % rows + 1);
		bool		isnull;
		Datum		v;

		if (SPI_execute_plan(plan, &key, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "lookup of key %d failed", i % rows + 1);
		v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull)
			sum += DatumGetInt32(v);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_finish();
	PG_RETURN_INT64(sum);
}

/* Set-returning: rows (i, i % 7) for i in 1..n, materialize mode (a tuplestore). */
PG_FUNCTION_INFO_V1(bench_c_srf);
Datum
bench_c_srf(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		n = PG_GETARG_INT32(0);

	InitMaterializedSRF(fcinfo, 0);
	for (int32 i = 1; i <= n; i++)
	{
		Datum		values[2] = {Int32GetDatum(i), Int32GetDatum(i % 7)};
		bool		nulls[2] = {false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
