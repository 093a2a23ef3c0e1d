/*-------------------------------------------------------------------------
 *
 * cert_lifecycle.c
 *	  Certificate expiry alarms, ssl_server_certificates() and
 *	  ssl_crl_status().
 *
 * openGauss logs a warning at every login while its server certificate is
 * close to expiry, which floods the log of a busy server.  Here each
 * certificate (keyed by its SHA-256 fingerprint) is warned about at most
 * once an hour across the whole cluster, through a small shared table, plus
 * once by the postmaster at every start and reload, so that a certificate
 * about to expire is always visible in the log right after it was
 * installed.  The client certificate and the certificates of the server's
 * chain are watched too.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/cert_lifecycle.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "cert_lifecycle.h"
#include "tls_facts.h"
#include "sni_hosts.h"
#include "tls_files.h"
#include "sql_datums.h"
#include "x509_render.h"

/* Rate limit: one warning per certificate per this interval */
#define ALARM_INTERVAL		((int64) 3600 * USECS_PER_SEC)

/*
 * Certificates remembered at once.  When more distinct certificates are
 * close to expiry within an hour, the least recently warned one is
 * forgotten (and may be warned about again within the hour).
 */
#define ALARM_SLOTS			256

#define FINGERPRINT_LEN		64	/* SHA-256 in hex */

typedef struct CertAlarmSlot
{
	char		fingerprint[FINGERPRINT_LEN + 1];	/* "" when unused */
	TimestampTz last_warned;
} CertAlarmSlot;

typedef struct CertAlarmTable
{
	LWLock	   *lock;
	CertAlarmSlot slots[ALARM_SLOTS];
} CertAlarmTable;

int			cert_expiry_warning_days = 7;

static CertAlarmTable *alarm_table = NULL;

/*
 * The server and chain certificates of ssl_cert_file as the postmaster read
 * them when it last built an SSL context (TlsFileCert, in served_context),
 * so that a login finds a served certificate's fingerprint, expiry, subject
 * and serial here instead of computing them: forked backends inherit the
 * list.  A served certificate is looked up by identity (X509_cmp), so a
 * file that changed between this read and PostgreSQL's, or a reload whose
 * context PostgreSQL rejected, just makes the login compute the facts.
 */
static MemoryContext served_context = NULL;
static List *served_certs = NIL;

static openssl_tls_init_hook_typ prev_openssl_tls_init_hook = NULL;

static void cert_lifecycle_tls_init(SSL_CTX *context, bool isServerStart);
static bool alarm_claim(const char *fingerprint, TimestampTz now);
static void warn_expiry(CertRole role, const char *subject,
						const char *serial, TimestampTz not_after,
						TimestampTz now, const SniHost *entry);
static void check_served_cert(X509 *cert, CertRole role, TimestampTz now,
							  TimestampTz window_end);
static STACK_OF(X509) *served_chain(SSL *ssl);

