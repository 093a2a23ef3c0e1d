/*-------------------------------------------------------------------------
 *
 * session_registry.c
 *	  Every session's TLS facts in shared memory, and the pg_stat_ssl_ext view.
 *
 * See session_registry.h for the contract: slot layout and sizing, the
 * change-count protocol and why, and what happens without preloading.
 *
 * A slot is a fixed header followed by the start of its text: the slot's
 * strings one after the other, each NUL-terminated, continued in chunks of
 * the shared text pool when they need more than the slot has.  Writers
 * build the whole slot in local memory first (in a buffer with room for
 * every field at its limit) and copy it in, so the part of the write that
 * readers can race with is as short as it can be; readers copy only the
 * header and the used part of the text.
 *
 * Read path (pg_stat_ssl_ext_sessions()): PostgreSQL's backend status
 * snapshot is taken in backend_status_snapshot() and slot text becomes a
 * datum in utf8_datum(), one place each; values rows share (names, each
 * field's last value) are made once per scan (ScanCache).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/session_registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
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
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inet.h"
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

/*
 * The strings a slot stores, in the order they are packed: the short,
 * bounded ones first, so that a session short of room loses only DN and
 * SAN text, never its version or fingerprint.
 */
typedef enum SlotField
{
	SLOT_VERSION,
	SLOT_CIPHER,
	SLOT_TLS_GROUP,
	SLOT_KEY_TYPE,
	SLOT_SIGNATURE_ALGORITHM,
	SLOT_SERIAL,
	SLOT_FINGERPRINT,
	SLOT_SERVER_FINGERPRINT,
	SLOT_ALPN,
	SLOT_SNI,
	SLOT_CLIENT_DN,
	SLOT_ISSUER_DN,
	SLOT_SAN,					/* entries, each NUL-terminated */
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

/*
 * A slot: the session's fixed facts, then the start of its text.  Strings
 * are packed one after the other in SlotField order, each NUL-terminated;
 * a field's offset is the sum of the lengths (plus terminators) of the
 * present fields before it.  Text beyond the slot's own room continues in
 * chunks of the shared text pool, chained from "overflow".
 */
typedef struct RegistrySlot
{
	int			changecount;	/* odd while the owner writes */
	int			pid;			/* owner, 0 when the slot is free */
	uint32		flags;
	int32		bits;
	int32		key_bits;
	uint16		san_count;
	uint32		overflow;		/* first pool chunk + 1, 0 for none */
	TimestampTz not_before;
	TimestampTz not_after;
	uint32		text_used;		/* bytes of text, slot and chunks together */
	uint32		length[NUM_SLOT_FIELDS];	/* bytes, without the NUL */
	char		text[FLEXIBLE_ARRAY_MEMBER];
} RegistrySlot;

/*
 * Bytes from one slot to the next: six cache lines, so that a typical
 * session's text (a few hundred bytes: two DNs, a fingerprint, names) fits
 * in its own slot and its login never touches the shared pool.
 */
#define SLOT_STRIDE			768
#define SLOT_OWN_TEXT		(SLOT_STRIDE - offsetof(RegistrySlot, text))

/*
 * A chunk of the shared text pool.  Free chunks are chained from
 * SessionRegistry.free_head; a session's chunks are chained from its
 * slot.  Chunk numbers are stored plus one, so that 0 ends a chain.
 */
#define TEXT_CHUNK_BYTES	252
#define TEXT_CHUNK_TEXT		(TEXT_CHUNK_BYTES - sizeof(uint32))

typedef struct TextChunk
{
	uint32		next;
	char		text[TEXT_CHUNK_TEXT];
} TextChunk;

StaticAssertDecl(sizeof(TextChunk) == TEXT_CHUNK_BYTES,
				 "a text chunk has padding");
/*
 * The bounded fields but the SNI (all but the DNs, SANs and SNI) always
 * fit in the slot, at their maxima.  An SNI takes the room left after them
 * (host names are rarely long), then pool room like the DNs; only with the
 * pool short is a longer one cut, and flagged.
 */
StaticAssertDecl(SLOT_OWN_TEXT >= 3 * (TINY_FIELD_MAX + 1) +
				 6 * (SHORT_FIELD_MAX + 1),
				 "a slot's own text cannot hold the bounded fields");

/*
 * The registry: this header, then the owner index (each slot's owner pid,
 * packed, so that finding the slots in use reads a few cache lines instead
 * of one per slot), then the slots, then the text pool.  The owner index
 * is only a hint; a slot's own pid, read under the protocol, decides.
 */
typedef struct SessionRegistry
{
	int			nslots;
	uint32		nchunks;		/* of the text pool */
	Size		slots_offset;	/* from the start of the registry */
	Size		chunks_offset;
	slock_t		pool_lock;		/* protects the three fields below */
	uint32		free_head;		/* first free chunk + 1, 0 for none */
	uint32		free_chunks;
	uint64		pool_full;		/* sessions cut because too few were free */
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

/*
 * What one pg_stat_ssl_ext scan reads slots with: the owner index as read
 * after the backend status snapshot, sorted by pid, and the one buffer
 * every row's slot is copied into, so that rows allocate nothing for it.
 */
typedef struct SlotReader
{
	PidSlot    *occupied;		/* NULL without preloading */
	int			noccupied;
	RegistrySlot *copy;			/* room for capacity bytes of text */
	uint32		capacity;
} SlotReader;

static int	max_dn_bytes = 1024;
static int	max_san_bytes = 1024;
static int	text_pool_bytes_per_slot = TEXT_CHUNK_BYTES;

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
	DefineCustomIntVariable("sslinfo_ext.text_pool_bytes_per_slot",
							"Shared room for pg_stat_ssl_ext text that does not fit in a session's own slot, per slot.",
							"The pool holds long DNs and SAN lists; a session that "
							"finds too little of it free keeps what fits in its "
							"slot and its row is flagged as truncated.",
							&text_pool_bytes_per_slot,
							TEXT_CHUNK_BYTES, 0, 65536,
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
		case SLOT_ALPN:			/* the server selects "postgresql" only */
			return TINY_FIELD_MAX;
		default:
			return SHORT_FIELD_MAX;
	}
}

/*
 * The most text one session can have: every field at its maximum, plus a
 * terminator for each plain string.  The size of the buffers a slot is
 * built in and read into; shared memory holds only what sessions use.
 */
static uint32
session_text_capacity(void)
{
	uint32		capacity = 0;

	for (int f = 0; f < NUM_SLOT_FIELDS; f++)
		capacity += field_max(f) + (f == SLOT_SAN ? 0 : 1);
	return capacity;
}

static uint32
pool_chunk_count(int nslots)
{
	uint64		bytes = (uint64) nslots * text_pool_bytes_per_slot;

	return (uint32) ((bytes + TEXT_CHUNK_BYTES - 1) / TEXT_CHUNK_BYTES);
}

static Size
owner_index_size(int nslots)
{
	return TYPEALIGN(PG_CACHE_LINE_SIZE, mul_size(nslots, sizeof(int)));
}

static Size
slots_size(int nslots)
{
	return mul_size(nslots, SLOT_STRIDE);
}

static Size
registry_size(int nslots)
{
	Size		size = REGISTRY_HEADER_SIZE;

	size = add_size(size, owner_index_size(nslots));
	size = add_size(size, slots_size(nslots));
	return add_size(size, mul_size(pool_chunk_count(nslots), TEXT_CHUNK_BYTES));
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
							 (Size) slotno * SLOT_STRIDE);
}

