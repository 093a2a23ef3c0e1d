/*-------------------------------------------------------------------------
 *
 * dry_run.c
 *	  ssl_policy_dry_run() and ssl_policy_dry_run_summary(): candidate TLS
 *	  settings held against the clients really seen.
 *
 * Contract (SQL only, so it heads this file):
 * - Each candidate argument NULL means the value in force; '' for a
 *   protocol bound means none, as in PostgreSQL.  A ssl_ciphers or
 *   ssl_tls13_ciphers value the cipher policy would refuse is the same
 *   ERROR ALTER SYSTEM gives (cipher_policy_candidate()); a protocol bound
 *   PostgreSQL does not know, or a minimum above the maximum, is an ERROR
 *   as PostgreSQL words it; ssl_tls13_ciphers and ssl_groups before 18 are
 *   an ERROR naming the setting and the major.
 * - The verdict comes from OpenSSL: for every client profile of the
 *   inventory (client_inventory.h) an in-memory handshake between two SSL
 *   objects of this backend, over a BIO pair.  The server side is set up as
 *   PostgreSQL sets up its own context (protocol range, ssl_ciphers,
 *   ssl_tls13_ciphers, the key-exchange groups, the server's preference
 *   order, DH parameters for the DHE suites) with a throwaway key and
 *   self-signed certificate of the served certificate's key type and size
 *   (made once per backend; the real private key is never read); the
 *   client side replays the profile: its suites in its order, its groups
 *   (those this OpenSSL can name: the server cannot negotiate the others),
 *   its highest version, at security level 0 so that this server's own
 *   OpenSSL policy does not filter what the client really sent.
 * - What a profile does not record is not replayed: signature algorithms,
 *   ALPN, the lowest version, key shares (OpenSSL answers with a
 *   HelloRetryRequest, as a real server would).  A profile whose offer is
 *   incomplete gets no verdict (would_connect NULL), not a guess.
 * - Privileges: EXECUTE for pg_monitor; offers are what
 *   pg_stat_ssl_ext_clients shows to pg_read_all_stats.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/dry_run.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "cipher_policy.h"
#include "client_inventory.h"
#include "client_offer.h"
#include "refusals.h"
#include "server_settings.h"
#include "sql_datums.h"
#include "tls_facts.h"
#include "tls_files.h"

/* The candidate server configuration, resolved */
typedef struct DryRunSettings
{
	const char *ciphers;		/* ssl_ciphers, as the server holds it */
	const char *tls13_ciphers;	/* ssl_tls13_ciphers; "" OpenSSL's default */
	int			min_version;	/* TLS1_x_VERSION; 0 none */
	int			max_version;
	const char *groups;			/* ssl_groups (ssl_ecdh_curve before 18) */
	bool		prefer_server_ciphers;
} DryRunSettings;

/* What the replay of one profile gave */
typedef struct DryRunVerdict
{
	bool		known;			/* false: the offer is incomplete */
	bool		would_connect;
	const char *version;
	const char *cipher;
	char	   *tls_group;
	RefusalReason reason;
	char	   *detail;
} DryRunVerdict;

/* The refusals a change of these settings can undo */
#define NEGOTIATION_REFUSALS \
	((((uint32) 1) << REFUSAL_PROTOCOL_VERSION) | \
	 (((uint32) 1) << REFUSAL_NO_SHARED_CIPHER) | \
	 (((uint32) 1) << REFUSAL_NO_SHARED_GROUP))

/* Argument positions, the same for both functions */
enum
{
	ARG_CIPHERS,
	ARG_TLS13_CIPHERS,
	ARG_MIN_VERSION,
	ARG_MAX_VERSION,
	ARG_GROUPS
};

/*
 * A protocol bound by its PostgreSQL name ('' none), as the setting's
 * values are spelt (letter case ignored, as for an enum setting).
 */
