/*-------------------------------------------------------------------------
 *
 * cipher_catalog.c
 *	  ssl_supported_ciphers(): the cipher suites of the linked OpenSSL.
 *
 * Contract (SQL only: no other unit calls into this one, so it has no
 * header):
 * - One row per suite of OpenSSL's catalogue (cp_catalogue(): every suite
 *   the library can use, TLS 1.3 included, in OpenSSL's order).
 * - kx, auth, enc and mac are the names SSL_CIPHER_description() prints
 *   (Kx=, Au=, Enc=, Mac=), made from the suite's structured properties
 *   (SSL_CIPHER_get_kx_nid(), _get_auth_nid(), _get_cipher_nid(),
 *   _get_digest_nid(), SSL_CIPHER_is_aead()) through the tables below,
 *   never by parsing the description's text; a property OpenSSL gains
 *   that the tables do not know is "unknown", as the description says of
 *   one it does not know.  bits is SSL_CIPHER_get_bits().
 * - strength is the first of OpenSSL's cipher-string keywords HIGH, MEDIUM
 *   and LOW that selects the suite (at security level 0), NULL for TLS 1.3
 *   suites, which those keywords do not classify.
 * - allowed: the suite is in the cipher policy's allowlist in force
 *   (cipher_policy_allows()).
 * - offered: a server configured like this one (ssl_ciphers, the protocol
 *   range, the TLS 1.3 suites, OpenSSL's security level) offers the suite,
 *   as OpenSSL computes it; NULL for roles without the privileges of
 *   pg_read_all_settings, as PostgreSQL shows ssl_ciphers only to those.
 * - OpenSSL objects live outside PostgreSQL's memory contexts; they are
 *   freed on error too (PG_FINALLY).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/cipher_catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/libpq.h"
#include "miscadmin.h"
#include "postmaster/postmaster.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "cipher_policy.h"
#include "cipher_policy_parse.h"
#include "server_settings.h"
#include "sql_datums.h"

/*
 * A suite's properties by name: OpenSSL's NIDs mapped to the words
 * SSL_CIPHER_description() uses for them (ssl/ssl_ciph.c).
 */
typedef struct NidName
{
	int			nid;
	const char *name;
} NidName;

static const NidName kx_names[] = {
	{NID_kx_rsa, "RSA"},
	{NID_kx_dhe, "DH"},
	{NID_kx_ecdhe, "ECDH"},
	{NID_kx_psk, "PSK"},
	{NID_kx_rsa_psk, "RSAPSK"},
	{NID_kx_ecdhe_psk, "ECDHEPSK"},
	{NID_kx_dhe_psk, "DHEPSK"},
	{NID_kx_srp, "SRP"},
	{NID_kx_gost, "GOST"},
#ifdef NID_kx_gost18			/* OpenSSL 3.0 and later */
	{NID_kx_gost18, "GOST18"},
#endif
	{NID_kx_any, "any"},		/* TLS 1.3 */
};

static const NidName auth_names[] = {
	{NID_auth_rsa, "RSA"},
	{NID_auth_dss, "DSS"},
	{NID_auth_null, "None"},
	{NID_auth_ecdsa, "ECDSA"},
	{NID_auth_psk, "PSK"},
	{NID_auth_srp, "SRP"},
	{NID_auth_gost01, "GOST01"},
	{NID_auth_gost12, "GOST12"},
	{NID_auth_any, "any"},		/* TLS 1.3 */
};

/*
 * The bulk cipher with the key size the description gives it (nominal:
 * 3DES is "168" where SSL_CIPHER_get_bits() says 112).  OpenSSL gives
 * CCM and CCM with an 8-byte tag one NID; ccm8_name() tells them apart.
 */
