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

#include <sys/socket.h>
#include <netinet/in.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/string.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/numeric.h"

#include "cert_lifecycle.h"
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

/*
 * Valid UTF-8 of known length (slots hold nothing else) as text in the
 * reader's database encoding, never failing: the one place where a slot's
 * text becomes a datum.  A row is about another session, and one session's
 * certificate must not make the view unreadable for everybody in a database
 * whose encoding cannot hold it.  A UTF8 or SQL_ASCII database takes the
 * bytes as they are (SQL_ASCII holds any byte).  Otherwise, a character the
 * encoding has no equivalent for is shown as the \XX escapes of its UTF-8
 * bytes (東 as \E6\9D\B1), the form OpenSSL's RFC 2253 escaping and
 * x509_render's invalid-byte escapes use.
 */
Datum
utf8_text_datum(const char *utf8, int len)
{
	int			encoding = GetDatabaseEncoding();
	Oid			conversion;
	StringInfoData buf;
	int			done = 0;

	/* utf8[len] is a NUL: slots and the strings copied from them end so */
	if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII || pg_is_ascii(utf8))
		return PointerGetDatum(cstring_to_text_with_len(utf8, len));

	conversion = FindDefaultConversionProc(PG_UTF8, encoding);
	initStringInfo(&buf);
	while (done < len)
	{
		int			room = (len - done) * MAX_CONVERSION_GROWTH + 1;

		/* convert what converts, up to the first character that does not */
		if (OidIsValid(conversion))
		{
			enlargeStringInfo(&buf, room);
			done += pg_do_encoding_conversion_buf(conversion, PG_UTF8, encoding,
												  (unsigned char *) utf8 + done,
												  len - done,
												  (unsigned char *) buf.data + buf.len,
												  room, true);
			buf.len += strlen(buf.data + buf.len);
		}
		if (done < len)
		{
			int			charlen = Min(pg_utf_mblen((const unsigned char *) utf8 + done),
									  len - done);

			for (int i = 0; i < charlen; i++)
				appendStringInfo(&buf, "\\%02X", (unsigned char) utf8[done++]);
		}
	}
	return PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
}

/*
 * client_addr as pg_stat_activity shows it (NULL for Unix sockets): the
 * value inet_in() makes of the numeric host pg_stat_activity prints, made
 * by inet's binary input function, inet_recv(), from the address's bytes in
 * PostgreSQL's send format (family, bits, is_cidr, length, address), so that
 * a row pays for no printing and parsing of the address.  The scope of an
 * IPv6 address is dropped, as pg_stat_activity's clean_ipv6_addr() does.
 */
bool
client_addr_datum(const SockAddr *addr, Datum *result)
{
	unsigned char message[4 + 16];
	const void *bytes;
	int			nbytes;
	StringInfoData buf;

	switch (addr->addr.ss_family)
	{
		case AF_INET:
			message[0] = PGSQL_AF_INET;
			bytes = &((const struct sockaddr_in *) &addr->addr)->sin_addr;
			nbytes = 4;
			break;
		case AF_INET6:
			message[0] = PGSQL_AF_INET6;
			bytes = &((const struct sockaddr_in6 *) &addr->addr)->sin6_addr;
			nbytes = 16;
			break;
		default:
			return false;
	}
	message[1] = nbytes * 8;	/* a host: every bit of the address */
	message[2] = 0;				/* inet, not cidr */
	message[3] = nbytes;
	memcpy(message + 4, bytes, nbytes);

	/* a read-only StringInfo over it (initReadOnlyStringInfo() from 17) */
	buf.data = (char *) message;
	buf.len = 4 + nbytes;
	buf.maxlen = 0;
	buf.cursor = 0;
	*result = DirectFunctionCall1(inet_recv, PointerGetDatum(&buf));
	return true;
}

/*
 * Text a client or a server message chose (a user name, what the server
 * said of a refused attempt), for a row: escaped as log lines are
 * (log_safe_text(), which also escapes bytes that are not UTF-8), then in
 * the reader's database encoding, never failing.
 */
Datum
log_safe_text_datum(const char *raw)
{
	char	   *safe = log_safe_text(raw);

	return utf8_text_datum(safe, strlen(safe));
}

/* The same, as a name (cut at a character boundary, as namein() cuts) */
Datum
log_safe_name_datum(const char *raw)
{
	Datum		converted = log_safe_text_datum(raw);

	return DirectFunctionCall1(namein,
							   CStringGetDatum(TextDatumGetCString(converted)));
}
