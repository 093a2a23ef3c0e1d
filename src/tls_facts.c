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

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"

#include "cert_lifecycle.h"
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

#if OPENSSL_VERSION_NUMBER < 0x30000000L
/*
 * The group of an (EC)DH key: its type for X25519 and X448, its curve for
 * any other elliptic curve; NID_undef for anything else.
 */
static int
group_of_key(EVP_PKEY *pkey)
{
	int			type = EVP_PKEY_base_id(pkey);

	if (type == EVP_PKEY_X25519 || type == EVP_PKEY_X448)
		return type;
	if (type == EVP_PKEY_EC)
	{
		const EC_KEY *ec = EVP_PKEY_get0_EC_KEY(pkey);

		if (ec != NULL && EC_KEY_get0_group(ec) != NULL)
			return EC_GROUP_get_curve_name(EC_KEY_get0_group(ec));
	}
	return NID_undef;
}
#endif

/*
 * The key-exchange group of the handshake (X25519, ffdhe2048, ...), named
 * as tls_group_name() names it; NULL when there is none.
 *
 * OpenSSL 1.1.1 has no SSL_get_negotiated_group().  There, in TLS 1.3 the
 * server's own key share is still held when the handshake is done
 * (SSL_get_tmp_key()), and its group is the one negotiated.  In TLS 1.2 the
 * server's ECDHE key is freed once the client's share is processed; the
 * curve was the first group both sides support in the order the server
 * uses (SSL_get_shared_group(ssl, 0), the call 1.1.1 makes to choose it).
 * A TLS 1.2 suite without ECDHE (RSA or finite-field DHE key exchange)
 * negotiates no named group: NULL, as with SSL_get_negotiated_group().
 */
char *
tls_negotiated_group(SSL *ssl)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	int			nid = SSL_get_negotiated_group(ssl);

	/* unnamed (e.g. custom DH parameters) */
	if (nid <= 0)
		return NULL;
	return tls_group_name(ssl, nid);
#else
	const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
	int			kx = cipher ? SSL_CIPHER_get_kx_nid(cipher) : NID_undef;
	int			nid = NID_undef;

	if (kx == NID_kx_any)		/* TLS 1.3 */
	{
		EVP_PKEY   *key = NULL;

		if (SSL_get_tmp_key(ssl, &key) == 1 && key != NULL)
		{
			nid = group_of_key(key);
			EVP_PKEY_free(key);
		}
	}
	else if (kx == NID_kx_ecdhe || kx == NID_kx_ecdhe_psk)
		nid = SSL_get_shared_group(ssl, 0);
	ERR_clear_error();
	if (nid <= 0)
		return NULL;
	return tls_group_name(ssl, nid);
#endif
}

/*
 * A group as SSL_get1_groups() and SSL_get_shared_group() identify it (a
 * NID, or TLSEXT_nid_unknown plus the TLS code point), named as
 * tls_negotiated_group() and ssl_groups name it: the NID's short name
 * (prime256v1, X25519), a provider group's name (X25519MLKEM768).
 */
char *
tls_group_name(SSL *ssl, int id)
{
	const char *name = NULL;

	if ((id & TLSEXT_nid_unknown) == 0)
		name = OBJ_nid2sn(id);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	else if (ssl != NULL)
		name = SSL_group_to_name(ssl, id);
#endif
	ERR_clear_error();
	if (name != NULL)
		return pstrdup(name);
	/* a code point OpenSSL does not know (GREASE, a newer group) */
	return psprintf("0x%04X", (unsigned int) (id & 0xFFFF));
}

/* The groups the client listed in its supported_groups extension */
static List *
client_groups(SSL *ssl)
{
	int			n = SSL_get1_groups(ssl, NULL);
	int		   *ids;
	List	   *names = NIL;

	if (n <= 0)
		return NIL;
	ids = palloc(sizeof(int) * n);
	n = SSL_get1_groups(ssl, ids);
	for (int i = 0; i < n; i++)
		names = lappend(names, tls_group_name(ssl, ids[i]));
	pfree(ids);
	return names;
}

/* The groups both sides support, in the order the server prefers */
static List *
shared_groups(SSL *ssl)
{
	int			n = SSL_get_shared_group(ssl, -1);
	List	   *names = NIL;

	for (int i = 0; i < n; i++)
		names = lappend(names, tls_group_name(ssl, SSL_get_shared_group(ssl, i)));
	return names;
}

List *
tls_client_groups(Port *port)
{
	if (port == NULL || !port->ssl_in_use || port->ssl == NULL)
		return NIL;
	return client_groups(port->ssl);
}

List *
tls_shared_groups(Port *port)
{
	if (port == NULL || !port->ssl_in_use || port->ssl == NULL)
		return NIL;
	return shared_groups(port->ssl);
}

/* The protocol ALPN selected; PostgreSQL 17+ records that it did */
static char *
selected_alpn(Port *port)
{
	const unsigned char *data = NULL;
	unsigned int len = 0;

#if PG_VERSION_NUM >= 170000
	if (!port->alpn_used)
		return NULL;
#endif
	SSL_get0_alpn_selected(port->ssl, &data, &len);
	if (data == NULL || len == 0)
		return NULL;
	return pnstrdup((const char *) data, len);
}

/*
 * SHA-256 of the certificate the server presented in this handshake: the
 * postmaster's, computed once per SSL context (cert_lifecycle.c), unless
 * the certificate is not one it read.
 */
static char *
served_certificate_fingerprint(SSL *ssl)
{
	X509	   *cert = SSL_get_certificate(ssl);
	const char *known;

	if (cert == NULL)
		return NULL;
	known = served_cert_fingerprint(cert);
	return known ? pstrdup(known) : x509_fingerprint_sha256(cert);
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
	facts->tls_group = tls_negotiated_group(ssl);
	facts->sni = pstrdup_or_null(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));
	facts->alpn = selected_alpn(port);
	facts->server_fingerprint = served_certificate_fingerprint(ssl);

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