static const NidName enc_names[] = {
	{NID_undef, "None"},		/* eNULL */
	{NID_des_cbc, "DES(56)"},
	{NID_des_ede3_cbc, "3DES(168)"},
	{NID_rc4, "RC4(128)"},
	{NID_rc2_cbc, "RC2(128)"},
	{NID_idea_cbc, "IDEA(128)"},
	{NID_seed_cbc, "SEED(128)"},
	{NID_aes_128_cbc, "AES(128)"},
	{NID_aes_256_cbc, "AES(256)"},
	{NID_aes_128_gcm, "AESGCM(128)"},
	{NID_aes_256_gcm, "AESGCM(256)"},
	{NID_aes_128_ccm, "AESCCM(128)"},
	{NID_aes_256_ccm, "AESCCM(256)"},
	{NID_camellia_128_cbc, "Camellia(128)"},
	{NID_camellia_256_cbc, "Camellia(256)"},
	{NID_aria_128_gcm, "ARIAGCM(128)"},
	{NID_aria_256_gcm, "ARIAGCM(256)"},
	{NID_chacha20_poly1305, "CHACHA20/POLY1305(256)"},
	{NID_gost89_cnt, "GOST89(256)"},
	{NID_gost89_cnt_12, "GOST89(256)"},
#ifdef NID_magma_ctr_acpkm		/* OpenSSL 3.0 and later */
	{NID_magma_ctr_acpkm, "MAGMA"},
	{NID_kuznyechik_ctr_acpkm, "KUZNYECHIK"},
#endif
};

static const NidName ccm8_names[] = {
	{NID_aes_128_ccm, "AESCCM8(128)"},
	{NID_aes_256_ccm, "AESCCM8(256)"},
};

/* The MAC of a suite that is not AEAD (AEAD suites' is "AEAD") */
static const NidName mac_names[] = {
	{NID_md5, "MD5"},
	{NID_sha1, "SHA1"},
	{NID_sha256, "SHA256"},
	{NID_sha384, "SHA384"},
	{NID_id_GostR3411_94, "GOST94"},
	{NID_id_Gost28147_89_MAC, "GOST89"},
	{NID_gost_mac_12, "GOST89"},
	{NID_id_GostR3411_2012_256, "GOST2012"},
	{NID_id_GostR3411_2012_512, "GOST2012"},
};

static const char *
nid_name(const NidName *names, int n, int nid)
{
	for (int i = 0; i < n; i++)
		if (names[i].nid == nid)
			return names[i].name;
	return "unknown";
}

/*
 * Whether an AES-CCM suite has the 8-byte tag.  No SSL_CIPHER call says
 * so; the IANA names of those suites, and only theirs, say "CCM_8"
 * (TLS_DHE_RSA_WITH_AES_128_CCM_8, TLS_AES_128_CCM_8_SHA256).
 */
static bool
is_ccm8(const SSL_CIPHER *c)
{
	const char *iana = SSL_CIPHER_standard_name(c);

	return iana != NULL && strstr(iana, "_CCM_8") != NULL;
}

static const char *
kx_name(const SSL_CIPHER *c)
{
	return nid_name(kx_names, lengthof(kx_names), SSL_CIPHER_get_kx_nid(c));
}

static const char *
auth_name(const SSL_CIPHER *c)
{
	return nid_name(auth_names, lengthof(auth_names),
					SSL_CIPHER_get_auth_nid(c));
}

static const char *
enc_name(const SSL_CIPHER *c)
{
	int			nid = SSL_CIPHER_get_cipher_nid(c);

	if ((nid == NID_aes_128_ccm || nid == NID_aes_256_ccm) && is_ccm8(c))
		return nid_name(ccm8_names, lengthof(ccm8_names), nid);
	return nid_name(enc_names, lengthof(enc_names), nid);
}

static const char *
mac_name(const SSL_CIPHER *c)
{
	if (SSL_CIPHER_is_aead(c))
		return "AEAD";
	return nid_name(mac_names, lengthof(mac_names),
					SSL_CIPHER_get_digest_nid(c));
}

