/*-------------------------------------------------------------------------
 *
 * sql_datums.c
 *	  SQL values built from rendered certificate facts.
 *
 * See sql_datums.h for the contract.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/sql_datums.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "sql_datums.h"
#include "x509_render.h"

Datum
utf8_list_to_text_array(List *utf8_strings)
{
	Datum	   *elems = palloc(Max(list_length(utf8_strings), 1) * sizeof(Datum));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, utf8_strings)
		elems[n++] = PointerGetDatum(x509_utf8_to_text(lfirst(lc)));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

Datum
serial_to_numeric(const char *decimal)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(decimal),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

Datum
days_left_to_numeric(TimestampTz not_after, TimestampTz now)
{
	/* C division truncates toward zero, as the contract says */
	int64		hundredths = (not_after - now) / (USECS_PER_DAY / 100);

	return NumericGetDatum(int64_div_fast_to_numeric(hundredths, 2));
}

void
set_text_column(Datum *values, bool *nulls, int column, const char *utf8)
{
	if (utf8 == NULL)
	{
		nulls[column] = true;
		return;
	}
	values[column] = PointerGetDatum(x509_utf8_to_text(utf8));
	nulls[column] = false;
}