void
cert_lifecycle_init(void)
{
	DefineCustomIntVariable("sslinfo_ext.cert_expiry_warning_days",
							"Warns in the log about certificates that expire within this many days.",
							"Covers the server certificate, its chain and client "
							"certificates; 0 turns the warnings off.",
							&cert_expiry_warning_days,
							7, 0, 36500,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	if (process_shared_preload_libraries_in_progress)
	{
		prev_openssl_tls_init_hook = openssl_tls_init_hook;
		openssl_tls_init_hook = cert_lifecycle_tls_init;
	}
}

Size
cert_lifecycle_shmem_size(void)
{
	return MAXALIGN(sizeof(CertAlarmTable));
}

void
cert_lifecycle_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	alarm_table = ShmemInitStruct("sslinfo_ext certificate alarms",
								  cert_lifecycle_shmem_size(), &found);
	if (!found)
	{
		memset(alarm_table, 0, sizeof(CertAlarmTable));
		alarm_table->lock =
			&(GetNamedLWLockTranche(CERT_LIFECYCLE_LWLOCK_TRANCHE))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * May this backend warn about the certificate now?  Records the warning
 * when it may.
 */
static bool
alarm_claim(const char *fingerprint, TimestampTz now)
{
	CertAlarmSlot *victim = NULL;
	bool		claim = true;

	if (alarm_table == NULL || fingerprint == NULL ||
		strlen(fingerprint) != FINGERPRINT_LEN)
		return false;

	LWLockAcquire(alarm_table->lock, LW_EXCLUSIVE);
	for (int i = 0; i < ALARM_SLOTS; i++)
	{
		CertAlarmSlot *slot = &alarm_table->slots[i];

		if (strcmp(slot->fingerprint, fingerprint) == 0)
		{
			victim = slot;
			claim = now - slot->last_warned >= ALARM_INTERVAL;
			break;
		}
		if (victim == NULL || slot->fingerprint[0] == '\0' ||
			(victim->fingerprint[0] != '\0' &&
			 slot->last_warned < victim->last_warned))
			victim = slot;
	}
	if (claim)
	{
		strlcpy(victim->fingerprint, fingerprint, sizeof(victim->fingerprint));
		victim->last_warned = now;
	}
	LWLockRelease(alarm_table->lock);
	return claim;
}

/*
 * Characters that could make a log line read differently than it is: C0
 * controls, DEL and C1 controls (terminal escapes, line breaks such as
 * U+0085), and Unicode's invisible format characters (general category Cf:
 * the bidirectional marks, embeddings, overrides and isolates among them)
 * and line and paragraph separators.
 */
static bool
misleads_in_log(pg_wchar c)
{
	static const struct
	{
		pg_wchar	first;
		pg_wchar	last;
	}			ranges[] =
	{
		{0x0000, 0x001F},		/* C0 */
		{0x007F, 0x009F},		/* DEL, C1 */
		{0x00AD, 0x00AD},		/* soft hyphen */
		{0x0600, 0x0605},		/* Arabic number signs */
		{0x061C, 0x061C},		/* Arabic letter mark */
		{0x06DD, 0x06DD},
		{0x070F, 0x070F},
		{0x0890, 0x0891},
		{0x08E2, 0x08E2},
		{0x180E, 0x180E},		/* Mongolian vowel separator */
		{0x200B, 0x200F},		/* zero-width characters, LRM, RLM */
		{0x2028, 0x202E},		/* line/paragraph separators, LRE..RLO */
		{0x2060, 0x2064},		/* word joiner, invisible operators */
		{0x2066, 0x206F},		/* LRI..PDI, deprecated format characters */
		{0xFEFF, 0xFEFF},		/* zero-width no-break space (BOM) */
		{0xFFF9, 0xFFFB},		/* interlinear annotation */
		{0x110BD, 0x110BD},
		{0x110CD, 0x110CD},
		{0x13430, 0x1343F},		/* Egyptian hieroglyph format controls */
		{0x1BCA0, 0x1BCA3},		/* shorthand format controls */
		{0x1D173, 0x1D17A},		/* musical symbol format controls */
		{0xE0001, 0xE0001},		/* language tag */
		{0xE0020, 0xE007F},		/* tag characters */
	};

	for (int i = 0; i < lengthof(ranges); i++)
		if (c >= ranges[i].first && c <= ranges[i].last)
			return true;
	return false;
}

/*
 * Certificate text (UTF-8, see x509_render.h) for a log message: each
 * character misleads_in_log() names becomes the \XX escapes of its UTF-8
 * bytes (U+202E as \E2\80\AE), the form OpenSSL's RFC 2253 escaping and
 * x509_render's invalid-byte escapes use; everything else is copied.
 */
char *
log_safe_text(const char *utf8)
{
	StringInfoData buf;
	const unsigned char *p = (const unsigned char *) utf8;
	const unsigned char *end = p + strlen(utf8);

	initStringInfo(&buf);
	while (p < end)
	{
		int			charlen = Min(pg_utf_mblen(p), end - p);
		bool		escape = charlen < pg_utf_mblen(p) ||
		!pg_utf8_islegal(p, charlen) ||
		misleads_in_log(utf8_to_unicode(p));

		if (escape)
			for (int i = 0; i < charlen; i++)
				appendStringInfo(&buf, "\\%02X", p[i]);
		else
			appendBinaryStringInfo(&buf, (const char *) p, charlen);
		p += charlen;
	}
	return buf.data;
}

/*
 * The expiry WARNING's primary message for one role (server, chain or
 * client), on one side of notAfter, days whole days away from it.  Each is
 * a whole message, not assembled from the role's name (PostgreSQL's message
 * style guide), with errmsg_plural() choosing "day" or "days".
 *
 * Translation: sslinfo_ext binds no text domain of its own and ships no
 * po/ catalog, like contrib's modules (pg_stat_statements among them).
 * There is no translator to keep one, and PGXS builds no catalogs, so a
 * bound domain would only look up messages nobody translated.  errmsg()
 * and errmsg_plural() then look messages up in PostgreSQL's own domain,
 * which returns them as written; the plural form is still chosen by n.
 */
static int
errmsg_expiry(CertRole role, bool expired, int days)
{
	switch (role)
	{
		case CERT_ROLE_SERVER:
			if (expired)
				return days == 0 ?
					errmsg("server certificate expired less than one day ago") :
					errmsg_plural("server certificate expired %d day ago",
								  "server certificate expired %d days ago",
								  days, days);
			return days == 0 ?
				errmsg("server certificate expires in less than one day") :
				errmsg_plural("server certificate expires in %d day",
							  "server certificate expires in %d days",
							  days, days);
		case CERT_ROLE_CHAIN:
			if (expired)
				return days == 0 ?
					errmsg("chain certificate expired less than one day ago") :
					errmsg_plural("chain certificate expired %d day ago",
								  "chain certificate expired %d days ago",
								  days, days);
			return days == 0 ?
				errmsg("chain certificate expires in less than one day") :
				errmsg_plural("chain certificate expires in %d day",
							  "chain certificate expires in %d days",
							  days, days);
		case CERT_ROLE_CLIENT:
			if (expired)
				return days == 0 ?
					errmsg("client certificate expired less than one day ago") :
					errmsg_plural("client certificate expired %d day ago",
								  "client certificate expired %d days ago",
								  days, days);
			return days == 0 ?
				errmsg("client certificate expires in less than one day") :
				errmsg_plural("client certificate expires in %d day",
							  "client certificate expires in %d days",
							  days, days);
		case CERT_ROLE_CA:
			/* CA certificates are not watched here */
			break;
	}
	/* can't happen: warn_expiry() is never called for a CA certificate */
	return errmsg_internal("certificate of role %d expires", (int) role);
}

/*
 * Log the WARNING for one certificate (server, chain or client) expiring
 * or expired.  The subject comes from the certificate (a client's is
 * chosen by whoever made it), so it is made safe for a log line.
 */
static void
warn_expiry(CertRole role, const char *subject, const char *serial,
			TimestampTz not_after, TimestampTz now, const SniHost *entry)
{
	int64		left = not_after - now;
	bool		expired = left < 0;
	int			days = (int) ((expired ? -left : left) / USECS_PER_DAY);
	const char *until = timestamptz_to_str(not_after);

	Assert(role != CERT_ROLE_CA);
	subject = subject ? log_safe_text(subject) : "";
	if (serial == NULL)
		serial = "?";

	if (entry != NULL)
	{
		/*
		 * served for a pg_hosts.conf entry (19, ssl_sni): name it and its
		 * file
		 */
		ereport(WARNING,
				errmsg_expiry(role, expired, days),
				expired ?
				errdetail("The certificate with subject \"%s\" and serial number %s, served for the pg_hosts.conf entry \"%s\" (line %d), was valid until %s.",
						  subject, serial, entry->host, entry->line, until) :
				errdetail("The certificate with subject \"%s\" and serial number %s, served for the pg_hosts.conf entry \"%s\" (line %d), is valid until %s.",
						  subject, serial, entry->host, entry->line, until),
				errhint("Install a renewed certificate in \"%s\", the certificate file of that pg_hosts.conf entry, and reload the configuration.",
						entry->cert_file));
		return;
	}
	ereport(WARNING,
			errmsg_expiry(role, expired, days),
			expired ?
			errdetail("The certificate with subject \"%s\" and serial number %s was valid until %s.",
					  subject, serial, until) :
			errdetail("The certificate with subject \"%s\" and serial number %s is valid until %s.",
					  subject, serial, until),
			role == CERT_ROLE_CLIENT ?
			errhint("The client should renew its certificate.") :
			errhint("Install a renewed certificate in the file named by ssl_cert_file and reload the configuration."));
}

/* The chain the server sends after its certificate (may be NULL) */
static STACK_OF(X509) *
served_chain(SSL *ssl)
{
	STACK_OF(X509) *chain = NULL;

	SSL_get0_chain_certs(ssl, &chain);
	if (chain == NULL || sk_X509_num(chain) == 0)
		SSL_CTX_get_extra_chain_certs(SSL_get_SSL_CTX(ssl), &chain);
	return chain;
}

/* The facts the postmaster read for a served certificate, or NULL */
static const X509Summary *
served_cert_facts(X509 *cert)
{
	ListCell   *lc;

	foreach(lc, served_certs)
	{
		TlsFileCert *known = lfirst(lc);

		if (known->cert != NULL && X509_cmp(known->cert, cert) == 0)
			return &known->summary;
	}
	return NULL;
}

const char *
served_cert_fingerprint(X509 *cert)
{
	const X509Summary *known = cert ? served_cert_facts(cert) : NULL;

	return known ? known->fingerprint : NULL;
}

/* Warn about a certificate the server serves, if within the window */
static void
check_served_cert(X509 *cert, CertRole role, TimestampTz now,
				  TimestampTz window_end)
{
	const X509Summary *known;
	TimestampTz not_after;
	char	   *fingerprint;

	if (cert == NULL)
		return;
	known = served_cert_facts(cert);
	if (known != NULL)
	{
		CertDates	dates = tls_files_judge_dates(known, now,
												  cert_expiry_warning_days);

		if (dates != CERT_DATES_EXPIRING && dates != CERT_DATES_EXPIRED)
			return;
		if (alarm_claim(known->fingerprint, now))
			warn_expiry(role, known->subject, known->serial,
						known->not_after, now, NULL);
		return;
	}

	if (!x509_time_to_timestamptz(X509_get0_notAfter(cert), &not_after) ||
		not_after >= window_end)
		return;

	/*
	 * Not a certificate of ssl_cert_file: on 19 with ssl_sni, that of a
	 * pg_hosts.conf entry, which the alarm then names (looked up only when
	 * the alarm is due, so at most once an hour per certificate).
	 */
	fingerprint = x509_fingerprint_sha256(cert);
	if (alarm_claim(fingerprint, now))
		warn_expiry(role,
					x509_name_to_dn(X509_get_subject_name(cert)),
					x509_serial_to_decimal(X509_get0_serialNumber(cert)),
					not_after, now, sni_hosts_find_cert(cert));
}

void
cert_expiry_check(Port *port, const TlsFacts *facts)
{
	TimestampTz now;
	TimestampTz window_end;
	STACK_OF(X509) *chain;

	if (cert_expiry_warning_days <= 0 || alarm_table == NULL ||
		port == NULL || !port->ssl_in_use || port->ssl == NULL)
		return;

	now = GetCurrentTimestamp();
	window_end = now + (int64) cert_expiry_warning_days * USECS_PER_DAY;

	check_served_cert(SSL_get_certificate(port->ssl), CERT_ROLE_SERVER, now,
					  window_end);
	chain = served_chain(port->ssl);
	for (int i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		check_served_cert(sk_X509_value(chain, i), CERT_ROLE_CHAIN, now,
						  window_end);

	/* an expired client certificate does not get through the handshake */
	if (facts != NULL && facts->cert_present && facts->client.has_validity &&
		facts->client.not_after >= now && facts->client.not_after < window_end &&
		alarm_claim(facts->client.fingerprint, now))
		warn_expiry(CERT_ROLE_CLIENT, facts->client.subject,
					facts->client.serial, facts->client.not_after, now, NULL);
}

/*
 * Runs in the postmaster each time it builds an SSL context (start and
 * reload), before PostgreSQL loads the certificate files: read them, as
 * configured now, keep their facts for the logins to come (served_certs)
 * and warn about each certificate close to expiry.  When a file cannot be
 * read, PostgreSQL's own loading reports it; nothing here.
 */
static void
cert_lifecycle_tls_init(SSL_CTX *context, bool isServerStart)
{
	MemoryContext oldcontext;
	List	   *certs;
	TlsFileProblem problem;
	ListCell   *lc;
	TimestampTz now;

	if (prev_openssl_tls_init_hook)
		prev_openssl_tls_init_hook(context, isServerStart);

	/* with EXEC_BACKEND every backend builds its context again: skip those */
	if (IsUnderPostmaster)
		return;

	/* the previous context's facts (and certificate references) go */
	if (served_context != NULL)
		MemoryContextDelete(served_context);
	served_certs = NIL;
	served_context = AllocSetContextCreate(TopMemoryContext,
										   "sslinfo_ext served certificates",
										   ALLOCSET_SMALL_SIZES);
	oldcontext = MemoryContextSwitchTo(served_context);
	if (tls_files_server_certs(&certs, &problem))
		served_certs = certs;
	MemoryContextSwitchTo(oldcontext);

	/*
	 * X509_cmp() compares OpenSSL's cached hash of each certificate: have it
	 * computed here, once, rather than in every backend.
	 */
	foreach(lc, served_certs)
	{
		TlsFileCert *cert = lfirst(lc);

		if (cert->cert != NULL)
			(void) X509_check_purpose(cert->cert, -1, 0);
	}
	ERR_clear_error();

	if (cert_expiry_warning_days <= 0)
		return;
	now = GetCurrentTimestamp();
	foreach(lc, served_certs)
	{
		TlsFileCert *cert = lfirst(lc);
		CertDates	dates = tls_files_judge_dates(&cert->summary, now,
												  cert_expiry_warning_days);

		if (dates == CERT_DATES_EXPIRING || dates == CERT_DATES_EXPIRED)
			warn_expiry(cert->role, cert->summary.subject, cert->summary.serial,
						cert->summary.not_after, now, NULL);
	}
}

static bool
fingerprint_in(const char *fingerprint, List *fingerprints)
{
	ListCell   *lc;

	if (fingerprint == NULL)
		return false;
	foreach(lc, fingerprints)
	{
		if (strcmp(lfirst(lc), fingerprint) == 0)
			return true;
	}
	return false;
}

/*
 * The fingerprints of what this session's server side serves: its
 * certificate, its chain and the CA certificates it trusts for client
 * certificates.  False outside a TLS session.
 */
static bool
served_fingerprints(List **server, List **chain, List **ca)
{
	SSL		   *ssl;
	STACK_OF(X509) *chain_certs;
	STACK_OF(X509_OBJECT) *objects;
	X509	   *cert;

	*server = *chain = *ca = NIL;
	if (MyProcPort == NULL || !MyProcPort->ssl_in_use || MyProcPort->ssl == NULL)
		return false;
	ssl = MyProcPort->ssl;

	cert = SSL_get_certificate(ssl);
	if (cert)
		*server = lappend(*server, x509_fingerprint_sha256(cert));

	chain_certs = served_chain(ssl);
	for (int i = 0; chain_certs != NULL && i < sk_X509_num(chain_certs); i++)
		*chain = lappend(*chain,
						 x509_fingerprint_sha256(sk_X509_value(chain_certs, i)));

#if OPENSSL_VERSION_NUMBER >= 0x30300000L
	objects = X509_STORE_get1_objects(SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)));
#else
	objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)));
