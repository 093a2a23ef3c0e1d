/*-------------------------------------------------------------------------
 *
 * guc_records.c
 *	  PostgreSQL's GUC records, reached through utils/guc_tables.h; see
 *	  guc_records.h for the contract and the per-major notes.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/guc_records.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"
#include "utils/guc_tables.h"

#include "guc_records.h"

/* A string record's own fields: a union member from 19, a subclass before */
#if PG_VERSION_NUM >= 190000
#define STRING_FIELDS(rec)	(&(rec)->_string)
#else
#define STRING_FIELDS(rec)	((struct config_string *) (rec))
#endif

GucRecord *
guc_records_find_string(const char *name)
{
	struct config_generic *rec = NULL;

#if PG_VERSION_NUM >= 160000
	rec = find_option(name, false, true, LOG);
#else
	struct config_generic **vars = get_guc_variables();
	int			nvars = GetNumConfigOptions();

	for (int i = 0; i < nvars; i++)
	{
		if (pg_strcasecmp(vars[i]->name, name) == 0)
		{
			rec = vars[i];
			break;
		}
	}
#endif
	if (rec == NULL || rec->vartype != PGC_STRING)
		return NULL;
	return rec;
}

GucStringCheckHook
guc_records_chain_check_hook(GucRecord *rec, GucStringCheckHook hook)
{
	GucStringCheckHook previous = STRING_FIELDS(rec)->check_hook;

	STRING_FIELDS(rec)->check_hook = hook;
	return previous;
}

const char *
guc_records_boot_value(const GucRecord *rec)
{
	return STRING_FIELDS(rec)->boot_val;
}

GucSource
guc_records_source(const GucRecord *rec)
{
	return rec->source;
}

bool
guc_records_at_default(const GucRecord *rec)
{
	return rec->source == PGC_S_DEFAULT || rec->source == PGC_S_DYNAMIC_DEFAULT;
}

/* GUC-owned memory: malloc up to 15, GUC's memory context from 16 */
void *
guc_records_alloc(size_t size)
{
#if PG_VERSION_NUM >= 160000
	return guc_malloc(LOG, size);
#else
	void	   *ptr = malloc(size);

	if (ptr == NULL)
		ereport(LOG,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return ptr;
#endif
}

char *
guc_records_strdup(const char *str)
{
	size_t		size = strlen(str) + 1;
	char	   *copy = guc_records_alloc(size);

	if (copy != NULL)
		memcpy(copy, str, size);
	return copy;
}

void
guc_records_free(void *ptr)
{
#if PG_VERSION_NUM >= 160000
	guc_free(ptr);
#else
	free(ptr);
#endif
}
