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
