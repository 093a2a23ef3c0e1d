/*-------------------------------------------------------------------------
 *
 * refusals.h
 *	  Connection attempts refused at the front door: what this backend saw
 *	  of its own failed start, and the shared tables that count them.
 *
 * With shared_preload_libraries = 'sslinfo_ext', every backend watches its
 * own start, from the first TLS record until client authentication
 * succeeds.  If it ends before that, with a COMMERROR (the TLS handshake,
 * the startup packet) or a FATAL (authentication, pg_hba.conf,
 * sslinfo_ext.require_ssl), the attempt is a refusal: it is classified into
 * the fixed vocabulary of RefusalReason and counted, on the way out, in
 *  - the totals: one exact counter per reason, never evicted (atomics);
 *  - the per-address table: one entry per (client address, reason), at most
 *    sslinfo_ext.max_refusal_entries of them (PGC_POSTMASTER), the least
 *    recently seen evicted first, with the last attempt's user, database,
 *    client profile and what the server said of it;
 *  - the client inventory (client_inventory.h), when OpenSSL had read the
 *    client's offer.
 *
 * Contract:
 * - Classification never reads translated text: it compares the
 *   untranslated message id of PostgreSQL's message (ErrorData.message_id),
 *   the X.509 verification result of the client's certificate, and the
 *   OpenSSL reason code PostgreSQL reported, recognized by OpenSSL's own
 *   (never translated) text for that code, which also names an alert the
 *   client sent (refusals.c lists them).  No OpenSSL callback is set: the
 *   context's info callback is PostgreSQL's, and on PostgreSQL 19 (19rc1)
 *   a message callback set on the context openssl_tls_init_hook is given
 *   is never called for a connection (on 15 to 18 it is); the log message
 *   is where every major says why a handshake failed.
 * - Nothing is written to shared memory while an error is being reported:
 *   the emit_log_hook only notes the refusal in backend memory, and an
 *   on_proc_exit callback counts it.  A TLS handshake fails before the
 *   backend has a PGPROC, so the tables are guarded by spinlocks, held for
 *   a scan of a compact key array and a copy, never across a call that can
 *   fail.
 * - Recording never ereports and never allocates in shared memory; a
 *   flood of refused attempts from any number of addresses changes counts
 *   and entries, never the size of anything.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/refusals.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_REFUSALS_H
#define SSLINFO_EXT_REFUSALS_H

/*
 * Why an attempt was refused.  The names (refusal_reason_name()) are the
 * documented vocabulary of pg_stat_ssl_ext_refusals.reason; order is that
 * of pg_stat_ssl_ext_refusal_totals.
 */
typedef enum RefusalReason
{
	REFUSAL_PROTOCOL_VERSION,
	REFUSAL_NO_SHARED_CIPHER,
	REFUSAL_NO_SHARED_GROUP,
	REFUSAL_ALPN_REQUIRED,
	REFUSAL_CLIENT_CERT_UNTRUSTED,
	REFUSAL_CLIENT_CERT_EXPIRED,
	REFUSAL_CLIENT_CERT_NOT_YET_VALID,
	REFUSAL_CLIENT_CERT_REVOKED,
	REFUSAL_CLIENT_CERT_MISSING,
	REFUSAL_CLIENT_CERT_IDENTITY,
	REFUSAL_SERVER_CERT_REJECTED,
	REFUSAL_TLS_REQUIRED,
	REFUSAL_HANDSHAKE_ABORTED,
	REFUSAL_OTHER,
	NUM_REFUSAL_REASONS
} RefusalReason;

StaticAssertDecl(NUM_REFUSAL_REASONS <= 32,
				 "the client inventory keeps the reasons as bits of a uint32");

extern const char *refusal_reason_name(RefusalReason reason);

/*
 * The reason an OpenSSL reason code of a failed handshake (ERR_GET_REASON)
 * stands for, as the refusals are classified; the dry run (dry_run.c) names
 * its predicted refusals with it.
 */
extern RefusalReason refusal_reason_of_openssl_code(int code);

/* Defines the unit's setting; installs its hooks when preloading */
extern void refusals_init(void);

extern Size refusals_shmem_size(void);
extern void refusals_shmem_startup(void);

/*
 * Called by the authentication hook when the connection is admitted: the
 * backend stops watching its start.
 */
extern void refusals_admitted(void);

/*
 * Called by sslinfo_ext's own refusals (require_ssl) just before their
 * FATAL: the reason that FATAL is counted under.
 */
extern void refusals_announce(RefusalReason reason);

#endif							/* SSLINFO_EXT_REFUSALS_H */