/* A pool chunk by its stored number (chunk + 1); NULL for a bad one */
static inline TextChunk *
pool_chunk(uint32 stored)
{
	if (stored == 0 || stored > registry->nchunks)
		return NULL;
	return (TextChunk *) ((char *) registry + registry->chunks_offset +
						  (Size) (stored - 1) * TEXT_CHUNK_BYTES);
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
		registry->nchunks = pool_chunk_count(nslots);
		registry->slots_offset = REGISTRY_HEADER_SIZE + owner_index_size(nslots);
		registry->chunks_offset = registry->slots_offset + slots_size(nslots);
		SpinLockInit(&registry->pool_lock);
		for (uint32 c = 1; c < registry->nchunks; c++)
			pool_chunk(c)->next = c + 1;
		registry->free_head = registry->nchunks > 0 ? 1 : 0;
		registry->free_chunks = registry->nchunks;
		elog(DEBUG1, "sslinfo_ext session registry: %d slots of %d bytes, %u pool chunks of %d bytes, %zu bytes in all",
			 nslots, SLOT_STRIDE, registry->nchunks, TEXT_CHUNK_BYTES, size);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * The shared text pool
 */

/*
 * Takes n chunks, chained, for this backend's slot, and returns the first
 * (stored form); 0 when fewer than n are free, which is counted.  All or
 * nothing: a session's text is either whole or cut to its own slot.
 */
static uint32
pool_take(uint32 n)
{
	uint32		head;
	uint32		last;

	SpinLockAcquire(&registry->pool_lock);
	if (registry->free_chunks < n)
	{
		registry->pool_full++;
		SpinLockRelease(&registry->pool_lock);
		return 0;
	}
	head = last = registry->free_head;
	for (uint32 i = 1; i < n; i++)
		last = pool_chunk(last)->next;
	registry->free_head = pool_chunk(last)->next;
	registry->free_chunks -= n;
	pool_chunk(last)->next = 0;
	SpinLockRelease(&registry->pool_lock);
	return head;
}

/* Gives a chain from pool_take() back */
static void
pool_give(uint32 head)
{
	uint32		last = head;
	uint32		n = 1;

	if (head == 0)
		return;
	/* the chain is this backend's: walk it before taking the lock */
	while (pool_chunk(last)->next != 0)
	{
		last = pool_chunk(last)->next;
		n++;
	}
	SpinLockAcquire(&registry->pool_lock);
	pool_chunk(last)->next = registry->free_head;
	registry->free_head = head;
	registry->free_chunks += n;
	SpinLockRelease(&registry->pool_lock);
}

/*
 * Writing a slot
 */

/*
 * Adds one string to the slot being built, in at most room bytes of text
 * in all; see the header for the rules.
 */
static void
pack_text(RegistrySlot *image, SlotField field, const char *value,
		  bool whole_or_nothing, uint32 room)
{
	int			len;
	int			valid;
	int			limit;

	if (value == NULL)
		return;
	len = strlen(value);
	limit = Min(field_max(field), (int) room - (int) image->text_used - 1);
	/* facts are UTF-8, but never let a malformed value reach a reader */
	valid = pg_encoding_verifymbstr(PG_UTF8, value, len);
	if (valid < len || len > limit)
	{
		image->flags |= SLOT_TRUNCATED;
		/* no room at all: NULL, not an empty string */
		if (whole_or_nothing || limit <= 0)
			return;
		len = pg_encoding_mbcliplen(PG_UTF8, value, valid, limit);
	}
	image->length[field] = len;
	memcpy(image->text + image->text_used, value, len);
	image->text[image->text_used + len] = '\0';
	image->text_used += len + 1;
	image->flags |= SLOT_FIELD_PRESENT(field);
}

/* The leading SAN entries that fit in max_san_bytes and the room left */
static void
pack_san(RegistrySlot *image, List *san, uint32 room)
{
	int			left = Min(max_san_bytes, (int) room - (int) image->text_used);
	ListCell   *lc;

	if (san == NIL)
		return;
	image->flags |= SLOT_FIELD_PRESENT(SLOT_SAN);
	foreach(lc, san)
	{
		const char *entry = lfirst(lc);
		int			len = strlen(entry);

		if (len + 1 > left ||
			pg_encoding_verifymbstr(PG_UTF8, entry, len) != len)
		{
			image->flags |= SLOT_TRUNCATED;
			break;
		}
		memcpy(image->text + image->text_used, entry, len + 1);
		image->text_used += len + 1;
		image->length[SLOT_SAN] += len + 1;
		left -= len + 1;
		image->san_count++;
	}
}

/*
 * Builds a slot's contents from facts, with at most room bytes of text;
 * image's header is zeroed and its text has room bytes.
 */
static void
pack_facts(RegistrySlot *image, const TlsFacts *facts, uint32 room)
{
	if (facts == NULL || !facts->ssl_in_use)
		return;

	image->flags |= SLOT_SSL_IN_USE;
	image->bits = facts->bits;
	pack_text(image, SLOT_VERSION, facts->version, false, room);
	pack_text(image, SLOT_CIPHER, facts->cipher, false, room);
	pack_text(image, SLOT_TLS_GROUP, facts->tls_group, false, room);
	if (facts->cert_present)
	{
		pack_text(image, SLOT_KEY_TYPE, facts->client.key_type, false, room);
		pack_text(image, SLOT_SIGNATURE_ALGORITHM,
				  facts->client.signature_algorithm, false, room);
		pack_text(image, SLOT_SERIAL, facts->client.serial, true, room);
		pack_text(image, SLOT_FINGERPRINT, facts->client.fingerprint, true, room);
	}
	pack_text(image, SLOT_SERVER_FINGERPRINT, facts->server_fingerprint, true, room);
	pack_text(image, SLOT_ALPN, facts->alpn, false, room);
	pack_text(image, SLOT_SNI, facts->sni, false, room);
	if (!facts->cert_present)
		return;

	image->flags |= SLOT_CERT_PRESENT;
	pack_text(image, SLOT_CLIENT_DN, facts->client.subject, false, room);
	pack_text(image, SLOT_ISSUER_DN, facts->client.issuer, false, room);
	pack_san(image, facts->client.san, room);
	image->key_bits = facts->client.key_bits;
	if (facts->client.has_validity)
	{
		image->flags |= SLOT_HAS_VALIDITY;
		image->not_before = facts->client.not_before;
		image->not_after = facts->client.not_after;
	}
}

/*
 * Copies a built slot, and the part of its text beyond the slot into its
 * pool chunks, into shared memory under the change-count protocol.
 */
static void
slot_publish(volatile RegistrySlot *slot, const RegistrySlot *image)
{
	Size		from = offsetof(RegistrySlot, pid);
	Size		own = Min(image->text_used, SLOT_OWN_TEXT);

	START_CRIT_SECTION();
	slot->changecount++;
	pg_write_barrier();
	memcpy((char *) slot + from, (const char *) image + from,
		   offsetof(RegistrySlot, text) + own - from);
	for (uint32 c = image->overflow, done = own; done < image->text_used;)
	{
		TextChunk  *chunk = pool_chunk(c);
		uint32		n = Min(image->text_used - done, TEXT_CHUNK_TEXT);

		if (chunk == NULL)
			break;				/* cannot happen: pool_take() gave enough */
		memcpy(chunk->text, image->text + done, n);
		done += n;
		c = chunk->next;
	}
	pg_write_barrier();
	slot->changecount++;
	END_CRIT_SECTION();
}

/* on_shmem_exit callback: the exiting backend frees its slot and chunks */
static void
slot_release(int code, Datum arg)
{
	volatile RegistrySlot *slot;
	uint32		chunks;

	if (registry == NULL || own_slotno < 0)
		return;
	slot = registry_slot(own_slotno);
	owner_index()[own_slotno] = 0;
	START_CRIT_SECTION();
	slot->changecount++;
	pg_write_barrier();
	chunks = slot->overflow;
	slot->pid = 0;
	slot->flags = 0;
	slot->text_used = 0;
	slot->overflow = 0;
	pg_write_barrier();
	slot->changecount++;
	END_CRIT_SECTION();
	/* a reader still following the chain sees the count changed, retries */
	pool_give(chunks);
	own_slotno = -1;
}

void
session_registry_record(Port *port, const TlsFacts *facts)
{
	RegistrySlot *image;
	uint32		capacity;
	int			slotno;

	if (registry == NULL)
		return;

#if PG_VERSION_NUM >= 170000
	slotno = MyProcNumber;
#else
	slotno = MyBackendId - 1;
#endif
	if (slotno < 0 || slotno >= registry->nslots || own_slotno >= 0)
		return;					/* cannot happen; the view falls back */

	/* registered before the write, so no exit path can leave it behind */
	own_slotno = slotno;
	on_shmem_exit(slot_release, (Datum) 0);

	capacity = session_text_capacity();
	image = palloc0(offsetof(RegistrySlot, text) + capacity);
	pack_facts(image, facts, capacity);
	if (image->text_used > SLOT_OWN_TEXT)
	{
		uint32		beyond = image->text_used - SLOT_OWN_TEXT;

		image->overflow = pool_take((beyond + TEXT_CHUNK_TEXT - 1) / TEXT_CHUNK_TEXT);
		if (image->overflow == 0)
		{
			/* the pool is short: keep what fits in the slot (flagged) */
			memset(image, 0, offsetof(RegistrySlot, text));
			pack_facts(image, facts, SLOT_OWN_TEXT);
			image->flags |= SLOT_TRUNCATED;
		}
	}
	image->pid = MyProcPid;
	slot_publish(registry_slot(slotno), image);
	owner_index()[slotno] = MyProcPid;
	pfree(image);
}

/*
 * Reading slots
 */

/*
 * Copies the slot, with its text from the slot and its pool chunks, into
 * *copy (room for capacity bytes of text) if it belongs to pid, and says
 * whether it did.  The copy is one the owner wrote whole: the change count
 * was even and unchanged around it.
 */
static bool
slot_read(int slotno, int pid, RegistrySlot *copy, uint32 capacity)
{
	volatile RegistrySlot *slot = registry_slot(slotno);

	for (;;)
	{
		int			before;
		int			after;
		bool		owned;
		bool		whole = true;

		before = slot->changecount;
		pg_read_barrier();
		owned = (slot->pid == pid);
		if (owned)
		{
			uint32		used;
			uint32		done;
			uint32		chunk;

			memcpy(copy, (const char *) slot, offsetof(RegistrySlot, text));
			/* a torn header is retried below; only bound the copy here */
			used = Min(copy->text_used, capacity);
			done = Min(used, SLOT_OWN_TEXT);
			memcpy(copy->text, (const char *) slot->text, done);
			for (chunk = copy->overflow; done < used;)
			{
				volatile TextChunk *c = pool_chunk(chunk);
				uint32		n = Min(used - done, TEXT_CHUNK_TEXT);

				if (c == NULL)
				{
					whole = false;	/* a chain being freed: retried */
					break;
				}
				memcpy(copy->text + done, (const char *) c->text, n);
				done += n;
				chunk = c->next;
			}
		}
		pg_read_barrier();
		after = slot->changecount;
		if (before == after && (before & 1) == 0)
			return owned && whole;
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
 * reader's database encoding, never failing: the one place where a slot's
 * text becomes a datum.  A row is about another session, and one session's
 * certificate must not make the view unreadable for everybody in a database
 * whose encoding cannot hold it.  A UTF8 or SQL_ASCII database takes the
 * bytes as they are (SQL_ASCII holds any byte).  Otherwise, a character the
 * encoding has no equivalent for is shown as the \XX escapes of its UTF-8
 * bytes (東 as \E6\9D\B1), the form OpenSSL's RFC 2253 escaping and
 * x509_render's invalid-byte escapes use.
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

		elems[i] = utf8_datum(entry, entry_len);
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
		cache->last[field].datum = utf8_datum(value, len);
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

/*
 * client_addr as pg_stat_activity shows it (NULL for Unix sockets), built
 * from the address's bytes: the value inet_in() makes of the numeric host
 * that pg_stat_activity prints first, without printing and parsing it.
 */
static bool
client_addr_datum(const SockAddr *addr, Datum *result)
{
	inet	   *ip;

	if (addr->addr.ss_family == AF_INET)
	{
		const struct sockaddr_in *sin = (const struct sockaddr_in *) &addr->addr;

		ip = palloc0(sizeof(inet));
		ip_family(ip) = PGSQL_AF_INET;
		ip_bits(ip) = 32;
		memcpy(ip_addr(ip), &sin->sin_addr, 4);
	}
	else if (addr->addr.ss_family == AF_INET6)
	{
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) &addr->addr;

		ip = palloc0(sizeof(inet));
		ip_family(ip) = PGSQL_AF_INET6;
		ip_bits(ip) = 128;
		memcpy(ip_addr(ip), &sin6->sin6_addr, 16);
	}
	else
		return false;
	SET_INET_VARSIZE(ip);
	*result = InetPGetDatum(ip);
	return true;
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
 * A row's TLS columns, from the process's registry slot when the owner
 * index lists one and it still belongs to the process's pid (slot_read()
 * retries torn copies); without one (no preloading, or a session still
 * authenticating or already exiting), from tls_facts_own() for the calling
 * session and from PostgreSQL's backend status for the others.
 */
static void
tls_columns(const PgBackendStatus *be, SlotReader *slots, ScanCache *cache,
			Datum *values, bool *nulls)
{
	PidSlot		key;
	PidSlot    *found = NULL;

	key.pid = be->st_procpid;
	if (slots->noccupied > 0)
		found = bsearch(&key, slots->occupied, slots->noccupied,
						sizeof(PidSlot), pid_slot_cmp);
	if (found && slot_read(found->slotno, key.pid, slots->copy, slots->capacity))
		slot_columns(slots->copy, cache, values, nulls);
	else if (be->st_procpid == MyProcPid)
	{
		memset(slots->copy, 0, offsetof(RegistrySlot, text));
		pack_facts(slots->copy, tls_facts_own(), slots->capacity);
		slot_columns(slots->copy, cache, values, nulls);
	}
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
	SlotReader	slots = {NULL, 0, NULL, session_text_capacity()};
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
	if (registry != NULL)
		slots.occupied = occupied_slots(&slots.noccupied);
	slots.copy = palloc(offsetof(RegistrySlot, text) + slots.capacity);

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

/* Largest max_connections PostgreSQL 14-19 accept (MAX_BACKENDS, 2^18 - 1) */
#define MAX_CONNECTIONS_SETTING 262143

/*
 * pg_stat_ssl_ext_memory(max_connections): the registry's size, computed by
 * the code that sizes it.  With NULL, this server's, how many slots are in
 * use now and how the text pool fares; with a number, what the size would
 * be with max_connections set to it and the other settings as they are.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_pg_stat_ssl_ext_memory);
Datum
sslinfo_ext_pg_stat_ssl_ext_memory(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {false, false, false, false, false, false, false, false};
	int			nslots;
	Size		pool_bytes;

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
	pool_bytes = (Size) pool_chunk_count(nslots) * TEXT_CHUNK_BYTES;

	values[0] = Int32GetDatum(nslots);
	/* a slot, its entry in the owner index and its share of the pool */
	values[2] = Int64GetDatum((int64) (SLOT_STRIDE + sizeof(int) + pool_bytes / nslots));
	values[3] = Int64GetDatum((int64) registry_size(nslots));
	values[4] = BoolGetDatum(registry != NULL);
	values[5] = Int64GetDatum((int64) pool_bytes);
	if (registry != NULL && PG_ARGISNULL(0))
	{
		int			in_use;
		uint32		free_chunks;
		uint64		pool_full;

		pfree(occupied_slots(&in_use));
		SpinLockAcquire(&registry->pool_lock);
		free_chunks = registry->free_chunks;
		pool_full = registry->pool_full;
		SpinLockRelease(&registry->pool_lock);
		values[1] = Int32GetDatum(in_use);
		values[6] = Int64GetDatum((int64) free_chunks * TEXT_CHUNK_BYTES);
		values[7] = Int64GetDatum((int64) pool_full);
	}
	else
		nulls[1] = nulls[6] = nulls[7] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
