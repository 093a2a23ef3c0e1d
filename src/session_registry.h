/*-------------------------------------------------------------------------
 *
 * session_registry.h
 *	  Every session's TLS facts in shared memory, and the pg_stat_ssl_ext view.
 *
 * With shared_preload_libraries = 'sslinfo_ext', each backend that passes
 * client authentication (client backends and walsenders) copies its
 * TlsFacts into a slot of a fixed array in shared memory and clears the slot
 * when it exits.  pg_stat_ssl_ext_sessions() joins these slots with
 * PostgreSQL's backend status to produce pg_stat_ssl_ext.
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
 *   its encoding, is not known yet at authentication); they are converted
 *   to the reader's database encoding when read.  A value longer than its
 *   limit (sslinfo_ext.max_dn_bytes, sslinfo_ext.max_san_bytes, fixed ones
 *   for the rest) or than the room left is cut at a UTF-8 character
 *   boundary (DNs and other text), or dropped whole (serial, fingerprint,
 *   SAN entries: a cut one would be a wrong value), and the row's
 *   "truncated" flag is set.
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
 *   nothing and the view answers from tls_facts_own() for the calling
 *   session and from PostgreSQL's backend status for the others.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/session_registry.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_SESSION_REGISTRY_H
#define SSLINFO_EXT_SESSION_REGISTRY_H

#include "libpq/libpq-be.h"

#include "tls_facts.h"

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

#endif							/* SSLINFO_EXT_SESSION_REGISTRY_H */