/* The suites a cipher-string keyword selects (security level 0) */
static STACK_OF(SSL_CIPHER) *
keyword_suites(SSL_CTX *ctx, const char *keyword)
{
	if (SSL_CTX_set_cipher_list(ctx, keyword) != 1)
	{
		ERR_clear_error();
		return NULL;
	}
	return sk_SSL_CIPHER_dup(SSL_CTX_get_ciphers(ctx));
}

static bool
stack_contains(STACK_OF(SSL_CIPHER) *sk, const SSL_CIPHER *c)
{
	for (int i = 0; sk != NULL && i < sk_SSL_CIPHER_num(sk); i++)
		if (sk_SSL_CIPHER_value(sk, i) == c)
			return true;
	return false;
}

static int
openssl_protocol_version(int pg_version)
{
	switch (pg_version)
	{
		case PG_TLS1_VERSION:
			return TLS1_VERSION;
		case PG_TLS1_1_VERSION:
			return TLS1_1_VERSION;
		case PG_TLS1_2_VERSION:
			return TLS1_2_VERSION;
#ifdef TLS1_3_VERSION
		case PG_TLS1_3_VERSION:
			return TLS1_3_VERSION;
#endif
		default:
			return 0;
	}
}

/*
 * The suites a server configured like this one offers: ssl_ciphers,
 * the protocol range, the TLS 1.3 suites (ssl_tls13_ciphers from 18) and
 * OpenSSL's security level, as OpenSSL itself computes them for a server
 * connection.  NULL when ssl is off or the configuration selects nothing.
 */
static STACK_OF(SSL_CIPHER) *
suites_offered_now(SSL_CTX **ctx_out, SSL **ssl_out)
{
	SSL_CTX    *ctx;
	SSL		   *ssl;
	const char *tls13;
	STACK_OF(SSL_CIPHER) *offered;

	*ctx_out = NULL;
	*ssl_out = NULL;
	if (!EnableSSL)
		return NULL;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
	{
		ERR_clear_error();
		return NULL;
	}
	*ctx_out = ctx;
	if (SSL_CTX_set_cipher_list(ctx, server_setting("ssl_ciphers")) != 1)
	{
		ERR_clear_error();
		return NULL;
	}
	tls13 = server_setting("ssl_tls13_ciphers");
	if (tls13[0] != '\0' &&
		SSL_CTX_set_ciphersuites(ctx, tls13) != 1)
		ERR_clear_error();
	if (ssl_min_protocol_version != PG_TLS_ANY)
		SSL_CTX_set_min_proto_version(ctx, openssl_protocol_version(ssl_min_protocol_version));
	if (ssl_max_protocol_version != PG_TLS_ANY)
		SSL_CTX_set_max_proto_version(ctx, openssl_protocol_version(ssl_max_protocol_version));
	ssl = SSL_new(ctx);
	if (ssl == NULL)
	{
		ERR_clear_error();
		return NULL;
	}
	*ssl_out = ssl;
	offered = SSL_get1_supported_ciphers(ssl);
	ERR_clear_error();
	return offered;
}

/*
 * What ssl_supported_ciphers() compares each suite with.  OpenSSL objects
 * live outside PostgreSQL's memory contexts, hence cipher_sets_free().
 */
typedef struct CipherSets
{
	STACK_OF(SSL_CIPHER) *high;
	STACK_OF(SSL_CIPHER) *medium;
	STACK_OF(SSL_CIPHER) *low;
	STACK_OF(SSL_CIPHER) *offered;
	bool		may_see_settings;
	SSL_CTX    *keyword_ctx;
	SSL_CTX    *offered_ctx;
	SSL		   *offered_ssl;
} CipherSets;

