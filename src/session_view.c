/*-------------------------------------------------------------------------
 *
 * session_view.c
 *	  The rows of pg_stat_ssl_ext: pg_stat_ssl_ext_sessions().
 *
 * pg_stat_ssl_ext_sessions() joins PostgreSQL's backend status with the
 * slots of session_registry (read through its SlotReader) to produce
 * pg_stat_ssl_ext.
 *
 * Contract (SQL only: no other unit calls into this one, so it has no
 * header):
 * - One row per process with a client connection, as pg_stat_ssl has, in
 *   PostgreSQL's backend status order.  The columns pg_stat_activity shows
 *   everyone (pid, usename, datname, application_name) are always filled;
 *   the others only for sessions of roles the reader has the privileges of,
 *   or for every session with pg_read_all_stats, and NULL otherwise.
 * - A row's TLS columns come from the session's registry slot; without one
 *   (no preloading, or a session still authenticating or already exiting)
 *   from tls_facts_own() for the calling session and from PostgreSQL's
 *   backend status (pg_stat_ssl's columns, DNs cut at 63 bytes, the
 *   extended columns NULL) for the others.
 * - Slot text is UTF-8 and is converted to the reader's database encoding,
 *   never failing: a row is about another session, and one session's
 *   certificate must not make the view unreadable for everybody in a
 *   database whose encoding cannot hold it.  A character the encoding has
 *   no equivalent for is shown as the \XX escapes of its UTF-8 bytes.
 * - client_addr is pg_stat_activity's (NULL for Unix sockets); backend_type
 *   and backend_start are too.
 * - A scan allocates per row only in a row context reset after each row;
 *   values many rows share (role and database names, backend types, each
 *   slot field's last value) are made once per scan.
 * - To add a column: its slot field or flag in session_registry.h (packed
 *   there), its COL_ entry here in the SQL definition's order, and its
 * *   value in slot_columns() (core_columns() leaves it NULL).
 *
 * PostgreSQL's backend status snapshot is taken in backend_status_snapshot()
 * and slot text becomes a datum in utf8_text_datum(), one place each; values
 * rows share (names, each field's last value) are made once per scan
 * (ScanCache).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/session_view.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "common/string.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#if PG_VERSION_NUM >= 190000
#include "utils/lsyscache.h"	/* get_database_name() moved here in 19 */
#else
#include "commands/dbcommands.h"
#endif
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "client_offer.h"
#include "session_registry.h"
#include "sql_datums.h"
#include "tls_facts.h"

/* Columns of pg_stat_ssl_ext_sessions(), in order */
enum
{
	COL_PID,
	COL_SSL,
	COL_VERSION,
	COL_CIPHER,
	COL_BITS,
	COL_CLIENT_DN,
	COL_CLIENT_SERIAL,
	COL_ISSUER_DN,
	COL_USENAME,
	COL_DATNAME,
	COL_APPLICATION_NAME,
	COL_CLIENT_ADDR,
	COL_BACKEND_TYPE,
	COL_BACKEND_START,
	COL_CLIENT_CERT_PRESENT,
	COL_CLIENT_NOT_BEFORE,
	COL_CLIENT_NOT_AFTER,
	COL_CLIENT_FINGERPRINT,
	COL_CLIENT_SAN,
	COL_CLIENT_KEY_TYPE,
	COL_CLIENT_KEY_BITS,
	COL_CLIENT_SIGNATURE_ALGORITHM,
	COL_TLS_GROUP,
	COL_SNI,
	COL_ALPN,
	COL_SERVER_FINGERPRINT,
	COL_TRUNCATED,
	COL_CLIENT_PROFILE,
	NUM_COLUMNS
};

/* A registry slot's number and its owner, for finding a pid's slot */

/* A string PostgreSQL stored raw (perhaps cut mid-character), as text */
static Datum
core_string_datum(const char *raw)
{
	int			len = strlen(raw);
	int			valid = pg_encoding_verifymbstr(PG_UTF8, raw, len);

	return utf8_text_datum(pnstrdup(raw, valid), valid);
}