#endif
	for (int i = 0; objects != NULL && i < sk_X509_OBJECT_num(objects); i++)
	{
		X509	   *ca_cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i));

		if (ca_cert)
			*ca = lappend(*ca, x509_fingerprint_sha256(ca_cert));
	}
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
	sk_X509_OBJECT_pop_free(objects, X509_OBJECT_free);
#endif
	return true;
}

/* What the calling session is served, to mark rows "loaded" */
typedef struct ServedCerts
{
	bool		known;			/* false outside a TLS session */
	List	   *server;
	List	   *chain;
	List	   *ca;
} ServedCerts;

/* The fingerprints served in a certificate's role */
static List *
served_in_role(const ServedCerts *served, CertRole role)
{
	switch (role)
	{
		case CERT_ROLE_SERVER:
			return served->server;
		case CERT_ROLE_CHAIN:
			return served->chain;
		default:
			return served->ca;
	}
}

/* One row of ssl_server_certificates(); host NULL for postgresql.conf's */
static void
emit_certificate_row(ReturnSetInfo *rsinfo, const TlsFileCert *cert,
					 const char *host, const ServedCerts *served,
					 TimestampTz now)
{
	const X509Summary *summary = &cert->summary;
	Datum		values[14];
	bool		nulls[14];

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(cert_role_name(cert->role));
	set_text_column(values, nulls, 1, summary->subject);
	set_text_column(values, nulls, 2, summary->issuer);
	if (summary->serial)
		values[3] = serial_to_numeric(summary->serial);
	else
		nulls[3] = true;
	if (summary->has_validity)
	{
		values[4] = TimestampTzGetDatum(summary->not_before);
		values[5] = TimestampTzGetDatum(summary->not_after);
		values[6] = days_left_to_numeric(summary->not_after, now);
	}
	else
		nulls[4] = nulls[5] = nulls[6] = true;
	set_text_column(values, nulls, 7, summary->fingerprint);
	set_text_column(values, nulls, 8, summary->key_type);
	if (summary->key_bits > 0)
		values[9] = Int32GetDatum(summary->key_bits);
	else
		nulls[9] = true;
	set_text_column(values, nulls, 10, summary->signature_algorithm);
	if (summary->san != NIL)
		values[11] = utf8_list_to_text_array(summary->san);
	else
		nulls[11] = true;
	if (served->known)
		values[12] = BoolGetDatum(fingerprint_in(summary->fingerprint,
												 served_in_role(served, cert->role)));
	else
		nulls[12] = true;
	set_text_column(values, nulls, 13, host);

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * The certificates of PostgreSQL 19's pg_hosts.conf entries (ssl_sni on),
 * each entry's certificate file (server, chain) and CA file (ca), tagged
 * with the entry's host names.  A file that cannot be read is an ERROR, as
 * for ssl_cert_file.
 */
static void
emit_sni_host_rows(ReturnSetInfo *rsinfo, const ServedCerts *served,
				   TimestampTz now)
{
	char	   *error = NULL;
	List	   *hosts = sni_hosts_load(&error);
	ListCell   *lc;

	if (error)
		ereport(WARNING,
				(errmsg("only the pg_hosts.conf entries PostgreSQL could read are listed"),
				 errdetail_internal("%s", error)));
	foreach(lc, hosts)
	{
		SniHost    *host = lfirst(lc);
		List	   *certs;
		List	   *ca_certs = NIL;
		TlsFileProblem problem;
		ListCell   *cc;

		if (!tls_files_cert_chain_file("pg_hosts.conf", host->cert_file, &certs, &problem))
			tls_file_problem_report(&problem, ERROR);
		if (host->ca_file &&
			!tls_files_ca_file("pg_hosts.conf", host->ca_file, &ca_certs, &problem))
			tls_file_problem_report(&problem, ERROR);
		foreach(cc, list_concat(certs, ca_certs))
			emit_certificate_row(rsinfo, lfirst(cc), host->host, served, now);
	}
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_server_certificates);
Datum
sslinfo_ext_ssl_server_certificates(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *certs;
	List	   *ca_certs;
	TlsFileProblem problem;
	ServedCerts served;
	TimestampTz now = GetCurrentTimestamp();
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);

	if (!tls_files_server_certs(&certs, &problem))
		tls_file_problem_report(&problem, ERROR);
	if (!tls_files_ca_certs(&ca_certs, &problem))
		tls_file_problem_report(&problem, ERROR);
	certs = list_concat(certs, ca_certs);

	served.known = served_fingerprints(&served.server, &served.chain, &served.ca);

	foreach(lc, certs)
		emit_certificate_row(rsinfo, lfirst(lc), NULL, &served, now);
	emit_sni_host_rows(rsinfo, &served, now);

	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_crl_status);
Datum
sslinfo_ext_ssl_crl_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *crls;
	TlsFileProblem problem;
	TimestampTz now = GetCurrentTimestamp();
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);

	if (!tls_files_crls(&crls, &problem))
		tls_file_problem_report(&problem, ERROR);

	foreach(lc, crls)
	{
		TlsFileCrl *crl = lfirst(lc);
		Datum		values[6];
		bool		nulls[6];

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(crl->source);
		set_text_column(values, nulls, 1, crl->issuer);
		if (crl->has_last_update)
			values[2] = TimestampTzGetDatum(crl->last_update);
		else
			nulls[2] = true;
		if (crl->has_next_update)
			values[3] = TimestampTzGetDatum(crl->next_update);
		else
			nulls[3] = true;
		values[4] = Int64GetDatum(crl->revoked_count);
		values[5] = BoolGetDatum(crl->has_next_update && crl->next_update < now);

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	return (Datum) 0;
}