static int
protocol_version(const char *setting, const char *value)
{
	static const struct
	{
		const char *name;
		int			version;
	}			versions[] =
	{
		{"", 0},
		{"TLSv1", TLS1_VERSION},
		{"TLSv1.1", TLS1_1_VERSION},
		{"TLSv1.2", TLS1_2_VERSION},
		{"TLSv1.3", TLS1_3_VERSION},
	};

	for (int i = 0; i < lengthof(versions); i++)
		if (pg_strcasecmp(value, versions[i].name) == 0)
			return versions[i].version;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for parameter \"%s\": \"%s\"", setting, value),
			 errhint("Available values: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, and '' for none.")));
	return 0;					/* keep compiler quiet */
}

#if PG_VERSION_NUM < 180000
/* A setting the major does not have, given a value: an ERROR */
static void
refuse_missing_setting(FunctionCallInfo fcinfo, int arg, const char *setting)
{
	if (!PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("parameter \"%s\" does not exist in PostgreSQL %d",
						setting, PG_VERSION_NUM / 10000),
				 errhint("PostgreSQL 18 added it; leave the argument NULL.")));
}
#endif

/* The argument, or the value in force when it is NULL */
static const char *
argument_or_setting(FunctionCallInfo fcinfo, int arg, const char *setting)
{
	if (PG_ARGISNULL(arg))
		return server_setting(setting);
	return text_to_cstring(PG_GETARG_TEXT_PP(arg));
}

static void
resolve_settings(FunctionCallInfo fcinfo, DryRunSettings *s)
{
	const char *min_name;
	const char *max_name;

	s->ciphers = PG_ARGISNULL(ARG_CIPHERS) ? server_setting("ssl_ciphers") :
		cipher_policy_candidate("ssl_ciphers",
								text_to_cstring(PG_GETARG_TEXT_PP(ARG_CIPHERS)));
#if PG_VERSION_NUM >= 180000
	s->tls13_ciphers = PG_ARGISNULL(ARG_TLS13_CIPHERS) ?
		server_setting("ssl_tls13_ciphers") :
		cipher_policy_candidate("ssl_tls13_ciphers",
								text_to_cstring(PG_GETARG_TEXT_PP(ARG_TLS13_CIPHERS)));
	s->groups = argument_or_setting(fcinfo, ARG_GROUPS, "ssl_groups");
#else
	refuse_missing_setting(fcinfo, ARG_TLS13_CIPHERS, "ssl_tls13_ciphers");
	refuse_missing_setting(fcinfo, ARG_GROUPS, "ssl_groups");
	s->tls13_ciphers = "";
	s->groups = server_setting("ssl_ecdh_curve");
#endif

	min_name = argument_or_setting(fcinfo, ARG_MIN_VERSION, "ssl_min_protocol_version");
	max_name = argument_or_setting(fcinfo, ARG_MAX_VERSION, "ssl_max_protocol_version");
	s->min_version = protocol_version("ssl_min_protocol_version", min_name);
	s->max_version = protocol_version("ssl_max_protocol_version", max_name);
	if (s->min_version != 0 && s->max_version != 0 &&
		s->min_version > s->max_version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not set SSL protocol version range"),
				 errdetail("\"%s\" cannot be higher than \"%s\".",
						   "ssl_min_protocol_version",
						   "ssl_max_protocol_version")));
	s->prefer_server_ciphers = server_setting_is("ssl_prefer_server_ciphers", "on");
}

/* OpenSSL's text for what is on its error queue, which is then emptied */
static char *
openssl_error_text(void)
{
	unsigned long code = ERR_peek_last_error();
	const char *reason = code ? ERR_reason_error_string(code) : NULL;

	ERR_clear_error();
	return reason ? pstrdup(reason) : NULL;
}

/*
 * A throwaway key and self-signed certificate like the served certificate's
 * key (type and size), made once per backend and kept while the served key
 * stays alike.
 */
