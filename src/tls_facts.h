/*-------------------------------------------------------------------------
 *
 * tls_facts.h
 *	  The TLS facts of one client connection, rendered once.
 *
 * A connection's TLS state and client certificate never change after the
 * handshake, so everything sslinfo_ext reports about a session is rendered
 * a single time into a TlsFacts and reused: by the own-session SQL
 * functions (through tls_facts_own()) and by the shared-memory session
 * registry (which copies a TlsFacts into its slot at authentication).
 *
 * Contract:
 * - tls_facts_collect() reads only the Port and the OpenSSL objects hanging
 *   off it; it never ereports for certificate content (fields it cannot
 *   render are NULL) and it allocates in CurrentMemoryContext.
 * - All strings are UTF-8 and whole; see x509_render.h for formats.
 *   Group names are OpenSSL's (X25519, secp256r1, X25519MLKEM768, ...); a
 *   group OpenSSL has no name for is shown as its TLS code point, "0x%04X".
 * - tls_facts_own() returns the calling backend's facts, computed on first
 *   use in TopMemoryContext; the result is valid for the life of the
 *   backend and must not be modified.  In a process without a client
 *   connection (background worker, parallel worker) it returns facts with
 *   ssl_in_use = false.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_facts.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_TLS_FACTS_H
#define SSLINFO_EXT_TLS_FACTS_H

#include "datatype/timestamp.h"
#include "libpq/libpq-be.h"
#include "nodes/pg_list.h"

#include "x509_render.h"

typedef struct TlsFacts
{
	bool		ssl_in_use;
	char	   *version;		/* "TLSv1.3", ... */
	char	   *cipher;			/* OpenSSL cipher name */
	int			bits;			/* symmetric key bits, as pg_stat_ssl.bits */
	char	   *tls_group;		/* negotiated key-exchange group, or NULL */
	char	   *sni;			/* server name the client asked for, or NULL */
	char	   *alpn;			/* protocol ALPN selected ("postgresql"), or
								 * NULL: before 17 the server offers none */
	char	   *server_fingerprint; /* SHA-256 of the certificate served */
	uint64		client_profile; /* client_offer.h; 0: none, or not asked */

	bool		cert_present;	/* client presented a certificate */
	X509Summary client;			/* that certificate; zeroes when absent */
} TlsFacts;

extern void tls_facts_collect(Port *port, TlsFacts *facts);

/*
 * The key-exchange groups the client offered, and those both sides support
 * (in the server's order), of a TLS connection, by name.  Asked of OpenSSL
 * when called, not at login: only the own-session functions show them.
 * NIL without TLS.
 */
extern List *tls_client_groups(Port *port);

/*
 * A group as SSL_get1_groups() and SSL_get_shared_group() identify it, by
 * name (see above), palloc'd; ssl names provider groups.
 */
extern char *tls_group_name(SSL *ssl, int id);

/*
 * The key-exchange group the handshake of ssl negotiated, named as
 * tls_group_name() names it, palloc'd; NULL for none (RSA or finite-field
 * DHE key exchange in TLS 1.2).
 */
extern char *tls_negotiated_group(SSL *ssl);
extern List *tls_shared_groups(Port *port);
extern const TlsFacts *tls_facts_own(void);

#endif							/* SSLINFO_EXT_TLS_FACTS_H */
