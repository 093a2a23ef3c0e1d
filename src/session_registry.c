/*-------------------------------------------------------------------------
 *
 * session_registry.c
 *	  Every session's TLS facts in shared memory, and the pg_stat_ssl_ext view.
 *
 * See session_registry.h for the contract: slot layout and sizing, the
 * change-count protocol and why, and what happens without preloading.
 *
 * A slot is a fixed header followed by a text area.  The text area holds
 * the slot's strings one after the other, each NUL-terminated; every field
 * has its own maximum, so the area's size is the sum of those maxima and a
 * slot never overflows.  Writers build the whole slot in local memory first
 * and copy it in with one memcpy, so the part of the write that readers can
 * race with is as short as it can be; readers copy only the header and the
 * used part of the text area.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/session_registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <netdb.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "common/ip.h"
#include "common/string.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#if PG_VERSION_NUM >= 190000
#include "utils/lsyscache.h"	/* get_database_name() moved here in 19 */
#else
#include "commands/dbcommands.h"
#endif
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#if PG_VERSION_NUM >= 170000
#include "storage/procnumber.h"
#else
#include "storage/backendid.h"
#endif
#if PG_VERSION_NUM < 150000
#include "postmaster/autovacuum.h"
#include "replication/walsender.h"
#endif

#include "pg_compat.h"
#include "session_registry.h"
#include "sql_datums.h"
#include "x509_render.h"

/* The strings a slot stores, in the order they are packed */
typedef enum SlotField
{
	SLOT_VERSION,
	SLOT_CIPHER,
	SLOT_TLS_GROUP,
	SLOT_SNI,
	SLOT_CLIENT_DN,
	SLOT_ISSUER_DN,
	SLOT_SERIAL,
	SLOT_FINGERPRINT,
	SLOT_KEY_TYPE,
	SLOT_SIGNATURE_ALGORITHM,
	SLOT_SAN,					/* entries, each NUL-terminated */
	SLOT_ALPN,
	SLOT_SERVER_FINGERPRINT,
	NUM_SLOT_FIELDS
} SlotField;

/*
 * Maxima of the fields whose values have a bounded, well-known size; the
 * DNs and SANs are bounded by settings instead.  Generous: real values are
 * far shorter (a 20-octet serial has at most 49 digits, a fingerprint 64
 * hex digits, a DNS name 253 bytes).
 */
#define SHORT_FIELD_MAX		64
#define TINY_FIELD_MAX		32
#define SNI_MAX				255

/* RegistrySlot.flags */
#define SLOT_SSL_IN_USE			0x0001
#define SLOT_CERT_PRESENT		0x0002
#define SLOT_HAS_VALIDITY		0x0004
#define SLOT_TRUNCATED			0x0008
#define SLOT_FIELD_PRESENT(f)	(0x0100 << (f))

typedef struct RegistrySlot
{
	int			changecount;	/* odd while the owner writes */
	int			pid;			/* owner, 0 when the slot is free */
	uint32		flags;
	int32		bits;
	int32		key_bits;
	int32		san_count;
	TimestampTz not_before;
	TimestampTz not_after;
	uint32		offset[NUM_SLOT_FIELDS];	/* into text, if present */
	uint32		length[NUM_SLOT_FIELDS];	/* bytes, without the NUL */
	uint32		text_used;
	char		text[FLEXIBLE_ARRAY_MEMBER];
} RegistrySlot;

/*
 * The registry: this header, then the owner index (each slot's owner pid,
 * packed, so that finding the slots in use reads a few cache lines instead
 * of one per slot), then the slots, each starting on a cache line.  The
 * owner index is only a hint; a slot's own pid, read under the protocol,
 * decides.
 */
typedef struct SessionRegistry
{
	int			nslots;
	uint32		text_capacity;	/* of each slot */
	Size		slot_stride;	/* bytes from one slot to the next */
	Size		slots_offset;	/* from the start of the registry */
} SessionRegistry;

#define REGISTRY_HEADER_SIZE	TYPEALIGN(PG_CACHE_LINE_SIZE, sizeof(SessionRegistry))

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
	NUM_COLUMNS
};