static bool
throwaway_credentials(EVP_PKEY **key_out, X509 **cert_out)
{
	static EVP_PKEY *key = NULL;
	static X509 *cert = NULL;
	static int	key_id = 0;
	static int	key_bits = 0;
	List	   *certs = NIL;
	TlsFileProblem problem;
	EVP_PKEY   *served = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY   *new_key = NULL;
	X509	   *new_cert = NULL;
	X509_NAME  *name;
	ListCell   *lc;
	bool		ok;

	if (tls_files_server_certs(&certs, &problem))
	{
		foreach(lc, certs)
		{
			TlsFileCert *c = lfirst(lc);

			if (c->role == CERT_ROLE_SERVER && c->cert != NULL)
			{
				served = X509_get0_pubkey(c->cert);
				break;
			}
		}
	}
	if (served == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the server certificate cannot be read"),
				 errdetail("The dry run makes a throwaway key of the served certificate's key type and size."),
				 errhint("Check ssl_cert_file (ssl_server_certificates() shows it).")));

	if (key != NULL && EVP_PKEY_base_id(served) == key_id &&
		EVP_PKEY_bits(served) == key_bits)
	{
		*key_out = key;
		*cert_out = cert;
		return true;
	}

	ctx = EVP_PKEY_CTX_new(served, NULL);
	ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) > 0;
	if (ok && (EVP_PKEY_base_id(served) == EVP_PKEY_RSA ||
			   EVP_PKEY_base_id(served) == EVP_PKEY_RSA_PSS))
		ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, EVP_PKEY_bits(served)) > 0;
	ok = ok && EVP_PKEY_keygen(ctx, &new_key) > 0;
	EVP_PKEY_CTX_free(ctx);

	if (ok)
	{
		new_cert = X509_new();
		ok = new_cert != NULL &&
			X509_set_version(new_cert, 2) &&
			ASN1_INTEGER_set(X509_get_serialNumber(new_cert), 1) &&
			X509_gmtime_adj(X509_getm_notBefore(new_cert), -3600) &&
			X509_gmtime_adj(X509_getm_notAfter(new_cert), 3600) &&
			X509_set_pubkey(new_cert, new_key);
		/* a name of our own: OpenSSL 4 hands out the certificate's as const */
		name = ok ? X509_NAME_new() : NULL;
		ok = ok && name != NULL &&
			X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
									   (const unsigned char *) "sslinfo_ext dry run",
									   -1, -1, 0) &&
			X509_set_subject_name(new_cert, name) &&
			X509_set_issuer_name(new_cert, name);
		X509_NAME_free(name);
		/* Ed25519 and Ed448 sign without a separate digest */
		ok = ok && X509_sign(new_cert, new_key,
							 (EVP_PKEY_base_id(new_key) == EVP_PKEY_ED25519 ||
							  EVP_PKEY_base_id(new_key) == EVP_PKEY_ED448) ?
							 NULL : EVP_sha256()) > 0;
	}
	if (!ok)
	{
		char	   *reason = openssl_error_text();

		EVP_PKEY_free(new_key);
		X509_free(new_cert);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not make a throwaway key like the server's"),
				 reason ? errdetail("OpenSSL: %s.", reason) : 0));
	}

	EVP_PKEY_free(key);
	X509_free(cert);
	key = new_key;
	cert = new_cert;
	key_id = EVP_PKEY_base_id(served);
	key_bits = EVP_PKEY_bits(served);
	*key_out = key;
	*cert_out = cert;
	return true;
}

