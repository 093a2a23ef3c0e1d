/*-------------------------------------------------------------------------
 *
 * cert_lifecycle.h
 *	  Certificate expiry alarms, and the server's certificates and CRLs as
 *	  SQL rows.
 *
 * Contract:
 * - cert_lifecycle_init() defines sslinfo_ext.cert_expiry_warning_days
 *   (days, default 7, 0 disables, reloadable) and chains
 *   openssl_tls_init_hook so that the postmaster logs one WARNING per
 *   server-side certificate (ssl_cert_file: leaf and chain) that expires
 *   within that many days, or has expired, at every start and reload.
 *   _PG_init calls it once.
 * - cert_lifecycle_shmem_size() / cert_lifecycle_shmem_startup(): the
 *   cluster-wide rate-limit table, set up through sslinfo_ext.c's shared
 *   memory hooks; the startup function takes AddinShmemInitLock itself.
 *   Its LWLock is the named tranche CERT_LIFECYCLE_LWLOCK_TRANCHE (one
 *   lock), requested by the shared-memory request dispatcher.
 * - cert_expiry_check() is called by the ClientAuthentication_hook
 *   dispatcher for connections that authenticated.  For a TLS session it
 *   logs a WARNING for the server certificate, each chain certificate
 *   (expiring or expired) and the client certificate (expiring) within the
 *   window -- at most one per certificate (SHA-256 fingerprint) per hour
 *   across the cluster.  The server and chain certificates' facts come
 *   from the postmaster's reading of ssl_cert_file when it built the SSL
 *   context (inherited by the backend, matched by X509_cmp), so a login
 *   computes none for them unless the file changed under PostgreSQL.
 *   Never raises an error.  Without the shared table (library not
 *   preloaded) it does nothing.
 * - served_cert_fingerprint() gives the SHA-256 fingerprint of a served
 *   certificate from those same facts, or NULL when the postmaster did not
 *   read that certificate (then the caller computes it).
 * - The SQL functions ssl_server_certificates() and ssl_crl_status() work
 *   with or without preloading.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/cert_lifecycle.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_CERT_LIFECYCLE_H
#define SSLINFO_EXT_CERT_LIFECYCLE_H

#include <openssl/x509.h>

#include "libpq/libpq-be.h"

/*
 * tls_facts.c asks this unit for the fingerprints it already has
 * (served_cert_fingerprint()), so the facts are only declared here: the two
 * headers do not include each other.
 */
struct TlsFacts;

#define CERT_LIFECYCLE_LWLOCK_TRANCHE	"sslinfo_ext_cert_lifecycle"

extern int	cert_expiry_warning_days;

extern void cert_lifecycle_init(void);
extern Size cert_lifecycle_shmem_size(void);
extern void cert_lifecycle_shmem_startup(void);
extern void cert_expiry_check(Port *port, const struct TlsFacts *facts);
extern const char *served_cert_fingerprint(X509 *cert);

/*
 * Text for a log line or a row from text a certificate's maker or a client
 * chose: each character that could make the line read differently (controls,
 * invisible format characters, line separators) and each byte that is not
 * UTF-8 becomes \XX escapes of its bytes; palloc'd.
 */
extern char *log_safe_text(const char *utf8);

#endif							/* SSLINFO_EXT_CERT_LIFECYCLE_H */