/*
 * Values that many rows share, built once per scan in the scan's memory
 * (rows share roles, databases, backend types, and often a client
 * certificate and cipher suite): the names of roles and databases, the
 * backend type's, each slot field's last value.  Each is a datum that
 * tuplestore_putvalues() copies, so rows may share it.
 */
#define NAME_CACHE_SIZE		16

typedef struct NameCacheEntry
{
	Oid			oid;
	Datum		name;			/* 0 for NULL */
} NameCacheEntry;

typedef struct ScanCache
{
	MemoryContext context;
	NameCacheEntry roles[NAME_CACHE_SIZE];
	int			nroles;
	NameCacheEntry databases[NAME_CACHE_SIZE];
	int			ndatabases;
	int			backend_type;	/* -1 until the first */
	Datum		backend_type_text;
	/* per slot field: the last value seen and its datum */
	struct
	{
		uint32		len;
		uint16		count;		/* SAN entries */
		bool		valid;
		char	   *bytes;
		Datum		datum;
	}			last[NUM_SLOT_FIELDS];
} ScanCache;

static Datum
cached_name(ScanCache *cache, Oid oid, bool database)
{
	NameCacheEntry *entries = database ? cache->databases : cache->roles;
	int		   *n = database ? &cache->ndatabases : &cache->nroles;
	MemoryContext oldcontext;
	char	   *name = NULL;
	Datum		result;

	for (int i = 0; i < *n; i++)
		if (entries[i].oid == oid)
			return entries[i].name;

	oldcontext = MemoryContextSwitchTo(cache->context);
	if (OidIsValid(oid))
		name = database ? get_database_name(oid) : GetUserNameFromId(oid, true);
	result = name ? DirectFunctionCall1(namein, CStringGetDatum(name)) : (Datum) 0;
	MemoryContextSwitchTo(oldcontext);

	/* a full cache still answers, it just looks this one up again */
	if (*n < NAME_CACHE_SIZE)
	{
		entries[*n].oid = oid;
		entries[*n].name = result;
		(*n)++;
	}
	return result;
}

/* A SAN list (entries each NUL-terminated, len bytes in all) as text[] */
static Datum
san_array_datum(const char *san, uint16 count)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(count, 1));
	const char *entry = san;

	for (int i = 0; i < count; i++)
	{
		int			entry_len = strlen(entry);

		elems[i] = utf8_text_datum(entry, entry_len);
		entry += entry_len + 1;
	}
	return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * A slot field's value as a datum of its column: the datum made for the
 * previous row when that row had the same bytes (sessions of one client
 * certificate, one cipher suite, ... share them), else a new one.
 */
static Datum
field_datum(ScanCache *cache, SlotField field, const char *value,
			uint32 len, uint16 count)
{
	MemoryContext oldcontext;

	if (cache->last[field].valid && cache->last[field].len == len &&
		cache->last[field].count == count &&
		memcmp(cache->last[field].bytes, value, len) == 0)
		return cache->last[field].datum;

	oldcontext = MemoryContextSwitchTo(cache->context);
	if (cache->last[field].valid && cache->last[field].len < len)
	{
		pfree(cache->last[field].bytes);
		cache->last[field].valid = false;
	}
	if (!cache->last[field].valid)
		cache->last[field].bytes = palloc(Max(len, 1));
	memcpy(cache->last[field].bytes, value, len);
	cache->last[field].len = len;
	cache->last[field].count = count;
	cache->last[field].valid = true;
	if (field == SLOT_SAN)
		cache->last[field].datum = san_array_datum(value, count);
	else if (field == SLOT_SERIAL)
		cache->last[field].datum = serial_to_numeric(value);
	else
		cache->last[field].datum = utf8_text_datum(value, len);
	MemoryContextSwitchTo(oldcontext);
	return cache->last[field].datum;
}

