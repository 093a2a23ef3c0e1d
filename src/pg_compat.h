/*-------------------------------------------------------------------------
 *
 * pg_compat.h
 *	  Small shims for PostgreSQL APIs that differ between the majors
 *	  sslinfo_ext builds on (14 to 19).
 *
 * Contract: each shim has the name and behaviour of the newest API, so
 * code calls the modern name everywhere.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/pg_compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_PG_COMPAT_H
#define SSLINFO_EXT_PG_COMPAT_H

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"

#if PG_VERSION_NUM < 150000
/*
 * PostgreSQL 15 added InitMaterializedSRF(); this is its 14 equivalent for
 * the flags value 0 (the only one sslinfo_ext uses).
 */
static inline void
InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcontext;
	TupleDesc	tupdesc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcontext);
}
#endif

#endif							/* SSLINFO_EXT_PG_COMPAT_H */
