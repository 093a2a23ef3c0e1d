/*-------------------------------------------------------------------------
 *
 * client_offer.c
 *	  What a TLS client offered, read from OpenSSL, and its profile id.
 *
 * See client_offer.h for the contract.  Names are rendered with a private
 * SSL object of this backend (made on first use): OpenSSL looks suites up
 * by code point and names provider groups only through an SSL object.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/client_offer.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "client_offer.h"
#include "tls_facts.h"
#include "x509_render.h"

bool
client_offer_read(SSL *ssl, ClientOffer *offer)
{
	STACK_OF(SSL_CIPHER) *ciphers;
	int			ngroups;
	bool		offers_tls13 = false;

	memset(offer, 0, sizeof(*offer));
	if (ssl == NULL)
		return false;
	ciphers = SSL_get_client_ciphers(ssl);
	if (ciphers == NULL || sk_SSL_CIPHER_num(ciphers) <= 0)
		return false;

	for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); i++)
	{
		const SSL_CIPHER *cipher = sk_SSL_CIPHER_value(ciphers, i);

		/* TLS 1.3's suites are the code points 0x13XX (RFC 8446, B.4) */
		if ((SSL_CIPHER_get_protocol_id(cipher) >> 8) == 0x13)
			offers_tls13 = true;
		if (offer->n_ciphers == CLIENT_OFFER_MAX_CIPHERS)
		{
			offer->incomplete = true;
			continue;
		}
		offer->ciphers[offer->n_ciphers++] = SSL_CIPHER_get_protocol_id(cipher);
	}

	/* the count first: SSL_get1_groups() fills as many as the client sent */
	ngroups = SSL_get1_groups(ssl, NULL);
	if (ngroups > 0)
	{
		int			ids[256];

		if (ngroups > lengthof(ids))
		{
			offer->incomplete = true;
			ngroups = 0;
		}
		else
			ngroups = SSL_get1_groups(ssl, ids);
		for (int i = 0; i < ngroups; i++)
		{
			if (offer->n_groups == CLIENT_OFFER_MAX_GROUPS)
			{
				offer->incomplete = true;
				break;
			}
			offer->groups[offer->n_groups++] = ids[i];
		}
	}

	if (offers_tls13)
		offer->max_version = TLS1_3_VERSION;
	else
		offer->max_version = SSL_client_version(ssl);
	if (offer->max_version <= 0)
	{
		offer->max_version = 0;
		offer->incomplete = true;
	}
	ERR_clear_error();
	return true;
}

uint64
client_offer_id(const ClientOffer *offer)
{
	unsigned char bytes[8 + 2 * CLIENT_OFFER_MAX_CIPHERS + 4 * CLIENT_OFFER_MAX_GROUPS];
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	size_t		n = 0;
	uint64		id = 0;

	/*
	 * A fixed, byte-order independent form: version, suite count, suites,
	 * group count, groups, each big-endian.
	 */
	bytes[n++] = (offer->max_version >> 8) & 0xFF;
	bytes[n++] = offer->max_version & 0xFF;
	bytes[n++] = (offer->n_ciphers >> 8) & 0xFF;
	bytes[n++] = offer->n_ciphers & 0xFF;
	for (int i = 0; i < offer->n_ciphers; i++)
	{
		bytes[n++] = (offer->ciphers[i] >> 8) & 0xFF;
		bytes[n++] = offer->ciphers[i] & 0xFF;
	}
	bytes[n++] = (offer->n_groups >> 8) & 0xFF;
	bytes[n++] = offer->n_groups & 0xFF;
	for (int i = 0; i < offer->n_groups; i++)
	{
		uint32		g = (uint32) offer->groups[i];

		bytes[n++] = (g >> 24) & 0xFF;
		bytes[n++] = (g >> 16) & 0xFF;
		bytes[n++] = (g >> 8) & 0xFF;
		bytes[n++] = g & 0xFF;
	}

	if (x509_sha256() == NULL ||
		EVP_Digest(bytes, n, digest, &digest_len, x509_sha256(), NULL) != 1 ||
		digest_len < 8)
	{
		/* cannot happen with OpenSSL's SHA-256; keep "a profile" anyway */
		ERR_clear_error();
		return UINT64CONST(1);
	}
	for (int i = 0; i < 8; i++)
		id = (id << 8) | digest[i];
	return id != 0 ? id : UINT64CONST(1);
}

void
client_profile_format(uint64 id, char buf[CLIENT_PROFILE_TEXT_LEN + 1])
{
	snprintf(buf, CLIENT_PROFILE_TEXT_LEN + 1, "%016llx",
			 (unsigned long long) id);
}

const char *
client_offer_version_name(int version)
{
	switch (version)
	{
		case TLS1_VERSION:
			return "TLSv1";
		case TLS1_1_VERSION:
			return "TLSv1.1";
		case TLS1_2_VERSION:
			return "TLSv1.2";
		case TLS1_3_VERSION:
			return "TLSv1.3";
		case SSL3_VERSION:
			return "SSLv3";
		default:
			return NULL;
	}
}

/*
 * This backend's SSL object for looking names up, or NULL when OpenSSL
 * cannot make one (then suites and groups are shown as code points).
 */
static SSL *
naming_ssl(void)
{
	static SSL_CTX *ctx = NULL;
	static SSL *ssl = NULL;

	if (ssl == NULL)
	{
		if (ctx == NULL)
			ctx = SSL_CTX_new(TLS_method());
		if (ctx != NULL)
			ssl = SSL_new(ctx);
		ERR_clear_error();
	}
	return ssl;
}

static Datum
text_array(Datum *elems, int n)
{
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

const char *
client_offer_cipher_name(uint16 code)
{
	SSL		   *ssl = naming_ssl();
	unsigned char bytes[2];
	const SSL_CIPHER *cipher = NULL;

	bytes[0] = (code >> 8) & 0xFF;
	bytes[1] = code & 0xFF;
	if (ssl != NULL)
		cipher = SSL_CIPHER_find(ssl, bytes);
	ERR_clear_error();
	return cipher != NULL ? SSL_CIPHER_get_name(cipher) : NULL;
}

Datum
client_offer_cipher_names(const ClientOffer *offer)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(offer->n_ciphers, 1));

	for (int i = 0; i < offer->n_ciphers; i++)
	{
		const char *name = client_offer_cipher_name(offer->ciphers[i]);

		if (name != NULL)
			elems[i] = CStringGetTextDatum(name);
		else
			elems[i] = CStringGetTextDatum(psprintf("0x%04X",
													(unsigned int) offer->ciphers[i]));
	}
	return text_array(elems, offer->n_ciphers);
}

char *
client_offer_group_name(int id)
{
	return tls_group_name(naming_ssl(), id);
}

Datum
client_offer_group_names(const ClientOffer *offer)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(offer->n_groups, 1));

	for (int i = 0; i < offer->n_groups; i++)
		elems[i] = CStringGetTextDatum(client_offer_group_name(offer->groups[i]));
	return text_array(elems, offer->n_groups);
}