/* The TLS columns from a slot the reader has copied */
static void
slot_columns(const RegistrySlot *slot, ScanCache *cache,
			 Datum *values, bool *nulls)
{
	static const int field_columns[NUM_SLOT_FIELDS] = {
		[SLOT_VERSION] = COL_VERSION,
		[SLOT_CIPHER] = COL_CIPHER,
		[SLOT_TLS_GROUP] = COL_TLS_GROUP,
		[SLOT_KEY_TYPE] = COL_CLIENT_KEY_TYPE,
		[SLOT_SIGNATURE_ALGORITHM] = COL_CLIENT_SIGNATURE_ALGORITHM,
		[SLOT_SERIAL] = COL_CLIENT_SERIAL,
		[SLOT_FINGERPRINT] = COL_CLIENT_FINGERPRINT,
		[SLOT_SERVER_FINGERPRINT] = COL_SERVER_FINGERPRINT,
		[SLOT_ALPN] = COL_ALPN,
		[SLOT_SNI] = COL_SNI,
		[SLOT_CLIENT_DN] = COL_CLIENT_DN,
		[SLOT_ISSUER_DN] = COL_ISSUER_DN,
		[SLOT_SAN] = COL_CLIENT_SAN,
	};
	bool		ssl = (slot->flags & SLOT_SSL_IN_USE) != 0;
	bool		cert = (slot->flags & SLOT_CERT_PRESENT) != 0;
	uint32		at = 0;

	for (int f = 0; f < NUM_SLOT_FIELDS; f++)
	{
		const char *value = slot->text + at;

		int			column = field_columns[f];

		if ((slot->flags & SLOT_FIELD_PRESENT(f)) == 0)
		{
			nulls[column] = true;
			continue;
		}
		values[column] = field_datum(cache, f, value, slot->length[f],
									 f == SLOT_SAN ? slot->san_count : 0);
		nulls[column] = false;
		at += slot->length[f] + (f == SLOT_SAN ? 0 : 1);
	}

	values[COL_SSL] = BoolGetDatum(ssl);
	if (ssl)
		values[COL_BITS] = Int32GetDatum(slot->bits);
	else
		nulls[COL_BITS] = true;
	values[COL_CLIENT_CERT_PRESENT] = BoolGetDatum(cert);
	if (slot->flags & SLOT_HAS_VALIDITY)
	{
		values[COL_CLIENT_NOT_BEFORE] = TimestampTzGetDatum(slot->not_before);
		values[COL_CLIENT_NOT_AFTER] = TimestampTzGetDatum(slot->not_after);
	}
	else
		nulls[COL_CLIENT_NOT_BEFORE] = nulls[COL_CLIENT_NOT_AFTER] = true;
	if (cert && slot->key_bits > 0)
		values[COL_CLIENT_KEY_BITS] = Int32GetDatum(slot->key_bits);
	else
		nulls[COL_CLIENT_KEY_BITS] = true;
	values[COL_TRUNCATED] = BoolGetDatum((slot->flags & SLOT_TRUNCATED) != 0);
	if (slot->client_profile != 0)
	{
		char		profile[CLIENT_PROFILE_TEXT_LEN + 1];

		client_profile_format(slot->client_profile, profile);
		values[COL_CLIENT_PROFILE] = CStringGetTextDatum(profile);
		nulls[COL_CLIENT_PROFILE] = false;
	}
	else
		nulls[COL_CLIENT_PROFILE] = true;
}

/*
 * The TLS columns from PostgreSQL's backend status alone: what pg_stat_ssl
 * shows (DNs cut at 63 bytes), the extended columns NULL.
 */