/* The server's side, set up as PostgreSQL sets up its context */
static SSL_CTX *
server_context(const DryRunSettings *s, EVP_PKEY *key, X509 *cert)
{
	SSL_CTX    *ctx = SSL_CTX_new(TLS_server_method());
	bool		ok;

	ok = ctx != NULL &&
		SSL_CTX_use_certificate(ctx, cert) == 1 &&
		SSL_CTX_use_PrivateKey(ctx, key) == 1 &&
		SSL_CTX_set_dh_auto(ctx, 1) == 1 &&
		(s->min_version == 0 || SSL_CTX_set_min_proto_version(ctx, s->min_version) == 1) &&
		(s->max_version == 0 || SSL_CTX_set_max_proto_version(ctx, s->max_version) == 1);
	if (ok)
	{
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION |
							SSL_OP_NO_RENEGOTIATION);
		if (s->prefer_server_ciphers)
			SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	}
	if (ok && SSL_CTX_set_cipher_list(ctx, s->ciphers) != 1)
	{
		ERR_clear_error();
		SSL_CTX_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not set the cipher list (no valid ciphers available)"),
				 errdetail("OpenSSL can use none of ssl_ciphers = '%s'.", s->ciphers)));
	}
	if (ok && s->tls13_ciphers[0] != '\0' &&
		SSL_CTX_set_ciphersuites(ctx, s->tls13_ciphers) != 1)
	{
		ERR_clear_error();
		SSL_CTX_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not set the TLS 1.3 cipher suites"),
				 errdetail("OpenSSL can use none of ssl_tls13_ciphers = '%s'.",
						   s->tls13_ciphers)));
	}
	if (ok && s->groups[0] != '\0' &&
		SSL_CTX_set1_groups_list(ctx, s->groups) != 1)
	{
		ERR_clear_error();
		SSL_CTX_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not set the key-exchange groups"),
				 errdetail("OpenSSL does not know every group of '%s'.", s->groups)));
	}
	if (!ok)
	{
		char	   *reason = openssl_error_text();

		SSL_CTX_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not set up the candidate server context"),
				 reason ? errdetail("OpenSSL: %s.", reason) : 0));
	}
	return ctx;
}

/*
 * The client's side from its profile: the suites it offered, in its order,
 * TLS 1.2 and TLS 1.3 apart as OpenSSL takes them, its groups and its
 * highest version.  NULL when OpenSSL cannot take the offer as it was.
 */