/* A registry slot's number and its owner, for finding a pid's slot */
typedef struct PidSlot
{
	int			pid;
	int			slotno;
} PidSlot;

static int	max_dn_bytes = 1024;
static int	max_san_bytes = 1024;

/* NULL unless loaded through shared_preload_libraries */
static SessionRegistry *registry = NULL;

/* slot count of the space request, so startup allocates what was asked */
static int	requested_slots = 0;

/* this backend's slot, once it has recorded its facts */
static int	own_slotno = -1;

void
session_registry_init(void)
{
	/*
	 * Defined in every process that loads the library, preloaded or not:
	 * _PG_init reserves the "sslinfo_ext" prefix, which would otherwise
	 * remove a value set in postgresql.conf with an "invalid configuration
	 * parameter name" warning in every backend that loads the module on
	 * demand.  Restart-only when they size the registry; without preloading
	 * (where PostgreSQL refuses PGC_POSTMASTER settings) they size only the
	 * calling session's own row and what pg_stat_ssl_ext_memory() reports,
	 * so they follow the configuration file, as cipher_policy_init() does.
	 */
	GucContext	context = process_shared_preload_libraries_in_progress ?
		PGC_POSTMASTER : PGC_SIGHUP;

	DefineCustomIntVariable("sslinfo_ext.max_dn_bytes",
							"Bytes kept of each distinguished name in pg_stat_ssl_ext.",
							"A longer name is cut at a character boundary and "
							"its row is flagged as truncated.",
							&max_dn_bytes,
							1024, 64, 65536,
							context,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("sslinfo_ext.max_san_bytes",
							"Bytes kept of each session's subject alternative names in pg_stat_ssl_ext.",
							"Entries that do not fit are left out and their "
							"row is flagged as truncated.",
							&max_san_bytes,
							1024, 0, 65536,
							context,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);
}

/*
 * Sizing
 */

static int
field_max(SlotField field)
{
	switch (field)
	{
		case SLOT_CLIENT_DN:
		case SLOT_ISSUER_DN:
			return max_dn_bytes;
		case SLOT_SAN:
			return max_san_bytes;
		case SLOT_SNI:
			return SNI_MAX;
		case SLOT_VERSION:
		case SLOT_KEY_TYPE:
			return TINY_FIELD_MAX;
		default:
			return SHORT_FIELD_MAX;
	}
}

/* Every field at its maximum, plus a terminator for each plain string */
static uint32
slot_text_capacity(void)
{
	uint32		capacity = 0;

	for (int f = 0; f < NUM_SLOT_FIELDS; f++)
		capacity += field_max(f) + (f == SLOT_SAN ? 0 : 1);
	return capacity;
}

static Size
slot_stride(void)
{
	return TYPEALIGN(PG_CACHE_LINE_SIZE,
					 offsetof(RegistrySlot, text) + slot_text_capacity());
}

static Size
owner_index_size(int nslots)
{
	return TYPEALIGN(PG_CACHE_LINE_SIZE, mul_size(nslots, sizeof(int)));
}

static Size
registry_size(int nslots)
{
	return add_size(add_size(REGISTRY_HEADER_SIZE, owner_index_size(nslots)),
					mul_size(nslots, slot_stride()));
}

/* One slot per backend that can hold a client connection, and then some */
static int
registry_slot_count(void)
{
#if PG_VERSION_NUM < 150000
	/* 14 computes MaxBackends only after the libraries are loaded */
	if (MaxBackends == 0)
		return MaxConnections + autovacuum_max_workers + 1 +
			max_worker_processes + max_wal_senders;
#endif
	return MaxBackends;
}

static inline RegistrySlot *
registry_slot(int slotno)
{
	return (RegistrySlot *) ((char *) registry + registry->slots_offset +
							 (Size) slotno * registry->slot_stride);
}

static inline volatile int *
owner_index(void)
{
	return (volatile int *) ((char *) registry + REGISTRY_HEADER_SIZE);
}

Size
session_registry_shmem_size(void)
{
	requested_slots = registry_slot_count();
	return registry_size(requested_slots);
}

void
session_registry_shmem_startup(void)
{
	int			nslots = requested_slots > 0 ? requested_slots : registry_slot_count();
	Size		size = registry_size(nslots);
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	registry = ShmemInitStruct("sslinfo_ext session registry", size, &found);
	if (!found)
	{
		/* first start, or a restart after a crash: no session has a slot */
		memset(registry, 0, size);
		registry->nslots = nslots;
		registry->text_capacity = slot_text_capacity();
		registry->slot_stride = slot_stride();
		registry->slots_offset = REGISTRY_HEADER_SIZE + owner_index_size(nslots);
		elog(DEBUG1, "sslinfo_ext session registry: %d slots of %zu bytes, %zu bytes in all",
			 nslots, registry->slot_stride, size);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Writing a slot
 */

/* Adds one string to the slot being built; see the header for the rules */
static void
pack_text(RegistrySlot *image, SlotField field, const char *value,
		  bool whole_or_nothing)
{
	int			len;
	int			valid;

	if (value == NULL)
		return;
	len = strlen(value);
	/* facts are UTF-8, but never let a malformed value reach a reader */
	valid = pg_encoding_verifymbstr(PG_UTF8, value, len);
	if (valid < len || len > field_max(field))
	{
		image->flags |= SLOT_TRUNCATED;
		if (whole_or_nothing)
			return;
		len = pg_encoding_mbcliplen(PG_UTF8, value, valid, field_max(field));
	}
	image->offset[field] = image->text_used;
	image->length[field] = len;
	memcpy(image->text + image->text_used, value, len);
	image->text[image->text_used + len] = '\0';
	image->text_used += len + 1;
	image->flags |= SLOT_FIELD_PRESENT(field);
}

/* The leading SAN entries that fit in max_san_bytes */
static void
pack_san(RegistrySlot *image, List *san)
{
	int			room = max_san_bytes;
	ListCell   *lc;

	if (san == NIL)
		return;
	image->offset[SLOT_SAN] = image->text_used;
	image->flags |= SLOT_FIELD_PRESENT(SLOT_SAN);
	foreach(lc, san)
	{
		const char *entry = lfirst(lc);
		int			len = strlen(entry);

		if (len + 1 > room ||
			pg_encoding_verifymbstr(PG_UTF8, entry, len) != len)
		{
			image->flags |= SLOT_TRUNCATED;
			break;
		}
		memcpy(image->text + image->text_used, entry, len + 1);
		image->text_used += len + 1;
		image->length[SLOT_SAN] += len + 1;
		room -= len + 1;
		image->san_count++;
	}
}

/* Builds a slot's contents from facts; image is zeroed and slot-sized */
static void
pack_facts(RegistrySlot *image, const TlsFacts *facts)
{
	if (facts == NULL || !facts->ssl_in_use)
		return;

	image->flags |= SLOT_SSL_IN_USE;
	image->bits = facts->bits;
	pack_text(image, SLOT_VERSION, facts->version, false);
	pack_text(image, SLOT_CIPHER, facts->cipher, false);
	pack_text(image, SLOT_TLS_GROUP, facts->tls_group, false);
	pack_text(image, SLOT_SNI, facts->sni, false);
	pack_text(image, SLOT_ALPN, facts->alpn, false);
	pack_text(image, SLOT_SERVER_FINGERPRINT, facts->server_fingerprint, true);
	if (!facts->cert_present)
		return;

	image->flags |= SLOT_CERT_PRESENT;
	pack_text(image, SLOT_CLIENT_DN, facts->client.subject, false);
	pack_text(image, SLOT_ISSUER_DN, facts->client.issuer, false);
	pack_text(image, SLOT_SERIAL, facts->client.serial, true);
	pack_text(image, SLOT_FINGERPRINT, facts->client.fingerprint, true);
	pack_text(image, SLOT_KEY_TYPE, facts->client.key_type, false);
	pack_text(image, SLOT_SIGNATURE_ALGORITHM, facts->client.signature_algorithm, false);
	pack_san(image, facts->client.san);
	image->key_bits = facts->client.key_bits;
	if (facts->client.has_validity)
	{
		image->flags |= SLOT_HAS_VALIDITY;
		image->not_before = facts->client.not_before;
		image->not_after = facts->client.not_after;
	}
}

/*
 * Copies a built slot into shared memory under the change-count protocol.
 * Nothing here can fail; the critical section makes any surprise a PANIC
 * (and so a shared-memory reset) rather than a slot left odd forever.
 */
static void
slot_publish(volatile RegistrySlot *slot, const RegistrySlot *image)
{
	Size		from = offsetof(RegistrySlot, pid);
	Size		len = offsetof(RegistrySlot, text) + image->text_used - from;

	START_CRIT_SECTION();
	slot->changecount++;
	pg_write_barrier();
	memcpy((char *) slot + from, (const char *) image + from, len);
	pg_write_barrier();
	slot->changecount++;
	END_CRIT_SECTION();
}

/* on_shmem_exit callback: the exiting backend frees its slot */
static void
slot_release(int code, Datum arg)
{
	volatile RegistrySlot *slot;

	if (registry == NULL || own_slotno < 0)
		return;
	slot = registry_slot(own_slotno);
	owner_index()[own_slotno] = 0;
	START_CRIT_SECTION();
	slot->changecount++;
	pg_write_barrier();
	slot->pid = 0;
	slot->flags = 0;
	slot->text_used = 0;
	pg_write_barrier();
	slot->changecount++;
	END_CRIT_SECTION();
	own_slotno = -1;
}

void
session_registry_record(Port *port, const TlsFacts *facts)
{
	RegistrySlot *image;
	int			slotno;

	if (registry == NULL)
		return;

#if PG_VERSION_NUM >= 170000
	slotno = MyProcNumber;
#else
	slotno = MyBackendId - 1;
#endif
	if (slotno < 0 || slotno >= registry->nslots)
		return;					/* cannot happen; the view falls back */

	image = palloc0(registry->slot_stride);
	pack_facts(image, facts);
	image->pid = MyProcPid;

	/* registered before the write, so no exit path can leave it behind */
	if (own_slotno < 0)
	{
		own_slotno = slotno;
		on_shmem_exit(slot_release, (Datum) 0);
	}
	slot_publish(registry_slot(slotno), image);
	owner_index()[slotno] = MyProcPid;
	pfree(image);
}

/*
 * Reading slots
 */

/*
 * Copies the slot into *copy if it belongs to pid, and says whether it did.
 * The copy is one the owner wrote whole: the change count was even and
 * unchanged around it.
 */
static bool
slot_read(int slotno, int pid, RegistrySlot *copy)
{
	volatile RegistrySlot *slot = registry_slot(slotno);

	for (;;)
	{
		int			before;
		int			after;
		bool		owned;

		before = slot->changecount;
		pg_read_barrier();
		owned = (slot->pid == pid);
		if (owned)
		{
			memcpy(copy, (const char *) slot, offsetof(RegistrySlot, text));
			/* a torn header is retried below; only bound the copy here */
			memcpy(copy->text, (const char *) slot->text,
				   Min(copy->text_used, registry->text_capacity));
		}
		pg_read_barrier();
		after = slot->changecount;
		if (before == after && (before & 1) == 0)
			return owned;
		CHECK_FOR_INTERRUPTS();
	}
}

static int
pid_slot_cmp(const void *a, const void *b)
{
	int			pid_a = ((const PidSlot *) a)->pid;
	int			pid_b = ((const PidSlot *) b)->pid;

	return (pid_a > pid_b) - (pid_a < pid_b);
}

/* The slots in use according to the owner index, sorted by pid */
static PidSlot *
occupied_slots(int *count)
{
	PidSlot    *result = palloc(sizeof(PidSlot) * registry->nslots);
	volatile int *owners = owner_index();
	int			n = 0;

	for (int slotno = 0; slotno < registry->nslots; slotno++)
	{
		int			pid = owners[slotno];

		if (pid != 0)
		{
			result[n].pid = pid;
			result[n].slotno = slotno;
			n++;
		}
	}
	qsort(result, n, sizeof(PidSlot), pid_slot_cmp);
	*count = n;
	return result;
}

/*
 * Making rows
 */

/*
 * Valid UTF-8 of known length (slots hold nothing else) as text in the
 * reader's database encoding, never failing: a row is about another session,
 * and one session's certificate must not make the view unreadable for
 * everybody in a database whose encoding cannot hold it.  A UTF8 or
 * SQL_ASCII database takes the bytes as they are (SQL_ASCII holds any
 * byte).  Otherwise, a character the encoding has no equivalent for is shown
 * as the \XX escapes of its UTF-8 bytes (東 as \E6\9D\B1), the form
 * OpenSSL's RFC 2253 escaping and x509_render's invalid-byte escapes use.
 */
static Datum
utf8_datum(const char *utf8, int len)
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

/* A string PostgreSQL stored raw (perhaps cut mid-character), as text */
static Datum
core_string_datum(const char *raw)
{
	int			len = strlen(raw);
	int			valid = pg_encoding_verifymbstr(PG_UTF8, raw, len);

	return utf8_datum(pnstrdup(raw, valid), valid);
}

static void
slot_text_column(const RegistrySlot *slot, SlotField field, int column,
				 Datum *values, bool *nulls)
{
	if (slot->flags & SLOT_FIELD_PRESENT(field))
		values[column] = utf8_datum(slot->text + slot->offset[field],
									slot->length[field]);
	else
		nulls[column] = true;
}

/* The TLS columns from a slot the reader has copied */
static void
slot_columns(const RegistrySlot *slot, Datum *values, bool *nulls)
{
	bool		ssl = (slot->flags & SLOT_SSL_IN_USE) != 0;
	bool		cert = (slot->flags & SLOT_CERT_PRESENT) != 0;

	values[COL_SSL] = BoolGetDatum(ssl);
	slot_text_column(slot, SLOT_VERSION, COL_VERSION, values, nulls);
	slot_text_column(slot, SLOT_CIPHER, COL_CIPHER, values, nulls);
	if (ssl)
		values[COL_BITS] = Int32GetDatum(slot->bits);
	else
		nulls[COL_BITS] = true;
	slot_text_column(slot, SLOT_CLIENT_DN, COL_CLIENT_DN, values, nulls);
	if (slot->flags & SLOT_FIELD_PRESENT(SLOT_SERIAL))
		values[COL_CLIENT_SERIAL] =
			serial_to_numeric(slot->text + slot->offset[SLOT_SERIAL]);
	else
		nulls[COL_CLIENT_SERIAL] = true;
	slot_text_column(slot, SLOT_ISSUER_DN, COL_ISSUER_DN, values, nulls);

	values[COL_CLIENT_CERT_PRESENT] = BoolGetDatum(cert);
	if (slot->flags & SLOT_HAS_VALIDITY)
	{
		values[COL_CLIENT_NOT_BEFORE] = TimestampTzGetDatum(slot->not_before);
		values[COL_CLIENT_NOT_AFTER] = TimestampTzGetDatum(slot->not_after);
	}
	else
		nulls[COL_CLIENT_NOT_BEFORE] = nulls[COL_CLIENT_NOT_AFTER] = true;
	slot_text_column(slot, SLOT_FINGERPRINT, COL_CLIENT_FINGERPRINT, values, nulls);
	if (slot->flags & SLOT_FIELD_PRESENT(SLOT_SAN))
	{
		Datum	   *elems = palloc(sizeof(Datum) * Max(slot->san_count, 1));
		const char *entry = slot->text + slot->offset[SLOT_SAN];

		for (int i = 0; i < slot->san_count; i++)
		{
			int			len = strlen(entry);

			elems[i] = utf8_datum(entry, len);
			entry += len + 1;
		}
		values[COL_CLIENT_SAN] =
			PointerGetDatum(construct_array(elems, slot->san_count, TEXTOID,
											-1, false, TYPALIGN_INT));
	}
	else
		nulls[COL_CLIENT_SAN] = true;
	slot_text_column(slot, SLOT_KEY_TYPE, COL_CLIENT_KEY_TYPE, values, nulls);
	if (cert && slot->key_bits > 0)
		values[COL_CLIENT_KEY_BITS] = Int32GetDatum(slot->key_bits);
	else
		nulls[COL_CLIENT_KEY_BITS] = true;
	slot_text_column(slot, SLOT_SIGNATURE_ALGORITHM,
					 COL_CLIENT_SIGNATURE_ALGORITHM, values, nulls);
	slot_text_column(slot, SLOT_TLS_GROUP, COL_TLS_GROUP, values, nulls);
	slot_text_column(slot, SLOT_SNI, COL_SNI, values, nulls);
	slot_text_column(slot, SLOT_ALPN, COL_ALPN, values, nulls);
	slot_text_column(slot, SLOT_SERVER_FINGERPRINT, COL_SERVER_FINGERPRINT,
					 values, nulls);
	values[COL_TRUNCATED] = BoolGetDatum((slot->flags & SLOT_TRUNCATED) != 0);
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

/* client_addr as pg_stat_activity shows it: NULL for Unix sockets */
static bool
client_addr_datum(const SockAddr *addr, Datum *result)
{
	char		host[NI_MAXHOST];

	if (addr->addr.ss_family != AF_INET && addr->addr.ss_family != AF_INET6)
		return false;
	host[0] = '\0';
	if (pg_getnameinfo_all(&addr->addr, addr->salen, host, sizeof(host),
						   NULL, 0, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return false;
	clean_ipv6_addr(addr->addr.ss_family, host);
	*result = DirectFunctionCall1(inet_in, CStringGetDatum(host));
	return true;
}

/*
 * A role's or database's name as a name datum, remembered for the rest of
 * the scan: most rows share a few roles and databases.
 */
typedef struct NameLookup
{
	MemoryContext context;		/* where the remembered name lives */
	bool		valid;
	Oid			oid;
	Datum		name;			/* 0 for NULL */
} NameLookup;

static void
name_column(NameLookup *last, Oid oid, bool database, int column,
			Datum *values, bool *nulls)
{
	if (!last->valid || last->oid != oid)
	{
		MemoryContext oldcontext = MemoryContextSwitchTo(last->context);
		char	   *name = NULL;

		if (OidIsValid(oid))
			name = database ? get_database_name(oid) : GetUserNameFromId(oid, true);
		last->name = name ? DirectFunctionCall1(namein, CStringGetDatum(name)) : (Datum) 0;
		last->oid = oid;
		last->valid = true;
		MemoryContextSwitchTo(oldcontext);
	}
	values[column] = last->name;
	nulls[column] = (last->name == (Datum) 0);
}

/* The columns pg_stat_activity shows everyone */
static void
public_columns(const PgBackendStatus *be, NameLookup *last_role,
			   NameLookup *last_database, Datum *values, bool *nulls)
{
	values[COL_PID] = Int32GetDatum(be->st_procpid);
	name_column(last_role, be->st_userid, false, COL_USENAME, values, nulls);
	name_column(last_database, be->st_databaseid, true, COL_DATNAME, values, nulls);

	if (be->st_appname)
		values[COL_APPLICATION_NAME] = CStringGetTextDatum(be->st_appname);
	else
		nulls[COL_APPLICATION_NAME] = true;
}

/* The connection columns only the session's role and pg_read_all_stats see */
static void
connection_columns(const PgBackendStatus *be, Datum *values, bool *nulls)
{
	if (!client_addr_datum(&be->st_clientaddr, &values[COL_CLIENT_ADDR]))
		nulls[COL_CLIENT_ADDR] = true;
	values[COL_BACKEND_TYPE] =
		CStringGetTextDatum(GetBackendTypeDesc(be->st_backendType));
	if (be->st_proc_start_timestamp != 0)
		values[COL_BACKEND_START] = TimestampTzGetDatum(be->st_proc_start_timestamp);
	else
		nulls[COL_BACKEND_START] = true;
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
 * pg_stat_ssl_ext_sessions(): one row per process with a client connection,
 * as pg_stat_ssl has, in PostgreSQL's backend status order.
 *
 * A row's TLS columns come from the process's registry slot; without one
 * (no preloading, or a session still authenticating or already exiting),
 * from tls_facts_own() for the calling session and from PostgreSQL's
 * backend status for the others.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_pg_stat_ssl_ext_sessions);
Datum
sslinfo_ext_pg_stat_ssl_ext_sessions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			reader = GetUserId();
	bool		reads_all = has_privs_of_role(reader, ROLE_PG_READ_ALL_STATS);
	PidSlot    *occupied = NULL;
	int			noccupied = 0;
	RegistrySlot *copy;
	int			nbackends;
	NameLookup	last_role = {.context = CurrentMemoryContext};
	NameLookup	last_database = {.context = CurrentMemoryContext};
	MemoryContext rowcontext;

	InitMaterializedSRF(fcinfo, 0);

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
	nbackends = pgstat_fetch_stat_numbackends();
	if (registry != NULL)
	{
		occupied = occupied_slots(&noccupied);
		copy = palloc(registry->slot_stride);
	}
	else
		copy = palloc(slot_stride());

	for (int i = 1; i <= nbackends; i++)
	{
		LocalPgBackendStatus *local = local_backend_status(i);
		PgBackendStatus *be;
		Datum		values[NUM_COLUMNS];
		bool		nulls[NUM_COLUMNS];
		PidSlot		key;
		PidSlot    *found = NULL;
		MemoryContext oldcontext;

		if (local == NULL)
			continue;
		be = &local->backendStatus;
		if (!has_client_connection(be))
			continue;

		oldcontext = MemoryContextSwitchTo(rowcontext);
		memset(values, 0, sizeof(values));
		memset(nulls, 0, sizeof(nulls));
		public_columns(be, &last_role, &last_database, values, nulls);

		if (!reads_all && !has_privs_of_role(reader, be->st_userid))
		{
			for (int col = 0; col < NUM_COLUMNS; col++)
				if (col != COL_PID && col != COL_USENAME &&
					col != COL_DATNAME && col != COL_APPLICATION_NAME)
					nulls[col] = true;
		}
		else
		{
			connection_columns(be, values, nulls);

			key.pid = be->st_procpid;
			if (noccupied > 0)
				found = bsearch(&key, occupied, noccupied, sizeof(PidSlot), pid_slot_cmp);
			if (found && slot_read(found->slotno, key.pid, copy))
				slot_columns(copy, values, nulls);
			else if (be->st_procpid == MyProcPid)
			{
				memset(copy, 0, offsetof(RegistrySlot, text));
				pack_facts(copy, tls_facts_own());
				slot_columns(copy, values, nulls);
			}
			else
				core_columns(be, values, nulls);
		}

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(oldcontext);
		MemoryContextReset(rowcontext);
	}
	MemoryContextDelete(rowcontext);
	return (Datum) 0;
}

/* Largest max_connections PostgreSQL 14-19 accept (MAX_BACKENDS, 2^18 - 1) */
#define MAX_CONNECTIONS_SETTING 262143

/*
 * pg_stat_ssl_ext_memory(max_connections): the registry's size, computed by
 * the code that sizes it.  With NULL, this server's, and how many slots are
 * in use now; with a number, what the size would be with max_connections
 * set to it and the other settings as they are.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_pg_stat_ssl_ext_memory);
Datum
sslinfo_ext_pg_stat_ssl_ext_memory(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	int			nslots;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (PG_ARGISNULL(0))
		nslots = registry ? registry->nslots : registry_slot_count();
	else
	{
		int			connections = PG_GETARG_INT32(0);

		/* the setting's own range; beyond it nslots would overflow */
		if (connections < 1 || connections > MAX_CONNECTIONS_SETTING)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_connections must be between 1 and %d",
							MAX_CONNECTIONS_SETTING)));
		nslots = connections + (registry_slot_count() - MaxConnections);
	}

	values[0] = Int32GetDatum(nslots);
	if (registry != NULL && PG_ARGISNULL(0))
	{
		int			in_use;

		pfree(occupied_slots(&in_use));
		values[1] = Int32GetDatum(in_use);
	}
	else
		nulls[1] = true;
	/* a slot and its entry in the owner index */
	values[2] = Int64GetDatum((int64) (slot_stride() + sizeof(int)));
	values[3] = Int64GetDatum((int64) registry_size(nslots));
	values[4] = BoolGetDatum(registry != NULL);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
