/*-------------------------------------------------------------------------
 *
 * sql_datums.h
 *	  SQL values built from rendered certificate facts.
 *
 * Contract: the composite and numeric results the SQL functions and the
 * pg_stat_ssl_ext view return, built one way everywhere.  Strings come in
 * as UTF-8 (see x509_render.h) and are converted to the database encoding
 * here, so these functions may ereport (a character the database encoding
 * cannot hold).  Results are palloc'd in CurrentMemoryContext.
 *
 * Kept apart from x509_render so that the fuzz targets, which link
 * x509_render with a small runtime shim, need no array or numeric code.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/sql_datums.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_SQL_DATUMS_H
#define SSLINFO_EXT_SQL_DATUMS_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "libpq/pqcomm.h"
#include "nodes/pg_list.h"

/* A list of UTF-8 strings (e.g. subjectAltNames) as a text[] */
extern Datum utf8_list_to_text_array(List *utf8_strings);

/* A decimal serial number (x509_serial_to_decimal) as a numeric */
extern Datum serial_to_numeric(const char *decimal);

/* (not_after - now) in days as a numeric: two decimals, cut toward zero */
extern Datum days_left_to_numeric(TimestampTz not_after, TimestampTz now);

/*
 * One column of a result row from a UTF-8 string that may be missing:
 * values[column] the text, or nulls[column] true when utf8 is NULL.
 */
extern void set_text_column(Datum *values, bool *nulls, int column,
							const char *utf8);

/*
 * Valid UTF-8 of known length as text in the database encoding, never
 * failing: a character the encoding cannot hold becomes the \XX escapes of
 * its UTF-8 bytes.  utf8[len] must be a NUL.
 */
extern Datum utf8_text_datum(const char *utf8, int len);

/*
 * A client address as pg_stat_activity.client_addr shows it, into *result;
 * false (SQL NULL) for a Unix socket.
 */
extern bool client_addr_datum(const SockAddr *addr, Datum *result);

/*
 * Text chosen by a client or a server message, escaped like a log line
 * (see log_safe_text()) and converted as utf8_text_datum() converts: as
 * text, or as a name.
 */
extern Datum log_safe_text_datum(const char *raw);
extern Datum log_safe_name_datum(const char *raw);

#endif							/* SSLINFO_EXT_SQL_DATUMS_H */