static SSL_CTX *
client_context(const ClientOffer *offer)
{
	SSL_CTX    *ctx = SSL_CTX_new(TLS_client_method());
	StringInfoData tls12;
	StringInfoData tls13;
	StringInfoData groups;
	bool		ok = ctx != NULL;

	initStringInfo(&tls12);
	initStringInfo(&tls13);
	initStringInfo(&groups);
	for (int i = 0; i < offer->n_ciphers; i++)
	{
		const char *name = client_offer_cipher_name(offer->ciphers[i]);

		if (name == NULL)
			continue;
		if (strncmp(name, "TLS_", 4) == 0)
			appendStringInfo(&tls13, "%s%s", tls13.len ? ":" : "", name);
		else
			appendStringInfo(&tls12, "%s%s", tls12.len ? ":" : "", name);
	}
	for (int i = 0; i < offer->n_groups; i++)
	{
		const char *name = client_offer_group_name(offer->groups[i]);

		/*
		 * A group this OpenSSL has no name for (tls_group_name() shows it as
		 * "0x" and its code point: a GREASE value, or on OpenSSL 1.1.1 the
		 * finite-field groups a Java client offers) cannot be listed for the
		 * replaying client; the server, on the same OpenSSL, cannot negotiate
		 * it either, so leaving it out changes nothing of its choice.
		 */
		if (strncmp(name, "0x", 2) == 0)
			continue;
		appendStringInfo(&groups, "%s%s", groups.len ? ":" : "", name);
	}
	/* an offer of groups none of which OpenSSL knows is not replayed */
	if (offer->n_groups > 0 && groups.len == 0)
		ok = false;

	if (ok)
	{
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		ok = SSL_CTX_set_min_proto_version(ctx, tls12.len ? 0 : TLS1_3_VERSION) == 1 &&
			SSL_CTX_set_max_proto_version(ctx, offer->max_version) == 1 &&
			SSL_CTX_set_ciphersuites(ctx, tls13.data) == 1 &&
			(tls12.len == 0 || SSL_CTX_set_cipher_list(ctx, tls12.data) == 1) &&
			(groups.len == 0 || SSL_CTX_set1_groups_list(ctx, groups.data) == 1);
	}
	if (!ok)
	{
		ERR_clear_error();
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * One step of one side's handshake: done, or failed with the OpenSSL error
 * code it failed with, or waiting for the other side.
 */
static void
handshake_step(SSL *ssl, bool *done, bool *failed, unsigned long *code)
{
	int			r;

	if (*done || *failed)
		return;
	r = SSL_do_handshake(ssl);
	if (r == 1)
		*done = true;
	else if (SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ &&
			 SSL_get_error(ssl, r) != SSL_ERROR_WANT_WRITE)
	{
		*failed = true;
		*code = ERR_peek_last_error();
	}
	ERR_clear_error();
}

/* One in-memory handshake between the two sides */
static void
replay(SSL_CTX *server_ctx, const ClientProfile *p, DryRunVerdict *v)
{
	SSL_CTX    *client_ctx;
	SSL		   *server = NULL;
	SSL		   *client = NULL;
	BIO		   *server_bio = NULL;
	BIO		   *client_bio = NULL;
	bool		server_done = false;
	bool		client_done = false;
	bool		server_failed = false;
	bool		client_failed = false;
	unsigned long server_code = 0;
	unsigned long client_code = 0;

	memset(v, 0, sizeof(*v));
	v->reason = NUM_REFUSAL_REASONS;
	if (p->offer.incomplete)
	{
		v->detail = pstrdup("The client's offer was not recorded whole; no verdict.");
		return;
	}
	client_ctx = client_context(&p->offer);
	if (client_ctx == NULL)
	{
		v->detail = pstrdup("OpenSSL cannot replay this offer; no verdict.");
		return;
	}
	v->known = true;

	ERR_clear_error();
	server = SSL_new(server_ctx);
	client = SSL_new(client_ctx);
	if (server == NULL || client == NULL ||
		BIO_new_bio_pair(&server_bio, 0, &client_bio, 0) != 1)
	{
		SSL_free(server);
		SSL_free(client);
		SSL_CTX_free(client_ctx);
		ERR_clear_error();
		elog(ERROR, "could not set up an in-memory TLS handshake");
	}
	SSL_set_bio(server, server_bio, server_bio);
	SSL_set_bio(client, client_bio, client_bio);
	SSL_set_accept_state(server);
	SSL_set_connect_state(client);

	/* each side in turn until both are done or one gave up */
	for (int round = 0; round < 16; round++)
	{
		handshake_step(client, &client_done, &client_failed, &client_code);
		handshake_step(server, &server_done, &server_failed, &server_code);
		if ((server_done || server_failed) && (client_done || client_failed))
			break;
	}

	if (server_done && client_done)
	{
		v->would_connect = true;
		v->version = SSL_get_version(server);
		v->cipher = SSL_get_cipher_name(server);
		v->tls_group = tls_negotiated_group(server);
	}
	else
	{
		unsigned long code = server_code ? server_code : client_code;
		const char *text = code ? ERR_reason_error_string(code) : NULL;

		v->would_connect = false;
		v->reason = server_code ?
			refusal_reason_of_openssl_code(ERR_GET_REASON(server_code)) :
			REFUSAL_HANDSHAKE_ABORTED;
		v->detail = psprintf("%s: %s", server_code ? "server" : "client",
							 text ? text : "the handshake did not complete");
	}

	SSL_free(server);
	SSL_free(client);
	SSL_CTX_free(client_ctx);
	ERR_clear_error();
}

/* Every profile's verdict under the candidate; *count of them */
static DryRunVerdict *
dry_run(FunctionCallInfo fcinfo, ClientProfile **profiles, int *count)
{
	DryRunSettings settings;
	EVP_PKEY   *key;
	X509	   *cert;
	SSL_CTX    *server_ctx;
	DryRunVerdict *verdicts;

	resolve_settings(fcinfo, &settings);
	*profiles = client_inventory_snapshot(count);
	throwaway_credentials(&key, &cert);
	server_ctx = server_context(&settings, key, cert);
	verdicts = palloc0(sizeof(DryRunVerdict) * Max(*count, 1));
	PG_TRY();
	{
		for (int i = 0; i < *count; i++)
		{
			CHECK_FOR_INTERRUPTS();
			replay(server_ctx, &(*profiles)[i], &verdicts[i]);
		}
	}
	PG_FINALLY();
	{
		SSL_CTX_free(server_ctx);
	}
	PG_END_TRY();
	return verdicts;
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_policy_dry_run);
Datum
sslinfo_ext_ssl_policy_dry_run(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ClientProfile *profiles;
	DryRunVerdict *verdicts;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	verdicts = dry_run(fcinfo, &profiles, &n);
	for (int i = 0; i < n; i++)
	{
		const DryRunVerdict *v = &verdicts[i];
		Datum		values[11];
		bool		nulls[11];
		char		profile[CLIENT_PROFILE_TEXT_LEN + 1];

		memset(nulls, true, sizeof(nulls));
		client_profile_format(profiles[i].id, profile);
		values[0] = CStringGetTextDatum(profile);
		values[1] = Int32GetDatum(profiles[i].sessions);
		values[2] = Int64GetDatum(profiles[i].connections);
		values[3] = Int64GetDatum(profiles[i].refusals);
		nulls[0] = nulls[1] = nulls[2] = nulls[3] = false;
		if (v->known)
		{
			values[4] = BoolGetDatum(v->would_connect);
			nulls[4] = false;
		}
		set_text_column(values, nulls, 5, v->version);
		set_text_column(values, nulls, 6, v->cipher);
		set_text_column(values, nulls, 7, v->tls_group);
		set_text_column(values, nulls, 8, v->known && !v->would_connect ?
						refusal_reason_name(v->reason) : NULL);
		set_text_column(values, nulls, 9, v->detail);
		values[10] = BoolGetDatum(profiles[i].offer.incomplete);
		nulls[10] = false;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_policy_dry_run_summary);
Datum
sslinfo_ext_ssl_policy_dry_run_summary(PG_FUNCTION_ARGS)
{
	ClientProfile *profiles;
	DryRunVerdict *verdicts;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	int			n;
	int			kept = 0;
	int			lost = 0;
	int			unknown = 0;
	int64		sessions_lost = 0;
	int			let_in = 0;
	Datum	   *lost_ids;
	int			n_lost_ids = 0;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	verdicts = dry_run(fcinfo, &profiles, &n);
	lost_ids = palloc(sizeof(Datum) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		if (!verdicts[i].known)
			unknown++;
		else if (verdicts[i].would_connect)
		{
			kept++;
			/* refused before for what the candidate changes, let in now */
			if (profiles[i].refusal_reasons & NEGOTIATION_REFUSALS)
				let_in++;
		}
		else
		{
			char		profile[CLIENT_PROFILE_TEXT_LEN + 1];

			lost++;
			sessions_lost += profiles[i].sessions;
			client_profile_format(profiles[i].id, profile);
			lost_ids[n_lost_ids++] = CStringGetTextDatum(profile);
		}
	}
	values[0] = Int32GetDatum(kept);
	values[1] = Int32GetDatum(lost);
	values[2] = Int64GetDatum(sessions_lost);
	values[3] = Int32GetDatum(let_in);
	values[4] = Int32GetDatum(unknown);
	values[5] = PointerGetDatum(construct_array(lost_ids, n_lost_ids, TEXTOID,
												-1, false, TYPALIGN_INT));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}
