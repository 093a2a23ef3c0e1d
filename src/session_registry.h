/*-------------------------------------------------------------------------
 *
 * session_registry.h
 *	  Every session's TLS facts in shared memory: the slots and their
 *	  shared text pool.
 *
 * With shared_preload_libraries = 'sslinfo_ext', each backend that passes
 * client authentication (client backends and walsenders) copies its
 * TlsFacts into a slot of a fixed array in shared memory and clears the slot
 * when it exits.  session_view.c reads the slots through the SlotReader
 * below to produce pg_stat_ssl_ext; this unit knows nothing of its columns.
 *
 * Contract:
 * - One slot per backend, indexed by the backend's own number (MyBackendId
 *   - 1 up to PostgreSQL 16, MyProcNumber from 17): no allocation, no search,
 *   no lock.  The array has MaxBackends slots of 768 bytes: the fixed facts
 *   and room for a typical session's text.  Text beyond that goes to a
 *   shared pool of chunks (sslinfo_ext.text_pool_bytes_per_slot per slot,
 *   PGC_POSTMASTER), taken all at once or not at all under a spinlock at
 *   authentication and given back at exit; when too few are free the
 *   session keeps what fits in its slot, its row is flagged as truncated
 *   and the registry counts it.  pg_stat_ssl_ext_memory() reports the sizes
 *   and the count.
 * - Strings are stored in UTF-8, as TlsFacts has them (the database, hence
 *   its encoding, is not known yet at authentication); the reader converts
 *   them.  A value longer than its limit (sslinfo_ext.max_dn_bytes,
 *   sslinfo_ext.max_san_bytes, fixed ones for the rest) or than the room
 *   left is cut at a UTF-8 character boundary (DNs and other text), or
 *   dropped whole (serial, fingerprint, SAN entries: a cut one would be a
 *   wrong value), and the slot's SLOT_TRUNCATED flag is set.  Whatever a
 *   slot holds is valid UTF-8.
 * - Consistency: each slot carries a change counter, used like PostgreSQL's
 *   own backend status array: the owning backend increments it before and
 *   after every write, with write barriers, inside a critical section; a
 *   reader copies the slot between two reads of the counter (with read
 *   barriers) and retries while the counter was odd or changed.  Chosen over
 *   a lock because the writer is on the connection-start path: it must
 *   never wait for a monitoring query that scans thousands of slots, and a
 *   reader only retries in the rare case that it raced a session's start or
 *   exit.  A slot also carries its owner's pid, and a reader accepts a slot
 *   only when that pid is the one PostgreSQL's backend status has for the
 *   process, so a reused slot never shows its previous occupant's facts.
 * - Stale rows: the slot is cleared, and its pool chunks given back, by an
 *   on_shmem_exit callback registered before the slot is written; a
 *   backend that dies without running it (SIGKILL) makes the postmaster
 *   reinitialise shared memory, which zeroes every slot and rebuilds the
 *   pool.
 * - Without preloading there are no slots: session_registry_record() does
 *   nothing, session_registry_find() finds nothing, and
 *   session_registry_pack() still builds a slot image from facts in local
 *   memory (the view's row for the calling session).
 * - Reading: a reader starts a scan with session_registry_begin_scan()
 *   after taking PostgreSQL's backend status snapshot (a session records
 *   its slot during authentication, before its backend status shows a
 *   client connection, so every session of the snapshot is then found).
 *   The RegistrySlot that session_registry_find() and
 *   session_registry_pack() return is the reader's one buffer: valid until
 *   the next call on the same reader.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/session_registry.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_SESSION_REGISTRY_H
#define SSLINFO_EXT_SESSION_REGISTRY_H

#include "datatype/timestamp.h"
#include "libpq/libpq-be.h"

#include "tls_facts.h"

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
 * chunks of the shared text pool, chained from "overflow"; a copy a reader
 * gets has all of its text in "text".
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
	uint64		client_profile; /* client_offer.h; 0: none */
	TimestampTz not_before;
	TimestampTz not_after;
	uint32		text_used;		/* bytes of text, slot and chunks together */
	uint32		length[NUM_SLOT_FIELDS];	/* bytes, without the NUL */
	char		text[FLEXIBLE_ARRAY_MEMBER];
} RegistrySlot;

/*
 * What one scan reads slots with: the owner index as read at the start of
 * the scan, sorted by pid, and the one buffer every slot is copied into, so
 * that rows allocate nothing for it.  Filled by session_registry_begin_scan().
 */
typedef struct SlotReader
{
	struct PidSlot *occupied;	/* NULL without preloading */
	int			noccupied;
	RegistrySlot *copy;			/* room for capacity bytes of text */
	uint32		capacity;
} SlotReader;

/* Defines the unit's settings; called from _PG_init */
extern void session_registry_init(void);

/* Shared memory the registry needs; called where space is requested */
extern Size session_registry_shmem_size(void);

/* Creates or attaches the registry; called from the shmem startup hook */
extern void session_registry_shmem_startup(void);

/*
 * Publishes this backend's facts; called once from the authentication hook
 * (facts NULL is recorded as a connection without TLS).  Never ereports
 * for the content of the facts.
 */
extern void session_registry_record(Port *port, const TlsFacts *facts);

/* Starts a scan: the slots in use now, a buffer in CurrentMemoryContext */
extern void session_registry_begin_scan(SlotReader *reader);

/*
 * The slot of the process with this pid, copied whole into the reader's
 * buffer; NULL when it has none (no preloading, or a session still
 * authenticating or already exiting).
 */
extern const RegistrySlot *session_registry_find(SlotReader *reader, int pid);

/* The slot facts would make, built in the reader's buffer */
extern const RegistrySlot *session_registry_pack(SlotReader *reader,
												 const TlsFacts *facts);

/*
 * How many sessions of each client profile are open now: a hash table of
 * ProfileSessionCount in CurrentMemoryContext (empty without preloading).
 */
typedef struct ProfileSessionCount
{
	uint64		client_profile; /* the key */
	int32		sessions;
} ProfileSessionCount;

extern struct HTAB *session_registry_profile_counts(void);

#endif							/* SSLINFO_EXT_SESSION_REGISTRY_H */