static void
cipher_sets_build(CipherSets *sets)
{
	memset(sets, 0, sizeof(CipherSets));
	sets->may_see_settings = has_privs_of_role(GetUserId(),
											   ROLE_PG_READ_ALL_SETTINGS);
	sets->keyword_ctx = SSL_CTX_new(TLS_method());
	if (sets->keyword_ctx != NULL)
	{
		SSL_CTX_set_security_level(sets->keyword_ctx, 0);
		sets->high = keyword_suites(sets->keyword_ctx, "HIGH");
		sets->medium = keyword_suites(sets->keyword_ctx, "MEDIUM");
		sets->low = keyword_suites(sets->keyword_ctx, "LOW");
	}
	if (sets->may_see_settings)
		sets->offered = suites_offered_now(&sets->offered_ctx, &sets->offered_ssl);
	ERR_clear_error();
}

static void
cipher_sets_free(CipherSets *sets)
{
	sk_SSL_CIPHER_free(sets->high);
	sk_SSL_CIPHER_free(sets->medium);
	sk_SSL_CIPHER_free(sets->low);
	sk_SSL_CIPHER_free(sets->offered);
	SSL_free(sets->offered_ssl);
	SSL_CTX_free(sets->offered_ctx);
	SSL_CTX_free(sets->keyword_ctx);
	ERR_clear_error();
}

/* One row of ssl_supported_ciphers() per catalogue suite */
static void
emit_supported_cipher_rows(ReturnSetInfo *rsinfo, STACK_OF(SSL_CIPHER) *all,
						   const CipherSets *sets)
{
	for (int i = 0; i < sk_SSL_CIPHER_num(all); i++)
	{
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
		const char *iana = SSL_CIPHER_standard_name(c);
		bool		tls13 = cp_is_tls13(c);
		Datum		values[11];
		bool		nulls[11];

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(SSL_CIPHER_get_name(c));
		set_text_column(values, nulls, 1, iana);
		values[2] = CStringGetTextDatum(SSL_CIPHER_get_version(c));
		values[3] = CStringGetTextDatum(kx_name(c));
		values[4] = CStringGetTextDatum(auth_name(c));
		values[5] = CStringGetTextDatum(enc_name(c));
		values[6] = CStringGetTextDatum(mac_name(c));
		values[7] = Int32GetDatum(SSL_CIPHER_get_bits(c, NULL));
		/* OpenSSL's strength keywords classify TLS 1.2 and older suites */
		if (tls13)
			nulls[8] = true;
		else if (stack_contains(sets->high, c))
			values[8] = CStringGetTextDatum("HIGH");
		else if (stack_contains(sets->medium, c))
			values[8] = CStringGetTextDatum("MEDIUM");
		else if (stack_contains(sets->low, c))
			values[8] = CStringGetTextDatum("LOW");
		else
			nulls[8] = true;
		values[9] = BoolGetDatum(cipher_policy_allows(c));
		if (sets->may_see_settings)
			values[10] = BoolGetDatum(stack_contains(sets->offered, c));
		else
			nulls[10] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * ssl_supported_ciphers()
 *	  -> TABLE(name text, iana_name text, protocol text, kx text, auth text,
 *			   enc text, mac text, bits int, strength text, allowed bool,
 *			   offered bool)
 *
 * Every suite the linked OpenSSL can use.  "offered" reflects ssl_ciphers,
 * which PostgreSQL shows only to roles with the privileges of
 * pg_read_all_settings: for other roles it is NULL.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_supported_ciphers);
Datum
sslinfo_ext_ssl_supported_ciphers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	STACK_OF(SSL_CIPHER) *all;
	CipherSets	sets;

	InitMaterializedSRF(fcinfo, 0);
	all = cp_catalogue();
	if (all == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create an OpenSSL context")));

	cipher_sets_build(&sets);
	PG_TRY();
	{
		emit_supported_cipher_rows(rsinfo, all, &sets);
	}
	PG_FINALLY();
	{
		cipher_sets_free(&sets);
	}
	PG_END_TRY();
	return (Datum) 0;
}
