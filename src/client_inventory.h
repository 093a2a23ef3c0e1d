/*-------------------------------------------------------------------------
 *
 * client_inventory.h
 *	  Every distinct TLS offer seen (a client profile), with how many
 *	  connections and refusals it had: pg_stat_ssl_ext_clients.
 *
 * With shared_preload_libraries = 'sslinfo_ext', a fixed-size table in
 * shared memory holds one entry per client profile (client_offer.h), at
 * most sslinfo_ext.max_client_profiles of them (PGC_POSTMASTER); when it is
 * full, the least recently seen profile makes room.  An admitted TLS
 * connection counts as a connection of its profile, a refused one whose
 * offer OpenSSL had read (refusals.h) as a refusal; each also sets the
 * profile's last client address, user and application name.
 *
 * Contract:
 * - client_inventory_count() never ereports and never allocates; it takes
 *   the table's spinlock only for a scan of the profile ids in use and a
 *   copy, so it may run before the backend has a PGPROC (a refused
 *   handshake) and on every login.  Without preloading it does nothing.
 * - How many sessions of a profile are open now is not kept here: the
 *   view counts the session registry's slots (session_registry.h).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/client_inventory.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_CLIENT_INVENTORY_H
#define SSLINFO_EXT_CLIENT_INVENTORY_H

#include "datatype/timestamp.h"
#include "libpq/libpq-be.h"

#include "client_offer.h"
#include "refusals.h"

extern void client_inventory_init(void);
extern Size client_inventory_shmem_size(void);
extern void client_inventory_shmem_startup(void);

/*
 * Counts one connection (refusal NUM_REFUSAL_REASONS) or refusal (for that
 * reason) of the profile id of offer, from port's address, user and
 * application name.
 */
extern void client_inventory_count(const ClientOffer *offer, uint64 id,
								   const Port *port, RefusalReason refusal);

/*
 * The profile of a TLS connection, counted as a connection: called once
 * by the authentication hook.  Returns the profile id, 0 without one.
 */
extern uint64 client_inventory_admit(Port *port);

/* A profile as a reader copies it */
typedef struct ClientProfile
{
	uint64		id;
	ClientOffer offer;
	int64		connections;
	int64		refusals;
	uint32		refusal_reasons;	/* bit (1 << RefusalReason) per reason
									 * seen */
	int32		sessions;		/* open now (session_registry.h) */
	TimestampTz first_seen;
	TimestampTz last_seen;
	SockAddr	last_client;
	char		last_usename[NAMEDATALEN];
	char		last_application_name[NAMEDATALEN];
} ClientProfile;

/*
 * Every profile, copied one at a time under the table's lock, with its open
 * sessions counted; palloc'd, *count of them (NULL, 0 without preloading).
 */
extern ClientProfile *client_inventory_snapshot(int *count);

#endif							/* SSLINFO_EXT_CLIENT_INVENTORY_H */