static void
core_columns(const PgBackendStatus *be, Datum *values, bool *nulls)
{
	const PgBackendSSLStatus *ssl = be->st_ssl ? be->st_sslstatus : NULL;

	for (int col = COL_SSL; col < NUM_COLUMNS; col++)
		if (col < COL_USENAME || col > COL_BACKEND_START)
			nulls[col] = true;

	nulls[COL_SSL] = false;
	values[COL_SSL] = BoolGetDatum(ssl != NULL);
	if (ssl == NULL)
		return;
	values[COL_VERSION] = core_string_datum(ssl->ssl_version);
	values[COL_CIPHER] = core_string_datum(ssl->ssl_cipher);
	values[COL_BITS] = Int32GetDatum(ssl->ssl_bits);
	nulls[COL_VERSION] = nulls[COL_CIPHER] = nulls[COL_BITS] = false;
	if (ssl->ssl_client_dn[0])
	{
		values[COL_CLIENT_DN] = core_string_datum(ssl->ssl_client_dn);
		nulls[COL_CLIENT_DN] = false;
	}
	if (ssl->ssl_client_serial[0])
	{
		values[COL_CLIENT_SERIAL] = serial_to_numeric(ssl->ssl_client_serial);
		nulls[COL_CLIENT_SERIAL] = false;
	}
	if (ssl->ssl_issuer_dn[0])
	{
		values[COL_ISSUER_DN] = core_string_datum(ssl->ssl_issuer_dn);
		nulls[COL_ISSUER_DN] = false;
	}
}

static bool
has_client_connection(const PgBackendStatus *be)
{
	SockAddr	none;

	memset(&none, 0, sizeof(none));
	return be->st_procpid > 0 &&
		memcmp(&be->st_clientaddr, &none, sizeof(none)) != 0;
}

/* The columns pg_stat_activity shows everyone */
static void
public_columns(const PgBackendStatus *be, ScanCache *cache,
			   Datum *values, bool *nulls)
{
	values[COL_PID] = Int32GetDatum(be->st_procpid);
	values[COL_USENAME] = cached_name(cache, be->st_userid, false);
	nulls[COL_USENAME] = (values[COL_USENAME] == (Datum) 0);
	values[COL_DATNAME] = cached_name(cache, be->st_databaseid, true);
	nulls[COL_DATNAME] = (values[COL_DATNAME] == (Datum) 0);

	if (be->st_appname)
		values[COL_APPLICATION_NAME] = CStringGetTextDatum(be->st_appname);
	else
		nulls[COL_APPLICATION_NAME] = true;
}

/* The connection columns only the session's role and pg_read_all_stats see */
static void
connection_columns(const PgBackendStatus *be, ScanCache *cache,
				   Datum *values, bool *nulls)
{
	if (!client_addr_datum(&be->st_clientaddr, &values[COL_CLIENT_ADDR]))
		nulls[COL_CLIENT_ADDR] = true;
	if (cache->backend_type != (int) be->st_backendType)
	{
		MemoryContext oldcontext = MemoryContextSwitchTo(cache->context);

		cache->backend_type_text =
			CStringGetTextDatum(GetBackendTypeDesc(be->st_backendType));
		cache->backend_type = be->st_backendType;
		MemoryContextSwitchTo(oldcontext);
	}
	values[COL_BACKEND_TYPE] = cache->backend_type_text;
	if (be->st_proc_start_timestamp != 0)
		values[COL_BACKEND_START] = TimestampTzGetDatum(be->st_proc_start_timestamp);
	else
		nulls[COL_BACKEND_START] = true;
}

/*
 * PostgreSQL's backend status snapshot, the one place it is taken: the
 * number of entries (pgstat_read_current_status() copies the shared array
 * once per transaction, at the first call).
 */
static int
backend_status_snapshot(void)
{
	return pgstat_fetch_stat_numbackends();
}

static LocalPgBackendStatus *
local_backend_status(int index)
{
#if PG_VERSION_NUM >= 160000
	return pgstat_get_local_beentry_by_index(index);
#else
	return pgstat_fetch_stat_local_beentry(index);
#endif
}

