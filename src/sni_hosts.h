/*-------------------------------------------------------------------------
 *
 * sni_hosts.h
 *	  PostgreSQL 19's per-host TLS configuration (ssl_sni = on with
 *	  pg_hosts.conf): the entries as the server reads them, and their audit.
 *
 * With ssl_sni on, PostgreSQL 19 builds one SSL context per pg_hosts.conf
 * entry (certificate, key, CA, passphrase command) and picks it by the
 * name the client sends in SNI ("*": any other name, "/no_sni/": clients
 * that send none).  Every other TLS setting (ssl_ciphers, ssl_tls13_ciphers,
 * ssl_groups, the protocol range, the CRLs) is global and applies to every
 * context, so the cipher policy's check hooks govern them all.
 *
 * Contract:
 * - sni_hosts_load() returns the entries (SniHost, palloc'd) when the
 *   server is 19+ and ssl_sni is on, NIL otherwise; it reads the file
 *   through PostgreSQL's own load_hosts() (libpq/libpq.h), so it sees what
 *   the next reload loads.  A file PostgreSQL cannot parse sets *error
 *   (palloc'd) and yields the entries it could read.
 * - sni_hosts_audit() judges every entry: the certificate file readable,
 *   valid now and for more than warning_days; the key matching it; the key
 *   file's permissions by PostgreSQL's own rule
 *   (tls_files_key_permissions(), as for ssl_key_file).  It never ereports
 *   above LOG.
 * - sni_hosts_find_cert() names the entry whose certificate file holds the
 *   certificate (leaf or chain), reading the files as they are now; NULL
 *   when no entry does (or ssl_sni is off).  It never ereports above LOG.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/sni_hosts.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_SNI_HOSTS_H
#define SSLINFO_EXT_SNI_HOSTS_H

#include <openssl/x509.h>

#include "nodes/pg_list.h"

#include "tls_audit.h"

typedef struct SniHost
{
	char	   *host;			/* the entry's host names, joined with "," */
	char	   *cert_file;
	char	   *key_file;
	char	   *ca_file;		/* NULL when the entry has none */
	int			line;			/* in pg_hosts.conf */
} SniHost;

extern bool sni_hosts_in_use(void);
extern List *sni_hosts_load(char **error);
extern AuditResult sni_hosts_audit(int warning_days);
extern const SniHost *sni_hosts_find_cert(X509 *cert);

#endif							/* SSLINFO_EXT_SNI_HOSTS_H */
