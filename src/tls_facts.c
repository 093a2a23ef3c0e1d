/*-------------------------------------------------------------------------
 *
 * tls_facts.c
 *	  The TLS facts of one client connection, rendered once.
 *
 * See tls_facts.h for the contract.  Everything is read from the Port's
 * OpenSSL objects through the same calls PostgreSQL's own be_tls_*
 * accessors make, so the answers agree with pg_stat_ssl.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_facts.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/ssl.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "tls_facts.h"
#include "x509_render.h"

#ifndef USE_OPENSSL
#error "sslinfo_ext needs a PostgreSQL server built with OpenSSL"
#endif

static char *
pstrdup_or_null(const char *s)
{
	return s ? pstrdup(s) : NULL;
}

/* The key-exchange group of the handshake (X25519, ffdhe2048, ...) */
static char *
negotiated_group(SSL *ssl)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	int			nid = SSL_get_negotiated_group(ssl);

	/* unnamed (e.g. custom DH parameters) or unknown to OpenSSL */
	if (nid <= 0 || (nid & TLSEXT_nid_unknown) != 0)
		return NULL;
	return pstrdup_or_null(OBJ_nid2sn(nid));
#else
	return NULL;
#endif
}

void
tls_facts_collect(Port *port, TlsFacts *facts)
{
	SSL		   *ssl;
	int			alg_bits = 0;

	memset(facts, 0, sizeof(TlsFacts));
	if (port == NULL || !port->ssl_in_use || port->ssl == NULL)
		return;

	ssl = port->ssl;
	facts->ssl_in_use = true;
	facts->version = pstrdup_or_null(SSL_get_version(ssl));
	facts->cipher = pstrdup_or_null(SSL_get_cipher_name(ssl));
	/* pg_stat_ssl.bits is the algorithm's key size, the out parameter */
	SSL_get_cipher_bits(ssl, &alg_bits);
	facts->bits = alg_bits;
	facts->tls_group = negotiated_group(ssl);
	facts->sni = pstrdup_or_null(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));

	if (port->peer != NULL)
	{
		facts->cert_present = true;
		x509_summarize(port->peer, &facts->client);
	}
}

const TlsFacts *
tls_facts_own(void)
{
	static TlsFacts own;
	static bool own_ready = false;

	if (!own_ready)
	{
		/*
		 * A context of its own: rendering leaves small temporaries behind,
		 * and this keeps them (once per backend) visible under one name.
		 */
		MemoryContext factscontext = AllocSetContextCreate(TopMemoryContext,
														   "sslinfo_ext TLS facts",
														   ALLOCSET_SMALL_SIZES);
		MemoryContext oldcontext = MemoryContextSwitchTo(factscontext);

		tls_facts_collect(MyProcPort, &own);
		MemoryContextSwitchTo(oldcontext);
		own_ready = true;
	}
	return &own;
}