/*
 * Whether the reader sees a session's connection and TLS columns, as in
 * pg_stat_ssl: its own role's sessions (and those of roles it has the
 * privileges of), and every session with pg_read_all_stats.
 */
static inline bool
reader_sees_session(Oid reader, bool reads_all, const PgBackendStatus *be)
{
	return reads_all || has_privs_of_role(reader, be->st_userid);
}

/*
 * Hides a row's columns but those public_columns() fills, the ones
 * pg_stat_activity shows everyone, for a session the reader may not see.
 */
static inline void
hide_private_columns(bool *nulls)
{
	for (int col = 0; col < NUM_COLUMNS; col++)
		if (col != COL_PID && col != COL_USENAME &&
			col != COL_DATNAME && col != COL_APPLICATION_NAME)
			nulls[col] = true;
}

/*
 * A row's TLS columns, from the process's registry slot when it has one;
 * without one (no preloading, or a session still authenticating or already
 * exiting), from tls_facts_own() for the calling session and from
 * PostgreSQL's backend status for the others.
 */
static void
tls_columns(const PgBackendStatus *be, SlotReader *slots, ScanCache *cache,
			Datum *values, bool *nulls)
{
	const RegistrySlot *slot = session_registry_find(slots, be->st_procpid);

	if (slot == NULL && be->st_procpid == MyProcPid)
		slot = session_registry_pack(slots, tls_facts_own());
	if (slot != NULL)
		slot_columns(slot, cache, values, nulls);
	else
		core_columns(be, values, nulls);
}

/*
 * pg_stat_ssl_ext_sessions(): one row per process with a client connection,
 * as pg_stat_ssl has, in PostgreSQL's backend status order; the columns
 * pg_stat_activity hides from other roles are hidden the same way.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_pg_stat_ssl_ext_sessions);
Datum
sslinfo_ext_pg_stat_ssl_ext_sessions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			reader = GetUserId();
	bool		reads_all = has_privs_of_role(reader, ROLE_PG_READ_ALL_STATS);
	SlotReader	slots;
	int			nbackends;
	ScanCache	cache;
	MemoryContext rowcontext;

	InitMaterializedSRF(fcinfo, 0);

	memset(&cache, 0, sizeof(cache));
	cache.context = CurrentMemoryContext;
	cache.backend_type = -1;

	/*
	 * A row's temporary values are freed after each row, so that a scan of
	 * thousands of sessions does not hold (and fault in) all of them at once.
	 */
	rowcontext = AllocSetContextCreate(CurrentMemoryContext,
									   "pg_stat_ssl_ext row",
									   ALLOCSET_SMALL_SIZES);

	/*
	 * PostgreSQL's backend-status snapshot first, the owner index second: a
	 * session records its slot during authentication, before its backend
	 * status shows a client connection, so every session in the snapshot is
	 * then in the index too (read the other way round, a session starting in
	 * between would show only the core columns).
	 */
	nbackends = backend_status_snapshot();
	session_registry_begin_scan(&slots);

	for (int i = 1; i <= nbackends; i++)
	{
		LocalPgBackendStatus *local = local_backend_status(i);
		PgBackendStatus *be;
		Datum		values[NUM_COLUMNS];
		bool		nulls[NUM_COLUMNS];
		MemoryContext oldcontext;

		if (local == NULL)
			continue;
		be = &local->backendStatus;
		if (!has_client_connection(be))
			continue;

		oldcontext = MemoryContextSwitchTo(rowcontext);
		memset(values, 0, sizeof(values));
		memset(nulls, 0, sizeof(nulls));
		public_columns(be, &cache, values, nulls);
		if (reader_sees_session(reader, reads_all, be))
		{
			connection_columns(be, &cache, values, nulls);
			tls_columns(be, &slots, &cache, values, nulls);
		}
		else
			hide_private_columns(nulls);

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(oldcontext);
		MemoryContextReset(rowcontext);
	}
	MemoryContextDelete(rowcontext);
	return (Datum) 0;
}
