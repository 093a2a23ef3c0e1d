/*-------------------------------------------------------------------------
 *
 * session_registry.c
 *	  Every session's TLS facts in shared memory: the slots and their
 *	  shared text pool.
 *
 * See session_registry.h for the contract: slot layout and sizing, the
 * change-count protocol and why, and what happens without preloading.
 * The view's rows are made from the slots by session_view.c.
 *
 * A slot is a fixed header followed by the start of its text: the slot's
 * strings one after the other, each NUL-terminated, continued in chunks of
 * the shared text pool when they need more than the slot has.  Writers
 * build the whole slot in local memory first (in a buffer with room for
 * every field at its limit) and copy it in, so the part of the write that
 * readers can race with is as short as it can be; readers copy only the
 * header and the used part of the text.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/session_registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "postmaster/postmaster.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/guc.h"
#if PG_VERSION_NUM >= 170000
#include "storage/procnumber.h"
#else
#include "storage/backendid.h"
#endif

#include "session_registry.h"

/*
 * Maxima of the fields whose values have a bounded, well-known size; the
 * DNs and SANs are bounded by settings instead.  Generous: real values are
 * far shorter (a 20-octet serial has at most 49 digits, a fingerprint 64
 * hex digits, a DNS name 253 bytes).
 */
#define SHORT_FIELD_MAX		64
#define TINY_FIELD_MAX		32
#define SNI_MAX				255

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

/* A registry slot's number and its owner, for finding a pid's slot */
typedef struct PidSlot
{
	int			pid;
	int			slotno;
} PidSlot;

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
	 * calling session's own row and what pg_stat_ssl_ext_memory() reports, so
	 * they follow the configuration file, as cipher_policy_init() does.
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
	image->client_profile = facts->client_profile;
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

void
session_registry_begin_scan(SlotReader *reader)
{
	reader->occupied = NULL;
	reader->noccupied = 0;
	if (registry != NULL)
		reader->occupied = occupied_slots(&reader->noccupied);
	reader->capacity = session_text_capacity();
	reader->copy = palloc(offsetof(RegistrySlot, text) + reader->capacity);
}

/*
 * The owner index lists the process's slot and slot_read() finds it still
 * its pid's (it retries torn copies).
 */
const RegistrySlot *
session_registry_find(SlotReader *reader, int pid)
{
	PidSlot		key;
	PidSlot    *found = NULL;

	key.pid = pid;
	if (reader->noccupied > 0)
		found = bsearch(&key, reader->occupied, reader->noccupied,
						sizeof(PidSlot), pid_slot_cmp);
	if (found && slot_read(found->slotno, pid, reader->copy, reader->capacity))
		return reader->copy;
	return NULL;
}

const RegistrySlot *
session_registry_pack(SlotReader *reader, const TlsFacts *facts)
{
	memset(reader->copy, 0, offsetof(RegistrySlot, text));
	pack_facts(reader->copy, facts, reader->capacity);
	return reader->copy;
}

HTAB *
session_registry_profile_counts(void)
{
	HASHCTL		ctl;
	HTAB	   *counts;
	SlotReader	reader;

	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(ProfileSessionCount);
	ctl.hcxt = CurrentMemoryContext;
	counts = hash_create("sslinfo_ext sessions per client profile", 64, &ctl,
						 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	session_registry_begin_scan(&reader);
	for (int i = 0; i < reader.noccupied; i++)
	{
		ProfileSessionCount *entry;
		bool		found;

		if (!slot_read(reader.occupied[i].slotno, reader.occupied[i].pid,
					   reader.copy, reader.capacity) ||
			reader.copy->client_profile == 0)
			continue;
		entry = hash_search(counts, &reader.copy->client_profile,
							HASH_ENTER, &found);
		if (!found)
			entry->sessions = 0;
		entry->sessions++;
	}
	return counts;
}

/*
 * Reporting
 */

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

		/*
		 * The setting's own range (guc_tables.c bounds it by MAX_BACKENDS);
		 * beyond it nslots would overflow.
		 */
		if (connections < 1 || connections > (int) MAX_BACKENDS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_connections must be between 1 and %d",
							(int) MAX_BACKENDS)));
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
